"""Planted 决算 and execution anomalies (issue 13): kinds ``final_*`` and ``execution_*``.

World kinds change the :class:`~analysis.synth.execution.Execution` before the document is
built (the document stays consistent; another document or the peers contradict it); print
kinds change one execution statement of the built document (DOMAIN §2.7 EX1–EX3, §2.6 Y3–Y4).
"""

from __future__ import annotations

import random

from analysis.kinds import Kind
from analysis.metadata import final_account_settings
from analysis.synth.amounts import fmt_units
from analysis.synth.execution import Execution
from analysis.synth.final_document import rate_hundredths
from analysis.synth.layout import Paragraph, Slot, SynthDoc
from analysis.synth.outliers import PendingLabel
from analysis.synth.params import anomaly_params
from analysis.synth.table_checklist import final_empty_note_fund, final_income_codes, final_rate_tables


def _params() -> dict:
    return anomaly_params()["final_params"]


def final_kinds() -> dict[str, dict]:
    return anomaly_params()["final_kinds"]


def _statements(doc: SynthDoc, touched: set[int]) -> list[tuple[Paragraph, dict[str, Slot]]]:
    """Execution statements of the narrative with their slots by role (budget, final, rate,
    direction), except those another planter changed (one anomaly per statement keeps every
    label true of the printed document)."""
    out = []
    for p in doc.paragraphs():
        if id(p) in touched:
            continue
        slots = {s.key.rpartition(":")[2]: s for sentence in p.sentences for s in sentence.slots()}
        if {"budget", "final", "rate"} <= set(slots):
            out.append((p, slots))
    return out


def _where(p: Paragraph) -> str:
    return f"{p.section}：{p.sentences[0].text()[:18]}…"


def _label(
    kind: str, p: Paragraph, column: str, expected: float | None, actual: float | None, detail: str, touched: set[int]
) -> PendingLabel:
    touched.add(id(p))
    return PendingLabel(kind, None, None, None, column, expected, actual, detail, _where(p))


def plant_completion_rate(doc: SynthDoc, rng: random.Random, touched: set[int]) -> PendingLabel | None:
    """A stated 完成率 that does not follow from its own 预算 and 决算 (EX1)."""
    choices = _statements(doc, touched)
    if not choices:
        return None
    p, slots = rng.choice(choices)
    rate = slots["rate"]
    shift = rng.uniform(*_params()["rate_shift"]) * rng.choice((-1, 1))
    wrong = round(max(rate.value + shift, 1.0), 2)
    clean = rate.value
    rate.value, rate.text = wrong, f"{wrong:.2f}"
    return _label("final_completion_rate", p, "rate", clean, wrong, f"完成率 {clean:.2f}% 改印为 {wrong:.2f}%", touched)


def plant_direction_word(doc: SynthDoc, rng: random.Random, touched: set[int]) -> PendingLabel | None:
    """“决算数大于预算数” where the figures say 小于, or the reverse (EX2)."""
    choices = [
        (p, s) for p, s in _statements(doc, touched) if s.get("direction") and s["direction"].text in ("大于", "小于")
    ]
    if not choices:
        return None
    p, slots = rng.choice(choices)
    word = slots["direction"]
    clean = word.text
    word.text = "小于" if clean == "大于" else "大于"
    return _label("final_direction_word", p, "direction", None, None, f"“{clean}”改印为“{word.text}”", touched)


def plant_missing_explanation(doc: SynthDoc, rng: random.Random, touched: set[int]) -> PendingLabel | None:
    """A large variance with its reason sentence dropped (EX3)."""
    threshold = final_account_settings().variance_threshold_pct
    choices = [
        (p, s)
        for p, s in _statements(doc, touched)
        if abs(s["rate"].value - 100) > threshold + 0.5 and len(p.sentences) > 1
    ]
    if not choices:
        return None
    p, slots = rng.choice(choices)
    p.sentences = p.sentences[:1]
    return _label(
        "final_missing_explanation",
        p,
        "explanation",
        None,
        slots["rate"].value,
        f"完成率 {slots['rate'].value:.2f}% 未说明差异原因",
        touched,
    )


def plant_budget_column(doc: SynthDoc, rng: random.Random, touched: set[int]) -> PendingLabel | None:
    """The 决算's 年初预算 of all 一般公共预算财政拨款 differs from the published 预算(N) (Y4, EX2);
    the stated 完成率 follows the printed (wrong) budget, so only the budget document contradicts it."""
    choices = [(p, s) for p, s in _statements(doc, touched) if s["budget"].key == "general:budget"]
    if not choices:
        return None
    p, slots = choices[0]
    budget, final = slots["budget"], slots["final"]
    clean = int(budget.value)
    shift = max(int(clean * rng.uniform(*_params()["budget_shift"])), 100)
    wrong = clean + shift * rng.choice((-1, 1)) if clean > 2 * shift else clean + shift
    direction = slots.get("direction")
    new = "大于" if final.value > wrong else "小于" if final.value < wrong else "持平"
    if direction is not None and (new == "持平") != (direction.text == "持平"):
        return None  # the reason sentence would no longer fit: pick another kind
    budget.value, budget.text = wrong, fmt_units(wrong)
    rate = rate_hundredths(int(final.value), wrong)
    slots["rate"].value, slots["rate"].text = rate / 100, f"{rate // 100}.{rate % 100:02d}"
    if direction is not None:
        direction.text = new
    return _label(
        "final_budget_column",
        p,
        "budget_amount",
        clean / 100,
        wrong / 100,
        f"年初预算 {clean / 100:.2f} 万元改印为 {wrong / 100:.2f} 万元",
        touched,
    )


PRINT_PLANTERS = {
    "final_completion_rate": plant_completion_rate,
    "final_direction_word": plant_direction_word,
    "final_missing_explanation": plant_missing_explanation,
    "final_budget_column": plant_budget_column,
    # checklist rules that need a table (issue 12)
    "final_rate_tables": final_rate_tables,
    "final_income_codes": final_income_codes,
    "final_empty_note_fund": final_empty_note_fund,
}


def plant_carryover_break(ex: Execution, rng: random.Random) -> PendingLabel:
    """年初结转和结余 that is not the previous 决算's 年末结转和结余 (Y3); 本年收入 absorbs the
    difference so F01 still balances and 年末结转和结余 is unchanged."""
    clean = ex.carry_in
    shift = max(int(ex.spend * rng.uniform(*_params()["carryover_shift"])), 100)
    shift = min(shift, ex.income_general - 100)
    ex.carry_in += shift
    ex.income_general -= shift
    return PendingLabel(
        "final_carryover_break",
        Kind.FINAL_REVENUE_EXPENDITURE_SUMMARY,
        "in:carryover",
        "年初结转和结余",
        "amount",
        clean / 100,
        ex.carry_in / 100,
        f"年初结转和结余 {ex.carry_in / 100:.2f} 万元，上年年末结转和结余 {clean / 100:.2f} 万元",
    )


def outlier_factor(rng: random.Random) -> float:
    return rng.uniform(*_params()["outlier_rate_factor"])


def outlier_label(ex: Execution, clean_rate: float) -> PendingLabel:
    planned = sum(ex.budget_by_class().values())
    rate = ex.total("general") / planned if planned else None
    return PendingLabel(
        "execution_outlier",
        None,
        None,
        None,
        "execution_rate_general",
        clean_rate,
        rate,
        f"一般公共预算财政拨款执行率 {0 if rate is None else rate:.2%}（同类约 {clean_rate:.2%}）",
    )
