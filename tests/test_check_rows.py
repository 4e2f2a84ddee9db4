"""The run engine's worker checks one document's extracted rows without the frame round trip
(issue 14): the rows must be what the frames give back, and the findings those of the frames;
the shortcuts the rules take (a joined-text sieve, candidate subsets near their target) must
never change an answer."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from analysis.check import run_checks
from analysis.check.context import DocContext, as_dicts
from analysis.check.prefilter import any_matches, join, may_match, rows_with
from analysis.check.projects import _candidates, _subset_sums
from analysis.check.runner import check_document
from analysis.check.tolerance import Tolerance
from analysis.extract import combine, document_rows, extract_file
from analysis.schema import schema
from analysis.synth.generate import generate

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DEMO = next((Path(__file__).resolve().parents[1] / "src" / "analysis" / "demo").glob("*.txt"))


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> list[Path]:
    raw = tmp_path_factory.mktemp("rows") / "raw"
    generate(raw, departments=4, years=(2024, 2025), anomaly_rate=0.6, seed=23, doc_types=("budget", "final"))
    return [DEMO, *sorted(raw.rglob("*.txt"))]


def _both(path: Path):
    extraction = extract_file(path)
    frames = combine([extraction])
    rows = document_rows(extraction)
    return frames, rows, check_document(frames["documents"].row(0, named=True), rows)


def test_rows_are_what_the_frames_give_back(documents):
    for path in documents:
        frames, rows, _ = _both(path)
        for name, given in rows.items():
            assert all(set(r) == set(schema(name).names()) for r in given), (path, name)
            back = as_dicts(frames[name])
            assert [{k: r[k] for k in b} for r, b in zip(given, back, strict=True)] == back, (path, name)
            for r, b in zip(given, back, strict=True):  # 1.0 and 1 are equal: the types too
                assert {k: type(v) for k, v in r.items()} == {k: type(b[k]) for k in r}, (path, name)


def test_checks_on_rows_find_what_the_checks_on_frames_find(documents):
    errors = 0
    for path in documents:
        frames, _, (findings, evaluations) = _both(path)
        expected_findings, expected_evaluations = run_checks(frames)
        assert findings.equals(expected_findings), path
        assert evaluations.equals(expected_evaluations), path
        errors += findings.filter(findings["severity"] == "error").height
    assert errors  # the planted anomalies are found on this path too


def test_checks_on_rows_of_real_documents():
    paths = sorted(CORPUS.glob("fujian_pingtan/*.txt"))[:6] + sorted(CORPUS.glob("seed/*"))
    if not paths:
        pytest.skip("corpus absent (../shared/corpus)")
    for path in paths:
        frames, _, (findings, evaluations) = _both(path)
        expected_findings, expected_evaluations = run_checks(frames)
        assert findings.equals(expected_findings) and evaluations.equals(expected_evaluations), path


def test_a_failed_document_is_not_checked(tmp_path):
    broken = tmp_path / "empty.txt"
    broken.write_text("", encoding="utf-8")
    frames, _, (findings, evaluations) = _both(broken)
    assert frames["documents"]["status"][0] == "failed"
    assert findings.is_empty() and evaluations.is_empty()


def test_a_context_from_rows_serves_the_frames_for_notebooks(documents):
    extraction = extract_file(documents[0])
    rows = document_rows(extraction)
    ctx = DocContext.from_rows(combine([extraction])["documents"].row(0, named=True), rows, Tolerance())
    assert ctx.items is None and ctx.item_rows is rows["line_items"]
    kind = next(r["table_kind"] for r in rows["line_items"] if r["table_kind"] is not None)
    assert ctx.table(kind).height == len(ctx.rows(kind)) > 0
    assert "sentences" in ctx.columns("texts")


_ALPHABET = "增加减少万元2024年。；，X （）\n"
_PATTERNS = [
    r"增加\s*减少",
    r"^X",
    r"元$",
    r"(?<=万元)\s*(?=20\d{2})",
    r"([。；，])\s*\1",
    r"(?<!\d)0",  # a negative lookaround: no sieve, every row is searched
    r"X(?!X)",
    r"[^。]{2}年",
    r"\bX",
]


def test_the_joined_text_sieve_never_misses_a_row():
    rng = random.Random(14)
    for _ in range(3000):
        rows = ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 12))) for _ in range(rng.randint(0, 6))]
        pattern = re.compile(rng.choice(_PATTERNS))
        text = join(rows)
        in_rows = any(pattern.search(r) for r in rows)
        assert in_rows <= may_match(pattern, text), (pattern, rows)
        assert any_matches(pattern, rows, text) == in_rows, (pattern, rows)


def test_rows_a_gate_finds_hold_every_match():
    """``rows_with``: a gate (the pattern with its spaces and negated classes kept inside a
    row) finds every row the pattern matches, rows with line breaks of their own included."""
    rng = random.Random(15)
    patterns = [p for p in _PATTERNS if "(?<!" not in p and "(?!" not in p]
    for _ in range(3000):
        rows = ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 12))) for _ in range(rng.randint(0, 6))]
        source = rng.choice(patterns)
        pattern = re.compile(source)
        gate = re.compile(source.replace(r"\s", r"[^\S\n]").replace("[^", "[^\n"), re.MULTILINE)
        found = set(rows_with(gate, rows, join(rows)))
        assert {i for i, r in enumerate(rows) if pattern.search(r)} <= found, (source, rows)


def test_the_sieve_does_not_join_two_rows_into_one_match():
    assert not may_match(re.compile(r"(?<=万元)\s*(?=20\d{2})"), join(["支出100万元", "2024年预算"]))
    assert may_match(re.compile(r"(?<=万元)\s*(?=20\d{2})"), join(["支出100万元 2024年预算"]))


def test_candidate_subsets_are_those_of_the_full_scan():
    rng = random.Random(5)
    for _ in range(1500):
        n = rng.randint(1, 9)
        amounts = [round(rng.choice([rng.uniform(0, 900), rng.randint(0, 40)]), rng.choice([0, 2])) for _ in range(n)]
        sums = _subset_sums(amounts)
        allowed = [0.005 * k + 0.01 + 1e-9 for k in range(n + 1)]
        banned = 0 if rng.random() < 0.5 else 1 << rng.randrange(n)
        targets = {
            f"c{i}": sums[rng.randrange(1, 1 << n)] + rng.choice([0.0, 0.004, -0.012, 0.3])
            for i in range(rng.randint(1, 4))
        }
        full_scan = {
            code: [m for m in range(1, 1 << n) if not m & banned and abs(sums[m] - value) <= allowed[bin(m).count("1")]]
            for code, value in targets.items()
        }
        assert _candidates(targets, sums, allowed, banned) == full_scan
