"""The overview's headline rows: a label, this period, the one before, and the change.

Numbers come from one ``tables.compare`` (two queries for every figure); this
module only chooses which figures to show and says them in words.
"""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cairn.performance.queries import Figures
from cairn.performance.tables import Comparison

OVERVIEW_CODES = (
    "contacts",
    "failure_demand",
    "answer_999",
    "answer_101",
    "abandoned_calls",
    "decisions",
    "cases_closed",
    "referrals",
    "appointment_wait",
    "appointment_outcomes",
    "satisfaction",
    "complaints",
    "repeat_contacts",
    "handling_999",
    "handling_101",
    "transfers",
    "regrade_rationale",
    "referral_responses",
    "public_updates",
    "engagement",
)
RESOLUTION_TEAM_OUTCOME = "resolved_by_resolution_team"
ABANDONED_QUICKLY = 120  # seconds: "hung up within 2 minutes"
UNITS = {
    "seconds": gettext_lazy("seconds"),
    "minutes": gettext_lazy("minutes"),
    "score": gettext_lazy("score out of 5"),
    "count": gettext_lazy("count"),
}


def show(value: float | None, kind: str) -> str:
    """A figure as the page shows it: counts whole, shares as %, times with their unit."""
    if value is None:
        return "–"
    if kind == "count":
        return number_format(round(value), use_l10n=True, force_grouping=True)
    if kind == "share":
        return _("%(value)s%%") % {"value": number_format(round(value * 100, 1), 1)}
    if kind == "seconds":
        return _("%(value)s s") % {"value": number_format(round(value, 1), 1)}
    if kind == "minutes":
        return _("%(value)s hours") % {"value": number_format(round(value / 60, 1), 1)}
    return number_format(round(value, 2), 2)


def show_change(current: float | None, previous: float | None, kind: str) -> str:
    if current is None or previous is None:
        return "–"
    change = current - previous
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    if kind == "share":
        return _("%(sign)s%(value)s points") % {
            "sign": sign,
            "value": number_format(round(abs(change) * 100, 1), 1),
        }
    return sign + show(abs(change), kind)


@dataclass(frozen=True)
class Headline:
    label: str
    kind: str  # count, share, seconds, minutes, score
    current: float | None
    previous: float | None
    code: str  # the measure page it links to

    @property
    def shown(self) -> str:
        return show(self.current, self.kind)

    @property
    def shown_previous(self) -> str:
        return show(self.previous, self.kind)

    @property
    def shown_change(self) -> str:
        return show_change(self.current, self.previous, self.kind)


def _ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom else None


def _between(figures: Figures, low: float, high: float | None) -> float | None:
    below_high = figures.share_below(high) if high is not None else 1.0
    below_low = figures.share_below(low) if low else 0.0
    if below_high is None or below_low is None:
        return None
    return below_high - below_low


def _abandoned_quickly(figures: Figures) -> float:
    share = figures.share_below(ABANDONED_QUICKLY)
    return round(share * figures.n) if share is not None else 0


def _attendance(side) -> float | None:
    counts = side.counts("appointment_outcomes")
    return _ratio(counts.get("attended", 0), sum(counts.values()))


def _share(side, code: str, *details: str) -> float | None:
    """The share of ``code``'s facts whose detail is one of ``details``."""
    counts = side.counts(code)
    return _ratio(sum(counts.get(detail, 0) for detail in details), sum(counts.values()))


def _survey_response_rate(side) -> float | None:
    surveys = side.detail("engagement", "survey_with_comment") + side.detail(
        "engagement", "survey_without_comment"
    )
    return _ratio(surveys, side.n.get("cases_closed", 0))


def headlines(comparison: Comparison) -> list[Headline]:
    now, before = comparison.current, comparison.previous

    rows: list[Headline] = []

    def add(label, kind, code, read):
        current = read(now, comparison.period)
        previous = read(before, comparison.period.previous())
        rows.append(Headline(str(label), kind, current, previous, code))

    def fig(code):
        return lambda side, period: side.figures(code, period)

    add(_("Contacts received"), "count", "contacts", lambda s, p: s.figures("contacts", p).n)
    add(
        _("Failure demand rate"),
        "share",
        "failure_demand",
        lambda s, p: _ratio(s.n.get("failure_demand", 0), s.n.get("contacts", 0)),
    )
    add(
        _("Repeat contact: the same person within 30 days"),
        "share",
        "repeat_contacts",
        lambda s, p: _ratio(s.detail("repeat_contacts", "person"), s.n.get("contacts", 0)),
    )
    add(
        _("999 calls: average speed of answer"),
        "seconds",
        "answer_999",
        lambda s, p: fig("answer_999")(s, p).mean,
    )
    add(
        _("999 calls answered within 10 seconds"),
        "share",
        "answer_999",
        lambda s, p: _between(fig("answer_999")(s, p), 0, 10),
    )
    add(
        _("999 calls answered in 10 to 59 seconds"),
        "share",
        "answer_999",
        lambda s, p: _between(fig("answer_999")(s, p), 10, 60),
    )
    add(
        _("999 calls answered in 60 seconds or more"),
        "share",
        "answer_999",
        lambda s, p: _between(fig("answer_999")(s, p), 60, None),
    )
    add(
        _("101 calls: average speed of answer"),
        "seconds",
        "answer_101",
        lambda s, p: fig("answer_101")(s, p).mean,
    )
    add(
        _("999 calls: average handling time"),
        "seconds",
        "handling_999",
        lambda s, p: fig("handling_999")(s, p).mean,
    )
    add(
        _("101 calls: average handling time"),
        "seconds",
        "handling_101",
        lambda s, p: fig("handling_101")(s, p).mean,
    )
    add(
        _("Abandoned calls"), "count", "abandoned_calls", lambda s, p: s.n.get("abandoned_calls", 0)
    )
    add(
        _("Abandoned within 2 minutes"),
        "count",
        "abandoned_calls",
        lambda s, p: _abandoned_quickly(fig("abandoned_calls")(s, p)),
    )
    add(
        _("Cases resolved in entirety by the Resolution Team"),
        "count",
        "cases_closed",
        lambda s, p: s.detail("cases_closed", RESOLUTION_TEAM_OUTCOME),
    )
    add(_("Transfers"), "count", "transfers", lambda s, p: s.n.get("transfers", 0))
    add(
        _("Regrades without a rationale"),
        "count",
        "regrade_rationale",
        lambda s, p: s.detail("regrade_rationale", "without_rationale"),
    )
    add(_("Partner referrals"), "count", "referrals", lambda s, p: s.n.get("referrals", 0))
    add(
        _("Diversion to partners (referrals over decisions)"),
        "share",
        "referrals",
        lambda s, p: _ratio(s.n.get("referrals", 0), s.n.get("decisions", 0)),
    )
    add(
        _("Partner referrals accepted"),
        "share",
        "referral_responses",
        lambda s, p: _share(s, "referral_responses", "accepted"),
    )
    add(
        _("Local Policing Appointments: median wait"),
        "minutes",
        "appointment_wait",
        lambda s, p: fig("appointment_wait")(s, p).percentile(50),
    )
    add(
        _("Local Policing Appointments: 90th percentile wait"),
        "minutes",
        "appointment_wait",
        lambda s, p: fig("appointment_wait")(s, p).percentile(90),
    )
    add(
        _("Local Policing Appointments: attended"),
        "share",
        "appointment_outcomes",
        lambda s, p: _attendance(s),
    )
    add(
        _("Overall satisfaction (mean)"),
        "score",
        "satisfaction",
        lambda s, p: fig("satisfaction")(s, p).mean,
    )
    add(
        _("Survey response rate (over cases closed)"),
        "share",
        "engagement",
        lambda s, p: _survey_response_rate(s),
    )
    add(
        _("Updates to the public sent on time"),
        "share",
        "public_updates",
        lambda s, p: _share(s, "public_updates", "on_time"),
    )
    add(_("Complaints"), "count", "complaints", lambda s, p: s.n.get("complaints", 0))
    return rows


@dataclass(frozen=True)
class GradeRow:
    grade: str
    current: int
    previous: int
    current_share: float | None
    previous_share: float | None

    @property
    def shown_current_share(self) -> str:
        return show(self.current_share, "share")

    @property
    def shown_previous_share(self) -> str:
        return show(self.previous_share, "share")


def grade_mix(comparison: Comparison) -> list[GradeRow]:
    """CAM decisions by grade, with each grade's share of all first decisions."""
    now = comparison.current.counts("decisions")
    before = comparison.previous.counts("decisions")
    total_now, total_before = sum(now.values()), sum(before.values())
    grades = sorted(set(now) | set(before), key=lambda grade: (-now.get(grade, 0), grade))
    return [
        GradeRow(
            grade or "–",
            now.get(grade, 0),
            before.get(grade, 0),
            _ratio(now.get(grade, 0), total_now),
            _ratio(before.get(grade, 0), total_before),
        )
        for grade in grades
    ]
