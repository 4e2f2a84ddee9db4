"""Split a table into side-by-side panes (收入 | 支出, 人员经费 | 公用经费 …).

Two-sided tables (B01, B04, F01, F04) and the pane layout of F06 print several
label-then-amount groups next to each other. A new pane starts wherever a label or code
column follows a measure column; a measure printed twice within one pane keeps only its first
column (the second is an unmapped column whose numbers stay visible as ``unlabelled``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from analysis.normalise.header import Column

_SECTION_NAMES = {"收入": "income", "支出": "expenditure", "人员经费": "personnel", "公用经费": "public"}


@dataclass(frozen=True, slots=True)
class Pane:
    columns: tuple[Column, ...]
    section: str | None

    @property
    def indices(self) -> list[int]:
        return [c.index for c in self.columns]

    @property
    def roles(self) -> dict[int, str]:
        return {c.index: c.role for c in self.columns}


def split_panes(columns: list[Column]) -> list[Pane]:
    """The panes of a table, left to right, from its mapped columns."""
    return list(_split_panes(tuple(columns)))


@lru_cache(maxsize=4096)
def _split_panes(columns: tuple[Column, ...]) -> tuple[Pane, ...]:
    # the same templates give the same columns in document after document
    groups: list[list[Column]] = [[]]
    seen_measure = False
    for col in columns:
        if col.role in {"label", "code"} and seen_measure and groups[-1]:
            groups.append([])
            seen_measure = False
        seen_measure |= col.role == "measure"
        groups[-1].append(col)
    panes: list[Pane] = []
    for group in groups:
        seen: set[str | None] = set()
        cleaned = []
        for col in group:
            if col.role == "measure" and col.measure in seen:
                col = replace(col, role="none", measure=None)
            elif col.role == "measure":
                seen.add(col.measure)
            cleaned.append(col)
        top = next((c.path.split("/")[0] for c in cleaned if c.path), "")
        # "本年收入" / "财政拨款支出" (Shanghai 收支总表) name their side by its last word
        section = (
            next((name for word, name in _SECTION_NAMES.items() if top.endswith(word)), None)
            if len(groups) > 1
            else None
        )
        panes.append(Pane(tuple(cleaned), section or (f"pane{len(panes) + 1}" if len(groups) > 1 else None)))
    return tuple(panes)
