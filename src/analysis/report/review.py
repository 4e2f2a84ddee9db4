"""The auditor's review round trip: stable finding ids, verdicts and notes read back from a
workbook, carried into the next run, and a history of every change.

A finding's id hashes what identifies it on the document it is in: rule, ``doc_id`` (the
content hash of the file), location, row label and column; never the message, the expected
value or anything drawn from other documents (an outlier's peer median moves when a peer is
edited, its id does not). The same document content gives the same ids in every run, and editing
or adding another document leaves them alone. An edited document is new content: its findings get
new ids, and the verdicts given on the old version stay in the store, counted as orphaned.

Where verdicts come from, later sources winning (a blank cell never erases a verdict; to reopen a
finding write 待核实):

1. ``reviews.csv`` in the reports folder: the current verdict and note per finding id, kept
   across runs whether or not the finding is still there;
2. the previous run's ``workbook.xlsx`` in the reports folder, which the auditor may have filled
   in place (read before the run overwrites it; skipped while it is byte for byte the workbook
   that run wrote, whose hash it left in ``.workbook-written.sha256``: such a workbook holds
   no verdict the store lacks, and reading 10,000 documents' findings back costs seconds);
3. workbooks named with ``analysis run --review FILE``.

Every new or changed verdict or note is appended to ``review_history.csv`` with the time and the
source it came from.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime
from pathlib import Path

import polars as pl

from analysis.atomic_files import write_bytes
from analysis.report.labels import sheet_columns, verdict_code

logger = logging.getLogger(__name__)

REVIEWS_FILE = "reviews.csv"
HISTORY_FILE = "review_history.csv"
WORKBOOK_FILE = "workbook.xlsx"
WRITTEN_FILE = ".workbook-written.sha256"
REMARKS = "审计人员备注"
ID_PARTS = ("rule", "doc_id", "location", "row_label", "column")
_CONTEXT = ("rule", "file", "location", "message")
STORE_COLUMNS = {
    "finding_id": pl.String,
    "verdict": pl.String,
    "note": pl.String,
    "reviewed_at": pl.String,
    "source": pl.String,
    **{c: pl.String for c in _CONTEXT},
}
HISTORY_COLUMNS = {"recorded_at": pl.String, **{c: t for c, t in STORE_COLUMNS.items() if c != "reviewed_at"}}


def _digest(parts: tuple) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def finding_ids(findings: pl.DataFrame) -> pl.Series:
    """Stable ids of the findings, in their row order.

    Findings that share all of rule, doc_id, location, row label and column are told apart by a
    suffix (-2, -3 …) in the order of their message and excerpt, which come from the document
    itself and so are as stable as the document.
    """
    rows = findings.select(*ID_PARTS, "message", "excerpt").rows()
    bases = [_digest(r[: len(ID_PARTS)]) for r in rows]
    order = sorted(range(len(rows)), key=lambda i: (bases[i], rows[i][-2] or "", rows[i][-1] or "", i))
    ids = [""] * len(rows)
    previous, count = None, 0
    for i in order:
        count = count + 1 if bases[i] == previous else 1
        previous = bases[i]
        ids[i] = bases[i] if count == 1 else f"{bases[i]}-{count}"
    return pl.Series("finding_id", ids, dtype=pl.String)


def with_finding_ids(findings: pl.DataFrame) -> pl.DataFrame:
    return findings.with_columns(finding_ids(findings))


# --- reading verdicts ------------------------------------------------------------------------------


def _empty_store() -> pl.DataFrame:
    return pl.DataFrame(schema=STORE_COLUMNS)


def read_store(reports_dir: Path) -> pl.DataFrame:
    """The current verdicts (reviews.csv), empty when there is none yet."""
    path = reports_dir / REVIEWS_FILE
    if not path.is_file():
        return _empty_store()
    store = pl.read_csv(path, schema_overrides=STORE_COLUMNS, infer_schema=False)
    return store.select(
        *(pl.col(c) if c in store.columns else pl.lit(None, dtype=pl.String).alias(c) for c in STORE_COLUMNS)
    )


def _titles() -> dict[str, str]:
    """Workbook column title → column name, for the findings sheet."""
    return {c.title: c.name for c in sheet_columns("findings")} | {REMARKS: "note"}


def read_workbook(path: Path) -> pl.DataFrame:
    """The verdicts and notes an auditor wrote in a workbook's findings sheet (rows with neither
    are left out). A verdict word the vocabulary does not know is reported and left out; the
    note of that row is kept."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError) as error:
        raise ValueError(f"{path}: not an Excel workbook ({type(error).__name__}: {error})") from error
    try:
        if "findings" not in book.sheetnames:
            raise ValueError(f"{path}: no findings sheet (is it a workbook written by analysis run?)")
        out = []
        for sheet in _findings_sheets(book.sheetnames):  # a large batch's findings fill several sheets
            out += _read_sheet(path, sheet, book[sheet].iter_rows(values_only=True))
    finally:
        book.close()
    return pl.DataFrame(out, schema={c: pl.String for c in ("finding_id", "verdict", "note", *_CONTEXT)})


def _findings_sheets(names: list[str]) -> list[str]:
    """findings, then findings_2, findings_3 … in number order (workbook.sheet_names)."""
    numbered = sorted((int(n.rsplit("_", 1)[1]), n) for n in names if re.fullmatch(r"findings_\d+", n))
    return ["findings", *(n for _, n in numbered)]


def _read_sheet(path: Path, sheet: str, rows) -> list[dict]:
    header = [_titles().get(str(h).strip()) if h is not None else None for h in next(rows, ())]
    if "finding_id" not in header:
        raise ValueError(f"{path}: the {sheet} sheet has no 问题编号 column (written before reviews existed?)")
    out = []
    for n, row in enumerate(rows, start=2):
        cells = {name: row[i] for i, name in enumerate(header) if name and i < len(row)}
        verdict_cell, note = cells.get("review_verdict"), _text(cells.get("note"))
        verdict = verdict_code(verdict_cell)
        if verdict_cell not in (None, "") and verdict is None:
            logger.warning(
                "%s %s row %d: verdict %r not understood (use 属实, 误报 or 待核实)", path, sheet, n, verdict_cell
            )
        if not cells.get("finding_id") or (verdict is None and note is None):
            continue
        out.append(
            {
                "finding_id": str(cells["finding_id"]).strip(),
                "verdict": verdict,
                "note": note,
                **{c: _text(cells.get(c)) for c in _CONTEXT},
            }
        )
    return out


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# --- merging and carrying over ---------------------------------------------------------------------


def merge(store: pl.DataFrame, entries: pl.DataFrame, source: str, now: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Apply one source's entries to the store: (new store, history rows of what changed).

    An entry's blank verdict or note keeps the stored one; an entry equal to the store is no change.
    """
    current = {r["finding_id"]: r for r in store.iter_rows(named=True)}
    changed = []
    for entry in entries.iter_rows(named=True):
        old = current.get(entry["finding_id"])
        verdict = entry["verdict"] or (old["verdict"] if old else None)
        note = entry["note"] or (old["note"] if old else None)
        if old and (verdict, note) == (old["verdict"], old["note"]):
            continue
        context = {c: entry.get(c) or (old[c] if old else None) for c in _CONTEXT}
        row = {
            "finding_id": entry["finding_id"],
            "verdict": verdict,
            "note": note,
            "reviewed_at": now,
            "source": source,
            **context,
        }
        current[entry["finding_id"]] = row
        changed.append({"recorded_at": now, **{c: row[c] for c in HISTORY_COLUMNS if c != "recorded_at"}})
    new_store = pl.DataFrame(list(current.values()), schema=STORE_COLUMNS).sort("finding_id")
    return new_store, pl.DataFrame(changed, schema=HISTORY_COLUMNS)


def collect(reports_dir: Path, workbooks: list[Path], now: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The store after reading every source (see the module docstring), and the history rows."""
    store = read_store(reports_dir)
    previous = reports_dir / WORKBOOK_FILE
    sources = [previous] if previous.is_file() and not _as_written(reports_dir) else []
    sources += [Path(p) for p in workbooks]
    history = [pl.DataFrame(schema=HISTORY_COLUMNS)]
    for path in sources:
        try:
            entries = read_workbook(path)
        except Exception as error:  # an unreadable workbook must not cost the run (or the other verdicts)
            if path in workbooks:
                raise
            logger.warning("previous workbook %s not read for reviews: %s", path, error)
            continue
        store, changed = merge(store, entries, str(path), now)
        history.append(changed)
    return store, pl.concat(history)


def _file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def remember_workbook(reports_dir: Path) -> None:
    """Record the hash of the workbook a run has just published in ``reports_dir``. Were the
    record lost or stale, the next run would read the workbook: never a verdict missed."""
    workbook = Path(reports_dir) / WORKBOOK_FILE
    try:
        if workbook.is_file():
            write_bytes(f"{_file_digest(workbook)}\n".encode(), Path(reports_dir) / WRITTEN_FILE)
    except OSError as error:  # the outputs are published: a missing record costs only a read
        logger.warning("the workbook's hash was not recorded (%s): the next run reads the workbook", error)


def _as_written(reports_dir: Path) -> bool:
    """Is the reports folder's workbook the one the last run wrote (nobody has saved it since)?"""
    try:
        recorded = (reports_dir / WRITTEN_FILE).read_text(encoding="ascii").strip()
        same = recorded == _file_digest(reports_dir / WORKBOOK_FILE)
    except (OSError, UnicodeDecodeError):
        return False
    if same:
        logger.info("%s is as the last run wrote it: no verdicts to read from it", reports_dir / WORKBOOK_FILE)
    return same


def carry(findings: pl.DataFrame, store: pl.DataFrame) -> pl.DataFrame:
    """``findings`` (with finding_id) with review_verdict and review_note from the store."""
    verdicts = store.select(
        "finding_id", pl.col("verdict").alias("review_verdict"), pl.col("note").alias("review_note")
    )
    return findings.drop("review_verdict", "review_note", strict=False).join(
        verdicts, on="finding_id", how="left", maintain_order="left"
    )


def save(reports_dir: Path, store: pl.DataFrame, history: pl.DataFrame, findings: pl.DataFrame) -> None:
    """Write reviews.csv (context refreshed from this run's findings) and append the history."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    if store.height or (reports_dir / REVIEWS_FILE).is_file():
        context = findings.select("finding_id", *(pl.col(c).alias(f"_{c}") for c in _CONTEXT)).unique(
            "finding_id", keep="first"
        )
        refreshed = (
            store.join(context, on="finding_id", how="left")
            .with_columns(*(pl.coalesce(f"_{c}", c).alias(c) for c in _CONTEXT))
            .select(list(STORE_COLUMNS))
        )
        refreshed.sort("finding_id").write_csv(reports_dir / REVIEWS_FILE)
    if history.height:
        path = reports_dir / HISTORY_FILE
        old = (
            pl.read_csv(path, schema_overrides=HISTORY_COLUMNS, infer_schema=False)
            if path.is_file()
            else pl.DataFrame(schema=HISTORY_COLUMNS)
        )
        pl.concat([old.select(list(HISTORY_COLUMNS)), history]).write_csv(path)


def orphaned(store: pl.DataFrame, findings: pl.DataFrame) -> int:
    """Stored reviews whose finding is not in this run (its document changed or the problem went)."""
    return store.filter(~pl.col("finding_id").is_in(findings["finding_id"].to_list())).height


def apply_reviews(
    findings: pl.DataFrame, reports_dir: Path, workbooks: list[Path] | None = None, now: str | None = None
) -> pl.DataFrame:
    """Give ``findings`` their ids and the auditor's verdicts and notes, and record the reviews.

    Reads the sources of the module docstring before the run's reports overwrite the workbook;
    writes reviews.csv and appends review_history.csv in ``reports_dir``.
    """
    now = now or datetime.now().isoformat(timespec="seconds")
    findings = with_finding_ids(findings)
    store, history = collect(Path(reports_dir), list(workbooks or []), now)
    with_file = findings.with_columns(pl.col("path").str.replace(r"^.*[/\\]", "").alias("file"))
    save(Path(reports_dir), store, history, with_file)
    n = orphaned(store, findings)
    if n:
        logger.info("%d stored reviews refer to findings not in this run", n)
    return carry(findings, store)
