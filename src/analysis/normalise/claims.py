"""Narrative claims: every amount, share, change and count stated in the 情况说明.

Each claim records what it is about (a subject from metadata/claim_subjects.csv), its kind
(``amount``, ``share``, ``change_amount``, ``change_pct``, ``count``), the value as printed
and in 万元, the direction word, the base a share names, the whole sentence and its line or
page, so that checks can compare it with the tables (DOMAIN.md §2.3, §2.4).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache, lru_cache
from typing import cast

from analysis.metadata import claim_subjects
from analysis.model import Block
from analysis.normalise.classes import class_code_for_name
from analysis.sentences.split import NUMBER as _NUMBER
from analysis.sentences.split import sentences
from analysis.text import HAN_CHAR, NARROW_DIGITS, UNIT_TO_WAN

_CLAUSE_BREAK = re.compile(r"[，,；;。：:]")
_UNFILLED = re.compile(
    r"增加\s*/\s*减少|增长\s*/\s*下降|上升\s*/\s*下降|增\s*/\s*减"
    r"|(增加|增长|上升|上涨|减少|下降|降低)\s*[（(]\s*(增加|增长|上升|上涨|减少|下降|降低)\s*[)）]"
)
_UP = re.compile(r"增加|增长|上涨|上升|提高|增幅")
_DOWN = re.compile(r"减少|下降|降低|下降了|减幅|节约")
_FLAT = re.compile(r"持平|无变化|没有变化")
_SHARE_BASE = re.compile(r"占(?P<base>[^，,；;。\d]{0,20}?)(?:的|比重|比例)?(?:为)?\s*$")
_CLASS_NAME = re.compile(r"([\u4e00-\u9fff、（）()]{2,24}?支出)\s*(?:为|共|合计)?\s*$")
_YEAR = re.compile(r"(20\d{2})\s*年")
_TO_WAN = UNIT_TO_WAN
_FROM_VALUE = re.compile(r"(?:由|从)(?:上年|上年度|去年|20\d{2}\s*年度?)[^，,；;。]{0,10}$")
_TO_VALUE = re.compile(r"(?:增加|增长|上升|减少|下降|降低)(?:到|至)\s*$")


@cache
def _subjects() -> tuple[re.Pattern[str], tuple[tuple[str, str], ...]]:
    """One alternation over every subject pattern (group i ↔ row i), so a clause is scanned once."""
    rows = claim_subjects()
    pattern = "|".join(f"(?P<s{i}>{r.pattern.pattern})" for i, r in enumerate(rows))
    return re.compile(pattern), tuple((r.subject, r.family) for r in rows)


@lru_cache(maxsize=50_000)
def _subject_in(text: str) -> tuple[str, str, int] | None:
    """The last subject named in ``text``; at the same end position the longer name wins."""
    pattern, names = _subjects()
    best = None
    for start in range(len(text)):
        m = pattern.match(text, start)
        if m and (best is None or m.end() > best[2] or (m.end() == best[2] and m.end() - m.start() > best[3])):
            subject, family = names[int(cast(str, m.lastgroup)[1:])]  # every alternative is a named group
            best = (subject, family, m.end(), m.end() - m.start())
    return best[:3] if best else None


@lru_cache(maxsize=50_000)
def _function_class_in(clause: str) -> tuple[str, str, int] | None:
    """A 功能分类 类 named right before the figure ("…卫生健康支出 15.29 万元") as subject
    ``class:210``, so narrative amounts by function can be compared with 一般公共预算支出表."""
    m = _CLASS_NAME.search(clause)
    code = class_code_for_name(m.group(1)) if m else None
    return (f"class:{code}", "function", len(clause)) if code else None


@lru_cache(maxsize=50_000)
def _direction(clause: str) -> str | None:
    if _UNFILLED.search(clause):
        return "unfilled"
    last = None
    for name, pattern in (("up", _UP), ("down", _DOWN), ("flat", _FLAT)):
        for m in pattern.finditer(clause):
            if last is None or m.end() > last[1]:
                last = (name, m.end())
    return last[0] if last else None


_RESPECTIVELY = re.compile(r"分别")
_LIST_SCOPE_END = re.compile(r"[；;。]")
# 收入/支出 with nothing naming it ("，收入上涨…；支出上涨…"): the sentence's own total
_BARE_FLOW = re.compile(
    r"(?:^|[，,；;：:、（(]|其中|同时|相应)\s*(收入|支出)\s*(增加|减少|上涨|下降|增长|持平|增加/减少)"
)
# a name the subject catalogue does not know ("工资福利支出增加…", "卫生健康支出减少…"):
# the amount is about it, not about the subject of an earlier clause
_UNKNOWN_NAME = re.compile(
    r"[\u4e00-\u9fff）)]{2,}(?:支出|收入|经费|费用|费)\s*(?:预算|决算)?(?:数)?\s*"
    r"(?:为|共|合计|比上年|较上年|与上年相比|同比)?\s*"
    r"(?:增加|减少|上涨|下降|增长|降低|上升)?\s*$"
)


def _names_in(text: str) -> list[tuple[str, str]]:
    """Registered subjects named in ``text`` in reading order (longest name at each place)."""
    pattern, names = _subjects()
    out, pos = [], 0
    while pos < len(text):
        best = None
        for start in range(pos, len(text)):
            m = pattern.match(text, start)
            if m:
                best = m
                break
        if best is None:
            break
        end = best.end()
        for longer in pattern.finditer(text, best.start(), min(len(text), best.start() + 30)):
            if longer.start() == best.start() and longer.end() > end:
                best, end = longer, longer.end()
        out.append(names[int(cast(str, best.lastgroup)[1:])])  # every alternative is a named group
        pos = max(end, pos + 1)
    return out


def _respective_subjects(sentence: str, numbers: list[re.Match]) -> dict[int, tuple[str, str] | None]:
    """Subjects of the values listed after "分别" ("人员经费、公用经费分别为 A、B"): the i-th
    value of each kind (amount, change, rate, share) after the word belongs to the i-th subject
    named before it; a later "分别" with no names of its own ("，分别比上年增加 a、减少 b")
    reuses the list. Values beyond the list get no subject."""
    out: dict[int, tuple[str, str] | None] = {}
    listed: list[tuple[str, str]] = []
    for marker in _RESPECTIVELY.finditer(sentence):
        start = max((b.end() for b in _CLAUSE_BREAK.finditer(sentence, 0, marker.start())), default=0)
        names = _names_in(sentence[start : marker.start()])
        if len(names) >= 2:
            listed = names
        if not listed:
            continue
        stop = _LIST_SCOPE_END.search(sentence, marker.end())
        stop_at = stop.start() if stop else len(sentence)
        counts: dict[str, int] = {}
        for m in numbers:
            if not marker.end() <= m.start() < stop_at or m.start() in out:
                continue
            if _subject_in(sentence[marker.end() : m.start()]):
                break  # the list is over: a clause names its own subject
            group = m.group("unit") + ("Δ" if _direction(sentence[marker.end() : m.start()]) else "")
            index = counts.get(group, 0)
            counts[group] = index + 1
            out[m.start()] = listed[index] if index < len(listed) else None
    return out


def sentence_claims(sentence: str) -> list[dict]:
    """Claims of one sentence, in order.

    Each amount or rate attaches to the subject of its own clause: the text since the previous
    clause break or the previous figure, whichever is later ("基本支出增加 a、项目支出减少 b":
    a → 基本支出, b → 项目支出). A clause without a name inherits the subject before it
    ("，比上年增加 c"); a clause naming something the catalogue does not know gets none; values
    listed after "分别" go to the names listed before it, in order.
    """
    claims: list[dict] = []
    sentence = sentence.translate(NARROW_DIGITS)  # same length: offsets still index the sentence
    numbers = list(_NUMBER.finditer(sentence))
    if not numbers:
        return claims
    years = ",".join(_YEAR.findall(sentence)) or None
    breaks = [b.end() for b in _CLAUSE_BREAK.finditer(sentence)]
    respective = _respective_subjects(sentence, numbers) if "分别" in sentence else {}
    last_subject: tuple[str, str] | None = None
    previous_end = 0
    for m in numbers:
        k = bisect_right(breaks, m.start())  # clause breaks that end at or before the number
        clause_start = max(breaks[k - 1] if k else 0, previous_end)
        clause = sentence[clause_start : m.start()]
        previous_end = m.end()
        direction = _direction(clause)
        found = _subject_in(clause) or _function_class_in(clause)
        if m.start() in respective:
            last_subject = respective[m.start()]
        elif found:
            last_subject = (found[0], found[1])
        elif _UNKNOWN_NAME.search(clause) and not _BARE_FLOW.search(clause):
            last_subject = None
        elif not (direction or "占" in clause or len(HAN_CHAR.findall(clause)) <= 4):
            last_subject = None  # a clause about something we have no subject for
        elif _BARE_FLOW.search(clause) and claims:
            family = "revenue" if "收入" in clause else "expenditure"
            match = next((c for c in reversed(claims) if c["family"] == family), None)
            last_subject = (match["subject"], family) if match else last_subject
        unit = m.group("unit").replace("％", "%")
        value = float(re.sub(r"[,，﹐]", "", m.group("num")))
        if unit in {"%", "个百分点"}:
            kind = "change_pct" if direction and "占" not in clause else "share"
        elif unit in _TO_WAN and _FROM_VALUE.search(clause):
            kind, direction = "previous_amount", None  # "由上年的820.40万元减少到…": the base, not this year
        elif unit in _TO_WAN and _TO_VALUE.search(clause):
            kind, direction = "amount", None  # "…减少到702.15万元": this year's value, not a change
        elif unit in _TO_WAN:
            kind = "change_amount" if direction else "amount"
        else:
            kind = "count"
        base = _SHARE_BASE.search(clause) if kind == "share" else None
        decimals = len(m.group("num").split(".")[1]) if "." in m.group("num") else 0
        claims.append(
            {
                "subject": last_subject[0] if last_subject else None,
                "family": last_subject[1] if last_subject else None,
                "claim_type": kind,
                "value": value,
                "unit": unit,
                "decimals": decimals,
                "value_wan": value * _TO_WAN[unit] if unit in _TO_WAN else None,
                "direction": direction,
                "base_text": (base.group("base").strip() or None) if base else None,
                "clause": clause.strip() + m.group(0),
                "offset": m.start(),
                "years": years,
            }
        )
    return claims


def narrative_claims(blocks: list[Block], split: list[tuple[str, Block, str | None]] | None = None) -> list[dict]:
    """Claims of all narrative blocks (tables excluded), with sentence, section and location.
    ``split``: ``sentences`` of those blocks when the caller has them already."""
    rows = []
    if split is None:
        split = sentences([b for b in blocks if b.kind != "table"])
    for sentence, block, section in split:
        for claim in sentence_claims(sentence):
            claim.update(section=section, sentence=sentence, line=block.location.line, page=block.location.page)
            rows.append(claim)
    return rows
