"""splink 5 with DuckDB, link_only between the probes and the master, as the reference linker.

The columns are what Cairn's matcher is given, normalised the same way
(``identity_of``): given and family name (folded), date of birth, the phone
numbers (a list: a master person may have a mobile and a landline), the
email and the postcode. Comparisons are splink's own library ones:
Jaro-Winkler name comparisons for each name, its date-of-birth comparison,
array intersection for phones, its email and postcode comparisons.

Training is splink's usual unsupervised sequence: the prior (probability two
random records match) from deterministic rules with an assumed recall, u by
random sampling, m by EM over two blocking rules (date of birth; full name),
so every comparison gets its m from at least one session. No label is used.
A probe is linked to its best-scoring master record when that record's
match probability is at least ``THRESHOLD``.
"""

from __future__ import annotations

import logging
import time

from bench.matching.linkers import Links, identity_of_record
from bench.people_synth import QualityDataset, Record

THRESHOLD = 0.5
PRIOR_RECALL = 0.7  # the assumed recall of the deterministic rules that set the prior
U_MAX_PAIRS = 5e6
KEEP_ABOVE = 0.01  # predictions kept (for the figures at other thresholds)


def _table(rows: list[tuple[int, Record]]):
    import pyarrow as pa

    columns: dict[str, list] = {
        name: [] for name in ("unique_id", "given", "family", "born", "phones", "email", "postcode")
    }
    for unique_id, record in rows:
        identity = identity_of_record(record)
        columns["unique_id"].append(unique_id)
        columns["given"].append(identity.given_name or None)
        columns["family"].append(identity.family_name or None)
        columns["born"].append(identity.date_of_birth)
        columns["phones"].append(list(identity.phones) or None)
        columns["email"].append(identity.emails[0] if identity.emails else None)
        columns["postcode"].append(identity.postcode or None)
    return pa.table(
        {
            "unique_id": pa.array(columns["unique_id"], pa.int64()),
            "given_name": pa.array(columns["given"], pa.string()),
            "family_name": pa.array(columns["family"], pa.string()),
            "date_of_birth": pa.array(columns["born"], pa.date32()),
            "phones": pa.array(columns["phones"], pa.list_(pa.string())),
            "email": pa.array(columns["email"], pa.string()),
            "postcode": pa.array(columns["postcode"], pa.string()),
        }
    )


def splink_links(dataset: QualityDataset, seed: int) -> Links:
    import splink
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    database = DuckDBAPI()
    master = database.register(_table(sorted(dataset.master.items())), table_name="master")
    probes = database.register(
        _table([(probe.probe_id, probe.record) for probe in dataset.probes]), table_name="probes"
    )
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("family_name"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=False),
            cl.ArrayIntersectAtSizes("phones", [1]),
            cl.EmailComparison("email"),
            cl.PostcodeComparison("postcode"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("phones", arrays_to_explode=["phones"]),
            block_on("email"),
            block_on("date_of_birth"),
            block_on("postcode"),
            block_on("given_name", "family_name"),
        ],
    )
    linker = Linker([master, probes], settings, log_level=logging.ERROR)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "date_of_birth"), block_on("email")],
        recall=PRIOR_RECALL,
    )
    training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
    training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name")
    )
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=KEEP_ABOVE)
    relation = predictions.as_duckdbpyrelation()
    rows = relation.select(
        "source_dataset_l, unique_id_l, source_dataset_r, unique_id_r, match_probability"
    ).fetchall()
    best: dict[int, tuple[int, float]] = {}
    for source_l, id_l, _source_r, id_r, probability in rows:
        probe_id, person_id = (id_r, id_l) if source_l == "master" else (id_l, id_r)
        if probe_id not in best or (probability, -person_id) > (
            best[probe_id][1],
            -best[probe_id][0],
        ):
            best[probe_id] = (person_id, probability)
    answers = {
        probe.probe_id: (
            best[probe.probe_id][0]
            if probe.probe_id in best and best[probe.probe_id][1] >= THRESHOLD
            else None
        )
        for probe in dataset.probes
    }
    prior = linker._settings_obj._probability_two_random_records_match
    return Links(
        "splink",
        answers,
        time.perf_counter() - started,
        {
            "version": splink.__version__,
            "threshold": THRESHOLD,
            "prior": prior,
            "pairs": len(rows),
            "training_seconds": trained - started,
            "best": best,
        },
    )
