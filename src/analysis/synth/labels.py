"""Collect labels (planted anomalies) and truth (clean figures) into Polars frames.

``labels.parquet`` has one row per planted anomaly per rendered file; ``truth.parquet`` one
row per clean figure per rendered file: every non-zero printed table cell (``table_kind`` set)
and the document-level figures (``table_kind`` null, the figure's name in ``column``).
Figures changed by world-level anomalies (``outlier_*``, ``classification_meal_as_labour``)
appear in truth as the document prints them, since the document is consistent with them;
print-level anomalies never touch truth. ``is_printed`` is false for the cells of a table a
``missing_table`` anomaly removed.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from analysis.synth.layout import SynthDoc
from analysis.synth.outliers import PendingLabel

LABEL_SCHEMA = {
    "path": pl.Utf8,
    "doc_department": pl.Utf8,
    "fiscal_year": pl.Int64,
    "kind": pl.Utf8,
    "table_kind": pl.Utf8,
    "location": pl.Utf8,
    "row_label": pl.Utf8,
    "column": pl.Utf8,
    "expected": pl.Float64,
    "actual": pl.Float64,
    "detail": pl.Utf8,
}

TRUTH_SCHEMA = {
    "path": pl.Utf8,
    "doc_department": pl.Utf8,
    "fiscal_year": pl.Int64,
    "table_kind": pl.Utf8,
    "row_key": pl.Utf8,
    "row_label": pl.Utf8,
    "func_code": pl.Utf8,
    "econ_code": pl.Utf8,
    "project_name": pl.Utf8,
    "column": pl.Utf8,
    "amount": pl.Float64,
    "is_printed": pl.Boolean,
}

DOCUMENT_SCHEMA = {
    "doc_id": pl.Int64,
    "path": pl.Utf8,
    "format": pl.Utf8,
    "doc_department": pl.Utf8,
    "district": pl.Utf8,
    "unit_type": pl.Utf8,
    "family": pl.Utf8,
    "fiscal_year": pl.Int64,
    "n_anomalies": pl.Int64,
    "kinds": pl.Utf8,
    "doc_type": pl.Utf8,
}


class Collector:
    """Column-wise accumulators for the output frames (fast for 10 000+ documents).

    Truth rows are streamed to ``truth_path`` chunk by chunk (one Parquet row group per
    flush), since a large run has millions of them; labels and documents stay in memory.
    """

    def __init__(self, truth_path: Path) -> None:
        self._chunks: list[tuple[pl.DataFrame, pl.DataFrame]] = []
        self._truth_path = truth_path
        self._writer: pq.ParquetWriter | None = None
        self._reset()

    def _reset(self) -> None:
        self.labels: dict[str, list] = {k: [] for k in LABEL_SCHEMA}
        self.truth: dict[str, list] = {k: [] for k in TRUTH_SCHEMA}
        self.documents: dict[str, list] = {k: [] for k in DOCUMENT_SCHEMA}

    def flush(self) -> None:
        """Move the accumulated rows into frames (bounds memory on large runs)."""
        self._chunks.append(
            (pl.DataFrame(self.labels, schema=LABEL_SCHEMA), pl.DataFrame(self.documents, schema=DOCUMENT_SCHEMA))
        )
        truth = pl.DataFrame(self.truth, schema=TRUTH_SCHEMA).to_arrow()
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._truth_path, truth.schema)
        self._writer.write_table(truth)
        self._reset()

    def add(
        self, doc_id: int, doc: SynthDoc, paths: dict[str, str], labels: list[PendingLabel], doc_type: str = "budget"
    ) -> None:
        dept = doc.dept
        for fmt, path in paths.items():
            d = self.documents
            for key, value in (
                ("doc_id", doc_id),
                ("path", path),
                ("format", fmt),
                ("doc_department", dept.name),
                ("district", dept.district.name),
                ("unit_type", dept.unit_type),
                ("family", dept.spec.family),
                ("fiscal_year", doc.year),
                ("n_anomalies", len(labels)),
                ("kinds", ";".join(lab.kind for lab in labels)),
                ("doc_type", doc_type),
            ):
                d[key].append(value)
            self._labels(path, doc, labels)
            self._truth(path, doc)

    def _labels(self, path: str, doc: SynthDoc, labels: list[PendingLabel]) -> None:
        out = self.labels
        for lab in labels:
            for key, value in (
                ("path", path),
                ("doc_department", doc.dept.name),
                ("fiscal_year", doc.year),
                ("kind", lab.kind),
                ("table_kind", lab.table_kind),
                ("location", lab.location),
                ("row_label", lab.row_label),
                ("column", lab.column),
                ("expected", lab.expected),
                ("actual", lab.actual),
                ("detail", lab.detail),
            ):
                out[key].append(value)

    def _truth(self, path: str, doc: SynthDoc) -> None:
        out = self.truth
        name, year = doc.dept.name, doc.year
        rows: list[tuple[str | None, str | None, str | None, str | None, str | None, str | None, str, float, bool]]
        rows = [
            (None, None, None, None, None, None, column, float(value), True)
            for column, value in doc.doc_figures.items()
        ]
        for table in doc.tables.values():
            rows += [
                (
                    table.kind,
                    f.row_key,
                    f.row_label,
                    f.func_code,
                    f.econ_code,
                    f.project_name,
                    f.column,
                    f.units / 100,
                    table.present,
                )
                for f in table.facts
            ]
        n = len(rows)
        out["path"] += [path] * n
        out["doc_department"] += [name] * n
        out["fiscal_year"] += [year] * n
        for i, key in enumerate(
            (
                "table_kind",
                "row_key",
                "row_label",
                "func_code",
                "econ_code",
                "project_name",
                "column",
                "amount",
                "is_printed",
            )
        ):
            out[key] += [row[i] for row in rows]

    def close(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Finish the truth file; return the labels and documents frames."""
        self.flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        labels, documents = (pl.concat(parts, rechunk=True) for parts in zip(*self._chunks))
        self._chunks = []
        return labels, documents
