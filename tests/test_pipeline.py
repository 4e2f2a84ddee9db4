"""``analysis run``: outputs, the content-hash extraction cache, failures, the run log, the
compare stage being absent or failing, and the CLI command."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from analysis import pipeline
from analysis.commands.run import run_command
from analysis.extract import OUTPUT_TABLES
from analysis.pipeline import run, summary_lines
from analysis.synth import generate

REAL_FINGERPRINT = pipeline.extraction_fingerprint


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("district") / "raw"
    generate(raw, departments=3, years=(2024, 2025), anomaly_rate=0.5, seed=5)
    return raw


@pytest.fixture(autouse=True)
def pinned_code(monkeypatch):
    """Other work in the tree may edit extraction code mid-test; the cache logic is what these
    tests check, so the code fingerprint is pinned (one test changes it on purpose)."""
    monkeypatch.setattr(pipeline, "extraction_fingerprint", lambda: "pinned")


@pytest.fixture
def raw(district, tmp_path) -> Path:
    copy = tmp_path / "raw"
    shutil.copytree(district, copy)
    return copy


def _run(raw: Path, out: Path, **options):
    return run([raw], out / "processed", out / "reports", department_charts=False, **options)


def test_run_writes_every_output(raw, tmp_path):
    result = _run(raw, tmp_path / "out")
    assert result.documents.height == 6 and result.extracted == 6 and result.cached == 0
    for name in (*OUTPUT_TABLES, "findings", "evaluations"):
        assert (tmp_path / "out" / "processed" / f"{name}.parquet").is_file(), name
    for key in ("html", "workbook", "summary", "log"):
        assert result.paths[key].is_file() and result.paths[key].stat().st_size > 0, key
    assert set(result.timings) == {"documents", "compare", "report", "total"}  # extract+check is one task
    assert result.frames["findings"].height > 0  # the district has planted anomalies


def test_rerun_reuses_unchanged_files_and_gives_the_same_frames(raw, tmp_path):
    first = _run(raw, tmp_path / "out")
    second = _run(raw, tmp_path / "out")
    assert (second.cached, second.extracted) == (6, 0)
    for name in (*OUTPUT_TABLES, "findings"):
        assert_frame_equal(first.frames[name], second.frames[name])
    changed = sorted(raw.rglob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n附注：本表为测试修改。\n", encoding="utf-8")
    third = _run(raw, tmp_path / "out")
    assert (third.cached, third.extracted) == (5, 1)
    assert (
        third.documents.filter(pl.col("path") == str(changed))["doc_id"][0] not in first.documents["doc_id"].to_list()
    )


def test_moved_and_duplicated_files_reuse_their_content(raw, tmp_path):
    first = _run(raw, tmp_path / "out")
    source = sorted(raw.rglob("*.txt"))[0]
    moved = source.with_name("renamed.txt")
    source.rename(moved)
    shutil.copy(moved, raw / "copy.txt")
    again = _run(raw, tmp_path / "out")
    assert again.extracted == 0 and again.documents.height == 7
    paths = again.documents["path"].to_list()
    assert str(moved) in paths and str(raw / "copy.txt") in paths and str(source) not in paths
    doc_id = again.documents.filter(pl.col("path") == str(moved))["doc_id"][0]
    once = first.frames["line_items"].filter(pl.col("doc_id") == doc_id).height
    assert again.frames["line_items"].filter(pl.col("doc_id") == doc_id).height == 2 * once


def test_fresh_or_changed_extraction_code_ignores_the_cache(raw, tmp_path, monkeypatch):
    _run(raw, tmp_path / "out")
    assert _run(raw, tmp_path / "out", use_cache=False).extracted == 6
    monkeypatch.setattr(pipeline, "extraction_fingerprint", lambda: "some-other-code")
    assert _run(raw, tmp_path / "out").extracted == 6


def test_fingerprint_is_a_hash_of_the_extraction_sources():
    first = REAL_FINGERPRINT()
    assert len(first) == 16 and int(first, 16) >= 0


def test_failed_files_are_reported_with_reasons(raw, tmp_path):
    (raw / "empty.txt").write_bytes(b"")
    (raw / "binary.txt").write_bytes(b"\x00\x01PK\x00" * 300)
    result = _run(raw, tmp_path / "out")
    failed = result.documents.filter(pl.col("status") == "failed")
    assert sorted(Path(p).name for p in failed["path"]) == ["binary.txt", "empty.txt"]
    lines = summary_lines(result)
    assert any(line.startswith("  failed:") and "empty.txt" in line for line in lines)
    assert "failed 2" in lines[0]
    log = result.paths["log"].read_text(encoding="utf-8")
    assert "empty.txt" in log and "findings:" in log and "time:" in log
    summary = result.paths["summary"].read_text(encoding="utf-8")
    assert "empty.txt" in summary and "binary.txt" in summary


def test_without_the_compare_stage_the_report_says_so(raw, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "analysis.compare", None)  # import now raises ImportError
    result = _run(raw, tmp_path / "out")
    assert result.report.compare_status == "unavailable"
    assert "比较模块不可用" in result.paths["html"].read_text(encoding="utf-8")
    assert result.frames["indicators"].is_empty()  # the report computes no comparison of its own
    assert not (tmp_path / "out" / "processed" / "benford.parquet").exists()
    assert not result.frames["findings"]["rule"].str.starts_with("outlier-").any()


def test_a_failing_compare_stage_keeps_the_check_findings(raw, tmp_path, monkeypatch):
    import types

    def broken(frames, **_):
        raise RuntimeError("boom")

    monkeypatch.setitem(sys.modules, "analysis.compare", types.SimpleNamespace(compare_frames=broken))
    result = _run(raw, tmp_path / "out")
    assert result.report.compare_status == "RuntimeError: boom"
    assert result.frames["findings"].height > 0
    assert "比较模块运行出错" in result.paths["html"].read_text(encoding="utf-8")


def test_cli_run_prints_where_the_outputs_are(raw, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(run_command, [str(raw), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"html: {out / 'reports' / 'report.html'}" in result.output
    assert "6 documents: ok" in result.output and "findings: error" in result.output
    assert "doc/s" not in result.output  # no progress bar when stderr is not a terminal
    quiet = CliRunner().invoke(run_command, [str(raw), "--out", str(out), "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_cli_defaults_and_strict(raw, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    shutil.move(raw, tmp_path / "data" / "raw")
    result = CliRunner().invoke(run_command, [])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "processed" / "findings.parquet").is_file()
    assert (tmp_path / "reports" / "report.html").is_file()
    (tmp_path / "data" / "raw" / "empty.txt").write_bytes(b"")
    assert CliRunner().invoke(run_command, ["--strict"]).exit_code == 1
    assert CliRunner().invoke(run_command, ["no/such/folder"]).exit_code == 2


def test_an_empty_folder_still_gives_reports(tmp_path):
    (tmp_path / "raw").mkdir()
    result = _run(tmp_path / "raw", tmp_path / "out")
    assert result.documents.height == 0
    assert result.paths["html"].is_file() and "0 documents" in summary_lines(result)[0]


def test_every_output_is_as_readable_as_the_umask_allows(raw, tmp_path):
    import os
    import stat

    saved = os.umask(0o022)  # a colleague, or a cluster worker running as another user, reads them
    try:
        _run(raw, tmp_path / "out")
    finally:
        os.umask(saved)
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file() and not p.is_symlink()]
    private = [str(p.relative_to(tmp_path)) for p in files if not p.stat().st_mode & stat.S_IROTH]
    assert len(files) > 20 and not private
