"""``analysis report``: render the report, workbook and summary again from a processed folder."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("report")
@click.argument("processed_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.html, workbook.xlsx and summary.md.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing.")
def report_command(processed_dir: Path, out_dir: Path, quiet: bool) -> None:
    """Render the reports from PROCESSED_DIR (written by analysis run) without extracting or
    checking again, e.g. after editing the departments overrides or to get a fresh layout."""
    from analysis.api import report

    if not (processed_dir / "documents.parquet").is_file():
        raise click.UsageError(f"{processed_dir}: documents.parquet not found (run analysis run first)")
    paths = report(processed_dir, out_dir)
    if not quiet:
        for name, path in paths.items():
            click.echo(f"{name}: {path}")
