"""Rate sentences: statements that give two or more of previous value, current value, change
amount and change rate, or a 决算 against its 年初预算 (DOMAIN.md §2.4 P2–P4, §2.7 EX1).

Forms read (amounts in any unit of :data:`UNIT_TO_WAN`, percents with % or ％):

- ``支出702.15万元，比上年增加50.2万元，增长7.7%`` / ``同比下降3.2%`` / ``较上年决算数减少…``;
- ``由上年的820.40万元减少到702.15万元，减少1.44%`` (from–to, with or without the change);
- ``降幅0.71%`` / ``增幅为…`` (a rate named by its noun);
- ``年初预算为903.27万元，支出决算为877.64万元，完成年初预算的97.16%`` / ``为预算的…%``;
- ``决算数大于/小于/等于预算数`` (the comparison word of a 决算 against its budget).

Each sentence is cut into statements: a statement opens at a plain amount (its current value)
or at a previous/budget amount, and takes the change, rate, ratio and comparison words that
follow until the next statement opens. The base a statement names (上年预算, 上年决算, 年初预算)
is kept, so a check compares like with like. Nothing here decides right or wrong.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from analysis.text import UNIT_TO_WAN

_TOKEN = re.compile(r"(?P<num>-?\d[\d,]*(?:\.\d+)?)\s*(?P<unit>万元|亿元|千元|元|%|％)")
_UP = "增加|增长|上升|上涨|提高|多"
_DOWN = "减少|下降|降低|下调|少|节约|节省"
_CHANGE_WORD = re.compile(rf"(?P<word>{_UP}|{_DOWN})(?:了|为|共计|计)?\s*$")
_TO_WORD = re.compile(rf"(?P<word>{_UP}|{_DOWN})(?:到|至)\s*$")
_RATE_NOUN = re.compile(r"(?P<word>增幅|增长率|增速|降幅|减幅|下降率)\s*(?:为|达|是)?\s*$")
_RATIO = re.compile(
    r"(?:完成|为|占|达到|是)(?:了)?(?:年初|全年|调整后?的?|当年)?预算(?:数)?的\s*$"
    r"|(?:预算)?(?:完成|执行)率(?:为|达|是)?\s*$"
)
_FROM = re.compile(r"(?:由|从)(?P<base>[^，,；;。]{0,14}?)(?:的)?(?:数)?(?:为)?\s*$")
_PREVIOUS = re.compile(
    r"(?:比|较|与|同)?(?P<base>上年|上一年|上年度|去年|20\d{2}\s*年度?)(?:的)?"
    r"(?P<kind>年初预算|预算|决算|执行)?(?:数)?(?:的)?(?:为|是)?\s*$"
)
_BUDGET = re.compile(
    r"(?:比|较|与)?(?P<base>(?:本年|当年)?(?:年初|调整后?的?|全年)预算)(?:数)?(?:为|是)?\s*$"
    r"|(?:比|较|与)(?P<base2>预算)(?:数)?\s*$"
)
"""A 决算's budget base: 年初预算, 调整预算, 全年预算, or "比预算数"; never a budget's own "支出预算"."""
_CLAUSE_YEAR = re.compile(r"(20\d{2})\s*年")
_FROM_YEAR = re.compile(r"20\d{2}\s*年.*$")
_DOWN_WORD, _UP_WORD = re.compile(_DOWN + "|降幅|减幅|下降率"), re.compile(_UP + "|增幅|增长率|增速")
_PREVIOUS_YEAR = re.compile(r"上年|去年|20\d{2}")
_COMPARISON = re.compile(r"决算(?:数)?(?:支出)?(?P<word>大于|小于|等于|高于|低于|超过|持平于?)(?:年初)?预算(?:数)?")
_CLAUSE_MARKS = "，,、：:（("
_CLAUSE = re.compile(f"[{_CLAUSE_MARKS}]")
_STOP_MARKS = "；;。"
_STOP = re.compile(f"[{_STOP_MARKS}]")


@dataclass(slots=True)
class Figure:
    value: float
    """As printed, in its own unit (% for rates)."""
    decimals: int
    unit: str
    text: str
    word: str | None = None
    """The direction word or noun that introduced it (增加, 降幅, 减少到 …)."""

    @property
    def wan(self) -> float:
        return self.value * UNIT_TO_WAN.get(self.unit, 1.0)

    @property
    def half(self) -> float:
        """Half a unit of the last printed digit (in 万元 for amounts, points for rates)."""
        return 0.5 * 10 ** (-self.decimals) * (UNIT_TO_WAN.get(self.unit, 1.0) if self.unit != "%" else 1.0)


@dataclass(slots=True)
class RateStatement:
    sentence: str
    start: int
    end: int = 0
    subject: str = ""
    base: str | None = None
    """``previous`` (上年…) or ``budget`` (年初预算): what ``previous`` is."""
    base_text: str | None = None
    previous: Figure | None = None
    current: Figure | None = None
    change: Figure | None = None
    rate: Figure | None = None
    ratio: Figure | None = None
    to_form: bool = False
    comparison: str | None = None
    amounts: list[Figure] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.sentence[self.start : self.end]

    def given(self) -> int:
        return sum(x is not None for x in (self.previous, self.current, self.change, self.rate, self.ratio))


def _decimals(num: str) -> int:
    return len(num.split(".")[1]) if "." in num else 0


def _direction(word: str | None) -> str | None:
    if not word:
        return None
    if _DOWN_WORD.search(word):
        return "down"
    if _UP_WORD.search(word):
        return "up"
    return None


def direction_of(figure: Figure | None) -> str | None:
    return _direction(figure.word) if figure else None


def _base_kind(text: str) -> str:
    return "budget" if "预算" in text and not _PREVIOUS_YEAR.search(text) else "previous"


def _year_previous(clause: str, year: int | None) -> re.Match | None:
    """``2022年当年预算执行数为`` in a 2023 document: a value of the previous year."""
    if year is None:
        return None
    years = _CLAUSE_YEAR.findall(clause)
    if years and int(years[-1]) == year - 1:
        return _FROM_YEAR.search(clause)
    return None


def sentence_rates(sentence: str, year: int | None = None) -> list[RateStatement]:
    """The rate statements of one sentence, in order (only those with two or more figures).

    ``year`` is the document's fiscal year: an amount whose clause names year − 1 is a
    previous value even without 上年."""
    out: list[RateStatement] = []
    current: RateStatement | None = None
    last_end = 0
    marks = _Marks(sentence)
    for m in _TOKEN.finditer(sentence):
        start = m.start()
        if current is not None and marks.any_stop(last_end, start):
            current = None  # a new clause group: nothing carries over a 。 or ；
        near = sentence[marks.after_stop(max(0, start - 24), start) : start]
        unit = m.group("unit").replace("％", "%")
        num = m.group("num")
        figure = Figure(float(num.replace(",", "")), _decimals(num), unit, m.group(0))
        last_end = m.end()
        # each pattern below is tried only where the words it needs are there (issue 14: a
        # literal test costs a fraction of a search anchored at the end of ``near``)
        budget_word, last = "预算" in near, near.rstrip()[-1:]
        changed = last in _CHANGE_LAST
        if unit == "%":
            if current is None:
                continue
            if (budget_word or "率" in near) and (r := _RATIO.search(near)) is not None:
                figure.word = r.group(0)
                current.ratio = current.ratio or figure
                if current.base is None:
                    current.base = "budget"
            elif ((_RATE_HINT.search(near) is not None) and (r := _RATE_NOUN.search(near))) or (
                changed and (r := _CHANGE_WORD.search(near))
            ):
                figure.word = r.group("word")
                if current.rate is None:
                    current.rate = figure
            current.end = m.end()
            continue
        clause = sentence[marks.after_clause(start - len(near), start) : start]
        if (
            ("到" in near or "至" in near)
            and (r := _TO_WORD.search(near))
            and current is not None
            and current.previous
            and not current.current
        ):
            figure.word = r.group(0)
            current.current, current.to_form, current.end = figure, True, m.end()
            continue
        if (
            changed
            and (r := _CHANGE_WORD.search(near))
            and current is not None
            and current.change is None
            and (current.current or current.previous)
            and not (budget_word and _BUDGET.search(near))
        ):
            figure.word = r.group("word")
            current.change, current.end = figure, m.end()
            continue
        from_ = _FROM.search(near) if ("由" in near or "从" in near) else None
        prev = (
            from_
            or (_PREVIOUS_HINT.search(near) is not None and _PREVIOUS.search(near))
            or (budget_word and _BUDGET.search(near))
            or ("20" in clause and _year_previous(clause, year))
            or None
        )
        if prev is not None and prev.group(0).strip():
            base_text = prev.group(0).strip()
            kind = (
                _base_kind(base_text)
                if not from_
                else ("budget" if "预算" in base_text and "上年" not in base_text else "previous")
            )
            if current is None or current.previous is not None or current.change or current.rate:
                current = RateStatement(sentence, marks.clause_start(start), subject=clause.strip())
                out.append(current)
            current.previous, current.base, current.base_text = figure, kind, base_text
            current.amounts.append(figure)
            current.end = m.end()
            continue
        # a plain amount: the current value of a new statement (or of one that opened with its base)
        if current is not None and current.previous is not None and current.current is None and current.change is None:
            current.current = figure
        else:
            current = RateStatement(sentence, marks.clause_start(start), subject=clause.strip())
            current.current = figure
            out.append(current)
        current.amounts.append(figure)
        current.end = m.end()
    for statement in out:
        tail = sentence[statement.start : _next_start(out, statement, len(sentence))]
        cmp = _COMPARISON.search(tail) if "决算" in tail else None
        if cmp:
            statement.comparison = cmp.group("word")
            if statement.previous is not None and statement.base is None:
                statement.base = "budget"
    return [s for s in out if s.given() >= 2 or (s.comparison and s.previous and s.current)]


_CHANGE_LAST = frozenset("加长升涨高多少降低调约省了为计")
"""The last character of every match of ``_CHANGE_WORD`` (a direction word's, or 了 为 计)."""
_RATE_HINT = re.compile(r"幅|率|增速")
"""What every match of ``_RATE_NOUN`` holds."""
_PREVIOUS_HINT = re.compile(r"上|去年|20\d{2}")
"""What every match of ``_PREVIOUS`` holds (上年, 上一年, 上年度, 去年 or a year)."""


_CLAUSE_START = re.compile("[，,；;。：:]")


class _Marks:
    """Where a sentence's stop marks (。；;), clause marks (:data:`_CLAUSE_MARKS`) and clause
    starts (after ，；。：) are, found once per sentence: each token then asks by bisection, not by
    a scan of the text before it (issue 14). Positions are the sentence's own."""

    __slots__ = ("clauses", "starts", "stops")

    def __init__(self, sentence: str) -> None:
        self.stops = [m.start() for m in _STOP.finditer(sentence)]
        self.clauses = [m.start() for m in _CLAUSE.finditer(sentence)]
        self.starts = [m.start() for m in _CLAUSE_START.finditer(sentence)]

    @staticmethod
    def _after(marks: list[int], lo: int, hi: int) -> int:
        """The position after the last mark in ``[lo, hi)``, else ``lo``."""
        k = bisect_left(marks, hi)
        return marks[k - 1] + 1 if k and marks[k - 1] >= lo else lo

    def any_stop(self, lo: int, hi: int) -> bool:
        """Whether a stop mark lies in ``[lo, hi)``."""
        return bisect_left(self.stops, lo) < bisect_left(self.stops, hi)

    def after_stop(self, lo: int, hi: int) -> int:
        return self._after(self.stops, lo, hi)

    def after_clause(self, lo: int, hi: int) -> int:
        return self._after(self.clauses, lo, hi)

    def clause_start(self, at: int) -> int:
        """Where the clause holding position ``at`` begins (after the last ，；。： before it)."""
        return self._after(self.starts, 0, at)


def _next_start(statements: list[RateStatement], statement: RateStatement, default: int) -> int:
    later = [s.start for s in statements if s.start > statement.start]
    stop = _STOP.search(statement.sentence, statement.end)
    ends = later + ([stop.end()] if stop else [])
    return min(ends) if ends else default
