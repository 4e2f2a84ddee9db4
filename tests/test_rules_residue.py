"""Template residue (government-level-word, obsolete-class-name, duplicated-list-item,
doubled-punctuation, template-instruction, zero-change-boilerplate) and the existing
template-placeholder and table-title-year rules: each fires on a minimal document with the
defect and stays silent on the clean one (DOMAIN.md §4 E1–E7)."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.check import run_checks
from analysis.departments import name_level
from analysis.extract import extract_paths
from test_rules_narrative import check, messages

_ANCHOR = "2025年财政拨款收支总预算300.00万元，均为一般公共预算。"


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("新乡市红旗区政务服务和大数据管理局", "county"),
        ("上海市普陀区人民政府万里街道办事处", "subdistrict"),
        ("中共上海市普陀区委社会工作部", "county"),
        ("江苏省人大常委会办公厅", "province"),
        ("上海市财政局", "city"),
        ("部门名称：示范县城关镇人民政府", "township"),
        ("北京市社区服务中心", "city"),
        ("政府采购", None),
    ],
)
def test_department_level(name, level):
    found = name_level(name)
    assert (found["name"] if found else None) == level


def test_higher_level_finance_in_a_district_document(tmp_path):
    findings, _ = check(tmp_path, ["government-level-word"], [("区级财政当年拨付", "市级财政当年拨付")])
    [message] = messages(findings, "government-level-word", "warning")
    assert "市级财政" in message and "区县级" in message


def test_own_level_and_upper_level_subsidies_pass(tmp_path):
    extra = "本部门另获市级财政补助资金0万元。"
    findings, status = check(tmp_path, ["government-level-word"], [(_ANCHOR, _ANCHOR + extra)])
    assert findings.is_empty() and status["government-level-word"] == "passed"


def test_obsolete_function_name_in_the_narrative(tmp_path):
    extra = "按功能分类，医疗卫生与计划生育支出0万元。"
    findings, _ = check(tmp_path, ["obsolete-class-name"], [(_ANCHOR, _ANCHOR + extra)])
    [message] = messages(findings, "obsolete-class-name", "warning")
    assert "医疗卫生与计划生育支出" in message and "卫生健康支出" in message and "2025" in message


def test_obsolete_function_name_as_a_table_row(tmp_path):
    row = "2010102\t一般行政管理事务\t100.00\t\t100.00\n\n## 2025年一般公共预算基本支出表"
    findings, _ = check(
        tmp_path,
        ["obsolete-class-name"],
        [(row, "2100101\t医疗卫生与计划生育管理事务\t100.00\t\t100.00\n\n## 2025年一般公共预算基本支出表")],
    )
    assert any("《2025年一般公共预算支出表》" in m for m in messages(findings, "obsolete-class-name"))


def test_current_names_pass(tmp_path):
    extra = "按功能分类，卫生健康支出0万元；扶贫工作经费0万元。"
    findings, status = check(tmp_path, ["obsolete-class-name"], [(_ANCHOR, _ANCHOR + extra)])
    assert findings.is_empty() and status["obsolete-class-name"] == "passed"


def test_same_source_listed_twice(tmp_path):
    findings, _ = check(tmp_path, ["duplicated-list-item"], [("国有资本经营预算0万元", "政府性基金收入0万元")])
    [message] = messages(findings, "duplicated-list-item", "warning")
    assert "政府性基金预算0万元" in message and "政府性基金收入0万元" in message


def test_word_repeated_in_an_enumeration(tmp_path):
    extra = "公用经费包括办公费、邮电费、办公费、差旅费。"
    findings, _ = check(tmp_path, ["duplicated-list-item"], [(_ANCHOR, _ANCHOR + extra)])
    assert any("办公费" in m for m in messages(findings, "duplicated-list-item"))


def test_distinct_list_items_pass(tmp_path):
    findings, status = check(tmp_path, ["duplicated-list-item"])
    assert findings.is_empty() and status["duplicated-list-item"] == "passed"


def test_doubled_and_missing_punctuation(tmp_path):
    findings, _ = check(
        tmp_path,
        ["doubled-punctuation"],
        [
            ("均为一般公共预算。", "均为一般公共预算。。"),
            ("机关运行经费预算20.00万元。", "机关运行经费预算20.00万元 2025年"),
        ],
    )
    found = messages(findings, "doubled-punctuation", "info")
    assert any("。。" in m for m in found) and any("缺少标点" in m for m in found)


def test_clean_punctuation_passes(tmp_path):
    findings, status = check(tmp_path, ["doubled-punctuation"])
    assert findings.is_empty() and status["doubled-punctuation"] == "passed"


def test_template_instruction_left_under_a_table(tmp_path):
    findings, _ = check(
        tmp_path,
        ["template-instruction"],
        [
            (
                "注：本部门无国有资本经营预算支出。",
                "注：无国有资本经营预算支出的，仍保留该表格式，并在本表下方作下述说明：本部门无国有资本经营预算支出。",
            )
        ],
    )
    [message] = messages(findings, "template-instruction", "warning")
    assert "仍保留该表格式" in message


def test_no_template_instruction_passes(tmp_path):
    findings, status = check(tmp_path, ["template-instruction"])
    assert findings.is_empty() and status["template-instruction"] == "passed"


def test_zero_change_written_as_an_increase_with_a_reason(tmp_path):
    extra = "政府性基金预算比2024年增加0万元，主要原因是严格控制支出。"
    findings, _ = check(tmp_path, ["zero-change-boilerplate"], [(_ANCHOR, _ANCHOR + extra)])
    [message] = messages(findings, "zero-change-boilerplate", "warning")
    assert "持平" in message and "原因" in message


def test_usage_described_for_a_zero_item(tmp_path):
    findings, _ = check(
        tmp_path,
        ["zero-change-boilerplate"],
        [("因公出国（境）费0万元；", "因公出国（境）费0万元，主要用于出国考察；")],
    )
    [message] = messages(findings, "zero-change-boilerplate")
    assert "主要用途" in message


def test_zero_items_without_boilerplate_pass(tmp_path):
    extra = "政府性基金预算与2024年持平，均为0万元。公务接待费1.00万元（含外宾接待费0万元），主要用于接待考察。"
    findings, status = check(tmp_path, ["zero-change-boilerplate"], [(_ANCHOR, _ANCHOR + extra)])
    assert findings.is_empty() and status["zero-change-boilerplate"] == "passed"


@pytest.mark.parametrize(
    "defect",
    [
        ("收入增加20.00万元", "收入增加/减少20.00万元"),
        ("收入增加20.00万元", "收入增加（减少）20.00万元"),
        ("机关运行经费预算20.00万元", "机关运行经费预算万元"),
        ("主要原因是业务量增加。", "主要原因是。"),
    ],
)
def test_template_placeholder(tmp_path, defect):
    findings, _ = check(tmp_path, ["template-placeholder"], [defect])
    assert len(messages(findings, "template-placeholder", "error")) == 1


def test_filled_template_passes(tmp_path):
    findings, status = check(tmp_path, ["template-placeholder"])
    assert findings.is_empty() and status["template-placeholder"] == "passed"


def test_table_title_with_another_year(tmp_path):
    findings, _ = check(
        tmp_path, ["table-title-year"], [("## 2025年政府性基金预算支出表", "## 2024年政府性基金预算支出表")]
    )
    [message] = messages(findings, "table-title-year", "error")
    assert "2024" in message and "2025" in message


def test_table_titles_with_the_document_year_pass(tmp_path):
    findings, status = check(tmp_path, ["table-title-year"])
    assert findings.is_empty() and status["table-title-year"] == "passed"


def test_seed_residue(seed_path):
    rules = ["government-level-word", "duplicated-list-item", "doubled-punctuation", "zero-change-boilerplate"]
    findings, _ = run_checks(extract_paths([seed_path]), rules=rules)
    assert sorted(findings.filter(pl.col("rule") == "government-level-word")["line"].to_list()) == [156, 172]
    assert any("政府性基金" in m for m in messages(findings, "duplicated-list-item"))
    assert any("；；" in m for m in messages(findings, "doubled-punctuation"))
    zero = messages(findings, "zero-change-boilerplate")
    assert any("因公出国" in m and "主要用途" in m for m in zero)
    assert any("减少0" in m and "原因" in m for m in zero)
