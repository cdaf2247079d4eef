"""Synthetic national demand: years of realistic contacts, calls and events, written by COPY.

For the performance framework's dashboards and benchmarks (``manage.py
generate_demand``). Everything is drawn from one seeded ``random.Random``, so a
seed gives the same history every time (only the database ids differ). The
shapes follow what a Scottish force sees: the channel mix, the night trough and
evening peak, busier Friday and Saturday nights, a summer and a late-December
peak, the 13 divisions weighted by population, people who contact again and
again, one contact in five that is failure demand, 999 calls answered in
seconds and 101 calls in minutes, Local Policing Appointment waits in days that
differ by division, partner referrals and survey answers skewed positive.

Rows are written as the services write them: the events carry the same names,
dimensions and ``data`` keys (see the ``record_event`` calls in contacts,
triage, cases, appointments, partners and engagement), so every measure in
:mod:`cairn.performance.measures` has figures. Only contacts, calls and events
are written: the ids in events about cases, appointments and referrals name no
row. References are ``SYN-YYMMDD-<id>``, never the ``CRN-`` sequence's. The
contacts are all decided or closed, so no work queue fills with history.
"""

import math
import queue
import random
import threading
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.db import connection, transaction

LONDON = ZoneInfo("Europe/London")
SOURCE = "synthetic"
REFERENCE_PREFIX = "SYN"
DAY = 86400.0

# Population share (thousands, roughly) of each division's council areas.
DIVISIONS = {
    "A": 590, "C": 310, "D": 420, "E": 530, "G": 780, "J": 480, "K": 260,
    "L": 175, "N": 320, "P": 375, "Q": 660, "U": 370, "V": 150,
}  # fmt: skip
# Median Local Policing Appointment wait (days): some divisions are slower.
LPA_MEDIAN_DAYS = {
    "A": 4.0, "C": 3.5, "D": 4.5, "E": 2.5, "G": 6.0, "J": 3.0, "K": 3.0,
    "L": 5.0, "N": 8.0, "P": 3.5, "Q": 5.5, "U": 4.0, "V": 6.5,
}  # fmt: skip
CHANNELS = {
    "phone_999": 25, "phone_101": 35, "web_form": 20, "email": 7, "sms": 4,
    "web_chat": 5, "social": 4,
}  # fmt: skip
LINES = {"phone_999": ("999", "emergency"), "phone_101": ("101", "non-emergency")}
CATEGORIES = {
    "crime.theft": 14, "crime.vehicle": 6, "crime.assault": 9, "crime.criminal_damage": 7,
    "crime.fraud": 8, "crime.hate": 1, "asb": 13, "road_traffic": 9, "concern_for_person": 12,
    "property.lost": 5, "property.found": 2, "general.enquiry": 10, "other": 4,
}  # fmt: skip
NEW_REASONS = {"new_matter": 86, "information": 9, "other": 3, "complaint": 2}
LANGUAGES = {"en": 970, "pl": 12, "gd": 5, "uk": 8, "ar": 5}
GRADES = {
    "phone_999": {"immediate": 30, "prompt": 35, "standard": 15, "other_resolution": 20},
    "": {"immediate": 4, "prompt": 14, "standard": 27, "other_resolution": 55},
}
PATHWAYS = {
    "immediate": {"dynamic_response": 1},
    "prompt": {"deploy_asap": 1},
    "standard": {"local_policing_appointment": 1},
    "other_resolution": {
        "resolution_team": 55, "partner_referral": 12, "advice_signposting": 25,
        "no_further_action": 8,
    },
}  # fmt: skip
NEXT_STEPS = {
    "dynamic_response": "dispatch_request", "deploy_asap": "dispatch_request",
    "local_policing_appointment": "appointment_to_book", "resolution_team": "resolution_task",
    "partner_referral": "referral", "advice_signposting": "advice_message",
    "no_further_action": "no_further_action",
}  # fmt: skip
OUTCOMES = {
    "dispatch_request": {"resolved_locally": 50, "no_crime": 25, "no_further_action": 20,
                         "withdrawn": 5},
    "appointment_to_book": {"resolved_locally": 60, "no_crime": 15, "no_further_action": 20,
                            "withdrawn": 5},
    "resolution_task": {"resolved_by_resolution_team": 75, "no_further_action": 10,
                        "referred_to_partner": 5, "withdrawn": 10},
    "referral": {"referred_to_partner": 85, "no_further_action": 15},
}  # fmt: skip
SERVICE_TYPES = {
    "distress_brief_intervention": 15, "social_work": 15, "nhs24": 12, "victim_support": 25,
    "domestic_abuse_advocacy": 12, "housing": 6, "drug_alcohol": 8, "youth": 7,
}  # fmt: skip
APPOINTMENT_OUTCOMES = {"attended": 84, "missed": 9, "rescheduled": 7}
APPOINTMENT_KINDS = {"in_person": 55, "phone": 25, "video": 12, "home_visit": 8}
SCORES = {5: 40, 4: 30, 3: 12, 2: 8, 1: 10}
SURVEY_MEASURES = (
    "ease_of_contact",
    "treatment",
    "understood_needs",
    "appropriate_response",
    "kept_informed",
    "attending_officer",
)
# Contacts in each London hour of the day (a weekday), and the busier late hours of the
# nights after Friday and Saturday.
HOURS = (
    38,
    28,
    22,
    17,
    14,
    14,
    18,
    30,
    48,
    60,
    66,
    70,
    72,
    72,
    74,
    78,
    84,
    90,
    92,
    90,
    84,
    76,
    64,
    50,
)
WEEKDAYS = (1.0, 0.97, 0.97, 1.0, 1.08, 1.1, 0.98)  # Monday first
LATE = {22: 1.4, 23: 1.5}
EARLY = {0: 1.6, 1: 1.7, 2: 1.7, 3: 1.5}


class Chooser:
    """Draws a key of ``weights`` with its probability, fast (one bisect)."""

    def __init__(self, weights: dict, rng: random.Random):
        self.keys = list(weights)
        self.bounds = list(accumulate(weights.values()))
        self.total = self.bounds[-1]
        self.random = rng.random

    def __call__(self):
        return self.keys[bisect(self.bounds, self.random() * self.total)]


@dataclass(frozen=True)
class Plan:
    contacts: int
    days: int
    seed: int
    end: date  # the last day of the history (London)

    @property
    def first(self) -> date:
        return self.end - timedelta(days=self.days - 1)

    def day_weight(self, day: date) -> float:
        summer = 1 + 0.12 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 196) / 365.25)
        festive = (
            1.2 if (day.month == 12 and day.day >= 18) or (day.month == 1 and day.day == 1) else 1
        )
        return summer * festive * WEEKDAYS[day.weekday()]

    def contacts_per_day(self) -> list[tuple[date, int]]:
        """``contacts`` shared between the days by weight, largest remainders first."""
        days = [self.first + timedelta(days=i) for i in range(self.days)]
        weights = [self.day_weight(day) for day in days]
        shares = [self.contacts * weight / sum(weights) for weight in weights]
        counts = [int(share) for share in shares]
        by_remainder = sorted(range(len(days)), key=lambda i: counts[i] - shares[i])
        for i in by_remainder[: self.contacts - sum(counts)]:
            counts[i] += 1
        return list(zip(days, counts, strict=True))


def _hour_weights(day: date) -> dict[int, float]:
    weights = dict(enumerate(HOURS))
    if day.weekday() in (4, 5):  # Friday, Saturday: the evening runs late
        weights.update({hour: HOURS[hour] * factor for hour, factor in LATE.items()})
    if day.weekday() in (5, 6):  # the small hours after Friday and Saturday
        weights.update({hour: HOURS[hour] * factor for hour, factor in EARLY.items()})
    return weights


def _hour_starts(day: date) -> list[float]:
    return [
        datetime(day.year, day.month, day.day, hour, tzinfo=LONDON).timestamp()
        for hour in range(24)
    ]


class Stamp:
    """Epoch seconds as PostgreSQL's text for a UTC timestamp, caching each day's date."""

    def __init__(self):
        self.days: dict[int, str] = {}

    def __call__(self, moment: float) -> str:
        day, seconds = divmod(moment, DAY)
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%d")
        whole = int(seconds)
        return (
            f"{text} {whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
            f".{int((seconds - whole) * 1000):03d}+00"
        )


@dataclass
class Batch:
    """One transaction's rows, as COPY text lines."""

    contacts: int = 0
    calls: list[str] | None = None
    contact_rows: list[str] | None = None
    events: list[str] | None = None


def reserve_ids(table: str, count: int) -> list[int]:
    """``count`` ids from the table's own identity sequence, so later inserts never collide."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


class Generator:
    """Makes the history day by day; ``batches`` yields one transaction's worth at a time."""

    def __init__(self, plan: Plan):
        self.plan = plan
        rng = self.rng = random.Random(plan.seed)
        self.random = rng.random
        self.stamp = Stamp()
        self.channel = Chooser(CHANNELS, rng)
        self.division = Chooser(DIVISIONS, rng)
        self.category = Chooser(CATEGORIES, rng)
        self.new_reason = Chooser(NEW_REASONS, rng)
        self.language = Chooser(LANGUAGES, rng)
        self.grade = {channel: Chooser(weights, rng) for channel, weights in GRADES.items()}
        self.pathway = {grade: Chooser(weights, rng) for grade, weights in PATHWAYS.items()}
        self.outcome = {step: Chooser(weights, rng) for step, weights in OUTCOMES.items()}
        self.service_type = Chooser(SERVICE_TYPES, rng)
        self.appointment_outcome = Chooser(APPOINTMENT_OUTCOMES, rng)
        self.appointment_kind = Chooser(APPOINTMENT_KINDS, rng)
        self.score = Chooser(SCORES, rng)
        self.end = datetime.combine(
            plan.end + timedelta(days=1), datetime.min.time(), LONDON
        ).timestamp()
        # People: a pool whose numbers come back (log-uniform ranks, a Zipf-like tail), and
        # everyone else new. Recent contacts, for failure demand to follow up.
        self.pool = max(50, plan.contacts // 5)
        self.pool_span = math.log((self.pool + 50) / 50)
        self.new_people = 0
        self.recent: list[tuple[int, int, str, str]] = []  # id, person, division, category

    # Drawing ------------------------------------------------------------------------------

    def _lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(sigma * self.rng.gauss())

    def _person(self) -> int:
        if self.random() < 0.35:  # log-uniform over [50, pool + 50): rank 1 is the most frequent
            return int(50 * math.exp(self.random() * self.pool_span)) - 49
        self.new_people += 1
        return self.pool + self.new_people

    def _moments(self, day: date, count: int) -> list[tuple[float, float]]:
        """``count`` arrival times on ``day`` (sorted) with each hour's load (1 = average)."""
        weights = _hour_weights(day)
        starts = _hour_starts(day)
        hour = Chooser(weights, self.rng)
        mean = sum(weights.values()) / 24
        moments = []
        for _ in range(count):
            chosen = hour()
            moments.append((starts[chosen] + self.random() * 3600, weights[chosen] / mean))
        moments.sort()
        return moments

    # Rows -----------------------------------------------------------------------------------

    def batches(self, size: int) -> Iterator[Batch]:
        days: list[tuple[date, int]] = []
        for day, count in self.plan.contacts_per_day():
            days.append((day, count))
            if sum(n for _, n in days) >= size:
                yield self._batch(days)
                days = []
        if days:
            yield self._batch(days)

    def _batch(self, days: list[tuple[date, int]]) -> Batch:
        # First the arrivals and channels, to know how many ids to take.
        arrivals = []
        for day, count in days:
            for moment, load in self._moments(day, count):
                channel = self.channel()
                abandoned_first = channel in LINES and self.random() < (
                    0.02 if channel == "phone_999" else 0.08
                )
                arrivals.append((moment, load, channel, abandoned_first))
        calls = sum((channel in LINES) + abandoned for _, _, channel, abandoned in arrivals)
        contact_ids = iter(reserve_ids("contacts_contact", len(arrivals)))
        call_ids = iter(reserve_ids("contacts_call", calls))
        batch = Batch(contacts=len(arrivals), calls=[], contact_rows=[], events=[])
        for moment, load, channel, abandoned_first in arrivals:
            self._contact(
                batch, next(contact_ids), call_ids, moment, load, channel, abandoned_first
            )
        return batch

    def _event(
        self,
        batch: Batch,
        name: str,
        moment: float,
        subject: str,
        subject_id: int,
        division: str,
        channel: str,
        data: str,
    ) -> None:
        if moment < self.end:
            stamp = self.stamp(moment)
            batch.events.append(
                f"{name}\t{stamp}\t{stamp}\t{subject}\t{subject_id}\t{division}\t{channel}\t{data}\n"
            )

    def _call(
        self,
        batch: Batch,
        call_id: int,
        channel: str,
        offered: float,
        person: int,
        answer: float | None,
        length: float,
    ) -> None:
        line, queue = LINES[channel]
        number = f"+447700{person:09d}" if person else ""
        stamp = self.stamp
        if answer is None:  # abandoned after ``length`` seconds
            batch.calls.append(
                f"{call_id}\t\\N\t{line}\t{queue}\t{number}\t{stamp(offered)}\t\\N\t\\N\t"
                f"{stamp(offered + length)}\tt\t\t{stamp(offered)}\t\\N\n"
            )
            data = f'{{"line": "{line}", "queue": "{queue}", "seconds_to_abandon": {length:.3f}}}'
            self._event(
                batch, "call.abandoned", offered + length, "call", call_id, "", channel, data
            )
            return
        batch.calls.append(
            f"{call_id}\t\\N\t{line}\t{queue}\t{number}\t{stamp(offered)}\t"
            f"{stamp(offered + answer)}\t\\N\t{stamp(offered + answer + length)}\tf\t\t"
            f"{stamp(offered)}\t\\N\n"
        )
        data = f'{{"line": "{line}", "queue": "{queue}", "seconds_to_answer": {answer:.3f}}}'
        self._event(batch, "call.answered", offered + answer, "call", call_id, "", channel, data)

    def _contact(
        self,
        batch: Batch,
        contact_id: int,
        call_ids: Iterator[int],
        moment: float,
        load: float,
        channel: str,
        abandoned_first: bool,
    ) -> None:
        random_ = self.random
        follow_up = None
        if random_() < 0.2:  # failure demand: chasing or adding to something reported
            reason = "update"
            if self.recent and random_() < 0.75:
                back = len(self.recent) - 1 - int(len(self.recent) * random_() ** 3)
                follow_up, person, division, category = self.recent[back]
            else:
                person, division, category = self._person(), self.division(), self.category()
        else:
            reason, person = self.new_reason(), self._person()
            division, category = self.division(), self.category()
            self.recent.append((contact_id, person, division, category))
            if len(self.recent) > 20000:
                del self.recent[:10000]
        anonymous = channel == "web_form" and random_() < 0.08
        if anonymous:
            person = 0
        call_id = "\\N"
        if channel in LINES:
            if abandoned_first:
                offered = moment - 300 - random_() * 900
                patience = self._lognormal(8 if channel == "phone_999" else 150, 0.8)
                self._call(batch, next(call_ids), channel, offered, person, None, patience)
            call_id = next(call_ids)
            if channel == "phone_999":
                answer = min(self._lognormal(4.0, 0.8) * load**0.5, 900)
                handling = self._lognormal(240, 0.5)
            else:
                answer = min(self._lognormal(200, 0.9) * load, 3000)
                handling = self._lognormal(480, 0.5)
            self._call(batch, call_id, channel, moment - answer, person, answer, handling)
        located = random_() < 0.93
        status = self._outcomes(
            batch, contact_id, moment, channel, division if located else "", reason
        )
        language = self.language() if channel in ("web_form", "email", "web_chat") else "en"
        self._row(
            batch,
            contact_id,
            moment,
            channel,
            language,
            reason,
            category,
            status,
            anonymous,
            person,
            division if located else "\\N",
            follow_up,
            call_id,
        )
        if located:
            how = "postcode" if random_() < 0.8 else "coordinates"
            self._event(
                batch,
                "contact.located",
                moment + 2,
                "contact",
                contact_id,
                division,
                channel,
                f'{{"how": "{how}"}}',
            )
        data = (
            f'{{"reason": "{reason}", "category": "{category}", "anonymous": '
            f'{"true" if anonymous else "false"}, "language": "{language}", "follow_up_of": '
            f"{follow_up if follow_up else 'null'}}}"
        )
        self._event(batch, "contact.received", moment, "contact", contact_id, "", channel, data)

    def _row(
        self,
        batch: Batch,
        contact_id: int,
        moment: float,
        channel: str,
        language: str,
        reason: str,
        category: str,
        status: str,
        anonymous: bool,
        person: int,
        division: str,
        follow_up: int | None,
        call_id,
    ) -> None:
        # An anonymous contact keeps the hour of receipt only, as intake writes it.
        stamp = self.stamp(moment - moment % 3600 if anonymous else moment)
        phone = f"+447700{person:09d}" if person and channel != "email" else ""
        email = f"person{person}@example.invalid" if person and channel == "email" else ""
        reference = f"{REFERENCE_PREFIX}-{stamp[2:4]}{stamp[5:7]}{stamp[8:10]}-{contact_id:07d}"
        batch.contact_rows.append(
            f"{contact_id}\t{reference}\t{channel}\t{stamp}\t{language}\t{reason}\t{category}\t{status}\t"
            f"{'t' if anonymous else 'f'}\t\t{email}\t{phone}\t{{}}\t\t{{}}\t\t\t\t\\N\t\\N\t\\N\t"
            f"\\N\t\t{SOURCE}\t{stamp}\t{division}\t{follow_up or chr(92) + 'N'}\t{call_id}\t\n"
        )

    def _outcomes(
        self, batch: Batch, contact_id: int, moment: float, channel: str, division: str, reason: str
    ) -> str:
        """The decision and what followed it; returns the contact's status."""
        if reason == "update":
            return "closed"  # added to the earlier contact's case
        random_ = self.random
        grade = self.grade["phone_999" if channel == "phone_999" else ""]()
        pathway = self.pathway[grade]()
        step = NEXT_STEPS[pathway]
        decided = moment + (
            self._lognormal(90, 0.6) if grade == "immediate" else self._lognormal(1800, 1)
        )
        follows = random_() < 0.9
        suggested = grade if follows else self.grade[""]()
        self._event(
            batch,
            "contact.decided",
            decided,
            "contact",
            contact_id,
            division,
            channel,
            _decision(grade, pathway, follows, suggested, step, None),
        )
        if random_() < 0.04:
            new_grade = self.grade[""]()
            new_pathway = self.pathway[new_grade]()
            self._event(
                batch,
                "contact.regraded",
                decided + self._lognormal(3600, 1),
                "contact",
                contact_id,
                division,
                channel,
                _decision(new_grade, new_pathway, False, new_grade, NEXT_STEPS[new_pathway], grade),
            )
        if step not in OUTCOMES:
            return "assessed"
        closed = decided + self._lognormal(5 * DAY if step != "resolution_task" else 2 * DAY, 0.8)
        if step == "appointment_to_book" and random_() < 0.9:
            closed = max(closed, self._appointment(batch, contact_id, decided, division, channel))
        if step == "referral" or (step == "resolution_task" and random_() < 0.04):
            service = self.service_type()
            self._event(
                batch,
                "referral.made",
                decided + self._lognormal(3600, 1),
                "referral",
                contact_id,
                division,
                "",
                f'{{"case": {contact_id}, "agency": 1, "service_type": "{service}", '
                f'"lawful_basis": "consent", "consent_method": "verbal"}}',
            )
        if closed >= self.end:
            return "assessed"
        outcome = self.outcome[step]()
        self._event(
            batch,
            "case.closed",
            closed,
            "case",
            contact_id,
            division,
            "",
            f'{{"contacts": [{contact_id}], "outcome": "{outcome}"}}',
        )
        if random_() < 0.12:
            self._survey(batch, contact_id, closed, division, channel, outcome, step)
        if random_() < 0.005:
            self._event(
                batch,
                "complaint.received",
                closed + self._lognormal(2 * DAY, 1),
                "complaint",
                contact_id,
                division,
                channel,
                f'{{"contact": {contact_id}, "case": {contact_id}, '
                f'"contact_route": "email", "acknowledged": false}}',
            )
        return "closed"

    def _appointment(
        self, batch: Batch, contact_id: int, decided: float, division: str, channel: str
    ) -> float:
        """A Local Policing Appointment booked and, when its time has come, its outcome."""
        booked = decided + self._lognormal(600, 0.8)
        median = LPA_MEDIAN_DAYS.get(division, 4.5) * 1440
        wait = max(60, int(self._lognormal(median, 0.55)))
        kind = self.appointment_kind()
        common = f'"case": {contact_id}, "kind": "{kind}", "public_protection": false'
        self._event(
            batch,
            "appointment.booked",
            booked,
            "appointment",
            contact_id,
            division,
            "",
            f'{{{common}, "slot": {contact_id}, "wait_minutes": {wait}, '
            f'"via": "{"call" if channel in LINES else "online"}"}}',
        )
        starts = decided + wait * 60
        outcome = self.appointment_outcome()
        self._event(
            batch,
            f"appointment.{outcome}",
            starts + 3600,
            "appointment",
            contact_id,
            division,
            "",
            f'{{{common}, "wait_minutes": {wait}, "minutes_from_start": 60}}',
        )
        return starts + 3600

    def _survey(
        self,
        batch: Batch,
        contact_id: int,
        closed: float,
        division: str,
        channel: str,
        outcome: str,
        step: str,
    ) -> None:
        overall = self.score()
        if outcome == "resolved_by_resolution_team" and overall < 4 and self.random() < 0.3:
            overall += 1
        scores = {
            measure: max(1, min(5, overall + int(self.rng.gauss() * 0.8)))
            for measure in SURVEY_MEASURES
        }
        if step != "dispatch_request":
            scores["attending_officer"] = "null"
        parts = ", ".join(f'"{measure}": {value}' for measure, value in scores.items())
        self._event(
            batch,
            "survey.answered",
            closed + self._lognormal(2 * DAY, 0.7),
            "case",
            contact_id,
            division,
            channel,
            f'{{"survey": {contact_id}, "contact": {contact_id}, "scores": {{{parts}, '
            f'"overall": {overall}}}, "commented": false}}',
        )


def _decision(
    grade: str, pathway: str, follows: bool, suggested: str, step: str, previous: str | None
) -> str:
    suggested_pathway = pathway if suggested == grade else next(iter(PATHWAYS[suggested]))
    return (
        f'{{"grade": "{grade}", "pathway": "{pathway}", "follows_suggestion": '
        f'{"true" if follows else "false"}, "suggested_grade": "{suggested}", '
        f'"suggested_pathway": "{suggested_pathway}", "rule": "synthetic", '
        f'"policy_version": "synthetic", "next_step": "{step}", "previous_grade": '
        f'{f"{chr(34)}{previous}{chr(34)}" if previous else "null"}, "transferred": false}}'
    )


CONTACT_COLUMNS = (
    "id, reference, channel, received_at, language, reason, category, status, anonymous, "
    "reporter_name, reporter_email, reporter_phone, reporter_details, preferred_contact, answers, "
    "narrative, address_text, postcode, latitude, longitude, location_accuracy_m, "
    "idempotency_key, tracking_secret_hash, source, created_at, division_id, related_to_id, "
    "call_id, submission_digest"
)
CALL_COLUMNS = (
    "id, external_id, line, queue, caller_number, offered_at, answered_at, transferred_at, "
    "ended_at, abandoned, agent_ref, created_at, agent_id"
)
# No txid: its default records the writing transaction, which the rollups read.
EVENT_COLUMNS = "name, occurred_at, recorded_at, subject_type, subject_id, division, channel, data"
CHUNK = 2000  # lines per write to the COPY stream


def _copy(cursor, table: str, columns: str, lines: list[str]) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for start in range(0, len(lines), CHUNK):
            copy.write("".join(lines[start : start + CHUNK]))


@dataclass(frozen=True)
class Written:
    contacts: int
    calls: int
    events: int


def generate(
    plan: Plan,
    *,
    batch_size: int = 25000,
    writers: int = 2,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Write the plan's history, one transaction per batch of days; ``progress(contacts)``.

    This thread draws the batches in order (so a seed gives the same rows) while
    ``writers`` threads, each with its own connection, COPY them: the database
    server, not Python, is the slower side, and two of its backends use two cores.
    """
    from cairn.places.models import Division
    from cairn.places.services import load_divisions

    if Division.objects.filter(code__in=DIVISIONS).count() < len(DIVISIONS):
        load_divisions()
    batches: queue.Queue[Batch | None] = queue.Queue(maxsize=writers + 1)
    totals = Written(0, 0, 0)
    failures: list[BaseException] = []
    lock = threading.Lock()

    def write() -> None:
        nonlocal totals
        try:
            while (batch := batches.get()) is not None:
                if not failures:
                    _write(batch)
                    with lock:
                        totals = Written(
                            totals.contacts + batch.contacts,
                            totals.calls + len(batch.calls),
                            totals.events + len(batch.events),
                        )
                        if progress:
                            progress(batch.contacts)
        except BaseException as error:  # handed to the drawing thread, which raises it
            failures.append(error)
            while batches.get() is not None:  # let the drawing thread finish
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=write, name=f"demand-{n}") for n in range(writers)]
    for thread in threads:
        thread.start()
    try:
        for batch in Generator(plan).batches(batch_size):
            if failures:
                break
            batches.put(batch)
    finally:
        for _ in threads:
            batches.put(None)
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]
    return totals


def _write(batch: Batch) -> None:
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("SET LOCAL synchronous_commit = off")  # rerun it if the machine dies
        _quiet_triggers(cursor)
        _copy(cursor, "contacts_call", CALL_COLUMNS, batch.calls)
        _copy(cursor, "contacts_contact", CONTACT_COLUMNS, batch.contact_rows)
        _copy(cursor, "events_domainevent", EVENT_COLUMNS, batch.events)


def _quiet_triggers(cursor) -> None:
    """History is not news: as a superuser, skip the per-row triggers (the live queue's NOTIFY
    and the deferred foreign-key checks, whose rows this module makes consistent)."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")
