"""``analysis check``: extract and check documents, print findings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import polars as pl

from analysis.check import RULES, run_checks
from analysis.extract import extract_paths
from analysis.read import discover
from analysis.vocab import SEVERITIES, DocumentStatus

_COLUMNS = [
    "doc_id",
    "path",
    "rule",
    "severity",
    "category",
    "table_kind",
    "location",
    "row_label",
    "column",
    "expected",
    "actual",
    "difference",
    "message",
    "excerpt",
    "line",
    "page",
]


def _select(findings: pl.DataFrame, min_severity: str) -> pl.DataFrame:
    allowed = SEVERITIES[: SEVERITIES.index(min_severity) + 1]
    return findings.filter(pl.col("severity").is_in(allowed))


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="json: an array of findings on stdout; csv: CSV on stdout.",
)
@click.option(
    "--min-severity",
    type=click.Choice(list(SEVERITIES)),
    default="info",
    show_default=True,
    help="Leave out findings below this severity.",
)
@click.option(
    "--rules", "rule_ids", default=None, metavar="ID,ID", help="Only these rule ids (default: all; see --list-rules)."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write findings.parquet, evaluations.parquet and the extraction here.",
)
@click.option(
    "--departments",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV with columns name,department_id that overrides department matching "
    "(the previous-year rule's partner; the same file compare --departments takes).",
)
@click.option(
    "--list-rules",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, _, value: _list_rules(ctx) if value else None,
    help="Print the rule catalogue and exit.",
)
def check(paths, fmt, min_severity, rule_ids, out_dir, departments):
    """Check the internal consistency of disclosures in PATHS (files or folders).

    Exit status: 0 when no error-severity finding was printed, 1 when at least one was,
    2 on misuse (unknown option or rule id, missing path).
    """
    chosen = [r.strip() for r in rule_ids.split(",")] if rule_ids else None
    unknown = sorted(set(chosen or []) - set(RULES))
    if unknown:
        raise click.UsageError(f"unknown rule id(s): {', '.join(unknown)} (see --list-rules)")
    frames = extract_paths(discover(list(paths)))
    findings, evaluations = run_checks(frames, rules=chosen, departments=departments)
    if out_dir:
        from analysis.extract import write_frames

        write_frames({**frames, "findings": findings, "evaluations": evaluations}, out_dir)
    shown = _select(findings, min_severity)
    if fmt == "json":
        click.echo(json.dumps(shown.select(_COLUMNS).to_dicts(), ensure_ascii=False, indent=1))
    elif fmt == "csv":
        click.echo(shown.select(_COLUMNS).write_csv(), nl=False)
    else:
        for row in shown.iter_rows(named=True):
            click.echo(f"[{row['severity']}] {row['rule']} {Path(row['path']).name}: {row['message']}")
        failed = frames["documents"].filter(pl.col("status") == DocumentStatus.FAILED)
        click.echo(
            f"{frames['documents'].height} documents ({failed.height} unreadable), {shown.height} findings", err=True
        )
    sys.exit(1 if shown.filter(pl.col("severity") == "error").height else 0)


def _list_rules(ctx: click.Context) -> None:
    for r in RULES.values():
        click.echo(f"{r.id:<32} {r.severity:<8} {r.category:<15} {r.domain_ids:<24} {r.title}")
    ctx.exit(0)
