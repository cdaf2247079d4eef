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
# Seconds, for call handling times measured in minutes: every 10 seconds to 20 minutes,
# every minute to an hour, then every quarter of an hour to four hours.
HANDLING_SECONDS = (
    *range(0, 20 * 60, 10),
    *range(20 * 60, 3600, 60),
    *range(3600, 4 * 3600 + 1, 900),
)
# A message telling a person about their report is on time when it reaches the email or SMS
# provider within this many seconds of the change it tells of being recorded.
ON_TIME_SECONDS = 15 * 60
# The messages that tell people about their report (cairn/notify/templates/notify/); not
# sign-in codes.
PUBLIC_UPDATE_TEMPLATES = (
    "case_updated",
    "case_closed",
    "appointment_booked",
    "appointment_moved",
    "appointment_cancelled",
    "appointment_reminder",
    "complaint_received",
)


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


def _json_true(key: str) -> str:
    return f"(e.data->>'{key}') = 'true'"


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


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
    Measure(
        code="handling_999",
        title=_("999 calls: handling time"),
        definition=_(
            "Seconds from a call handler answering a 999 call to the call ending, as the "
            "telephony system reports them: the whole call after the answer, any transfer "
            "included. The handler's wrap-up after the call is not reported, so not counted; "
            "nor are calls nobody answered."
        ),
        events=("call.ended", "call.answered"),
        where="e.channel = 'phone_999' AND e.data->>'seconds_handling' IS NOT NULL",
        value=_json_number("seconds_handling"),
        unit="seconds",
        bounds=HANDLING_SECONDS,
    ),
    Measure(
        code="handling_101",
        title=_("101 calls: handling time"),
        definition=_(
            "Seconds from a call handler answering a 101 call to the call ending, as the "
            "telephony system reports them: the whole call after the answer, any transfer "
            "included. The handler's wrap-up after the call is not reported, so not counted; "
            "nor are calls nobody answered."
        ),
        events=("call.ended", "call.answered"),
        where="e.channel = 'phone_101' AND e.data->>'seconds_handling' IS NOT NULL",
        value=_json_number("seconds_handling"),
        unit="seconds",
        bounds=HANDLING_SECONDS,
    ),
    Measure(
        code="repeat_contacts",
        title=_("Repeat contact"),
        definition=_(
            "Contacts that repeat an earlier one, in three ways counted apart: by person (the "
            "person matched as the reporter had reported another contact in the 30 days "
            "before and that link still stands, counted when the match is made), by matter "
            "(the contact follows up an earlier contact) and by location (another contact "
            "came from the same postcode or from within 100 metres in the 30 days before, "
            "counted when the contact is located). One contact can count under more than "
            "one: read each one against contacts received."
        ),
        events=("person.linked", "contact.received", "contact.located"),
        where=(
            f"(e.name = 'person.linked' AND {_json_true('repeat_contact')})"
            " OR (e.name = 'contact.received' AND coalesce(e.data->>'follow_up_of', '') <> '')"
            f" OR (e.name = 'contact.located' AND {_json_true('repeat_location')})"
        ),
        detail=(
            "CASE e.name WHEN 'person.linked' THEN 'person' WHEN 'contact.received' "
            "THEN 'matter' ELSE 'location' END"
        ),
    ),
    Measure(
        code="regrade_rationale",
        title=_("Regrades with and without a rationale"),
        definition=_(
            "Decisions changed after the first (regrades), by whether the handler recorded "
            "why. Cairn asks for a rationale on every regrade, so a regrade without one was "
            "recorded some other way; “not recorded”: regrades from before Cairn kept this."
        ),
        events=("contact.regraded",),
        detail=(
            "CASE e.data->>'has_rationale' WHEN 'true' THEN 'with_rationale' "
            "WHEN 'false' THEN 'without_rationale' ELSE 'not_recorded' END"
        ),
    ),
    Measure(
        code="transfers",
        title=_("Transfers"),
        definition=_(
            "Work passed on: a decided contact transferred to another department, and a case "
            "handed on to another team (to a Resolution Team or to any other). A case handed "
            "to another officer of the same team is not a transfer."
        ),
        events=("contact.transferred", "case.handed_on"),
        where=(
            "e.name = 'contact.transferred'"
            " OR (e.data->>'to_team') IS DISTINCT FROM (e.data->>'from_team')"
        ),
        detail=(
            "CASE WHEN e.name = 'contact.transferred' THEN 'contact_to_department' "
            f"WHEN {_json_true('left_resolution_teams')} THEN 'case_to_other_team' "
            "ELSE 'case_to_resolution_team' END"
        ),
    ),
    Measure(
        code="referral_responses",
        title=_("Partner referrals: accepted or declined"),
        definition=_(
            "The partner agency's answer to a referral: accepted or declined. With "
            "“Partner referrals” and “CAM decisions by grade” it gives the diversion rate: "
            "referrals over decisions."
        ),
        events=("referral.accepted", "referral.declined"),
        detail="split_part(e.name, '.', 2)",
    ),
    Measure(
        code="referral_outcomes",
        title=_("Partner referrals: how they ended"),
        definition=_(
            "How each referral ended: the outcome the agency recorded (support provided, "
            "ongoing, referred on, declined by the person…), declined by the agency, or "
            "withdrawn by us. A referral ends once."
        ),
        events=("referral.outcome_recorded", "referral.declined", "referral.withdrawn"),
        detail=(
            "CASE e.name WHEN 'referral.outcome_recorded' THEN coalesce(e.data->>'outcome', '') "
            "ELSE split_part(e.name, '.', 2) END"
        ),
    ),
    Measure(
        code="public_updates",
        title=_("Updates to the public sent on time"),
        definition=_(
            "Messages telling people about their report (an update on their case, its "
            "closure, an appointment booked, moved, cancelled or due, a complaint received), "
            "by email or text, by how soon they reached the email or text provider after "
            "being queued, which is done with the change they tell of. On time: within 15 "
            "minutes; late: after that; failed: never sent; not recorded: sent before Cairn "
            "kept the time. Sign-in codes are not counted."
        ),
        events=("message.sent", "message.failed"),
        where=f"e.data->>'template' IN ({_sql_list(PUBLIC_UPDATE_TEMPLATES)})",
        detail=(
            "CASE WHEN e.name = 'message.failed' THEN 'failed' "
            "WHEN e.data->>'seconds_to_send' IS NULL THEN 'not_recorded' "
            f"WHEN {_json_number('seconds_to_send')} < {ON_TIME_SECONDS} THEN 'on_time' "
            "ELSE 'late' END"
        ),
    ),
    Measure(
        code="engagement",
        title=_("Engagement after contact"),
        definition=_(
            "People taking part after their contact: closure surveys answered (with or "
            "without a comment) and messages sent on their open case from the tracking page "
            "(one sent with no open case becomes a new contact, counted as failure demand). "
            "Surveys answered over cases closed is the survey response rate."
        ),
        events=("survey.answered", "case.person_wrote"),
        detail=(
            "CASE WHEN e.name = 'case.person_wrote' THEN 'message_on_case' "
            f"WHEN {_json_true('commented')} THEN 'survey_with_comment' "
            "ELSE 'survey_without_comment' END"
        ),
    ),
)

MEASURES: dict[str, Measure] = {measure.code: measure for measure in MEASURE_LIST}
