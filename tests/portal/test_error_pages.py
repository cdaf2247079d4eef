"""Error pages: plain, with the emergency number, never a traceback."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_a_missing_public_page_shows_the_404_page_with_the_emergency_number():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert "In an emergency call 999" in page


@override_settings(DEBUG=False)
def test_the_404_page_shows_no_debugging_details():
    page = Client().get("/no-such-page/").content.decode()
    assert "Traceback" not in page
    assert "urlpatterns" not in page.lower()
    assert "cairn.urls" not in page


@override_settings(DEBUG=False, ROOT_URLCONF="tests.portal.raising_urls")
def test_an_unhandled_error_shows_the_500_page_with_the_emergency_number():
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert "999" in response.content.decode()


@override_settings(DEBUG=False, ROOT_URLCONF="tests.portal.raising_urls")
def test_the_500_page_shows_no_traceback_or_exception_text():
    page = Client(raise_request_exception=False).get("/broken/").content.decode()
    assert "Traceback" not in page
    assert "RuntimeError" not in page
    assert "internal detail" not in page
