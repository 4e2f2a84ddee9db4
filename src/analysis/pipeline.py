"""``analysis run``: extract → check → compare → report in one call (issue 7; engine: issue 14).

Each document is extracted and checked as one task on a worker process or a Dask cluster
(``analysis.engine``); its rows go at once to a per-document cache in ``<processed>/cache/``,
keyed by ``doc_id`` (the content hash of the file, ``analysis.extract.content_id``) under a
folder named by the hash of the extraction and check code (``cache_key``): a rerun over
unchanged files — or a run resumed after a kill — reads their rows back instead of doing them
again, and a fix in a reader or a rule never hides behind stale rows. Pairing, comparison and
reports always run in full on the gathered rows: they depend on every document at once.
Outputs are written under temporary names and renamed, under a lock on the output folders.

The compare stage (issue 6) is the only producer of indicators, Benford tests and the execution
panel; when it is missing or fails, the run goes on without them (the check findings are kept)
and the report says so instead of computing a comparison of its own.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata, resources
from pathlib import Path

import polars as pl

from analysis import atomic_files
from analysis.check.runner import sort_findings
from analysis.engine.atomic import folder_lock
from analysis.engine.publish import publication, remove_leftovers
from analysis.engine.run import DEFAULT_TIME_LIMIT, run_documents
from analysis.engine.stored import StoredFrames, write_tables
from analysis.read import discover
from analysis.report import COMPARE_OK, COMPARE_UNAVAILABLE, ReportData, auditor_findings, write_reports
from analysis.report.frames import false_count, severity_counts
from analysis.report.indicators import conform, empty_indicators, with_peer_stats
from analysis.report.review import remember_workbook
from analysis.schema import empty, schema

logger = logging.getLogger(__name__)
CACHE_DIR = "cache"
SPILL_DIR = ".gathered"  # inside the new generation: the gathered parts, removed once written whole
RUN_LOG = "run.log"
# What extraction output depends on; anything else (checks, reports) may change freely.
_EXTRACTION_SOURCES = (
    "read",
    "recognise",
    "normalise",
    "metadata",
    "extract.py",
    "model.py",
    "schema.py",
    "classification.py",
    "text.py",
    "kinds.py",
)
_NOT_EXTRACTION = ("compare", "report", "synth")  # metadata sub-folders the extraction never reads


@dataclass(slots=True)
class RunResult:
    """What a run produced and how it went (the CLI prints it; tests inspect it).

    ``frames`` holds the extraction tables, ``findings`` (checks and outliers), ``evaluations``
    and ``indicators``: the long indicator frame with peer statistics that the report used
    (on disk: indicator_scores.parquet; the compare stage's wide indicators.parquet is separate).
    The large extraction tables (line items, texts …) are read from this run's published
    parquet on first access (``engine/stored.py``), not held in memory.
    """

    frames: Mapping[str, pl.DataFrame]
    report: ReportData
    paths: dict[str, Path]
    cached: int = 0
    extracted: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    peaks: dict[str, float] = field(default_factory=dict)
    """This process's peak resident memory (MB) at the end of each stage (workers not counted)."""

    @property
    def documents(self) -> pl.DataFrame:
        return self.frames["documents"]


def extraction_fingerprint() -> str:
    """Hash of the toolkit version and every file the extraction stage reads."""
    digest = hashlib.sha256(_version().encode())
    root = resources.files("analysis")
    for name in _EXTRACTION_SOURCES:
        entry = Path(str(root.joinpath(name)))
        files = (
            [entry]
            if entry.is_file()
            else sorted(
                p
                for p in entry.rglob("*")
                if p.is_file()
                and p.suffix in {".py", ".csv", ".toml"}
                and not set(p.relative_to(entry).parts[:1]) & set(_NOT_EXTRACTION)
            )
        )
        for path in files:
            digest.update(str(path.relative_to(Path(str(root)))).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _version() -> str:
    try:
        return metadata.version("analysis")
    except metadata.PackageNotFoundError:
        return "unknown"


def checks_fingerprint() -> str:
    """Hash of the check code: cached findings are reused only when the rules did not change."""
    digest = hashlib.sha256()
    root = Path(str(resources.files("analysis")))
    for path in sorted((root / "check").rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key() -> str:
    """The per-document cache's folder name: extraction and check code together."""
    return hashlib.sha256(f"{extraction_fingerprint()}:{checks_fingerprint()}".encode()).hexdigest()[:16]


@dataclass(slots=True)
class Comparison:
    """What the compare stage gave the run.

    Attributes:
        indicators: long indicator frame (the report contract, ``report/indicators.py``).
        findings: outlier findings (findings schema), merged into findings.parquet.
        evaluations: per-rule evaluations of the outlier rules, merged into evaluations.parquet.
        outputs: the compare stage's other tables, written as they are (file name → frame).
        status: ``ok``, ``unavailable`` or the error that stopped the stage.
        benford, panel: the stage's Benford tests and budget-execution panel, for the report.
    """

    indicators: pl.DataFrame
    findings: pl.DataFrame
    evaluations: pl.DataFrame
    outputs: dict[str, pl.DataFrame]
    status: str
    benford: pl.DataFrame = field(default_factory=lambda: empty("benford"))
    panel: pl.DataFrame = field(default_factory=lambda: empty("panel"))


def _without_comparison(status: str) -> Comparison:
    """What the report gets when the compare stage did not run: no indicators, no second
    comparison computed here; the report says why (``status``)."""
    return Comparison(empty_indicators(), empty("findings"), empty("evaluations"), {}, status)


def compare_stage(frames: Mapping[str, pl.DataFrame], overrides: Path | None = None) -> Comparison:
    """Run ``analysis.compare.compare_frames``; when it is missing or fails, an empty comparison
    with a status the report shows (the check findings are kept)."""
    try:
        from analysis.compare import compare_frames
    except ImportError:
        logger.info("analysis.compare not available: no indicators")
        return _without_comparison(COMPARE_UNAVAILABLE)
    try:
        result = compare_frames(frames, overrides=overrides)
        indicators = with_peer_stats(conform(result["indicator_scores"], frames["documents"]))
        outputs = {f"{k}.parquet": v for k, v in result.items() if k not in ("findings", "evaluations")}
        return Comparison(
            indicators,
            result["findings"].select(list(schema("findings"))),
            result["evaluations"].select(list(schema("evaluations"))),
            outputs,
            COMPARE_OK,
            result["benford"],
            result["panel"],
        )
    except Exception as error:  # a compare bug must not cost the auditor the check findings
        logger.exception("compare stage failed")
        return _without_comparison(f"{type(error).__name__}: {error}")


def _peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (0 where the platform cannot tell)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, kilobytes elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def default_dirs(out: Path | None) -> tuple[Path, Path]:
    """(processed, reports): data/processed and reports/, or OUT/processed and OUT/reports."""
    return (out / "processed", out / "reports") if out else (Path("data/processed"), Path("reports"))


class RunLog:
    """The run's log file: the pipeline's own notes (always) plus warnings and errors that any
    analysis module logs during the run (reader crashes with tracebacks, cache problems).

    Notes also go to the module logger at INFO, so ``analysis -v run`` shows them on stderr;
    console verbosity is left to the caller's logging set-up.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._handler = logging.FileHandler(path, mode="w", encoding="utf-8")
        self._handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self._handler.setLevel(logging.WARNING)
        logging.getLogger("analysis").addHandler(self._handler)

    def note(self, message: str, *args: object) -> None:
        logger.info(message, *args)
        self._handler.emit(logger.makeRecord(logger.name, logging.INFO, __file__, 0, message, args, None))

    def close(self) -> None:
        logging.getLogger("analysis").removeHandler(self._handler)
        self._handler.close()


@contextmanager
def _run_log(path: Path):
    log = RunLog(path)
    try:
        yield log
    except Exception:
        logger.exception("run stopped")
        raise
    finally:
        log.close()


def summary_lines(result: RunResult) -> list[str]:
    """What a person wants at the end of a run: documents read, failures with reasons,
    findings by severity, where the outputs are."""
    docs = result.documents
    status = dict(docs.group_by("status").len().iter_rows()) if docs.height else {}
    lines = [
        f"{docs.height} documents: "
        + ", ".join(f"{s} {status.get(s, 0)}" for s in ("ok", "narrative_only", "partial", "failed"))
        + f" ({result.cached} reused from cache, {result.extracted} extracted)"
    ]
    for path, error in docs.filter(pl.col("status") == "failed").select("path", "error").sort("path").iter_rows():
        lines.append(f"  failed: {path}: {error}")
    counts = severity_counts(result.frames["findings"])
    judged_false = false_count(result.frames["findings"])
    lines.append(
        "findings: "
        + ", ".join(f"{s} {n}" for s, n in counts.items())
        + (f" (and {judged_false} judged false by the auditor)" if judged_false else "")
        + ("" if result.report.compare_status == COMPARE_OK else f" (compare stage: {result.report.compare_status})")
    )
    lines += [f"{name}: {path}" for name, path in result.paths.items()]
    lines.append("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items()))
    if result.peaks:
        lines.append("peak memory of this process: " + ", ".join(f"{k} {v:.0f} MB" for k, v in result.peaks.items()))
    return lines


def run(
    raw: list[Path],
    processed: Path,
    reports: Path,
    *,
    use_cache: bool = True,
    progress: Callable | None = None,
    department_charts: bool = True,
    jobs: int | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    scheduler: str | None = None,
    reviews: list[Path] | None = None,
    pdf: bool = False,
    departments: Path | None = None,
) -> RunResult:
    """Extract, check, compare and report; write parquet to ``processed``, and report.html,
    workbook.xlsx, summary.md and run.log to ``reports`` (and report.pdf with ``pdf``).

    Documents are extracted and checked on ``jobs`` worker processes (default: every core) or
    on the Dask cluster at ``scheduler``, each stopped after ``time_limit`` seconds. ``reviews``:
    workbooks with the auditor's verdicts to carry over (report/review.py). ``departments``: the
    department overrides CSV (``name,department_id``) that the checks and the compare stage honour. Raises
    :class:`~analysis.engine.atomic.OutputLocked` at once when another run holds the folders,
    and ``OSError`` when an output cannot be written (the previous outputs are then whole).
    """
    with folder_lock(processed, reports):
        remove_leftovers(processed)
        remove_leftovers(reports)
        with _run_log(reports / RUN_LOG) as log:
            log.note(
                "run over %s → %s, %s (cache %s)",
                ", ".join(map(str, raw)),
                processed,
                reports,
                "on" if use_cache else "off",
            )
            engine = {"jobs": jobs, "time_limit": time_limit, "scheduler": scheduler, "departments": departments}
            result = _run(raw, processed, reports, log, use_cache, progress, department_charts, engine, reviews, pdf)
            result.paths["log"] = log.path
            for line in summary_lines(result):
                log.note(line)
    return result


def _run(
    raw: list[Path],
    processed: Path,
    reports: Path,
    log: RunLog,
    use_cache: bool,
    progress: Callable | None,
    department_charts: bool,
    engine: dict,
    reviews: list[Path] | None = None,
    pdf: bool = False,
) -> RunResult:
    timings: dict[str, float] = {}
    peaks: dict[str, float] = {}
    started = time.perf_counter()
    paths = discover(raw)
    log.note("%d files found", len(paths))
    # every output goes into a new generation of each folder, published as a whole when the run
    # ends (engine/publish.py); the gathered tables are written there at once and read back
    # only where a stage needs them (memory flat in the number of documents)
    with publication(processed, reports) as (new_processed, stage):
        spill = new_processed / SPILL_DIR
        done = run_documents(
            paths, processed / CACHE_DIR, cache_key(), use_cache=use_cache, progress=progress, spill=spill, **engine
        )
        documents, findings, evaluations = done.documents, done.findings, done.evaluations
        counts = (done.cached, done.extracted)
        write_tables(done.frames, new_processed)
        del done
        shutil.rmtree(spill, ignore_errors=True)
        timings["documents"] = time.perf_counter() - started
        peaks["documents"] = _peak_mb()
        for path, status, error in (
            documents.filter(~pl.col("status").is_in(["ok", "narrative_only"]))
            .select("path", "status", "error")
            .iter_rows()
        ):
            log.note("%s: %s: %s", status, path, error)

        mark = time.perf_counter()
        comparison = compare_stage(StoredFrames(new_processed, {"documents": documents}), engine.get("departments"))
        gc.collect()  # the compare stage's frames and matrices go before the report starts
        # the compare stage groups in hash order: sorted here, so that every run writes the same rows
        findings = pl.concat([findings, sort_findings(comparison.findings)], how="vertical_relaxed")
        evaluations = pl.concat(
            [evaluations, comparison.evaluations.sort("doc_id", "rule", maintain_order=True)], how="vertical_relaxed"
        )
        for file_name, table in comparison.outputs.items():
            atomic_files.write_parquet(table, new_processed / file_name)
        timings["compare"] = time.perf_counter() - mark
        peaks["compare"] = _peak_mb()
        if comparison.status != COMPARE_OK:
            log.note("compare stage: %s", comparison.status)

        mark = time.perf_counter()
        findings = auditor_findings(findings, documents, reports, reviews)
        atomic_files.write_parquet(findings, new_processed / "findings.parquet")
        atomic_files.write_parquet(evaluations, new_processed / "evaluations.parquet")
        data = ReportData(
            documents,
            pl.read_parquet(new_processed / "tables.parquet"),
            pl.scan_parquet(new_processed / "line_items.parquet"),  # the report never reads them
            findings,
            comparison.indicators,
            comparison.status,
            datetime.now().strftime("%Y-%m-%d %H:%M"),
            [str(p) for p in raw],
            benford=comparison.benford,
            panel=comparison.panel,
        )
        staged = write_reports(data, stage, department_charts=department_charts, pdf=pdf, review_dir=reports)
    remember_workbook(reports)  # the next run then need not read it back for verdicts
    data.line_items = pl.scan_parquet(processed / "line_items.parquet")  # the published file, read when asked for
    report_paths = {key: reports / path.relative_to(stage) for key, path in staged.items()}
    timings["report"] = time.perf_counter() - mark
    peaks["report"] = _peak_mb()
    timings["total"] = time.perf_counter() - started
    held = {"documents": documents, "findings": findings, "evaluations": evaluations}
    return RunResult(
        StoredFrames(processed, {**held, "indicators": comparison.indicators}, pin=True),
        data,
        {**report_paths, "processed": processed},
        *counts,
        timings,
        peaks,
    )
