"""Table kinds named in code are exactly the kinds of metadata/table_kinds.csv."""

from analysis.kinds import Kind
from analysis.metadata import load_csv, table_kinds


def test_kind_constants_match_the_csv():
    assert {k.value for k in Kind} == {r["table_kind"] for r in load_csv("table_kinds.csv")}
    assert {k.table_kind for k in table_kinds()} == set(Kind)


def test_a_kind_is_its_string():
    assert Kind.PROJECT_EXPENDITURE == "project_expenditure" and f"{Kind.REVENUE_SUMMARY}" == "revenue_summary"
