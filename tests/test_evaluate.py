"""Scoring findings against planted labels (issue 5) and the synth / evaluate commands."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from analysis.commands.evaluate import evaluate as evaluate_command
from analysis.commands.synth import synth as synth_command
from analysis.evaluate import evaluate, kind_rules, match_findings, read_frame
from analysis.synth.narrative_only import KINDS as NARRATIVE_KINDS
from analysis.synth.params import anomaly_params

DOC = "text/2025/新乡市东湖区水利局2025年度部门预算.txt"
OTHER = "text/2025/新乡市东湖区信访局2025年度部门预算.txt"


def label(**kw) -> dict:
    base = {
        "path": DOC,
        "kind": "arithmetic",
        "table_kind": "expenditure_summary",
        "location": "2025 年部门支出总体情况表：合计",
        "row_label": "合计",
        "column": "basic_total",
        "expected": 202.61,
        "actual": 212.61,
    }
    return {**base, **kw}


def finding(**kw) -> dict:
    base = {
        "path": f"/data/synth/{DOC}",
        "rule": "sum-total-row",
        "category": "arithmetic",
        "table_kind": "expenditure_summary",
        "row_label": "合计",
        "column": "basic_total",
        "expected": 202.61,
        "actual": 212.61,
        "difference": 10.0,
        "excerpt": None,
    }
    return {**base, **kw}


def frames(labels: list[dict], findings: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    return pl.DataFrame(labels), pl.DataFrame(findings, infer_schema_length=None)


def test_every_planted_kind_has_rules() -> None:
    rules = kind_rules()
    assert set(rules) == (set(anomaly_params()["kinds"]) | set(anomaly_params()["final_kinds"]) | set(NARRATIVE_KINDS))
    assert all(r.categories or r.rules for r in rules.values())
    assert rules["pct_wrong_base"].categories == ("percentage",)


def test_same_place_on_same_document_counts() -> None:
    matches = match_findings(*frames([label()], [finding()]))
    assert matches.select("label_id", "finding_id", "evidence").rows() == [(0, 0, "location")]


@pytest.mark.parametrize(
    "change",
    [
        {"path": f"/data/synth/{OTHER}"},  # another document
        {"path": "/elsewhere/2025/新乡市东湖区水利局2025年度部门预算.txt"},  # same file name, other format folder
        {"category": "percentage", "rule": "yoy-percent-base"},  # a rule that cannot detect the kind
        {"table_kind": "revenue_summary", "actual": 1.0, "difference": 3.0},  # other table, other values
        {"row_label": "行政运行", "actual": 50.0, "difference": 2.0},  # other row of the same table
    ],
)
def test_findings_elsewhere_do_not_count(change: dict) -> None:
    assert match_findings(*frames([label()], [finding(**change)])).is_empty()


def test_value_and_delta_evidence() -> None:
    by_value = finding(table_kind="general_budget_expenditure", row_label="x", column=None)
    knock_on = finding(
        row_label="合计", column="total", expected=263.61, actual=273.61 - 20.0, difference=-10.0
    )  # another identity broken by the same wrong total
    matches = match_findings(*frames([label()], [by_value, knock_on]))
    assert matches["evidence"].to_list() == ["value", "delta"]


def test_cross_table_label_is_found_from_the_partner_table() -> None:
    planted = label(
        kind="cross_table",
        table_kind="general_budget_basic_expenditure",
        row_label="公务用车运行维护费",
        column="total",
        expected=1.42,
        actual=1.92,
    )
    partner_row = finding(
        rule="basic-vs-economic-summary",
        category="cross_table",
        table_kind="economic_classification_summary",
        row_label="公务用车运行维护费",
        column="total",
        expected=9.0,
        actual=1.42,
        difference=-7.58,
    )
    partner_total = finding(
        rule="cross-table-figure",
        category="cross_table",
        table_kind="general_budget_expenditure",
        row_label="合计",
        column="basic_total",
        expected=221.2,
        actual=220.7,
        difference=-0.5,
    )
    other_row = {**partner_row, "row_label": "办公费", "actual": 3.0, "difference": 1.0}
    arithmetic_partner = {**partner_row, "rule": "row-identity", "category": "arithmetic"}
    matches = match_findings(*frames([planted], [partner_row, partner_total, other_row, arithmetic_partner]))
    assert matches.select("finding_id", "evidence").rows() == [(0, "location"), (1, "delta")]


def test_narrative_sentence_evidence_and_category_strictness() -> None:
    planted = label(
        kind="pct_wrong_base",
        table_kind=None,
        row_label="基本支出占比",
        column="pct",
        expected=74.05,
        actual=70.02,
        location="三、支出预算总体情况说明：新乡市东湖区水利局 2025 年支出合计 273.61 万元，其中…",
    )
    sentence = "新乡市东湖区水利局 2025 年支出合计 273.61 万元，其中：基本支出 202.61 万元，占 70.02%。"
    right = finding(
        rule="share-base",
        category="percentage",
        table_kind=None,
        row_label=None,
        column=None,
        actual=None,
        difference=None,
        excerpt=sentence,
    )
    wrong_rule = {**right, "rule": "narrative-amount", "category": "narrative"}
    other_sentence = {**right, "excerpt": "新乡市东湖区水利局 2025 年收入总计 273.61 万元。"}
    matches = match_findings(*frames([planted], [right, wrong_rule, other_sentence]))
    assert matches.select("finding_id", "evidence").rows() == [(0, "sentence")]


def test_whole_document_kind_needs_only_document_and_rule() -> None:
    copied = label(
        kind="outlier_copied_narrative",
        table_kind=None,
        row_label=None,
        column=None,
        expected=None,
        actual=None,
        location="第二部分 情况说明",
    )
    similar = finding(
        rule="outlier-narrative-similarity",
        category="outlier",
        table_kind=None,
        row_label=None,
        column=None,
        actual=0.97,
        difference=None,
    )
    arithmetic = finding()
    matches = match_findings(*frames([copied], [similar, arithmetic]))
    assert matches.select("finding_id", "evidence").rows() == [(0, "document")]


def test_evaluate_recall_and_unmatched_per_rule() -> None:
    labels = [
        label(),
        label(
            kind="missing_table",
            table_kind="three_public_expenses",
            row_label=None,
            column=None,
            expected=None,
            actual=None,
            location="2025 年“三公”经费支出表",
        ),
    ]
    findings = [
        finding(),
        finding(row_label="行政运行", actual=5.0, difference=1.0),
        finding(path=OTHER, rule="code-hierarchy-sum"),
    ]
    result = evaluate(*frames(labels, findings))
    assert result.by_kind.rows() == [("arithmetic", 1, 1, 0, 1.0), ("missing_table", 1, 0, 1, 0.0)]
    by_rule = {r["rule"]: r for r in result.by_rule.iter_rows(named=True)}
    assert (by_rule["sum-total-row"]["matched"], by_rule["sum-total-row"]["unmatched"]) == (1, 1)
    assert by_rule["code-hierarchy-sum"]["unmatched_unlabelled_docs"] == 1
    assert result.summary["recall"] == 0.5
    assert result.summary["unmatched_findings"] == 2
    assert result.summary["unmatched_on_unlabelled_documents"] == 1


def test_clean_district_counts_every_finding_as_false_alarm() -> None:
    labels = pl.DataFrame(schema={"path": pl.Utf8, "kind": pl.Utf8})
    result = evaluate(labels, pl.DataFrame([finding(), finding(rule="row-identity")]))
    assert result.by_kind.is_empty() and result.summary["recall"] is None
    assert result.summary["unmatched_on_unlabelled_documents"] == 2


def test_findings_files_in_any_format(tmp_path: Path) -> None:
    df = pl.DataFrame([finding()])
    df.write_parquet(tmp_path / "f.parquet")
    df.write_csv(tmp_path / "f.csv")
    (tmp_path / "f.json").write_text(json.dumps(df.to_dicts(), ensure_ascii=False), encoding="utf-8")
    df.write_ndjson(tmp_path / "f.jsonl")
    for name in ("f.parquet", "f.csv", "f.json", "f.jsonl"):
        assert read_frame(tmp_path / name)["rule"].to_list() == ["sum-total-row"], name
    with pytest.raises(ValueError):
        read_frame(tmp_path / "f.txt")


def test_synth_then_evaluate_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "district"
    result = runner.invoke(
        synth_command,
        ["--out", str(out), "--departments", "6", "--years", "2024,2025", "--anomaly-rate", "1", "--seed", "4"],
    )
    assert result.exit_code == 0, result.output
    labels = pl.read_parquet(out / "labels.parquet")
    assert labels.height >= 12 and (out / "text" / "2025").is_dir()
    # A detector that reports exactly the planted anomalies, with absolute paths.
    categories = {kind: rules.categories[0] for kind, rules in kind_rules().items()}
    perfect = labels.select(
        path=pl.lit(str(out) + "/") + pl.col("path"),
        rule=pl.lit("oracle"),
        category=pl.col("kind").replace_strict(categories),
        table_kind="table_kind",
        row_label="row_label",
        column="column",
        expected="expected",
        actual="actual",
        difference=pl.col("actual") - pl.col("expected"),
        excerpt="location",
    )
    perfect.write_parquet(tmp_path / "findings.parquet")
    result = runner.invoke(
        evaluate_command,
        ["--labels", str(out / "labels.parquet"), str(tmp_path / "findings.parquet"), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["summary"]["recall"] == 1.0 and report["summary"]["unmatched_findings"] == 0
    table = runner.invoke(
        evaluate_command, ["--labels", str(out / "labels.parquet"), str(tmp_path / "findings.parquet")]
    )
    assert table.exit_code == 0 and "recall" in table.output and "oracle" in table.output


def test_synth_command_rejects_bad_arguments(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_format = runner.invoke(synth_command, ["--out", str(tmp_path), "--formats", "docx"])
    assert bad_format.exit_code == 2 and "docx" in bad_format.output
    bad_rate = runner.invoke(synth_command, ["--out", str(tmp_path), "--anomaly-rate", "1.5"])
    assert bad_rate.exit_code == 2
    bad_years = runner.invoke(synth_command, ["--out", str(tmp_path), "--years", "2024,next"])
    assert bad_years.exit_code == 2
