"""Format-neutral model of a synthetic document, shared by all renderers.

A :class:`SynthDoc` is an ordered list of headings, paragraphs and tables. Tables keep, for
every printed number, which semantic cell it is (row key, canonical column), so anomalies can
be planted at a named place and the truth file can describe every clean figure. Narrative
sentences are lists of literal text and :class:`Slot` values, so an anomaly can change one
amount, percentage or direction word and the sentence re-renders around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from analysis.synth.world import Department


@dataclass(slots=True)
class Slot:
    """A value printed inside a narrative sentence."""

    kind: str
    """``amt`` (万元), ``pct``, ``dir``/``pdir`` (direction words) or ``level``."""
    key: str
    value: float
    """Units (0.01 万元) for ``amt``, percent for ``pct``, signed delta for directions."""
    text: str
    alt: float | None = None
    """For ``pct``: the value the same ratio takes on a wrong base (D1/D2)."""


@dataclass(slots=True)
class Sentence:
    parts: list[str | Slot]

    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)

    def slots(self) -> list[Slot]:
        return [p for p in self.parts if isinstance(p, Slot)]


@dataclass(slots=True)
class Paragraph:
    sentences: list[Sentence]
    section: str = ""
    """Title of the narrative section the paragraph belongs to ('' outside 第二部分)."""
    narrative: bool = False
    break_at: int = -1
    """Character offset of a page break inside the paragraph (text hazard), or -1."""

    def text(self) -> str:
        return "".join(s.text() for s in self.sentences)


@dataclass(slots=True)
class Heading:
    level: int
    text: str


@dataclass(slots=True)
class Header:
    """A multi-row table header: anchor texts, merged areas and the leaf columns."""

    rows: list[list[str]]
    spans: list[tuple[int, int, int, int]]
    """Merged areas as (first row, first col, last row, last col), inclusive."""
    columns: list[str | None]
    """Canonical column name of each leaf column, None for label/code columns."""


@dataclass(slots=True)
class Fact:
    """A clean figure printed in a table cell."""

    row_key: str
    column: str
    row_label: str
    units: int
    func_code: str | None = None
    econ_code: str | None = None
    project_name: str | None = None


@dataclass(slots=True)
class Table:
    kind: str
    title: str
    """Title template with ``{year}``."""
    year: int
    meta: list[str]
    header: Header
    rows: list[list[str]]
    meta_inline: bool = False
    note: str = ""
    refs: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    label_cols: tuple[int, ...] = ()
    class_col: int = -1
    """Column of the 类 code in function-coded rows (for the dropped-类 hazard), or -1."""
    func_rows: frozenset[int] = frozenset()
    wrap: int = 0
    spaced: frozenset[tuple[int, int]] = frozenset()
    split_at: int = -1
    repeat_header: bool = False
    drop_class: bool = False
    present: bool = True
    """False once a missing-table anomaly removed it from the document."""

    def printed_title(self) -> str:
        return self.title.format(year=self.year)

    def cell(self, row_key: str, column: str) -> tuple[int, int]:
        return self.refs[(row_key, column)]


@dataclass(slots=True)
class SynthDoc:
    dept: Department
    year: int
    blocks: list = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    doc_figures: dict[str, float] = field(default_factory=dict)

    def paragraphs(self, narrative_only: bool = True) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph) and (b.narrative or not narrative_only)]


_TOKEN = re.compile(r"\{|\}|\||[^{}|]+")


@cache
def parse_header(spec: str) -> Header:
    """Build a header grid from the tree notation ``a{b|c:col}|d:col`` (layouts.toml)."""
    tokens = _TOKEN.findall(spec)
    pos = 0

    def parse_list() -> list[tuple[str, list]]:
        nonlocal pos
        nodes = []
        while pos < len(tokens) and tokens[pos] != "}":
            if tokens[pos] == "|":
                pos += 1
                continue
            label = tokens[pos]
            pos += 1
            children: list = []
            if pos < len(tokens) and tokens[pos] == "{":
                pos += 1
                children = parse_list()
                pos += 1
            nodes.append((label, children))
        return nodes

    tree = parse_list()

    def depth(nodes: list) -> int:
        return max((1 + depth(c) if c else 1) for _, c in nodes)

    def width(node: tuple[str, list]) -> int:
        return sum(width(c) for c in node[1]) if node[1] else 1

    levels = depth(tree)
    n_cols = sum(width(n) for n in tree)
    rows = [[""] * n_cols for _ in range(levels)]
    spans: list[tuple[int, int, int, int]] = []
    columns: list[str | None] = [None] * n_cols

    def place(nodes: list, row: int, col: int) -> None:
        for label, children in nodes:
            text, _, column = label.partition(":")
            w = width((label, children))
            last_row = row if children else levels - 1
            rows[row][col] = text
            if w > 1 or last_row > row:
                spans.append((row, col, last_row, col + w - 1))
            if children:
                place(children, row + 1, col)
            else:
                columns[col] = column or None
            col += w

    place(tree, 0, 0)
    return Header(rows=rows, spans=spans, columns=columns)


def fmt_cell(units: int) -> str:
    """A table cell: two decimals, blank for zero (the seed leaves zero cells empty)."""
    if not units:
        return ""
    sign = "-" if units < 0 else ""
    units = abs(units)
    return f"{sign}{units // 100}.{units % 100:02d}"


class TableBuilder:
    """Accumulates the rows of one table together with their semantic cell references."""

    def __init__(self, kind: str, header: Header, label_cols: tuple[int, ...] = ()):
        self.kind = kind
        self.header = header
        self.rows: list[list[str]] = []
        self.refs: dict[tuple[str, str], tuple[int, int]] = {}
        self.labels: dict[str, str] = {}
        self.facts: list[Fact] = []
        self.label_cols = label_cols
        self.func_rows: set[int] = set()

    def blank(self) -> list[str]:
        return [""] * len(self.header.columns)

    def cells(
        self,
        r: int,
        c: int,
        row_key: str,
        column: str,
        units: int,
        label: str,
        func_code: str | None = None,
        econ_code: str | None = None,
        project_name: str | None = None,
    ) -> None:
        """Print one semantic cell at row ``r`` (already added), column ``c``.

        Zero cells stay blank and get no reference: anomalies are planted on printed numbers.
        """
        self.labels[row_key] = label
        if not units:
            return
        self.rows[r][c] = fmt_cell(units)
        self.refs[(row_key, column)] = (r, c)
        self.facts.append(Fact(row_key, column, label, units, func_code, econ_code, project_name))

    def row(
        self,
        cells: list[str],
        row_key: str | None = None,
        label: str = "",
        values: dict[int, int] | None = None,
        func_code: str | None = None,
        econ_code: str | None = None,
        project_name: str | None = None,
        func_row: bool = False,
    ) -> int:
        """Append a row; ``values`` maps column index → units, named by the header leaves."""
        r = len(self.rows)
        self.rows.append(cells)
        if func_row:
            self.func_rows.add(r)
        if row_key is not None:
            self.labels[row_key] = label
            for c, units in (values or {}).items():
                self.cells(
                    r, c, row_key, self.header.columns[c] or "amount", units, label, func_code, econ_code, project_name
                )
        return r

    def build(self, title: str, year: int, meta: list[str], **kw) -> Table:
        return Table(
            kind=self.kind,
            title=title,
            year=year,
            meta=meta,
            header=self.header,
            rows=self.rows,
            refs=self.refs,
            labels=self.labels,
            facts=self.facts,
            label_cols=self.label_cols,
            func_rows=frozenset(self.func_rows),
            **kw,
        )
