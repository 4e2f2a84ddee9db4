"""Header rows → one canonical role or measure per column.

Multi-row headers print a parent label once over its children (merged cells become a label
followed by empty cells). Each column's path joins its labels from top to bottom; an empty
upper cell inherits the label to its left while a lower row still has a child there. The path
is then matched against the column map (metadata/column_map.csv), first match wins. A rule may
name a ``when`` pattern: it then applies only if another column of the same table matches it (the
Jiangsu 三公 table's 合计 adds 会议费 and 培训费 because a “三公”经费 小计 column stands beside it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from analysis.metadata import kinds_match, load_csv
from analysis.normalise.cells import clean_text, is_amount, match_key

_TOTAL_LABEL = re.compile(r"^(合计|总计|本年收入合计|本年支出合计)$")
_COLUMN_NUMBERS = re.compile(r"^(\d{1,2}|栏次|行次|[A-Z])$")


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    path: str
    """Normalised header labels of the column joined with ``/``."""
    role: str
    """``measure``, ``code``, ``label``, ``row_number``, ``indicator`` or ``none``."""
    measure: str | None = None


def is_column_number_row(row: Sequence[str]) -> bool:
    """A 栏次 row ("栏次 1 2 3 …" under the header) that must not be read as amounts."""
    if any("." in c for c in row):
        return False
    cells = [match_key(c) for c in row if c.strip()]
    digits = [int(c) for c in cells if c.isdigit()]
    return (
        len(digits) >= 3
        and all(_COLUMN_NUMBERS.match(c) for c in cells)
        and digits == sorted(set(digits))
        and max(digits) <= 60
    )


def header_row_count(rows: list[list[str]]) -> int:
    """Rows before the first data row (one with an amount or a 合计/总计 label)."""
    for i, row in enumerate(rows):
        if _starts_data(tuple(row)):
            return i
    return len(rows)


@lru_cache(maxsize=20_000)
def _starts_data(row: tuple[str, ...]) -> bool:
    # cached: header rows are the same in document after document of one template
    if is_column_number_row(row):
        return False
    cells = [c for c in row if c.strip()]
    first = next((j for j, c in enumerate(row) if c.strip()), None)
    return any(is_amount(c) for c in cells) or (
        first is not None and first <= 1 and bool(_TOTAL_LABEL.match(match_key(row[first]))) and len(cells) == 1
    )


def column_paths(header: list[list[str]], width: int) -> list[str]:
    """One ``/``-joined label path per column, spanning labels inherited to the right."""
    grid = [
        [clean_text(r[j]) if j < len(r) else "" for j in range(width)] for r in header if not is_column_number_row(r)
    ]
    filled = [row[:] for row in grid]
    for r in range(len(grid) - 1):
        for j in range(1, width):
            below = any(grid[k][j] for k in range(r + 1, len(grid)))
            same_parent = r == 0 or filled[r - 1][j] == filled[r - 1][j - 1]
            if not grid[r][j] and filled[r][j - 1] and below and same_parent:
                filled[r][j] = filled[r][j - 1]
    paths = []
    for j in range(width):
        labels: list[str] = []
        for row in filled:
            key = match_key(row[j])
            if key and (not labels or labels[-1] != key):
                labels.append(key)
        paths.append("/".join(labels))
    return paths


@cache
def _column_rules() -> tuple[tuple[str, re.Pattern[str], str, re.Pattern[str] | None], ...]:
    return tuple(
        (r["kinds"], re.compile(r["path_pattern"]), r["measure"], re.compile(r["when"]) if r.get("when") else None)
        for r in load_csv("column_map.csv")
    )


@cache
def _prefix_rules() -> tuple[tuple[str, str, str], ...]:
    return tuple((r["kinds"], r["path_pattern"], r["prefix"]) for r in load_csv("column_prefixes.csv"))


@lru_cache(maxsize=100_000)
def map_column(
    index: int, path: str, kind: str, fiscal_year: int | None = None, others: tuple[str, ...] = ()
) -> Column:
    """The role (and measure) of one column from its header path; ``others`` are the paths of
    the table's other columns, for rules that depend on them."""
    if not path:
        return Column(index, path, "none")
    for kinds, pattern, target, when in _column_rules():
        if when is not None and not any(when.search(other) for other in others):
            continue
        if kinds_match(kinds, kind) and pattern.search(path):
            if target.startswith("@"):
                return Column(index, path, target[1:])
            return Column(index, path, "measure", _prefix(path, kind, fiscal_year) + target)
    return Column(index, path, "none")


def _prefix(path: str, kind: str, fiscal_year: int | None) -> str:
    prev_year = str(fiscal_year - 1) if fiscal_year else "(?!)"
    for kinds, pattern, prefix in _prefix_rules():
        if kinds_match(kinds, kind) and re.search(pattern.replace("{prev_year}", prev_year), path):
            return prefix
    return ""


def map_columns(header: list[list[str]], width: int, kind: str, fiscal_year: int | None = None) -> list[Column]:
    """Map every column of a table from its header rows."""
    return list(_map_columns(tuple(map(tuple, header)), width, kind, fiscal_year))


@lru_cache(maxsize=4096)
def _map_columns(
    header: tuple[tuple[str, ...], ...], width: int, kind: str, fiscal_year: int | None
) -> tuple[Column, ...]:
    # templates repeat: the same header rows come back in document after document
    paths = column_paths([list(r) for r in header], width)
    return tuple(map_column(j, p, kind, fiscal_year, tuple(paths[:j] + paths[j + 1 :])) for j, p in enumerate(paths))


def row_signature(row: Sequence[str]) -> str:
    """A row's cells normalised and joined, trailing empties ignored (to spot repeated headers)."""
    return "|".join(match_key(c) for c in row).rstrip("|")


@dataclass(frozen=True, slots=True)
class HeaderSignatures:
    """The header rows that carry text, to spot a repeat of them in the body."""

    signatures: frozenset[str]
    sizes: frozenset[int]
    """How many non-empty cells each of those rows has (a cheap first test)."""


def header_signatures(header: list[list[str]]) -> HeaderSignatures:
    """Signatures of the header rows that carry text (a repeat of them in the body is dropped)."""
    return _header_signatures(tuple(map(tuple, header)))


@lru_cache(maxsize=4096)
def _header_signatures(header: tuple[tuple[str, ...], ...]) -> HeaderSignatures:
    signed = [(sig, len(row) - row.count("")) for sig, row in zip(map(row_signature, header), header) if sig.strip("|")]
    return HeaderSignatures(frozenset(sig for sig, _ in signed), frozenset(n for _, n in signed))


def repeats_header(row: list[str], header: HeaderSignatures) -> bool:
    """A header row printed again after a page break (cells counted first: most rows differ)."""
    return len(row) - row.count("") in header.sizes and row_signature(row) in header.signatures
