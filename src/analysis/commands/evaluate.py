"""``analysis evaluate``: score findings against the labels of a synthetic district."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _table(evaluation) -> str:
    s = evaluation.summary
    lines = [f"{'kind':<30} {'labels':>6} {'found':>6} {'missed':>6} {'recall':>7}"]
    for row in evaluation.by_kind.iter_rows(named=True):
        lines.append(
            f"{row['kind']:<30} {row['labels']:>6} {row['found']:>6} {row['missed']:>6} {_percent(row['recall']):>7}"
        )
    lines.append(f"{'all':<30} {s['labels']:>6} {s['found']:>6} {s['missed']:>6} {_percent(s['recall']):>7}")
    lines += [
        "",
        f"findings {s['findings']}: matched {s['matched_findings']}, unmatched "
        f"{s['unmatched_findings']} ({s['unmatched_on_unlabelled_documents']} on documents "
        "without labels)",
        "",
        f"{'rule':<32} {'category':<14} {'findings':>8} {'matched':>8} {'unmatched':>9} {'on clean':>8}",
    ]
    for row in evaluation.by_rule.iter_rows(named=True):
        lines.append(
            f"{row['rule'] or '—':<32} {row['category'] or '—':<14} {row['findings']:>8} "
            f"{row['matched']:>8} {row['unmatched']:>9} {row['unmatched_unlabelled_docs']:>8}"
        )
    return "\n".join(lines)


@click.command()
@click.option(
    "--labels",
    "labels_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="labels.parquet written by `analysis synth` (or csv/json).",
)
@click.argument("findings_file", metavar="FINDINGS", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Plain table or JSON on stdout.",
)
@click.option(
    "--tolerance",
    default=0.01,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Largest difference (万元 or percentage points) that still counts as equal.",
)
def evaluate(labels_file: Path, findings_file: Path, output: str, tolerance: float) -> None:
    """Recall per anomaly kind and unmatched findings per rule for FINDINGS (parquet/csv/json).

    A finding counts for a planted anomaly only on the same document, from a rule that can
    detect that kind (metadata/anomaly_rules.toml), and naming its place or value; see
    analysis.evaluate for the exact rules.
    """
    from analysis.evaluate import evaluate as score
    from analysis.evaluate import read_frame

    try:
        labels, findings = read_frame(labels_file), read_frame(findings_file)
        result = score(labels, findings, tolerance=tolerance)
    except (ValueError, pl.exceptions.PolarsError) as error:
        raise click.UsageError(str(error)) from error
    click.echo(result.to_json() if output == "json" else _table(result))
