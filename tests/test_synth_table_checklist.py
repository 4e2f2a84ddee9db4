"""Planted anomalies for the checklist rules that need tables (issue 12 point 5): a blank 三公
table, an empty table noted about the wrong fund, F02/F03 codes that do not correspond, and a
三公 rate sentence off the F07 预算数. Each kind must be found by its own rule (not merely by
its category), and the rules stay silent on a clean district. PDF is covered for the 决算
kinds by tests/test_execution_synth.py; here text and xlsx keep the test short."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analysis.check import run_checks
from analysis.evaluate import evaluate
from analysis.extract import extract_paths
from analysis.synth import generate

RULE_OF = {
    "three_public_table_blank": "three-public-table-blank",
    "empty_table_note_fund": "empty-table-note-fund",
    "final_rate_tables": "rate-sentence-tables",
    "final_income_codes": "income-expenditure-codes",
    "final_empty_note_fund": "empty-table-note-fund",
}
FORMATS = ("text", "xlsx")


def _run(folder: Path, seed: int, rate: float, departments: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    labels = generate(
        folder,
        departments=departments,
        years=(2024, 2025),
        formats=FORMATS,
        anomaly_rate=rate,
        seed=seed,
        doc_types=("budget", "final"),
    )
    frames = extract_paths(sorted(p for p in folder.rglob("*") if p.suffix in (".txt", ".xlsx")))
    findings, _ = run_checks(frames)
    return labels, findings


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> tuple[pl.DataFrame, pl.DataFrame]:
    return _run(tmp_path_factory.mktemp("planted"), seed=61, rate=1.0, departments=10)


def test_each_table_checklist_kind_is_found_by_its_rule(planted) -> None:
    labels, findings = planted
    for kind, rule in RULE_OF.items():
        mine = labels.filter(pl.col("kind") == kind)
        assert mine.height >= 1, f"{kind} not planted"
        for fmt in FORMATS:
            these = mine.filter(pl.col("path").str.starts_with(f"{fmt}/"))
            if these.is_empty():
                continue
            result = evaluate(these, findings.filter(pl.col("rule") == rule))
            assert result.summary["recall"] >= 0.95, (kind, fmt, result.by_kind.to_dicts())


def test_planted_labels_name_their_place(planted) -> None:
    labels, _ = planted
    assert labels.filter(pl.col("kind").is_in(list(RULE_OF)))["location"].null_count() == 0
    codes = labels.filter(pl.col("kind") == "final_income_codes")
    assert codes["detail"].str.contains(r"科目编码 \d{7} 印作 \d{7}").all()


def test_rules_silent_on_a_clean_district(tmp_path: Path) -> None:
    _, findings = _run(tmp_path, seed=62, rate=0.0, departments=6)
    mine = findings.filter(pl.col("rule").is_in(list(set(RULE_OF.values()))))
    assert mine.is_empty(), mine.select("path", "rule", "message").to_dicts()[:5]
    errors = findings.filter(pl.col("severity") == "error")
    assert errors.is_empty(), errors.select("path", "rule", "message").to_dicts()[:5]
