"""Staff sign-in: password, then an authenticator code (enrolling one the first time)."""

import base64

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cairn.accounts.roles import Role
from cairn.accounts.services import create_staff_user
from cairn.audit.context import acting_as
from cairn.audit.models import AuditEvent, Operation
from tests.conftest import PASSWORD, sign_in
from tests.support import ENROL, SIGN_OUT, VERIFY, body, code_now, enter_password, wrong_code

pytestmark = pytest.mark.django_db

NOT_RIGHT = "That code is not right"


@pytest.fixture
def newcomer(db):
    """A member of staff who has never set up an authenticator."""
    with acting_as("command"):
        return create_staff_user(username="newcomer", password=PASSWORD, role=Role.SERVICE_ADVISOR)


def pending_device(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def device_code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key).token():06d}"


def test_a_first_sign_in_without_a_device_goes_to_enrolment(clock, newcomer):
    response = enter_password(Client(), "newcomer")
    assert response["Location"] == f"{ENROL}?next=%2Fstaff%2F"


def test_the_enrolment_page_shows_a_qr_code_and_the_key(clock, newcomer):
    client = Client()
    enter_password(client, "newcomer")
    response = client.get(ENROL)
    assert response.status_code == 200
    page = body(response)
    assert "<svg" in page
    secret = base64.b32encode(pending_device(newcomer).bin_key).decode()
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert grouped in page


def test_a_correct_code_confirms_the_new_device_and_opens_the_workspace(clock, newcomer):
    client = Client()
    enter_password(client, "newcomer")
    client.get(ENROL)
    device = pending_device(newcomer)
    response = client.post(ENROL, {"token": device_code(device)})
    assert response["Location"] == "/staff/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(operation=Operation.MFA_ENROLLED).count() == 1


def test_a_wrong_code_during_enrolment_is_refused(clock, newcomer):
    client = Client()
    enter_password(client, "newcomer")
    client.get(ENROL)
    device = pending_device(newcomer)
    wrong = next(c for c in ("000000", "111111", "222222") if c != device_code(device))
    response = client.post(ENROL, {"token": wrong})
    assert response.status_code == 200
    assert NOT_RIGHT in body(response)
    assert not TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()
    assert client.get("/staff/")["Location"].startswith(VERIFY)


def test_a_user_with_a_device_is_asked_for_a_code_not_enrolment(clock, advisor):
    response = enter_password(Client(), "advisor")
    assert response["Location"] == f"{VERIFY}?next=%2Fstaff%2F"


def test_a_user_with_a_device_cannot_enrol_another(clock, advisor):
    client = Client()
    enter_password(client, "advisor")
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert not TOTPDevice.objects.filter(user=advisor, confirmed=False).exists()


def test_a_correct_code_reaches_the_workspace(clock, advisor):
    client = Client()
    enter_password(client, "advisor")
    assert client.post(VERIFY, {"token": code_now()})["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_a_wrong_code_shows_the_error_and_does_not_verify(clock, advisor):
    client = Client()
    enter_password(client, "advisor")
    response = client.post(VERIFY, {"token": wrong_code()})
    assert response.status_code == 200
    assert NOT_RIGHT in body(response)
    assert client.get("/staff/")["Location"].startswith(VERIFY)


def test_a_code_that_is_not_six_digits_is_refused(clock, advisor):
    client = Client()
    enter_password(client, "advisor")
    response = client.post(VERIFY, {"token": "12ab"})
    assert "Enter the 6-digit code from your authenticator app" in body(response)
    assert client.get("/staff/")["Location"].startswith(VERIFY)


def test_a_wrong_password_starts_no_session(clock, advisor):
    client = Client()
    response = enter_password(client, "advisor", password="not the right password")
    assert response.status_code == 200
    assert "The username or password is not right" in body(response)
    assert client.get(VERIFY)["Location"].startswith("/staff/sign-in/?")


def test_next_carries_through_both_steps(clock, advisor):
    client = Client()
    response = enter_password(client, "advisor", next="/staff/audit/")
    assert response["Location"] == f"{VERIFY}?next=%2Fstaff%2Faudit%2F"
    assert client.post(response["Location"], {"token": code_now()})["Location"] == "/staff/audit/"


@pytest.mark.parametrize(
    "target", ["https://evil.example/staff/", "//evil.example/staff/", "http://testserver.evil/"]
)
def test_a_next_url_on_another_host_is_ignored(clock, advisor, target):
    client = Client()
    response = enter_password(client, "advisor", next=target)
    assert response["Location"] == f"{VERIFY}?next=%2Fstaff%2F"
    response = client.post(VERIFY, {"token": code_now(), "next": target})
    assert response["Location"] == "/staff/"


def test_sign_out_refuses_get(clock, advisor):
    client = Client()
    sign_in(client, "advisor", code=code_now())
    assert client.get(SIGN_OUT).status_code == 405
    assert client.get("/staff/").status_code == 200


def test_sign_out_by_post_ends_the_session(clock, advisor):
    client = Client()
    sign_in(client, "advisor", code=code_now())
    assert client.post(SIGN_OUT)["Location"] == "/staff/sign-in/"
    assert client.get("/staff/")["Location"].startswith("/staff/sign-in/?")
    assert AuditEvent.objects.get(operation=Operation.LOGOUT).actor_id == advisor.pk


def test_sign_in_records_the_password_step_with_the_actor(clock, advisor):
    sign_in(Client(), "advisor", code=code_now())
    login = AuditEvent.objects.get(operation=Operation.LOGIN)
    assert (login.actor_id, login.actor_username, login.actor_role) == (
        advisor.pk,
        "advisor",
        Role.SERVICE_ADVISOR,
    )
    assert login.channel == "web"


def test_sign_in_records_the_second_factor_with_the_actor(clock, advisor):
    sign_in(Client(), "advisor", code=code_now())
    verified = AuditEvent.objects.get(operation=Operation.MFA_VERIFIED)
    assert (verified.actor_id, verified.actor_username) == (advisor.pk, "advisor")
    assert verified.object_id == str(advisor.pk)
