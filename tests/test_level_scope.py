"""Level- and scope-aware comparisons (issue 11 point 3), on documents written here: a figure is
compared only with a figure of the same classification level and the same funds."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis.check import run_checks
from analysis.extract import extract_paths

SUMMARY = """
## 2025年部门收支总表

单位：万元

收入\t\t支出\t
项目\t金额\t项目\t金额
一、一般公共预算\t110.00\t一、一般公共服务\t130.00
二、政府性基金预算\t20.00\t\t
本年收入合计\t130.00\t本年支出合计\t130.00
收入总计\t130.00\t支出总计\t130.00
"""

ALL_FUNDS = """
## 2025年部门支出总表

单位：万元

科目编码\t\t\t科目名称\t合计\t基本支出\t项目支出
类\t款\t项\t\t\t\t
\t\t\t合计\t130.00\t110.00\t20.00
201\t\t\t一般公共服务支出\t130.00\t110.00\t20.00
201\t03\t01\t行政运行\t110.00\t110.00\t
201\t03\t99\t其他政府办公厅（室）及相关机构事务支出\t20.00\t\t20.00
"""

GENERAL = """
## 2025年一般公共预算支出表

单位：万元

科目编码\t\t\t科目名称\t合计\t基本支出\t项目支出
类\t款\t项\t\t\t\t
\t\t\t合计\t110.00\t110.00\t
201\t\t\t一般公共服务支出\t110.00\t110.00\t
201\t03\t01\t行政运行\t110.00\t110.00\t
"""


def _findings(folder: Path, narrative: str, tables: str, rule: str) -> pl.DataFrame:
    path = folder / "示范局2025年部门预算.txt"
    path.write_text(f"# 示范市示范局2025年度部门预算\n\n{narrative}\n{tables}", encoding="utf-8")
    findings, _ = run_checks(extract_paths([path]), rules=[rule])
    return findings.filter(pl.col("severity") == "error")


def test_all_funds_class_amount_is_compared_with_the_all_funds_table(tmp_path):
    narrative = "## 三、支出预算总体情况说明\n\n按支出功能分类：一般公共服务支出130.00万元。\n"
    assert _findings(tmp_path, narrative, SUMMARY + ALL_FUNDS + GENERAL, "narrative-class-amount").is_empty()
    wrong = narrative.replace("130.00万元", "125.00万元")
    [row] = _findings(tmp_path, wrong, SUMMARY + ALL_FUNDS + GENERAL, "narrative-class-amount").rows(named=True)
    assert row["expected"] == 130.0 and row["table_kind"] == "expenditure_summary"


def test_general_budget_class_amount_is_compared_with_the_general_budget_table(tmp_path):
    narrative = "## 五、一般公共预算支出情况说明\n\n按支出功能分类：一般公共服务支出110.00万元。\n"
    assert _findings(tmp_path, narrative, SUMMARY + ALL_FUNDS + GENERAL, "narrative-class-amount").is_empty()


def test_all_funds_amount_without_an_all_funds_table_is_not_compared(tmp_path):
    # 政府性基金 income makes all funds ≠ 一般公共预算: the general table cannot judge 130.00
    narrative = "## 三、支出预算总体情况说明\n\n按支出功能分类：一般公共服务支出130.00万元。\n"
    assert _findings(tmp_path, narrative, SUMMARY + GENERAL, "narrative-class-amount").is_empty()


def test_total_row_against_the_highest_printed_level_of_each_branch(tmp_path):
    # 201 printed with its own 类 row; 208 printed as 款 rows only (no 类 row): the 合计 is the
    # 类 row of 201 plus the 款 rows of 208, never the 类 rows alone
    table = """
## 2025年一般公共预算支出表

单位：万元

科目编码\t\t\t科目名称\t合计\t基本支出\t项目支出
类\t款\t项\t\t\t\t
\t\t\t合计\t150.00\t150.00\t
201\t\t\t一般公共服务支出\t110.00\t110.00\t
201\t03\t\t政府办公厅（室）及相关机构事务\t110.00\t110.00\t
201\t03\t01\t行政运行\t110.00\t110.00\t
208\t05\t\t行政事业单位养老支出\t40.00\t40.00\t
208\t05\t05\t机关事业单位基本养老保险缴费支出\t40.00\t40.00\t
"""
    assert _findings(tmp_path, "", table, "code-hierarchy-sum").is_empty()
    broken = table.replace("\t\t\t合计\t150.00\t150.00", "\t\t\t合计\t160.00\t160.00")
    assert not _findings(tmp_path, "", broken, "code-hierarchy-sum").is_empty()


def _rate_doc(folder: Path, sentence: str) -> Path:
    path = folder / "示范局2025年部门预算.txt"
    path.write_text(
        f"# 示范市示范局2025年度部门预算\n\n## 一、收入支出预算总体情况说明\n\n{sentence}\n{SUMMARY}", encoding="utf-8"
    )
    return path


def _rate_errors(folder: Path, sentence: str) -> list[str]:
    findings, _ = run_checks(
        extract_paths([_rate_doc(folder, sentence)]), rules=["change-amount-rate-mismatch", "yoy-percent-base"]
    )
    return findings.filter(pl.col("severity") == "error")["message"].to_list()


def test_rate_on_a_small_base_within_the_printed_precision(tmp_path):
    # 0.62 now, +0.31: the base is 0.30–0.32 at the printed precision, so 95–105 % all fit
    assert _rate_errors(tmp_path, "示范局2025年收入总计0.62万元，与2024年相比，收入增加0.31万元，增长103.23%。") == []
    assert _rate_errors(tmp_path, "示范局2025年收入总计0.62万元，与2024年相比，收入增加0.31万元，增长120.00%。")


def test_rate_on_a_comparable_base_is_not_an_error(tmp_path):
    sentence = "示范局2025年收入总计130.00万元，与2024年相比，收入增加30.00万元，按可比口径增长25.00%。"
    assert _rate_errors(tmp_path, sentence) == []


def test_balance_counts_a_carry_over_row_printed_with_an_ordinal(tmp_path):
    table = """
## 2025年部门收支总表

单位：万元

收入\t\t支出\t
项目\t金额\t项目\t金额
一、一般公共预算\t100.00\t一、一般公共服务\t130.00
本年收入合计\t100.00\t本年支出合计\t130.00
二、年初结转和结余\t30.00\t\t
收入总计\t130.00\t支出总计\t130.00
"""
    assert _findings(tmp_path, "", table, "two-sided-balance").is_empty()
    assert not _findings(
        tmp_path, "", table.replace("二、年初结转和结余\t30.00", "二、年初结转和结余\t20.00"), "two-sided-balance"
    ).is_empty()


def test_final_account_three_public_total_is_the_final_column(tmp_path):
    # a 三公 table printed with the items as rows and 预算数 | 决算数 as columns: the budget column
    # is not spending, and the document's 三公 figure is the 决算数
    path = tmp_path / "示范局2024年度部门决算.txt"
    path.write_text(
        "# 示范市示范局2024年度部门决算\n\n## 财政拨款“三公”经费支出决算表\n\n单位：万元\n\n"
        "项目\t预算数\t决算数\n合计\t12.00\t8.50\n1、因公出国（境）费\t2.00\t0.00\n"
        "2、公务用车购置及运行维护费\t6.00\t5.50\n3、公务接待费\t4.00\t3.00\n",
        encoding="utf-8",
    )
    frames = extract_paths([path])
    document = frames["documents"].row(0, named=True)
    assert document["doc_type"] == "final_account" and document["three_public_total"] == 8.5
    budget = frames["line_items"].filter(pl.col("raw_value") == "12.00")["column"].to_list()
    assert budget == ["budget_amount"]
