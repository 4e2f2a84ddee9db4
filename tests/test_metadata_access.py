"""Metadata access has one owner per file (issue 16): typed accessors, and no file parsed twice."""

from __future__ import annotations

import ast
import dataclasses
from collections import defaultdict
from pathlib import Path

import pytest

from analysis import metadata
from analysis.classification import function_classes
from analysis.kinds import Kind

SRC = Path(__file__).resolve().parents[1] / "src" / "analysis"

# Files still read by two modules, and why that is left for later (each entry is a debt).
STILL_SHARED = {
    # compare/ is being scaled in parallel (wave 3); its two readers take different sections.
    "compare/settings.toml",
    # The narrative-figures registry is check/narrative.py's; shares reads one list of it.
    "checks/narrative_figures.toml",
}


def _readers() -> dict[str, set[str]]:
    """Metadata file → the modules that call load_csv/load_toml on it by name."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) in {"load_csv", "load_toml"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found[node.args[0].value].add(str(path.relative_to(SRC)))
    return found


def test_no_metadata_file_is_parsed_by_two_modules():
    readers = _readers()
    assert len(readers) > 30  # the reading itself works
    shared = {name: sorted(mods) for name, mods in readers.items() if len(mods) > 1 and name not in STILL_SHARED}
    assert shared == {}


def test_the_package_attribute_is_the_metadata_package():
    """``from analysis import metadata`` once gave importlib.metadata (the face imported it by that name)."""
    assert metadata.__name__ == "analysis.metadata"


def test_balance_identities_are_data_about_known_kinds():
    balances = metadata.balance_identities()
    assert [b.id for b in balances] == ["I01", "I02", "I04"]
    assert {b.section for b in balances} == {"income", "expenditure"}
    assert all(len(b.parts) >= 2 and b.total not in b.parts for b in balances)
    assert metadata.two_sided_kinds() <= set(Kind)
    assert {i.id for i in metadata.identities()}.isdisjoint(b.id for b in balances)


def test_accessors_return_frozen_values():
    subject = metadata.claim_subjects()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        subject.subject = "x"  # type: ignore[misc]
    settings = metadata.final_account_settings()
    with pytest.raises(TypeError):
        settings.bases["预算"] = "initial"  # type: ignore[index]
    assert settings.bases["年初预算"] == "initial" and settings.variance_threshold_pct > 0


def test_claim_subjects_keep_the_file_order_and_every_row():
    rows = metadata.load_csv("claim_subjects.csv")
    assert [(s.subject, s.pattern.pattern) for s in metadata.claim_subjects()] == [
        (r["subject"], r["pattern"]) for r in rows
    ]


def test_empty_table_statements_name_domain_tables():
    negation, tables = metadata.empty_table_statements()
    assert "无" in negation.split("|")
    assert all(t.ids and t.subject for t in tables)


def test_function_classes_are_the_three_digit_rows():
    classes = function_classes()
    assert classes and all(len(c.code) == 3 for c in classes)
    assert any(c.code == "201" for c in classes)
