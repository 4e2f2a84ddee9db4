"""``analysis compare``: compare departments in an extracted folder and report outliers."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import polars as pl

from analysis.vocab import SEVERITIES


@click.command()
@click.argument("processed_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--departments",
    "overrides",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with columns name,department_id that overrides department matching "
    "(start from the departments.csv a previous run wrote).",
)
@click.option(
    "--min-severity",
    type=click.Choice(list(SEVERITIES)),
    default="warning",
    show_default=True,
    help="Print findings of this severity or above (all are written).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def compare(processed_dir: Path, overrides: Path | None, min_severity: str, quiet: bool) -> None:
    """Compare departments across the documents in PROCESSED_DIR (written by analysis extract --out).

    Writes indicators.parquet (one row per document: ratios, per-capita amounts, growth, with
    sources), findings_outliers.parquet (rules outlier-*), indicator_scores.parquet (each
    indicator against its peer group), departments.parquet/.csv (name → department_id and why),
    benford.parquet and evaluations_outliers.parquet into PROCESSED_DIR.
    """
    from analysis.compare import compare_frames, write_outputs
    from analysis.compare.pipeline import INPUT_TABLES
    from analysis.engine.atomic import OutputLocked, describe_write_error, folder_lock
    from analysis.engine.stored import processed_frames

    if not (processed_dir / "documents.parquet").is_file():
        raise click.UsageError(f"{processed_dir}: documents.parquet not found (run analysis run first)")
    try:
        with folder_lock(processed_dir):  # no run rewrites the inputs while they are scanned
            frames = processed_frames(processed_dir, INPUT_TABLES)  # scanned step by step, not loaded whole
            results = compare_frames(frames, overrides=overrides)
            write_outputs(results, processed_dir)
    except OutputLocked as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    except OSError as error:
        click.echo(f"error: {describe_write_error(error)}", err=True)
        sys.exit(1)
    if quiet:
        return
    findings = results["findings"]
    allowed = SEVERITIES[: SEVERITIES.index(min_severity) + 1]
    for row in findings.filter(pl.col("severity").is_in(allowed)).iter_rows(named=True):
        click.echo(f"[{row['severity']}] {row['rule']} {Path(row['path'] or '').name}: {row['message']}")
    by_rule = ", ".join(f"{rule} {n}" for rule, n in findings.group_by("rule").len().sort("rule").iter_rows())
    click.echo(
        f"{results['indicators'].height} documents, {results['departments']['department_id'].n_unique()} "
        f"departments; {findings.height} outlier findings ({by_rule or 'none'}) → {processed_dir}",
        err=True,
    )
