"""``analysis report``: render the report, workbook and summary again from a processed folder."""

from __future__ import annotations

import sys
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
    from analysis.engine.atomic import describe_write_error

    if not (processed_dir / "documents.parquet").is_file():
        raise click.UsageError(f"{processed_dir}: documents.parquet not found (run analysis run first)")
    try:
        paths = report(processed_dir, out_dir)
    except OSError as error:  # a full disk, an unwritable folder, a failed report child: one line
        click.echo(f"error: {describe_write_error(error)}", err=True)
        sys.exit(1)
    if not quiet:
        for name, path in paths.items():
            click.echo(f"{name}: {path}")
