"""Anomalies planted in a built document (defect catalogue, DOMAIN §4).

Each planter edits the printed cells or narrative slots of a :class:`SynthDoc` and returns a
:class:`PendingLabel` saying what it changed, or None when the document offers no place for it.
A :class:`Touched` record keeps two anomalies of one document from editing the same table or
sentence, so every label describes exactly one visible deviation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import cast

from analysis.kinds import Kind
from analysis.synth.amounts import fmt_compact
from analysis.synth.layout import Paragraph, Slot, SynthDoc, Table, fmt_cell
from analysis.synth.narrative import amount_text
from analysis.synth.outliers import PendingLabel
from analysis.synth.params import anomaly_params, econ_codes, func_name, phrasing, world
from analysis.synth.table_checklist import empty_table_note_fund, three_public_table_blank
from analysis.synth.tables_detail import cost_cap_text


@dataclass(slots=True)
class Touched:
    tables: set[str] = field(default_factory=set)
    slots: set[int] = field(default_factory=set)
    narrative_replaced: bool = False


def _min_delta() -> int:
    return int(anomaly_params()["params"]["min_delta"] * 100)


def _wrong_amount(units: int, rng: random.Random) -> int:
    """A plausible mistyped amount: two digits swapped, or a shifted value."""
    text = str(units)
    if len(text) >= 3 and rng.random() < 0.3:
        i = rng.randrange(len(text) - 1)
        swapped = int(text[:i] + text[i + 1] + text[i] + text[i + 2 :])
        if abs(swapped - units) >= _min_delta():
            return swapped
    delta = max(_min_delta(), int(units * rng.uniform(0.02, 0.15)))
    return units + delta if rng.random() < 0.6 or units <= delta else units - delta


def _location(table: Table, row_key: str | None) -> str:
    label = table.labels.get(row_key, "") if row_key else ""
    return f"{table.printed_title()}：{label}" if label else table.printed_title()


def _tables(doc: SynthDoc, touched: Touched) -> list[Table]:
    return [t for t in doc.tables.values() if t.present and t.kind not in touched.tables]


def _set_cell(table: Table, row_key: str, column: str, units: int) -> int:
    """Print ``units`` in a semantic cell; returns the clean value it replaced."""
    r, c = table.cell(row_key, column)
    clean = _units_of(table.rows[r][c])
    table.rows[r][c] = fmt_cell(units)
    return clean


def _units_of(text: str) -> int:
    return round(float(text) * 100) if text else 0


_TOTAL_CELLS = (
    (Kind.EXPENDITURE_SUMMARY, "total", ("total", "basic_total", "project_total")),
    (Kind.GENERAL_BUDGET_EXPENDITURE, "total", ("total", "basic_total", "project_total")),
    (Kind.GENERAL_BUDGET_BASIC_EXPENDITURE, "total", ("total", "personnel", "public")),
    (Kind.ECONOMIC_CLASSIFICATION_SUMMARY, "total", ("total",)),
    (Kind.PROJECT_EXPENDITURE, "total", ("total",)),
    (Kind.PROJECT_PERFORMANCE_TARGETS, "total", ("total",)),
    (Kind.REVENUE_SUMMARY, "total", ("total",)),
    (Kind.REVENUE_EXPENDITURE_SUMMARY, "exp:current_expenditure_total", ("amount",)),
    (Kind.REVENUE_EXPENDITURE_SUMMARY, "in:current_revenue_total", ("amount",)),
    (Kind.FISCAL_APPROPRIATION_SUMMARY, "exp:current_expenditure_total", ("total",)),
    (Kind.THREE_PUBLIC_EXPENSES, "current", ("total",)),
)


def _printed(table: Table, row_key: str, column: str) -> int:
    """The amount printed in a semantic cell (0 for a blank cell, which has no reference)."""
    if (row_key, column) not in table.refs:
        return 0
    r, c = table.cell(row_key, column)
    return _units_of(table.rows[r][c])


def arithmetic(doc: SynthDoc, rng: random.Random, touched: Touched) -> PendingLabel | None:
    """A printed total that differs from the sum of its parts (A1)."""
    free = {t.kind: t for t in _tables(doc, touched)}
    cells = [
        (free[kind], key, col)
        for kind, key, cols in _TOTAL_CELLS
        if kind in free
        for col in cols
        if (key, col) in free[kind].refs and _printed(free[kind], key, col)
    ]
    if not cells:
        return None
    table, key, column = rng.choice(cells)
    clean = _printed(table, key, column)
    wrong = _wrong_amount(clean, rng)
    _set_cell(table, key, column, wrong)
    touched.tables.add(table.kind)
    return PendingLabel(
        "arithmetic",
        table.kind,
        key,
        table.labels[key],
        column,
        clean / 100,
        wrong / 100,
        f"{table.labels[key]}（{column}）印 {wrong / 100:.2f}，各组成部分合计 {clean / 100:.2f}",
        _location(table, key),
    )


def _shift(table: Table, cells: list[tuple[str, str]], delta: int) -> None:
    for key, column in cells:
        r, c = table.cell(key, column)
        table.rows[r][c] = fmt_cell(_units_of(table.rows[r][c]) + delta)


def cross_table(doc: SynthDoc, rng: random.Random, touched: Touched) -> PendingLabel | None:
    """One figure printed differently in two tables, each table consistent in itself (B2)."""
    free = {t.kind: t for t in _tables(doc, touched)}
    options = []
    b13 = free.get(Kind.PROJECT_PERFORMANCE_TARGETS)
    if b13 and Kind.PROJECT_EXPENDITURE in doc.tables:
        options += [("b13", k) for k, col in b13.refs if k.startswith("project:") and col == "total"]
    if Kind.DEPARTMENT_PERFORMANCE_TARGETS in free:
        options.append(("b12", "budget_total"))
    b06 = free.get(Kind.GENERAL_BUDGET_BASIC_EXPENDITURE)
    if b06:
        options += [("b06", k) for k, col in b06.refs if k.startswith("econ:") and len(k) == 10 and col == "total"]
    if Kind.REVENUE_SUMMARY in free:
        options.append(("b02", "total"))
    if not options:
        return None
    which, key = rng.choice(options)
    table = {"b13": b13, "b06": b06}.get(which) or free[
        Kind.DEPARTMENT_PERFORMANCE_TARGETS if which == "b12" else Kind.REVENUE_SUMMARY
    ]
    column = "amount" if which == "b12" else "total"
    clean = _printed(table, key, column)
    delta = _wrong_amount(clean, rng) - clean
    if which == "b13":
        other = "项目支出表"
        _shift(
            table,
            [
                (key, "total"),
                (key, "gov_budget_funds"),
                ("total", "total"),
                ("total", "gov_budget_funds"),
                ("unit", "total"),
                ("unit", "gov_budget_funds"),
            ],
            delta,
        )
        rc, cc = table.cell(key, "cost_cap")
        table.rows[rc][cc] = cost_cap_text(clean + delta)
    elif which == "b12":
        other = "部门收支总体情况表"
        part = max(("project_total", "basic_total"), key=lambda k: _printed(table, k, "amount"))
        _shift(table, [(key, "amount"), ("gov_budget_funds", "amount"), (part, "amount")], delta)
    elif which == "b06":
        other = "一般公共预算支出情况表的基本支出"
        side = "personnel" if (key, "personnel") in table.refs else "public"
        _shift(table, [(key, "total"), (key, side), ("total", "total"), ("total", side)], delta)
    else:
        other = "部门收支总体情况表"
        cells = [
            (k, col)
            for k in ("total", "unit")
            for col in ("total", "current_revenue_total", "general_budget", "general_budget_appropriation")
        ]
        _shift(table, cells, delta)
    touched.tables.add(table.kind)
    return PendingLabel(
        "cross_table",
        table.kind,
        key,
        table.labels[key],
        column,
        clean / 100,
        (clean + delta) / 100,
        f"与{other}不一致（本表自身平衡）",
        _location(table, key),
    )


def _narrative_slots(
    doc: SynthDoc, touched: Touched, kinds: tuple[str, ...], narrative_only: bool = True
) -> list[tuple[Paragraph, int, Slot]]:
    found = []
    for paragraph in doc.paragraphs(narrative_only):
        for i, sentence in enumerate(paragraph.sentences):
            for slot in sentence.slots():
                if slot.kind in kinds and id(slot) not in touched.slots:
                    found.append((paragraph, i, slot))
    return found


def slot_name(key: str) -> str:
    """Readable name of a narrative slot (``share_class_208`` → 社会保障和就业支出占比)."""
    names = phrasing()["slot_labels"]
    if key in names:
        return names[key]
    if key.startswith(("class_", "share_class_")):
        name = func_name(key.rsplit("_", 1)[1])
        return f"{name}占比" if key.startswith("share_") else name
    return key


def _slot_label(
    kind: str, paragraph: Paragraph, i: int, slot: Slot, expected, actual, detail: str, touched: Touched
) -> PendingLabel:
    touched.slots.add(id(slot))
    start = paragraph.sentences[i].text()[:30]
    return PendingLabel(
        kind, None, None, slot_name(slot.key), slot.kind, expected, actual, detail, f"{paragraph.section}：{start}…"
    )


def narrative_amount(doc: SynthDoc, rng: random.Random, touched: Touched) -> PendingLabel | None:
    """A narrative amount that differs from the table figure (C1)."""
    slots = [s for s in _narrative_slots(doc, touched, ("amt",)) if s[2].value]
    if not slots:
        return None
    paragraph, i, slot = rng.choice(slots)
    clean = int(abs(slot.value))
    wrong = _wrong_amount(clean, rng)
    slot.text = amount_text(wrong)
    return _slot_label(
        "narrative_amount",
        paragraph,
        i,
        slot,
        clean / 100,
        wrong / 100,
        f"说明中的{slot_name(slot.key)}印 {wrong / 100:.2f} 万元，表中为 {clean / 100:.2f} 万元",
        touched,
    )


def pct_wrong_base(doc: SynthDoc, rng: random.Random, touched: Touched) -> PendingLabel | None:
    """A share or growth rate computed on the wrong base (D1, D2)."""
    slots = [
        s
        for s in _narrative_slots(doc, touched, ("pct",))
        if s[2].alt is not None and abs(abs(s[2].alt) - abs(s[2].value)) >= 0.5
    ]
    if not slots:
        return None
    paragraph, i, slot = rng.choice(slots)
    alt = cast(float, slot.alt)  # only slots with an alt were kept above
    slot.text = f"{abs(alt):.2f}"
    base = "本年数（Δ/本年）" if slot.key.endswith("_growth") else "支出合计"
    return _slot_label(
        "pct_wrong_base",
        paragraph,
        i,
        slot,
        abs(slot.value),
        abs(alt),
        f"{slot_name(slot.key)}以{base}为基数计算（数值为百分比）",
        touched,
    )


def direction_word(doc: SynthDoc, rng: random.Random, touched: Touched) -> PendingLabel | None:
    """增加 printed where the figure fell, or the reverse (P3)."""
    slots = [s for s in _narrative_slots(doc, touched, ("dir", "pdir")) if s[2].value]
    if not slots:
        return None
    paragraph, i, slot = rng.choice(slots)
    w = phrasing()["words"]
    ups, downs = (w["up"], w["down"]) if slot.kind == "dir" else (w["pct_up"], w["pct_down"])
    slot.text = rng.choice(downs if slot.value > 0 else ups)
    return _slot_label(
        "direction_word",
        paragraph,
        i,
        slot,
        slot.value / 100,
        -slot.value / 100,
        f"变动为 {slot.value / 100:+.2f} 万元，方向词印作“{slot.text}”",
        touched,
    )


def residue_alternative(doc: SynthDoc, rng: random.Random, touched: Touched) -> PendingLabel | None:
    """An unfilled ``增加/减少`` placeholder (E1)."""
    slots = _narrative_slots(doc, touched, ("dir",))
    if not slots:
        return None
    paragraph, i, slot = rng.choice(slots)
    slot.text = phrasing()["words"]["alternative"]
    return _slot_label(
        "template_residue_alternative",
        paragraph,
        i,
        slot,
        slot.value / 100,
        None,
        "方向词未填写，保留模板文字“增加/减少”",
        touched,
    )


def residue_placeholder(doc: SynthDoc, rng: random.Random, touched: Touched) -> PendingLabel | None:
    """An amount left as ``XX万元`` (E1)."""
    slots = [s for s in _narrative_slots(doc, touched, ("amt",)) if s[2].value]
    if not slots:
        return None
    paragraph, i, slot = rng.choice(slots)
    slot.text = phrasing()["words"]["placeholder"]
    return _slot_label(
        "template_residue_placeholder",
        paragraph,
        i,
        slot,
        abs(slot.value) / 100,
        None,
        "金额未填写，保留占位符“XX”",
        touched,
    )


def residue_level(doc: SynthDoc, rng: random.Random, touched: Touched) -> PendingLabel | None:
    """市级财政 in a 区 document (E3)."""
    slots = _narrative_slots(doc, touched, ("level",), narrative_only=False)
    if not slots:
        return None
    paragraph, i, slot = rng.choice(slots)
    slot.text = world()["wrong_level_word"]
    return _slot_label(
        "template_residue_level", paragraph, i, slot, None, None, f"区级部门文件中出现“{slot.text}财政”", touched
    )


def residue_year(doc: SynthDoc, rng: random.Random, touched: Touched) -> PendingLabel | None:
    """A table title printed with last year's year (E2, like the seed's 政府性基金 table)."""
    tables = [t for t in _tables(doc, touched) if "{year}" in t.title]
    if not tables:
        return None
    table = rng.choice(tables)
    table.year = doc.year - 1
    touched.tables.add(table.kind)
    return PendingLabel(
        "template_residue_year",
        table.kind,
        None,
        None,
        None,
        float(doc.year),
        float(table.year),
        f"表题年度为 {table.year}，应为 {doc.year}（数值为年份）",
        table.printed_title(),
    )


def missing_table(doc: SynthDoc, rng: random.Random, touched: Touched) -> PendingLabel | None:
    """A table listed in 目录 but absent from the body (F1, E8)."""
    tables = _tables(doc, touched)
    if not tables:
        return None
    table = rng.choice(tables)
    table.present = False
    touched.tables.add(table.kind)
    return PendingLabel(
        "missing_table",
        table.kind,
        None,
        None,
        None,
        None,
        None,
        f"目录列出但正文缺少“{table.printed_title()}”",
        table.printed_title(),
    )


_NAME_COL: dict[str, int] = {
    Kind.GENERAL_BUDGET_BASIC_EXPENDITURE: 1,
    Kind.ECONOMIC_CLASSIFICATION_SUMMARY: 2,
    Kind.EXPENDITURE_SUMMARY: 4,
    Kind.GENERAL_BUDGET_EXPENDITURE: 4,
}


def _other_name(code: str, rng: random.Random) -> tuple[str, str] | None:
    if len(code) == 5:
        others = [c for c in econ_codes() if len(c) == 5 and c[:3] == code[:3] and c != code]
        other = rng.choice(others) if others else None
        return (other, econ_codes()[other].name) if other else None
    names = {"01": "行政运行", "02": "一般行政管理事务", "03": "机关服务", "50": "事业运行"}
    others = [item for item in names if item != code[5:]]
    other = code[:5] + rng.choice(others)
    name = func_name(other)
    return (other, name) if name != func_name(code) else None


def code_name(doc: SynthDoc, rng: random.Random, touched: Touched) -> PendingLabel | None:
    """A code printed with another code's name (K1)."""
    rows = []
    for table in _tables(doc, touched):
        if table.kind in _NAME_COL:
            prefix = (
                "econ:"
                if table.kind in (Kind.GENERAL_BUDGET_BASIC_EXPENDITURE, Kind.ECONOMIC_CLASSIFICATION_SUMMARY)
                else "func:"
            )
            rows += [(table, key) for key in table.labels if key.startswith(prefix) and len(key) in (10, 12)]
    rng.shuffle(rows)
    for table, key in rows:
        code = key.split(":")[1]
        other = _other_name(code, rng)
        if other is None:
            continue
        r = table.refs[(key, "total")][0]
        table.rows[r][_NAME_COL[table.kind]] = other[1]
        touched.tables.add(table.kind)
        return PendingLabel(
            "classification_code_name",
            table.kind,
            key,
            table.labels[key],
            None,
            None,
            None,
            f"科目编码 {code} 配以 {other[0]} 的名称“{other[1]}”",
            _location(table, key),
        )
    return None


def cost_cap(doc: SynthDoc, rng: random.Random, touched: Touched) -> PendingLabel | None:
    """A project's cost cap ≤X万元 below the project amount (I34, H1)."""
    table = doc.tables.get(Kind.PROJECT_PERFORMANCE_TARGETS)
    if table is None or not table.present or table.kind in touched.tables:
        return None
    keys = [k for k, col in table.refs if col == "cost_cap"]
    if not keys:
        return None
    key = rng.choice(keys)
    r, c = table.cell(key, "total")
    amount = _units_of(table.rows[r][c])
    text = fmt_compact(amount)
    cap = int(amount * rng.uniform(*anomaly_params()["params"]["cost_cap_share"]))
    if rng.random() < 0.3 and len(text) > 3 and text[-1] != "0":
        cap = _units_of(text[:-1])
    if not 0 < cap < amount:
        return None
    rc, cc = table.cell(key, "cost_cap")
    table.rows[rc][cc] = cost_cap_text(cap)
    touched.tables.add(table.kind)
    return PendingLabel(
        "performance_cost_cap",
        table.kind,
        key,
        table.labels[key],
        "cost_cap",
        amount / 100,
        cap / 100,
        f"成本指标 ≤{fmt_compact(cap)}万元 低于项目金额 {text} 万元",
        _location(table, key),
    )


PRINT_PLANTERS = {
    "arithmetic": arithmetic,
    "cross_table": cross_table,
    "narrative_amount": narrative_amount,
    "pct_wrong_base": pct_wrong_base,
    "direction_word": direction_word,
    "template_residue_alternative": residue_alternative,
    "template_residue_year": residue_year,
    "template_residue_placeholder": residue_placeholder,
    "template_residue_level": residue_level,
    "classification_code_name": code_name,
    "performance_cost_cap": cost_cap,
    "three_public_table_blank": three_public_table_blank,
    "empty_table_note_fund": empty_table_note_fund,
    "missing_table": missing_table,
}
"""Print-level kinds in application order (missing_table last: it needs an untouched table)."""
