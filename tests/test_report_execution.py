"""The report's budget-versus-final section (issue 13): present with linked 决算, absent without."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analysis.check import run_checks
from analysis.compare import compare_frames
from analysis.extract import extract_paths
from analysis.report.html import render_html
from analysis.report.model import ReportData
from analysis.synth import generate


def _report(folder: Path, doc_types: tuple[str, ...]) -> str:
    generate(folder, departments=3, years=(2024, 2025), anomaly_rate=0.0, seed=7, doc_types=doc_types)
    frames = extract_paths(sorted((folder / "text").rglob("*.txt")))
    findings, _ = run_checks(frames)
    compared = compare_frames(frames)
    findings = pl.concat([findings, compared["findings"]], how="vertical_relaxed")
    data = ReportData(frames["documents"], frames["tables"], frames["line_items"], findings,
                      compared["indicator_scores"])
    return render_html(data, department_charts=False)


def test_section_with_final_accounts(tmp_path: Path) -> None:
    html = _report(tmp_path, ("budget", "final"))
    assert 'id="execution"' in html
    section = html[html.index('id="execution"'):]
    assert "执行率" in section and "data:image/png" in section
    assert section.count("<tr>") >= 1 + 3 * 2  # header and one row per department-year


def test_no_section_for_budgets_only(tmp_path: Path) -> None:
    assert 'id="execution"' not in _report(tmp_path, ("budget",))
