"""Rules that compare a change with the previous year's disclosure, the two direction words of
one change, and narrative amounts by 功能分类 class (fires / stays silent)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from analysis.check import run_checks
from analysis.extract import extract_paths

TABLES = """
## {year}年部门收支总表

单位：万元

收入\t\t支出\t
项目\t金额\t项目\t金额
一、一般公共预算\t{total}\t一、一般公共服务\t{total}
本年收入合计\t{total}\t本年支出合计\t{total}
收入总计\t{total}\t支出总计\t{total}

## {year}年一般公共预算支出表

单位：万元

科目编码\t\t\t科目名称\t合计\t基本支出\t项目支出
类\t款\t项\t\t\t\t
\t\t\t合计\t{total}\t{total}\t
201\t03\t01\t行政运行\t{total}\t{total}\t
"""


def _doc(folder: Path, year: int, total: str, sentence: str) -> Path:
    text = f"# 示范市某区某局{year}年度部门预算\n\n## 一、收入支出预算总体情况说明\n\n{sentence}\n" + TABLES.format(
        year=year, total=total
    )
    path = folder / f"某局{year}年部门预算.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _findings(paths: list[Path], rule: str) -> pl.DataFrame:
    findings, evaluations = run_checks(extract_paths(paths), rules=[rule])
    assert (evaluations["status"] != "not_evaluated").any(), evaluations
    return findings


def test_previous_year_change_direction(tmp_path):
    last = _doc(tmp_path, 2024, "100.00", "某局2024年收入总计100.00万元。")
    wrong = _doc(tmp_path, 2025, "110.00", "某局2025年收入总计110.00万元，与2024年相比，收入减少10.00万元。")
    found = _findings([last, wrong], "previous-year-change")
    assert found["severity"].to_list() == ["error"] and "实际增加 10.00" in found["message"][0]


def test_previous_year_change_silent_when_right(tmp_path):
    last = _doc(tmp_path, 2024, "100.00", "某局2024年收入总计100.00万元。")
    right = _doc(tmp_path, 2025, "110.00", "某局2025年收入总计110.00万元，与2024年相比，收入增加10.00万元。")
    assert _findings([last, right], "previous-year-change").is_empty()


def test_previous_year_change_not_evaluated_alone(tmp_path):
    only = _doc(tmp_path, 2025, "110.00", "某局2025年收入总计110.00万元，与2024年相比，收入减少10.00万元。")
    _, evaluations = run_checks(extract_paths([only]), rules=["previous-year-change"])
    assert evaluations["status"].to_list() == ["not_evaluated"]


def test_direction_words_agree(tmp_path):
    bad = _doc(tmp_path, 2025, "110.00", "某局2025年收入总计110.00万元，收入减少10.00万元，增长10.00%。")
    assert _findings([bad], "direction-words-agree").height == 1
    good = _doc(
        tmp_path / ".." / tmp_path.name, 2025, "110.00", "某局2025年收入总计110.00万元，收入增加10.00万元，增长10.00%。"
    )
    assert _findings([good], "direction-words-agree").is_empty()


def test_narrative_class_amount(tmp_path):
    bad = _doc(tmp_path, 2025, "110.00", "按支出功能分类：一般公共服务支出 100.00 万元。")
    found = _findings([bad], "narrative-class-amount")
    assert found.height == 1 and found["expected"][0] == 110.0 and found["actual"][0] == 100.0
    good = _doc(tmp_path, 2025, "110.00", "按支出功能分类：一般公共服务支出 110.00 万元。")
    assert _findings([good], "narrative-class-amount").is_empty()


def test_change_amount_rate_mismatch(tmp_path):
    # 110 now, +10 → last year 100, so +10.00%; a stated 12.00% matches no wrong base either
    bad = _doc(tmp_path, 2025, "110.00", "某局2025年收入总计110.00万元，与2024年相比，收入增加10.00万元，增长12.00%。")
    found = _findings([bad], "change-amount-rate-mismatch")
    assert found.height == 1 and "10.00%" in found["message"][0]
    good = _doc(tmp_path, 2025, "110.00", "某局2025年收入总计110.00万元，与2024年相比，收入增加10.00万元，增长10.00%。")
    assert _findings([good], "change-amount-rate-mismatch").is_empty()
    wrong_base = _doc(
        tmp_path, 2025, "110.00", "某局2025年收入总计110.00万元，与2024年相比，收入增加10.00万元，增长9.09%。"
    )
    assert _findings([wrong_base], "change-amount-rate-mismatch").is_empty()  # D1: yoy-percent-base's case
    assert _findings([wrong_base], "yoy-percent-base").height == 1
