"""One document's frames as seen by a rule, with small helpers for evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from analysis.check.tolerance import Tolerance
from analysis.schema import frame, schema
from analysis.text import UNIT_TO_WAN, clean_text


def group_in_order(rows: list[dict], key) -> list[list[dict]]:
    """Rows grouped by ``key``: groups in order of first appearance, rows in their order
    (a Polars group_by and sort per group costs more than the whole loop on one document)."""
    groups: dict = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return list(groups.values())


def as_dicts(df: pl.DataFrame) -> list[dict]:
    """``df.to_dicts()``, built column by column (a third faster on a document's line items)."""
    columns = df.columns
    return [dict(zip(columns, values, strict=True)) for values in zip(*(df.get_column(c).to_list() for c in columns))]


def _dicts(df: pl.DataFrame | None) -> list[dict]:
    return [] if df is None else as_dicts(df)


def by_sentence(rows: list[dict]) -> list[list[dict]]:
    """Claims grouped by the sentence (and its place) they were stated in."""
    return group_in_order(rows, lambda c: (c["sentence"], c["line"], c["page"]))


_FRAMES = {"line_items": "items", "tables": "tables", "claims": "claims", "targets": "targets", "texts": "texts"}
"""Output table name → the context's frame field."""


@dataclass
class DocContext:
    """One document as rules read it: its frames, and plain-Python views of them built once on
    first use (``item_rows``, ``rows(kind)``, ``items_by_kind``, ``keyed_rows``, ``role_rows``,
    ``table_rows``,
    ``labelled_rows``, ``items_by_table``, ``text_rows``, ``clean_texts``, ``claim_dicts``,
    ``ordered_claims``, ``claims_by_sentence``, ``claims_by_section()``, ``target_rows``). A document has a few hundred rows, where a
    Polars filter costs 50–200 µs a call: rules read the views, not the frames (issue 14). The
    views are shared by every rule: read them, never change them (``claim_rows`` gives copies).

    :meth:`from_rows` builds a context from one document's row dicts (the run engine's worker,
    which has them from extraction): its frames are then ``None`` and the views are those rows,
    so rules read the views, never the frames (``columns(table)`` tells a table's columns either
    way)."""

    document: dict
    items: pl.DataFrame | None
    tables: pl.DataFrame | None
    claims: pl.DataFrame | None
    targets: pl.DataFrame | None
    texts: pl.DataFrame | None
    tolerance: Tolerance
    previous: dict | None = None
    """The same department's document of the previous year, when it was checked together."""
    memo: dict = field(default_factory=dict)
    """Results several rules share on one document (the figure registry, the shares)."""

    @classmethod
    def from_rows(
        cls, document: dict, rows: dict[str, list[dict]], tolerance: Tolerance, previous: dict | None = None
    ) -> DocContext:
        """A context over row dicts as the frames would hold them (every declared column, line
        items with their table's title and source unit: ``analysis.extract.document_rows``),
        keyed by output table name; the rows become the views as they are (read, never change)."""
        ctx = cls(document, None, None, None, None, None, tolerance, previous=previous)
        views = ctx.__dict__  # the cached properties' own slots: a given view is never rebuilt
        views["item_rows"], views["table_rows"] = rows["line_items"], rows["tables"]
        views["claim_dicts"], views["target_rows"], views["text_rows"] = rows["claims"], rows["targets"], rows["texts"]
        return ctx

    @cached_property
    def kinds(self) -> set[str]:
        return {t["table_kind"] for t in self.table_rows if t["table_kind"] is not None}

    @cached_property
    def _items_frame(self) -> pl.DataFrame:
        return self.items if self.items is not None else frame("line_items", self.item_rows)

    @cached_property
    def _first_tables(self) -> dict[str, pl.DataFrame]:
        """Items of the first table of each kind, split once (for notebooks: rules read rows)."""
        items = self._items_frame
        if items.is_empty():
            return {}
        first = items.group_by("table_kind").agg(pl.col("table_index").min())
        keep = items.join(first, on=["table_kind", "table_index"], how="semi")
        return {key[0]: part for key, part in keep.partition_by("table_kind", as_dict=True).items()}

    @cached_property
    def _table_infos(self) -> dict[str, dict]:
        infos: dict[str, dict] = {}
        for row in self.table_rows:
            infos.setdefault(row["table_kind"], row)
        return infos

    @cached_property
    def item_rows(self) -> list[dict]:
        """All line items as dicts: plain Python is faster than a Polars filter per lookup."""
        return _dicts(self.items)

    def _index_items(self) -> dict:
        """One pass over the line items builds the item views (:meth:`rows`' first table of each
        kind, :attr:`items_by_kind`, :attr:`items_by_table`, :attr:`labelled_rows`): nearly every
        document needs them all, and a pass each costs more than the views (issue 14)."""
        by_kind: dict[str | None, list[dict]] = {}
        by_table: dict[int | None, list[dict]] = {}
        labelled: dict[tuple, dict] = {}
        first: dict[str | None, list[dict]] = {}  # the items of the lowest table_index of a kind
        lowest: dict[str | None, int] = {}
        for item in self.item_rows:
            kind, index = item["table_kind"], item["table_index"]
            if (of_kind := by_kind.get(kind)) is None:
                by_kind[kind] = [item]
            else:
                of_kind.append(item)
            if (of_table := by_table.get(index)) is None:
                by_table[index] = [item]
            else:
                of_table.append(item)
            if item["row_label"] is not None:
                labelled.setdefault((index, item["row_index"]), item)
            if index is not None:
                low = lowest.get(kind)
                if low is None or index < low:  # a table of the kind before those seen: it is the first
                    lowest[kind], first[kind] = index, [item]
                elif index == low:
                    first[kind].append(item)
        views = self.__dict__
        views.setdefault("_first_rows", first)
        views.setdefault("items_by_kind", by_kind)
        views.setdefault("items_by_table", by_table)
        views.setdefault("labelled_rows", list(labelled.values()))
        return views

    @cached_property
    def _first_rows(self) -> dict[str | None, list[dict]]:
        return self._index_items()["_first_rows"]

    def _index_first_rows(self) -> dict:
        """:meth:`keyed_rows` and :meth:`role_rows` of the first tables, in one pass."""
        by_key: dict[tuple[str | None, str], list[dict]] = {}
        by_role: dict[tuple[str | None, str], list[dict]] = {}
        for kind, rows in self._first_rows.items():
            for row in rows:
                if row["row_key"] is not None:
                    by_key.setdefault((kind, row["row_key"]), []).append(row)
                by_role.setdefault((kind, row["row_role"]), []).append(row)
        views = self.__dict__
        views.setdefault("_rows_by_key", by_key)
        views.setdefault("_rows_by_role", by_role)
        return views

    @cached_property
    def _rows_by_key(self) -> dict[tuple[str | None, str], list[dict]]:
        return self._index_first_rows()["_rows_by_key"]

    @cached_property
    def _rows_by_role(self) -> dict[tuple[str | None, str], list[dict]]:
        return self._index_first_rows()["_rows_by_role"]

    def role_rows(self, kind: str, row_role: str) -> list[dict]:
        """The items of :meth:`rows` of ``kind`` whose ``row_role`` is ``row_role``, in order."""
        return self._rows_by_role.get((kind, row_role), [])

    def keyed_rows(self, kind: str, row_key: str) -> list[dict]:
        """The items of :meth:`rows` of ``kind`` whose ``row_key`` is ``row_key``, in order."""
        return self._rows_by_key.get((kind, row_key), [])

    @cached_property
    def labelled_rows(self) -> list[dict]:
        """The first item with a ``row_label`` of each printed row (``table_index``,
        ``row_index``), in order: the row's label once, not once per amount."""
        return self._index_items()["labelled_rows"]

    @cached_property
    def items_by_table(self) -> dict[int | None, list[dict]]:
        """All line items by ``table_index``, in order."""
        return self._index_items()["items_by_table"]

    @cached_property
    def items_by_kind(self) -> dict[str | None, list[dict]]:
        """All line items (every table, not only the first) by table kind, in order."""
        return self._index_items()["items_by_kind"]

    @cached_property
    def table_rows(self) -> list[dict]:
        """The tables rows as dicts, in order (shared: read, never change them)."""
        return _dicts(self.tables)

    @cached_property
    def text_rows(self) -> list[dict]:
        """The texts rows as dicts, in reading order (shared: read, never change them)."""
        return _dicts(self.texts)

    @cached_property
    def clean_texts(self) -> list[str]:
        """The texts rows' text as :func:`analysis.text.clean_text` reads it, row by row."""
        return [clean_text(r["text"] or "") for r in self.text_rows]

    @cached_property
    def target_rows(self) -> list[dict]:
        """The performance targets as dicts, in order (shared: read, never change them)."""
        return _dicts(self.targets)

    @cached_property
    def claim_dicts(self) -> list[dict]:
        """The claims as dicts in reading order, as the frame holds them (shared: read, never
        change them; :meth:`claim_rows` gives copies to annotate)."""
        return _dicts(self.claims)

    @cached_property
    def ordered_claims(self) -> list[dict]:
        """The claims as dicts in reading order, each with ``_order`` (its position); shared:
        read, never change them (:meth:`claim_rows` gives copies to annotate)."""
        return [{**row, "_order": order} for order, row in enumerate(self.claim_dicts)]

    def claim_rows(self) -> list[dict]:
        """:attr:`ordered_claims` as fresh copies, so a rule may annotate them."""
        return [dict(row) for row in self.ordered_claims]

    @cached_property
    def claims_by_sentence(self) -> list[list[dict]]:
        """:attr:`ordered_claims` grouped by the sentence they were stated in (:func:`by_sentence`);
        shared: read, never change them."""
        return by_sentence(self.ordered_claims)

    @cached_property
    def _sections(self) -> list[list[dict]]:
        sections = group_in_order(self.claim_rows(), lambda c: c["section"])
        for rows in sections:
            number, last = -1, None
            for row in rows:
                key = (row["sentence"], row["line"], row["page"])
                number += key != last
                row["_sentence"], last = number, key
        return sections

    def claims_by_section(self) -> list[list[dict]]:
        """:attr:`ordered_claims` grouped by narrative section, sections and claims in reading
        order, each claim with ``_sentence``, its sentence's position in the section; built once
        and shared: read, never change them."""
        return self._sections

    def rows(self, kind: str) -> list[dict]:
        """Line items (dicts) of the first table of ``kind``."""
        return self._first_rows.get(kind, [])

    def table(self, kind: str) -> pl.DataFrame:
        """Line items of the (first) table of ``kind`` as a frame (for notebooks; rules read
        :meth:`rows`)."""
        return self._first_tables.get(kind, self._items_frame.clear())

    def columns(self, table: str) -> list[str]:
        """The columns of one of the document's tables (``"texts"``, ``"targets"`` …): its frame's,
        or the declared ones for a context built from rows (which hold every declared column)."""
        given = getattr(self, _FRAMES[table])
        return given.columns if given is not None else schema(table).names()

    def table_info(self, kind: str) -> dict | None:
        return self._table_infos.get(kind)

    def scale(self, kind: str) -> float:
        """Factor from the table's source unit to 万元 (for unit-aware tolerances)."""
        info = self.table_info(kind)
        unit = (info or {}).get("source_unit") or "万元"
        return UNIT_TO_WAN.get(unit, 1.0)

    def value(
        self, kind: str, column: str, *, row_role: str | None = None, row_key: str | None = None
    ) -> tuple[float, dict] | None:
        """Sum of one column over the selected rows of a table, and the first row as evidence."""
        rows = [r for r in self.rows(kind) if r["column"] == column and r["amount"] is not None]
        if row_role:
            rows = [r for r in rows if r["row_role"] == row_role]
            first = min((r["row_index"] for r in rows if r["row_index"] is not None), default=None)
            rows = [r for r in rows if first is not None and r["row_index"] == first]
        if row_key:
            rows = [r for r in rows if r["row_key"] == row_key]
        if not rows:
            return None
        return float(sum(r["amount"] for r in rows)), rows[0]

    def where(self, row: dict | None = None, *, kind: str | None = None) -> str:
        """``第N页/第N行 《表名》 行“…”`` for a message."""
        parts = []
        if row:
            if row.get("page") is not None:
                parts.append(f"第{row['page']}页")
            elif row.get("line") is not None:
                parts.append(f"第{row['line']}行")
        title = (row or {}).get("table_title") or ((self.table_info(kind) or {}).get("title") if kind else None)
        if title:
            parts.append(f"《{title}》")
        if row and row.get("row_label"):
            parts.append(f"“{row['row_label']}”行")
        return " ".join(parts)


def finding(
    message: str,
    *,
    table_kind: str | None = None,
    row: dict | None = None,
    column: str | None = None,
    expected: float | None = None,
    actual: float | None = None,
    location: str | None = None,
    excerpt: str | None = None,
    line: int | None = None,
    page: int | None = None,
) -> dict:
    """A finding's fields (the runner adds document and rule fields)."""
    row = row or {}
    diff = None if expected is None or actual is None else round(actual - expected, 6)
    return {
        "table_kind": table_kind or row.get("table_kind"),
        "location": location,
        "row_label": row.get("row_label"),
        "column": column or row.get("column"),
        "expected": expected,
        "actual": actual,
        "difference": diff,
        "message": message,
        "excerpt": excerpt if excerpt is not None else row.get("raw_value"),
        "line": line if line is not None else row.get("line"),
        "page": page if page is not None else row.get("page"),
    }
