"""Metadata kept as data (CSV/TOML beside this file) and cached loaders for it.

Table titles, column maps, layouts, identities, row labels, narrative subjects and the output
schema all live in files here, so supporting a new template means editing data, not code.
"""

from __future__ import annotations

import csv
import fnmatch
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType


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


@dataclass(frozen=True, slots=True)
class BalanceIdentity:
    """A row of a two-sided summary table that equals the sum of other rows of its side."""

    id: str
    title: str
    section: str
    total: str
    parts: tuple[str, ...]


@cache
def balance_identities() -> tuple[BalanceIdentity, ...]:
    """The balance identities of the 收支总表 (``[[balance]]`` of identities.toml), in file order."""
    return tuple(
        BalanceIdentity(b["id"], b["title"], b["section"], b["total"], tuple(b["parts"]))
        for b in load_toml("identities.toml")["balance"]
    )


@cache
def two_sided_kinds() -> frozenset[str]:
    """Table kinds printed as income beside expenditure (收支总表, 财政拨款收支总表)."""
    return frozenset(load_toml("identities.toml")["two_sided_kinds"])


@dataclass(frozen=True, slots=True)
class ClaimSubject:
    """What a narrative figure is about, and the words that name it (claim_subjects.csv)."""

    subject: str
    family: str
    pattern: re.Pattern[str]


@cache
def claim_subjects() -> tuple[ClaimSubject, ...]:
    """Narrative subjects in file order (more specific names first): the claims parser, the
    share rules and the residue rules all read them."""
    return tuple(
        ClaimSubject(r["subject"], r["family"], re.compile(r["pattern"])) for r in load_csv("claim_subjects.csv")
    )


@dataclass(frozen=True, slots=True)
class FinalAccountSettings:
    """checks/final_accounts.toml: the 决算 statements' settings, read by their parser, their
    rules and the synthetic district that plants errors in them."""

    variance_threshold_pct: float
    bases: Mapping[str, str]
    """Budget word as printed (年初预算, 调整预算数 …) → initial, adjusted or unspecified."""


@cache
def final_account_settings() -> FinalAccountSettings:
    data = load_toml("checks/final_accounts.toml")
    return FinalAccountSettings(float(data["variance_threshold_pct"]), MappingProxyType(dict(data["bases"])))


@dataclass(frozen=True, slots=True)
class EmptyTableSubject:
    """Tables (by DOMAIN id) that may be published empty with a statement, and what it names."""

    ids: tuple[str, ...]
    subject: str


@cache
def empty_table_statements() -> tuple[str, tuple[EmptyTableSubject, ...]]:
    """(negation words pattern, tables) of checks/empty_tables.toml: what a statement that a
    table is empty says, for the completeness and the table-checklist rules."""
    data = load_toml("checks/empty_tables.toml")
    return data["negation"], tuple(EmptyTableSubject(tuple(t["ids"]), t["subject"]) for t in data["table"])
