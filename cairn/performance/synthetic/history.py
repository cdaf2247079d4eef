"""Drawing the history day by day: arrivals, people, places, calls, contacts and their events.

What follows a decision (cases, appointments, referrals, messages, surveys) is
drawn by :class:`~cairn.performance.synthetic.aftermath.Aftermath`, which this
class extends. Rows are COPY text lines (``Batch``); events are written only
when they happened before the end of the history.
"""

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection

from cairn.performance.synthetic.aftermath import Aftermath
from cairn.performance.synthetic.shapes import (
    APPOINTMENT_KINDS,
    APPOINTMENT_OUTCOMES,
    CATEGORIES,
    CHANNELS,
    DAY,
    DIVISIONS,
    GRADES,
    HOT_SPOT_SHARE,
    HOT_SPOTS_PER_DAILY_CONTACT,
    LANGUAGES,
    LINES,
    LONDON,
    MESSAGE_RETRIED,
    NEW_REASONS,
    OUTCOMES,
    PATHWAYS,
    REFERENCE_PREFIX,
    REFERRAL_ANSWERS,
    REFERRAL_OUTCOMES,
    REPEAT_DAYS,
    SCORES,
    SERVICE_TYPES,
    SOURCE,
    Chooser,
    Plan,
    Stamp,
    hour_starts,
    hour_weights,
)

REPEAT_SECONDS = REPEAT_DAYS * DAY
PRUNE_EVERY = 7 * DAY


@dataclass
class Batch:
    """One transaction's rows, as COPY text lines."""

    contacts: int = 0
    calls: list[str] = field(default_factory=list)
    contact_rows: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


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


class LastSeen:
    """When each person or place last made contact, forgetting what is older than the window."""

    def __init__(self):
        self.moments: dict = {}
        self.pruned = 0.0

    def again(self, key, moment: float) -> bool:
        """Whether ``key`` was seen in the 30 days before ``moment``; remembers ``moment``."""
        if moment - self.pruned > PRUNE_EVERY:
            cutoff = moment - REPEAT_SECONDS
            self.moments = {k: m for k, m in self.moments.items() if m >= cutoff}
            self.pruned = moment
        last = self.moments.get(key)
        self.moments[key] = moment
        return last is not None and moment - last <= REPEAT_SECONDS


class Generator(Aftermath):
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
        self.referral_answer = Chooser(REFERRAL_ANSWERS, rng)
        self.referral_outcome = Chooser(REFERRAL_OUTCOMES, rng)
        self.message_retries = Chooser(MESSAGE_RETRIED, rng)
        self.end = datetime.combine(
            plan.end + timedelta(days=1), datetime.min.time(), LONDON
        ).timestamp()
        # People: a pool whose numbers come back (log-uniform ranks, a Zipf-like tail), and
        # everyone else new. Places likewise: hot spots, or a place of the contact's own.
        # Recent contacts, for failure demand to follow up.
        self.pool = max(50, plan.contacts // 5)
        self.pool_span = math.log((self.pool + 50) / 50)
        self.hot_spots = max(50, plan.contacts * HOT_SPOTS_PER_DAILY_CONTACT // plan.days)
        self.hot_span = math.log((self.hot_spots + 50) / 50)
        self.new_people = 0
        self.people_seen = LastSeen()
        self.places_seen = LastSeen()
        # id, person, division, category, place
        self.recent: list[tuple[int, int, str, str, int]] = []

    # Drawing ------------------------------------------------------------------------------

    def _lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(sigma * self.rng.gauss())

    def _person(self) -> int:
        if self.random() < 0.35:  # log-uniform over [50, pool + 50): rank 1 is the most frequent
            return int(50 * math.exp(self.random() * self.pool_span)) - 49
        self.new_people += 1
        return self.pool + self.new_people

    def _place(self, contact_id: int) -> int:
        """A hot spot (1 to ``hot_spots``, a few very busy) or the contact's own place."""
        if self.random() < HOT_SPOT_SHARE:
            return int(50 * math.exp(self.random() * self.hot_span)) - 49
        return self.hot_spots + contact_id

    def _moments(self, day: date, count: int) -> list[tuple[float, float]]:
        """``count`` arrival times on ``day`` (sorted) with each hour's load (1 = average)."""
        weights = hour_weights(day)
        starts = hour_starts(day)
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
        """Batches of whole days, at least ``size`` contacts each."""
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
        batch = Batch(contacts=len(arrivals))
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
        data = (
            f'{{"line": "{line}", "queue": "{queue}", "seconds_since_offered": '
            f'{answer + length:.3f}, "seconds_handling": {length:.3f}}}'
        )
        self._event(
            batch, "call.ended", offered + answer + length, "call", call_id, "", channel, data
        )

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
                follow_up, person, division, category, place = self.recent[back]
            else:
                person, division, category = self._person(), self.division(), self.category()
                place = self._place(contact_id)
        else:
            reason, person = self.new_reason(), self._person()
            division, category = self.division(), self.category()
            place = self._place(contact_id)
            self.recent.append((contact_id, person, division, category, place))
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
            batch, contact_id, moment, channel, division if located else "", reason, person
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
        self._located_and_linked(
            batch, contact_id, moment, channel, division if located else "", person, place
        )
        data = (
            f'{{"reason": "{reason}", "category": "{category}", "anonymous": '
            f'{"true" if anonymous else "false"}, "language": "{language}", "follow_up_of": '
            f"{follow_up if follow_up else 'null'}}}"
        )
        self._event(batch, "contact.received", moment, "contact", contact_id, "", channel, data)

    def _located_and_linked(
        self,
        batch: Batch,
        contact_id: int,
        moment: float,
        channel: str,
        division: str,
        person: int,
        place: int,
    ) -> None:
        """The cue pass after intake: the contact placed, then its reporter matched."""
        if division:  # an unplaced contact (7 %) has no place to repeat
            again = self.places_seen.again(place, moment)
            how = "postcode" if self.random() < 0.8 else "coordinates"
            self._event(
                batch,
                "contact.located",
                moment + 2,
                "contact",
                contact_id,
                division,
                channel,
                f'{{"how": "{how}", "repeat_location": {"true" if again else "false"}}}',
            )
        if not person:
            return
        repeat = self.people_seen.again(person, moment)
        method = "automatic" if repeat or person <= self.pool else "created"
        self._event(
            batch,
            "person.linked",
            moment + 3,
            "person",
            person,
            division,
            channel,
            f'{{"contact": {contact_id}, "role": "reporter", "method": "{method}", '
            f'"repeat_contact": {"true" if repeat else "false"}}}',
        )

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
