"""Performance-target rules (DOMAIN.md §4 H): conflicting quantities, indicators that cannot
apply, values without comparators, boilerplate explanations and the sum of project amounts."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import analysis.check.targets_rules  # noqa: F401  (registers the rules)
from analysis.check import RULES, run_checks
from analysis.check.context import DocContext
from analysis.check.tolerance import Tolerance
from analysis.extract import extract_paths
from analysis.schema import frame

DOCUMENT = """# 示范区统计局2024年度部门预算

## 第二部分 2024年度部门预算情况说明

### 一、政府采购支出情况

2024年政府采购预算安排{procurement}万元，其中：政府采购货物预算{procurement}万元、政府采购工程预算0万元、政府采购服务预算0万元。

## 部门（单位）整体绩效目标表 (2024 年度)

部门名称：示范区统计局				
年度履职目标	完成统计调查任务。			
预算情况	部门预算总额（万元）		44.00	
一级指标	二级指标	三级指标	指标值	指标值说明
投入管理指标	预算和财务管理	政府采购执行率	≥90%	政府采购执行率=实际采购金额/采购预算
		预算执行率	≥90%	预算执行率=预算完成数/预算数
产出指标	重点工作任务完成	统计调查完成率	≥95%	反映重点工作任务进展情况。

## 2024年部门预算项目绩效目标汇总表

部门名称：示范区统计局

单位编码（项目编码）	项目单位（项目名称）	项目金额（万元）				绩效目标							
		资金总额	政府预算资金	财政专户管理资金	单位资金	成本指标		产出指标		效益指标		满意度指标	
						三级指标	指标值	三级指标	指标值	三级指标	指标值	三级指标	指标值
101		{head}	{head}										
101001	示范区统计局本级	{head}	{head}										
41070222000000000101	工作人员误餐费	20.00	20.00			项目总成本	≤20万元	工作人员数量	≥40人	工作效率	≥90%	工作人员满意度	≥90%
41070222000000000102	统计调查印刷费	10.00	10.00			项目总成本	≤10万元	工作人员数量	{staff}	调查质量	≥90%	群众满意度	≥90%
								印刷数量	{copies}				
"""


def document(procurement: str = "3.00", head: str = "30.00", staff: str = "≥40人", copies: str = "≥5000份") -> str:
    return DOCUMENT.format(procurement=procurement, head=head, staff=staff, copies=copies)


def check(tmp_path: Path, text: str, rule: str) -> tuple[pl.DataFrame, str]:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    findings, evaluations = run_checks(extract_paths([path]), rules=[rule])
    return findings, evaluations["status"][0]


@pytest.mark.parametrize(
    "rule", ["target-quantity-conflict", "target-inapplicable", "target-no-comparator", "project-targets-sum"]
)
def test_consistent_targets_pass(tmp_path, rule):
    findings, status = check(tmp_path, document(), rule)
    assert findings.is_empty(), findings["message"].to_list()
    assert status == "passed"


def test_staff_counts_that_disagree(tmp_path):
    findings, _ = check(tmp_path, document(staff="≥80人"), "target-quantity-conflict")
    assert findings["severity"].to_list() == ["warning"]
    message = findings["message"][0]
    assert "工作人员数量" in message and "40人" in message and "80人" in message and "统计调查印刷费" in message


def test_procurement_rate_without_procurement(tmp_path):
    findings, _ = check(tmp_path, document(procurement="0"), "target-inapplicable")
    assert findings["severity"].to_list() == ["warning"]
    assert "政府采购执行率" in findings["message"][0] and "政府采购预算安排0万元" in findings["message"][0]


def test_bare_count_without_comparator(tmp_path):
    findings, _ = check(tmp_path, document(copies="5000份"), "target-no-comparator")
    assert findings["severity"].to_list() == ["info"] and "印刷数量" in findings["message"][0]


def test_project_amounts_that_do_not_add_up_to_the_table_total(tmp_path):
    findings, _ = check(tmp_path, document(head="35.00"), "project-targets-sum")
    assert findings["severity"].to_list() == ["error"]
    assert "35.00" in findings["message"][0] and "30.00" in findings["message"][0]


def _context(targets: list[dict]) -> DocContext:
    def empty(name):
        return frame(name, [])

    return DocContext(
        {"doc_id": "x", "fiscal_year": 2024},
        empty("line_items"),
        empty("tables"),
        empty("claims"),
        pl.DataFrame(targets),
        empty("texts"),
        Tolerance(),
    )


def test_boilerplate_explanations_need_the_description_column():
    rule = RULES["target-boilerplate"].check
    base = {
        "table_kind": "department_performance_targets",
        "project_name": None,
        "raw_value": "≥95%",
        "line": 10,
        "page": None,
    }
    same = "反映本部门负责的重点工作任务进展情况。"
    repeated = [{**base, "indicator": f"任务{i}完成率", "description": same} for i in range(3)]
    found = rule(_context(repeated))
    assert len(found) == 1 and "3 个不同指标" in found[0]["message"]
    varied = [{**base, "indicator": f"任务{i}完成率", "description": f"任务{i}的完成进度{i}"} for i in range(3)]
    assert rule(_context(varied)) == []
    assert rule(_context([{k: v for k, v in r.items() if k != "description"} for r in repeated])) is None


@pytest.fixture(scope="module")
def seed_findings(seed_path):
    rules = [
        "target-quantity-conflict",
        "target-inapplicable",
        "target-no-comparator",
        "target-boilerplate",
        "project-targets-sum",
    ]
    findings, evaluations = run_checks(extract_paths([seed_path]), rules=rules)
    return findings, evaluations


def test_seed_target_defects(seed_findings):
    findings, evaluations = seed_findings
    conflict = findings.filter(pl.col("rule") == "target-quantity-conflict")["message"].to_list()
    assert conflict and all(v in conflict[0] for v in ("17人", "80人", "33人"))
    inapplicable = " ".join(findings.filter(pl.col("rule") == "target-inapplicable")["message"])
    assert "三公经费" in inapplicable and "政府采购执行率" in inapplicable and "专项资金细化率" in inapplicable
    bare = " ".join(findings.filter(pl.col("rule") == "target-no-comparator")["message"])
    assert "17 人" in bare and "30个" in bare
    assert findings.filter(pl.col("rule") == "project-targets-sum").is_empty()
    status = dict(zip(evaluations["rule"], evaluations["status"]))
    assert status["project-targets-sum"] == "passed" and status["target-boilerplate"] == "not_evaluated"
