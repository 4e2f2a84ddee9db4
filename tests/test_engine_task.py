"""The worker's frames (issue 14, wave 5): a document's frames built from the rows the checks
read are the frames the whole-batch path (``combine``) builds, on synthetic documents, the
corpus and a row that does not fit its column."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from analysis.engine import run_documents
from analysis.engine.local import LocalPool
from analysis.extract import OUTPUT_TABLES, combine, document_frames, document_rows, extract_file
from analysis.synth import generate
from engine_helpers import hanging_task

DEMO = Path(__file__).resolve().parents[1] / "src" / "analysis" / "demo"


def _assert_same_frames(path: Path) -> None:
    extraction = extract_file(path)
    expected = combine([extraction])
    got = document_frames(extraction, document_rows(extraction))
    assert list(got) == list(OUTPUT_TABLES)
    for name in OUTPUT_TABLES:
        assert got[name].equals(expected[name]) and got[name].schema == expected[name].schema, (path.name, name)


def test_frames_from_rows_equal_combined_frames_on_synthetic_documents(tmp_path):
    generate(tmp_path, departments=3, years=(2024, 2025), anomaly_rate=0.5, seed=11)
    paths = sorted(p for p in tmp_path.rglob("*") if p.suffix in {".txt", ".md", ".xlsx", ".pdf"})
    assert len(paths) >= 6
    for path in [*paths, *sorted(DEMO.glob("*.txt"))]:
        _assert_same_frames(path)


def test_frames_from_rows_equal_combined_frames_on_the_corpus(corpus):
    paths = sorted(p for p in corpus.rglob("*") if p.suffix in {".txt", ".md"} and p.name != "README.md")
    if not paths:
        pytest.skip("no text documents in the corpus")
    for path in paths:
        _assert_same_frames(path)


def test_a_value_that_does_not_fit_fails_the_document_as_combine_does():
    extraction = extract_file(next(iter(sorted(DEMO.glob("*.txt")))))
    bad = dataclasses.replace(extraction, document={**extraction.document, "fiscal_year": 10**30})
    expected = combine([bad])
    got = document_frames(bad, document_rows(bad))
    assert got["documents"]["status"].to_list() == ["failed"]
    for name in OUTPUT_TABLES:
        assert_frame_equal(got[name], expected[name])


def test_documents_waiting_behind_a_stopped_document_are_done_by_a_fresh_worker(tmp_path):
    """One worker, a hanging document first: the next one already waits in the worker's pipe;
    the hanging one fails with the time limit and every other one is still done, in one run."""
    source = next(iter(sorted(DEMO.glob("*.txt")))).read_text(encoding="utf-8")
    names = ["hang.txt", "a.txt", "b.txt", "c.txt"]
    for i, name in enumerate(names):
        (tmp_path / name).write_text(source + f"\n<!-- {i} -->\n", encoding="utf-8")
    jobs = [(str(tmp_path / name), None, str(tmp_path / "cache"), "k") for name in names]
    results = dict(LocalPool(hanging_task, 1, 3.0).run(jobs))
    assert sorted(results) == [0, 1, 2, 3]
    assert "time limit" in results[0]["error"]
    assert all("doc_id" in results[i] and "error" not in results[i] for i in (1, 2, 3))


def test_copies_are_gathered_beside_the_tasks_with_their_own_paths(tmp_path):
    """Files gathered while the tasks run: a copy of a file (same content, no task of its own)
    waits for the first one, takes its rows under its own path, and fails when it fails."""
    source = next(iter(sorted(DEMO.glob("*.txt")))).read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(source, encoding="utf-8")
    (tmp_path / "hang.txt").write_text(source + "\n<!-- hangs -->\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(source, encoding="utf-8")
    (tmp_path / "z.txt").write_text(source + "\n<!-- hangs -->\n", encoding="utf-8")
    paths = [tmp_path / name for name in ("a.txt", "hang.txt", "b.txt", "z.txt")]
    done = run_documents(
        paths, tmp_path / "cache", "k", jobs=1, time_limit=3, task=hanging_task, spill=tmp_path / "spill"
    )
    documents = done.documents
    assert documents["path"].to_list() == [str(p) for p in paths]
    assert documents["status"].to_list()[0] != "failed" and documents["status"].to_list()[2] != "failed"
    hung = documents.filter(pl.col("path").str.contains(r"/(hang|z)\.txt$"))
    assert hung.height == 2
    for row in hung.iter_rows(named=True):
        assert row["status"] == "failed" and "time limit" in row["error"], row["path"]
    own = done.findings.filter(pl.col("doc_id") == documents["doc_id"][0])
    assert own.height and own["path"].to_list().count(str(paths[2])) == own.height // 2
    texts = done.frames["texts"].collect()
    assert texts.filter(pl.col("doc_id") == documents["doc_id"][0]).height > 0
