"""The core arithmetic and cross-table rules (DOMAIN.md §2.1, §2.2, §4 A/B, I34): for each,
one small document where it must fire and one where it must not."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analysis.check import run_checks
from analysis.extract import extract_paths

HEAD = "# 示范区统计局2024年度部门预算\n\n"

B01 = """## 2024年部门收支总体情况表

部门名称：示范区统计局	单位：万元
收入		支出	
项目	金额	项目	金额
一、一般公共预算	30.00	一、一般公共服务	30.00
其中：财政拨款	30.00		
本年收入合计	30.00	本年支出合计	30.00
上年结转结余		年终结转结余	
收入总计	30.00	支出总计	{spending}

"""

B05 = """## 2024年一般公共预算支出情况表

部门名称：示范区统计局

单位：万元

科目编码			单位代码	单位（科目名称）	合计	基本支出				项目支出		
						小计	人员经费		公用经费		小计	其他运转类	特定目标类
类	款	项					工资福利支出	对个人和家庭的补助	商品和服务支出	资本性支出			
			合计	30.00	{basic}	12.00		2.00		16.00	16.00	
201				一般公共服务支出	30.00	14.00	12.00		2.00		16.00	16.00	
201	05			统计信息事务	30.00	14.00	12.00		2.00		16.00	16.00	
201	05	01		行政运行	14.00	14.00	12.00		2.00				
201	05	02		一般行政管理事务	{project}						{project}	{project}	

"""

B06 = """## 2024年一般公共预算基本支出表

部门名称：示范区统计局

单位：万元

部门预算支出经济分类科目		政府预算支出经济分类科目		本年一般公共预算基本支出		
科目编码	科目名称	科目编码	科目名称	合计	人员经费	公用经费
合计				14.00	12.00	2.00
301	工资福利支出			12.00	12.00	
302	商品和服务支出			2.00		2.00
30101	基本工资	50101	工资奖金津补贴	12.00	{wage_personnel}	
30201	办公费	50201	办公经费	2.00		2.00

"""

B11 = """## 2024年支出经济分类汇总表

部门名称：示范区统计局

单位：万元

部门预算经济分类			政府预算经济分类			总计	一般公共预算		政府性基金
类	款	科目名称	类	款	科目名称		小计	其中：财政拨款	
		合计				30.00	30.00	30.00	
301	01	基本工资	501	01	工资奖金津补贴	12.00	12.00	12.00	
302	01	办公费	502	{office_gov}	办公经费	{office}	{office}	{office}	
302	26	劳务费	502	05	委托业务费	{labour}	{labour}	{labour}	

"""

B10 = """## 2024年项目支出表

部门名称：示范区统计局

单位：万元

类型	项目名称	项目单位	合计	本年拨款
			16.00	16.00
其他运转类	统计调查劳务费	示范区统计局	16.00	16.00

"""

B13 = """## 2024年部门预算项目绩效目标汇总表

部门名称：示范区统计局

单位编码（项目编码）	项目单位（项目名称）	项目金额（万元）				绩效目标							
		资金总额	政府预算资金	财政专户管理资金	单位资金	成本指标		产出指标		效益指标		满意度指标	
						三级指标	指标值	三级指标	指标值	三级指标	指标值	三级指标	指标值
101		{b13}	{b13}										
101001	示范区统计局本级	{b13}	{b13}										
41070222000000000101	统计调查劳务费	{b13}	{b13}			项目总成本	≤{cap}万元	调查户数	≥500户	调查质量	≥90%	群众满意度	≥90%
"""

DEFAULTS = {
    "spending": "30.00",
    "basic": "14.00",
    "project": "16.00",
    "wage_personnel": "12.00",
    "office_gov": "01",
    "office": "2.00",
    "labour": "16.00",
    "b13": "16.00",
    "cap": "16",
}


def document(**changes: str) -> str:
    fields = {**DEFAULTS, **changes}
    return HEAD + "".join(part.format(**fields) for part in (B01, B05, B06, B11, B10, B13))


def check(tmp_path: Path, rule: str, **changes: str) -> tuple[pl.DataFrame, str]:
    path = tmp_path / "doc.txt"
    path.write_text(document(**changes), encoding="utf-8")
    findings, evaluations = run_checks(extract_paths([path]), rules=[rule])
    return findings, evaluations["status"][0]


CASES = {
    # rule: (changes that break it, text the message must contain)
    "row-identity": ({"wage_personnel": "11.00"}, "11.00"),
    "code-hierarchy-sum": ({"project": "15.00"}, "科目 20105"),
    "two-sided-balance": ({"spending": "31.00"}, "31.00"),
    "cross-table-figure": ({"basic": "15.00"}, "X06"),
    "economic-mapping-consistent": ({"office_gov": "05"}, "50205"),
    "basic-vs-economic-summary": ({"office": "1.00", "labour": "17.00"}, "30201"),
    "project-lists-agree": ({"b13": "18.00", "cap": "18"}, "统计调查劳务费"),
    "performance-cost-cap": ({"cap": "15"}, "≤15万元"),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_passes_on_a_consistent_document(tmp_path, rule):
    findings, status = check(tmp_path, rule)
    assert findings.is_empty(), findings["message"].to_list()
    assert status == "passed"


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires_on_the_defect(tmp_path, rule):
    changes, fragment = CASES[rule]
    findings, status = check(tmp_path, rule, **changes)
    assert status == "failed"
    assert findings.height >= 1 and findings["severity"][0] == "error"
    assert any(fragment in m for m in findings["message"]), findings["message"].to_list()
