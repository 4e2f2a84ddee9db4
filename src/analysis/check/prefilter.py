"""One search over a document's whole text before a rule scans it row by row.

Most documents hold none of what a template-residue pattern looks for, and one regular
expression search over the joined rows costs far less than one per row (issue 14). The joined
search is a sieve only: it may find more than the rows hold (a match across two rows), never
less, so a rule that finds nothing in the joined text finds nothing in its rows, and one that
finds something scans the rows as before.
"""

from __future__ import annotations

import re
from functools import lru_cache

from analysis.check.context import DocContext

_SEPARATOR = "\n\x00\n"
"""Rows joined by a line break (``^`` and ``$`` match at every row's ends in multi-line mode)
around a NUL, which no ``\\s`` matches: "万元" at one row's end and "2024年" at the next row's
start are not one match of ``万元\\s*2024`` (a tighter sieve; issue 14)."""
_UNSAFE = re.compile(r"\(\?<?!|\\[AZ]")
"""A negative lookaround could see the separator where a row has nothing (and fail); ``\\A`` and
``\\Z`` mean one row's ends: such a pattern gets no sieve."""


def join(texts: list[str]) -> str:
    """Rows joined for :func:`may_match` and :func:`any_matches`."""
    return _SEPARATOR.join(texts)


def joined(ctx: DocContext, key: str, texts: list[str]) -> str:
    """``texts`` (one document's rows, named ``key``) joined once per document."""
    memo_key = ("joined", key)
    if memo_key not in ctx.memo:
        ctx.memo[memo_key] = join(texts)
    return ctx.memo[memo_key]


def may_match(pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``pattern`` may match one of the rows joined in ``text`` (:func:`joined`):
    ``False`` only when it matches none of them."""
    sieve = _sieve(pattern)
    return sieve is None or sieve.search(text) is not None


def any_matches(pattern: re.Pattern[str], texts: list[str], text: str) -> bool:
    """``any(pattern.search(t) for t in texts)``, ``text`` being ``texts`` joined
    (:func:`joined`): the joined match's own row is tried first, so a pattern found in the
    document costs two searches instead of one per row up to it."""
    sieve = _sieve(pattern)
    if sieve is None:
        return any(pattern.search(t) for t in texts)
    found = sieve.search(text)
    if found is None:
        return False
    row = text.count(_SEPARATOR, 0, found.start())  # the row, unless rows hold the separator
    first = texts[row] if row < len(texts) else ""
    return pattern.search(first) is not None or any(pattern.search(t) for t in texts)


def rows_with(gate: re.Pattern[str], texts: list[str], text: str) -> list[int]:
    """Positions of the rows of ``texts`` in which ``gate`` matches, ``text`` being ``texts``
    joined (:func:`joined`): one search over the document instead of one per row. ``gate`` is a
    cheap necessary condition of a rule's pattern (a row without a match of the gate holds no
    match of the pattern, in a row without a line break) and never matches a line break (write
    ``[^\\S\n]`` for a space; compile it multi-line where it reads ``^`` or ``$``), so each of its
    matches lies in one row; every row is returned when a row holds a line break."""
    if text.count("\n") != 2 * (len(texts) - 1):  # a row holds a line break of its own
        return list(range(len(texts)))
    rows: list[int] = []
    row, counted = 0, 0
    while (m := gate.search(text, counted)) is not None:
        row += text.count(_SEPARATOR, counted, m.start())
        rows.append(row)
        end = text.find(_SEPARATOR, m.end())  # the row's end: its other matches change nothing
        if end < 0:
            break
        row, counted = row + 1, end + len(_SEPARATOR)
    return rows


@lru_cache(maxsize=256)
def _sieve(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """The pattern with ``^``/``$`` at every row's ends (multi-line), or ``None`` when the
    joined text could hide a match of it."""
    if _UNSAFE.search(pattern.pattern) or not isinstance(pattern.pattern, str):
        return None
    return re.compile(pattern.pattern, pattern.flags | re.MULTILINE)
