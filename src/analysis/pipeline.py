"""``analysis run``: extract → check → compare → report in one call (issue 7).

Extraction results are cached per document in ``<processed>/cache/`` keyed by ``doc_id``, the
content hash of the file (``analysis.extract.content_id``): a rerun over unchanged files
reads their rows back instead of parsing again. The cache is discarded whole when the
extraction code or metadata changed (``extraction_fingerprint``), so a fix in a reader never
hides behind stale rows. The check, compare and report stages always run in full: they are
cheap next to extraction and depend on every document at once.

The compare stage (issue 6) is optional: ``analysis.compare.compare_frames(frames)`` is
imported lazily; when it is missing or fails, the run goes on with indicators computed from
headline figures and the report says so.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata, resources
from pathlib import Path

import polars as pl

from analysis.check import run_checks
from analysis.extract import OUTPUT_TABLES, content_id, extract_paths, write_frames
from analysis.read import discover
from analysis.report import COMPARE_OK, COMPARE_UNAVAILABLE, ReportData, auditor_findings, write_reports
from analysis.report.frames import false_count, severity_counts
from analysis.report.indicators import conform, headline_indicators, with_peer_stats
from analysis.schema import empty, schema

logger = logging.getLogger(__name__)
CACHE_DIR = "cache"
RUN_LOG = "run.log"
# What extraction output depends on; anything else (checks, reports) may change freely.
_EXTRACTION_SOURCES = ("read", "recognise", "normalise", "metadata", "extract.py", "model.py", "schema.py",
                       "classification.py")
_NOT_EXTRACTION = ("compare", "report", "synth")  # metadata sub-folders the extraction never reads


@dataclass(slots=True)
class RunResult:
    """What a run produced and how it went (the CLI prints it; tests inspect it).

    ``frames`` holds the extraction tables, ``findings`` (checks and outliers), ``evaluations``
    and ``indicators``: the long indicator frame with peer statistics that the report used
    (on disk: indicator_scores.parquet; the compare stage's wide indicators.parquet is separate).
    """

    frames: dict[str, pl.DataFrame]
    report: ReportData
    paths: dict[str, Path]
    cached: int = 0
    extracted: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def documents(self) -> pl.DataFrame:
        return self.frames["documents"]


def extraction_fingerprint() -> str:
    """Hash of the toolkit version and every file the extraction stage reads."""
    digest = hashlib.sha256(_version().encode())
    root = resources.files("analysis")
    for name in _EXTRACTION_SOURCES:
        entry = Path(str(root.joinpath(name)))
        files = [entry] if entry.is_file() else sorted(
            p for p in entry.rglob("*") if p.is_file() and p.suffix in {".py", ".csv", ".toml"}
            and not set(p.relative_to(entry).parts[:1]) & set(_NOT_EXTRACTION))
        for path in files:
            digest.update(str(path.relative_to(Path(str(root)))).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _version() -> str:
    try:
        return metadata.version("analysis")
    except metadata.PackageNotFoundError:
        return "unknown"


def load_cache(processed: Path) -> dict[str, pl.DataFrame]:
    """Cached extraction rows (every output table, keyed by doc_id), or empty tables when the
    cache is missing, unreadable or from other extraction code."""
    folder = processed / CACHE_DIR
    stamp = folder / "fingerprint"
    if not stamp.is_file() or stamp.read_text().strip() != extraction_fingerprint():
        if stamp.is_file():
            logger.info("extraction code changed since the cache was written: extracting everything")
        return {name: empty(name) for name in OUTPUT_TABLES}
    try:
        return {name: pl.read_parquet(folder / f"{name}.parquet") for name in OUTPUT_TABLES}
    except (OSError, pl.exceptions.PolarsError) as error:
        logger.warning("extraction cache unreadable (%s): extracting everything", error)
        return {name: empty(name) for name in OUTPUT_TABLES}


def save_cache(processed: Path, rows: dict[str, pl.DataFrame]) -> None:
    folder = processed / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in rows.items():
        frame.write_parquet(folder / f"{name}.parquet")
    (folder / "fingerprint").write_text(extraction_fingerprint() + "\n")


def _hash_or_none(path: Path) -> str | None:
    try:
        return content_id(path)
    except OSError:
        return None  # extract_file reports the unreadable file as a failed document


def _assemble(files: pl.DataFrame, pool: dict[str, pl.DataFrame], unhashed: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The run's frames in file order: each file gets its doc_id's rows (identical files share
    them, as extract_paths would give), documents carry each file's own path."""
    order = files.select("order", "doc_id")
    frames = {}
    for name in OUTPUT_TABLES:
        rows = pool[name]
        if name == "documents":
            rows = files.select("order", "path", "doc_id").join(rows.drop("path"), on="doc_id", how="inner")
            rows = pl.concat([rows, unhashed], how="diagonal_relaxed")
        else:
            rows = order.join(rows, on="doc_id", how="inner", maintain_order="left_right")
        frames[name] = rows.sort("order", maintain_order=True).select(list(schema(name)))
    return frames


def extract_with_cache(paths: list[Path], processed: Path, *, use_cache: bool = True,
                       progress: Callable | None = None) -> tuple[dict[str, pl.DataFrame], int, int]:
    """Frames for ``paths``, reusing cached rows of unchanged files; returns (frames, cached,
    extracted). Only one file per distinct content is extracted. ``use_cache=False`` extracts
    everything and rebuilds the cache."""
    ids = [_hash_or_none(p) for p in paths]
    cache = load_cache(processed) if use_cache else {name: empty(name) for name in OUTPUT_TABLES}
    known = set(cache["documents"]["doc_id"].drop_nulls().to_list())
    todo, seen = [], set()
    for path, doc_id in zip(paths, ids):
        if doc_id is None or (doc_id not in known and doc_id not in seen):
            todo.append(path)
            seen.add(doc_id)
    fresh = extract_paths(todo, progress=progress) if todo else {n: empty(n) for n in OUTPUT_TABLES}
    fresh_docs = fresh["documents"]
    # a file that became unreadable between hashing here and extraction has no doc_id either
    lost = set(fresh_docs.filter(pl.col("doc_id").is_null())["path"].to_list())
    ids = [None if str(p) in lost else i for p, i in zip(paths, ids)]
    unhashed_paths = {str(p) for p, i in zip(paths, ids) if i is None}
    unhashed = fresh_docs.filter(pl.col("path").is_in(list(unhashed_paths))) \
        .join(pl.DataFrame({"path": [str(p) for p in paths], "order": range(len(paths))},
                           schema={"path": pl.String, "order": pl.Int64}), on="path")
    fresh_ids = set(fresh_docs["doc_id"].drop_nulls().to_list())
    pool = {name: pl.concat([cache[name].filter(~pl.col("doc_id").is_in(list(fresh_ids))),
                             fresh[name].filter(pl.col("doc_id").is_not_null())], how="vertical_relaxed")
            for name in OUTPUT_TABLES}
    save_cache(processed, pool)
    files = pl.DataFrame({"order": range(len(paths)), "path": [str(p) for p in paths], "doc_id": ids},
                         schema={"order": pl.Int64, "path": pl.String, "doc_id": pl.String})
    reused = sum(1 for i in ids if i is not None and i in known and i not in fresh_ids)
    return _assemble(files.filter(pl.col("doc_id").is_not_null()), pool, unhashed), reused, len(todo)


@dataclass(slots=True)
class Comparison:
    """What the compare stage gave the run.

    Attributes:
        indicators: long indicator frame (the report contract, ``report/indicators.py``).
        findings: outlier findings (findings schema), merged into findings.parquet.
        evaluations: per-rule evaluations of the outlier rules, merged into evaluations.parquet.
        outputs: the compare stage's other tables, written as they are (file name → frame).
        status: ``ok``, ``unavailable`` or the error that stopped the stage.
    """

    indicators: pl.DataFrame
    findings: pl.DataFrame
    evaluations: pl.DataFrame
    outputs: dict[str, pl.DataFrame]
    status: str


def _stand_in(frames: dict[str, pl.DataFrame], status: str) -> Comparison:
    indicators = headline_indicators(frames["documents"])
    return Comparison(indicators, empty("findings"), empty("evaluations"),
                      {"indicator_scores.parquet": indicators}, status)


def _file_names() -> dict[str, str]:
    try:
        from analysis.compare.pipeline import OUTPUT_FILES
    except ImportError:
        return {}
    return dict(OUTPUT_FILES)


def compare_stage(frames: dict[str, pl.DataFrame]) -> Comparison:
    """Run ``analysis.compare.compare_frames`` when it exists; otherwise, or when it fails, the
    headline-ratio stand-in with a status the report shows.

    Accepts the stage's dict of tables (``indicator_scores`` is the long frame) or a pair
    ``(indicators, findings)``.
    """
    try:
        from analysis.compare import compare_frames
    except ImportError:
        logger.info("analysis.compare not available: headline indicators only")
        return _stand_in(frames, COMPARE_UNAVAILABLE)
    try:
        result = compare_frames(frames)
        if isinstance(result, dict):
            names = _file_names()
            long = result.get("indicator_scores", result.get("indicators"))
            findings, evaluations = result.get("findings"), result.get("evaluations")
            outputs = {names.get(k, f"{k}.parquet"): v for k, v in result.items()
                       if k not in ("findings", "evaluations")}
        else:
            long, findings = result
            evaluations, outputs = None, {"indicator_scores.parquet": long}
        indicators = with_peer_stats(conform(long, frames["documents"]))
        findings = empty("findings") if findings is None else findings.select(list(schema("findings")))
        evaluations = empty("evaluations") if evaluations is None else evaluations.select(list(schema("evaluations")))
        return Comparison(indicators, findings, evaluations, outputs, COMPARE_OK)
    except Exception as error:  # a compare bug must not cost the auditor the check findings
        logger.exception("compare stage failed")
        return _stand_in(frames, f"{type(error).__name__}: {error}")


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
    lines = [f"{docs.height} documents: " + ", ".join(f"{s} {status.get(s, 0)}" for s in ("ok", "narrative_only", "partial", "failed"))
             + f" ({result.cached} reused from cache, {result.extracted} extracted)"]
    for path, error in docs.filter(pl.col("status") == "failed").select("path", "error").sort("path").iter_rows():
        lines.append(f"  failed: {path}: {error}")
    counts = severity_counts(result.frames["findings"])
    judged_false = false_count(result.frames["findings"])
    lines.append("findings: " + ", ".join(f"{s} {n}" for s, n in counts.items())
                 + (f" (and {judged_false} judged false by the auditor)" if judged_false else "")
                 + ("" if result.report.compare_status == COMPARE_OK
                    else f" (compare stage: {result.report.compare_status})"))
    lines += [f"{name}: {path}" for name, path in result.paths.items()]
    lines.append("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items()))
    return lines


def run(raw: list[Path], processed: Path, reports: Path, *, use_cache: bool = True,
        progress: Callable | None = None, department_charts: bool = True,
        reviews: list[Path] | None = None, pdf: bool = False) -> RunResult:
    """Extract, check, compare and report; write parquet to ``processed``, and report.html,
    workbook.xlsx, summary.md and run.log to ``reports`` (and report.pdf with ``pdf``).
    ``reviews``: workbooks with the auditor's verdicts to carry over (report/review.py)."""
    with _run_log(reports / RUN_LOG) as log:
        log.note("run over %s → %s, %s (cache %s)", ", ".join(map(str, raw)), processed, reports,
                 "on" if use_cache else "off")
        result = _run(raw, processed, reports, log, use_cache, progress, department_charts, reviews, pdf)
        result.paths["log"] = log.path
        for line in summary_lines(result):
            log.note(line)
    return result


def _run(raw: list[Path], processed: Path, reports: Path, log: RunLog, use_cache: bool,
         progress: Callable | None, department_charts: bool, reviews: list[Path] | None = None,
         pdf: bool = False) -> RunResult:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    paths = discover(raw)
    log.note("%d files found", len(paths))
    frames, cached, extracted = extract_with_cache(paths, processed, use_cache=use_cache, progress=progress)
    timings["extract"] = time.perf_counter() - started
    for path, status, error in frames["documents"].filter(~pl.col("status").is_in(["ok", "narrative_only"])) \
            .select("path", "status", "error").iter_rows():
        log.note("%s: %s: %s", status, path, error)

    mark = time.perf_counter()
    findings, evaluations = run_checks(frames)
    timings["check"] = time.perf_counter() - mark

    mark = time.perf_counter()
    comparison = compare_stage(frames)
    findings = pl.concat([findings, comparison.findings], how="vertical_relaxed")
    evaluations = pl.concat([evaluations, comparison.evaluations], how="vertical_relaxed")
    timings["compare"] = time.perf_counter() - mark
    if comparison.status != COMPARE_OK:
        log.note("compare stage: %s", comparison.status)

    mark = time.perf_counter()
    findings = auditor_findings(findings, frames["documents"], reports, reviews)
    outputs = {**frames, "findings": findings, "evaluations": evaluations}
    write_frames(outputs, processed)
    for file_name, table in comparison.outputs.items():
        table.write_parquet(processed / file_name)
    data = ReportData(frames["documents"], frames["tables"], frames["line_items"], findings,
                      comparison.indicators, comparison.status, datetime.now().strftime("%Y-%m-%d %H:%M"),
                      [str(p) for p in raw])
    report_paths = write_reports(data, reports, department_charts=department_charts, pdf=pdf)
    timings["report"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return RunResult({**outputs, "indicators": comparison.indicators}, data,
                     {**report_paths, "processed": processed}, cached, extracted, timings)
