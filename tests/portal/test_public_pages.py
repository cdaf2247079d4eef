"""The public pages answer in English at / and in Gaelic at /gd/."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_home_page_is_in_english(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


def test_the_gaelic_home_page_is_in_gaelic(client):
    response = client.get("/gd/")
    assert response.status_code == 200
    assert '<html lang="gd"' in response.content.decode()


def test_the_unprefixed_home_page_stays_english_whatever_the_browser_prefers(client):
    response = client.get("/", headers={"accept-language": "gd"})
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()
