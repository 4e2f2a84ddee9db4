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


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("district")
    generate(folder, departments=3, years=(2024, 2025), anomaly_rate=0.0, seed=7, doc_types=("budget", "final"))
    return sorted((folder / "text").rglob("*.txt"))


def _report(paths: list[Path]) -> str:
    frames = extract_paths(paths)
    findings, _ = run_checks(frames)
    compared = compare_frames(frames)
    findings = pl.concat([findings, compared["findings"]], how="vertical_relaxed")
    data = ReportData(
        frames["documents"],
        frames["tables"],
        frames["line_items"],
        findings,
        compared["indicator_scores"],
        benford=compared["benford"],
        panel=compared["panel"],
    )
    return render_html(data, department_charts=False)


def test_section_with_final_accounts(district: list[Path]) -> None:
    html = _report(district)
    assert 'id="execution"' in html
    section = html[html.index('id="execution"') :]
    assert "执行率" in section and "data:image/png" in section
    assert section.count("<tr>") >= 1 + 3 * 2  # header and one row per department-year


def test_no_section_for_budgets_only(district: list[Path]) -> None:
    assert 'id="execution"' not in _report([p for p in district if "决算" not in p.name])
