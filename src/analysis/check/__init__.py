"""Check stage: declared rules over one document's extracted frames → findings with evidence.

Importing this package registers every rule module; ``RULES`` is the registry and
``run_checks`` the entry point.
"""

from analysis.check import (  # noqa: F401  (importing registers the rules)
    arithmetic,
    checklist,
    checklist_tables,
    classification_rules,
    completeness,
    cross_table,
    final_accounts,
    final_assets,
    final_procurement,
    functions,
    narrative,
    percentages,
    performance,
    plausibility,
    projects,
    rates,
    rates_tables,
    residue,
    shares,
    targets_rules,
    template,
    years,
)
from analysis.check.registry import RULES, Rule
from analysis.check.runner import run_checks
from analysis.check.tolerance import Tolerance

__all__ = ["RULES", "Rule", "Tolerance", "run_checks"]
