"""A small directory (three agencies), their partner users, and a case in Edinburgh to refer."""

from dataclasses import dataclass

import pytest

from cairn.accounts.roles import Role
from cairn.cases.models import Case
from cairn.cases.services import open_case
from cairn.partners.models import Agency, AgencyMembership, ContactRoute, PartnerService
from cairn.places.services import load_divisions
from tests.cases.conftest import handler, new_contact  # noqa: F401  (fixture)
from tests.conftest import make_staff


@dataclass
class Directory:
    dbi: Agency  # Edinburgh only
    womens_aid: Agency  # Glasgow only
    victim_support: Agency  # all of Scotland
    dbi_service: PartnerService
    womens_aid_service: PartnerService
    victim_service: PartnerService


def make_directory() -> Directory:
    load_divisions()
    dbi = Agency.objects.create(
        slug="dbi-edinburgh",
        name="Distress Brief Intervention – Edinburgh",
        kind="mental health",
        areas=["E"],
        contact_route=ContactRoute.PORTAL,
    )
    womens_aid = Agency.objects.create(
        slug="womens-aid-glasgow", name="Glasgow Women's Aid", kind="third sector", areas=["G"]
    )
    victim_support = Agency.objects.create(
        slug="victim-support-scotland", name="Victim Support Scotland", kind="third sector"
    )
    return Directory(
        dbi=dbi,
        womens_aid=womens_aid,
        victim_support=victim_support,
        dbi_service=PartnerService.objects.create(
            agency=dbi,
            service_type="distress_brief_intervention",
            name="DBI Level 2",
            eligibility="Aged 16 or over, in emotional distress.",
            hours="Contact within 24 hours, every day",
        ),
        womens_aid_service=PartnerService.objects.create(
            agency=womens_aid,
            service_type="domestic_abuse_advocacy",
            name="Advocacy service",
            eligibility="Women experiencing domestic abuse.",
        ),
        victim_service=PartnerService.objects.create(
            agency=victim_support,
            service_type="victim_support",
            name="Victim and witness support",
            eligibility="Anyone affected by crime.",
            hours="Monday to Friday, 8am to 8pm",
        ),
    )


def partner_user(username: str, agency: Agency):
    user = make_staff(username, Role.PARTNER_USER)
    AgencyMembership.objects.create(user=user, agency=agency)
    return user


def edinburgh_case(actor, **contact_changes) -> Case:
    contact = new_contact(reporter_phone="07700 900123", **contact_changes)
    case = open_case(contact, category="crime.theft", actor=actor)
    Case.objects.filter(pk=case.pk).update(division_id="E")
    case.refresh_from_db()
    return case


@pytest.fixture
def directory(db) -> Directory:
    return make_directory()


@pytest.fixture
def partner(directory):
    return partner_user("partner", directory.dbi)


@pytest.fixture
def partner2(directory):
    """A partner user of another agency (Victim Support)."""
    return partner_user("partner2", directory.victim_support)


@pytest.fixture
def case(directory, handler) -> Case:  # noqa: F811
    return edinburgh_case(handler)


def refer(case: Case, service: PartnerService, actor, **changes):
    from cairn.partners.services import make_referral

    fields = {
        "contact": case.case_contacts.first().contact,
        "service": service,
        "reason": "Distressed after the theft; would like someone to talk to.",
        "lawful_basis": "consent",
        "consent_given": True,
        "consent_method": "verbal_on_call",
        "shared_name": "Morag MacLeod",
        "shared_phone": "07700 900123",
        **changes,
    }
    return make_referral(case, actor=actor, **fields)
