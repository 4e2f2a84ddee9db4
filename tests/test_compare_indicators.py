"""Indicators on tiny frames: ratios, per-capita (zero/missing headcount), growth, item types."""

from __future__ import annotations

import json

import pytest

from analysis.compare.indicators import build_indicators, indicator_specs
from analysis.compare.items import classify_project
from analysis.schema import schema as compare_schema
from compare_helpers import document, frames, project_item, staff_text

DEPT = "新乡市东湖区统计局"


def _build():
    docs = [
        document("a24", DEPT, 2024, total=100.0, personnel=60.0, public=10.0, project=30.0, three_public=1.0),
        document("a25", DEPT, 2025, total=110.0, personnel=63.0, public=11.0, project=36.0, three_public=3.0),
        document("z25", "新乡市东湖区审计局", 2025, three_public=0.0),
        document("m25", "新乡市东湖区商务局", 2025, three_public=2.0),
    ]
    texts = [staff_text("a24", 4), staff_text("a25", 5), staff_text("z25", 0), staff_text("m25", None)]
    items = [
        project_item("a25", "工作人员误餐费", 2.0, line=51),
        project_item("a25", "办公区物业管理费", 6.0, row=1),
        project_item("a25", DEPT, 8.0, row=2),  # the unit's own subtotal row
        project_item("z25", "工作人员误餐费", 1.0),
        project_item("m25", "工作人员误餐费", 1.5),
    ]
    claims = [
        {
            "doc_id": "m25",
            "subject": "expenditure_grand_total",
            "claim_type": "change_amount",
            "value": 20.0,
            "value_wan": 20.0,
            "unit": "万元",
            "direction": "up",
        },
        {
            "doc_id": "m25",
            "subject": "three_public",
            "claim_type": "change_amount",
            "value": 0.5,
            "value_wan": 0.5,
            "unit": "万元",
            "direction": "down",
        },
    ]
    indicators, departments = build_indicators(frames(docs, line_items=items, texts=texts, claims=claims))
    return {r["doc_id"]: r for r in indicators.to_dicts()}, departments


def test_every_declared_indicator_is_a_column():
    columns = set(compare_schema("indicators"))
    assert {s["name"] for s in indicator_specs()} <= columns


def test_structure_ratios():
    rows, _ = _build()
    assert rows["a25"]["personnel_share"] == pytest.approx(63 / 110)
    assert rows["a25"]["public_share"] == pytest.approx(11 / 110)
    assert rows["a25"]["project_share"] == pytest.approx(36 / 110)
    assert rows["a25"]["three_public_share"] == pytest.approx(3 / 110)


def test_per_capita_in_yuan_with_its_headcount_source():
    rows, _ = _build()
    a = rows["a25"]
    assert (a["headcount"], a["headcount_kind"]) == (5, "in_service")
    assert a["public_per_head_yuan"] == pytest.approx(11 * 10_000 / 5)
    assert a["meal_per_head_yuan"] == pytest.approx(2 * 10_000 / 5)
    assert a["meal_total"] == 2.0  # the unit subtotal row is not a project
    assert json.loads(a["item_amounts"]) == {"meal": 2.0, "property_security": 6.0}
    sources = json.loads(a["sources"])
    assert sources["meal_per_head_yuan"]["headcount"] == {"value": 5, "source": "第10行：在职人员 5 人"}
    assert "工作人员误餐费" in sources["meal_per_head_yuan"]["meal_total"]["source"]
    assert sources["personnel_share"]["total_expenditure"] == {"value": 110.0, "source": "表 第1行"}
    assert sources["uniform_per_head_yuan"] is None  # no value, no inputs


@pytest.mark.parametrize("doc_id", ["z25", "m25"])  # headcount printed as 0 / not printed at all
def test_zero_or_missing_headcount_gives_no_per_capita_figure(doc_id):
    rows, _ = _build()
    row = rows[doc_id]
    for name in ("public_per_head_yuan", "meal_per_head_yuan", "three_public_per_head_yuan"):
        assert row[name] is None, name
    assert row["personnel_share"] is not None  # the ratios do not need a headcount


def test_item_absent_gives_null_not_zero():
    rows, _ = _build()
    assert rows["a25"]["uniform_total"] is None and rows["a25"]["uniform_per_head_yuan"] is None


def test_growth_from_previous_document():
    rows, _ = _build()
    a = rows["a25"]
    assert a["prev_doc_id"] == "a24"
    assert a["total_growth"] == pytest.approx(0.10)
    assert a["three_public_growth"] == pytest.approx(2.0)
    assert a["personnel_growth"] == pytest.approx(0.05)
    assert rows["a24"]["total_growth"] is None  # no 2023 document and no narrative change


def test_growth_falls_back_to_the_narrative_change():
    rows, _ = _build()
    m = rows["m25"]
    assert m["prev_total_expenditure"] == pytest.approx(80.0)
    assert m["total_growth"] == pytest.approx(100 / 80 - 1)
    assert m["prev_three_public_total"] == pytest.approx(2.5)
    assert m["personnel_growth"] is None  # the narrative states no personnel change
    assert "叙述" in json.loads(m["sources"])["total_growth"]["prev_total_expenditure"]["source"]
    assert json.loads(rows["a25"]["sources"])["total_growth"]["prev_total_expenditure"]["source"] == "上年文档 a24"


def test_department_ids_and_kinds():
    rows, departments = _build()
    assert rows["a24"]["department_id"] == rows["a25"]["department_id"] == "新乡市东湖区/统计局"
    assert rows["a25"]["gov_level"] == "county" and rows["a25"]["department_kind"] == "agency"
    assert departments.filter(departments["name"] == DEPT)["n_documents"].item() == 2


@pytest.mark.parametrize(
    "name, kind",
    [
        ("工作人员误餐费", "meal"),
        ("工作人员工 装费", "uniform"),
        ("从业人员、保安保洁工资及管理费", "outsourced_labour"),
        ("办公区物业管理费", "property_security"),
        ("信息化运维经费", "it"),
        ("党建活动经费", "party_building"),
        ("审计业务专项经费", None),
    ],
)
def test_project_classifier(name, kind):
    assert classify_project(name) == kind
