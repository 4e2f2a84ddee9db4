"""Match printed table titles to table kinds (DOMAIN.md §1: normalise, then match)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from analysis.metadata import load_csv, table_kinds
from analysis.sentences.scope import title_scope
from analysis.text import LEADING_NUMBER, match_key

_YEAR = re.compile(r"(20\d{2})\s*年")
_NOT_A_TITLE = re.compile(r"[，。；]|说明$|^注|^备注|单位[:：]")


@dataclass(frozen=True, slots=True)
class TitleMatch:
    table_kind: str
    year: int | None
    normalised: str


@lru_cache(maxsize=50_000)
def match_title(text: str, *, max_length: int = 60) -> TitleMatch | None:
    """The table kind a line of text names as a title, or None.

    >>> match_title("## 2024 年部门收支总体情况表").table_kind
    'revenue_expenditure_summary'
    >>> match_title("2023 年政府性基金支出预算表").year
    2023
    """
    key = match_key(text)
    if not key or len(key) > max_length or _NOT_A_TITLE.search(key) or "表" not in key:
        return None
    year_match = _YEAR.search(key)
    body = LEADING_NUMBER.sub("", key)
    body = re.sub(r"\(?20\d{2}年度?\)?", "", body)
    scope = title_scope(body)
    for kind in table_kinds():
        if kind.pattern.search(body) and _scope_fits(kind.table_kind, scope):
            return TitleMatch(kind.table_kind, int(year_match.group(1)) if year_match else None, body)
    return None


@lru_cache(maxsize=1)
def _kind_scopes() -> dict[str, str]:
    return {r["table_kind"]: r["scope"] for r in load_csv("table_scopes.csv")}


def _scope_fits(kind: str, scope: str | None) -> bool:
    """A title that names its funds is never typed as a table of other funds (a 财政拨款基本支出表
    is not the 一般公共预算基本支出表, whatever else its title shares with it); a title naming
    no funds fits any kind its words match."""
    wanted = _kind_scopes().get(kind)
    return wanted is None or scope is None or wanted == scope
