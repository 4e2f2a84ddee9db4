"""Run the registered rules over extracted frames, one document at a time."""

from __future__ import annotations

import logging

import polars as pl

from analysis.check.context import DocContext
from analysis.check.ocr_verify import verify_ocr_findings
from analysis.check.registry import RULES, SEVERITIES
from analysis.check.tolerance import Tolerance
from analysis.normalise.pairing import department_key
from analysis.schema import frame

logger = logging.getLogger(__name__)


def _by_doc(df: pl.DataFrame) -> dict[str, pl.DataFrame]:
    if df.is_empty():
        return {}
    return {key[0]: part for key, part in df.partition_by("doc_id", as_dict=True).items()}


def _previous(by_year: dict, document: dict) -> dict | None:
    if document["fiscal_year"] is None:
        return None
    return by_year.get((department_key(document["department"]), document["fiscal_year"] - 1,
                        document["doc_type"]))


def run_checks(frames: dict[str, pl.DataFrame], *, rules: list[str] | None = None,
               tolerance: Tolerance | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Findings and per-rule evaluations for every readable document in ``frames``."""
    tolerance = tolerance or Tolerance()
    selected = [RULES[r] for r in rules] if rules else list(RULES.values())
    parts = {name: _by_doc(frames[name]) for name in ("line_items", "tables", "claims", "targets", "texts")}
    findings, evaluations = [], []
    documents = frames["documents"].to_dicts()
    by_year = {(department_key(d["department"]), d["fiscal_year"], d["doc_type"]): d
               for d in documents if d["status"] != "failed"}
    for document in documents:
        doc_id = document["doc_id"]
        if document["status"] == "failed" or doc_id is None:
            continue
        partner = document.get("paired_doc_id")

        def part(name: str) -> pl.DataFrame:
            own = parts[name].get(doc_id, frame(name, []))
            if partner and name in {"claims", "texts"} and partner in parts[name]:
                return pl.concat([own, parts[name][partner]])  # the narrative file's text
            return own

        ctx = DocContext(document, *(part(n) for n in
                                     ("line_items", "tables", "claims", "targets", "texts")), tolerance,
                         previous=_previous(by_year, document))
        for rule in selected:
            try:
                found = rule.check(ctx)
            except Exception:  # a rule bug must not hide the other rules' findings
                logger.exception("rule %s crashed on %s", rule.id, document["path"])
                found = None
            status = "not_evaluated" if found is None else ("failed" if found else "passed")
            evaluations.append({"doc_id": doc_id, "rule": rule.id, "status": status,
                                "n_findings": len(found or [])})
            for f in found or []:
                findings.append({**f, "doc_id": doc_id, "path": document["path"],
                                 "department": document["department"],
                                 "fiscal_year": document["fiscal_year"], "rule": rule.id,
                                 "severity": f.get("severity", rule.severity),
                                 "category": rule.category, "domain_ids": rule.domain_ids,
                                 "location": f.get("location") or ctx.where(f, kind=f.get("table_kind"))})
    # Errors on OCR'd pages that one misread digit explains are extraction doubts (issue 17).
    result = verify_ocr_findings(frame("findings", findings), frames["documents"])
    order = {s: i for i, s in enumerate(SEVERITIES)}
    if result.height:
        result = result.with_columns(pl.col("severity").replace_strict(order, return_dtype=pl.Int64).alias("_s")) \
            .sort(["_s", "path", "rule", "line", "page"], nulls_last=True).drop("_s")
    return result, frame("evaluations", evaluations)
