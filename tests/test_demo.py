import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from cairn.accounts.api_keys import client_for_key
from cairn.accounts.models import StaffUser
from cairn.accounts.roles import Role
from cairn.contacts.models import Contact
from cairn.demo.contacts import DEMO_CONTACTS
from cairn.demo.data import DEMO_API_KEY, DEMO_PASSWORD, demo_totp_code, load_demo_data
from cairn.places.models import Division, Station


def test_demo_data_gives_one_login_per_role_and_loads_twice_without_change(db):
    load_demo_data()
    load_demo_data()
    assert set(StaffUser.objects.values_list("role", flat=True)) == set(Role.values)
    # One per role, and a second agency's partner user (to show referrals are kept apart).
    assert StaffUser.objects.count() == len(Role.values) + 1
    assert StaffUser.objects.get(username="partner2").role == Role.PARTNER_USER
    assert Division.objects.count() == 13
    assert Station.objects.filter(division__code="E").exists()


def test_a_demo_login_signs_in_with_the_published_password_and_code(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_data()
    client = Client()
    client.post("/staff/sign-in/", {"username": "advisor", "password": DEMO_PASSWORD})
    response = client.post("/staff/sign-in/code/", {"token": demo_totp_code()})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_the_demo_integrator_key_is_accepted(db):
    load_demo_data()
    assert client_for_key(DEMO_API_KEY).name == "Demo integrator"


def test_demo_data_is_refused_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        load_demo_data()
    assert not StaffUser.objects.exists()


def test_the_demo_queue_has_waiting_contacts_and_loading_again_adds_none(db):
    load_demo_data()
    load_demo_data()
    waiting = Contact.objects.filter(source="demo", status="received")
    assert waiting.count() == len(DEMO_CONTACTS)
    assert set(waiting.values_list("channel", flat=True)) >= {"web_form", "email", "sms"}
    assert waiting.filter(language="gd").exists()
