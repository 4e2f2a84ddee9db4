"""Shares stated in the narrative (DOMAIN.md §2.4 P1, P5, P6; §4 D2, D5).

A share ("基本支出 239.79 万元，占 52.22%") is a part divided by a base. The part is the amount
stated just before it in the same sentence. The base is the one the text names ("占基本支出的"),
else the total introduced earlier in the sentence, else the section's lead total. When that base
does not reproduce the stated share, the other candidate bases of the registry are tried and
the one that does is named.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from analysis.check.context import DocContext, by_sentence, finding
from analysis.check.narrative import Figure, at, claim_scope, figure_registry, short, subject_figures
from analysis.check.registry import rule
from analysis.metadata import claim_subjects, load_toml

_MONEY = {"万元", "亿元", "千元", "元"}


@dataclass(frozen=True, slots=True)
class Base:
    label: str
    value: float
    decimals: int


@dataclass(frozen=True, slots=True)
class Share:
    claim: dict
    part: dict
    implied: Base | None
    """The base the context implies (named, sentence total or section lead)."""


@cache
def _subject_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((r.pattern, r.subject) for r in claim_subjects())


def _named_subject(base_text: str | None) -> str | None:
    for pattern, subject in _subject_patterns():
        if base_text and pattern.search(base_text):
            return subject
    return None


def _is_share(claim: dict) -> bool:
    return claim["claim_type"] == "share" and claim["unit"] == "%" and "占" in (claim["clause"] or "")


def _is_money(claim: dict) -> bool:
    return claim["claim_type"] == "amount" and claim["unit"] in _MONEY and claim["value_wan"] is not None


def _lead_total(claims: list[dict]) -> dict | None:
    """The first money amount that is not itself followed by a share (a part has one)."""
    for i, claim in enumerate(claims):
        if _is_money(claim):
            following = next((c for c in claims[i + 1 :] if c["claim_type"] in {"amount", "share"}), None)
            if following is None or not _is_share(following):
                return claim
    return None


def _as_base(claim: dict, label: str | None = None) -> Base:
    return Base(label or f"“{short(claim['clause'], 20)}”", claim["value_wan"], claim["decimals"] or 0)


def shares_of(ctx: DocContext, registry: dict[str, Figure]) -> list[Share]:
    """Every share claim with its part and implied base, computed once per document."""
    if "shares" not in ctx.memo:
        ctx.memo["shares"] = _shares_of(ctx, registry)
    return ctx.memo["shares"]


def _shares_of(ctx: DocContext, registry: dict[str, Figure]) -> list[Share]:
    out = []
    for section_claims in ctx.claims_by_section():
        lead = _lead_total(section_claims)
        for claims in by_sentence(section_claims):
            for i, claim in enumerate(claims):
                if not _is_share(claim):
                    continue
                amount = next((c for c in reversed(claims[:i]) if _is_money(c)), None)
                if amount is None:
                    continue
                implied = _implied_base(claim, claims[:i], amount, lead, section_claims, registry)
                out.append(Share(claim, amount, implied))
    return out


def _implied_base(claim, before, part, lead, section_claims, registry) -> Base | None:
    named = _named_subject(claim["base_text"])
    if named:
        stated = next(
            (c for c in section_claims if _is_money(c) and c["subject"] == named and c["_order"] != part["_order"]),
            None,
        )
        if stated is not None:
            return _as_base(stated, claim["base_text"])
        ids = subject_figures(
            named, claim_scope({"clause": claim["base_text"], "sentence": "", "offset": 0, "section": ""})
        )
        fig = next((registry[i] for i in ids if i in registry), None)
        return Base(f"{claim['base_text']}（{fig.label}）", fig.value, 2) if fig else None
    sentence_total = _lead_total(before)
    if sentence_total is not None and sentence_total["_order"] != part["_order"]:
        return _as_base(sentence_total)
    if lead is not None and lead["_order"] != part["_order"] and lead["value_wan"]:
        return _as_base(lead)
    return None


def _ratio(part: dict, base: Base) -> float | None:
    return part["value_wan"] / base.value * 100 if base.value else None


def _tolerance(ctx: DocContext, share: Share, base: Base) -> float:
    """The stated precision plus how far rounding of part and base can move the ratio."""
    part = share.part["value_wan"]
    half_part = ctx.tolerance.narrative(share.part["decimals"] or 0)
    half_base = ctx.tolerance.narrative(base.decimals)
    spread = 100 * (half_part / base.value + part * half_base / base.value**2) if base.value else 0
    return ctx.tolerance.percent(share.claim["decimals"] or 0) + spread


@cache
def _candidate_ids() -> tuple[str, ...]:
    return tuple(load_toml("checks/narrative_figures.toml")["shares"]["candidate_bases"])


def _previous_year_bases(ctx: DocContext) -> list[Base]:
    """Previous-year values the narrative implies: an amount minus the change stated for the
    same subject later in its section (DOMAIN P1 lists the previous-year value as a base)."""
    out = []
    for claims in ctx.claims_by_section():
        for i, change in enumerate(claims):
            if (
                change["claim_type"] != "change_amount"
                or change["direction"] not in {"up", "down"}
                or not change["subject"]
                or change["value_wan"] is None
            ):
                continue
            amount = next((c for c in reversed(claims[:i]) if _is_money(c) and c["subject"] == change["subject"]), None)
            if amount is not None:
                sign = -1 if change["direction"] == "down" else 1
                value = amount["value_wan"] - sign * change["value_wan"]
                if value > 0:
                    out.append(
                        Base(f"上年数（{short(amount['clause'], 16)} 减去增减额）", value, amount["decimals"] or 0)
                    )
    return out


@rule("share-base", severity="warning", category="percentage", title="占比的计算基数与上下文不符", domain_ids="P1 D2")
def share_base(ctx: DocContext) -> list[dict] | None:
    """A stated share equals its part divided by the base the context implies: the total the
    text names ("占基本支出的"), else the total introduced earlier in the sentence or section
    (DOMAIN P1). When it does not, the candidate bases (总计, 本年支出合计, 基本支出, 项目支出,
    一般公共预算, 财政拨款, previous-year values implied by stated changes …) are tried and the
    one that reproduces the share is named (D2)."""
    registry = figure_registry(ctx)
    shares = [s for s in shares_of(ctx, registry) if s.implied is not None]
    if not shares:
        return None
    out, previous = [], _previous_year_bases(ctx)
    for share in shares:
        stated, implied = share.claim["value"], share.implied
        if implied is None:
            continue  # filtered above; says so to the type checker
        expected = _ratio(share.part, implied)
        if expected is None or abs(stated - expected) <= _tolerance(ctx, share, implied):
            continue
        bases = [Base(f.label, f.value, 2) for i in _candidate_ids() if (f := registry.get(i))] + previous
        hit = next(
            (
                b
                for b in bases
                if (r := _ratio(share.part, b)) is not None and abs(stated - r) <= _tolerance(ctx, share, b)
            ),
            None,
        )
        why = f"按{hit.label} {hit.value:.2f} 万元计算才得 {stated:g}%" if hit else "任何候选基数都不能得出该比例"
        out.append(
            finding(
                f"{at(share.claim)}“{share.claim['section'] or ''}”：“{short(share.part['clause'])}”所述占比 {stated:g}% "
                f"与上下文基数{implied.label}（{implied.value:.2f} 万元）不符，应为 {expected:.2f}%；{why}",
                column="share",
                expected=round(expected, 4),
                actual=stated,
                excerpt=share.claim["sentence"],
                line=share.claim["line"],
                page=share.claim["page"],
                location=f"{at(share.claim)} “{short(share.claim['clause'])}”",
            )
        )
    return out


@rule(
    "share-siblings-sum",
    severity="warning",
    category="percentage",
    title="构成同一总数的各项占比之和不等于100%",
    domain_ids="P1",
)
def share_siblings_sum(ctx: DocContext) -> list[dict] | None:
    """Shares whose parts together make up their common base (基本支出 + 项目支出 = 支出合计,
    人员经费 + 公用经费 = 基本支出) add up to 100 ± 0.02, or ± the rounding of the printed
    precision when that is coarser (DOMAIN P1)."""
    shares = [s for s in shares_of(ctx, figure_registry(ctx)) if s.implied is not None]
    groups: dict[tuple, list[Share]] = {}
    for share in shares:
        key = (share.claim["sentence"], share.claim["line"], share.claim["page"], share.implied)
        groups.setdefault(key, []).append(share)
    out, evaluated = [], False
    for (_, _, _, base), members in groups.items():
        if len(members) < 2:
            continue
        parts = sum(s.part["value_wan"] for s in members)
        if abs(parts - base.value) > ctx.tolerance.sum(len(members)) + ctx.tolerance.narrative(base.decimals):
            continue
        evaluated = True
        total = sum(s.claim["value"] for s in members)
        tol = max(0.02, sum(ctx.tolerance.narrative(s.claim["decimals"] or 0) for s in members))
        if abs(total - 100) <= tol:
            continue
        first = members[0].claim
        out.append(
            finding(
                f"{at(first)}“{first['section'] or ''}”："
                + "、".join(f"“{short(s.part['clause'], 20)}”（{s.claim['value']:g}%）" for s in members)
                + f" 合计即{base.label}（{base.value:.2f} 万元），但各项占比之和为 {total:.2f}%，不是 100%",
                column="share",
                expected=100.0,
                actual=round(total, 4),
                excerpt=first["sentence"],
                line=first["line"],
                page=first["page"],
                location=f"{at(first)} “{short(first['clause'])}”",
            )
        )
    return out if evaluated else None


@rule("share-range", severity="error", category="percentage", title="占比超出0%–100%", domain_ids="P6 A4")
def share_range(ctx: DocContext) -> list[dict] | None:
    """A share ("占…%") lies between 0 and 100 (DOMAIN P6); growth rates may exceed 100 and are
    not shares.

    Certain because: a share of a whole cannot be outside 0–100 % at its printed precision.
    Depends on: the figure being a share (占…), not a change rate."""
    shares = [c for c in ctx.claim_dicts if _is_share(c)]
    if not shares:
        return None
    return [
        finding(
            f"{at(c)}“{c['section'] or ''}”：“{short(c['clause'])}”占比 {c['value']:g}% 超出 0–100%",
            column="share",
            expected=100.0,
            actual=c["value"],
            excerpt=c["sentence"],
            line=c["line"],
            page=c["page"],
            location=f"{at(c)} “{short(c['clause'])}”",
        )
        for c in shares
        if not 0 <= c["value"] <= 100
    ]


@rule("percent-precision", severity="info", category="percentage", title="百分比小数位数不一致", domain_ids="P5 D5")
def percent_precision(ctx: DocContext) -> list[dict] | None:
    """Percentages are printed with the same number of decimals throughout (DOMAIN P5): "3.9 %"
    among two-decimal figures is a style defect. The usual precision is the document's most
    common one (ties: the finer); whole 0% and 100% are left alone."""
    claims = [c for c in ctx.claim_dicts if c["unit"] == "%"]
    if len(claims) < 3:
        return None
    counts = Counter(c["decimals"] for c in claims)
    usual = max(counts, key=lambda d: (counts[d], d))
    return [
        finding(
            f"{at(c)}“{c['section'] or ''}”：“{short(c['clause'])}”保留 {c['decimals']} 位小数，"
            f"文中其他百分比多保留 {usual} 位",
            column=c["claim_type"],
            expected=float(usual),
            actual=float(c["decimals"]),
            excerpt=c["sentence"],
            line=c["line"],
            page=c["page"],
            location=f"{at(c)} “{short(c['clause'])}”",
        )
        for c in claims
        if c["decimals"] < usual and not (c["decimals"] == 0 and c["value"] in (0, 100))
    ]
