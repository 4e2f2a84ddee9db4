"""The library face (issue 16): the CLI's verbs as functions returning one shape, ``Frames``."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

import polars as pl
import pytest

import analysis
from analysis.frames import Frames
from analysis.schema import schema


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    for entry in resources.files("analysis.demo").iterdir():
        if entry.name.endswith(".txt"):
            (folder / entry.name).write_bytes(entry.read_bytes())
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    return folder


@pytest.fixture(scope="module")
def checked(demo_folder) -> Frames:
    return analysis.check(analysis.extract(demo_folder))


def test_version_and_typed_marker():
    assert analysis.__version__ and analysis.__version__ != "0+unknown"
    assert (Path(analysis.__file__).parent / "py.typed").is_file()


def test_extract_takes_a_folder_and_reports_bad_files(demo_folder):
    frames = analysis.extract(demo_folder)
    assert isinstance(frames, Frames)
    statuses = dict(frames.documents.select("path", "status").iter_rows())
    assert statuses[str(demo_folder / "broken.pdf")] == "failed"
    assert any(status == "ok" for status in statuses.values())
    assert frames.line_items.height > 0 and frames["tables"].height > 0


def test_check_adds_findings_and_evaluations_to_the_same_frames(checked):
    assert {"documents", "line_items", "findings", "evaluations"} <= set(checked)
    assert checked.findings.height > 0  # the demo carries planted defects
    assert set(checked.findings["severity"].unique()) <= {"error", "warning", "info"}


def test_stage_modules_stay_modules_and_are_callable(checked):
    from analysis.check import run_checks  # the package still imports as before

    findings, _ = run_checks(checked.to_dict())
    assert findings.equals(checked.findings)
    assert callable(analysis.check) and hasattr(analysis.check, "RULES")


def test_compare_then_report_from_frames_and_from_a_folder(checked, tmp_path):
    compared = analysis.compare(checked)
    assert compared.indicators.height > 0
    assert compared.findings.height == checked.findings.height + compared.findings_outliers.height
    paths = analysis.report(compared, tmp_path / "a")
    assert paths["html"].stat().st_size > 1000
    compared.write(tmp_path / "processed")
    again = Frames.read(tmp_path / "processed")
    assert again.findings.equals(compared.findings)
    paths = analysis.report(tmp_path / "processed", tmp_path / "b")
    assert "<html" in paths["html"].read_text(encoding="utf-8").lower()


def test_missing_frames_read_as_empty_of_their_schema():
    frames = Frames(documents=pl.DataFrame({"doc_id": ["x"]}))
    assert frames.claims.height == 0 and frames.claims.schema == schema("claims")
    with pytest.raises(AttributeError):
        frames.no_such_table  # noqa: B018 - the attribute access is what must raise


def test_report_verb_renders_from_a_processed_folder(checked, tmp_path):
    analysis.compare(checked).write(tmp_path / "processed")
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "report", str(tmp_path / "processed"), "--out", str(tmp_path / "reports")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "reports" / "workbook.xlsx").is_file()
    missing = subprocess.run(
        [sys.executable, "-m", "analysis", "report", str(tmp_path), "--out", str(tmp_path / "r2")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "documents.parquet" in missing.stderr
