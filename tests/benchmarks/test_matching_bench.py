"""The matching benchmark: its synthetic people (deterministic, corrupted as they claim, with
the right truth) and the whole harness at a tiny size against the test database.

The figures belong to `make bench ARGS="matching"`; here only that every part
runs, measures what it says, and leaves the database as it found it.
"""

from dataclasses import replace
from datetime import date

import phonenumbers
import pytest
from django.db import connection
from nicknames import NickNamer
from rapidfuzz.distance import DamerauLevenshtein

from bench import matching, people_synth
from bench.matching import latency, store
from bench.people_synth import CORRUPTIONS, NEGATIVE_KINDS, quality_dataset
from cairn.people.identity import fold, normalise_phone

SEED = 11


@pytest.fixture(scope="module")
def dataset():
    return quality_dataset(4_000, 3_000, SEED)


def test_the_same_seed_gives_the_same_people_and_another_seed_others():
    first = quality_dataset(300, 100, SEED)
    assert first == quality_dataset(300, 100, SEED)
    assert first.probes != quality_dataset(300, 100, SEED + 1).probes
    assert list(people_synth.population(500, SEED)) == list(people_synth.population(500, SEED))


def test_population_has_the_size_asked_unique_ids_and_valid_own_mobiles():
    records = list(people_synth.population(3_000, SEED))
    assert [person_id for person_id, _ in records] == list(range(1, 3_001))
    phones = [phone for _, record in records for phone in record.phones]
    for phone in phones:
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number_for_region(number, "GB"), phone
        assert normalise_phone(phone) == phone  # already E.164
    mobiles = [phone for phone in phones if phone.startswith("+447")]
    assert len(mobiles) == len(set(mobiles))  # landlines are shared in a household; mobiles not
    assert len({record.postcode for _, record in records}) < len(records) // 10


def test_every_corruption_kind_happens_and_does_what_it_says(dataset):
    namer = NickNamer()
    seen = dict.fromkeys(CORRUPTIONS, 0)
    for probe in dataset.probes:
        truth, record = dataset.people[probe.person_id].truth, probe.record
        kinds = set(probe.corruptions)
        for kind in kinds:
            seen[kind] += 1
        name_kinds = kinds & {"name_typo", "nickname", "swapped_names"}
        given, family = (
            (record.family_name, record.given_name)
            if "swapped_names" in kinds
            else (record.given_name, record.family_name)
        )
        if not name_kinds or name_kinds == {"swapped_names"}:
            assert (given, family) == (truth.given_name, truth.family_name)
        if "name_typo" in kinds:
            changed = [
                (typed, true)
                for typed, true in ((given, truth.given_name), (family, truth.family_name))
                if typed != true
            ]
            assert len(changed) == 1 and DamerauLevenshtein.distance(*changed[0]) == 1
        if "nickname" in kinds:
            assert fold(given) in namer.nicknames_of(fold(truth.given_name))
            assert family == truth.family_name
        if "no_phone" in kinds:
            assert record.phones == ()
        elif "changed_phone" in kinds:
            assert record.phones and record.phones[0] not in truth.phones
        else:
            assert set(record.phones) <= set(truth.phones)
        if "no_email" in kinds:
            assert record.emails == ()
        else:
            assert record.emails == truth.emails
        born, true_born = record.date_of_birth, truth.date_of_birth
        if "no_dob" in kinds:
            assert born is None
        elif "dob_day_month_swap" in kinds:
            assert born == date(true_born.year, true_born.day, true_born.month) != true_born
        elif "dob_year_off" in kinds:
            assert abs(born.year - true_born.year) == 1 and born.month == true_born.month
        else:
            assert born == true_born
        if "no_address" in kinds:
            assert (record.address, record.postcode) == ("", "")
        elif "moved" in kinds:
            assert record.postcode != truth.postcode
        else:
            assert (record.address, record.postcode) == (truth.address, truth.postcode)
    assert all(seen.values()), seen
    assert sum(not probe.corruptions for probe in dataset.probes) > 100


def test_the_truth_is_right_and_the_hard_negatives_are_hard(dataset):
    probes = dataset.probes
    assert len(probes) == 3_000
    assert sum(probe.link is not None for probe in probes) == 1_800
    assert len({probe.person_id for probe in probes}) == len(probes)
    for probe in probes:
        if probe.link is not None:
            assert probe.link == probe.person_id and probe.link in dataset.master
            assert probe.negative == ""
            continue
        person = dataset.people[probe.person_id]
        assert probe.person_id not in dataset.master
        assert probe.negative == person.negative in NEGATIVE_KINDS
        if person.negative == "unrelated":
            continue
        other = dataset.people[person.negative_for]
        assert person.negative_for in dataset.master
        mine, theirs = person.truth, other.truth
        assert mine.family_name == theirs.family_name
        if person.negative in ("relative", "twin", "junior"):
            assert (mine.address, mine.postcode) == (theirs.address, theirs.postcode)
            assert person.landline == other.landline
        if person.negative == "relative":
            assert fold(mine.given_name) != fold(theirs.given_name)
        if person.negative == "twin":
            assert mine.date_of_birth == theirs.date_of_birth
            assert fold(mine.given_name) != fold(theirs.given_name)
        if person.negative == "junior":
            assert mine.given_name == theirs.given_name
            assert abs(mine.date_of_birth.year - theirs.date_of_birth.year) >= 20
        if person.negative == "namesake":
            assert mine.given_name == theirs.given_name and mine.postcode != theirs.postcode
    negatives = {probe.negative for probe in probes if probe.link is None}
    assert negatives == set(NEGATIVE_KINDS)


def test_the_master_knows_less_than_the_truth_never_more(dataset):
    for person_id, record in dataset.master.items():
        truth = dataset.people[person_id].truth
        assert set(record.phones) <= set(truth.phones)
        assert set(record.emails) <= set(truth.emails)
        assert record.date_of_birth in (None, truth.date_of_birth)
        assert replace(record, phones=(), emails=(), date_of_birth=None, aliases=()) == replace(
            truth, phones=(), emails=(), date_of_birth=None
        )


def _search_path() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_whole_harness_runs_at_a_tiny_size(tmp_path):
    before = _search_path()
    options = matching.Options(master=300, probes=100, population=2_000, samples=200, warmup=20)
    report = matching.run(options=options, explain_to=tmp_path / "explain.txt")

    assert report.errors == {}
    assert report.valid
    quality = report.quality
    assert set(quality.scores) == {"exact rules", "Cairn matcher", "splink"}
    cairn = quality.scores["Cairn matcher"]
    assert cairn.links > 0 and cairn.precision > 0.8 and cairn.recall > 0.5
    assert quality.scores["exact rules"].links > 0
    assert quality.scores["splink"].links > 0
    timings = report.latency.timings
    assert len(timings.exact_ns) == len(timings.match_ns) == 200
    assert set(timings.match_kind) == set(latency.PROBE_KINDS)
    assert report.latency.loaded.persons == 2_000 and not report.latency.loaded.reused
    assert (tmp_path / "explain.txt").read_text().count("Execution Time") == 5
    lines = report.summary()
    assert sum(line.startswith("  target") for line in lines) == 3
    assert not any("INVALID" in line or "NOT MEASURED" in line for line in lines)
    assert _search_path() == before

    # The population stays for the next run with the same seed and size, and only for it.
    assert latency.ensure_population(2_000, options.seed).reused
    assert (
        store.existing(latency.POPULATION_SCHEMA, people_synth.GENERATOR_VERSION, 2, 2_000) is None
    )


@pytest.mark.django_db
def test_the_loaded_tables_have_the_real_tables_indexes_and_constraints():
    schema = "bench_matching_check"
    store.load(schema, people_synth.population(50, SEED), version=1, seed=1, size=50)

    def definitions(namespace: str) -> dict[str, set]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = ANY(%s)",
                [namespace, list(store.TABLES)],
            )
            indexes = {name for (name,) in cursor.fetchall()}
            cursor.execute(
                "SELECT c.conname, c.contype, coalesce(c.confrelid::regclass::text, '') "
                "FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[])",
                [[f"{namespace}.{table}" for table in store.TABLES]],
            )
            constraints = {row for row in cursor.fetchall() if row[1] != "n"}
        return {"indexes": indexes, "constraints": constraints}

    public, copied = definitions("public"), definitions(schema)
    assert public["indexes"] and copied["indexes"] == public["indexes"]
    assert {(name, kind) for name, kind, _ in copied["constraints"]} == {
        (name, kind) for name, kind, _ in public["constraints"]
    }
    references = {target for _, kind, target in copied["constraints"] if kind == "f"}
    assert references == {f"{schema}.people_person"}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {schema}.people_person")
        assert cursor.fetchone()[0] == 50
