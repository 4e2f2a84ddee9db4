"""Narrative against the tables (narrative-amount-table, operating-costs-public,
change-direction) and the existing yoy-percent-base rule: each fires on a minimal document with
the defect and stays silent on the clean one (DOMAIN.md §2.3, §2.4, §4 C, M).

``CLEAN`` is a small, internally consistent budget (9 tables, narrative in 万元); the other
rule test files reuse it and ``check``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import analysis.check  # noqa: F401  (registers the core rules)
from analysis.check import RULES, completeness, narrative, percentages, residue, run_checks, shares  # noqa: F401
from analysis.extract import extract_paths

MY_MODULES = {"narrative", "shares", "residue", "completeness"}
MY_RULES = sorted(
    [r for r, rule in RULES.items() if rule.check.__module__.rsplit(".", 1)[-1] in MY_MODULES] + ["percent-zero-base"]
)

CLEAN = """# 示范市东湖区测试局2025年度部门预算

## 目 录

一、2025年部门收支总表

二、2025年部门收入总表

三、2025年部门支出总表

四、2025年财政拨款收支总表

五、2025年一般公共预算支出表

六、2025年一般公共预算基本支出表

七、2025年一般公共预算“三公”经费支出表

八、2025年政府性基金预算支出表

九、2025年国有资本经营预算支出表

## 第二部分 2025年度部门预算情况说明

### 一、收入支出预算总体情况说明

示范市东湖区测试局2025年收入总计300.00万元，支出总计300.00万元，与2024年预算相比，收入增加20.00万元，增长7.14%，主要原因是业务量增加。

### 二、收入预算总体情况说明

2025年收入合计300.00万元，其中：一般公共预算300.00万元，占100.00%；政府性基金预算0万元；国有资本经营预算0万元。

### 三、支出预算总体情况说明

2025年支出合计300.00万元，其中：基本支出200.00万元，占66.67%；项目支出100.00万元，占33.33%。

### 四、财政拨款收入支出预算总体情况说明

2025年财政拨款收支总预算300.00万元，均为一般公共预算。

### 五、一般公共预算基本支出情况说明

2025年一般公共预算基本支出200.00万元，其中：人员经费180.00万元，占基本支出的90.00%；公用经费20.00万元，占基本支出的10.00%。

### 六、“三公”经费支出情况说明

2025年“三公”经费预算为3.00万元，其中：因公出国（境）费0万元；公务用车购置及运行费2.00万元；公务接待费1.00万元。

### 七、政府性基金和国有资本经营预算支出情况说明

本部门2025年无政府性基金预算和国有资本经营预算拨款安排的支出。

### 八、其他重要事项情况说明

2025年机关运行经费预算20.00万元。2025年政府采购预算安排10.00万元。截至2024年底，本部门共有车辆1辆。本部门对全部项目实行绩效目标管理。

### 第三部分 名词解释

一、财政拨款收入：是指区级财政当年拨付的资金。

## 2025年部门收支总表

单位：万元

收入\t\t支出\t
项目\t金额\t项目\t金额
一、一般公共预算\t300.00\t一、一般公共服务\t300.00
本年收入合计\t300.00\t本年支出合计\t300.00
收入总计\t300.00\t支出总计\t300.00

## 2025年部门收入总表

单位：万元

科目编码\t科目名称\t合计\t一般公共预算
合计\t\t300.00\t300.00
201\t一般公共服务支出\t300.00\t300.00

## 2025年部门支出总表

单位：万元

科目编码\t科目名称\t合计\t基本支出\t项目支出
合计\t\t300.00\t200.00\t100.00
2010101\t行政运行\t200.00\t200.00\t
2010102\t一般行政管理事务\t100.00\t\t100.00

## 2025年财政拨款收支总表

单位：万元

收入\t\t支出\t
项目\t金额\t项目\t金额
一、本年收入\t300.00\t一、本年支出\t300.00
（一）一般公共预算拨款\t300.00\t（一）一般公共服务支出\t300.00
收入总计\t300.00\t支出总计\t300.00

## 2025年一般公共预算支出表

单位：万元

科目编码\t科目名称\t合计\t基本支出\t项目支出
合计\t\t300.00\t200.00\t100.00
2010101\t行政运行\t200.00\t200.00\t
2010102\t一般行政管理事务\t100.00\t\t100.00

## 2025年一般公共预算基本支出表

单位：万元

科目编码\t科目名称\t合计\t人员经费\t公用经费
合计\t\t200.00\t180.00\t20.00
30101\t基本工资\t180.00\t180.00\t
30201\t办公费\t20.00\t\t20.00

## 2025年一般公共预算“三公”经费支出表

单位：万元

合计\t因公出国（境）费\t公务用车购置及运行费\t\t\t公务接待费
\t\t小计\t公务用车购置费\t公务用车运行维护费\t
3.00\t\t2.00\t\t2.00\t1.00

## 2025年政府性基金预算支出表

单位：万元

科目编码\t科目名称\t合计\t基本支出\t项目支出
合计\t\t\t\t

注：本部门无政府性基金预算支出。

## 2025年国有资本经营预算支出表

单位：万元

科目编码\t科目名称\t合计\t基本支出\t项目支出
合计\t\t\t\t

注：本部门无国有资本经营预算支出。
"""


def check(tmp_path: Path, rules: list[str], replace=(), text: str = CLEAN, name: str = "doc.txt"):
    """Findings and rule statuses of ``text`` after applying ``replace`` ((old, new) pairs)."""
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    findings, evaluations = run_checks(extract_paths([path]), rules=rules)
    return findings, dict(zip(evaluations["rule"], evaluations["status"]))


def messages(findings: pl.DataFrame, rule: str, severity: str | None = None) -> list[str]:
    rows = findings.filter(pl.col("rule") == rule)
    if severity:
        rows = rows.filter(pl.col("severity") == severity)
    return rows["message"].to_list()


def test_clean_document_gives_no_finding(tmp_path):
    findings, status = check(tmp_path, MY_RULES)
    assert findings.is_empty(), findings.select("rule", "message").rows()
    for rule in (
        "narrative-amount-table",
        "operating-costs-public",
        "share-base",
        "share-siblings-sum",
        "mandated-table-missing",
        "toc-vs-body",
        "empty-table-statement",
        "government-level-word",
    ):
        assert status[rule] == "passed", rule


def test_narrative_amount_differs_from_table(tmp_path):
    findings, _ = check(
        tmp_path, ["narrative-amount-table"], [("其中：基本支出200.00万元", "其中：基本支出210.00万元")]
    )
    [message] = messages(findings, "narrative-amount-table", "error")
    assert "210" in message and "200.00" in message and "《2025年部门支出总表》" in message
    assert findings["line"][0] is not None


def test_narrative_amount_from_wrong_scope_is_a_warning(tmp_path):
    findings, _ = check(tmp_path, ["narrative-amount-table"], [("人员经费180.00万元", "人员经费200.00万元")])
    [row] = findings.rows(named=True)
    assert row["severity"] == "warning" and "口径" in row["message"] and "180.00" in row["message"]


def test_narrative_amount_not_evaluated_without_mapped_claims(tmp_path):
    text = CLEAN.split("## 第二部分")[0] + "## 2025年部门收支总表" + CLEAN.split("## 2025年部门收支总表")[1]
    _, status = check(tmp_path, ["narrative-amount-table"], text=text)
    assert status["narrative-amount-table"] == "not_evaluated"


def test_operating_costs_equal_to_project_spending_is_an_error(tmp_path):
    findings, _ = check(
        tmp_path, ["operating-costs-public"], [("机关运行经费预算20.00万元", "机关运行经费预算100.00万元")]
    )
    [row] = findings.rows(named=True)
    assert row["severity"] == "error" and "项目支出" in row["message"] and "20.00" in row["message"]


def test_operating_costs_other_difference_is_a_warning(tmp_path):
    findings, _ = check(
        tmp_path, ["operating-costs-public"], [("机关运行经费预算20.00万元", "机关运行经费预算25.00万元")]
    )
    assert findings["severity"].to_list() == ["warning"]


def test_operating_costs_below_public_in_department_with_institutions_passes(tmp_path):
    findings, _ = check(
        tmp_path,
        ["operating-costs-public"],
        [
            ("机关运行经费预算20.00万元", "机关运行经费预算15.00万元"),
            ("本部门对全部项目", "本部门下属事业单位2家。本部门对全部项目"),
        ],
    )
    assert findings.is_empty()


_DIRECTION = "2025年财政拨款收支总预算300.00万元，均为一般公共预算。"


def test_direction_word_contradicts_the_amounts(tmp_path):
    sentence = "2024年预算执行数为280.00万元，2025年预算安排300.00万元，比2024年预算执行数减少20.00万元。"
    findings, _ = check(tmp_path, ["change-direction"], [(_DIRECTION, _DIRECTION + sentence)])
    [message] = messages(findings, "change-direction", "error")
    assert "280" in message and "300" in message and "增加" in message


def test_direction_word_agreeing_with_the_amounts_passes(tmp_path):
    sentence = "2024年预算执行数为280.00万元，2025年预算安排300.00万元，比2024年预算执行数增加20.00万元。"
    findings, status = check(tmp_path, ["change-direction"], [(_DIRECTION, _DIRECTION + sentence)])
    assert findings.is_empty() and status["change-direction"] == "passed"


def test_yoy_percent_on_current_year_base(tmp_path):
    findings, _ = check(tmp_path, ["yoy-percent-base"], [("增长7.14%", "增长6.67%")])
    [message] = messages(findings, "yoy-percent-base", "error")
    assert "6.67%" in message and "7.14%" in message


def test_yoy_percent_on_previous_year_base_passes(tmp_path):
    findings, status = check(tmp_path, ["yoy-percent-base"])
    assert findings.is_empty() and status["yoy-percent-base"] == "passed"


def test_seed_operating_costs_stated_as_project_spending(seed_path):
    findings, _ = run_checks(extract_paths([seed_path]), rules=["operating-costs-public", "narrative-amount-table"])
    [row] = findings.filter(pl.col("rule") == "operating-costs-public").rows(named=True)
    assert row["severity"] == "error" and "219.42" in row["message"] and "17.92" in row["message"]
    assert row["line"] == 134
    assert findings.filter(pl.col("rule") == "narrative-amount-table").is_empty()


def test_demo_and_synthetic_district_give_no_error(tmp_path):
    from analysis.synth import generate

    generate(tmp_path / "synth", departments=3, years=(2024, 2025), formats=("text",), anomaly_rate=0, seed=1)
    demo = Path(__file__).resolve().parents[1] / "src" / "analysis" / "demo"
    paths = sorted(demo.glob("*.txt")) + sorted((tmp_path / "synth").rglob("*.txt"))
    assert len(paths) >= 7
    findings, evaluations = run_checks(extract_paths(paths), rules=MY_RULES)
    errors = findings.filter(pl.col("severity") == "error")
    assert errors.is_empty(), errors.select("path", "rule", "message").rows()
    assert evaluations.filter(pl.col("status") == "passed").height > len(paths) * 10


def test_corpus_final_account_narrative_against_f05_f06(corpus):
    """规划和自然资源局 2024 决算: the narrative's 一般公共预算 基本支出 5377.64 is the all-funds
    figure of 支出决算表 (F05 prints 5364.75), and its 人员经费 4896.98 is not F06's 4884.09."""
    path = corpus / "shanghai" / "上海市普陀区规划和自然资源局 2024 年度部门决算.pdf"
    if not path.is_file():
        pytest.skip("the 规划和自然资源局 决算 is not in the corpus")
    findings, _ = run_checks(extract_paths([path]), rules=["narrative-amount-table"])
    rows = {r["severity"]: r["message"] for r in findings.iter_rows(named=True)}
    assert "4896.98" in rows["error"] and "4884.09" in rows["error"]
    assert "5377.64" in rows["warning"] and "5364.75" in rows["warning"] and "口径" in rows["warning"]
