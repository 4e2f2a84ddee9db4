"""Vehicles and large assets at year end (issue 13; DOMAIN.md §2.5 FI12, §4 N1, G2).

Read from the 国有资产占用情况 statement of a 说明, e.g. “2016年末，本部门共有车辆31辆，其中：一般
公务用车5辆、一般执法执勤用车0辆、特种专业技术用车0辆、其他用车26辆；单位价值50万元以上通用设备
0台（套）”, and from the 三公 statement “公务用车运行费14.34万元……年末公务用车保有量5辆”.

- ``assets-vehicle-sum`` (FI12, N1): the vehicles by type against the stated total. Counts are
  exact integers, so parts that add up to more than the total are certainly wrong (error); parts
  that add up to less may leave a type out (warning).
- ``assets-vehicle-stock`` (FI12, N1, G2): the 公务用车保有量 named in the 三公 statement is a part
  of all vehicles at the same year end, so it cannot exceed 共有车辆 (warning: the two
  statements may cover different units).
- ``assets-vehicle-running-cost`` (FI12, G2): 公务用车运行(维护)费 above zero while the document
  says it has no vehicle at all and mentions no rented vehicle (warning).
"""

from __future__ import annotations

import re

from analysis.check.context import DocContext, finding
from analysis.check.narrative_text import located_sentences, quote
from analysis.check.registry import rule

_TOTAL = re.compile(r"共有(?:各类)?(?:公务)?车辆\s*(\d+)\s*辆")
_PART = re.compile(r"([\u4e00-\u9fff]{2,12}?)\s*(\d+)\s*车?辆")
_STOCK = re.compile(r"(?:年末|期末)公务用车保有量\s*(?:为)?\s*(\d+)\s*辆")
_RUNNING = re.compile(r"公务用车运行(?:维护)?费\s*(?:为)?\s*(\d[\d,]*(?:\.\d+)?)\s*万元")
_RENTED = re.compile(r"租用|租赁|租车")


def _fleet(ctx: DocContext) -> list[dict]:
    """Each stated vehicle total with its listed parts, once per document (memoised)."""
    if "fleet" not in ctx.memo:
        out = []
        for sentence, block, _ in located_sentences(ctx):
            for m in _TOTAL.finditer(sentence):
                tail = sentence[m.end() :]
                parts: list[tuple[str, int]] = []
                listed = re.match(r"\s*[，,]?\s*其中[：:]?", tail)
                if listed:
                    span = re.split(r"[；;。]|单价|单位价值", tail[listed.end() :], maxsplit=1)[0]
                    parts = [(p.group(1), int(p.group(2))) for p in _PART.finditer(span)]
                out.append(
                    {
                        "total": int(m.group(1)),
                        "parts": parts,
                        "sentence": sentence,
                        "text": sentence[m.start() : m.end() + (listed.end() + len(span) if listed else 0)],
                        "line": block.location.line,
                        "page": block.location.page,
                    }
                )
        ctx.memo["fleet"] = out
    return ctx.memo["fleet"]


def _listing_finding(fleet: dict, listed: int, what: str) -> dict:
    """A finding on a "共有车辆N辆，其中…" listing whose types add up to ``listed``."""
    return finding(
        f"{quote(fleet['text'])}：{what}",
        expected=float(fleet["total"]),
        actual=float(listed),
        column="vehicles",
        location=quote(fleet["text"], 30),
        excerpt=fleet["text"],
        line=fleet["line"],
        page=fleet["page"],
    )


@rule(
    "assets-vehicle-sum",
    severity="error",
    category="narrative",
    title="车辆分类数之和与车辆总数不符",
    domain_ids="FI12 N1",
)
def vehicle_sum(ctx: DocContext):
    """“共有车辆N辆，其中：…A辆、…B辆”: the listed types cannot add up to more than N. Counts
    are exact integers, so an excess is certain (fewer is ``assets-vehicle-sum-short``)."""
    fleet = _fleet(ctx)
    if not fleet:
        return None
    found = []
    for f in fleet:
        if not f["parts"]:
            continue
        listed = sum(n for _, n in f["parts"])
        if listed > f["total"]:
            found.append(_listing_finding(f, listed, f"分类车辆合计 {listed} 辆，多于所列总数 {f['total']} 辆"))
    return found


@rule(
    "assets-vehicle-sum-short",
    severity="warning",
    category="narrative",
    title="所列车辆分类数之和少于车辆总数",
    domain_ids="FI12 N1",
)
def vehicle_sum_short(ctx: DocContext):
    """The listed types add up to fewer vehicles than the total: a type is missing from the
    listing or a count is wrong (a warning, since a listing may name only some types)."""
    fleet = _fleet(ctx)
    if not fleet:
        return None
    found = []
    for f in fleet:
        listed = sum(n for _, n in f["parts"])
        if len(f["parts"]) >= 2 and listed < f["total"]:
            found.append(_listing_finding(f, listed, f"所列分类车辆合计 {listed} 辆，少于总数 {f['total']} 辆"))
    return found


@rule(
    "assets-vehicle-stock",
    severity="warning",
    category="narrative",
    title="年末公务用车保有量多于年末车辆总数",
    domain_ids="FI12 N1 G2",
)
def vehicle_stock(ctx: DocContext):
    """The 三公 statement's 年末公务用车保有量 cannot exceed the 国有资产 statement's 共有车辆 at
    the same year end (公务用车 are among all the vehicles)."""
    fleet = _fleet(ctx)
    stocks = [(int(m.group(1)), s, b) for s, b, _ in located_sentences(ctx) for m in _STOCK.finditer(s)]
    if not fleet or not stocks:
        return None
    total = fleet[0]
    return [
        finding(
            f"{quote(s)}：年末公务用车保有量 {n} 辆，多于{quote(total['text'], 30)}所列车辆总数 {total['total']} 辆",
            expected=float(total["total"]),
            actual=float(n),
            column="vehicles",
            location=quote(s, 30),
            excerpt=s,
            line=b.location.line,
            page=b.location.page,
        )
        for n, s, b in stocks
        if n > total["total"]
    ]


@rule(
    "assets-vehicle-running-cost",
    severity="warning",
    category="plausibility",
    title="无公务用车却列支公务用车运行维护费",
    domain_ids="FI12 G2 N1",
)
def vehicle_running_cost(ctx: DocContext):
    """A document that says it has no vehicle (共有车辆0辆) and states a 公务用车运行(维护)费
    above zero, with no word of rented vehicles: the cost or the count is wrong."""
    fleet = _fleet(ctx)
    if not fleet:
        return None
    if any(f["total"] > 0 for f in fleet) or any(_RENTED.search(s) for s, _, _ in located_sentences(ctx)):
        return []
    found = []
    for s, b, _ in located_sentences(ctx):
        for m in _RUNNING.finditer(s):
            cost = float(m.group(1).replace(",", ""))
            if cost > 0:
                found.append(
                    finding(
                        f"{quote(s)}：公务用车运行费 {cost:g} 万元，而{quote(fleet[0]['text'], 30)}",
                        expected=0.0,
                        actual=cost,
                        column="vehicle_operation",
                        location=quote(s, 30),
                        excerpt=s,
                        line=b.location.line,
                        page=b.location.page,
                    )
                )
                return found
    return found
