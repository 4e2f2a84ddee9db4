"""Rate sentences (issue 12 point 2): invented narrative-only documents, one defect each, and a
clean document that must give no finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.check import run_checks
from analysis.extract import extract_paths
from analysis.sentences.rates import sentence_rates

RATE_RULES = [
    "rate-sentence-recompute",
    "budget-execution-rate",
    "budget-comparison-word",
    "final-completion-rate",
    "final-direction-word",
]
"""On a 决算 the final-account rules own the 完成率 and 决算数大于/小于预算数 statements they read
(one problem, one finding); budget-execution-rate and budget-comparison-word take the rest."""

CLEAN = """标题：2024年度东湖区水务局部门决算说明
一、收入支出决算总体情况
2024年度收入总计1200.50万元，支出总计1200.50万元。
基本支出由上年的820.40万元减少到702.15万元，减少118.25万元，下降14.41%。
项目支出498.35万元，较上年决算数减少3.55万元，降幅0.71%。
一般公共预算财政拨款支出年初预算为903.27万元，支出决算为877.64万元，完成年初预算的97.16%，决算数小于预算数。
“三公”经费支出由2023年的50.00万元增加到60.00万元，增长20%。
政府性基金支出年初预算为0万元，支出决算为0万元，决算数等于预算数。
"""


def check(tmp_path: Path, text: str, rules=RATE_RULES, name="说明.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    frames = extract_paths([path])
    findings, evaluations = run_checks(frames, rules=rules)
    return frames["documents"], findings, dict(zip(evaluations["rule"], evaluations["status"]))


def test_clean_narrative_only_document_passes(tmp_path):
    documents, findings, status = check(tmp_path, CLEAN)
    assert documents["status"].to_list() == ["narrative_only"]
    assert findings.is_empty(), findings.select("rule", "message").rows()
    assert status["rate-sentence-recompute"] == status["final-completion-rate"] == "passed"
    assert status["final-direction-word"] == "passed" and "failed" not in status.values()


@pytest.mark.parametrize(
    "old, new, rule, expected",
    [
        ("减少118.25万元，下降14.41%", "减少118.25万元，下降1.44%", "rate-sentence-recompute", 14.41),  # factor ten
        ("下降14.41%", "下降41.41%", "rate-sentence-recompute", 14.41),
        ("降幅0.71%", "降幅7.10%", "rate-sentence-recompute", 0.71),
        ("减少118.25万元", "减少128.25万元", "rate-sentence-recompute", 118.25),
        ("减少到702.15万元", "增加到702.15万元", "rate-sentence-recompute", None),
        ("增长20%", "增长25%", "rate-sentence-recompute", 20.0),
        ("完成年初预算的97.16%", "完成年初预算的95.16%", "final-completion-rate", 97.16),
        ("决算数小于预算数", "决算数大于预算数", "final-direction-word", None),
    ],
)
def test_planted_rate_defect_is_an_error(tmp_path, old, new, rule, expected):
    assert old in CLEAN
    _, findings, _ = check(tmp_path, CLEAN.replace(old, new, 1))
    assert findings["rule"].to_list() == [rule], findings.select("rule", "message").rows()
    row = findings.row(0, named=True)
    assert row["severity"] == "error" and row["line"] is not None and row["excerpt"]
    if expected is not None:
        assert row["expected"] == pytest.approx(expected, abs=0.01)


def test_difference_printed_as_percentage_is_named(tmp_path):
    text = CLEAN.replace(
        "年初预算为903.27万元，支出决算为877.64万元，完成年初预算的97.16%，决算数小于预算数",
        "年初预算数472.9万元，支出决算为500.12万元，完成年初预算的27.22%",
    )
    _, findings, _ = check(tmp_path, text)
    assert findings["rule"].to_list() == ["budget-execution-rate"]
    assert "两数之差" in findings["message"][0] and findings["expected"][0] == pytest.approx(105.76, abs=0.01)


def test_rounding_of_the_printed_figures_is_not_an_error(tmp_path):
    # 9 printed without decimals stands for 8.5–9.5: 40.17% is reachable, so no finding
    text = CLEAN + "会议费由上年的22.51万元增加到31.5万元，增加9万元，增长39.9%。\n"
    _, findings, _ = check(tmp_path, text)
    assert findings.is_empty(), findings.select("rule", "message").rows()


def test_sentence_forms_are_parsed():
    [s] = sentence_rates("支出由上年的820.40万元减少到702.15万元，减少1.44%。")
    assert (s.previous.value, s.current.value, s.rate.value, s.to_form, s.base) == (
        820.40,
        702.15,
        1.44,
        True,
        "previous",
    )
    [s] = sentence_rates("年初预算为903.27万元，支出决算为877.64万元，决算数大于预算数。")
    assert (s.base, s.previous.value, s.current.value, s.comparison) == ("budget", 903.27, 877.64, "大于")
    [s] = sentence_rates("财政拨款支出年初预算数472.9万元，决算数500.12万元，完成年初预算的27.22%。")
    assert s.ratio.value == 27.22 and s.base == "budget"
    [s] = sentence_rates("办公费支出35.20万元，同比下降12.5%，减少5.03万元。")
    assert (s.current.value, s.rate.value, s.rate.word, s.change.value) == (35.20, 12.5, "下降", 5.03)
    assert sentence_rates("人员经费占基本支出的62.50%。") == []


F07_DOCUMENT = (
    "标题：2024年度东湖区统计局部门决算说明\n一、“三公”经费财政拨款支出决算情况说明\n"
    "2024年度“三公”经费财政拨款支出年初预算为2.85万元，支出决算为0.39万元，完成预算的13.68%。"
    "其中：公务接待费支出年初预算为2.85万元，支出决算为0.39万元，完成预算的13.68%。\n\n"
    "2024年度一般公共预算财政拨款“三公”经费支出决算表\n\n单位：万元\n\n"
    "预算数\t\t\t\t\t\t决算数\t\t\t\t\t\n"
    "合计\t因公出国（境）费\t公务用车购置及运行费\t\t\t公务接待费\t合计\t因公出国（境）费\t公务用车购置及运行费\t\t\t公务接待费\n"
    "\t\t小计\t公务用车购置费\t公务用车运行费\t\t\t\t小计\t公务用车购置费\t公务用车运行费\t\n"
    "2.85\t0.00\t0.00\t0.00\t0.00\t2.85\t0.39\t0.00\t0.00\t0.00\t0.00\t0.39\n"
)


def test_three_public_sentence_agrees_with_its_table(tmp_path):
    _, findings, status = check(tmp_path, F07_DOCUMENT, rules=["rate-sentence-tables"])
    assert findings.is_empty() and status == {"rate-sentence-tables": "passed"}


@pytest.mark.parametrize(
    "old, new, column, expected",
    [
        # a rate printed without its budget amount: only the table can judge it
        (
            "公务接待费支出年初预算为2.85万元，支出决算为0.39万元，完成预算的13.68%",
            "公务接待费支出决算为0.39万元，完成预算的31.68%",
            "ratio",
            13.68,
        ),
        ("公务接待费支出年初预算为2.85万元", "公务接待费支出年初预算为3.85万元", "budget_reception", 2.85),
    ],
)
def test_three_public_sentence_differs_from_its_table(tmp_path, old, new, column, expected):
    _, findings, _ = check(tmp_path, F07_DOCUMENT.replace(old, new, 1), rules=["rate-sentence-tables"])
    assert findings["column"].to_list() == [column], findings.select("message").rows()
    assert findings["expected"][0] == pytest.approx(expected) and findings["severity"][0] == "error"


def test_a_rate_beside_its_own_amounts_is_judged_once_from_them(tmp_path):
    text = F07_DOCUMENT.replace(
        "公务接待费支出年初预算为2.85万元，支出决算为0.39万元，完成预算的13.68%",
        "公务接待费支出年初预算为2.85万元，支出决算为0.39万元，完成预算的31.68%",
        1,
    )
    _, findings, _ = check(tmp_path, text, rules=["rate-sentence-tables", *RATE_RULES])
    assert findings["rule"].to_list() == ["final-completion-rate"], findings.select("rule", "message").rows()


def test_outside_a_final_account_the_rate_rules_judge_execution_statements(tmp_path):
    """A 预算说明 reporting last year's execution has no final-account rules to defer to."""
    text = (
        "标题：2025年度东湖区水务局部门预算说明\n一、上年预算执行情况\n"
        "2024年一般公共预算财政拨款支出年初预算为903.27万元，支出决算为877.64万元，"
        "完成年初预算的95.16%，决算数大于预算数。\n"
    )
    documents, findings, _ = check(tmp_path, text)
    assert documents["doc_type"].to_list() == ["budget"]
    assert sorted(findings["rule"].to_list()) == ["budget-comparison-word", "budget-execution-rate"]
