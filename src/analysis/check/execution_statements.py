"""Read the execution statements of a 决算 narrative (DOMAIN.md §1.3, §2.7 EX1–EX3).

A statement is anchored on its 决算 figure (“支出决算为F万元”); the 预算 figures printed before it
(“年初预算为B万元”, “全年预算为…”) since the previous statement are its bases, and the 完成率,
direction word (“决算数小于预算数”) and reason (“主要原因…”) printed after it, up to the next
statement, belong to it. Real texts put the rate in the next sentence or split a statement over
two paragraphs' worth of punctuation, so the grouping is by order of mention, not by sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from analysis.metadata import load_toml

_NUM = r"(-?\d[\d,]*(?:\.\d+)?)"
_BUDGET = re.compile(rf"(年初预算|调整预算|全年预算|预算)(数)?(?:为|是)\s*{_NUM}\s*(万元|元)")
_FINAL = re.compile(rf"(?:支出)?决算(?:数)?(?:为|是)\s*{_NUM}\s*(万元|元)")
_RATE = re.compile(rf"(?:完成|为|占)(年初预算|调整预算|全年预算|预算)(数)?的\s*{_NUM}\s*%")
_DIRECTION = re.compile(r"决算数?(大于|小于|高于|低于|等于|同|与)(?:年初)?预算数?(持平|相等|一致)?")
_REASON = re.compile(r"原因")
_EMPTY_REASON = re.compile(r"原因(?:是|为|主要是)?[:：]?\s*(?:[。；]|$)")
_DIRECTION_WORD = {"大于": "up", "高于": "up", "小于": "down", "低于": "down", "等于": "flat"}


@cache
def settings() -> dict:
    return load_toml("checks/final_accounts.toml")


def _value(text: str, unit: str) -> tuple[float, int]:
    """Amount in 万元 and the decimals printed."""
    digits = text.replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    value = float(digits)
    return (value / 10000, decimals + 4) if unit == "元" else (value, decimals)


@dataclass
class Statement:
    subject: str
    final: float
    final_decimals: int
    budgets: dict[str, tuple[float, int]] = field(default_factory=dict)
    """Base (initial / adjusted / unspecified) → (万元, decimals)."""
    rate: float | None = None
    rate_decimals: int = 2
    rate_base: str | None = None
    direction: str | None = None
    """up, down, flat or None when no direction word is printed."""
    has_reason: bool = False
    empty_reason: bool = False
    text: str = ""
    line: int | None = None
    page: int | None = None

    def budget(self, base: str | None) -> tuple[float, int] | None:
        """The budget figure a rate or direction word refers to: the named base, else the only one."""
        if base and base in self.budgets:
            return self.budgets[base]
        if base in (None, "unspecified") and len(self.budgets) == 1:
            return next(iter(self.budgets.values()))
        if base in (None, "unspecified"):
            return self.budgets.get("initial")
        return None


def _base(word: str) -> str:
    return settings()["bases"].get(word, "unspecified")


def statements_in(text: str, line: int | None = None, page: int | None = None) -> list[Statement]:
    """Every execution statement of one paragraph, in reading order."""
    tokens = []
    for kind, pattern in (("budget", _BUDGET), ("final", _FINAL), ("rate", _RATE), ("direction", _DIRECTION)):
        tokens += [(m.start(), kind, m) for m in pattern.finditer(text)]
    tokens.sort(key=lambda t: t[0])
    out: list[Statement] = []
    pending: list[re.Match] = []
    start = last_end = 0
    for pos, kind, match in tokens:
        if kind == "budget":
            pending.append(match)
            if len(pending) == 1:
                start = pos
        elif kind == "final" and pending:
            value, decimals = _value(match.group(1), match.group(2))
            subject = text[last_end:start]  # what the figures are about: from the previous statement on
            st = Statement(subject.strip(), value, decimals, line=line, page=page)
            for b in pending:
                st.budgets.setdefault(_base(b.group(1) + (b.group(2) or "")), _value(b.group(3), b.group(4)))
            st.text = text[start:]
            out.append(st)
            pending = []
            last_end = match.end()
        elif kind == "rate" and out and not pending and out[-1].rate is None:
            out[-1].rate = float(match.group(3).replace(",", ""))
            out[-1].rate_decimals = len(match.group(3).split(".")[1]) if "." in match.group(3) else 0
            out[-1].rate_base = _base(match.group(1) + (match.group(2) or ""))
        elif kind == "direction" and out and not pending and out[-1].direction is None:
            word, tail = match.group(1), match.group(2)
            out[-1].direction = "flat" if tail or word in ("等于",) else _DIRECTION_WORD.get(word)
    for i, st in enumerate(out):  # the statement's own text ends where the next one's starts
        nxt = out[i + 1].text if i + 1 < len(out) else ""
        own = st.text[: len(st.text) - len(nxt)] if nxt and st.text.endswith(nxt) else st.text
        st.text = own
        st.has_reason = bool(_REASON.search(own))
        st.empty_reason = bool(_EMPTY_REASON.search(own))
    return out


def document_statements(texts: list[dict]) -> list[Statement]:
    """Statements of every narrative paragraph (``texts`` rows as dicts)."""
    out = []
    for row in texts:
        if row["kind"] == "paragraph" and "决算" in row["text"] and "预算" in row["text"]:
            out += statements_in(row["text"], row.get("line"), row.get("page"))
    return out


def rate_interval(final: tuple[float, int], budget: tuple[float, int]) -> tuple[float, float] | None:
    """The range of 决算/预算 × 100 the printed (rounded) figures allow (§0.4)."""
    (f, fd), (b, bd) = final, budget
    hf, hb = 0.5 * 10 ** (-fd), 0.5 * 10 ** (-bd)
    if b - hb <= 0:
        return None
    return max(f - hf, 0) / (b + hb) * 100, (f + hf) / (b - hb) * 100


def final_statements(ctx) -> list[Statement]:
    """The execution statements of a 决算 (none for other documents), read once per document."""
    if "statements" not in ctx.memo:
        final = ctx.document.get("doc_type") == "final_account"
        ctx.memo["statements"] = document_statements(ctx.text_rows) if final else []
    return ctx.memo["statements"]
