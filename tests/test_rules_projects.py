"""Project rules (DOMAIN.md §4 I, K5, L1): the economic code of each project inferred from
B11 − B06 by subset sums, hidden personnel cost, and project-code identity."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import analysis.check.projects  # noqa: F401  (registers the rules)
from analysis.check import run_checks
from analysis.check.projects import _cover
from analysis.extract import extract_paths

DOCUMENT = """# 示范区统计局2024年度部门预算

## 2024年一般公共预算基本支出表

部门名称：示范区统计局

单位：万元

部门预算支出经济分类科目		政府预算支出经济分类科目		本年一般公共预算基本支出		
科目编码	科目名称	科目编码	科目名称	合计	人员经费	公用经费
合计				14.00	12.00	2.00
30101	基本工资	50101	工资奖金津补贴	12.00	12.00	
30201	办公费	50201	办公经费	2.00		2.00

## 2024年支出经济分类汇总表

部门名称：示范区统计局

单位：万元

部门预算经济分类			政府预算经济分类			总计	一般公共预算		政府性基金
类	款	科目名称	类	款	科目名称		小计	其中：财政拨款	
		合计				44.00	44.00	44.00	
301	01	基本工资	501	01	工资奖金津补贴	12.00	12.00	12.00	
{meal_line}
302	01	办公费	502	01	办公经费	12.00	12.00	12.00	

## 2024年项目支出表

部门名称：示范区统计局

单位：万元

类型	项目名称	项目单位	合计	本年拨款		
				一般公共预算	政府性基金预算	国有资本经营预算
			30.00	30.00		
其他运转类	{meal}	示范区统计局	20.00	20.00		
其他运转类	{second}	示范区统计局	10.00	10.00		

## 2024年部门预算项目绩效目标汇总表

部门名称：示范区统计局

单位编码（项目编码）	项目单位（项目名称）	项目金额（万元）				绩效目标							
		资金总额	政府预算资金	财政专户管理资金	单位资金	成本指标		产出指标		效益指标		满意度指标	
						三级指标	指标值	三级指标	指标值	三级指标	指标值	三级指标	指标值
101		30.00	30.00										
101001	示范区统计局本级	30.00	30.00										
{code1}	{meal}	20.00	20.00			项目总成本	≤20万元	调查人数	≥40人	工作效率	≥90%	工作人员满意度	≥90%
{code2}	{second}	10.00	10.00			项目总成本	≤10万元	印刷数量	≥5000份	调查质量	≥90%	群众满意度	≥90%
"""
LABOUR = "302\t26\t劳务费\t502\t05\t委托业务费\t20.00\t20.00\t20.00\t"
MEAL_ALLOWANCE = "301\t06\t伙食补助费\t501\t99\t其他工资福利支出\t20.00\t20.00\t20.00\t"


def document(
    meal_line: str = MEAL_ALLOWANCE,
    meal: str = "工作人员误餐费",
    second: str = "统计调查印刷费",
    code1: str = "41070222000000000101",
    code2: str = "41070222000000000102",
) -> str:
    return DOCUMENT.format(meal_line=meal_line, meal=meal, second=second, code1=code1, code2=code2)


def check(tmp_path: Path, text: str, rule: str) -> tuple[pl.DataFrame, str]:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    findings, evaluations = run_checks(extract_paths([path]), rules=[rule])
    return findings, evaluations["status"][0]


def test_meal_subsidy_coded_as_labour_is_found_with_the_inferred_mapping(tmp_path):
    findings, _ = check(tmp_path, document(meal_line=LABOUR), "project-economic-coding")
    assert findings["severity"].to_list() == ["warning"]
    message = findings["message"][0]
    assert "工作人员误餐费" in message and "30226" in message and "30106" in message
    assert "30201 办公费 10.00 = 统计调查印刷费 10.00" in message


def test_meal_subsidy_on_the_meal_allowance_line_passes(tmp_path):
    findings, status = check(tmp_path, document(), "project-economic-coding")
    assert findings.is_empty() and status == "passed"


def test_inference_is_not_attempted_without_both_economic_tables(tmp_path):
    text = (
        document().split("## 2024年支出经济分类汇总表")[0]
        + "## 2024年项目支出表"
        + document().split("## 2024年项目支出表")[1]
    )
    _, status = check(tmp_path, text, "project-economic-coding")
    assert status == "not_evaluated"


def test_cover_finds_exact_assignments_and_one_spread_project():
    tol = lambda k: 0.005 * (k + 1) + 1e-9  # noqa: E731
    limits = {"max_solutions": 64, "max_nodes": 100_000}
    # Seed figures (DOMAIN §5.1): a unique split of the seven projects over 30201 and 30226.
    amounts = [60.00, 50.68, 87.00, 10.00, 9.88, 1.50, 0.36]
    solutions = _cover({"30201": 81.74, "30226": 137.68}, amounts, tol, limits)
    assert [{j: c for j, c in s.items()} for s in solutions] == [
        {0: "30201", 1: "30226", 2: "30226", 3: "30201", 4: "30201", 5: "30201", 6: "30201"}
    ]
    # An IT project spread over 30213 and 31007 has no exact cover, but one spread solution.
    targets = {"30226": 20.3, "30209": 16.45, "30213": 5.92, "31007": 2.55}
    assert _cover(targets, [20.3, 16.45, 8.47], tol, limits) == []
    assert _cover(targets, [20.3, 16.45, 8.47], tol, limits, split=2) == [
        {0: "30226", 1: "30209", 2: ("30213", "31007")}
    ]


def test_hidden_personnel_share_counts_labour_coded_project_money(tmp_path):
    findings, _ = check(tmp_path, document(meal_line=LABOUR, meal="调查员劳务补助"), "hidden-personnel-share")
    assert findings["severity"].to_list() == ["info"]
    assert "20.00" in findings["message"][0] and "66.67%" in findings["message"][0]


def test_no_hidden_personnel_when_projects_buy_goods(tmp_path):
    rows = "302\t02\t印刷费\t502\t01\t办公经费\t20.00\t20.00\t20.00\t"
    findings, status = check(tmp_path, document(meal_line=rows, meal="统计年鉴印刷费"), "hidden-personnel-share")
    assert findings.is_empty() and status == "passed"


def test_project_codes_of_two_lengths_are_reported(tmp_path):
    findings, _ = check(tmp_path, document(code2="410702220000000000102"), "project-code-format")
    assert findings.height == 1 and "21 位" in findings["message"][0] and "20 位" in findings["message"][0]
    findings, status = check(tmp_path, document(), "project-code-format")
    assert findings.is_empty() and status == "passed"


def test_project_code_year_after_the_budget_year_and_foreign_region(tmp_path):
    findings, _ = check(tmp_path, document(code2="41070226000000000102"), "project-code-region-year")
    assert (
        findings.height == 1 and "2024" in findings["message"][0] and "41070226000000000102" in findings["message"][0]
    )
    findings, _ = check(tmp_path, document(code2="41070322000000000102"), "project-code-region-year")
    assert findings.height == 1 and "410702" in findings["message"][0]
    findings, status = check(tmp_path, document(), "project-code-region-year")
    assert findings.is_empty() and status == "passed"


def test_one_code_for_two_projects_is_an_error(tmp_path):
    findings, _ = check(tmp_path, document(code2="41070222000000000101"), "project-code-duplicate")
    assert findings["severity"].to_list() == ["error"] and "41070222000000000101" in findings["message"][0]
    findings, status = check(tmp_path, document(), "project-code-duplicate")
    assert findings.is_empty() and status == "passed"


def test_vague_project_name_is_info(tmp_path):
    findings, _ = check(tmp_path, document(second="工作经费"), "project-name-vague")
    assert findings["severity"].to_list() == ["info"] and "工作经费" in findings["message"][0]
    findings, status = check(tmp_path, document(), "project-name-vague")
    assert findings.is_empty() and status == "passed"


@pytest.fixture(scope="module")
def seed_findings(seed_path):
    rules = [
        "project-economic-coding",
        "hidden-personnel-share",
        "project-code-format",
        "project-code-region-year",
        "project-code-duplicate",
        "project-name-vague",
    ]
    findings, _ = run_checks(extract_paths([seed_path]), rules=rules)
    return findings


def test_seed_project_defects(seed_findings):
    coding = seed_findings.filter(pl.col("rule") == "project-economic-coding")["message"].to_list()
    assert any("工作人员误餐费" in m and "30226" in m for m in coding)
    assert any("工作人员工装费" in m and "30201" in m for m in coding)
    assert any("政务外网线路及设备费" in m and "30201" in m for m in coding)
    assert all("30201 办公费 81.74" in m for m in coding)
    hidden = seed_findings.filter(pl.col("rule") == "hidden-personnel-share")["message"].to_list()
    assert hidden and "137.68" in hidden[0] and "62.75%" in hidden[0]
    code_format = seed_findings.filter(pl.col("rule") == "project-code-format")["message"].to_list()
    assert code_format and "21 位 4 个" in code_format[0] and "20 位 3 个" in code_format[0]
    assert seed_findings.filter(pl.col("rule") == "project-name-vague")["message"].str.contains("工作经费").any()
    assert seed_findings.filter(pl.col("rule").is_in(["project-code-duplicate", "project-code-region-year"])).is_empty()
