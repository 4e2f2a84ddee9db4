"""The parent holds no document's rows (issue 14, wave 4): gathered tables are spilled in parts
and come back as lazy scans equal to the in-memory frames; a run's frames are read from its
own published files on first access, and the compare stage lets go of what it no longer reads."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analysis.engine import assemble, run_documents
from analysis.engine.stored import STORED_TABLES, StoredFrames, write_tables
from analysis.extract import OUTPUT_TABLES
from analysis.read import discover
from analysis.synth import generate


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("stored") / "raw"
    generate(raw, departments=3, years=(2024, 2025), anomaly_rate=0.5, seed=5)
    return raw


def test_spilled_tables_equal_the_held_ones_and_are_not_in_memory(district, tmp_path, monkeypatch):
    monkeypatch.setattr(assemble, "_CONCAT_EVERY", 2)  # several parts per table
    paths = discover([district])
    held = run_documents(paths, tmp_path / "cache", "k", jobs=1)
    spilled = run_documents(paths, tmp_path / "cache", "k", jobs=1, spill=tmp_path / "spill")
    assert spilled.cached == len(paths)  # the second gathers from the cache only
    for name in STORED_TABLES:
        assert isinstance(spilled.frames[name], pl.LazyFrame), name
        assert_frame_equal(spilled.frames[name].collect(), held.frames[name])
    assert len(list((tmp_path / "spill").glob("line_items-*.parquet"))) >= 2
    assert_frame_equal(spilled.documents, held.documents)
    assert_frame_equal(spilled.findings, held.findings)
    assert_frame_equal(spilled.evaluations, held.evaluations)
    write_tables(spilled.frames, tmp_path / "out")
    for name in OUTPUT_TABLES:
        assert_frame_equal(pl.read_parquet(tmp_path / "out" / f"{name}.parquet"), held.frames[name])


def test_stored_frames_load_on_access_and_stay_this_runs(tmp_path):
    first = pl.DataFrame({"doc_id": ["a", "b"]})
    first.write_parquet(tmp_path / "texts.parquet")
    pinned = StoredFrames(tmp_path, {"documents": first}, ("texts",), pin=True)
    loose = StoredFrames(tmp_path, {}, ("texts",))
    pl.DataFrame({"doc_id": ["c"]}).write_parquet(tmp_path / "new.parquet")
    (tmp_path / "new.parquet").replace(tmp_path / "texts.parquet")  # a later run publishes
    assert pinned["texts"]["doc_id"].to_list() == ["a", "b"]
    assert loose["texts"]["doc_id"].to_list() == ["c"]
    assert set(pinned) == {"documents", "texts"} and len(pinned) == 2
    pinned.release("texts", "documents")  # held frames stay; a stored one is read again when asked
    assert pinned["documents"] is first
    assert pinned["texts"]["doc_id"].to_list() == ["a", "b"]
    with pytest.raises(KeyError):
        pinned["claims"]
