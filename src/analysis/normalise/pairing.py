"""Pair a narrative-only file with the tables file of the same disclosure.

Jiangsu publishes some years as two PDFs: a narrative 公开文件 that prints no table and a
公开表 file that prints only the tables (corpus README). Given together they are one
disclosure. This module finds such pairs in a documents frame; it does not merge anything.

Two files pair when they are the same ``doc_type`` and ``fiscal_year``, name the same
department (``analysis.departments``, the one owner of department identity: the narrative
prints 江苏省委办公厅 where the tables print 中共江苏省委办公厅 or 中国共产党江苏省委员会办公厅,
and a name that omits its region joins the one department of the batch it can be), one has no
recognised table (but was read: it has a department and a year) and the other has tables. A
candidate that could pair with more than one file is left unpaired rather than guessed.
"""

from __future__ import annotations

import polars as pl

from analysis.departments import department_ids


def pair_documents(documents: pl.DataFrame) -> pl.DataFrame:
    """The documents frame with ``pair_id`` (shared by both files of a pair) and
    ``paired_doc_id`` (the other file's ``doc_id``); both null for unpaired files."""
    rows = documents.select("doc_id", "department", "fiscal_year", "doc_type", "n_recognised").to_dicts()
    department = department_ids([row["department"] for row in rows])
    groups: dict[tuple, dict[str, list[str]]] = {}
    for row in rows:
        key = (department.get(row["department"] or "") or None, row["fiscal_year"], row["doc_type"])
        if None in key or row["doc_id"] is None:
            continue
        side = "tables" if (row["n_recognised"] or 0) > 0 else "narrative"
        groups.setdefault(key, {"tables": [], "narrative": []})[side].append(row["doc_id"])
    partner: dict[str, str] = {}
    pair_of: dict[str, str] = {}
    for sides in groups.values():
        if len(sides["tables"]) == 1 and len(sides["narrative"]) == 1:
            narrative, tables = sides["narrative"][0], sides["tables"][0]
            partner[narrative], partner[tables] = tables, narrative
            pair_of[narrative] = pair_of[tables] = f"{narrative}+{tables}"
    ids = documents["doc_id"]
    return documents.with_columns(
        pl.Series("pair_id", [pair_of.get(i) for i in ids], dtype=pl.String),
        pl.Series("paired_doc_id", [partner.get(i) for i in ids], dtype=pl.String),
    )
