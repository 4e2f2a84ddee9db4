"""An error is a certainty at the printed precision (issue 11 point 1), with cases written here:
mixed units and precisions compare what is printed with what is printed, and no error shows a
difference that prints as 0.00."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from analysis.check.runner import _at_printed_precision
from analysis.check.tolerance import Tolerance, half_unit
from test_rules_narrative import check, messages

TOL = Tolerance()


def cell(raw: str, unit: str = "万元") -> dict:
    factor = {"万元": 1.0, "元": 1e-4}[unit]
    return {"raw_value": raw, "source_unit": unit, "amount": float(raw.replace(",", "")) * factor}


def test_same_precision_keeps_the_domain_tolerance():
    # DOMAIN §0.4: max(0.01, 0.005 × n) for two-decimal 万元 cells
    assert TOL.printed([cell("1.00"), cell("0.50")]) == pytest.approx(0.01)
    assert TOL.printed([cell("1.00")] * 5) == pytest.approx(0.025)


def test_wan_against_yuan_compares_at_the_coarser_print():
    wan, yuan = cell("0.62"), cell("6,248.00", "元")
    assert abs(wan["amount"] - yuan["amount"]) <= TOL.printed([yuan, wan])
    assert abs(wan["amount"] - yuan["amount"]) <= TOL.printed([wan, yuan])  # order does not matter
    # 0.64 万元 against 6,248 元 is a real difference at the 万元 print
    assert abs(cell("0.64")["amount"] - yuan["amount"]) > TOL.printed([yuan, cell("0.64")])


def test_whole_yuan_total_against_parts_in_fen():
    total, parts = cell("140,000", "元"), [cell("120,000.40", "元"), cell("19,999.80", "元")]
    gap = abs(total["amount"] - sum(p["amount"] for p in parts))  # 0.20 元
    assert gap <= TOL.printed([total, *parts])
    # two whole 元 off is more than the whole-元 print can explain
    assert abs(cell("140,002", "元")["amount"] - sum(p["amount"] for p in parts)) > TOL.printed([total, *parts])
    assert half_unit(total) == pytest.approx(0.5e-4)


def _ctx(unit_scale: float = 1.0):
    return SimpleNamespace(tolerance=TOL, scale=lambda kind: unit_scale)


def test_a_difference_printing_as_zero_is_never_an_error():
    found = {"difference": 0.004, "table_kind": "expenditure_summary", "message": "合计不符"}
    kept = _at_printed_precision(found, "row-identity", "error", _ctx())
    assert kept["severity"] == "info" and "0.00" in kept["message"]
    # one 元 in a table printed in 元 prints as 1.00: still an error
    one_yuan = {**found, "difference": 1e-4}
    assert "severity" not in _at_printed_precision(one_yuan, "row-identity", "error", _ctx(1e-4))
    # a rule whose error is a word, not a difference, is left alone
    assert "severity" not in _at_printed_precision(found, "change-direction", "error", _ctx())


def test_narrative_in_yuan_against_a_wan_table(tmp_path):
    old = "公用经费20.00万元"
    same, _ = check(tmp_path, ["narrative-amount-table"], [(old, "公用经费200,048元")])
    assert not messages(same, "narrative-amount-table", "error")  # 20.0048 万元 prints as 20.00
    off, _ = check(tmp_path, ["narrative-amount-table"], [(old, "公用经费201,048元")])
    assert messages(off, "narrative-amount-table", "error")


def test_operating_costs_are_not_demanded_of_a_single_institution(tmp_path):
    # the seed's defect (机关运行经费 = 项目支出) written for a 事业单位's own 单位预算: not evaluated
    old = "2025年机关运行经费预算20.00万元"
    agency, _ = check(tmp_path, ["operating-costs-public"], [(old, "2025年机关运行经费预算100.00万元")])
    assert messages(agency, "operating-costs-public", "error")
    text_swap = [
        (old, "2025年机关运行经费预算100.00万元"),
        ("示范市东湖区测试局2025年度部门预算", "示范市东湖区信息中心2025年度单位预算"),
    ]
    unit, _ = check(tmp_path, ["operating-costs-public"], text_swap)
    assert not messages(unit, "operating-costs-public", "error")
