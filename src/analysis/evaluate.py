"""Score consistency findings against the planted anomalies of a synthetic district (issue 5).

``labels.parquet`` (from ``analysis synth``) lists every planted anomaly; a findings frame
(from the checks) lists what the rules reported. A finding **counts for** a label only when
all three hold:

1. **Same document.** The label's ``path`` is relative to the folder of the labels file; the
   finding's ``path`` is however the checks were given the file. They are the same document
   when the label path's parts are the last parts of the finding path (``text/2025/x.txt``
   matches ``/data/synth/text/2025/x.txt`` and ``synth/text/2025/x.txt``).
2. **A rule that can detect the kind.** ``metadata/anomaly_rules.toml`` maps each kind to the
   rule ids (or patterns) and rule categories allowed to detect it; e.g. ``pct_wrong_base`` is
   matched by percentage rules only.
3. **Evidence that names the planted place or value**, any of:

   - *location*: the label names a table and the finding is on the same ``table_kind``, with
     the same ``row_label`` when the label has one (spaces ignored; one may contain the
     other) and the same ``column`` when both have one;
   - *value*: ``|finding.actual − label.actual| ≤ tolerance``, or the finding gives the
     planted value as its reference (``|finding.expected − label.actual| ≤ tolerance``, as a
     cross-table rule reporting from the partner table does);
   - *delta*: on the same table (or both without one), ``|finding.difference|`` equals the
     planted error ``|label.actual − label.expected|`` within tolerance (a wrong total shows
     as that difference in every identity it breaks);
   - *sentence*: the label names a narrative sentence (its ``location`` after ``：``, up to
     ``…``) and the finding's ``excerpt`` contains it (spaces ignored);
   - *code*: the label's ``detail`` names the planted code ("科目编码 30305 配以…") and a
     finding on the same table quotes that code in its message (a code printed with another
     code's name shows the printed name, not the label's);
   - *name*: a label without a table and a finding without a table share ``row_label`` or
     ``column`` (e.g. ``personnel_share``);
   - *document*: kinds marked ``whole_document`` (a copied narrative) need no more than 1–2.

   For kinds marked ``any_table`` (a figure printed differently in two tables) *location*
   (with a row label) and *delta* accept the partner table as well.

Recall per kind is found / planted; findings that count for no label are *unmatched*,
reported overall and per rule, and separately for documents without any label (there every
finding is a false alarm, while on a labelled document it may be a knock-on of a planted
error that the evidence rules above do not recognise).
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import polars as pl

from analysis.metadata import load_toml

TOLERANCE = 0.01
"""Default tolerance for values and differences, 万元 (or percentage points)."""

_LABEL_COLUMNS = pl.Schema(
    {
        "path": pl.Utf8,
        "kind": pl.Utf8,
        "table_kind": pl.Utf8,
        "location": pl.Utf8,
        "row_label": pl.Utf8,
        "column": pl.Utf8,
        "expected": pl.Float64,
        "actual": pl.Float64,
        "detail": pl.Utf8,
    }
)
_FINDING_COLUMNS = pl.Schema(
    {
        "path": pl.Utf8,
        "rule": pl.Utf8,
        "category": pl.Utf8,
        "severity": pl.Utf8,
        "table_kind": pl.Utf8,
        "location": pl.Utf8,
        "row_label": pl.Utf8,
        "column": pl.Utf8,
        "expected": pl.Float64,
        "actual": pl.Float64,
        "difference": pl.Float64,
        "excerpt": pl.Utf8,
        "message": pl.Utf8,
    }
)


@dataclass(frozen=True, slots=True)
class KindRules:
    """Which rules may detect one anomaly kind (a row of anomaly_rules.toml)."""

    rules: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    whole_document: bool = False
    any_table: bool = False

    def allows(self, rule: str | None, category: str | None) -> bool:
        by_rule = rule is not None and any(fnmatch.fnmatchcase(rule, p) for p in self.rules)
        return by_rule or (category is not None and category in self.categories)


def kind_rules() -> dict[str, KindRules]:
    """The kind → rules mapping of ``metadata/anomaly_rules.toml``."""
    return {
        kind: KindRules(
            tuple(spec.get("rules", ())),
            tuple(spec.get("categories", ())),
            bool(spec.get("whole_document", False)),
            bool(spec.get("any_table", False)),
        )
        for kind, spec in load_toml("anomaly_rules.toml")["kinds"].items()
    }


def read_frame(path: str | Path) -> pl.DataFrame:
    """A labels or findings file: parquet, csv, json (records or columns) or ndjson/jsonl."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pl.read_parquet(path)
    if suffix == ".csv":
        return pl.read_csv(path, infer_schema_length=None)
    if suffix in {".ndjson", ".jsonl"}:
        return pl.read_ndjson(path)
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "findings" in data:
            data = data["findings"]
        return pl.from_dicts(data, infer_schema_length=None) if isinstance(data, list) else pl.DataFrame(data)
    raise ValueError(f"unsupported file type {suffix or '(none)'}: use parquet, csv, json or jsonl")


def _conform(df: pl.DataFrame, columns: pl.Schema, what: str) -> pl.DataFrame:
    """The columns matching needs, typed; optional ones missing from ``df`` become null."""
    if "path" not in df.columns:
        raise ValueError(f"{what} have no 'path' column")
    return df.select(
        [pl.col(c).cast(t, strict=False) if c in df.columns else pl.lit(None, t).alias(c) for c, t in columns.items()]
    )


def _parts(path: str | None) -> tuple[str, ...]:
    if not path:
        return ()
    return tuple(p for p in PurePosixPath(path.replace("\\", "/")).parts if p not in ("", ".", "/"))


def _squash(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(r"\s+", "")


def _sentence(location: pl.Expr) -> pl.Expr:
    """The sentence start a narrative label names: ``section：start…`` → ``start``."""
    tail = location.str.split_exact("：", 1).struct.field("field_1")
    return _squash(tail.str.replace(r"…$", ""))


def _candidates(labels: pl.DataFrame, findings: pl.DataFrame) -> pl.DataFrame:
    """Every (label, finding) pair on the same document (path-suffix join)."""
    label_parts = [_parts(p) for p in labels["path"].to_list()]
    finding_parts = [_parts(p) for p in findings["path_f"].to_list()]
    lab = labels.with_columns(
        doc=pl.Series([("/".join(p)) for p in label_parts], dtype=pl.Utf8),
        depth=pl.Series([len(p) for p in label_parts], dtype=pl.Int64),
    )
    pairs = []
    for depth in sorted(set(lab["depth"].to_list())):
        keys = ["/".join(p[-depth:]) if len(p) >= depth else None for p in finding_parts]
        fnd = findings.with_columns(doc=pl.Series(keys, dtype=pl.Utf8))
        pairs.append(lab.filter(pl.col("depth") == depth).drop("depth").join(fnd, on="doc", suffix="_f"))
    if not pairs:  # no labels: a clean district, every finding is a false alarm
        return lab.drop("depth").join(findings.with_columns(doc=pl.lit(None, pl.Utf8)), on="doc", suffix="_f")
    return pl.concat(pairs)


def _allowed(pairs: pl.DataFrame, rules: dict[str, KindRules]) -> pl.DataFrame:
    """Keep pairs whose finding's rule may detect the label's kind."""
    combos = pairs.select("kind", "rule", "category").unique()
    ok = [(k, r, c) for k, r, c in combos.iter_rows() if k in rules and rules[k].allows(r, c)]
    allowed = pl.DataFrame(ok, schema={"kind": pl.Utf8, "rule": pl.Utf8, "category": pl.Utf8}, orient="row")
    return pairs.join(allowed, on=["kind", "rule", "category"], how="semi", nulls_equal=True)


def _evidence(tolerance: float, whole_document: list[str], any_table: list[str]) -> pl.Expr:
    """Name of the first kind of evidence a (label, finding) pair shows, or null."""
    row_l, row_f = _squash(pl.col("row_label")), _squash(pl.col("row_label_f"))
    same_row = (row_l == row_f) | row_f.str.contains(row_l, literal=True) | row_l.str.contains(row_f, literal=True)
    partner = pl.col("kind").is_in(any_table) & pl.col("table_kind").is_not_null()
    same_table = (pl.col("table_kind") == pl.col("table_kind_f")) | (partner & pl.col("table_kind_f").is_not_null())
    both_untabled = pl.col("table_kind").is_null() & pl.col("table_kind_f").is_null()
    row_named = pl.col("row_label_f").is_not_null() & same_row
    location = (
        same_table
        & (row_named | (pl.col("row_label").is_null() & ~partner))
        & (pl.col("column").is_null() | pl.col("column_f").is_null() | (pl.col("column") == pl.col("column_f")))
    )
    value = ((pl.col("actual_f") - pl.col("actual")).abs() <= tolerance) | (
        (pl.col("expected_f") - pl.col("actual")).abs() <= tolerance
    )
    planted = (pl.col("actual") - pl.col("expected")).abs()
    delta = (
        (same_table | both_untabled)
        & (planted > tolerance)
        & ((pl.col("difference_f").abs() - planted).abs() <= tolerance)
    )
    sentence = _sentence(pl.col("location"))
    in_excerpt = (
        pl.col("table_kind").is_null()
        & (sentence.str.len_chars() >= 6)
        & _squash(pl.col("excerpt_f")).str.contains(sentence, literal=True)
    )
    named = both_untabled & ((row_l == row_f) | (pl.col("column") == pl.col("column_f")))
    planted_code = pl.col("detail").str.extract(r"科目编码\s*(\d{5,7})", 1)
    code = same_table & planted_code.is_not_null() & pl.col("message_f").str.contains(planted_code, literal=True)
    document = pl.col("kind").is_in(whole_document)
    checks = [
        ("location", location),
        ("value", value),
        ("delta", delta),
        ("code", code),
        ("sentence", in_excerpt),
        ("name", named),
        ("document", document),
    ]
    out = pl.lit(None, pl.Utf8)
    for name, test in reversed(checks):
        out = pl.when(test.fill_null(False)).then(pl.lit(name)).otherwise(out)
    return out


def match_findings(
    labels: pl.DataFrame,
    findings: pl.DataFrame,
    *,
    tolerance: float = TOLERANCE,
    rules: dict[str, KindRules] | None = None,
) -> pl.DataFrame:
    """One row per (label, finding) pair where the finding counts for the label.

    Columns: ``label_id`` and ``finding_id`` (row positions in the inputs), ``path`` (the
    label's), ``kind``, ``rule``, ``category`` and ``evidence`` (location, value, delta,
    sentence, name or document).
    """
    rules = kind_rules() if rules is None else rules
    lab = _conform(labels, _LABEL_COLUMNS, "labels").with_row_index("label_id")
    fnd = _conform(findings, _FINDING_COLUMNS, "findings").with_row_index("finding_id")
    fnd = fnd.rename({c: f"{c}_f" for c in _FINDING_COLUMNS if c not in ("rule", "category")})
    pairs = _allowed(_candidates(lab, fnd), rules)
    whole = [k for k, r in rules.items() if r.whole_document]
    partner = [k for k, r in rules.items() if r.any_table]
    pairs = pairs.with_columns(evidence=_evidence(tolerance, whole, partner)).filter(pl.col("evidence").is_not_null())
    return pairs.select(
        pl.col("label_id").cast(pl.Int64),
        pl.col("finding_id").cast(pl.Int64),
        "path",
        "kind",
        "rule",
        "category",
        "evidence",
    ).sort("label_id", "finding_id")


@dataclass(slots=True)
class Evaluation:
    """Recall per kind, matched and unmatched findings per rule, and the totals."""

    by_kind: pl.DataFrame
    by_rule: pl.DataFrame
    summary: dict = field(default_factory=dict)
    matches: pl.DataFrame | None = None

    def to_json(self) -> str:
        return json.dumps(
            {"summary": self.summary, "by_kind": self.by_kind.to_dicts(), "by_rule": self.by_rule.to_dicts()},
            ensure_ascii=False,
            indent=2,
        )


def _labelled_docs(labels: pl.DataFrame, findings: pl.DataFrame) -> pl.Series:
    """For each finding: is its document one that carries at least one label?"""
    label_docs = {_parts(p) for p in labels["path"].to_list()}
    depths = {len(p) for p in label_docs}
    return pl.Series(
        [any(_parts(p)[-d:] in label_docs for d in depths) if p else False for p in findings["path"].to_list()],
        dtype=pl.Boolean,
    )


def evaluate(
    labels: pl.DataFrame,
    findings: pl.DataFrame,
    *,
    tolerance: float = TOLERANCE,
    rules: dict[str, KindRules] | None = None,
) -> Evaluation:
    """Score ``findings`` against ``labels`` (see the module docstring for the rules)."""
    rules = kind_rules() if rules is None else rules
    matches = match_findings(labels, findings, tolerance=tolerance, rules=rules)
    lab = (
        _conform(labels, _LABEL_COLUMNS, "labels")
        .with_row_index("label_id")
        .with_columns(
            pl.col("label_id").cast(pl.Int64),
            found=pl.col("label_id").cast(pl.Int64).is_in(matches["label_id"].implode()),
        )
    )
    by_kind = (
        lab.group_by("kind")
        .agg(labels=pl.len(), found=pl.col("found").sum())
        .with_columns(missed=pl.col("labels") - pl.col("found"), recall=pl.col("found") / pl.col("labels"))
        .select("kind", "labels", "found", "missed", "recall")
        .sort("kind")
    )
    fnd = (
        _conform(findings, _FINDING_COLUMNS, "findings")
        .with_row_index("finding_id")
        .with_columns(pl.col("finding_id").cast(pl.Int64), labelled_doc=_labelled_docs(labels, findings))
    )
    fnd = fnd.with_columns(matched=pl.col("finding_id").is_in(matches["finding_id"].implode()))
    by_rule = (
        fnd.group_by("rule", "category")
        .agg(
            findings=pl.len(),
            matched=pl.col("matched").sum(),
            unmatched=(~pl.col("matched")).sum(),
            unmatched_unlabelled_docs=(~pl.col("matched") & ~pl.col("labelled_doc")).sum(),
        )
        .sort("unmatched", "rule", descending=[True, False], nulls_last=True)
    )
    n_found = int(lab["found"].sum())
    summary = {
        "labels": lab.height,
        "found": n_found,
        "missed": lab.height - n_found,
        "recall": n_found / lab.height if lab.height else None,
        "findings": fnd.height,
        "matched_findings": int(fnd["matched"].sum()),
        "unmatched_findings": int((~fnd["matched"]).sum()),
        "unmatched_on_unlabelled_documents": int((~fnd["matched"] & ~fnd["labelled_doc"]).sum()),
        "tolerance": tolerance,
    }
    return Evaluation(by_kind, by_rule, summary, matches)
