"""The shape of synthetic demand: the weights every draw uses, the days and hours, the clock.

Numbers a Scottish force would recognise (see the package docstring); each table
is a weight per value, drawn by a ``Chooser``.
"""

import math
import random
from bisect import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

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
SURVEY_COMMENTED = 0.3
# What a partner agency does with a referral (cairn/partners/responses.py) and how the ones it
# took on end (policy/partner_services.yaml); some referrals are withdrawn by us first.
REFERRAL_ANSWERS = {"accepted": 82, "declined": 11, "unanswered": 7}
REFERRAL_OUTCOMES = {
    "support_provided": 45, "support_ongoing": 18, "referred_on": 10, "person_declined": 13,
    "could_not_contact": 11, "not_eligible": 3,
}  # fmt: skip
REFERRAL_WITHDRAWN = 0.03
# Work passed on: decided contacts transferred to another department, and cases handed on to
# another team, by the next step that made the case (and how many of those leave the
# Resolution Teams for a team outside them).
CONTACT_TRANSFERRED = 0.015
CASE_HANDED_ON = {
    "resolution_task": 0.09, "dispatch_request": 0.05, "appointment_to_book": 0.04,
    "referral": 0.02,
}  # fmt: skip
HANDED_OUT_OF_RESOLUTION = 0.6
# People writing on their open case from the tracking page.
WROTE_ON_CASE = 0.06
# Messages telling the person about their report: most reach the provider in seconds, some
# after a retry or two (30 s, then 2 minutes later), a few during a provider outage; a few fail.
MESSAGE_RETRIED = {0: 960, 1: 25, 2: 7}
MESSAGE_DELAYED = 0.003
MESSAGE_FAILED = 0.004
# Places: a share of contacts come from hot spots (a town centre, a problem address), drawn
# like people from a pool of this many per contact a day; the rest from places of their own.
# A follow-up comes from its contact's place.
HOT_SPOT_SHARE = 0.15
HOT_SPOTS_PER_DAILY_CONTACT = 20
REPEAT_DAYS = 30  # repeat contact: the same person, or place, within this many days
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
HOURS = (38, 28, 22, 17, 14, 14, 18, 30, 48, 60, 66, 70, 72, 72, 74, 78, 84, 90, 92, 90, 84,
         76, 64, 50)  # fmt: skip
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


def hour_weights(day: date) -> dict[int, float]:
    weights = dict(enumerate(HOURS))
    if day.weekday() in (4, 5):  # Friday, Saturday: the evening runs late
        weights.update({hour: HOURS[hour] * factor for hour, factor in LATE.items()})
    if day.weekday() in (5, 6):  # the small hours after Friday and Saturday
        weights.update({hour: HOURS[hour] * factor for hour, factor in EARLY.items()})
    return weights


def hour_starts(day: date) -> list[float]:
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
