"""The seed document end to end: DOMAIN.md §5.1 figures and lines, claims and targets."""

from __future__ import annotations

import polars as pl
import pytest

from analysis.extract import extract_file
from helpers import assert_seed_extraction, close


@pytest.fixture(scope="module")
def seed(seed_path):
    return extract_file(seed_path)


def test_seed_document_row(seed):
    doc = seed.document
    assert doc["status"] == "ok", doc["error"]
    assert doc["department"] == "新乡市红旗区政务服务和大数据管理局"
    assert (doc["fiscal_year"], doc["doc_type"], doc["format"]) == (2024, "budget", "text")
    assert doc["n_recognised"] == 12 and doc["n_unparsed"] == 0


def test_seed_figures_and_lines(seed):
    assert_seed_extraction(seed.document, seed.line_items)


def test_seed_tables_and_states(seed):
    tables = pl.DataFrame(seed.tables)
    kinds = tables["table_kind"].to_list()
    assert kinds == [
        "revenue_expenditure_summary",
        "revenue_summary",
        "expenditure_summary",
        "fiscal_appropriation_summary",
        "general_budget_basic_expenditure",
        "general_budget_expenditure",
        "economic_classification_summary",
        "three_public_expenses",
        "government_fund_expenditure",
        "project_expenditure",
        "department_performance_targets",
        "project_performance_targets",
    ]
    state = dict(zip(kinds, tables["status"]))
    assert state["three_public_expenses"] == "not_applicable"
    assert state["government_fund_expenditure"] == "not_applicable"
    years = dict(zip(kinds, tables["title_year"]))
    assert years["government_fund_expenditure"] == 2023  # printed that way (DOMAIN §1.1 B08)


def test_missing_class_codes_are_inferred(seed):
    items = seed.line_items.filter(pl.col("table_kind") == "expenditure_summary")
    inferred = items.filter(pl.col("func_code_inferred"))
    assert set(inferred["func_code"]) == {"2010301", "2010399", "2013699"}
    assert set(inferred["func_partial"]) == {"0301", "0399", "3699"}


def test_extra_number_without_header_is_kept_not_dropped(seed):
    # B03 prints one more number per row than its header has leaves (DOMAIN §0.6 hazard 4)
    extra = seed.line_items.filter((pl.col("table_kind") == "expenditure_summary") & (pl.col("column") == "unlabelled"))
    assert extra.height == 5 and close(extra["amount"][0], 459.21)


def test_every_item_has_provenance(seed):
    assert seed.line_items["line"].null_count() == 0
    assert pl.DataFrame(seed.claims)["line"].null_count() == 0


def test_seed_claims(seed):
    claims = pl.DataFrame(seed.claims)
    first = claims.filter(pl.col("section").str.starts_with("一、"))
    assert first.select("subject", "claim_type", "value", "direction").rows()[:4] == [
        ("revenue_grand_total", "amount", 459.21, None),
        ("expenditure_grand_total", "amount", 459.21, None),
        ("revenue_grand_total", "change_amount", 183.41, "up"),
        ("revenue_grand_total", "change_pct", 39.94, "up"),
    ]
    shares = claims.filter(pl.col("claim_type") == "share")
    assert {(s, v) for s, v in shares.select("subject", "value").rows()} >= {
        ("basic_expenditure", 52.22),
        ("project_expenditure", 47.78),
        ("personnel", 48.32),
        ("public", 3.9),
    }
    assert claims.filter(pl.col("direction") == "unfilled").height >= 1
    assert claims.filter(pl.col("subject") == "operating_costs")["value"].to_list() == [219.42]


def test_seed_targets(seed):
    targets = pl.DataFrame(seed.targets)
    caps = targets.filter(
        (pl.col("table_kind") == "project_performance_targets")
        & (pl.col("category") == "成本")
        & (pl.col("unit") == "万元")
    )
    cap = dict(zip(caps["project_name"], caps["value"]))
    assert cap["工作人员工装费"] == 9.867 and cap["从业人员、保安保洁工资及管理费"] == 87
    staff = targets.filter(pl.col("indicator") == "工作人员数量")
    assert sorted(staff["value"].to_list()) == [17, 33, 80, 80]
    assert set(staff["project_name"]) >= {"工作人员误餐费", "工作人员工装费"}
    wrapped = targets.filter(pl.col("indicator") == "电子印章费用")
    assert wrapped.height == 1  # "电子印章" + "费用" joined across the page break
    dept = targets.filter(pl.col("table_kind") == "department_performance_targets")
    assert dept.filter(pl.col("indicator") == "预算执行率")["comparator"].to_list() == [">="]
