"""The vocabularies of analysis.vocab against the data that names them for people."""

from __future__ import annotations

from analysis import vocab
from analysis.check.registry import RULES
from analysis.metadata import load_toml


def test_every_severity_and_status_has_its_display_word_and_no_other():
    labels = load_toml("report/labels.toml")
    assert tuple(labels["severity"]) == vocab.SEVERITIES  # the file lists them in rank order too
    assert set(labels["status"]) == set(vocab.DOCUMENT_STATUSES)


def test_severities_run_from_the_most_severe():
    assert vocab.SEVERITIES[0] == vocab.Severity.ERROR == "error"
    assert vocab.SEVERITIES.index("warning") < vocab.SEVERITIES.index("info")


def test_every_rule_declares_a_severity_of_the_vocabulary():
    assert {r.severity for r in RULES.values()} <= set(vocab.SEVERITIES)


def test_the_vocabularies_are_plain_strings():
    """click shows an Enum choice by its member name (ERROR): --min-severity error must stay valid."""
    assert all(type(s) is str for s in (*vocab.SEVERITIES, *vocab.DOCUMENT_STATUSES))
