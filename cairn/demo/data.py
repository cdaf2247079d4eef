import base64
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cairn.accounts.api_keys import issue_api_key
from cairn.accounts.models import ApiClient, StaffUser, Team
from cairn.accounts.roles import Role
from cairn.accounts.services import create_staff_user
from cairn.audit.context import acting_as
from cairn.demo.appointments import load_demo_appointments
from cairn.demo.cases import load_demo_cases
from cairn.demo.contacts import load_demo_contacts
from cairn.demo.dispatch import load_demo_dispatch
from cairn.demo.partners import load_demo_partners
from cairn.demo.people import load_demo_people
from cairn.partners.models import Agency, AgencyMembership
from cairn.places.models import Division
from cairn.places.services import load_divisions

# Published on purpose: demo accounts only, refused in production.
DEMO_PASSWORD = "cairn-demo-2026"  # noqa: S105
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, hex
DEMO_API_KEY = "cairn_demo0001_integrator-key-for-local-testing-only"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    first_name: str
    last_name: str
    team: str | None = None
    division: str | None = None


DEMO_TEAMS = {
    "Service Centre – Govan": "G",
    "Area Control Room – Bilston Glen": "J",
    "Resolution Team – East": "E",
    "Edinburgh City Centre Community Team": "E",
}

DEMO_LOGINS = [
    DemoLogin("advisor", Role.SERVICE_ADVISOR, "Morag", "Campbell", "Service Centre – Govan", "G"),
    DemoLogin(
        "controlroom",
        Role.CONTROL_ROOM_OPERATOR,
        "Iain",
        "MacLeod",
        "Area Control Room – Bilston Glen",
        "J",
    ),
    DemoLogin(
        "resolution", Role.RESOLUTION_OFFICER, "Aileen", "Stewart", "Resolution Team – East", "E"
    ),
    DemoLogin(
        "officer",
        Role.LOCAL_OFFICER,
        "Callum",
        "Fraser",
        "Edinburgh City Centre Community Team",
        "E",
    ),
    DemoLogin("supervisor", Role.SUPERVISOR, "Fiona", "Murray", "Service Centre – Govan", "G"),
    DemoLogin("partner", Role.PARTNER_USER, "Priya", "Shah"),
    DemoLogin("analyst", Role.ANALYST, "Ewan", "Robertson"),
    DemoLogin("engagement", Role.ENGAGEMENT_OFFICER, "Kirsty", "Reid", None, "E"),
    DemoLogin("admin", Role.ADMINISTRATOR, "Alasdair", "Grant"),
]

DEMO_AGENCY = {
    "slug": "dbi-edinburgh",
    "name": "Distress Brief Intervention – Edinburgh",
    "kind": "mental health",
}


def _refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise ImproperlyConfigured("demo data is never loaded when CAIRN_ENV=production")


# The demo people are recorded as if by this login (it may manage people records).
PEOPLE_LOADED_BY = "supervisor"


@transaction.atomic
def load_demo_data() -> list[DemoLogin]:
    """Create the demo divisions, teams and logins. Safe to run again: it changes nothing then."""
    _refuse_in_production()
    with acting_as("command"):
        load_divisions()
        for name, division in DEMO_TEAMS.items():
            Team.objects.get_or_create(name=name, defaults={"division_id": division})
        agency, _ = Agency.objects.get_or_create(slug=DEMO_AGENCY["slug"], defaults=DEMO_AGENCY)
        for login in DEMO_LOGINS:
            if StaffUser.objects.filter(username=login.username).exists():
                continue
            user = create_staff_user(
                username=login.username,
                password=DEMO_PASSWORD,
                role=login.role,
                first_name=login.first_name,
                last_name=login.last_name,
                email=f"{login.username}@cairn.example",
                team=Team.objects.filter(name=login.team).first() if login.team else None,
                division=Division.objects.filter(code=login.division).first(),
            )
            TOTPDevice.objects.create(
                user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True
            )
            if login.role == Role.PARTNER_USER:
                AgencyMembership.objects.create(user=user, agency=agency)
        if not ApiClient.objects.filter(name="Demo integrator").exists():
            issue_api_key("Demo integrator", key=DEMO_API_KEY)
    load_demo_people(StaffUser.objects.get(username=PEOPLE_LOADED_BY))
    load_demo_contacts()
    # The work after triage: cases, command and control, partners (and their logins).
    load_demo_cases(StaffUser.objects.get(username="advisor"))
    load_demo_dispatch()
    load_demo_partners()
    load_demo_appointments()
    return DEMO_LOGINS


def demo_totp_code(at: float | None = None) -> str:
    """The code an authenticator app holding the demo key shows at ``at`` (default: now)."""
    generator = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
    if at is not None:
        generator.time = at
    return f"{generator.token():06d}"


def demo_totp_secret_base32() -> str:
    """The demo key as an authenticator app wants it typed."""
    return base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
