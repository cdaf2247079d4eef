"""Appointments: Edinburgh's division and stations, an officer, a case waiting for a booking."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from cairn.accounts.roles import Role
from cairn.appointments.models import AppointmentKind, AppointmentSlot
from cairn.appointments.wording import LONDON
from cairn.cases.models import Case
from cairn.places.models import Division, Station
from cairn.triage import decisions, services
from cairn.triage.models import THRIVE_DIMENSIONS
from tests.cases.conftest import new_contact
from tests.conftest import make_staff


def thrive() -> dict[str, str]:
    values = {}
    for dimension in THRIVE_DIMENSIONS:
        values[dimension] = "low"
        values[f"{dimension}_note"] = f"{dimension} considered"
    return values


def waiting_for_appointment(reported, by, *, division: str = "E") -> Case:
    """``by`` decides Standard, a Local Policing Appointment: the next step and the case."""
    services.claim_contact(reported, by)
    services.assess_contact(reported, by, thrive(), "No one hurt, no one at risk.")
    decisions.decide(
        reported, by, "standard", "local_policing_appointment", "The person asked to meet."
    )
    case = Case.objects.get(case_contacts__contact=reported)
    # Tests load no postcodes, so the contact has no division of its own: give the case one.
    Case.objects.filter(pk=case.pk).update(division_id=division)
    case.refresh_from_db()
    return case


def at(days: int, hour: int = 10, minute: int = 0) -> datetime:
    """``days`` from today (London) at hour:minute, London time."""
    day = timezone.localdate(timezone.now(), LONDON) + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def make_slot(**changes) -> AppointmentSlot:
    fields = {
        "division_id": "E",
        "kind": AppointmentKind.PHONE,
        "starts_at": at(3),
        "capacity": 1,
        **changes,
    }
    if fields["kind"] == AppointmentKind.IN_PERSON and "station" not in fields:
        fields["station"] = Station.objects.get(name="Leith")
    return AppointmentSlot.objects.create(**fields)


@pytest.fixture
def handler(db):
    return make_staff("handler", Role.SERVICE_ADVISOR, last_name="Drummond")


@pytest.fixture
def contact(db):
    return new_contact()


@pytest.fixture
def edinburgh(divisions) -> Division:
    return Division.objects.get(code="E")


@pytest.fixture
def leith(edinburgh) -> Station:
    return Station.objects.get(name="Leith")


@pytest.fixture
def officer(edinburgh):
    return make_staff("officer", Role.LOCAL_OFFICER, last_name="Fraser", division=edinburgh)


@pytest.fixture
def partner_user(db):
    return make_staff("partner", Role.PARTNER_USER)


@pytest.fixture
def case(contact, handler, edinburgh) -> Case:
    return waiting_for_appointment(contact, handler)


@pytest.fixture
def slot(edinburgh) -> AppointmentSlot:
    return make_slot()


__all__ = ["at", "make_slot", "new_contact", "waiting_for_appointment"]
