"""The peer scoring run as tasks of indicator × document type (what a Dask cluster maps, see
bench/bench_indicators_dask.py) gives exactly the frame of ``score_indicators``."""

from __future__ import annotations

import json
import random

import numpy as np
import polars as pl
from polars.testing import assert_frame_equal

from analysis.compare.indicators import indicator_specs
from analysis.compare.scoring import gather_scores, score_indicators, score_partition, scoring_partitions
from analysis.schema import conform


def _indicators(n: int, seed: int) -> pl.DataFrame:
    """Documents of both types over three years, several regions, kinds and functions, with
    missing and non-positive values, duplicates that are no reference, and a few extreme ones."""
    rng = np.random.default_rng(seed)
    names = [s["name"] for s in indicator_specs()]
    rows = []
    for i in range(n):
        row = {
            "doc_id": f"d{i:04d}",
            "department_id": f"dept{i % (n // 3)}",
            "department": f"部门{i % (n // 3)}",
            "fiscal_year": int(rng.choice([2023, 2024, 2025])),
            "doc_type": str(rng.choice(["budget", "final_account"])),
            "gov_level": str(rng.choice(["county", "city"])),
            "region": str(rng.choice(["甲区", "乙区", "丙县", "丁市"])),
            "department_kind": str(rng.choice(["agency", "school", "hospital"])),
            "function_class": str(rng.choice(["201", "205", "208"])),
            "is_reference": bool(rng.random() > 0.1),
            "status": "ok",
            "level": "department",
            "n_line_items": 10,
        }
        for name in names:
            value = float(rng.lognormal(0.0, 0.3)) * (50.0 if rng.random() < 0.02 else 1.0)
            row[name] = None if rng.random() < 0.1 else (-value if rng.random() < 0.03 else value)
        row["sources"] = json.dumps({name: {"x": {"value": row[name], "source": f"表{i}"}} for name in names})
        rows.append(row)
    return conform("indicators", pl.DataFrame(rows, infer_schema_length=None))


def _by_tasks(partitions: list[pl.DataFrame]) -> pl.DataFrame:
    tasks = [(p, s["name"]) for p in partitions for s in indicator_specs()]
    random.Random(3).shuffle(tasks)  # a cluster finishes them in any order
    return gather_scores([score_partition(p, name) for p, name in tasks])


def test_tasks_of_indicator_and_document_type_give_the_scores_of_the_whole():
    indicators = _indicators(900, seed=5)
    whole = score_indicators(indicators)
    partitions = scoring_partitions(indicators)
    assert len(partitions) == 2
    assert_frame_equal(_by_tasks(partitions), whole)
    # not a trivial case: several lattice levels used, some rows flagged, some not evaluated
    assert whole["peer_level"].drop_nulls().n_unique() >= 2
    assert whole["flagged"].sum() > 0 and (whole["status"] == "not_evaluated").sum() > 0


def test_a_split_by_year_would_change_scores():
    """Why only the document type: the widest lattice level pools years, so tasks per year
    give other scores (the check above can fail)."""
    indicators = _indicators(60, seed=6)  # few per year: the widest level is needed
    by_year = indicators.with_row_index("_position").partition_by("fiscal_year", maintain_order=True)
    assert not _by_tasks(by_year).equals(score_indicators(indicators))


def test_no_documents():
    empty = _indicators(30, seed=1).clear()
    assert_frame_equal(_by_tasks(scoring_partitions(empty)), score_indicators(empty))
