"""Demo partner directory: agencies and services across Scotland, a second agency's partner
user ("partner2", Victim Support Scotland) and an API key for the demo agency's own system.

Run after ``load_demo_data`` (which makes the "partner" login and its agency);
safe to run again: it changes nothing then. Refused in production.
"""

from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from cairn.accounts.api_keys import issue_api_key
from cairn.accounts.models import ApiClient, StaffUser
from cairn.accounts.roles import Role
from cairn.accounts.services import create_staff_user
from cairn.audit.context import acting_as
from cairn.partners.models import (
    Agency,
    AgencyApiClient,
    AgencyMembership,
    ContactRoute,
    PartnerService,
)

# Published on purpose, like the other demo keys: demo data only, refused in production.
DEMO_PARTNER_API_KEY = "cairn_demo0003_partner-key-for-local-testing-only"
DEMO_PARTNER_API_CLIENT = "DBI Edinburgh case system (demo)"
SECOND_PARTNER_LOGIN = "partner2"
SECOND_AGENCY = "victim-support-scotland"

# slug: (name, kind, areas, contact route, phone, [(type, service name, eligibility, hours)])
DEMO_DIRECTORY = {
    "dbi-edinburgh": (
        "Distress Brief Intervention – Edinburgh",
        "mental health",
        ["E"],
        ContactRoute.API,
        "0131 496 0100",
        [
            (
                "distress_brief_intervention",
                "DBI Level 2 support",
                "Aged 16 or over, in emotional distress, not needing emergency care.",
                "Contact within 24 hours; support for up to 14 days",
            )
        ],
    ),
    SECOND_AGENCY: (
        "Victim Support Scotland",
        "third sector",
        [],
        ContactRoute.PORTAL,
        "0800 160 1985",
        [
            (
                "victim_support",
                "Victim and witness support",
                "Anyone affected by crime, whether or not it was reported.",
                "Monday to Friday, 8am to 8pm",
            )
        ],
    ),
    "glasgow-womens-aid": (
        "Glasgow Women's Aid",
        "third sector",
        ["G"],
        ContactRoute.SECURE_EMAIL,
        "0141 496 0200",
        [
            (
                "domestic_abuse_advocacy",
                "Independent domestic abuse advocacy",
                "Women and children experiencing domestic abuse.",
                "Every day, 9am to 5pm",
            )
        ],
    ),
    "nhs24-mental-health-hub": (
        "NHS 24 Mental Health Hub",
        "health",
        [],
        ContactRoute.PORTAL,
        "111",
        [
            (
                "nhs24",
                "Mental health hub call-back",
                "Anyone in Scotland needing urgent mental health advice.",
                "Day and night, every day",
            )
        ],
    ),
    "edinburgh-social-work": (
        "City of Edinburgh Council Social Work",
        "social work",
        ["E"],
        ContactRoute.SECURE_EMAIL,
        "0131 496 0300",
        [
            (
                "social_work",
                "Adult and child protection duty team",
                "Adults at risk of harm and children in need of protection.",
                "Office hours; out of hours through the emergency social work service",
            )
        ],
    ),
    "highland-housing-options": (
        "Highland Housing Options",
        "council",
        ["N"],
        ContactRoute.PORTAL,
        "01463 496 400",
        [
            (
                "housing",
                "Homelessness assessment",
                "People homeless or at risk of losing their home in the Highlands.",
                "Monday to Friday, 9am to 5pm",
            )
        ],
    ),
    "tayside-recovery": (
        "Tayside Recovery Partnership",
        "third sector",
        ["D"],
        ContactRoute.PORTAL,
        "01382 496 500",
        [
            (
                "drug_alcohol",
                "Harm reduction and recovery support",
                "Adults affected by their own or someone else's drug or alcohol use.",
                "Monday to Saturday, 9am to 7pm",
            ),
            (
                "youth",
                "Young people's substance use service",
                "Aged 12 to 25.",
                "Monday to Friday, 10am to 6pm",
            ),
        ],
    ),
}


@dataclass(frozen=True)
class DemoPartners:
    agencies: int
    services: int
    logins: tuple[str, ...]  # partner logins made by this loader (besides data.py's "partner")
    api_key: str
    api_client: str


def _directory() -> None:
    for slug, (name, kind, areas, route, phone, services) in DEMO_DIRECTORY.items():
        agency, _created = Agency.objects.get_or_create(slug=slug, defaults={"name": name})
        agency.name, agency.kind, agency.areas = name, kind, areas
        agency.contact_route, agency.phone = route, phone
        if route == ContactRoute.SECURE_EMAIL and not agency.secure_email:
            agency.secure_email = f"referrals@{slug}.example"
        agency.save()
        for service_type, service_name, eligibility, hours in services:
            PartnerService.objects.get_or_create(
                agency=agency,
                service_type=service_type,
                name=service_name,
                defaults={"eligibility": eligibility, "hours": hours},
            )


def _second_partner(password: str, totp_key: str) -> bool:
    if StaffUser.objects.filter(username=SECOND_PARTNER_LOGIN).exists():
        return False
    user = create_staff_user(
        username=SECOND_PARTNER_LOGIN,
        password=password,
        role=Role.PARTNER_USER,
        first_name="Euan",
        last_name="Mackay",
        email=f"{SECOND_PARTNER_LOGIN}@cairn.example",
    )
    TOTPDevice.objects.create(user=user, name="Demo authenticator", key=totp_key, confirmed=True)
    AgencyMembership.objects.create(user=user, agency=Agency.objects.get(slug=SECOND_AGENCY))
    return True


def _api_client() -> None:
    if ApiClient.objects.filter(name=DEMO_PARTNER_API_CLIENT).exists():
        return
    client, _key = issue_api_key(
        DEMO_PARTNER_API_CLIENT, key=DEMO_PARTNER_API_KEY, scopes=("referrals.respond",)
    )
    AgencyApiClient.objects.create(client=client, agency=Agency.objects.get(slug="dbi-edinburgh"))


@transaction.atomic
def load_demo_partners() -> DemoPartners:
    """The demo directory, "partner2" (Victim Support Scotland) and the DBI API key."""
    from cairn.demo.data import DEMO_PASSWORD, DEMO_TOTP_KEY, _refuse_in_production

    _refuse_in_production()
    with acting_as("command"):
        _directory()
        made = _second_partner(DEMO_PASSWORD, DEMO_TOTP_KEY)
        _api_client()
    return DemoPartners(
        agencies=Agency.objects.count(),
        services=PartnerService.objects.count(),
        logins=(SECOND_PARTNER_LOGIN,) if made else (),
        api_key=DEMO_PARTNER_API_KEY,
        api_client=DEMO_PARTNER_API_CLIENT,
    )
