"""Rules as small declared objects (STYLE.md §8.7): id, severity, category, title, the DOMAIN.md
ids they implement, and a pure function from one document's frames to findings.

A rule function returns a list of findings (possibly empty: the rule passed) or ``None`` when
it cannot be evaluated on the document (a table it needs is absent) — "not evaluated" is
reported as such, never as "passed".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analysis.vocab import SEVERITIES

CATEGORIES = (
    "arithmetic",
    "cross_table",
    "narrative",
    "percentage",
    "template",
    "completeness",
    "classification",
    "plausibility",
    "performance",
    "outlier",
)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str
    category: str
    title: str
    domain_ids: str
    description: str
    check: Callable


RULES: dict[str, Rule] = {}


def rule(id: str, *, severity: str, category: str, title: str, domain_ids: str):
    """Register a rule function under a stable kebab-case id; its docstring is the description."""
    if severity not in SEVERITIES or category not in CATEGORIES:
        raise ValueError(f"rule {id}: bad severity {severity!r} or category {category!r}")

    def register(func: Callable) -> Callable:
        if id in RULES:
            raise ValueError(f"rule id {id} registered twice")
        RULES[id] = Rule(id, severity, category, title, domain_ids, " ".join((func.__doc__ or "").split()), func)
        return func

    return register
