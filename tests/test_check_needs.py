"""Rules that declare what a document must have (``needs=``) are not run on a document that
lacks it (issue 14): the runner's skip must be exactly the body's own "not evaluated", so a
declared need is tested against the body on documents that lack it and on documents that
have it."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.check.context import DocContext
from analysis.check.registry import NEEDS, RULES, rule
from analysis.check.runner import check_document
from analysis.check.tolerance import Tolerance
from analysis.extract import combine, document_rows, extract_file
from analysis.synth.generate import generate
from analysis.synth.narrative_only import generate_narrative

DEMO = next((Path(__file__).resolve().parents[1] / "src" / "analysis" / "demo").glob("*.txt"))
DECLARING = [r for r in RULES.values() if r.needs]


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> list[tuple[dict, dict[str, list[dict]]]]:
    raw = tmp_path_factory.mktemp("needs") / "raw"
    generate(raw, departments=3, years=(2025,), anomaly_rate=0.6, seed=31, doc_types=("budget", "final"))
    narrative = tmp_path_factory.mktemp("needs_narrative") / "raw"
    generate_narrative(narrative, departments=2, years=(2025,), formats=("text",), anomaly_rate=0.6, seed=32)
    out = []
    for path in [DEMO, *sorted(raw.rglob("*.txt")), *sorted(narrative.rglob("*.txt"))]:
        extraction = extract_file(path)
        out.append((combine([extraction])["documents"].row(0, named=True), document_rows(extraction)))
    return out


def _variants(document: dict, rows: dict[str, list[dict]]):
    """The document as given, and as if it lacked each thing a rule may need."""
    yield document, rows, None
    for name in ("claims", "texts", "targets"):
        yield document, {**rows, name: []}, None
    other = "budget" if document["doc_type"] == "final_account" else "final_account"
    yield {**document, "doc_type": other}, rows, None
    yield document, rows, document  # a previous year given (the document itself will do)


def test_rules_declare_needs_and_only_known_ones():
    assert len(DECLARING) >= 8
    for r in DECLARING:
        assert all(n in NEEDS or n.startswith("kind:") for n in r.needs), r.id
    with pytest.raises(ValueError, match="unknown needs"):
        rule("no-such-rule", severity="info", category="template", title="", domain_ids="", needs=("tables",))


def test_a_rule_whose_needs_are_unmet_is_not_evaluated_by_its_own_body(documents):
    """The skip never hides an answer: wherever a need is unmet, the body returns None too;
    and the needs are met (the body runs) on some of these documents."""
    met = dict.fromkeys((r.id for r in DECLARING), 0)
    unmet = dict.fromkeys((r.id for r in DECLARING), 0)
    for document, rows in documents:
        for given, given_rows, previous in _variants(document, rows):
            ctx = DocContext.from_rows(given, given_rows, Tolerance(), previous=previous)
            for r in DECLARING:
                if r.applies(ctx):
                    met[r.id] += 1
                else:
                    unmet[r.id] += 1
                    assert r.check(ctx) is None, (r.id, given["path"])
    assert all(met.values()), met
    assert all(unmet.values()), unmet


def test_the_runner_reports_a_skipped_rule_as_not_evaluated(documents):
    document, rows = next((d, r) for d, r in documents if d["doc_type"] == "budget" and r["claims"])
    _, evaluations = check_document(document, rows)
    status = dict(zip(evaluations["rule"], evaluations["status"], strict=True))
    assert status["final-procurement-sme-share"] == "not_evaluated"  # a budget: no 决算 statement
    assert status["previous-year-change"] == "not_evaluated"  # alone: no previous year
    assert status["narrative-section-missing"] != "not_evaluated"  # needs met: run (it always judges)
    _, without_claims = check_document(document, {**rows, "claims": []})
    status = dict(zip(without_claims["rule"], without_claims["status"], strict=True))
    assert all(status[r.id] == "not_evaluated" for r in DECLARING if "claims" in r.needs)
    assert len(without_claims) == len(RULES)
