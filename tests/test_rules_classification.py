"""Classification rules (DOMAIN.md §3, §4 K): each fires on a small document that has the
defect and stays silent on one that does not; the seed's known classification defects are
found; clean documents (the demo and a synthetic district) give no error from any part-B rule."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import analysis.check.classification_rules  # registers the rules
import analysis.check.plausibility
import analysis.check.projects
import analysis.check.targets_rules  # noqa: F401
from analysis.check import RULES, run_checks
from analysis.check.context import DocContext
from analysis.check.tolerance import Tolerance
from analysis.extract import extract_paths
from analysis.read import discover
from analysis.schema import frame
from analysis.synth import generate

PART_B = sorted(
    r
    for r, spec in RULES.items()
    if spec.check.__module__.rsplit(".", 1)[-1] in {"classification_rules", "plausibility", "projects", "targets_rules"}
)

HEAD = "# 示范区{name}2024年度部门预算\n\n"

B03 = """## 2024年部门支出总体情况表

部门名称：示范区{name}

单位：万元

科目编码			单位代码	单位（科目名称）	合计	基本支出				项目支出		
						小计	人员经费		公用经费		小计	其他运转类	特定目标类
类	款	项					工资福利支出	对个人和家庭的补助	商品和服务支出	资本性支出			
			合计	{total}	{total}	{basic}	{wages}		{goods}		10.00	10.00	
		101	示范区{name}	{total}	{total}	{basic}	{wages}		{goods}		10.00	10.00	
{function_rows}
"""

B06 = """## 2024年一般公共预算基本支出表

部门名称：示范区{name}

单位：万元

部门预算支出经济分类科目		政府预算支出经济分类科目		本年一般公共预算基本支出		
科目编码	科目名称	科目编码	科目名称	合计	人员经费	公用经费
合计				{basic}	{wages}	{goods}
{economic_rows}
"""

ECONOMIC = (
    "30101\t基本工资\t50101\t工资奖金津补贴\t12.00\t12.00\t\n"
    "30108\t机关事业单位基本养老保险缴费\t50102\t社会保障缴费\t6.00\t6.00\t\n"
    "30201\t办公费\t50201\t办公经费\t2.00\t\t2.00"
)
FUNCTIONS = (
    "201\t05\t01\t\t行政运行\t14.00\t14.00\t12.00\t\t2.00\t\t\t\t\n"
    "208\t05\t05\t\t机关事业单位基本养老保险缴费支出\t6.00\t6.00\t6.00\t\t\t\t\t\t\n"
    "201\t05\t02\t\t一般行政管理事务\t10.00\t\t\t\t\t\t10.00\t10.00\t"
)


def document(
    name: str = "统计局",
    economic_rows: str = ECONOMIC,
    function_rows: str = FUNCTIONS,
    wages: str = "18.00",
    goods: str = "2.00",
) -> str:
    basic = f"{float(wages) + float(goods):.2f}"
    fields = {
        "name": name,
        "economic_rows": economic_rows,
        "function_rows": function_rows,
        "basic": basic,
        "wages": wages,
        "goods": goods,
        "total": f"{float(basic) + 10:.2f}",
    }
    return HEAD.format(**fields) + B03.format(**fields) + "\n" + B06.format(**fields)


def check(tmp_path: Path, text: str, rule: str) -> tuple[pl.DataFrame, str]:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    findings, evaluations = run_checks(extract_paths([path]), rules=[rule])
    return findings, evaluations["status"][0]


def test_the_clean_small_document_passes_every_classification_rule(tmp_path):
    for rule in (
        "classification-code-name",
        "classification-crosswalk",
        "wage-mapping-mixed",
        "personnel-items-function",
        "basic-class-membership",
        "performance-pay-in-organ",
    ):
        findings, status = check(tmp_path, document(), rule)
        assert findings.is_empty(), (rule, findings["message"].to_list())
        assert status == "passed", rule


def test_code_name_mismatch_is_an_error(tmp_path):
    rows = ECONOMIC.replace("30201\t办公费", "30201\t福利费")
    findings, _ = check(tmp_path, document(economic_rows=rows), "classification-code-name")
    assert findings["severity"].to_list() == ["error"]
    message = findings["message"][0]
    assert "30201" in message and "福利费" in message and "30229" in message and "办公费" in message


def test_function_code_name_mismatch_is_found(tmp_path):
    rows = FUNCTIONS.replace("201\t05\t01\t\t行政运行", "201\t05\t01\t\t事业运行")
    findings, _ = check(tmp_path, document(function_rows=rows), "classification-code-name")
    assert findings.height == 1 and "2010501" in findings["message"][0] and "事业运行" in findings["message"][0]


def _code_name_findings(year: int, **row) -> list[dict]:
    item = {
        "doc_id": "x",
        "table_index": 0,
        "row_index": 0,
        "table_kind": "general_budget_basic_expenditure",
        "table_title": "基本支出表",
        "row_role": "item",
        "column": "total",
        "amount": 1.0,
        "line": 9,
        **row,
    }
    ctx = DocContext(
        {"doc_id": "x", "fiscal_year": year, "department": "示范区统计局"},
        frame("line_items", [item]),
        frame("tables", []),
        frame("claims", []),
        frame("targets", []),
        frame("texts", []),
        Tolerance(),
    )
    return RULES["classification-code-name"].check(ctx)


def test_code_names_are_judged_by_the_catalogue_of_the_year():
    # 30311 was 住房公积金 until 2017 and is 代缴社会保险费 from 2018 (住房公积金 moved to 30113).
    assert _code_name_findings(2017, econ_code="30311", row_label="住房公积金") == []
    found = _code_name_findings(2024, econ_code="30311", row_label="住房公积金")
    assert len(found) == 1 and found[0]["severity"] == "error" and "30113" in found[0]["message"]


def test_government_economic_names_are_checked_when_printed_alone():
    found = _code_name_findings(2024, gov_econ_code="50205", row_label="办公经费")
    assert len(found) == 1 and "50201" in found[0]["message"] and "委托业务费" in found[0]["message"]
    assert _code_name_findings(2024, gov_econ_code="50205", row_label="委托业务费") == []


def test_name_of_a_child_code_is_only_a_warning():
    from analysis.check.classification_rules import _pair_problem

    severity, why = _pair_problem(
        "301", "津贴补贴", [{"name": "工资福利支出", "confidence": "checked"}], {"30102"}, {"30102": {"checked"}}
    )
    assert severity == "warning" and "不完整" in why
    severity, _ = _pair_problem(
        "30201", "福利费", [{"name": "办公费", "confidence": "checked"}], {"30229"}, {"30229": {"uncertain"}}
    )
    assert severity == "warning"


def test_crosswalk_violation_is_a_warning(tmp_path):
    rows = ECONOMIC.replace("30201\t办公费\t50201", "30201\t办公费\t50205")
    findings, _ = check(tmp_path, document(economic_rows=rows), "classification-crosswalk")
    assert findings["severity"].to_list() == ["warning"]
    assert "30201" in findings["message"][0] and "50205" in findings["message"][0] and "50201" in findings["message"][0]


def test_wage_lines_mapped_to_501_and_505_are_reported(tmp_path):
    rows = ECONOMIC + "\n30107\t绩效工资\t50501\t工资福利支出\t4.00\t4.00\t"
    findings, _ = check(tmp_path, document(economic_rows=rows, wages="22.00"), "wage-mapping-mixed")
    assert findings.height == 1
    assert "30107" in findings["message"][0] and "505" in findings["message"][0] and "501" in findings["message"][0]


def test_personnel_items_under_administrative_running_are_reported(tmp_path):
    rows = "201\t05\t01\t\t行政运行\t20.00\t20.00\t18.00\t\t2.00\t\t\t\t\n201\t05\t02\t\t一般行政管理事务\t10.00\t\t\t\t\t\t10.00\t10.00\t"
    findings, _ = check(tmp_path, document(function_rows=rows), "personnel-items-function")
    assert findings["severity"].to_list() == ["warning"]
    assert (
        "30108" in findings["message"][0]
        and "2080505" in findings["message"][0]
        and "2010501" in findings["message"][0]
    )


def test_personnel_line_in_the_public_column_is_an_error(tmp_path):
    rows = ECONOMIC.replace(
        "30101\t基本工资\t50101\t工资奖金津补贴\t12.00\t12.00\t",
        "30101\t基本工资\t50101\t工资奖金津补贴\t12.00\t10.00\t2.00",
    )
    findings, _ = check(tmp_path, document(economic_rows=rows, wages="16.00", goods="4.00"), "basic-class-membership")
    assert findings["severity"].to_list() == ["error"]
    assert "30101" in findings["message"][0] and "公用经费" in findings["message"][0]


def test_performance_pay_in_an_organ_is_reported_but_not_in_a_centre(tmp_path):
    rows = ECONOMIC + "\n30107\t绩效工资\t50101\t工资奖金津补贴\t4.00\t4.00\t"
    findings, _ = check(tmp_path, document(economic_rows=rows, wages="22.00"), "performance-pay-in-organ")
    assert findings.height == 1 and "30107" in findings["message"][0] and "示范区统计局" in findings["message"][0]
    findings, status = check(
        tmp_path, document(name="统计调查中心", economic_rows=rows, wages="22.00"), "performance-pay-in-organ"
    )
    assert findings.is_empty() and status == "passed"


def test_other_code_share_is_reported_as_info(tmp_path):
    rows = FUNCTIONS.replace("201\t05\t02\t\t一般行政管理事务", "201\t05\t99\t\t其他统计信息事务支出")
    findings, _ = check(tmp_path, document(function_rows=rows), "other-code-share")
    assert findings["severity"].to_list() == ["info"] and "2010599" in findings["message"][0]
    findings, status = check(tmp_path, document(), "other-code-share")
    assert findings.is_empty() and status == "passed"


@pytest.fixture(scope="module")
def seed_findings(seed_path):
    findings, _ = run_checks(extract_paths([seed_path]), rules=PART_B)
    return findings


def test_seed_classification_defects(seed_findings):
    by_rule = {r: seed_findings.filter(pl.col("rule") == r)["message"].to_list() for r in PART_B}
    assert any("30108" in m and "2010301" in m for m in by_rule["personnel-items-function"])
    assert any("30107" in m and "41.79" in m for m in by_rule["performance-pay-in-organ"])
    assert any("30107" in m for m in by_rule["wage-mapping-mixed"])
    assert any("47.78%" in m for m in by_rule["other-code-share"])
    assert by_rule["classification-code-name"] == [] and by_rule["classification-crosswalk"] == []
    assert by_rule["basic-class-membership"] == []


def test_seed_has_no_error_from_part_b_rules(seed_findings):
    assert seed_findings.filter(pl.col("severity") == "error").is_empty()


@pytest.fixture(scope="module")
def clean_paths(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clean")
    generate(folder, departments=3, years=(2024, 2025), formats=("text",), anomaly_rate=0, seed=1)
    demo = Path(__file__).resolve().parents[1] / "src" / "analysis" / "demo"
    return discover([folder / "text", demo])


def test_clean_documents_give_no_error_from_part_b_rules(clean_paths):
    findings, evaluations = run_checks(extract_paths(clean_paths), rules=PART_B)
    errors = findings.filter(pl.col("severity") == "error")
    assert errors.is_empty(), errors.select("path", "rule", "message").rows()
    assert evaluations.filter(pl.col("status") == "passed").height > len(PART_B)
