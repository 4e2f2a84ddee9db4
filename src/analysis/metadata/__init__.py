"""Metadata kept as data (CSV/TOML beside this file) and cached loaders for it.

Table titles, column maps, layouts, identities, row labels, narrative subjects and the output
schema all live in files here, so supporting a new template means editing data, not code.
"""

from __future__ import annotations

import csv
import fnmatch
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


def _text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


@cache
def load_csv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a metadata CSV as dicts (cached; treat as read-only)."""
    return tuple(csv.DictReader(_text(name).splitlines()))


@cache
def load_toml(name: str) -> dict:
    """A metadata TOML file (cached; treat as read-only)."""
    return tomllib.loads(_text(name))


def kinds_match(spec: str, kind: str) -> bool:
    """Does a ``kinds`` cell (``*``, ``a|b``, ``final_*``) cover ``kind``?"""
    return any(fnmatch.fnmatchcase(kind, part.strip()) for part in spec.split("|"))


@dataclass(frozen=True, slots=True)
class TableKind:
    table_kind: str
    domain_id: str
    doc_type: str
    row_codes: str
    pattern: re.Pattern[str]


@cache
def table_kinds() -> tuple[TableKind, ...]:
    """Table kinds in matching order (most specific title pattern first)."""
    return tuple(
        TableKind(r["table_kind"], r["domain_id"], r["doc_type"], r["row_codes"], re.compile(r["title_pattern"]))
        for r in load_csv("table_kinds.csv")
    )


@cache
def table_kind_info(kind: str) -> TableKind | None:
    return next((k for k in table_kinds() if k.table_kind == kind), None)


@dataclass(frozen=True, slots=True)
class Identity:
    id: str
    title: str
    kinds: tuple[str, ...]
    total: str
    parts: tuple[str, ...]


@cache
def identities() -> tuple[Identity, ...]:
    return tuple(
        Identity(i["id"], i["title"], tuple(i["kinds"]), i["total"], tuple(i["parts"]))
        for i in load_toml("identities.toml")["identity"]
    )


@cache
def identities_for(kind: str) -> tuple[Identity, ...]:
    return tuple(i for i in identities() if kind in i.kinds)


@cache
def layouts_for(kind: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(lay["measures"]) for lay in load_toml("layouts.toml")["layout"] if kind in lay["kinds"])
