"""The synthetic narrative-only layout (issue 12 point 5): planted anomalies of every new kind in
text, web-page and PDF form are found, and clean documents carry no error."""

from __future__ import annotations

import polars as pl
import pytest
from click.testing import CliRunner

from analysis.check import run_checks
from analysis.commands.synth import synth as synth_command
from analysis.evaluate import evaluate
from analysis.extract import extract_paths
from analysis.read import discover
from analysis.synth.narrative_only import KINDS


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    out = tmp_path_factory.mktemp("narrative")
    result = CliRunner().invoke(
        synth_command,
        [
            "--layout",
            "narrative",
            "--out",
            str(out),
            "--departments",
            "5",
            "--years",
            "2024,2025",
            "--formats",
            "text,html,pdf",
            "--anomaly-rate",
            "0.8",
            "--seed",
            "7",
        ],
    )
    assert result.exit_code == 0, result.output
    frames = extract_paths(discover([out / "narrative"]))
    findings, _ = run_checks(frames)
    return out, pl.read_parquet(out / "labels.parquet"), frames, findings


def test_every_document_is_narrative_only_in_every_format(district):
    _, _, frames, _ = district
    docs = frames["documents"]
    assert set(docs["status"]) == {"narrative_only"} and set(docs["format"]) == {"text", "html", "pdf"}
    assert docs.height == 5 * 2 * 2 * 3 and docs["department"].n_unique() == 5


def test_planted_anomalies_are_found_by_kind(district):
    _, labels, _, findings = district
    assert set(labels["kind"]) <= set(KINDS) and labels["kind"].n_unique() >= 8
    result = evaluate(labels, findings)
    by_kind = dict(zip(result.by_kind["kind"], result.by_kind["recall"]))
    assert min(by_kind.values()) >= 0.95, by_kind


def test_clean_documents_carry_no_error(district):
    _out, labels, _, findings = district
    labelled = {p.split("/", 1)[1] for p in labels["path"]}
    errors = findings.filter(pl.col("severity") == "error")
    on_clean = [p for p in errors["path"] if not any(p.endswith(x) for x in labelled)]
    assert on_clean == [], errors.filter(pl.col("path").is_in(on_clean)).select("rule", "message").rows()


def test_same_seed_same_documents(tmp_path):
    from analysis.synth.narrative_only import generate_narrative

    a = generate_narrative(tmp_path / "a", departments=2, years=(2025,), formats=("text",), seed=3)
    b = generate_narrative(tmp_path / "b", departments=2, years=(2025,), formats=("text",), seed=3)
    assert a.equals(b)
    for path in (tmp_path / "a").rglob("*.txt"):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
