"""The narrative 第二部分 (sections 一…九) and the glossary of a synthetic budget.

Every number in a sentence is computed from the printed (integer, 0.01 万元) figures of the
department's own tables and of its previous year's budget: shares use the base the sentence
names (§2.3, P1), year-on-year changes use the previous year (P2), direction words follow the
sign of the change (P3), a zero change says 持平 and a new item says so (P7).
"""

from __future__ import annotations

import random
import re
from functools import cache

from analysis.synth.amounts import fmt_units
from analysis.synth.figures import Figures
from analysis.synth.layout import Heading, Paragraph, Sentence, Slot
from analysis.synth.params import classes, econ_codes, phrasing, project_specs, world

_TOKEN = re.compile(r"\{(amt|pct|dir|pdir):(\w+)\}|\{(level)\}|\{(\w+)\}")


@cache
def _parse(template: str) -> tuple[tuple[str, str, str], ...]:
    """Template → tokens (``lit``, text, '') / (``slot``, kind, key) / (``var``, name, '')."""
    tokens, pos = [], 0
    for m in _TOKEN.finditer(template):
        if m.start() > pos:
            tokens.append(("lit", template[pos : m.start()], ""))
        if m.group(1):
            tokens.append(("slot", m.group(1), m.group(2)))
        elif m.group(3):
            tokens.append(("slot", "level", "level"))
        else:
            tokens.append(("var", m.group(4), ""))
        pos = m.end()
    if pos < len(template):
        tokens.append(("lit", template[pos:], ""))
    return tuple(tokens)


def pct(part: float, base: float) -> float:
    return round(part * 100 / base, 2) if base else 0.0


def amount_text(units: float) -> str:
    """A narrative amount: two decimals, ``0`` for zero (as the seed prints)."""
    units = int(abs(units))
    return fmt_units(units) if units else "0"


class Filler:
    """Fills templates with one document's values; keeps word choices consistent."""

    def __init__(
        self, values: dict[str, float], alts: dict[str, float], words: dict[str, str], rng: random.Random, compact: bool
    ):
        self.values, self.alts, self.words, self.compact = values, alts, words, compact
        w = phrasing()["words"]
        self.up, self.down = rng.choice(w["up"]), rng.choice(w["down"])
        self.pup, self.pdown = rng.choice(w["pct_up"]), rng.choice(w["pct_down"])

    def slot(self, kind: str, key: str) -> Slot:
        if kind == "level":
            return Slot("level", "level", 0, world()["level_word"])
        value = self.values[key]
        if kind == "amt":
            return Slot(kind, key, value, amount_text(value))
        if kind == "pct":
            return Slot(kind, key, value, f"{abs(value):.2f}", self.alts.get(key))
        up, down = (self.up, self.down) if kind == "dir" else (self.pup, self.pdown)
        return Slot(kind, key, value, up if value > 0 else down)

    def fill(self, template: str) -> Sentence:
        parts: list[str | Slot] = []
        for kind, a, b in _parse(template):
            if kind == "lit":
                parts.append(a.replace(" ", "") if self.compact else a)
            elif kind == "slot":
                parts.append(self.slot(a, b))
            else:
                parts.append(self.words[a])
        return Sentence(parts)


def _register_change(values: dict, alts: dict, key: str, cur: int, prev: int) -> None:
    """Register ``key_delta`` and ``key_growth`` (with its Δ/cur wrong-base twin)."""
    delta = cur - prev
    values[f"{key}_delta"] = delta
    values[f"{key}_growth"] = pct(delta, prev)
    if cur:
        alts[f"{key}_growth"] = pct(delta, cur)


def _values(fig: Figures, prev: Figures) -> tuple[dict, dict]:
    tp, tp_prev = fig.three_public, prev.three_public
    values: dict[str, float] = {
        "revenue_total": fig.revenue_total,
        "expenditure_total": fig.revenue_total,
        "current_income": fig.current_income,
        "general_now": fig.general_now,
        "gov_fund": fig.gov_fund,
        "carryover": fig.carryover,
        "basic_total": fig.basic_total,
        "project_total": fig.project_total,
        "general_total": fig.general_total,
        "general_basic": fig.basic_total,
        "general_project": fig.general_total - fig.basic_total,
        "personnel": fig.personnel,
        "public": fig.public,
        "tp_total": tp["total"],
        "tp_abroad": tp["abroad"],
        "tp_reception": tp["reception"],
        "tp_vehicle": tp["vehicle_total"],
        "tp_vpurchase": tp["vehicle_purchase"],
        "tp_voperation": tp["vehicle_operation"],
        "proc_total": sum(fig.procurement.values()),
        "proc_goods": fig.procurement.get("货物", 0),
        "proc_works": fig.procurement.get("工程", 0),
        "proc_services": fig.procurement.get("服务", 0),
    }
    alts: dict[str, float] = {}
    total = fig.revenue_total
    values["share_basic"] = pct(fig.basic_total, total)
    values["share_project"] = pct(fig.project_total, total)
    values["share_general_now"] = pct(fig.general_now, fig.current_income)
    values["share_gov_fund"] = pct(fig.gov_fund, fig.current_income)
    values["share_general_basic"] = pct(fig.basic_total, fig.general_total)
    values["share_general_project"] = pct(values["general_project"], fig.general_total)
    for key, part in (("share_personnel", fig.personnel), ("share_public", fig.public)):
        values[key] = pct(part, fig.basic_total)
        alts[key] = pct(part, total)
    for code, row in fig.by_class("general").items():
        values[f"class_{code}"] = row[0]
        values[f"share_class_{code}"] = pct(row[0], fig.general_total)
    _register_change(values, alts, "total", fig.revenue_total, prev.revenue_total)
    _register_change(values, alts, "general", fig.general_total, prev.general_total)
    _register_change(values, alts, "fund", fig.gov_fund, prev.gov_fund)
    _register_change(values, alts, "tp", tp["total"], tp_prev["total"])
    _register_change(values, alts, "public", fig.public, prev.public)
    for key, name in (("tp_abroad", "abroad"), ("tp_reception", "reception"), ("tp_vehicle", "vehicle_total")):
        values[f"{key}_delta"] = tp[name] - tp_prev[name]
    return values, alts


def _items(fig: Figures, classes_: tuple[str, ...]) -> str:
    names = econ_codes()
    return "、".join(names[c].name for c in sorted(fig.dy.basic) if c[:3] in classes_) or "无"


def _keyed(template: str, label: str, key: str, share: str) -> str:
    """Point an item template at its value keys (KEY, SHARE) and give it its label."""
    return template.replace("{label}", label).replace("KEY", key).replace("SHARE", share)


def _pick_change(cur: float, prev: float, moved: str, flat: str, new: str = "") -> str:
    """The template for a change: moved, unchanged (持平) or newly arranged (P3, P7)."""
    if cur == prev:
        return flat
    return new if (new and not prev) else moved


class _Narrative:
    """Writes the sections of 第二部分, each as one or more templates filled with values."""

    def __init__(self, fig: Figures, prev: Figures, rng: random.Random, compact: bool):
        self.fig, self.prev, self.rng = fig, prev, rng
        self.n = phrasing()["narrative"]
        self.values, alts = _values(fig, prev)
        self.filler = Filler(self.values, alts, self._words(), rng, compact)
        self.out: list[Heading | Paragraph] = []

    def _words(self) -> dict[str, str]:
        fig, rng, values = self.fig, self.rng, self.values
        reasons = phrasing()["reasons"]

        def reason(key: str, delta: float) -> str:
            return rng.choice(reasons[f"{key}_up" if delta > 0 else f"{key}_down"])

        fund_uses = [
            phrasing()["fund_use"].get(p.key, project_specs()[p.key].task)
            for p in fig.dy.projects
            if p.fund == "gov_fund"
        ]
        dy = fig.dy
        return {
            "dept": dy.dept.name,
            "year": str(dy.year),
            "prev_year": str(dy.year - 1),
            "reason_total": reason("total", values["total_delta"]),
            "reason_general": reason("total", values["general_delta"]),
            "reason_tp": reason("tp", values["tp_delta"]),
            "reason_public": reason("public", values["public_delta"]),
            "personnel_items": _items(fig, ("301", "303")),
            "public_items": _items(fig, ("302", "310")),
            "fund_use": "、".join(fund_uses),
            "n_projects": str(len(dy.projects)),
            "vehicles": str(dy.vehicles),
            "vehicles_enforcement": str(dy.vehicles_enforcement),
            "vehicles_general": str(dy.vehicles - dy.vehicles_enforcement),
        }

    def section(self, title: str, *templates: str, level: tuple[int, ...] = (2, 3, 3)) -> None:
        self.out.append(Heading(self.rng.choice(level), title))
        self.out.append(Paragraph([self.filler.fill(t) for t in templates], title, narrative=True))

    def totals(self) -> None:
        """一 收支总体, 二 收入, 三 支出 (N1–N3)."""
        n, fig, rng = self.n, self.fig, self.rng
        self.section(
            n["s1_title"],
            rng.choice(n["s1_body"])
            + _pick_change(fig.revenue_total, self.prev.revenue_total, rng.choice(n["s1_change"]), n["s1_flat"][0]),
        )
        items = [_keyed(n["s2_item"], "一般公共预算", "general_now", "share_general_now")]
        items.append(
            _keyed(n["s2_item"], "政府性基金预算", "gov_fund", "share_gov_fund")
            if fig.gov_fund
            else n["s2_zero_item"].replace("{label}", "政府性基金预算")
        )
        items += [
            n["s2_zero_item"].replace("{label}", label)
            for label in ("国有资本经营预算", "财政专户管理资金", "事业收入")
        ]
        income = [rng.choice(n["s2_body"]).replace("{items}", "；".join(items))]
        if fig.carryover:
            income.append(n["s2_carryover"][0])
        self.section(n["s2_title"], *income)
        self.section(n["s3_title"], rng.choice(n["s3_body"]))

    def general_budget(self) -> None:
        """四 财政拨款, 五 一般公共预算, 六 基本支出 (N4–N6)."""
        n, fig, prev = self.n, self.fig, self.prev
        change = _pick_change(fig.general_total, prev.general_total, n["s4_change"], n["s4_flat"])
        change += _pick_change(fig.gov_fund, prev.gov_fund, n["s4_fund_change"], n["s4_fund_flat"], n["s4_fund_new"])
        self.section(n["s4_title"], self.rng.choice(n["s4_body"]), change)
        items = [
            _keyed(n["s5_class_item"], c["name"], f"class_{c['code']}", f"share_class_{c['code']}")
            for c in classes()
            if self.values.get(f"class_{c['code']}")
        ]
        self.section(n["s5_title"], self.rng.choice(n["s5_body"]), n["s5_classes"].replace("{items}", "；".join(items)))
        self.section(n["s6_title"], self.rng.choice(n["s6_body"]))

    def three_public(self) -> None:
        """七 三公 with each component and its change (N7); 八 政府性基金 (N8)."""
        n, values, prev = self.n, self.values, self.prev.three_public
        lines = [
            n["s7_total"] + _pick_change(values["tp_total"], prev["total"], n["s7_change"], n["s7_flat"], n["s7_new"]),
            n["s7_detail"],
        ]
        for key in ("tp_abroad", "tp_reception", "tp_vehicle"):
            short = key.removeprefix("tp_")
            body = n[f"s7_{short}"] if values[key] else n[f"s7_{short}_zero"]
            delta = f"{key}_delta"
            lines.append(body + (_keyed(n["s7_item_change"], "", delta, "") if values[delta] else n["s7_item_flat"]))
        self.section(n["s7_title"], *lines)
        self.section(n["s8_title"], self.rng.choice(n["s8_some"] if self.fig.gov_fund else n["s8_none"]))

    def other_matters(self) -> None:
        """九 其他重要事项: 机关运行经费, 政府采购, 绩效, 国有资产, 专项转移支付 (N9)."""
        n, rng = self.n, self.rng
        self.out.append(Heading(rng.choice((2, 3)), n["s9_title"]))
        running = n["s9_running"] + _pick_change(
            self.fig.public, self.prev.public, n["s9_running_change"], n["s9_running_flat"]
        )
        for title, template in (
            (rng.choice(n["s9_running_title"]), running),
            (n["s9_procurement_title"], n["s9_procurement"]),
            (n["s9_performance_title"], n["s9_performance"]),
            (n["s9_assets_title"], n["s9_assets"]),
            (n["s9_transfer_title"], n["s9_transfer"]),
        ):
            self.section(title, template, level=(3, 4))


def build_narrative(fig: Figures, prev: Figures, rng: random.Random, compact: bool) -> list[Heading | Paragraph]:
    """Headings and paragraphs of 第二部分 for one department-year.

    Args:
        fig: This year's figures.
        prev: The previous year's figures of the same department (comparisons, Y1).
        rng: The document's random stream (phrasing variants).
        compact: Drop the spaces the seed puts around numbers and years.
    """
    writer = _Narrative(fig, prev, rng, compact)
    writer.totals()
    writer.general_budget()
    writer.three_public()
    writer.other_matters()
    return writer.out


def build_glossary(rng: random.Random, compact: bool) -> list[Paragraph]:
    """第三部分 名词解释; two entries carry the government-level word (E3)."""
    filler = Filler({}, {}, {}, rng, compact)
    return [Paragraph([filler.fill(entry)], "名词解释") for entry in phrasing()["part_three"]["glossary"]]
