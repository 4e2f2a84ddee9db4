"""The library face: the CLI's verbs as functions with the same names and one result shape.

    import analysis
    frames = analysis.extract("data/raw")          # files or folders
    frames = analysis.check(frames)                # + findings, evaluations
    frames = analysis.compare(frames)              # + indicators, scores, outlier findings
    analysis.report(frames, "reports")             # report.html, workbook.xlsx, summary.md
    result = analysis.run("data/raw", out="out")   # all of it, with the cache and run log

Every function takes and returns :class:`analysis.frames.Frames`; a processed folder written by
``analysis run``/``extract --out`` is read with ``Frames.read(folder)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

import polars as pl

from analysis.frames import Frames

PathLike = str | Path


def _paths(paths: PathLike | Iterable[PathLike]) -> list[Path]:
    if isinstance(paths, (str, Path)):
        return [Path(paths)]
    return [Path(p) for p in paths]


def extract(paths: PathLike | Iterable[PathLike], *, progress: Callable | None = None) -> Frames:
    """Read files and folders (recursively) into documents, tables, line items, claims, targets
    and texts. An unreadable file is a ``failed`` documents row with its reason."""
    from analysis.extract import extract_paths
    from analysis.read import discover

    given: list[str | Path] = [*_paths(paths)]
    return Frames(extract_paths(discover(given), progress=progress))


def check(frames: Frames, *, rules: list[str] | None = None, overrides: PathLike | None = None) -> Frames:
    """Run the rule catalogue (or the ``rules`` ids) over extracted frames; adds ``findings``
    and ``evaluations``; ``overrides`` is the department CSV ``compare`` takes (the previous-year
    rule finds its partner with it)."""
    from analysis.check import run_checks

    findings, evaluations = run_checks(dict(frames), rules=rules, departments=overrides)
    return Frames(frames).with_frames(findings=findings, evaluations=evaluations)


def compare(frames: Frames, *, overrides: PathLike | None = None) -> Frames:
    """Compare departments: adds ``indicators`` (one row per document), ``indicator_scores``,
    ``departments``, ``benford``; outlier findings and evaluations are appended to ``findings``
    and ``evaluations`` (kept apart as ``findings_outliers`` and ``evaluations_outliers``)."""
    from analysis.compare import compare_frames

    result = compare_frames(dict(frames), overrides=overrides)
    merged = {
        name: pl.concat([frames[name], result[name]], how="vertical_relaxed") if name in frames else result[name]
        for name in ("findings", "evaluations")
    }
    return Frames(frames).with_frames(
        {key: value for key, value in result.items() if key not in ("findings", "evaluations")},
        findings_outliers=result["findings"],
        evaluations_outliers=result["evaluations"],
        **merged,
    )


def report(frames: Frames | PathLike, out: PathLike, *, department_charts: bool = True) -> dict[str, Path]:
    """Render report.html, workbook.xlsx and summary.md into ``out`` from frames or from a
    processed folder; returns the written paths."""
    from analysis.report import load, write_reports

    if isinstance(frames, (str, Path)):
        data = load(frames, generated=_now())
    else:
        data = _report_data(frames)
    return write_reports(data, out, department_charts=department_charts)


def _report_data(frames: Frames):
    """The report renders what ``compare`` produced; frames that were not compared give a
    report without indicators that says so."""
    from analysis.report import COMPARE_OK, COMPARE_UNAVAILABLE, ReportData
    from analysis.report.indicators import empty_indicators

    if "indicator_scores" in frames:
        indicators, status = frames["indicator_scores"], COMPARE_OK
    else:
        indicators, status = empty_indicators(), COMPARE_UNAVAILABLE
    return ReportData(
        frames.documents,
        frames.tables,
        frames.line_items,
        frames.findings,
        indicators,
        status,
        _now(),
        benford=frames.benford,
        panel=frames.panel,
    )


def run(
    raw: PathLike | Iterable[PathLike] = "data/raw",
    *,
    out: PathLike | None = None,
    fresh: bool = False,
    progress: Callable | None = None,
    department_charts: bool = True,
    jobs: int | None = None,
    time_limit: float | None = None,
    scheduler: str | None = None,
    reviews: Iterable[PathLike] = (),
    pdf: bool = False,
    overrides: PathLike | None = None,
):
    """``analysis run``: extract and check each document (with the cache, on ``jobs`` worker
    processes or the Dask cluster at ``scheduler``), compare and report. Outputs go to
    ``out/processed`` and ``out/reports`` (default ``data/processed`` and ``reports/``).
    ``reviews`` are workbooks with the auditor's verdicts; ``pdf`` also prints report.pdf;
    ``department_charts=False`` leaves out the per-department charts (faster).
    Returns the :class:`analysis.pipeline.RunResult` (``.frames``, ``.paths``, ``.report``)."""
    from analysis.engine.run import DEFAULT_TIME_LIMIT
    from analysis.pipeline import default_dirs
    from analysis.pipeline import run as run_pipeline

    processed, reports = default_dirs(Path(out) if out is not None else None)
    return run_pipeline(
        _paths(raw),
        processed,
        reports,
        use_cache=not fresh,
        progress=progress,
        department_charts=department_charts,
        jobs=jobs,
        time_limit=DEFAULT_TIME_LIMIT if time_limit is None else time_limit,
        scheduler=scheduler,
        reviews=[Path(p) for p in reviews],
        pdf=pdf,
        departments=Path(overrides) if overrides is not None else None,
    )


def _now() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M")
