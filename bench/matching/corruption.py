"""The corruption kinds: what an incoming contact may get wrong or leave out about a person.

``corrupt`` applies one kind to a record (a ``bench.people_synth.Record``)
and returns the changed record, or None where the kind cannot apply (no
nickname for the name, a day above 12 for a day/month swap...), so that a
probe only ever lists corruptions that really changed it. A typo never
touches a name's first letter: people rarely get that wrong, and it keeps the
typo a typo rather than another name.
"""

import random
from dataclasses import replace
from datetime import date

from bench.matching.names import KEYBOARD_NEIGHBOURS
from cairn.people.identity import fold


def corrupt(generator, record, kind: str, applied: list[str]):
    """The record with one corruption, or None where it cannot apply.

    ``generator`` is the ``SyntheticPeople`` making the probe: its random
    numbers, nicknames, phone numbers and addresses."""
    rng, born = generator.rng, record.date_of_birth
    if kind == "name_typo":
        if rng.random() < 0.5 and len(record.given_name) >= 4:
            return replace(record, given_name=typo(record.given_name, rng))
        if len(record.family_name) >= 4:
            return replace(record, family_name=typo(record.family_name, rng))
        return None
    if kind == "nickname":
        options = sorted(generator.namer.nicknames_of(fold(record.given_name)))
        if not options or "name_typo" in applied:
            return None
        return replace(record, given_name=rng.choice(options).title())
    if kind == "swapped_names":
        return replace(record, given_name=record.family_name, family_name=record.given_name)
    if kind == "no_phone":
        return replace(record, phones=()) if record.phones else None
    if kind == "no_email":
        return replace(record, emails=()) if record.emails else None
    if kind == "no_dob":
        return replace(record, date_of_birth=None) if born else None
    if kind == "no_address":
        return replace(record, address="", postcode="") if record.postcode else None
    if kind == "dob_day_month_swap":
        if not born or born.day > 12 or born.day == born.month:
            return None
        return replace(record, date_of_birth=date(born.year, born.day, born.month))
    if kind == "dob_year_off":
        if not born or "dob_day_month_swap" in applied:
            return None
        year = born.year + rng.choice((-1, 1))
        day = 28 if (born.month, born.day) == (2, 29) else born.day
        return replace(record, date_of_birth=date(year, born.month, day))
    if kind == "changed_phone":
        return replace(record, phones=(generator.mobiles.next(),)) if record.phones else None
    if kind == "moved":
        if not record.postcode:
            return None
        place = rng.choice(generator.postcodes)
        while place.code == record.postcode:
            place = rng.choice(generator.postcodes)
        return replace(record, address=generator.address(place), postcode=place.code)
    raise ValueError(kind)


def typo(name: str, rng: random.Random) -> str:
    """One keyboard slip in a name (never its first letter): a wrong key, one missing, one
    doubled, or two letters swapped."""
    for _ in range(20):
        position = rng.randrange(1, len(name))
        letter = name[position].lower()
        operation = rng.randrange(4)
        if operation == 0 and letter in KEYBOARD_NEIGHBOURS:
            changed = (
                name[:position] + rng.choice(KEYBOARD_NEIGHBOURS[letter]) + name[position + 1 :]
            )
        elif operation == 1:
            changed = name[:position] + name[position + 1 :]
        elif operation == 2:
            changed = name[:position] + name[position] + name[position:]
        elif position + 1 < len(name):
            changed = name[:position] + name[position + 1] + name[position] + name[position + 2 :]
        else:
            continue
        if fold(changed) != fold(name):
            return changed
    return name + "e"
