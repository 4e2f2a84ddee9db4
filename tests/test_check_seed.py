"""The checks on the seed: the defects an auditor finds are found, with messages a person can
follow; a repaired copy (made here) gives no error-severity finding (issue #3 acceptance)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from analysis.check import run_checks
from analysis.cli import main
from analysis.extract import extract_paths

# Each repair: (old text, new text, why) — the defects found by reading the seed.
REPAIRS = [
    ("上涨 39.94%", "上涨 66.50%", "P2: 183.41 / 275.80, not / 459.21"),
    ("2023 年政府性基金支出预算表", "2024 年政府性基金支出预算表", "E2: title year"),
    ("增加/减少 0 万元", "减少 0 万元", "E1: unfilled alternative"),
    ("≤9.867万元", "≤9.88万元", "I34: cost cap below the project amount"),
    (
        "机构运转经费支出预算 219.42 万元",
        "机构运转经费支出预算 17.92 万元",
        "M1: 机关运行经费 = 公用经费, not 项目支出",
    ),
]


def repaired(text: str) -> str:
    for old, new, _ in REPAIRS:
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def seed_findings(seed_path):
    findings, evaluations = run_checks(extract_paths([seed_path]))
    return findings, evaluations


def _has(findings: pl.DataFrame, rule: str, *fragments: str) -> bool:
    rows = findings.filter(pl.col("rule") == rule)
    return any(all(f in m for f in fragments) for m in rows["message"])


def test_seed_defects_are_found(seed_findings):
    findings, _ = seed_findings
    assert _has(findings, "yoy-percent-base", "39.94%", "66.50%", "459.21")
    assert _has(findings, "table-title-year", "2023", "2024")
    assert _has(findings, "template-placeholder", "增加/减少")
    assert _has(findings, "performance-cost-cap", "9.867", "9.88", "工作人员工装费")
    errors = findings.filter(pl.col("severity") == "error")
    assert errors["line"].null_count() == 0  # every error says where to look
    assert all(errors["location"].str.len_chars() > 0)


def test_not_evaluated_is_not_passed(seed_findings):
    _, evaluations = seed_findings
    status = dict(zip(evaluations["rule"], evaluations["status"]))
    assert set(status.values()) <= {"passed", "failed", "not_evaluated"}
    assert status["yoy-percent-base"] == "failed"


def test_repaired_seed_has_no_error(seed_text, tmp_path):
    path = tmp_path / "repaired.txt"
    path.write_text(repaired(seed_text), encoding="utf-8")
    findings, _ = run_checks(extract_paths([path]))
    errors = findings.filter(pl.col("severity") == "error")
    assert errors.is_empty(), errors.select("rule", "message").rows()


def test_check_cli_json_and_exit_codes(seed_path, seed_text, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["check", str(seed_path), "--format", "json", "--min-severity", "error"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload and {
        "doc_id",
        "path",
        "rule",
        "severity",
        "category",
        "table_kind",
        "location",
        "expected",
        "actual",
        "difference",
        "message",
        "excerpt",
    } <= set(payload[0])
    clean = tmp_path / "clean.txt"
    clean.write_text(repaired(seed_text), encoding="utf-8")
    ok = runner.invoke(main, ["check", str(clean), "--format", "json", "--min-severity", "error"])
    assert ok.exit_code == 0 and json.loads(ok.stdout) == []
    assert runner.invoke(main, ["check", str(clean), "--rules", "no-such-rule"]).exit_code == 2
    only = runner.invoke(main, ["check", str(seed_path), "--rules", "table-title-year", "--format", "csv"])
    assert only.exit_code == 1 and only.stdout.count("table-title-year") == 1


def test_demo_is_clean():
    demo = Path(__file__).resolve().parents[1] / "src" / "analysis" / "demo"
    findings, _ = run_checks(extract_paths(sorted(demo.glob("*.txt"))))
    assert findings.filter(pl.col("severity") == "error").is_empty()
