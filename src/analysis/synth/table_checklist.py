"""Planted anomalies for the checklist rules that need a table (issue 12, N1 N7–N9).

Budget kinds (``[kinds]``, signature of :mod:`analysis.synth.anomalies`):
``three_public_table_blank`` (B07 printed without amounts while the 说明 states them, F2 G1 N7)
and ``empty_table_note_fund`` (the empty 政府性基金 table noted about 国有资本经营, F2 X09 N8).
决算 kinds (``[final_kinds]``, signature of :mod:`analysis.synth.final_anomalies`; the touched
set holds ids of the paragraphs and tables already changed): ``final_rate_tables`` (the 三公
statement's 年初预算 and 完成率 follow a budget the F07 预算数 block does not print, EX2 FI07),
``final_income_codes`` (a 项 code of F02 misprinted, so F02 and F03 no longer correspond, X01
N9) and ``final_empty_note_fund`` (an empty F08/F09 carrying the other fund's note, X09 N8).
"""

from __future__ import annotations

import random

from analysis.kinds import Kind
from analysis.synth.amounts import fmt_units
from analysis.synth.final_document import direction, rate_hundredths
from analysis.synth.layout import Paragraph, Slot, SynthDoc, Table
from analysis.synth.outliers import PendingLabel
from analysis.synth.params import phrasing

_OTHER_FUND_NOTE = "注：我单位无国有资本经营预算支出"


def _free(doc: SynthDoc, kind: str, touched) -> Table | None:
    table = doc.tables.get(kind)
    if table is None or not table.present or kind in touched.tables:
        return None
    return table


def three_public_table_blank(doc: SynthDoc, rng: random.Random, touched) -> PendingLabel | None:
    """B07 printed with its header and no amount; the 说明 still states the 三公 figures."""
    table = _free(doc, Kind.THREE_PUBLIC_EXPENSES, touched)
    if table is None or not table.refs:
        return None
    stated = [
        s
        for p in doc.paragraphs()
        for sentence in p.sentences
        for s in sentence.slots()
        if s.key == "tp_total" and s.value
    ]
    if not stated:  # the 说明 (perhaps copied from another department) states no 三公 amount
        return None
    for r, c in table.refs.values():
        table.rows[r][c] = ""
    touched.tables.add(table.kind)
    total = stated[0].value / 100
    return PendingLabel(
        "three_public_table_blank",
        table.kind,
        None,
        None,
        None,
        0.0,
        total,
        f"“三公”经费表未填列金额，说明中“三公”经费为 {total:.2f} 万元",
        table.printed_title(),
    )


def empty_table_note_fund(doc: SynthDoc, rng: random.Random, touched) -> PendingLabel | None:
    """The empty 政府性基金 table (B08) noted "无国有资本经营预算支出": a note copied from the
    wrong table."""
    table = _free(doc, Kind.GOVERNMENT_FUND_EXPENDITURE, touched)
    if table is None or table.note != phrasing()["notes"]["fund_empty"]:
        return None
    table.note = _OTHER_FUND_NOTE
    touched.tables.add(table.kind)
    return PendingLabel(
        "empty_table_note_fund",
        table.kind,
        None,
        None,
        None,
        None,
        None,
        f"空表说明写“{_OTHER_FUND_NOTE}”，说的是国有资本经营，不是政府性基金",
        table.printed_title(),
    )


def _three_public_statement(doc: SynthDoc, touched: set[int]) -> tuple[Paragraph, dict[str, Slot]] | None:
    for p in doc.paragraphs():
        slots = {s.key: s for sentence in p.sentences for s in sentence.slots()}
        if id(p) not in touched and "three_public:budget" in slots and "three_public:rate" in slots:
            return p, slots
    return None


def final_rate_tables(doc: SynthDoc, rng: random.Random, touched: set[int]) -> PendingLabel | None:
    """The 三公 statement's 年初预算 printed off the F07 预算数 (完成率 and 大于/小于 follow the
    printed budget, so only the table contradicts the sentence)."""
    table = doc.tables.get(Kind.FINAL_THREE_PUBLIC_EXPENSES)
    found = _three_public_statement(doc, touched)
    if found is None or table is None or ("current", "budget_total") not in table.refs:
        return None
    p, slots = found
    budget, final = slots["three_public:budget"], slots["three_public:final"]
    clean = int(budget.value)
    shift = max(int(clean * rng.uniform(0.05, 0.2)), 100)
    wrong = clean + shift if clean <= 2 * shift or rng.random() < 0.5 else clean - shift
    word = slots.get("three_public:direction")
    new = direction(int(final.value), wrong)
    if word is not None and (new == "持平") != (word.text == "持平"):
        return None
    budget.value, budget.text = wrong, fmt_units(wrong)
    rate = rate_hundredths(int(final.value), wrong)
    slots["three_public:rate"].value = rate / 100
    slots["three_public:rate"].text = f"{rate // 100}.{rate % 100:02d}"
    if word is not None:
        word.text = new
    touched.add(id(p))
    return PendingLabel(
        "final_rate_tables",
        None,
        None,
        None,
        "budget_total",
        clean / 100,
        wrong / 100,
        f"“三公”经费年初预算印 {wrong / 100:.2f} 万元，表中预算数 {clean / 100:.2f} 万元",
        f"{p.section}：{p.sentences[0].text()[:18]}…",
    )


def final_income_codes(doc: SynthDoc, rng: random.Random, touched: set[int]) -> PendingLabel | None:
    """One 项 code of F02 misprinted (last two digits), so it has no partner in F03."""
    table, spend = doc.tables.get(Kind.FINAL_REVENUE), doc.tables.get(Kind.FINAL_EXPENDITURE)
    if table is None or spend is None or id(table) in touched:
        return None
    leaves = [k for k in table.labels if k.startswith("func:") and len(k) == 12]
    if not leaves:
        return None
    key = rng.choice(leaves)
    code = key[5:]
    taken = {k[5:] for k in table.labels if k.startswith("func:")} | {
        k[5:] for k in spend.labels if k.startswith("func:")
    }
    free = [f"{code[:5]}{i:02d}" for i in range(1, 100) if f"{code[:5]}{i:02d}" not in taken]
    if not free:
        return None
    other = rng.choice(free)
    r = table.refs[next(ref for ref in table.refs if ref[0] == key)][0]
    table.rows[r][0] = other
    touched.add(id(table))
    return PendingLabel(
        "final_income_codes",
        table.kind,
        key,
        table.labels[key],
        None,
        None,
        None,
        f"科目编码 {code} 印作 {other}，支出决算表中无对应科目",
        None,
    )


def final_empty_note_fund(doc: SynthDoc, rng: random.Random, touched: set[int]) -> PendingLabel | None:
    """An empty F08 or F09 carrying the note of the other fund's table."""
    notes = phrasing()["notes"]
    pairs = (
        (Kind.FINAL_GOVERNMENT_FUND, "final_fund_empty", "final_capital_empty"),
        (Kind.FINAL_STATE_CAPITAL, "final_capital_empty", "final_fund_empty"),
    )
    choices = []
    for kind, own, other in pairs:
        table = doc.tables.get(kind)
        if table is not None and id(table) not in touched and table.note == notes[own].format(dept=doc.dept.name):
            choices.append((table, notes[other].format(dept=doc.dept.name)))
    if not choices:
        return None
    table, note = rng.choice(choices)
    table.note = note
    touched.add(id(table))
    return PendingLabel(
        "final_empty_note_fund", table.kind, None, None, None, None, None, f"空表说明抄自另一张表：“{note}”", None
    )
