"""The compare stage reads lazily (issue 14, wave 5): over stored parquet files no step loads a
whole extraction table, and the outputs are those of the same frames held in memory; the
shared-sentence counts of narrative reuse, made by sparse products, are those of the
sentence-pair join they replace."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analysis.compare import compare_frames
from analysis.compare.peers import settings
from analysis.compare.similar_pairs import similar_pairs
from analysis.compare.text_reuse import _block_reuse, _unique_vectors
from analysis.engine.stored import StoredFrames, write_tables
from analysis.extract import OUTPUT_TABLES, extract_paths
from analysis.read import discover
from analysis.synth import generate


class _Watched(StoredFrames):
    """StoredFrames that records which tables were loaded whole."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.loaded: list[str] = []

    def _read(self, name: str) -> pl.DataFrame:
        self.loaded.append(name)
        return super()._read(name)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in one order (the stage groups in hash order)."""
    return frame.sort(pl.all().cast(pl.String), nulls_last=True)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> tuple[dict[str, pl.DataFrame], Path]:
    folder = tmp_path_factory.mktemp("lazy")
    generate(
        folder / "raw",
        departments=6,
        years=(2024, 2025),
        anomaly_rate=0.5,
        seed=11,
        doc_types=("budget", "final"),
    )
    frames = extract_paths(discover([folder / "raw"]))
    write_tables({name: frames[name] for name in OUTPUT_TABLES}, folder)
    return frames, folder


def test_stored_frames_scan_reads_nothing_until_asked(tmp_path):
    table = pl.DataFrame({"doc_id": ["a", "b", "c"], "amount": [1.0, 2.0, 3.0]})
    table.write_parquet(tmp_path / "line_items.parquet")
    held = pl.DataFrame({"doc_id": ["a"]})
    frames = _Watched(tmp_path, {"documents": held}, ("line_items",))
    query = frames.scan("line_items").filter(pl.col("amount") > 1).select("doc_id")
    assert isinstance(query, pl.LazyFrame) and frames.loaded == []
    assert query.collect()["doc_id"].to_list() == ["b", "c"]
    assert_frame_equal(frames.scan("documents").collect(), held)
    with pytest.raises(KeyError):
        frames.scan("claims")


def test_compare_over_stored_files_loads_no_table_whole_and_equals_the_frames_in_memory(extracted):
    frames, folder = extracted
    in_memory = compare_frames(dict(frames))
    stored = _Watched(folder, {"documents": frames["documents"]})
    lazily = compare_frames(stored)
    assert stored.loaded == []  # every step read its own columns and rows from a scan
    assert in_memory["panel"].height > 0  # the budget-execution steps had documents to link
    for name, frame in in_memory.items():
        assert_frame_equal(_sorted(lazily[name]), _sorted(frame), check_column_order=True)


def _join_reference(block: pl.DataFrame, params: dict) -> pl.DataFrame:
    """Per document pair: sentences shared and share, by the sentence-pair join of wave 4."""
    unique, matrix = _unique_vectors(block, params)
    i, j = similar_pairs(matrix, params["similarity"])
    edges = pl.DataFrame({"u": i, "v": j}, schema={"u": pl.UInt32, "v": pl.UInt32})
    depts = unique.select("u", "departments").explode("departments")
    reach = (
        pl.concat([depts, edges.join(depts.rename({"u": "v"}), on="v").select("u", "departments")])
        .group_by("u")
        .agg(pl.col("departments").n_unique().alias("n_dept"))
    )
    cut = max(params["boilerplate_min_departments"], params["boilerplate_share"] * block["department_id"].n_unique())
    kept = reach.filter(pl.col("n_dept") < cut)["u"].implode()
    links = pl.concat([unique.select("u", pl.col("u").alias("v")), edges]).filter(
        pl.col("u").is_in(kept) & pl.col("v").is_in(kept)
    )
    members = unique.select("u", "sid").explode("sid").join(block.select("sid", "department_id"), on="sid")
    pairs = (
        links.join(members.rename({"sid": "a", "department_id": "dept_a"}), on="u")
        .join(members.rename({"u": "v", "sid": "b", "department_id": "dept_b"}), on="v")
        .filter((pl.col("a") != pl.col("b")) & (pl.col("dept_a") != pl.col("dept_b")))
    )
    info = block.select("sid", "doc_id")
    joined = pairs.join(info, left_on="a", right_on="sid").join(
        info.select(pl.col("sid").alias("b"), pl.col("doc_id").alias("other_doc_id")), on="b"
    )
    sizes = members.filter(pl.col("u").is_in(kept)).join(info, on="sid").group_by("doc_id").agg(pl.len().alias("n"))
    return (
        joined.group_by("doc_id", "other_doc_id")
        .agg(pl.col("a").n_unique().alias("n_shared"))
        .join(sizes, on="doc_id")
        .with_columns((pl.col("n_shared") / pl.col("n")).alias("share"))
    )


def test_sparse_counts_equal_the_sentence_pair_join():
    """Copied, partly copied, templated and own sentences over 40 documents: every document
    pair's count and share, and the block median, are those of the join."""
    rng = random.Random(3)
    pool = [f"本部门{k}号工作安排为加强预算管理提升资金使用效益做好第{k}项重点工作。" for k in range(60)]
    rows = []
    for doc in range(40):
        dept = f"d{doc % 30}"  # some departments publish two documents
        picked = rng.sample(pool, 12) + [f"{dept}自有说明第{k}条内容与其他部门都不相同的句子。" for k in range(4)]
        if doc % 7 == 0:
            picked.append(picked[0])  # a sentence printed twice in one document
        for sentence in picked:
            rows.append(
                {"doc_id": f"doc{doc}", "department_id": dept, "department": f"部门{dept}", "sentence": sentence}
            )
    block = (
        pl.DataFrame(rows)
        .with_columns(
            pl.lit(2025).alias("fiscal_year"),
            pl.lit("budget").alias("doc_type"),
            pl.lit(1).alias("line"),
            pl.lit(None, pl.Int64).alias("page"),
        )
        .with_row_index("sid")
    )
    params = {**settings()["text_reuse"], "min_shared_sentences": 1, "min_shared_share": 0.0}
    reference = _join_reference(block, params)
    found = _block_reuse(block, params)
    assert reference.height > 100
    joined = reference.join(found, on=["doc_id", "other_doc_id"], how="full", coalesce=True)
    assert joined.height == reference.height == found.height
    assert (joined["n_shared"] == joined["n_shared_right"]).all()
    assert (joined["share"] == joined["share_right"]).all()
    best = reference.group_by("doc_id").agg(pl.col("share").max())
    every = block.select("doc_id").unique().join(best, on="doc_id", how="left").fill_null(0.0)
    assert found["block_median_share"].unique().to_list() == [every["share"].median()]
    # the shared sentences are listed in the order they were printed, each once
    row = found.sort("n_shared", descending=True).row(0, named=True)
    printed = block.filter(pl.col("doc_id") == row["doc_id"]).sort("sid")["sentence"].to_list()
    assert row["shared"] == [s for k, s in enumerate(printed) if s in row["shared"] and s not in printed[:k]]
    assert np.isfinite(found["share"].to_numpy()).all()
