"""Pair a narrative-only file with the tables file of the same disclosure.

Jiangsu publishes some years as two PDFs: a narrative 公开文件 that prints no table and a
公开表 file that prints only the tables (corpus README). Given together they are one
disclosure. This module finds such pairs in a documents frame; it does not merge anything.

Two files pair when they are the same ``doc_type`` and ``fiscal_year``, name the same
department once the usual short forms are applied (the narrative prints 江苏省委办公厅 where the
tables print 中共江苏省委办公厅 or 中国共产党江苏省委员会办公厅), one has no recognised table
(but was read: it has a department and a year) and the other has tables. A candidate that
could pair with more than one file is left unpaired rather than guessed.
"""

from __future__ import annotations

import re

import polars as pl

# Long forms of Party and committee names and their usual short forms, applied in order.
_SHORT_FORMS = (
    (re.compile(r"\s+"), ""),
    (re.compile(r"中国共产党"), "中共"),
    (re.compile(r"^中共"), ""),
    (re.compile(r"常务委员会"), "常委会"),
    (re.compile(r"委员会"), "委"),
)


def department_key(name: str | None) -> str | None:
    """The department name reduced to a form both files of a pair share.

    >>> department_key("中国共产党江苏省委员会办公厅") == department_key("江苏省委办公厅")
    True
    """
    if not name:
        return None
    for pattern, replacement in _SHORT_FORMS:
        name = pattern.sub(replacement, name)
    return name or None


def pair_documents(documents: pl.DataFrame) -> pl.DataFrame:
    """The documents frame with ``pair_id`` (shared by both files of a pair) and
    ``paired_doc_id`` (the other file's ``doc_id``); both null for unpaired files."""
    rows = documents.select("doc_id", "department", "fiscal_year", "doc_type", "n_recognised").to_dicts()
    groups: dict[tuple, dict[str, list[str]]] = {}
    for row in rows:
        key = (department_key(row["department"]), row["fiscal_year"], row["doc_type"])
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
