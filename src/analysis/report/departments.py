"""One report section per department: its top problems (by severity, then what is at stake), its
documents with their headline amounts year by year, where it sits among its peers on each
indicator (table and chart), and its findings."""

from __future__ import annotations

from typing import cast

import polars as pl

from analysis.report.fragments import figure, findings_table, stake_share
from analysis.report.frames import ranked_documents, ranked_findings
from analysis.report.labels import doc_kind, gov_level, text, word
from analysis.report.markup import Safe, amount, join, share, table, tag, td
from analysis.report.model import ReportData
from analysis.report.profile import ProfileRenderer

TOP_PROBLEMS = 3  # what an auditor reads before anything else about a department
HEADLINE = {
    "total_expenditure": "支出总计",
    "basic_expenditure": "基本支出",
    "project_expenditure": "项目支出",
    "personnel_expenditure": "人员经费",
    "public_expenditure": "公用经费",
    "three_public_total": "“三公”经费",
}


def _documents_table(docs: pl.DataFrame) -> Safe:
    rows = [
        [
            r["fiscal_year"],
            doc_kind(r["doc_type"], r["level"]),
            td(word("status", r["status"]), f"status-{r['status']}"),
            r["file"],
            *(td(amount(r[c]), "num") for c in HEADLINE),
            td(r["n_findings"], "num"),
        ]
        for r in docs.iter_rows(named=True)
    ]
    return table(["年度", "类型", "状态", "文件", *(f"{t}（万元）" for t in HEADLINE.values()), "问题数"], rows)


def _indicator_table(ind: pl.DataFrame) -> Safe:
    rows = []
    for r in ind.iter_rows(named=True):  # the order of the chart
        flag = td("异常", "sev sev-warning") if r["flagged"] else td("")
        position = "" if r["position"] is None else f"{r['position']:+.2f}"
        rows.append(
            [
                r["title"],
                td(share(r["value"], r["unit"]), "num"),
                td(share(r["peer_median"], r["unit"]), "num"),
                td(position, "num"),
                td(r["peer_n"], "num"),
                flag,
                r.get("reason") or "",
            ]
        )
    return table(["指标", "本部门", "同行中位数", "相对位置", "同行数", "标记", "未评估原因"], rows)


def top_problems(findings: pl.DataFrame, n: int = TOP_PROBLEMS) -> Safe:
    """The department's first ``n`` findings not judged false (``findings`` come ranked by
    severity, then amount at stake), each with what is at stake."""
    items = []
    for r in findings.filter(pl.col("review_verdict").ne("false").fill_null(True)).head(n).iter_rows(named=True):
        stake = ""
        if r["amount_at_stake"] is not None:
            stake = f"涉及 {amount(r['amount_at_stake'])} 万元" + (
                f"（占支出总计 {stake_share(r['share_of_total'])}）" if r["share_of_total"] is not None else ""
            )
        items.append(
            tag(
                "li",
                tag("span", word("severity", r["severity"]), class_=f"sev sev-{r['severity']}"),
                " ",
                f"{r['fiscal_year'] or ''} ",
                r["message"],
                " ",
                tag("span", stake, class_="stake"),
            )
        )
    if not items:
        return Safe("")
    return tag("div", tag("h4", text("top_problems")), tag("ol", *items), class_="top")


def _one(
    data: ReportData,
    name: str,
    anchor: str,
    code: str,
    docs: pl.DataFrame,
    findings: pl.DataFrame,
    renderers: dict[int, ProfileRenderer] | None,
) -> Safe:
    parts: list[object] = [
        tag("h3", name, " ", tag("span", join([gov_level(name), " ", code]), class_="code"), id=anchor),
        top_problems(findings),
        _documents_table(docs),
    ]
    own = data.indicators.filter(pl.col("department") == name)
    if own.height:
        year = int(cast(int, own["fiscal_year"].max()))
        parts += [tag("h4", f"{year}年指标与同行比较"), _indicator_table(own.filter(pl.col("fiscal_year") == year))]
        if renderers is not None:
            if year not in renderers:
                renderers[year] = ProfileRenderer(data.indicators, year)
            renderer = renderers[year]
            parts.append(figure(renderer.data_uri(name), f"{name}：各指标在同行中的位置（红点为本部门，灰点为同行）"))
    parts.append(tag("h4", f"问题（{findings.height}）"))
    parts.append(findings_table(findings, {}, with_department=False) if findings.height else tag("p", text("none")))
    return tag("section", *parts, class_="department")


def department_sections(
    data: ReportData, names: list[str], anchors: dict[str, str], codes: dict[str, str], *, charts_wanted: bool = True
) -> Safe:
    """The heading and every department's section, in name order."""
    documents = ranked_documents(data.documents, data.findings)
    findings = ranked_findings(data.findings)
    by_doc = documents.partition_by("department", as_dict=True) if documents.height else {}
    by_finding = findings.partition_by("department", as_dict=True) if findings.height else {}
    renderers: dict[int, ProfileRenderer] | None = {} if charts_wanted else None
    sections = [
        _one(
            data,
            name,
            anchors[name],
            codes[name],
            by_doc[(name,)],
            by_finding.get((name,), findings.clear()),
            renderers,
        )
        for name in names
    ]
    return tag("section", tag("h2", text("departments"), id="departments"), *sections)
