"""Rules as small declared objects (STYLE.md §8.7): id, severity, category, title, the DOMAIN.md
ids they implement, and a pure function from one document's frames to findings.

A rule function returns a list of findings (possibly empty: the rule passed) or ``None`` when
it cannot be evaluated on the document (a table it needs is absent) — "not evaluated" is
reported as such, never as "passed".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


NEEDS: dict[str, Callable[[Any], bool]] = {
    "claims": lambda ctx: bool(ctx.claim_dicts),
    "texts": lambda ctx: bool(ctx.text_rows),
    "targets": lambda ctx: bool(ctx.target_rows),
    "final_account": lambda ctx: ctx.document.get("doc_type") == "final_account",
    "previous": lambda ctx: ctx.previous is not None,
}
"""What a rule may declare it needs (``needs=``), each a cheap test of one document's context:
narrative claims, text rows, performance targets, a 决算, the previous year's document. A ``kind:<table kind>`` need is met
when the document prints a table of that kind."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str
    category: str
    title: str
    domain_ids: str
    description: str
    check: Callable
    needs: tuple[str, ...] = ()
    """Preconditions (:data:`NEEDS`, ``kind:…``) without which the rule's body returns ``None``
    at once: the runner reports "not evaluated" without running it (issue 14)."""

    def applies(self, ctx: Any) -> bool:
        """Whether every declared need is met on ``ctx`` (the body may still find it cannot
        evaluate the document)."""
        return all(ctx.kinds.__contains__(n[5:]) if n.startswith("kind:") else NEEDS[n](ctx) for n in self.needs)


RULES: dict[str, Rule] = {}


def rule(id: str, *, severity: str, category: str, title: str, domain_ids: str, needs: tuple[str, ...] = ()):
    """Register a rule function under a stable kebab-case id; its docstring is the description.
    ``needs`` declares what the document must have for the rule to run (:data:`NEEDS`,
    ``kind:<table kind>``); the body keeps its own test, so it answers alike when called alone."""
    if severity not in SEVERITIES or category not in CATEGORIES:
        raise ValueError(f"rule {id}: bad severity {severity!r} or category {category!r}")
    unknown = [n for n in needs if n not in NEEDS and not n.startswith("kind:")]
    if unknown:
        raise ValueError(f"rule {id}: unknown needs {unknown}")

    def register(func: Callable) -> Callable:
        if id in RULES:
            raise ValueError(f"rule id {id} registered twice")
        description = " ".join((func.__doc__ or "").split())
        RULES[id] = Rule(id, severity, category, title, domain_ids, description, func, tuple(needs))
        return func

    return register
