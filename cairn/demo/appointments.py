"""Demo appointment slots: the next 14 days in Edinburgh ("E"), for the demo login "officer".

In person at two Edinburgh stations, and phone and video calls, on weekdays,
with a few on Saturday mornings. Every other division gets weekday phone
slots, so a demo report from anywhere in Scotland can be given an appointment.
Published through the real service, which skips times that already exist:
calling it again (`make run` does, at each start) adds only the days that have
come into the 14-day window.
"""

from datetime import time, timedelta

from django.utils import timezone

from cairn.accounts.models import StaffUser
from cairn.appointments.models import AppointmentKind
from cairn.appointments.slot_services import SlotRun, publish_slots
from cairn.appointments.wording import LONDON
from cairn.audit.context import acting_as
from cairn.places.models import Division, Station

DEMO_OFFICER = "officer"
DIVISION = "E"
DAYS = 14
WEEKDAYS = frozenset(range(5))

# (kind, station name or None, start times, weekdays, the officer's own (else any officer))
DEMO_RUNS = [
    (
        AppointmentKind.IN_PERSON,
        "Edinburgh St Leonard's",
        ("10:00", "11:00", "14:00"),
        WEEKDAYS,
        True,
    ),
    (AppointmentKind.IN_PERSON, "Edinburgh Gayfield Square", ("10:30", "15:00"), WEEKDAYS, False),
    (AppointmentKind.PHONE, None, ("09:00", "09:30", "13:00", "16:00"), WEEKDAYS, False),
    (AppointmentKind.PHONE, None, ("10:00", "10:30"), frozenset({5}), False),
    (AppointmentKind.VIDEO, None, ("12:00", "17:00"), WEEKDAYS, True),
    (AppointmentKind.HOME_VISIT, None, ("13:30",), frozenset({1, 3}), True),
]


ELSEWHERE_PHONE_TIMES = ("09:30", "13:30", "16:30")


def _times(texts: tuple[str, ...]) -> tuple[time, ...]:
    return tuple(time.fromisoformat(text) for text in texts)


def load_demo_appointments() -> int:
    """Publish the demo slots for the next 14 days; returns how many were added."""
    officer = StaffUser.objects.get(username=DEMO_OFFICER)
    division = Division.objects.get(code=DIVISION)
    today = timezone.localdate(timezone.now(), LONDON)
    added = 0
    with acting_as("command", user=officer):
        for kind, station_name, times, weekdays, own in DEMO_RUNS:
            run = SlotRun(
                division=division,
                kind=kind,
                station=Station.objects.get(division=division, name=station_name)
                if station_name
                else None,
                first_day=today,
                last_day=today + timedelta(days=DAYS - 1),
                times=_times(times),
                weekdays=weekdays,
                capacity=2 if kind == AppointmentKind.PHONE else 1,
                officer=officer if own else None,
            )
            added += len(publish_slots(run, actor=officer))
        for elsewhere in Division.objects.exclude(code=DIVISION).order_by("code"):
            run = SlotRun(
                division=elsewhere,
                kind=AppointmentKind.PHONE,
                station=None,
                first_day=today,
                last_day=today + timedelta(days=DAYS - 1),
                times=_times(ELSEWHERE_PHONE_TIMES),
                weekdays=WEEKDAYS,
                capacity=2,
                officer=None,
            )
            added += len(publish_slots(run, actor=officer))
    return added
