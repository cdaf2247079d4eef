"""The performance framework's measures, each defined once: what it counts, from which events.

A measure reads domain events (cairn/events/) by name, optionally filtered
(``where``), and folds each into the hour's cell for its division, channel and
``detail`` (the measure's own breakdown: a grade, an outcome…) with a value
(``value``, 1 to count). A measure with ``bounds`` also keeps a histogram, so
its percentiles and "share within N seconds" come from the rollups too.

The SQL fragments read the event as ``e`` (columns ``name``, ``occurred_at``,
``division``, ``channel``, ``data`` JSONB). They are code, never user input.
The ``definition`` is shown on the measure's page, so say exactly what counts.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Seconds: every second to a minute (exact percentiles for the 10 s target), then coarser.
SECONDS = (
    *range(61),
    *range(70, 121, 10),
    150,
    180,
    240,
    300,
    420,
    600,
    900,
    1200,
    1800,
    3600,
)
# Minutes, for waiting times measured in days: every hour to two days, then every 6 hours
# to a fortnight, then days to three months.
MINUTES = (
    *range(0, 48 * 60 + 1, 60),
    *range(54 * 60, 14 * 24 * 60 + 1, 6 * 60),
    *range(15 * 24 * 60, 91 * 24 * 60 + 1, 24 * 60),
)
SCORES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Measure:
    code: str
    title: Promise
    definition: Promise
    events: tuple[str, ...]
    unit: str = "count"  # count, seconds, minutes, score
    where: str = "TRUE"
    value: str = "1"
    detail: str = "''"
    bounds: tuple[float, ...] = field(default=())

    @property
    def has_distribution(self) -> bool:
        return bool(self.bounds)


def _json_number(key: str) -> str:
    return f"(e.data->>'{key}')::float8"


MEASURE_LIST = (
    Measure(
        code="contacts",
        title=_("Contacts received"),
        definition=_(
            "Every contact from the public on any channel (an online report, a 999 or 101 "
            "call, an email, a text, a chat…), counted when it arrives. Its division is known "
            "once it is located: see “Contacts located by division”."
        ),
        events=("contact.received",),
        detail="coalesce(e.data->>'category', '')",
    ),
    Measure(
        code="contacts_located",
        title=_("Contacts located by division"),
        definition=_("Contacts placed in a division from their postcode or coordinates."),
        events=("contact.located",),
    ),
    Measure(
        code="failure_demand",
        title=_("Failure demand"),
        definition=_(
            "Contacts that need not have happened: the person is chasing or adding to "
            "something already reported (the contact's reason is “about something already "
            "reported”, or it follows up an earlier contact). The rate is these over all "
            "contacts received."
        ),
        events=("contact.received",),
        where="(e.data->>'reason' = 'update' OR coalesce(e.data->>'follow_up_of', '') <> '')",
    ),
    Measure(
        code="answer_999",
        title=_("999 calls: time to answer"),
        definition=_(
            "Seconds from a 999 call being offered to the service centre to a call handler "
            "answering it. The UK target is 10 seconds; published figures give the share "
            "answered within 10 s, in 10 to 59 s and in 60 s or more."
        ),
        events=("call.answered",),
        where="e.channel = 'phone_999'",
        value=_json_number("seconds_to_answer"),
        unit="seconds",
        bounds=SECONDS,
    ),
    Measure(
        code="answer_101",
        title=_("101 calls: time to answer"),
        definition=_("Seconds from a 101 call being offered to a call handler answering it."),
        events=("call.answered",),
        where="e.channel = 'phone_101'",
        value=_json_number("seconds_to_answer"),
        unit="seconds",
        bounds=SECONDS,
    ),
    Measure(
        code="abandoned_calls",
        title=_("Abandoned calls"),
        definition=_(
            "Calls the caller ended before anyone answered, with the seconds they waited; "
            "those who hung up within 2 minutes are shown apart."
        ),
        events=("call.abandoned",),
        value=_json_number("seconds_to_abandon"),
        unit="seconds",
        bounds=SECONDS,
    ),
    Measure(
        code="decisions",
        title=_("CAM decisions by grade"),
        definition=_("First decisions on contacts under the Contact Assessment Model, by grade."),
        events=("contact.decided",),
        detail="coalesce(e.data->>'grade', '')",
    ),
    Measure(
        code="regrades",
        title=_("Regrades"),
        definition=_("Decisions changed after the first, by the new grade."),
        events=("contact.regraded",),
        detail="coalesce(e.data->>'grade', '')",
    ),
    Measure(
        code="cases_closed",
        title=_("Cases closed, by outcome"),
        definition=_(
            "Cases closed, by their closure outcome. “Resolved in entirety by the Resolution "
            "Team” is the HMICS measure of incidents the team resolved without deployment."
        ),
        events=("case.closed",),
        detail="coalesce(e.data->>'outcome', '')",
    ),
    Measure(
        code="referrals",
        title=_("Partner referrals"),
        definition=_("Referrals made to partner agencies, by service type."),
        events=("referral.made",),
        detail="coalesce(e.data->>'service_type', '')",
    ),
    Measure(
        code="appointment_wait",
        title=_("Local Policing Appointments: waiting time"),
        definition=_(
            "Minutes from the contact arriving to the start of the appointment booked for "
            "it, by the division of the appointment."
        ),
        events=("appointment.booked",),
        value=_json_number("wait_minutes"),
        unit="minutes",
        bounds=MINUTES,
    ),
    Measure(
        code="appointment_outcomes",
        title=_("Local Policing Appointments: attendance"),
        definition=_("Appointments recorded as attended, missed or to be rebooked."),
        events=("appointment.attended", "appointment.missed", "appointment.rescheduled"),
        detail="split_part(e.name, '.', 2)",
    ),
    Measure(
        code="satisfaction",
        title=_("Overall satisfaction"),
        definition=_(
            "The closure survey's overall satisfaction, from 1 (very dissatisfied) to 5 "
            "(very satisfied), by the channel the person contacted us on."
        ),
        events=("survey.answered",),
        where="e.data->'scores'->>'overall' IS NOT NULL",
        value="(e.data->'scores'->>'overall')::float8",
        unit="score",
        bounds=SCORES,
    ),
    Measure(
        code="complaints",
        title=_("Complaints about the service"),
        definition=_("Complaints made from the tracking page."),
        events=("complaint.received",),
    ),
)

MEASURES: dict[str, Measure] = {measure.code: measure for measure in MEASURE_LIST}
