"""The demo directory loads once, its second partner signs in, its API key answers."""

import pytest
from django.test import Client

from cairn.demo.data import DEMO_PASSWORD
from cairn.demo.partners import DEMO_PARTNER_API_KEY, load_demo_partners
from cairn.partners.models import Agency, PartnerService
from cairn.partners.taxonomy import service_types
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_demo_directory_loads_once_with_a_second_partner_and_an_api_key(divisions):
    first = load_demo_partners()
    again = load_demo_partners()
    assert first.logins == ("partner2",) and again.logins == ()
    assert first.agencies == again.agencies == Agency.objects.count() >= 6
    assert again.services == PartnerService.objects.count()
    assert set(PartnerService.objects.values_list("service_type", flat=True)) <= set(
        service_types()
    )

    client = Client()
    assert sign_in(client, "partner2", password=DEMO_PASSWORD).status_code == 302
    assert client.get("/staff/partners/referrals/").status_code == 200

    answer = Client().get(
        "/api/v1/partners/referrals", HTTP_AUTHORIZATION=f"Bearer {DEMO_PARTNER_API_KEY}"
    )
    assert answer.status_code == 200 and answer.json() == {"referrals": []}


def test_demo_partners_are_refused_in_production(settings, divisions):
    from django.core.exceptions import ImproperlyConfigured

    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        load_demo_partners()
