"""Table kinds as typed constants (issue 16): ``Kind.PROJECT_EXPENDITURE == "project_expenditure"``.

The kinds themselves are data (``metadata/table_kinds.csv``: title patterns, DOMAIN ids, row
codes); this enumeration only names them for code, so a misspelt kind is an AttributeError
instead of a silent miss. ``tests/test_kinds.py`` checks that it lists exactly the CSV's kinds.
A ``Kind`` is a ``str``: frames keep plain strings and compare equal to it.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """Every ``table_kind`` of ``metadata/table_kinds.csv``."""

    DEPARTMENT_PERFORMANCE_TARGETS = "department_performance_targets"
    ECONOMIC_CLASSIFICATION_SUMMARY = "economic_classification_summary"
    EXPENDITURE_SUMMARY = "expenditure_summary"
    FINAL_EXPENDITURE = "final_expenditure"
    FINAL_FISCAL_APPROPRIATION_SUMMARY = "final_fiscal_appropriation_summary"
    FINAL_GENERAL_BUDGET_BASIC_EXPENDITURE = "final_general_budget_basic_expenditure"
    FINAL_GENERAL_BUDGET_EXPENDITURE = "final_general_budget_expenditure"
    FINAL_GOVERNMENT_FUND = "final_government_fund"
    FINAL_REVENUE = "final_revenue"
    FINAL_REVENUE_EXPENDITURE_SUMMARY = "final_revenue_expenditure_summary"
    FINAL_STATE_CAPITAL = "final_state_capital"
    FINAL_THREE_PUBLIC_EXPENSES = "final_three_public_expenses"
    FISCAL_APPROPRIATION_BASIC_EXPENDITURE = "fiscal_appropriation_basic_expenditure"
    FISCAL_APPROPRIATION_EXPENDITURE = "fiscal_appropriation_expenditure"
    FISCAL_APPROPRIATION_SUMMARY = "fiscal_appropriation_summary"
    GENERAL_BUDGET_BASIC_EXPENDITURE = "general_budget_basic_expenditure"
    GENERAL_BUDGET_EXPENDITURE = "general_budget_expenditure"
    GOVERNMENT_FUND_EXPENDITURE = "government_fund_expenditure"
    GOVERNMENT_PROCUREMENT = "government_procurement"
    OPERATING_COSTS = "operating_costs"
    PROJECT_EXPENDITURE = "project_expenditure"
    PROJECT_PERFORMANCE_TARGETS = "project_performance_targets"
    REVENUE_EXPENDITURE_SUMMARY = "revenue_expenditure_summary"
    REVENUE_SUMMARY = "revenue_summary"
    STATE_CAPITAL_EXPENDITURE = "state_capital_expenditure"
    THREE_PUBLIC_EXPENSES = "three_public_expenses"
