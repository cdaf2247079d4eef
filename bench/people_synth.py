"""Synthetic people for the matching benchmark: true identities, records about them, known truth.

Nothing here is about a real person. Names are drawn (weighted, so common
names collide as they do in life) from built-in lists of Scottish and wider
UK, Gaelic, Polish, Ukrainian and Arabic-origin given and family names;
phone numbers are generated inside ranges that ``phonenumbers`` accepts as
valid UK numbers, and every person's mobile is their own; postcodes have real
Scottish outward codes and made-up inward codes, about 36 people to a
postcode as in Scotland; emails are made from the names. The same seed always
gives the same people.

- ``quality_dataset`` builds a master of known persons (the CRM) and a stream
  of probes (incoming contacts). Each probe is a corrupted record of a true
  person who is in the master (truth: that person) or not (truth: no link).
  The people outside the master are mostly hard negatives for someone in it:
  a relative at the same address with the same landline, a twin, a junior
  with the same name at the same address, a namesake elsewhere.
- ``population`` streams households of master records for the latency part.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache

from nicknames import NickNamer

from bench.matching.corruption import corrupt
from bench.matching.names import HERITAGE, OUTWARD, STREETS
from bench.matching.phones import UniqueNumbers, landline_blocks, mobile_blocks
from cairn.people.identity import fold

GENERATOR_VERSION = 1

# What a probe may have done to the truth (the corruption kinds), with how often.
CORRUPTION_RATES: dict[str, float] = {
    "name_typo": 0.15,
    "nickname": 0.12,  # only where the given name has nicknames
    "swapped_names": 0.05,
    "no_phone": 0.25,
    "no_email": 0.45,
    "no_dob": 0.25,
    "no_address": 0.20,
    "dob_day_month_swap": 0.15,  # only where the day is 12 or less and not the month
    "dob_year_off": 0.06,
    "changed_phone": 0.08,
    "moved": 0.05,
}
CORRUPTIONS = tuple(CORRUPTION_RATES)
# Who a probe outside the master is, with how often.
NEGATIVE_SHARES: dict[str, float] = {
    "relative": 0.30,  # same family name, address and landline; other given name and dob
    "twin": 0.10,  # as a relative, with the same date of birth
    "junior": 0.10,  # same given and family name, address and landline; a generation apart
    "namesake": 0.25,  # same given and family name, elsewhere
    "unrelated": 0.25,
}
NEGATIVE_KINDS = tuple(NEGATIVE_SHARES)
PEOPLE_PER_POSTCODE = 36
HOUSEHOLD_SIZES = ((1, 0.34), (2, 0.33), (3, 0.15), (4, 0.13), (5, 0.05))
EMAIL_DOMAINS = (
    ("gmail.com", 35),
    ("hotmail.co.uk", 20),
    ("outlook.com", 12),
    ("yahoo.co.uk", 10),
    ("btinternet.com", 8),
    ("icloud.com", 8),
    ("live.co.uk", 4),
    ("aol.com", 3),
)


@dataclass(frozen=True)
class Record:
    """What one source says about a person, as typed (names with accents, phones E.164)."""

    given_name: str
    family_name: str
    date_of_birth: date | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    address: str = ""
    postcode: str = ""
    aliases: tuple[tuple[str, str], ...] = ()  # other (given, family) names: master only


@dataclass(frozen=True)
class TruePerson:
    person_id: int
    household_id: int
    truth: Record  # everything true about them (their mobile and the household landline)
    mobile: str = ""
    landline: str = ""
    negative: str = ""  # for people outside the master: which kind of hard negative
    negative_for: int | None = None  # the master person they could be mistaken for


@dataclass(frozen=True)
class Probe:
    probe_id: int
    person_id: int  # whose contact it really is
    link: int | None  # the truth: the master person, or None when they are not in it
    record: Record
    corruptions: tuple[str, ...] = ()
    negative: str = ""


@dataclass
class QualityDataset:
    seed: int
    master: dict[int, Record]  # person_id -> the master's record of them
    people: dict[int, TruePerson]  # everyone, in the master or not
    probes: list[Probe] = field(default_factory=list)


class _Weighted:
    """A weighted choice by bisection over cumulative weights (faster than random.choices)."""

    def __init__(self, items: Sequence[tuple[object, float]]):
        self.values = [value for value, _ in items]
        self.cumulative = list(itertools.accumulate(weight for _, weight in items))

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(frozen=True)
class _Heritage:
    name: str
    share: float
    given: _Weighted
    family: _Weighted


def _weighted_names(text: str) -> _Weighted:
    pairs = []
    for entry in text.split():
        name, _, weight = entry.partition(":")
        pairs.append((name.replace("_", " "), float(weight or 1)))
    return _Weighted(pairs)


@cache
def heritages() -> tuple[_Heritage, ...]:
    return tuple(
        _Heritage(name, share, _weighted_names(given), _weighted_names(family))
        for name, share, given, family in HERITAGE
    )


@dataclass(frozen=True)
class _Postcode:
    code: str
    street: str
    town: str
    area_code: str  # the landline dialling code


class SyntheticPeople:
    """The generator; one instance per dataset, driven by one seeded random.Random."""

    def __init__(self, seed: int, expected_people: int):
        self.rng = random.Random(seed)
        self.groups = _Weighted([(group, group.share) for group in heritages()])
        self.sizes = _Weighted(HOUSEHOLD_SIZES)
        self.domains = _Weighted(EMAIL_DOMAINS)
        self.mobiles = UniqueNumbers(mobile_blocks(), 5, self.rng.randrange(10**9))
        self.landlines: dict[str, UniqueNumbers] = {}
        self.emails: set[str] = set()
        self.postcodes = self._postcodes(max(30, expected_people // PEOPLE_PER_POSTCODE))
        self.next_person = itertools.count(1)
        self.next_household = itertools.count(1)
        self.namer = NickNamer()

    # Places and numbers -----------------------------------------------------------------

    def _postcodes(self, count: int) -> list[_Postcode]:
        outward = _Weighted([(entry, entry[3]) for entry in OUTWARD])
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        seen: set[str] = set()
        pool = []
        while len(pool) < count:
            area, low, high, _, town, dialling = outward.pick(self.rng)
            district = f"{area}{self.rng.randint(low, high)}"
            inward = f"{self.rng.randint(0, 9)}{self.rng.choice(letters)}{self.rng.choice(letters)}"
            code = f"{district} {inward}"
            if code in seen:
                continue
            seen.add(code)
            pool.append(_Postcode(code, self.rng.choice(STREETS), town, dialling))
        return pool

    def _landline(self, place: _Postcode) -> str:
        numbers = self.landlines.get(place.area_code)
        if numbers is None:
            blocks = landline_blocks(place.area_code)
            free = 10 - len(blocks[0])
            numbers = UniqueNumbers(blocks, free, self.rng.randrange(10**9))
            self.landlines[place.area_code] = numbers
        return numbers.next()

    def address(self, place: _Postcode) -> str:
        flat = ""
        if self.rng.random() < 0.25:
            flat = f"Flat {self.rng.randint(0, 4)}/{self.rng.randint(1, 3)}, "
        return f"{flat}{self.rng.randint(1, 180)} {place.street}, {place.town}"

    def _email(self, given: str, family: str, born: date) -> str:
        first, last = fold(given).replace(" ", ""), fold(family).replace(" ", "")
        pattern = self.rng.randrange(5)
        number = self.rng.randint(1, 99)
        local = (
            f"{first}.{last}",
            f"{first}{last}{number}",
            f"{first[0]}{last}{born.year % 100:02d}",
            f"{last}.{first}{number}",
            f"{first}_{born.year}",
        )[pattern]
        domain = self.domains.pick(self.rng)
        email = f"{local}@{domain}"
        suffix = 2
        while email in self.emails:
            email = f"{local}{suffix}@{domain}"
            suffix += 1
        self.emails.add(email)
        return email

    # People ------------------------------------------------------------------------------

    def _birth(self, earliest: date, latest: date) -> date:
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def _person(
        self,
        household: int,
        given: str,
        family: str,
        born: date,
        place: _Postcode,
        address: str,
        landline: str,
    ) -> TruePerson:
        adult = born.year <= 2008
        mobile = self.mobiles.next() if self.rng.random() < (0.92 if adult else 0.5) else ""
        email = (
            self._email(given, family, born) if self.rng.random() < (0.75 if adult else 0.2) else ""
        )
        truth = Record(
            given_name=given,
            family_name=family,
            date_of_birth=born,
            phones=tuple(p for p in (mobile, landline) if p),
            emails=(email,) if email else (),
            address=address,
            postcode=place.code,
        )
        return TruePerson(next(self.next_person), household, truth, mobile, landline)

    def household(self) -> list[TruePerson]:
        """People living together: a family name (mostly shared), an address, maybe a landline."""
        group = self.groups.pick(self.rng)
        size = self.sizes.pick(self.rng)
        place = self.rng.choice(self.postcodes)
        address = self.address(place)
        landline = self._landline(place) if self.rng.random() < 0.4 else ""
        family = group.family.pick(self.rng)
        number = next(self.next_household)
        head = self._birth(date(1938, 1, 1), date(2004, 12, 31))
        people = []
        for position in range(size):
            if position == 0:
                born = head
            elif position == 1:  # a partner, sometimes with their own family name
                shift = timedelta(days=self.rng.randint(-3000, 3000))
                born = head + shift if head + shift <= date(2006, 12, 31) else head - shift
            else:  # children, now and then twins
                if position >= 3 and self.rng.random() < 0.15:
                    born = people[-1].truth.date_of_birth
                else:
                    earliest = head + timedelta(days=18 * 365)
                    latest = min(head + timedelta(days=42 * 365), date(2023, 12, 31))
                    born = self._birth(earliest, max(earliest, latest))
            own_family = position == 1 and self.rng.random() < 0.2
            person_family = group.family.pick(self.rng) if own_family else family
            given = self._other_given(group, [p.truth.given_name for p in people])
            people.append(
                self._person(number, given, person_family, born, place, address, landline)
            )
        return people

    def _other_given(self, group, taken: Sequence[str]) -> str:
        for _ in range(20):
            given = group.given.pick(self.rng)
            if fold(given) not in {fold(name) for name in taken}:
                return given
        return given

    # Hard negatives for a person in the master -------------------------------------------

    def relative_of(self, person: TruePerson, kind: str) -> TruePerson:
        truth = person.truth
        place = self._place_of(truth.postcode)
        group = self._group_of(truth.given_name)
        if kind == "twin":
            given, born = self._other_given(group, [truth.given_name]), truth.date_of_birth
        elif kind == "junior":
            given = truth.given_name
            years = self.rng.randint(22, 38) * (1 if truth.date_of_birth.year < 1985 else -1)
            born = truth.date_of_birth + timedelta(days=years * 365 + self.rng.randint(0, 300))
        else:
            given = self._other_given(group, [truth.given_name])
            born = self._birth(date(1938, 1, 1), date(2007, 12, 31))
        relative = self._person(
            person.household_id,
            given,
            truth.family_name,
            born,
            place,
            truth.address,
            person.landline,
        )
        return replace(relative, negative=kind, negative_for=person.person_id)

    def namesake_of(self, person: TruePerson) -> TruePerson:
        truth = person.truth
        place = self.rng.choice(self.postcodes)
        while place.code == truth.postcode:
            place = self.rng.choice(self.postcodes)
        born = self._birth(date(1938, 1, 1), date(2006, 12, 31))
        namesake = self._person(
            next(self.next_household),
            truth.given_name,
            truth.family_name,
            born,
            place,
            self.address(place),
            self._landline(place) if self.rng.random() < 0.4 else "",
        )
        return replace(namesake, negative="namesake", negative_for=person.person_id)

    def _place_of(self, postcode: str) -> _Postcode:
        return next(place for place in self.postcodes if place.code == postcode)

    def _group_of(self, given: str):
        for group in heritages():
            if given in group.given.values:
                return group
        return heritages()[0]

    # What the master knows, and what a contact says --------------------------------------

    def master_record(self, person: TruePerson) -> Record:
        """The CRM's record: the truth, with some of it never collected."""
        truth, rng = person.truth, self.rng
        phones = tuple(
            phone
            for phone, kept in ((person.mobile, 0.9), (person.landline, 0.8))
            if phone and rng.random() < kept
        )
        aliases = ()
        if rng.random() < 0.04:  # a previous family name
            aliases = ((truth.given_name, self._group_of(truth.given_name).family.pick(rng)),)
        return replace(
            truth,
            date_of_birth=truth.date_of_birth if rng.random() < 0.95 else None,
            phones=phones,
            emails=truth.emails if rng.random() < 0.8 else (),
            aliases=aliases,
        )

    def contact_record(self, person: TruePerson) -> tuple[Record, tuple[str, ...]]:
        """What an incoming contact says about the person, with the corruptions applied."""
        rng, truth = self.rng, person.truth
        phone = person.mobile
        if person.landline and (not phone or rng.random() < 0.3):
            phone = person.landline
        record = replace(truth, phones=(phone,) if phone else ())
        applied = []
        for kind in CORRUPTIONS:
            if rng.random() < CORRUPTION_RATES[kind]:
                changed = corrupt(self, record, kind, applied)
                if changed is not None:
                    record = changed
                    applied.append(kind)
        return record, tuple(applied)


def quality_dataset(
    master_size: int, probe_count: int, seed: int, share_in_master: float = 0.6
) -> QualityDataset:
    """A master of about ``master_size`` persons and ``probe_count`` probes with known truth."""
    held_out = probe_count - round(probe_count * share_in_master)
    if probe_count - held_out > master_size:
        raise ValueError("more probes about people in the master than the master holds")
    generator = SyntheticPeople(seed, master_size + held_out)
    people: dict[int, TruePerson] = {}
    master: dict[int, Record] = {}
    while len(master) < master_size:
        for person in generator.household():
            people[person.person_id] = person
            master[person.person_id] = generator.master_record(person)
    rng = generator.rng
    in_master = rng.sample(sorted(master), probe_count - held_out)
    adults = [pid for pid in sorted(master) if people[pid].truth.date_of_birth.year <= 2005]
    kinds = _Weighted(list(NEGATIVE_SHARES.items()))
    outside: list[TruePerson] = []
    for _ in range(held_out):
        kind = kinds.pick(rng)
        if kind == "unrelated":
            newcomer = rng.choice(generator.household())
            outside.append(replace(newcomer, negative="unrelated"))
        elif kind == "namesake":
            outside.append(generator.namesake_of(people[rng.choice(adults)]))
        else:
            outside.append(generator.relative_of(people[rng.choice(adults)], kind))
    for person in outside:
        people[person.person_id] = person
    subjects = [(people[pid], pid) for pid in in_master] + [(p, None) for p in outside]
    rng.shuffle(subjects)
    dataset = QualityDataset(seed=seed, master=master, people=people)
    for number, (person, link) in enumerate(subjects, start=1):
        record, corruptions = generator.contact_record(person)
        dataset.probes.append(
            Probe(number, person.person_id, link, record, corruptions, person.negative)
        )
    return dataset


def population(size: int, seed: int) -> Iterator[tuple[int, Record]]:
    """``size`` master records (person_id, record), household by household."""
    generator = SyntheticPeople(seed, size)
    produced = 0
    while produced < size:
        for person in generator.household():
            if produced == size:
                return
            produced += 1
            yield person.person_id, generator.master_record(person)


def fresh_people(count: int, seed: int) -> list[TruePerson]:
    """People who are in no population generated with another seed's numbering (new callers)."""
    generator = SyntheticPeople(seed, count * 4)
    people: list[TruePerson] = []
    while len(people) < count:
        people.extend(generator.household())
    return people[:count]
