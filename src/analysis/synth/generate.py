"""Generate a synthetic district of budget disclosures with labelled anomalies (issue 5).

Steps: build the departments and simulate each one's budgets (one year before the first
requested year, so narratives have a previous year to compare with); choose which documents
carry anomalies and which kinds; plant the world-level kinds; then build, damage, render and
record each document. All randomness flows from ``seed`` through named streams, so the same
arguments give byte-identical text output.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import polars as pl

from analysis.synth.amounts import DeptYear, simulate
from analysis.synth.anomalies import PRINT_PLANTERS, Touched
from analysis.synth.document import build_document, narrative_span
from analysis.synth.figures import Figures, compute_figures
from analysis.synth.final_synth import FinalWriter
from analysis.synth.labels import Collector
from analysis.synth.layout import SynthDoc
from analysis.synth.outliers import WORLD_PLANTERS, PendingLabel, applicable
from analysis.synth.params import anomaly_params
from analysis.synth.world import Department, build_departments

FORMATS = ("text", "pdf", "xlsx")
DOC_TYPES = ("budget", "final")
_EXTENSIONS = {"text": "txt", "pdf": "pdf", "xlsx": "xlsx"}
COPIED = "outlier_copied_narrative"


def _renderer(fmt: str):
    if fmt == "text":
        from analysis.synth.render_text import render_text

        return lambda doc, path: path.write_text(render_text(doc), encoding="utf-8")
    if fmt == "pdf":
        from analysis.synth.render_pdf import write_pdf

        return write_pdf
    from analysis.synth.render_xlsx import write_xlsx

    return write_xlsx


def _validate(departments: int, years: Sequence[int], formats: Iterable[str], rate: float) -> None:
    if departments < 1:
        raise ValueError("departments must be at least 1")
    if not years:
        raise ValueError("years must not be empty")
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats {sorted(unknown)}; choose from {FORMATS}")
    if not 0 <= rate <= 1:
        raise ValueError("anomaly_rate must be between 0 and 1")


def _draw_kinds(rng: random.Random, count: int, allowed: Callable[[str], bool]) -> list[str]:
    """``count`` distinct applicable kinds, drawn by weight without replacement."""
    kinds = anomaly_params()["kinds"]
    pool = {k: v["weight"] for k, v in kinds.items() if allowed(k)}
    chosen = []
    for _ in range(min(count, len(pool))):
        kind = rng.choices(list(pool), weights=list(pool.values()))[0]
        chosen.append(kind)
        del pool[kind]
    return chosen


def plan_anomalies(
    n_docs: int, rate: float, rng: random.Random, applicable: Callable[[int, str], bool] | None = None
) -> dict[int, list[str]]:
    """Which documents carry anomalies (exactly round(rate × n) of them) and which kinds."""
    weights = anomaly_params()["count_weights"]
    chosen = sorted(rng.sample(range(n_docs), round(rate * n_docs)))

    def allowed_in(i: int) -> Callable[[str], bool]:
        return lambda k: applicable is None or applicable(i, k)

    return {i: _draw_kinds(rng, rng.choices((1, 2, 3), weights=weights)[0], allowed_in(i)) for i in chosen}


def _plant_world(
    worlds: dict[int, dict[int, DeptYear]], docs: list[tuple[Department, int]], plan: dict[int, list[str]], seed: int
) -> dict[int, list[PendingLabel]]:
    planted: dict[int, list[PendingLabel]] = {}
    for doc_id, kinds in plan.items():
        dept, year = docs[doc_id]
        rng = random.Random(f"{seed}:world-anomaly:{doc_id}")
        for kind in WORLD_PLANTERS:
            if kind in kinds:
                label = WORLD_PLANTERS[kind](worlds[dept.index], year, rng)
                if label is not None:
                    planted.setdefault(doc_id, []).append(label)
    return planted


def _copy_narrative(doc: SynthDoc, donor: SynthDoc) -> PendingLabel:
    start, end = narrative_span(doc)
    d_start, d_end = narrative_span(donor)
    doc.blocks[start:end] = donor.blocks[d_start:d_end]
    return PendingLabel(
        COPIED, None, None, None, None, None, None, f"情况说明照搬自“{donor.dept.name}”", "第二部分 情况说明"
    )


def _plant_print(
    doc: SynthDoc, kinds: list[str], wanted: int, rng: random.Random, donor: SynthDoc | None, reserved: set[str]
) -> list[PendingLabel]:
    """Apply print-level kinds; when one finds no place, try others until ``wanted`` exist.

    ``reserved`` names tables that world-level labels point at; they are left untouched so
    those labels stay true of the printed document.
    """
    touched = Touched(tables=set(reserved))
    labels = []
    if COPIED in kinds and donor is not None:
        labels.append(_copy_narrative(doc, donor))
        touched.narrative_replaced = True
    fallback = [k for k in PRINT_PLANTERS if k not in kinds]
    rng.shuffle(fallback)
    queue = [k for k in PRINT_PLANTERS if k in kinds]
    while len(labels) < wanted and (queue or fallback):
        kind = queue.pop(0) if queue else fallback.pop()
        if touched.narrative_replaced and kind in _NARRATIVE_KINDS:
            continue
        label = PRINT_PLANTERS[kind](doc, rng, touched)
        if label is not None:
            labels.append(label)
    return labels


def _donor(
    doc: SynthDoc, worlds: dict[int, dict[int, DeptYear]], indices: list[int], rng: random.Random
) -> SynthDoc | None:
    """Another department's clean document of the same year, to copy a narrative from."""
    others = [i for i in indices if i != doc.dept.index]
    if not others:
        return None
    world = worlds[rng.choice(others)]
    return build_document(compute_figures(world[doc.year]), compute_figures(world[doc.year - 1]))


def _locate(doc: SynthDoc, labels: list[PendingLabel]) -> None:
    """Fill in the printed location (table title：row label) of world-level labels."""
    for label in labels:
        if label.location is None and label.table_kind in doc.tables:
            table = doc.tables[label.table_kind]
            label.location = (
                f"{table.printed_title()}：{table.labels.get(label.row_key, '') if label.row_key is not None else ''}"
            )


_NARRATIVE_KINDS = {
    "narrative_amount",
    "pct_wrong_base",
    "direction_word",
    "template_residue_alternative",
    "template_residue_placeholder",
}


def generate(
    out_dir: str | Path,
    *,
    departments: int = 40,
    years: Sequence[int] = (2023, 2024, 2025),
    formats: Sequence[str] = ("text",),
    anomaly_rate: float = 0.3,
    seed: int = 0,
    doc_types: Sequence[str] = ("budget",),
) -> pl.DataFrame:
    """Write a synthetic district's budget disclosures and return the labels frame.

    Args:
        out_dir: Output folder; documents go to ``{format}/{year}/…``, and
            ``labels.parquet``, ``truth.parquet`` and ``documents.parquet`` to the folder itself.
        departments: Number of departments (more than one district holds opens new districts).
        years: Budget years to publish; each department publishes one document per year.
        formats: Any of ``text``, ``pdf``, ``xlsx``.
        anomaly_rate: Share of documents that carry at least one planted anomaly.
        seed: Seed of every random choice; the same arguments give identical text files.
        doc_types: ``budget`` (部门预算) and/or ``final`` (部门决算: beside each budget, its
            execution, see :mod:`analysis.synth.final_synth`).

    Returns:
        The labels (one row per planted anomaly per rendered file).
    """
    years = sorted(set(years))
    formats = list(dict.fromkeys(formats))
    _validate(departments, years, formats, anomaly_rate)
    doc_types = list(dict.fromkeys(doc_types))
    if unknown := set(doc_types) - set(DOC_TYPES):
        raise ValueError(f"unknown doc types {sorted(unknown)}; choose from {DOC_TYPES}")
    out = Path(out_dir)
    depts = build_departments(departments, seed)
    worlds = {d.index: simulate(d, years[0] - 1, years[-1]) for d in depts}
    docs = [(d, y) for d in depts for y in years]
    plan = plan_anomalies(
        len(docs),
        anomaly_rate,
        random.Random(f"{seed}:plan"),
        lambda i, kind: applicable(kind, worlds[docs[i][0].index], docs[i][1]),
    )
    world_labels = _plant_world(worlds, docs, plan, seed)
    writers = {fmt: _renderer(fmt) for fmt in formats}
    out.mkdir(parents=True, exist_ok=True)
    collector = Collector(out / "truth.parquet")
    figures: dict[int, Figures] = {}
    finals = (
        FinalWriter(out, writers, collector, docs, worlds, years, anomaly_rate, seed) if "final" in doc_types else None
    )
    for doc_id, (dept, year) in enumerate(docs):
        if year == years[0]:  # a new department: its figures replace the previous one's
            figures = {y: compute_figures(dy) for y, dy in worlds[dept.index].items()}
        doc = build_document(figures[year], figures[year - 1])
        labels = list(world_labels.get(doc_id, []))
        kinds = plan.get(doc_id, [])
        if kinds:
            rng = random.Random(f"{seed}:print-anomaly:{doc_id}")
            donor = _donor(doc, worlds, [d.index for d in depts], rng) if COPIED in kinds else None
            wanted = max(len(kinds) - len(labels), 0 if labels else 1)
            reserved = {lab.table_kind for lab in labels if lab.table_kind}
            labels += _plant_print(doc, [k for k in kinds if k not in WORLD_PLANTERS], wanted, rng, donor, reserved)
        if finals is not None:
            finals.write(doc_id, figures[year])
        if "budget" not in doc_types:
            continue
        _locate(doc, labels)
        paths = {}
        for fmt, write in writers.items():
            rel = f"{fmt}/{year}/{dept.name}{year}年度部门预算.{_EXTENSIONS[fmt]}"
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            write(doc, target)
            paths[fmt] = rel
        collector.add(doc_id, doc, paths, labels)
        if doc_id % 500 == 499:
            collector.flush()
    labels_df, documents_df = collector.close()
    labels_df.write_parquet(out / "labels.parquet")
    documents_df.write_parquet(out / "documents.parquet")
    return labels_df
