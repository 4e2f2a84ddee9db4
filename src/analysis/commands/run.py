"""``analysis run``: the whole screening in one command (extract → check → compare → report)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import polars as pl

from analysis.engine.atomic import OutputLocked, describe_write_error
from analysis.engine.distributed import DaskUnavailable
from analysis.engine.run import DEFAULT_TIME_LIMIT
from analysis.pipeline import default_dirs, summary_lines
from analysis.pipeline import run as run_pipeline
from analysis.vocab import DocumentStatus


def _progress(quiet: bool):
    """A tqdm bar over the documents being extracted, unless quiet or stderr is not a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return lambda items: tqdm(items, desc="extract", unit="doc")


def _check_reviews(paths: tuple[Path, ...]) -> None:
    """A --review file that is not a workbook written by ``analysis run`` is misuse (exit 2),
    found before the screening starts."""
    from analysis.report.review import read_workbook

    for path in paths:
        try:
            read_workbook(path)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--review") from error


@click.command("run")
@click.argument(
    "raw_dir", required=False, default="data/raw", type=click.Path(exists=True, file_okay=True, path_type=Path)
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write OUT/processed and OUT/reports (default: data/processed and reports/).",
)
@click.option("--fresh", is_flag=True, help="Ignore and rebuild the extraction cache.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when any file could not be read.")
@click.option(
    "--review",
    "reviews",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A workbook with the auditor's verdicts (审核结论) and notes (审计人员备注) to carry "
    "into this run; may be repeated. The previous workbook in the reports folder is read too.",
)
@click.option(
    "--departments",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV with columns name,department_id that overrides department matching (checks and compare).",
)
@click.option("--pdf", is_flag=True, help="Also print report.pdf with headless Chromium.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for extraction and checks (default: every core).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIME_LIMIT,
    show_default=True,
    help="Seconds one document may take; a document over it is stopped and failed.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Run the per-document tasks on the Dask cluster at ADDRESS (e.g. tcp://host:8786); "
    "the input and output folders must be shared with its workers.",
)
def run_command(
    raw_dir: Path,
    out_dir: Path | None,
    fresh: bool,
    strict: bool,
    reviews: tuple[Path, ...],
    departments: Path | None,
    pdf: bool,
    quiet: bool,
    jobs: int | None,
    time_limit: float,
    scheduler: str | None,
) -> None:
    """Screen every disclosure under RAW_DIR (default data/raw) and write the reports.

    Writes parquet outputs (documents … findings, indicators) to the processed folder, and
    report.html (open offline in a browser), workbook.xlsx (for auditors), summary.md (to diff
    against last year's) and run.log to the reports folder. Files unchanged since the last run
    reuse their extraction and checks, and a run that was stopped resumes where it was. Exit
    status 0 unless --strict and some file failed; 1 when an output cannot be written (the
    previous outputs stay whole); 2 on misuse or when another run is using the output folder.
    """
    processed, reports = default_dirs(out_dir)
    _check_reviews(reviews)
    try:
        result = run_pipeline(
            [raw_dir],
            processed,
            reports,
            use_cache=not fresh,
            progress=_progress(quiet),
            reviews=list(reviews),
            pdf=pdf,
            jobs=jobs,
            time_limit=time_limit,
            scheduler=scheduler,
            departments=departments,
        )
    except (OutputLocked, DaskUnavailable) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    except OSError as error:
        click.echo(f"error: {describe_write_error(error)}", err=True)
        sys.exit(1)
    if not quiet:
        for line in summary_lines(result):
            click.echo(line, err=line.startswith("  failed"))
    failed = result.documents.filter(pl.col("status") == DocumentStatus.FAILED).height
    if strict and failed:
        sys.exit(1)
