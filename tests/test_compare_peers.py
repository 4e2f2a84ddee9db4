"""Peer groups on the lattice, the minimum group size, and scores within groups."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from analysis.compare.indicators import spec
from analysis.compare.peers import main_function_class, representatives
from analysis.compare.scoring import score_indicator
from analysis.schema import conform, frame


def _indicators(rows: list[dict]) -> pl.DataFrame:
    base = {
        "department": None,
        "fiscal_year": 2025,
        "doc_type": "budget",
        "gov_level": "county",
        "region": "新乡市东湖区",
        "department_kind": "agency",
        "function_class": "201",
        "is_reference": True,
        "status": "ok",
        "level": "department",
        "n_line_items": 10,
    }
    full = []
    for i, row in enumerate(rows):
        merged = {**base, "doc_id": f"d{i}", "department_id": f"dept{i}", **row}
        merged["department"] = merged["department"] or merged["department_id"]
        merged["sources"] = json.dumps({"personnel_share": {"personnel_expenditure": [1.0, "表 第1行"]}})
        full.append(merged)
    return conform("indicators", pl.DataFrame(full, infer_schema_length=None))


def _score(indicators, min_size=8, name="personnel_share"):
    out = score_indicator(indicators, spec(name), min_size)
    return {r["doc_id"]: r for r in out.to_dicts()}


def _shares(n, value=0.6, spread=0.02):
    return [value + spread * ((i % 5) - 2) for i in range(n)]


def test_full_key_when_the_group_is_large_enough():
    rows = [{"personnel_share": v} for v in _shares(9)] + [{"personnel_share": 0.05}]
    scored = _score(_indicators(rows))
    assert scored["d0"]["peer_level"] == "full" and scored["d0"]["peer_size"] == 10
    assert "2025年·区县级·新乡市东湖区·政府工作部门·201 一般公共服务支出·预算" == scored["d0"]["peer_group"]
    assert scored["d9"]["flagged"] and scored["d9"]["robust_z"] < -3.5
    assert scored["d9"]["peer_median"] == pytest.approx(0.59)  # median of all ten, itself included
    assert not any(scored[f"d{i}"]["flagged"] for i in range(9))


def test_widening_drops_kind_then_function_then_region():
    rows = [{"personnel_share": v, "department_kind": "agency" if i < 4 else "party"} for i, v in enumerate(_shares(8))]
    rows += [{"personnel_share": 0.6, "function_class": "205"}]  # alone in its function class
    rows += [{"personnel_share": 0.6, "region": "新乡市西岭区"}]  # alone in its region
    scored = _score(_indicators(rows))
    assert scored["d0"]["peer_level"] == "no_kind" and scored["d0"]["peer_size"] == 8
    assert scored["d8"]["peer_level"] == "no_function" and scored["d8"]["peer_size"] == 9
    assert scored["d9"]["peer_level"] == "level" and scored["d9"]["peer_size"] == 10
    assert "新乡市西岭区" not in scored["d9"]["peer_group"]


def test_group_below_minimum_size_is_not_evaluated_and_never_flags():
    rows = [{"personnel_share": v} for v in _shares(4)] + [{"personnel_share": 0.01}]
    scored = _score(_indicators(rows), min_size=8)
    for row in scored.values():
        assert row["status"] == "not_evaluated" and not row["flagged"] and row["robust_z"] is None
        assert "可比文档不足 8 个" in row["reason"]


def test_missing_value_is_not_evaluated():
    rows = [{"personnel_share": v} for v in _shares(9)] + [{"personnel_share": None}]
    scored = _score(_indicators(rows))
    assert scored["d9"]["status"] == "not_evaluated" and scored["d9"]["peer_group"] is None
    assert scored["d9"]["reason"].startswith("无此指标")


def test_duplicates_of_a_department_year_are_not_their_own_peers():
    rows = [{"personnel_share": v} for v in _shares(8)]
    rows += [{"personnel_share": 0.6, "department_id": "dept0", "is_reference": False}]  # d0 again, as PDF
    scored = _score(_indicators(rows))
    assert scored["d8"]["peer_size"] == 8 and scored["d8"]["status"] == "evaluated"


def test_growth_is_watched_upwards_only():
    rows = [{"three_public_growth": v} for v in (0.0, 0.02, -0.03, 0.01, 0.0, -0.01, 0.03, 0.0)]
    rows += [{"three_public_growth": 2.2}, {"three_public_growth": -0.7}]
    scored = _score(_indicators(rows), name="three_public_growth")
    assert scored["d8"]["flagged"] and not scored["d9"]["flagged"]


def test_representatives_prefer_the_department_document():
    table = pl.DataFrame(
        {
            "doc_id": ["u", "d", "x"],
            "department_id": ["a", "a", "b"],
            "fiscal_year": [2025] * 3,
            "doc_type": ["budget"] * 3,
            "status": ["ok"] * 3,
            "level": ["unit", "department", "unit"],
            "n_line_items": [50, 40, 10],
        }
    )
    assert representatives(table).to_list() == [False, True, True]


def test_main_function_class_is_the_class_with_most_money():
    items = frame(
        "line_items",
        [
            {
                "doc_id": "a",
                "table_index": 0,
                "row_index": 0,
                "func_code": "2010301",
                "column": "total",
                "amount": 50.0,
            },
            {"doc_id": "a", "table_index": 0, "row_index": 1, "func_code": "2080505", "column": "total", "amount": 8.0},
            {
                "doc_id": "a",
                "table_index": 0,
                "row_index": 2,
                "func_code": "2120501",
                "column": "total",
                "amount": 70.0,
            },
            {
                "doc_id": "a",
                "table_index": 1,
                "row_index": 0,
                "func_code": "2010302",
                "column": "total",
                "amount": 30.0,
            },
        ],
    )
    assert main_function_class(items).row(0) == ("a", "201")


def test_a_wider_group_includes_members_scored_in_narrower_groups():
    """Regression: documents that fell back to a wide group are compared with everyone in it,
    including peers whose own narrow group was big enough."""
    narrow = [{"personnel_share": v} for v in _shares(8)]
    wide = [{"personnel_share": v, "department_kind": "party", "function_class": "205"} for v in (0.61, 0.59, 0.2)]
    scored = _score(_indicators(narrow + wide))
    values = [r["personnel_share"] for r in narrow + wide]
    assert scored["d0"]["peer_level"] == "full" and scored["d8"]["peer_level"] == "no_function"
    assert scored["d10"]["peer_size"] == 11
    assert scored["d10"]["peer_median"] == pytest.approx(float(np.median(values)))
    logs = np.log(values)
    scale = max(1.4826 * np.median(np.abs(logs - np.median(logs))), spec("personnel_share")["min_scale"])
    assert scored["d10"]["robust_z"] == pytest.approx((np.log(0.2) - np.median(logs)) / scale)
