"""Extraction stage: files → documents, tables, line items, claims and targets frames.

Every file becomes a documents row, whatever happens to it: a file that cannot be read gets
``status = failed`` and the reason, and the batch goes on.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis.kinds import Kind
from analysis.metadata import table_kind_info
from analysis.model import Document, ReadError
from analysis.normalise.claims import narrative_claims
from analysis.normalise.contents import contents_columns
from analysis.normalise.docinfo import document_info, is_narrative
from analysis.normalise.form import form_items
from analysis.normalise.grid import table_items
from analysis.normalise.headline import guarded_figures
from analysis.normalise.inference import infer_function_classes
from analysis.normalise.pairing import pair_documents
from analysis.normalise.targets import department_targets, project_targets
from analysis.read import document_format, folder_problem, read_document
from analysis.read.ocr_cells import ocr_cells_json
from analysis.recognise import RecognisedTable, recognise_tables
from analysis.schema import empty, frame, schema
from analysis.sentences.split import sentences
from analysis.vocab import DocumentStatus

logger = logging.getLogger(__name__)
OUTPUT_TABLES = ("documents", "tables", "line_items", "claims", "targets", "texts")
_FORM_KINDS = {Kind.DEPARTMENT_PERFORMANCE_TARGETS}


@dataclass(slots=True)
class Extraction:
    """All rows extracted from one file."""

    document: dict
    tables: list[dict] = field(default_factory=list)
    item_rows: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    texts: list[dict] = field(default_factory=list)

    @property
    def line_items(self) -> pl.DataFrame:
        """The line items of this file as a typed frame."""
        return line_items_frame(self.item_rows, self.tables)


def content_id(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def _table_row(doc_id: str, table: RecognisedTable, summary: dict, n_items: int) -> dict:
    info = table_kind_info(table.table_kind) if table.table_kind else None
    if table.table_kind is None:
        status = "unrecognised"
    elif n_items:
        status = "filled"
    elif table.notes:
        status = "not_applicable"
    else:
        status = "blank"
    return {
        "doc_id": doc_id,
        "table_index": table.index,
        "table_kind": table.table_kind,
        "domain_id": info.domain_id if info else None,
        "title": table.title,
        "title_year": table.title_year,
        "source_unit": summary.get("unit", table.unit),
        "department_label": table.department_label,
        "status": status,
        "notes": " | ".join(n for n, _ in table.notes) or None,
        "header_rows": summary.get("header_rows"),
        "data_rows": summary.get("data_rows"),
        "pieces": table.pieces,
        "alignment": summary.get("alignment"),
        "columns": " ; ".join(summary.get("columns", [])) or None,
        "measures": ",".join(summary.get("measures", [])) or None,
        "line": table.location.line,
        "page": table.location.page,
        "sheet": table.location.sheet,
    }


def extract_document(document: Document, doc_id: str) -> Extraction:
    """Recognise and normalise one read document."""
    tables = recognise_tables(document)
    info = document_info(document, tables)
    year = info["fiscal_year"]
    table_rows, items = [], []
    targets: list[dict] = []
    for table in tables:
        if table.table_kind in _FORM_KINDS:
            found, summary = form_items(table), {"unit": table.unit or "万元", "alignment": "form"}
        elif table.table_kind:
            found, summary = table_items(table, year)
        else:
            found, summary = [], {}
        items.extend(found)
        table_rows.append(_table_row(doc_id, table, summary, len(found)))
        if table.table_kind == Kind.PROJECT_PERFORMANCE_TARGETS:
            found_targets = project_targets(table)
        elif table.table_kind == Kind.DEPARTMENT_PERFORMANCE_TARGETS:
            found_targets = department_targets(table)
        else:
            continue
        for target in found_targets:
            target["table_kind"] = table.table_kind
        targets += found_targets
    for row in items:
        row["doc_id"] = doc_id
    narrative = [(n, b) for n, b in enumerate(document.blocks) if b.kind != "table"]
    split = sentences([b for _, b in narrative])  # once: the claims and the texts rows read them
    claims = narrative_claims(document.blocks, split)
    for claim in claims:
        claim["doc_id"] = doc_id
    figures, sources, doubtful = guarded_figures(items, table_rows, claims)
    infer_function_classes(items, year)
    recognised = sum(1 for t in tables if t.table_kind)
    n_unparsed = sum(1 for i in items if i["value_status"] == "unparsed")
    problems = [f"{issue.location.describe()}: {issue.reason}" for issue in document.issues]
    if n_unparsed:
        problems.append(f"{n_unparsed} 个金额单元格无法解析为数字（见 line_items.value_status）")
    problems += doubtful
    unrecognised = len(tables) - recognised
    if unrecognised:
        problems.append(f"{unrecognised} 个表格未能识别表名")
    status = DocumentStatus.FAILED if recognised == 0 else (DocumentStatus.PARTIAL if problems else DocumentStatus.OK)
    if recognised == 0 and is_narrative(document, claims):
        status = DocumentStatus.NARRATIVE_ONLY  # a 说明 published apart from its tables: its text is checked
    elif recognised == 0:
        problems.insert(0, "未找到可识别的预决算表格 (no recognisable table)")
    document_row = {
        "doc_id": doc_id,
        "path": document.path,
        "format": document.format,
        **info,
        "status": status,
        "error": "; ".join(problems) or None,
        "n_tables": len(tables),
        "n_recognised": recognised,
        "n_line_items": len(items),
        "n_unparsed": n_unparsed,
        **figures,
        "figure_sources": json.dumps(sources, ensure_ascii=False),
        "ocr_cells": ocr_cells_json(document),
    }
    for target in targets:
        target["doc_id"] = doc_id
    read_as = contents_columns([b for _, b in narrative], split)  # sentences and 目录 entries, for the checks
    texts = [
        {
            "doc_id": doc_id,
            "block_index": n,
            "kind": b.kind,
            "level": b.level,
            "text": b.text,
            "line": b.location.line,
            "page": b.location.page,
            "sheet": b.location.sheet,
            **columns,
        }
        for (n, b), columns in zip(narrative, read_as)
    ]
    return Extraction(document_row, table_rows, items, claims, targets, texts)


def failed(path: Path, reason: str, doc_id: str | None = None) -> Extraction:
    """The documents row of a file that could not be read; never raises (the format is
    sniffed without opening errors, see ``analysis.read.document_format``)."""
    fmt = document_format(path)
    return Extraction(
        {
            "doc_id": doc_id,
            "path": str(path),
            "format": fmt,
            "status": DocumentStatus.FAILED,
            "error": reason,
            "n_tables": 0,
            "n_recognised": 0,
            "n_line_items": 0,
            "n_unparsed": 0,
        }
    )


def extract_file(path: str | Path) -> Extraction:
    """Read and extract one file; never raises for a bad file."""
    path = Path(path)
    if path.is_dir():
        return failed(path, folder_problem(path))
    try:
        doc_id = content_id(path)
    except OSError as error:
        return failed(path, f"无法读取文件: {error.strerror or error}")
    try:
        document = read_document(path)
    except ReadError as error:
        return failed(path, str(error), doc_id)
    except Exception as error:  # a reader bug must not stop the batch; say what happened
        logger.exception("reader crashed on %s", path)
        return failed(path, f"读取时出错 ({type(error).__name__}: {error})", doc_id)
    try:
        return extract_document(document, doc_id)
    except Exception as error:
        logger.exception("extraction crashed on %s", path)
        return failed(path, f"解析表格时出错 ({type(error).__name__}: {error})", doc_id)


_TABLE_FIELDS = {"title": "table_title", "source_unit": "source_unit"}
"""Line-item columns that are the same for every item of a table: taken from the tables rows
instead of being held in each item's dict (fewer values to copy and convert)."""


def line_items_frame(item_rows: list[dict], table_rows: list[dict]) -> pl.DataFrame:
    """The line items frame from item dicts, with their tables' title and source unit."""
    declared = schema("line_items")
    if not item_rows:
        return empty("line_items")
    own = pl.Schema({n: t for n, t in declared.items() if n not in _TABLE_FIELDS.values()})
    items = pl.from_dicts(item_rows, schema=own, strict=False)
    # two files with the same content share a doc_id and have the same tables: one row each
    tables = (
        frame("tables", table_rows)
        .select("doc_id", "table_index", *_TABLE_FIELDS)
        .unique(["doc_id", "table_index"], keep="first", maintain_order=True)
        .rename(_TABLE_FIELDS)
    )
    joined = items.join(tables, on=["doc_id", "table_index"], how="left", maintain_order="left")
    return joined.select(declared.names())


def _frames(extractions: list[Extraction]) -> dict[str, pl.DataFrame]:
    """The output frames of some extractions (documents not yet paired).

    A value that does not fit its column (an overflowing year, a NaN in an integer column)
    fails only its own file: the chunk is framed again file by file and that file becomes a
    failed row with the reason.
    """
    try:
        return _frames_of(extractions)
    except Exception:  # polars raises several types for one bad value
        logger.exception("a chunk of %d documents could not be framed; framing each alone", len(extractions))
    kept = []
    for extraction in extractions:
        try:
            _frames_of([extraction])
            kept.append(extraction)
        except Exception as error:
            document = extraction.document
            kept.append(
                failed(
                    Path(document["path"]),
                    f"整理输出时出错 (output rows: {type(error).__name__}: {str(error)[:200]})",
                    document.get("doc_id"),
                )
            )
    return _frames_of(kept)


def _frames_of(extractions: list[Extraction]) -> dict[str, pl.DataFrame]:
    return {
        "documents": frame("documents", [e.document for e in extractions]),
        "tables": frame("tables", [t for e in extractions for t in e.tables]),
        "line_items": line_items_frame(
            [i for e in extractions for i in e.item_rows], [t for e in extractions for t in e.tables]
        ),
        "claims": frame("claims", [c for e in extractions for c in e.claims]),
        "targets": frame("targets", [t for e in extractions for t in e.targets]),
        "texts": frame("texts", [t for e in extractions for t in e.texts]),
    }


def _concat(parts: list[dict[str, pl.DataFrame]]) -> dict[str, pl.DataFrame]:
    frames = {
        name: pl.concat([p[name] for p in parts], rechunk=True) if len(parts) > 1 else parts[0][name]
        for name in OUTPUT_TABLES
    }
    try:
        frames["documents"] = pair_documents(frames["documents"])
    except Exception:  # unpaired documents are still every document's rows
        logger.exception("pairing narrative and tables files failed; documents left unpaired")
    return frames


def combine(extractions: list[Extraction]) -> dict[str, pl.DataFrame]:
    """Concatenate per-file extractions into the output frames."""
    return _concat([_frames(extractions)])


def document_frames(extraction: Extraction, rows: dict[str, list[dict]]) -> dict[str, pl.DataFrame]:
    """One extraction's output frames, equal to ``combine([extraction])``'s, built from its rows
    as :func:`document_rows` gives them (a worker has them for the checks anyway): line items
    there already carry their table's title and source unit, so no join with the tables frame,
    and a lone document pairs with nothing, so its pair columns stay null without pairing.
    A row that does not fit its column falls back to :func:`combine` (a failed row with the reason)."""
    try:
        frames = {"documents": frame("documents", [extraction.document])}
        for name in OUTPUT_TABLES[1:]:
            frames[name] = frame(name, rows[name])
    except Exception:  # polars raises several types for one bad value
        return combine([extraction])
    return frames


_ROW_TABLES = {
    "line_items": "item_rows",
    "tables": "tables",
    "claims": "claims",
    "targets": "targets",
    "texts": "texts",
}


def document_rows(extraction: Extraction) -> dict[str, list[dict]]:
    """One extraction's rows as its frames hold them, by output table name, for the checks
    without a frame round trip (``analysis.check.runner.check_document``): every declared
    column present (null when a reader left it out), whole numbers in float columns as floats,
    and line items with their table's title and source unit (:func:`line_items_frame`). Line
    items are copies; the other rows are the extraction's own dicts where they already conform
    (shared with it: read, never change them)."""
    out = {
        name: _conformed(name, getattr(extraction, attr)) for name, attr in _ROW_TABLES.items() if name != "line_items"
    }
    tables: dict[int, dict] = {}
    for table in extraction.tables:
        tables.setdefault(table["table_index"], table)
    blank = dict.fromkeys(_TABLE_FIELDS)
    items = []
    for item in extraction.item_rows:
        table = tables.get(item["table_index"], blank)
        items.append({**item, **{column: table[field] for field, column in _TABLE_FIELDS.items()}})
    out["line_items"] = _conformed("line_items", items)
    return out


def _conformed(name: str, rows: list[dict]) -> list[dict]:
    """``rows`` as table ``name``'s frame would give them back: a row with other keys than the
    declared columns, or a whole number in a float column, is replaced by a conformed copy."""
    columns = schema(name)
    names, keys = columns.names(), set(columns.names())
    floats = [n for n, dtype in columns.items() if dtype == pl.Float64]
    out = []
    for row in rows:
        if row.keys() != keys or any(type(row[c]) is int for c in floats):
            row = {n: row.get(n) for n in names}
            for column in floats:
                if type(row[column]) is int:
                    row[column] = float(row[column])
        out.append(row)
    return out


@contextmanager
def _fewer_gc_passes():
    """Extraction makes millions of short-lived, acyclic dicts and strings; the default cyclic
    GC thresholds spend a third of the time scanning them for cycles that do not exist."""
    previous = gc.get_threshold()
    gc.set_threshold(100_000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


CHUNK_ITEMS = 20_000
"""Line items held as dicts before they are packed into frames. A batch's dicts would
otherwise all live until the end: gigabytes for thousands of documents, and a large heap slows
every allocation."""


def extract_paths(paths: list[Path], progress=None) -> dict[str, pl.DataFrame]:
    """Extract many files; ``progress`` wraps the iterable (e.g. tqdm) when given."""
    iterable = progress(paths) if progress else paths
    parts: list[dict[str, pl.DataFrame]] = []
    pending: list[Extraction] = []
    held = 0
    with _fewer_gc_passes():
        for path in iterable:
            pending.append(extract_file(path))
            held += len(pending[-1].item_rows) + 1
            if held >= CHUNK_ITEMS:
                parts.append(_frames(pending))
                pending, held = [], 0
        if pending or not parts:
            parts.append(_frames(pending))
    return _concat(parts)


def write_frames(frames: dict[str, pl.DataFrame], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in frames.items():
        target = out_dir / f"{name}.parquet"
        df.write_parquet(target)
        written.append(target)
    return written
