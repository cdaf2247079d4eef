"""What follows a contact's decision: regrades and transfers, the case and its hand-ons,
appointments, referrals and the partners' answers, messages to the person, the closure,
the survey and complaints.

A mixin of :class:`~cairn.performance.synthetic.history.Generator`, which holds the
random draws (``random``, ``_lognormal``, the choosers) and writes the events
(``_event``). Events are shaped as the services write them: decisions as
cairn/triage/decisions.py, hand-ons as cairn/resolution/services.py, referrals as
cairn/partners, messages as cairn/notify/services.py (``message.sent`` with
``seconds_to_send``; ``message.queued`` is not written: no measure reads it).
"""

from cairn.performance.synthetic.shapes import (
    CASE_HANDED_ON,
    CONTACT_TRANSFERRED,
    DAY,
    HANDED_OUT_OF_RESOLUTION,
    LINES,
    LPA_MEDIAN_DAYS,
    MESSAGE_DELAYED,
    MESSAGE_FAILED,
    NEXT_STEPS,
    OUTCOMES,
    PATHWAYS,
    REFERRAL_WITHDRAWN,
    SURVEY_COMMENTED,
    SURVEY_MEASURES,
    WROTE_ON_CASE,
)

RESOLVED_BY_TEAM = "resolved_by_resolution_team"
BACKOFF = (30, 120, 480, 1920)  # notify's waits between attempts (30 s × 4^n)


class Aftermath:
    def _outcomes(
        self,
        batch,
        contact_id: int,
        moment: float,
        channel: str,
        division: str,
        reason: str,
        person: int,
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
        decision = (contact_id, division, channel)
        self._decided(
            batch,
            "contact.decided",
            decided,
            decision,
            _decision(grade, pathway, follows, suggested, step, None, not follows),
        )
        if random_() < 0.04:
            new_grade = self.grade[""]()
            new_pathway = self.pathway[new_grade]()
            self._decided(
                batch,
                "contact.regraded",
                decided + self._lognormal(3600, 1),
                decision,
                _decision(
                    new_grade, new_pathway, False, new_grade, NEXT_STEPS[new_pathway], grade, True
                ),
            )
        if random_() < CONTACT_TRANSFERRED:
            self._decided(
                batch,
                "contact.transferred",
                decided + self._lognormal(1800, 1),
                decision,
                _decision(grade, pathway, follows, suggested, step, grade, True, transferred=True),
            )
        if step not in OUTCOMES:
            return "assessed"
        closed = decided + self._lognormal(5 * DAY if step != "resolution_task" else 2 * DAY, 0.8)
        if step == "appointment_to_book" and random_() < 0.9:
            closed = max(
                closed, self._appointment(batch, contact_id, decided, division, channel, person)
            )
        if step == "referral" or (step == "resolution_task" and random_() < 0.04):
            made = decided + self._lognormal(3600, 1)
            self._referral(batch, contact_id, made, division, channel, person)
        left_resolution = False
        if random_() < CASE_HANDED_ON[step]:
            left_resolution = self._handed_on(batch, contact_id, decided, closed, division, step)
        if random_() < WROTE_ON_CASE:
            wrote = decided + (closed - decided) * random_()
            self._event(
                batch,
                "case.person_wrote",
                wrote,
                "case",
                contact_id,
                division,
                "",
                f'{{"contacts": [{contact_id}], "update": {contact_id}, "contact": {contact_id}}}',
            )
        if closed >= self.end:
            return "assessed"
        outcome = self.outcome[step]()
        if outcome == RESOLVED_BY_TEAM and left_resolution:
            outcome = "resolved_locally"  # not offered once the case left the Resolution Teams
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
        self._tell(batch, contact_id, closed, "case_closed", channel, person)
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

    def _decided(self, batch, name: str, moment: float, decision: tuple, data: str) -> None:
        contact_id, division, channel = decision
        self._event(batch, name, moment, "contact", contact_id, division, channel, data)

    def _handed_on(
        self, batch, case: int, decided: float, closed: float, division: str, step: str
    ) -> bool:
        """The case given to another team before it closes; whether it left the Resolution
        Teams. Team ids are made up (they name no row), two per division."""
        moment = decided + min(self._lognormal(DAY, 1), (closed - decided) / 2)
        home = 2 * (ord(division or "Z") - 64)
        if step == "resolution_task":
            left = self.random() < HANDED_OUT_OF_RESOLUTION
            teams = (home, home + 1) if left else (home, 2 * (ord(self.division()) - 64))
        else:
            left, teams = True, (home + 1, 2 * (ord(self.division()) - 64) + 1)
        if teams[0] == teams[1]:
            teams = (teams[0], teams[0] + 100)
        self._event(
            batch,
            "case.handed_on",
            moment,
            "case",
            case,
            division,
            "",
            f'{{"contacts": [{case}], "from_team": {teams[0]}, "to_team": {teams[1]}, '
            f'"to_officer": null, "left_resolution_teams": {"true" if left else "false"}}}',
        )
        return left

    def _referral(
        self, batch, case: int, made: float, division: str, channel: str, person: int
    ) -> None:
        """A referral, the agency's answer, and how it ended (or is still open)."""
        service = self.service_type()
        common = f'"case": {case}, "agency": 1, "service_type": "{service}"'
        self._event(
            batch,
            "referral.made",
            made,
            "referral",
            case,
            division,
            "",
            f'{{{common}, "lawful_basis": "consent", "consent_method": "verbal"}}',
        )
        self._tell(batch, case, made, "case_updated", channel, person)
        answer = self.referral_answer()
        via = f'"via": "{"api" if self.random() < 0.6 else "workspace"}"'

        def referral_event(name: str, moment: float, data: str) -> None:
            self._event(batch, name, moment, "referral", case, division, "", f"{{{data}}}")

        if answer == "unanswered":
            if self.random() < 0.3:
                referral_event("referral.withdrawn", made + self._lognormal(5 * DAY, 0.6), common)
            return
        answered = made + self._lognormal(0.8 * DAY, 1)
        referral_event(f"referral.{answer}", answered, f"{common}, {via}")
        if answer == "declined":
            return
        if self.random() < REFERRAL_WITHDRAWN:
            withdrawn = answered + self._lognormal(3 * DAY, 0.8)
            referral_event("referral.withdrawn", withdrawn, common)
            return
        referral_event(
            "referral.outcome_recorded",
            answered + self._lognormal(14 * DAY, 0.7),
            f'{common}, {via}, "outcome": "{self.referral_outcome()}"',
        )

    def _tell(
        self, batch, contact_id: int, moment: float, template: str, channel: str, person: int
    ) -> None:
        """A message to the person who reported it (none for an anonymous report), sent in
        seconds, after retries, late in a provider outage, or never."""
        if not person:
            return
        by = "email" if channel == "email" else "sms"
        if self.random() < MESSAGE_FAILED:
            self._event(
                batch,
                "message.failed",
                moment + sum(BACKOFF),
                "outbound_message",
                contact_id,
                "",
                by,
                f'{{"template": "{template}", "attempts": 5}}',
            )
            return
        retries = self.message_retries()
        seconds = self._lognormal(2.5, 0.6) + sum(BACKOFF[:retries])
        if self.random() < MESSAGE_DELAYED:
            seconds += 900 + self.random() * 4500
        self._event(
            batch,
            "message.sent",
            moment + seconds,
            "outbound_message",
            contact_id,
            "",
            by,
            f'{{"template": "{template}", "attempts": {retries + 1}, '
            f'"seconds_to_send": {seconds:.3f}}}',
        )

    def _appointment(
        self,
        batch,
        contact_id: int,
        decided: float,
        division: str,
        channel: str,
        person: int,
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
        self._tell(batch, contact_id, booked, "appointment_booked", channel, person)
        starts = decided + wait * 60
        if starts - DAY > booked:
            self._tell(batch, contact_id, starts - DAY, "appointment_reminder", channel, person)
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
        batch,
        contact_id: int,
        closed: float,
        division: str,
        channel: str,
        outcome: str,
        step: str,
    ) -> None:
        overall = self.score()
        if outcome == RESOLVED_BY_TEAM and overall < 4 and self.random() < 0.3:
            overall += 1
        scores = {
            measure: max(1, min(5, overall + int(self.rng.gauss() * 0.8)))
            for measure in SURVEY_MEASURES
        }
        if step != "dispatch_request":
            scores["attending_officer"] = "null"
        parts = ", ".join(f'"{measure}": {value}' for measure, value in scores.items())
        commented = "true" if self.random() < SURVEY_COMMENTED else "false"
        self._event(
            batch,
            "survey.answered",
            closed + self._lognormal(2 * DAY, 0.7),
            "case",
            contact_id,
            division,
            channel,
            f'{{"survey": {contact_id}, "contact": {contact_id}, "scores": {{{parts}, '
            f'"overall": {overall}}}, "commented": {commented}}}',
        )


def _decision(
    grade: str,
    pathway: str,
    follows: bool,
    suggested: str,
    step: str,
    previous: str | None,
    has_rationale: bool,
    *,
    transferred: bool = False,
) -> str:
    suggested_pathway = pathway if suggested == grade else next(iter(PATHWAYS[suggested]))
    return (
        f'{{"grade": "{grade}", "pathway": "{pathway}", "follows_suggestion": '
        f'{"true" if follows else "false"}, "suggested_grade": "{suggested}", '
        f'"suggested_pathway": "{suggested_pathway}", "rule": "synthetic", '
        f'"policy_version": "synthetic", "next_step": "{step}", "previous_grade": '
        f"{f'{chr(34)}{previous}{chr(34)}' if previous else 'null'}, "
        f'"transferred": {"true" if transferred else "false"}, '
        f'"has_rationale": {"true" if has_rationale else "false"}}}'
    )
