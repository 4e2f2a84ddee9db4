"""Outlier results as findings (the check stage's ``findings`` table; rules ``outlier-*``).

Every finding says, in Chinese, the document's value, the peer group it was compared with (by
name), the peer median, the group size and the score, and carries value and median in
``actual`` / ``expected``, and points at the printed figure concerned (``cell`` in
``metadata/compare/indicators.toml``). Rule ids, with the synthetic anomaly kind each answers:
``outlier-per-capita`` (outlier_per_capita), ``outlier-three-public-growth``
(outlier_three_public_spike), ``outlier-structure-ratio`` (outlier_personnel_share),
``outlier-copied-narrative`` (outlier_copied_narrative); ``outlier-growth``,
``outlier-multivariate``, ``outlier-repeated-amount`` and ``outlier-benford`` have no planted
counterpart.
"""

from __future__ import annotations

import json
import re
from typing import cast

import polars as pl

from analysis.compare.headcount import where_text
from analysis.compare.indicators import input_labels, spec
from analysis.compare.peers import lattice, settings
from analysis.schema import frame

_LINE = re.compile(r"第(\d+)行")
_PAGE = re.compile(r"第(\d+)页")
_QUOTED = re.compile(r"项目支出表“([^”]+)”")
_SIDE_WORD = {True: "高于", False: "低于"}
RULE_DOMAIN_IDS = {
    "outlier-multivariate": "§6.5",
    "outlier-copied-narrative": "§6.5 E",
    "outlier-repeated-amount": "E",
    "outlier-benford": "§6.5",
}


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.2f}%"
    if unit == "元/人":
        return f"{value:,.0f} 元/人"
    return f"{value:,.4g}"


def _inputs_text(source: str | None) -> tuple[str, int | None, int | None]:
    """Readable inputs with their sources, and the line/page of the first input."""
    if not source:
        return "", None, None
    parts, line, page = [], None, None
    for name, given in json.loads(source).items():
        value, where = given["value"], given["source"]
        unit = "人" if name == "headcount" else "万元"
        shown = "—" if value is None else (f"{value:,.0f} {unit}" if unit == "人" else f"{value:,.2f} {unit}")
        parts.append(f"{input_labels().get(name, name)} {shown}（{where or '来源不明'}）")
        if where and line is None and page is None:
            line = int(m.group(1)) if (m := _LINE.search(where)) else None
            page = int(m.group(1)) if (m := _PAGE.search(where)) else None
    return "；".join(parts), line, page


def _base(doc: dict, rule: str, severity: str, domain_ids: str) -> dict:
    return {
        "doc_id": doc["doc_id"],
        "path": doc["path"],
        "department": doc["department"],
        "fiscal_year": doc["fiscal_year"],
        "rule": rule,
        "severity": severity,
        "category": "outlier",
        "domain_ids": domain_ids,
    }


def indicator_findings(scores: pl.DataFrame, docs: dict[str, dict]) -> list[dict]:
    out = []
    for row in scores.filter(pl.col("flagged")).iter_rows(named=True):
        s = spec(row["indicator"])
        excerpt, line, page = _inputs_text(row["source"])
        value, median = row["value"], row["peer_median"]
        above = row["robust_z"] > 0
        widened = {lv["name"]: lv["label"] for lv in lattice()}.get(row["peer_level"], "")
        message = (
            f"{s['title_zh']} {fmt_value(value, s['unit'])}，{_SIDE_WORD[above]}同组中位数 "
            f"{fmt_value(median, s['unit'])}；同组：{row['peer_group']}（{widened}，{row['peer_size']} 个可比文档）；"
            f"稳健 z = {row['robust_z']:.1f}（阈值 {s['threshold']}）。输入：{excerpt}"
        )
        cell = s.get("cell", {})
        row_label = cell.get("row_label") or s["title_zh"]
        if row_label == "project":
            row_label = "、".join(_QUOTED.findall(excerpt)) or s["title_zh"]
        out.append(
            {
                **_base(docs[row["doc_id"]], s["rule"], s["severity"], s["domain_ids"]),
                "table_kind": cell.get("table_kind"),
                "location": f"{s['title_zh']}（{excerpt.split('；')[0]}）",
                "row_label": row_label,
                "column": cell.get("column", s["name"]),
                "expected": median,
                "actual": value,
                "difference": value - median if median is not None else None,
                "message": message,
                "excerpt": excerpt,
                "line": line,
                "page": page,
            }
        )
    return out


def multivariate_findings(mv: pl.DataFrame, scores: pl.DataFrame, docs: dict[str, dict]) -> list[dict]:
    out = []
    severity = settings()["multivariate"]["severity"]
    flagged = mv.filter(pl.col("flagged"))
    lookup = {
        (r["doc_id"], r["indicator"]): r
        for r in scores.filter(pl.col("doc_id").is_in(flagged["doc_id"].implode())).iter_rows(named=True)
    }
    for row in flagged.iter_rows(named=True):
        drivers = []
        for name in row["drivers"]:
            r, s = lookup[(row["doc_id"], name)], spec(name)
            drivers.append(
                f"{s['title_zh']} {fmt_value(r['value'], s['unit'])}（同组 {r['peer_group']} "
                f"中位数 {fmt_value(r['peer_median'], s['unit'])}，z = {r['robust_z']:.1f}）"
            )
        message = (
            f"指标组合异常：孤立森林得分 {row['score']:.3f}，低于全部 {row['n_fitted']} 个文档的"
            f"中位数 {row['median_score']:.3f}（判定线 {row['offset']:.3f}）；同组：全部可比文档"
            f"（各指标按本部门同组标准化）。主要驱动：{'；'.join(drivers) or '无'}"
        )
        out.append(
            {
                **_base(docs[row["doc_id"]], "outlier-multivariate", severity, RULE_DOMAIN_IDS["outlier-multivariate"]),
                "location": "文档整体：各项比较指标",
                "row_label": "指标组合",
                "column": ",".join(row["drivers"]),
                "expected": row["median_score"],
                "actual": row["score"],
                "difference": row["score"] - row["median_score"],
                "message": message,
                "excerpt": "；".join(drivers),
            }
        )
    return out


def reuse_findings(reuse: pl.DataFrame, docs: dict[str, dict]) -> list[dict]:
    params = settings()["text_reuse"]
    out = []
    for row in reuse.iter_rows(named=True):
        other = docs.get(row["other_doc_id"], {})
        directed = row["copier"] == "copier"
        why = f"且相同句子中写的是“{row['other_department']}”的名称" if directed else "无法判断谁照搬谁"
        message = (
            f"情况说明 {row['n_sentences']} 句（模板套话除外）中有 {row['n_shared']} 句"
            f"（{row['share'] * 100:.0f}%）与“{row['other_department']}”{other.get('fiscal_year', '')}年文档"
            f"几乎相同（字符 n-gram 余弦 ≥ {params['similarity']}），{why}；同组：同年度同类型全部 "
            f"{row['block_documents']} 个文档，相同句子占比中位数 {row['block_median_share'] * 100:.0f}%。"
        )
        severity = params["severity"] if directed else params["severity_undirected"]
        where = where_text(row["line"], row["page"])
        out.append(
            {
                **_base(
                    docs[row["doc_id"]],
                    "outlier-copied-narrative",
                    severity,
                    RULE_DOMAIN_IDS["outlier-copied-narrative"],
                ),
                "location": f"情况说明 {where}".strip(),
                "row_label": "情况说明",
                "column": "narrative",
                "expected": row["block_median_share"],
                "actual": row["share"],
                "difference": row["share"] - row["block_median_share"],
                "message": message,
                "excerpt": row["excerpt"],
                "line": row["line"],
                "page": row["page"],
            }
        )
    return out


def foreign_findings(foreign: pl.DataFrame, reuse: pl.DataFrame, docs: dict[str, dict]) -> list[dict]:
    """Narratives written in another department's name, unless already paired with an original."""
    severity = settings()["text_reuse"]["severity"]
    paired = set(reuse["doc_id"].to_list())
    out = []
    for row in foreign.filter(~pl.col("doc_id").is_in(list(paired))).iter_rows(named=True):
        message = (
            f"情况说明有 {row['n_other']} 句以“{row['other_department']}”的名义陈述，本部门名称仅出现 "
            f"{row['n_own']} 句，疑似照搬其他部门的情况说明（批次中未找到几乎相同的原文）；同组：同年度同类型 "
            f"{row['block_documents']} 个文档，提及其他部门名称的句数中位数 {row['block_median']:.0f}。"
        )
        where = where_text(row["line"], row["page"])
        out.append(
            {
                **_base(
                    docs[row["doc_id"]],
                    "outlier-copied-narrative",
                    severity,
                    RULE_DOMAIN_IDS["outlier-copied-narrative"],
                ),
                "location": f"情况说明 {where}".strip(),
                "row_label": "情况说明",
                "column": "narrative_names",
                "expected": row["block_median"],
                "actual": float(row["n_other"]),
                "difference": row["n_other"] - row["block_median"],
                "message": message,
                "excerpt": row["excerpt"],
                "line": row["line"],
                "page": row["page"],
            }
        )
    return out


def repeated_findings(repeats: pl.DataFrame, docs: dict[str, dict]) -> list[dict]:
    severity = settings()["repeated_amounts"]["severity"]
    out = []
    for row in repeats.iter_rows(named=True):
        shown = "、".join(f"{a:.2f}" for a in row["amounts"][:6]) + ("…" if len(row["amounts"]) > 6 else "")
        message = (
            f"与“{row['other_department']}”同年度文档有 {row['n_shared']} 个相同的非整数金额"
            f"（占本文档 {row['n_distinctive']} 个有效金额的 {row['share'] * 100:.0f}%）：{shown} 万元；"
            f"同组：同年度同类型 {row['block_documents']} 个文档，与其他部门相同金额数的中位数 "
            f"{row['block_median_shared']:.0f} 个。疑似表格数据照搬。"
        )
        out.append(
            {
                **_base(
                    docs[row["doc_id"]], "outlier-repeated-amount", severity, RULE_DOMAIN_IDS["outlier-repeated-amount"]
                ),
                "location": "各表金额",
                "row_label": "相同金额",
                "column": "amount",
                "expected": row["block_median_shared"],
                "actual": float(row["n_shared"]),
                "difference": row["n_shared"] - row["block_median_shared"],
                "message": message,
                "excerpt": shown,
            }
        )
    return out


def benford_findings(benford: pl.DataFrame, indicators: pl.DataFrame, docs: dict[str, dict]) -> list[dict]:
    """Department pools with a nonconformity verdict, reported on the department's latest document."""
    severity = settings()["benford"]["severity"]
    latest = (
        indicators.filter(pl.col("is_reference"))
        .sort("fiscal_year")
        .group_by("department_id")
        .agg(pl.col("doc_id").last())
    )
    latest_doc = dict(latest.iter_rows())
    labels = {"first_digit": "首位数字", "first_two": "前两位数字"}
    out = []
    for test, part in (
        benford.filter(~pl.col("pool").str.starts_with("地区:") & (pl.col("pool") != "全部"))
        .partition_by("test", as_dict=True)
        .items()
    ):
        evaluated = part.filter(pl.col("verdict") != "not_evaluated")
        median = cast(float | None, evaluated["mad"].median()) if evaluated.height else None
        for row in evaluated.filter(pl.col("verdict") == "nonconformity").iter_rows(named=True):
            doc_id = latest_doc.get(row["pool"])
            if doc_id is None:
                continue
            message = (
                f"{labels[test[0]]}分布不符合本福特定律：{row['n']} 个金额（{row['n_documents']} 个文档合并）"
                f"MAD = {row['mad']:.4f}，超过 Nigrini 不符合线；同组：达到样本量要求的 {evaluated.height} 个部门，"
                f"MAD 中位数 {median:.4f}。偏多的数字：{row['excess_digits']}"
            )
            out.append(
                {
                    **_base(docs[doc_id], "outlier-benford", severity, RULE_DOMAIN_IDS["outlier-benford"]),
                    "location": "全部表格金额（部门各年度合并）",
                    "row_label": labels[test[0]],
                    "column": test[0],
                    "expected": median,
                    "actual": row["mad"],
                    "difference": row["mad"] - median,
                    "message": message,
                    "excerpt": row["excess_digits"],
                }
            )
    return out


def outlier_findings(indicators, scores, mv, reuse, foreign, repeats, benford) -> pl.DataFrame:
    """All outlier findings, sorted like the check stage's (severity, path, rule)."""
    docs = {
        r["doc_id"]: r for r in indicators.select("doc_id", "path", "department", "fiscal_year").iter_rows(named=True)
    }
    rows = (
        indicator_findings(scores, docs)
        + multivariate_findings(mv, scores, docs)
        + reuse_findings(reuse, docs)
        + foreign_findings(foreign, reuse, docs)
        + repeated_findings(repeats, docs)
        + benford_findings(benford, indicators, docs)
    )
    result = frame("findings", rows)
    if result.height:
        order = {"error": 0, "warning": 1, "info": 2}
        result = (
            result.with_columns(pl.col("severity").replace_strict(order, return_dtype=pl.Int64).alias("_s"))
            .sort(["_s", "path", "rule", "column"], nulls_last=True)
            .drop("_s")
        )
    return result
