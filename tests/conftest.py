"""Shared fixtures: the named personas and logging in as them with MFA."""

import pytest
from django.test import Client
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cairn.accounts.roles import Role
from cairn.accounts.services import create_staff_user
from cairn.audit.context import acting_as
from cairn.places.services import load_divisions
from tests.workers import jobs_kept_to_this_test

PASSWORD = "correct horse battery staple"
TOTP_KEY = "3132333435363738393031323334353637383930"


def current_code(key_hex: str = TOTP_KEY, at: float | None = None) -> str:
    generator = TOTP(bytes.fromhex(key_hex))
    if at is not None:
        generator.time = at
    return f"{generator.token():06d}"


def make_staff(username: str, role: Role, **extra):
    with acting_as("command"):
        user = create_staff_user(
            username=username, password=PASSWORD, role=role, first_name=username.title(), **extra
        )
    TOTPDevice.objects.create(user=user, name="test", key=TOTP_KEY, confirmed=True)
    return user


@pytest.fixture(autouse=True)
def _english_unless_a_test_says_otherwise():
    # A test that activates a language (a /gd/ page, a message in Arabic) must
    # not leave it active for the next test in the same thread.
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path_factory):
    # Evidence files written by tests never land in var/media.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path_factory.getbasetemp() / "media"},
        },
    }


@pytest.fixture(autouse=True)
def _only_this_tests_jobs(request):
    """procrastinate's job tables survive a transactional test's flush: every transactional
    test starts and ends with them empty, so a worker or a count sees only its own jobs."""
    yield from jobs_kept_to_this_test(request)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at full strength costs ~0.3 s a login; tests log in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def divisions(db):
    load_divisions()


@pytest.fixture
def advisor(db):
    return make_staff("advisor", Role.SERVICE_ADVISOR)


@pytest.fixture
def supervisor(db):
    return make_staff("supervisor", Role.SUPERVISOR)


@pytest.fixture
def analyst(db):
    return make_staff("analyst", Role.ANALYST)


@pytest.fixture
def administrator(db):
    return make_staff("administrator", Role.ADMINISTRATOR)


def sign_in(client: Client, username: str, password: str = PASSWORD, code: str | None = None):
    """The real two-step sign-in, as a browser does it. Returns the last response."""
    response = client.post("/staff/sign-in/", {"username": username, "password": password})
    if response.status_code != 302:
        return response
    return client.post("/staff/sign-in/code/", {"token": code or current_code()})


@pytest.fixture
def signed_in():
    """signed_in(user) -> a test client past password and second factor."""

    def _signed_in(user) -> Client:
        client = Client()
        response = sign_in(client, user.username)
        assert response.status_code == 302, "second factor was not accepted"
        return client

    return _signed_in
