"""Run the registered rules over extracted frames, one document at a time."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import polars as pl

from analysis.check.context import DocContext
from analysis.check.ocr_verify import verify_ocr_findings
from analysis.check.registry import RULES
from analysis.check.tolerance import Tolerance
from analysis.departments import department_ids
from analysis.metadata import load_toml
from analysis.schema import frame
from analysis.vocab import SEVERITIES, DocumentStatus

logger = logging.getLogger(__name__)


def _by_doc(df: pl.DataFrame) -> dict[str, pl.DataFrame]:
    if df.is_empty():
        return {}
    ids = df.get_column("doc_id")
    if not ids.null_count() and (ids == ids[0]).all():  # one document's rows (the engine's unit): no split
        return {ids[0]: df}
    return {key[0]: part for key, part in df.partition_by("doc_id", as_dict=True).items()}


def previous_documents(documents: list[dict], departments: str | Path | None = None) -> dict[str, dict]:
    """``doc_id`` → the same department's document of the year before (same ``doc_type``), the
    department told by :mod:`analysis.departments` (``departments``: its overrides CSV)."""
    readable = [d for d in documents if d["status"] != DocumentStatus.FAILED]
    ids = department_ids([d["department"] for d in readable], departments)
    by_year = {(ids.get(d["department"]), d["fiscal_year"], d["doc_type"]): d for d in readable if d["department"]}
    found = {}
    for d in readable:
        if d["fiscal_year"] is not None and d["doc_id"] is not None and d["department"]:
            previous = by_year.get((ids.get(d["department"]), d["fiscal_year"] - 1, d["doc_type"]))
            if previous is not None:
                found[d["doc_id"]] = previous
    return found


@cache
def _empty(name: str) -> pl.DataFrame:
    """An empty frame of an output table, built once (frames are immutable, so it is shared)."""
    return frame(name, [])


@cache
def _difference_rules() -> frozenset[str]:
    return frozenset(load_toml("checks/printed_precision.toml")["difference_rules"])


def _at_printed_precision(found: dict, rule_id: str, severity: str, ctx: DocContext) -> dict:
    """An error is a certainty (issue 11): a difference that prints as 0.00 in the unit its table
    is printed in (万元, or 元 for a 元 table) is not one, whatever the rule computed; it stays
    as information so nothing is hidden."""
    if (
        found.get("severity", severity) != "error"
        or found.get("difference") is None
        or rule_id not in _difference_rules()
    ):
        return found
    scale = ctx.scale(found["table_kind"]) if found.get("table_kind") else 1.0
    if not ctx.tolerance.same_print(found["difference"], scale):
        return found
    return {**found, "severity": "info", "message": f"{found['message']}（差额按印刷精度为 0.00，不作为错误）"}


def _findings_frame(findings: list[dict]) -> pl.DataFrame:
    """The findings frame; a finding whose values do not fit the schema is logged and left out
    instead of costing every document its findings."""
    if not findings:
        return _empty("findings").clone()
    try:
        return frame("findings", findings)
    except Exception:  # polars raises several types for one bad value
        logger.exception("findings could not be framed together; framing each alone")
    kept = []
    for finding in findings:
        try:
            frame("findings", [finding])
            kept.append(finding)
        except Exception:
            logger.error(
                "finding of rule %s on %s left out: a value does not fit its column",
                finding.get("rule"),
                finding.get("path"),
            )
    return frame("findings", kept)


def run_checks(
    frames: dict[str, pl.DataFrame],
    *,
    rules: list[str] | None = None,
    tolerance: Tolerance | None = None,
    departments: str | Path | None = None,
    doc_ids: set[str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Findings and per-rule evaluations for every readable document in ``frames`` (or only
    those in ``doc_ids``: the others still count as previous years); ``departments`` is the
    department overrides CSV (``name,department_id``) that the compare stage honours too."""
    tolerance = tolerance or Tolerance()
    selected = [RULES[r] for r in rules] if rules else list(RULES.values())
    parts = {name: _by_doc(frames[name]) for name in ("line_items", "tables", "claims", "targets", "texts")}
    findings: list[dict] = []
    evaluations: list[dict] = []
    documents = frames["documents"].to_dicts()
    previous = previous_documents(documents, departments)
    for document in documents:
        doc_id = document["doc_id"]
        if (
            document["status"] == DocumentStatus.FAILED
            or doc_id is None
            or (doc_ids is not None and doc_id not in doc_ids)
        ):
            continue
        if document["status"] == DocumentStatus.NARRATIVE_ONLY and document.get("paired_doc_id"):
            continue  # its narrative is checked with its tables file (the partner's context)
        partner = document.get("paired_doc_id")

        def part(name: str, doc_id: str = doc_id, partner: str | None = partner) -> pl.DataFrame:
            own = parts[name].get(doc_id)
            if own is None:
                own = _empty(name)
            if partner and name in {"claims", "texts"} and partner in parts[name]:
                return pl.concat([own, parts[name][partner]])  # the narrative file's text
            return own

        try:
            items, tables, claims, targets, texts = (
                part(n) for n in ("line_items", "tables", "claims", "targets", "texts")
            )
            ctx = DocContext(document, items, tables, claims, targets, texts, tolerance, previous=previous.get(doc_id))
        except Exception:  # one document's odd rows must not cost the others their checks
            logger.exception("checks could not start on %s", document["path"])
            evaluations += [
                {"doc_id": doc_id, "rule": rule.id, "status": "not_evaluated", "n_findings": 0} for rule in selected
            ]
            continue
        _apply_rules(ctx, selected, findings, evaluations)
    return _sorted_frame(findings, frames["documents"]), frame("evaluations", evaluations)


def _apply_rules(ctx: DocContext, selected: list, findings: list[dict], evaluations: list[dict]) -> None:
    """Every selected rule on one document: its evaluations and findings appended."""
    document = ctx.document
    doc_id = document["doc_id"]
    for rule in selected:
        try:
            # a rule whose declared needs the document lacks would return None at once: not run
            found = rule.check(ctx) if not rule.needs or rule.applies(ctx) else None
        except Exception:  # a rule bug must not hide the other rules' findings
            logger.exception("rule %s crashed on %s", rule.id, document["path"])
            found = None
        status = "not_evaluated" if found is None else ("failed" if found else "passed")
        evaluations.append({"doc_id": doc_id, "rule": rule.id, "status": status, "n_findings": len(found or [])})
        for f in found or []:
            f = _at_printed_precision(f, rule.id, rule.severity, ctx)
            findings.append(
                {
                    **f,
                    "doc_id": doc_id,
                    "path": document["path"],
                    "department": document["department"],
                    "fiscal_year": document["fiscal_year"],
                    "rule": rule.id,
                    "severity": f.get("severity", rule.severity),
                    "category": rule.category,
                    "domain_ids": rule.domain_ids,
                    "location": f.get("location") or ctx.where(f, kind=f.get("table_kind")),
                }
            )


def check_document(
    document: dict,
    rows: dict[str, list[dict]],
    *,
    rules: list[str] | None = None,
    tolerance: Tolerance | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`run_checks` of one document alone, given as row dicts instead of frames: its
    documents row and ``rows`` by output table name, as the frames would hold them
    (``analysis.extract.document_rows``). The run engine's worker has these rows from
    extraction; turning them into frames only for the rules to turn them back costs more than
    most rules. Same findings and evaluations as ``run_checks`` on that document's frames."""
    tolerance = tolerance or Tolerance()
    selected = [RULES[r] for r in rules] if rules else list(RULES.values())
    findings: list[dict] = []
    evaluations: list[dict] = []
    if document["status"] != DocumentStatus.FAILED and document["doc_id"] is not None:
        # alone, a document has no previous year and no partner whose narrative it is checked with
        try:
            ctx = DocContext.from_rows(document, rows, tolerance)
        except Exception:
            logger.exception("checks could not start on %s", document["path"])
            evaluations = [
                {"doc_id": document["doc_id"], "rule": rule.id, "status": "not_evaluated", "n_findings": 0}
                for rule in selected
            ]
        else:
            _apply_rules(ctx, selected, findings, evaluations)
    ocr = None
    if document.get("ocr_cells") is not None:
        ocr = pl.DataFrame([{"doc_id": document["doc_id"], "ocr_cells": document["ocr_cells"]}])
    return _sorted_frame(findings, ocr), frame("evaluations", evaluations)


def _sorted_frame(findings: list[dict], documents: pl.DataFrame | None) -> pl.DataFrame:
    """The findings frame in :func:`sort_findings`'s order. Errors on OCR'd pages that one
    misread digit explains are extraction doubts (issue 17): where a document was read by OCR,
    the frame is verified, then sorted; otherwise the dicts are sorted before they are framed
    (a Polars gather or sort per document costs more than the sort)."""
    ocr = documents is not None and "ocr_cells" in documents.columns
    if documents is not None and ocr and documents.get_column("ocr_cells").null_count() < documents.height:
        return sort_findings(verify_ocr_findings(_findings_frame(findings), documents))
    try:
        ranked = sorted(findings, key=_sort_key)
    except (KeyError, TypeError):  # an odd value: Polars casts (or refuses) it as sort_findings does
        return sort_findings(_findings_frame(findings))
    return _findings_frame(ranked)


_RANKS = {s: i for i, s in enumerate(SEVERITIES)}


def _sort_key(finding: dict) -> tuple:
    """:func:`sort_findings`'s order on a finding's dict: severity rank, path, rule, line, page,
    ascending, nulls last."""
    severity = finding.get("severity")
    return (
        (True, 0) if severity is None else (False, _RANKS[severity]),
        *((True, 0) if (v := finding.get(c)) is None else (False, v) for c in ("path", "rule", "line", "page")),
    )


_SORT_IN_PYTHON = 2000
"""A document's few findings are ordered in Python: three Polars calls cost more than the sort."""


def _sorted_positions(result: pl.DataFrame, order: dict[str, int]) -> list[int]:
    """Row positions in the order of :func:`sort_findings`'s Polars sort: severity rank, path,
    rule, line, page, each ascending with nulls last; ties keep their order (a stable sort)."""
    severity, *columns = (result.get_column(c).to_list() for c in ("severity", "path", "rule", "line", "page"))
    ranks = [None if s is None else order[s] for s in severity]  # an unknown severity fails as replace_strict does

    def key(i: int) -> tuple:
        return tuple((True, 0) if v is None else (False, v) for v in (ranks[i], *(c[i] for c in columns)))

    return sorted(range(result.height), key=key)


def sort_findings(result: pl.DataFrame) -> pl.DataFrame:
    """Findings by severity, file, rule and position; ties keep their order (the run engine
    sorts per-document findings gathered from many workers the same way)."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    if 1 < result.height <= _SORT_IN_PYTHON:
        return result[pl.Series(_sorted_positions(result, order), dtype=pl.UInt32)]
    if result.height:
        result = (
            result.with_columns(pl.col("severity").replace_strict(order, return_dtype=pl.Int64).alias("_s"))
            .sort(["_s", "path", "rule", "line", "page"], nulls_last=True, maintain_order=True)
            .drop("_s")
        )
    return result
