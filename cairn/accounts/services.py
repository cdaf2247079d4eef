from django.contrib.auth import login, logout
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from cairn.accounts.models import StaffUser
from cairn.accounts.roles import Role
from cairn.audit.models import Operation
from cairn.audit.services import record


@transaction.atomic
def create_staff_user(
    *,
    username: str,
    password: str | None,
    role: Role | str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    team=None,
    division=None,
) -> StaffUser:
    user = StaffUser(
        username=username,
        role=str(role),
        first_name=first_name,
        last_name=last_name,
        email=email,
        team=team,
        division=division,
        is_staff=role == Role.ADMINISTRATOR,
        is_superuser=role == Role.ADMINISTRATOR,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(
        Operation.COLLECTION,
        object_type="staff_user",
        object_id=user.pk,
        fields=["username", "role", "first_name", "last_name", "email", "team", "division"],
    )
    return user


def start_password_session(request, user: StaffUser) -> None:
    """Password accepted: a session that can reach only the second-factor pages."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    record(Operation.LOGIN, object_type="staff_user", object_id=user.pk, actor=user)


def confirmed_device(user: StaffUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_enrolment_device(user: StaffUser) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def complete_second_factor(request, device: TOTPDevice, *, enrolling: bool) -> None:
    if enrolling:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(Operation.MFA_ENROLLED, object_type="staff_user", object_id=device.user_id)
    otp_login(request, device)
    record(Operation.MFA_VERIFIED, object_type="staff_user", object_id=device.user_id)


def end_session(request) -> None:
    if request.user.is_authenticated:
        record(Operation.LOGOUT, object_type="staff_user", object_id=request.user.pk)
    logout(request)
