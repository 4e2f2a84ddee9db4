"""Shares and percentages in the narrative (share-base, share-siblings-sum, share-range,
percent-precision, percent-zero-base): each fires on a minimal document with the defect and
stays silent on the clean one (DOMAIN.md §2.4 P1, P5, P6, P7; §4 D2, D5)."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.check import run_checks
from analysis.extract import extract_paths
from test_rules_narrative import check, messages


def test_share_computed_on_the_total_instead_of_the_named_base(tmp_path):
    findings, _ = check(tmp_path, ["share-base"], [("占基本支出的90.00%", "占基本支出的60.00%")])
    [message] = messages(findings, "share-base", "warning")
    assert "60%" in message and "90.00%" in message and "支出总计 300.00" in message


def test_share_no_candidate_base_reproduces(tmp_path):
    findings, _ = check(tmp_path, ["share-base"], [("基本支出200.00万元，占66.67%", "基本支出200.00万元，占70.00%")])
    [message] = messages(findings, "share-base")
    assert "任何候选基数" in message and "66.67%" in message


def test_shares_on_their_named_and_implied_bases_pass(tmp_path):
    findings, status = check(tmp_path, ["share-base"])
    assert findings.is_empty() and status["share-base"] == "passed"


def test_sibling_shares_not_adding_to_100(tmp_path):
    findings, _ = check(
        tmp_path,
        ["share-siblings-sum"],
        [("占基本支出的90.00%", "占基本支出的60.00%"), ("占基本支出的10.00%", "占基本支出的6.67%")],
    )
    [message] = messages(findings, "share-siblings-sum", "warning")
    assert "66.67%" in message and "100%" in message


def test_sibling_shares_adding_to_100_pass(tmp_path):
    findings, status = check(tmp_path, ["share-siblings-sum"])
    assert findings.is_empty() and status["share-siblings-sum"] == "passed"


def test_share_above_100_is_an_error(tmp_path):
    findings, _ = check(tmp_path, ["share-range"], [("占100.00%", "占120.00%")])
    [message] = messages(findings, "share-range", "error")
    assert "120%" in message


def test_shares_within_range_pass(tmp_path):
    findings, status = check(tmp_path, ["share-range"])
    assert findings.is_empty() and status["share-range"] == "passed"


def test_percentage_with_fewer_decimals(tmp_path):
    findings, _ = check(tmp_path, ["percent-precision"], [("占33.33%", "占33.3%")])
    [message] = messages(findings, "percent-precision", "info")
    assert "33.3%" in message and "2 位" in message


def test_percentages_with_the_same_decimals_pass(tmp_path):
    findings, status = check(tmp_path, ["percent-precision"])
    assert findings.is_empty() and status["percent-precision"] == "passed"


_ANCHOR = "2025年财政拨款收支总预算300.00万元，均为一般公共预算。"


def test_growth_rate_on_a_stated_zero_base(tmp_path):
    sentence = "2024年当年预算执行数为0.00万元，2025年预算安排10.00万元，比2024年预算执行数增加100.00%。"
    findings, _ = check(tmp_path, ["percent-zero-base"], [(_ANCHOR, _ANCHOR + sentence)])
    [message] = messages(findings, "percent-zero-base", "error")
    assert "新增" in message and "100.00%" in message


def test_growth_rate_when_the_change_equals_the_current_amount(tmp_path):
    sentence = "2025年会议费20.00万元，比上年增加20.00万元，增长100.00%。"
    findings, _ = check(tmp_path, ["percent-zero-base"], [(_ANCHOR, _ANCHOR + sentence)])
    assert len(messages(findings, "percent-zero-base", "error")) == 1


def test_growth_rate_on_a_nonzero_base_passes(tmp_path):
    findings, status = check(tmp_path, ["percent-zero-base"])
    assert findings.is_empty() and status["percent-zero-base"] == "passed"


def test_zero_change_of_a_zero_item_is_not_a_zero_base_finding(tmp_path):
    sentence = "政府性基金收入预算0万元，与上年相比增加0万元，增长0%。"
    findings, _ = check(tmp_path, ["percent-zero-base"], [(_ANCHOR, _ANCHOR + sentence)])
    assert findings.is_empty()


def test_seed_shares_on_the_wrong_base(seed_path):
    findings, _ = run_checks(
        extract_paths([seed_path]), rules=["share-base", "share-siblings-sum", "percent-precision", "share-range"]
    )
    base = messages(findings, "share-base")
    assert len(base) == 2 and all("459.21" in m and "239.79" in m for m in base)
    assert any("48.32%" in m and "92.53%" in m for m in base)
    assert len(messages(findings, "share-siblings-sum")) == 1
    assert any("3.9" in m for m in messages(findings, "percent-precision", "info"))
    assert findings.filter(pl.col("rule") == "share-range").is_empty()


def test_share_computed_on_the_previous_year_total(tmp_path):
    findings, _ = check(tmp_path, ["share-base"], [("基本支出200.00万元，占66.67%", "基本支出200.00万元，占71.43%")])
    [message] = messages(findings, "share-base")
    assert "上年数" in message and "280.00" in message


def test_corpus_growth_rates_of_a_new_department(corpus):
    """社会工作部 was set up in 2024: its 决算 still states "增长100.00%" against a zero base."""
    path = corpus / "shanghai" / "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"
    if not path.is_file():
        pytest.skip("the 社会工作部 决算 is not in the corpus")
    findings, _ = run_checks(extract_paths([path]), rules=["percent-zero-base"])
    found = messages(findings, "percent-zero-base", "error")
    assert len(found) == 4 and all("100.00%" in m for m in found)
