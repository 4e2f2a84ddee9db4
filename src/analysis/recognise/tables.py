"""Find each table's title, unit, department line and notes, and join page-split pieces.

A table block's title is the nearest preceding text block (since the previous table) that
names a known table kind, or a one-cell first row that does. A table block with no title of
its own that follows a table after at most a few short lines (page headers and footers) is a
continuation: its rows are appended and a repeated header is dropped (DOMAIN.md §0.6 hazard 3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import cast

from analysis.model import Block, Document, Location
from analysis.recognise.titles import TitleMatch, match_title
from analysis.text import UNIT_TO_WAN, clean_text, match_key

_UNIT = re.compile(r"(?:金额)?单位[:：]\s*(万元|千元|百万元|亿元|元)")
_UNIT_SPLIT = re.compile(r"(?<![编填])(?:金额)?单位[:：]\s*(?:万元|千元|百万元|亿元|元)")
_UNIT_ALONE = re.compile(r"^(万元|千元|百万元|亿元|元)$")
_DEPARTMENT = re.compile(r"(?:部门|单位|预算单位)(?:名称)?[:：]\s*(.+)$")
_NOTE = re.compile(r"^(注|备注|说明)\s*[:：\d]|本表无数据|无.{0,12}(支出|经费|预算|收入|数据)|没有.{0,10}(支出|经费)")
_LOOKBACK = 6
_MAX_GAP_FOR_CONTINUATION = 3


@dataclass(slots=True)
class RecognisedTable:
    """A table of a known (or unknown) kind with the context printed around it."""

    index: int
    table_kind: str | None
    title: str
    title_year: int | None
    location: Location
    rows: list[list[str]]
    """The rows of the table's pieces; the row lists are the reader's own, which no stage
    changes (a stage that joins cells copies the row first)."""
    row_locations: list[Location]
    unit: str | None = None
    department_label: str | None = None
    notes: list[tuple[str, Location]] = field(default_factory=list)
    pieces: int = 1

    @property
    def unit_scale(self) -> float:
        """Factor turning the source unit into 万元 (万元 assumed when no unit is printed)."""
        return UNIT_TO_WAN.get(self.unit or "万元", 1.0)


def _meta_from_text(text: str, table: RecognisedTable) -> bool:
    """Take a unit or department line; True when the text was such a line."""
    text = clean_text(text)
    found = False
    unit = _UNIT.search(text)
    if unit:
        table.unit, found = unit.group(1), True
    elif _UNIT_ALONE.match(text):
        table.unit, found = text, True
    before_unit = _UNIT_SPLIT.split(text)[0]  # "部门名称：本级  单位：万元" on one line
    department = _DEPARTMENT.search(before_unit)
    if department and not _UNIT.match(text):
        table.department_label, found = department.group(1).strip(), True
    return found or text.rstrip("：:") in {"单位", "金额单位"}


def _strip_meta_rows(table: RecognisedTable) -> None:
    """Remove leading rows that only carry the unit/department line or a repeated title."""
    while table.rows:
        cells = [c for c in table.rows[0] if c.strip()]
        if not cells:
            table.rows.pop(0)
            table.row_locations.pop(0)
            continue
        is_meta = all(_meta_from_text(c, table) for c in cells)
        found = match_title(cells[0]) if len(cells) == 1 else None
        if not (is_meta or found is not None):
            return
        if found is not None and table.table_kind is None:
            table.table_kind, table.title, table.title_year = found.table_kind, cells[0], found.year
        table.rows.pop(0)
        table.row_locations.pop(0)


def _header_signature(rows: list[list[str]], n: int) -> list[str]:
    return ["|".join(match_key(c) for c in row) for row in rows[:n]]


def _append_continuation(previous: RecognisedTable, block: Block) -> None:
    rows, locations = list(block.rows), list(block.row_locations)
    header = set(_header_signature(previous.rows, 4))
    while rows and "|".join(match_key(c) for c in rows[0]) in header:
        rows.pop(0)
        locations.pop(0)
    previous.rows.extend(rows)
    previous.row_locations.extend(locations)
    previous.pieces += 1


def _is_short_line(block: Block) -> bool:
    return block.kind != "table" and len(block.text) <= 20 and not re.search(r"[。；]", block.text)


def _titled_inside(block: Block) -> bool:
    """A table whose first non-empty row is its own one-cell title (one form per page, each
    titled 财政项目支出绩效目标填报表) starts a new table even right after another one."""
    for row in block.rows:
        cells = [c for c in row if c.strip()]
        if cells:
            return len(cells) == 1 and match_title(cells[0]) is not None
    return False


def recognise_tables(document: Document) -> list[RecognisedTable]:
    """All table blocks of a document as recognised tables, continuations joined."""
    tables: list[RecognisedTable] = []
    since_table: list[Block] = []
    for block in document.blocks:
        if block.kind != "table":
            since_table.append(block)
            if tables and _NOTE.search(match_key(block.text)) and len(since_table) <= 2:
                tables[-1].notes.append((clean_text(block.text), block.location))
            continue
        window = since_table[-_LOOKBACK:]
        title_at = next(
            (i for i in range(len(window) - 1, -1, -1) if window[i].kind != "table" and match_title(window[i].text)),
            None,
        )
        if (
            title_at is None
            and tables
            and len(since_table) <= _MAX_GAP_FOR_CONTINUATION
            and all(_is_short_line(b) for b in since_table)
            and not _titled_inside(block)
        ):
            _append_continuation(tables[-1], block)
            since_table = []
            continue
        table = RecognisedTable(
            len(tables), None, "", None, block.location, list(block.rows), list(block.row_locations)
        )
        if title_at is not None:
            found = cast(TitleMatch, match_title(window[title_at].text))  # title_at is where a title matched
            table.table_kind, table.title, table.title_year = (
                found.table_kind,
                clean_text(window[title_at].text),
                found.year,
            )
            table.location = window[title_at].location
            for meta in window[title_at + 1 :]:
                _meta_from_text(meta.text, table)
        _strip_meta_rows(table)
        tables.append(table)
        since_table = []
    return tables
