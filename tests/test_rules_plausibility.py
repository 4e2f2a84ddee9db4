"""三公, vehicle and 政府采购 plausibility rules (DOMAIN.md §2.2 X12/X15, §4 G and J): each
fires on a small document with the defect and stays silent on a consistent one."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import analysis.check.plausibility  # noqa: F401  (registers the rules)
from analysis.check import run_checks
from analysis.extract import extract_paths

DOCUMENT = """# 示范区统计局2024年度部门预算

## 第二部分 2024年度部门预算情况说明

### 一、收入支出预算总体情况说明

示范区统计局2024年收入总计44.00万元，支出总计44.00万元。

### 二、其他重要事项情况说明

#### （一）政府采购支出情况

2024年政府采购预算安排{procurement}万元，其中：政府采购货物预算{goods}万元、政府采购工程预算0万元、政府采购服务预算{services}万元。

#### （二）国有资产占用情况

截至2023年底，我单位共有车辆{vehicles}辆。

## 2024年部门收支总体情况表

部门名称：示范区统计局	单位：万元
收入		支出	
项目	金额	项目	金额
一、一般公共预算	44.00	一、一般公共服务	44.00
其中：财政拨款	44.00		
本年收入合计	44.00	本年支出合计	44.00
上年结转结余		年终结转结余	
收入总计	44.00	支出总计	44.00

## 2024年一般公共预算基本支出表

部门名称：示范区统计局

单位：万元

部门预算支出经济分类科目		政府预算支出经济分类科目		本年一般公共预算基本支出		
科目编码	科目名称	科目编码	科目名称	合计	人员经费	公用经费
合计				{basic}	12.00	{public}
30101	基本工资	50101	工资奖金津补贴	12.00	12.00	
30201	办公费	50201	办公经费	2.00		2.00
30231	公务用车运行维护费	50208	公务用车运行维护费	{running}		{running}

## 2024年一般公共预算“三公”经费支出情况表

部门名称：示范区统计局

单位：万元

“三公”经费合计	因公出国（境）费	公务用车购置及运行费			公务接待费
		小计	公务用车购置费	公务用车运行费	
{three_row}

## 2024年项目支出表

部门名称：示范区统计局

单位：万元

类型	项目名称	项目单位	合计	本年拨款
			25.00	25.00
其他运转类	{project}	示范区统计局	25.00	25.00
"""


def document(
    procurement: str = "8.00",
    goods: str = "3.00",
    services: str = "5.00",
    vehicles: str = "1",
    running: str = "2.00",
    three: str = "2.00",
    project: str = "统计调查设备购置",
) -> str:
    public = 2 + float(running)
    three_row = f"{three}\t\t{three}\t\t{three}\t" if three else "\n注：我单位无三公经费支出"
    return DOCUMENT.format(
        procurement=procurement,
        goods=goods,
        services=services,
        vehicles=vehicles,
        running=running,
        three_row=three_row,
        project=project,
        public=f"{public:.2f}",
        basic=f"{12 + public:.2f}",
    )


def check(tmp_path: Path, text: str, rule: str) -> tuple[pl.DataFrame, str]:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    findings, evaluations = run_checks(extract_paths([path]), rules=[rule])
    return findings, evaluations["status"][0]


RULES = (
    "three-public-vs-economic",
    "vehicles-vs-running-cost",
    "procurement-missing",
    "procurement-breakdown",
    "procurement-exceeds-total",
    "other-code-share",
)


@pytest.mark.parametrize("rule", RULES)
def test_consistent_document_passes(tmp_path, rule):
    findings, status = check(tmp_path, document(), rule)
    assert findings.is_empty(), findings["message"].to_list()
    assert status == "passed"


def test_basic_running_cost_above_the_three_public_figure_is_an_error(tmp_path):
    findings, _ = check(tmp_path, document(running="5.00"), "three-public-vs-economic")
    assert findings["severity"].to_list() == ["error"]
    assert "2.00" in findings["message"][0] and "5.00" in findings["message"][0] and "30231" in findings["message"][0]


def test_economic_line_with_no_three_public_is_a_warning(tmp_path):
    findings, _ = check(tmp_path, document(three=""), "three-public-vs-economic")
    assert findings["severity"].to_list() == ["warning"] and "为 0" in findings["message"][0]


def test_no_vehicles_but_running_cost(tmp_path):
    findings, _ = check(tmp_path, document(vehicles="0"), "vehicles-vs-running-cost")
    assert findings.height == 1 and "共有车辆0辆" in findings["message"][0] and "2.00" in findings["message"][0]


def test_zero_procurement_with_an_equipment_project(tmp_path):
    findings, _ = check(tmp_path, document(procurement="0", goods="0", services="0"), "procurement-missing")
    assert findings["severity"].to_list() == ["warning"]
    assert "统计调查设备购置" in findings["message"][0] and "设备" in findings["message"][0]
    findings, status = check(
        tmp_path, document(procurement="0", goods="0", services="0", project="统计调查劳务费"), "procurement-missing"
    )
    assert findings.is_empty() and status == "passed"


def test_procurement_parts_that_do_not_add_up(tmp_path):
    findings, _ = check(tmp_path, document(procurement="10.00"), "procurement-breakdown")
    assert findings["severity"].to_list() == ["error"]
    assert "10.00" in findings["message"][0] and "8.00" in findings["message"][0]


def test_procurement_above_total_spending(tmp_path):
    findings, _ = check(
        tmp_path, document(procurement="80.00", goods="30.00", services="50.00"), "procurement-exceeds-total"
    )
    assert (
        findings["severity"].to_list() == ["error"]
        and "80.00" in findings["message"][0]
        and "44.00" in findings["message"][0]
    )


@pytest.fixture(scope="module")
def seed_findings(seed_path):
    findings, _ = run_checks(extract_paths([seed_path]), rules=list(RULES))
    return findings


def test_seed_procurement_and_three_public(seed_findings):
    missing = seed_findings.filter(pl.col("rule") == "procurement-missing")["message"].to_list()
    assert missing and all(p in missing[0] for p in ("政务外网线路及设备费", "工作人员工装费", "保安", "电子印章经费"))
    assert seed_findings.filter(
        pl.col("rule").is_in(
            [
                "three-public-vs-economic",
                "vehicles-vs-running-cost",
                "procurement-breakdown",
                "procurement-exceeds-total",
            ]
        )
    ).is_empty()
