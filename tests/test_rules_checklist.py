"""Stated sums and the checklist rules of issue 12: each with an invented defect, and a clean
document on which none of them fires."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analysis.check import run_checks
from analysis.extract import extract_paths
from analysis.sentences.sums import sentence_sums

TEXT_RULES = [
    "text-sum-parts-exceed",
    "text-sum-short",
    "zero-amount-changed",
    "unit-document-department-words",
    "comparison-year-wrong",
    "year-end-date-wrong",
    "repeated-word",
    "unbalanced-marks",
    "missing-full-stop",
    "class-code-unknown",
]

CLEAN = """标题：2025年度东湖区统计局部门预算说明
一、收入支出预算总体情况
2025年收入合计1000.00万元，其中：一般公共预算拨款900.00万元，政府性基金拨款100.00万元。
支出合计1000.00万元，其中：基本支出600.00万元（其中人员经费500.00万元），项目支出400.00万元，比上年增加50.00万元。
“三公”经费合计30.00万元，因公出国（境）费、公务用车购置及运行费、公务接待费分别为0万元、20.00万元、10.00万元。
公务接待费10.00万元，比上年减少2.00万元。政府性基金支出0万元，比上年减少35.00万元。
机关运行经费80.00万元，比2024年增加5.00万元，主要原因是办公用房维修。
二、一般公共预算支出情况
（一）2010501行政运行（统计信息事务）300.00万元，主要用于保障机关正常运转。
三、其他重要事项的情况说明
截至2024年12月31日，本部门共有车辆3辆（含下属单位），均为一般公务用车。
本部门预算资金主要用于保障机关正常运转，落实各项重点工作。
四、名词解释
基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。
"""


def check(tmp_path: Path, text: str, name: str = "说明.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    findings, evaluations = run_checks(extract_paths([path]), rules=TEXT_RULES)
    return findings, dict(zip(evaluations["rule"], evaluations["status"]))


def test_clean_document_passes_every_checklist_rule(tmp_path):
    findings, status = check(tmp_path, CLEAN)
    assert findings.is_empty(), findings.select("rule", "message").rows()
    assert status["text-sum-parts-exceed"] == status["text-sum-short"] == "passed"
    assert status["unit-document-department-words"] == "not_evaluated"  # a 部门 document


@pytest.mark.parametrize(
    "old, new, rule, severity",
    [
        ("收入合计1000.00万元", "收入合计900.00万元", "text-sum-parts-exceed", "error"),
        ("“三公”经费合计30.00万元", "“三公”经费合计36.00万元", "text-sum-short", "warning"),
        (
            "公务接待费10.00万元，比上年减少2.00万元",
            "公务接待费0万元，比上年增加356.20万元",
            "zero-amount-changed",
            "error",
        ),
        ("比上年减少35.00万元", "比上年增加持平", "zero-amount-changed", "error"),
        ("比2024年增加5.00万元", "比2025年增加5.00万元", "comparison-year-wrong", "warning"),
        ("截至2024年12月31日", "截至2025年12月31日", "year-end-date-wrong", "warning"),
        ("主要用于保障机关正常运转，落实", "主要用于主要用于保障机关正常运转，落实", "repeated-word", "info"),
        ("（含下属单位）", "（含下属单位", "unbalanced-marks", "info"),
        ("落实各项重点工作。", "落实各项重点工作", "missing-full-stop", "info"),
        ("（一）2010501行政运行", "（一）2710501行政运行", "class-code-unknown", "error"),
    ],
)
def test_planted_defect_is_found(tmp_path, old, new, rule, severity):
    assert old in CLEAN
    findings, _ = check(tmp_path, CLEAN.replace(old, new, 1))
    assert findings["rule"].to_list() == [rule], findings.select("rule", "message").rows()
    assert findings["severity"][0] == severity and findings["line"][0] is not None


def test_unit_document_speaking_of_department_budget(tmp_path):
    text = CLEAN.replace("部门预算说明", "单位预算说明").replace("本部门预算资金", "部门预算安排资金")
    findings, _ = check(tmp_path, text)
    assert findings["rule"].to_list() == ["unit-document-department-words"]


def test_final_account_compares_with_budget_of_the_same_year(tmp_path):
    text = (
        CLEAN.replace("部门预算说明", "部门决算说明")
        .replace("截至2024年", "截至2025年")
        .replace("比2024年增加5.00万元", "比2025年预算增加5.00万元")
    )
    findings, _ = check(tmp_path, text)
    assert findings.is_empty(), findings.select("rule", "message").rows()


def test_stated_sums_are_read():
    [s] = sentence_sums("财政拨款收入1924.09 万元，其中政府性基金 2074.07 万元。")
    assert (s.total.value, [p.value for _, p in s.parts]) == (1924.09, [2074.07])
    [s] = sentence_sums("支出1000.00万元，其中：基本支出600.00万元（其中人员经费500.00万元），项目支出400.00万元。")
    assert [name for name, _ in s.parts] == ["基本支出", "项目支出"]
    [s] = sentence_sums(
        "收入预算为2221.66万元，其中：一般公共预算拨款2221.66万元，相应安排支出预算2221.66万元，其中：人员支出100万元。"
    )[:1]
    assert [p.value for _, p in s.parts] == [2221.66]  # a new 支出 total is no part of the 收入 total
    [s] = sentence_sums(
        "“三公”经费合计30.00万元，因公出国（境）费、公务用车购置及运行费、公务接待费分别为0万元、20.00万元、12.00万元。"
    )
    assert s.respectively and [p.value for _, p in s.parts] == [0, 20, 12]
    assert sentence_sums("支出1000万元，比上年增加100万元，增长11.1%。") == []


DEMO = Path(__file__).resolve().parents[1] / "src" / "analysis" / "demo" / "东湖区文化和旅游局2025年部门预算.txt"
TABLE_RULES = ["three-public-table-blank", "empty-table-note-fund", "income-expenditure-codes", "class-code-unknown"]
EXTRA_TABLES = """
## 2025年部门收入总体情况表

单位：万元

科目编码\t\t\t科目名称\t合计\t一般公共预算拨款\t政府性基金拨款
类\t款\t项
\t\t\t合计\t346.20\t346.20\t
207\t01\t01\t行政运行\t179.20\t179.20\t
207\t01\t09\t群众文化\t120.00\t120.00\t
207\t02\t04\t文物保护\t35.00\t35.00\t
207\t01\t99\t其他文化和旅游支出\t12.00\t12.00\t

## 2025年政府性基金预算支出表

单位：万元

科目编码\t科目名称\t合计\t基本支出\t项目支出
合计\t\t\t\t

注：本部门无政府性基金预算支出。
"""


def check_tables(tmp_path: Path, replace=()):
    text = DEMO.read_text(encoding="utf-8") + EXTRA_TABLES
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "budget.txt"
    path.write_text(text, encoding="utf-8")
    findings, evaluations = run_checks(extract_paths([path]), rules=TABLE_RULES)
    return findings, dict(zip(evaluations["rule"], evaluations["status"]))


def test_table_checklist_rules_pass_on_a_consistent_document(tmp_path):
    findings, status = check_tables(tmp_path)
    assert findings.is_empty(), findings.select("rule", "message").rows()
    assert set(status.values()) == {"passed"}


@pytest.mark.parametrize(
    "old, new, rule, severity",
    [
        ("3.20\t\t2.00\t\t2.00\t1.20", "\t\t\t\t\t", "three-public-table-blank", "error"),
        ("注：本部门无政府性基金预算支出。", "注：本部门无国有资本经营预算支出。", "empty-table-note-fund", "error"),
        (
            "207\t02\t04\t文物保护\t35.00\t35.00\t",
            "207\t02\t06\t文物保护\t35.00\t35.00\t",
            "income-expenditure-codes",
            "warning",
        ),
        (
            "207\t01\t99\t其他文化和旅游支出\t12.00\t12.00",
            "277\t01\t99\t其他文化和旅游支出\t12.00\t12.00",
            "class-code-unknown",
            "error",
        ),
    ],
)
def test_table_checklist_defect_is_found(tmp_path, old, new, rule, severity):
    findings, _ = check_tables(tmp_path, [(old, new)])
    found = findings.filter(pl.col("rule") == rule)
    assert found.height >= 1 and set(found["severity"]) == {severity}, findings.select("rule", "message").rows()
    # a changed code also leaves the other table without it: income-expenditure-codes may join
    assert set(findings["rule"]) <= {rule, "income-expenditure-codes"}, findings.select("rule", "message").rows()
