"""One report section per department: its top problems (by severity, then what is at stake), its
documents with their headline amounts year by year, where it sits among its peers on each
indicator (table and chart), and its findings.

``department_blocks`` yields the sections one at a time (the frames are split by department once,
never filtered per department), so the report can write thousands of department pages with flat
memory; ``department_index`` is the overview's table of departments when their sections are not
inline (see pages.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import cast

import polars as pl

from analysis.report.fragments import findings_table, stake_share
from analysis.report.frames import ranked_documents, ranked_findings, reviewed_false
from analysis.report.labels import doc_kind, gov_level, text, word
from analysis.report.markup import Safe, amount, join, share, table, tag, td
from analysis.report.model import ReportData
from analysis.report.pages import UNKNOWN, Layout
from analysis.report.profile import ProfileRenderer
from analysis.vocab import SEVERITIES

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
    items: list[Safe] = []
    for r in findings.iter_rows(named=True):  # a few rows of one department: no frame filter needed
        if len(items) == n:
            break
        if r["review_verdict"] == "false":
            continue
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
    name: str,
    layout: Layout,
    docs: pl.DataFrame,
    findings: pl.DataFrame,
    latest: tuple[int, pl.DataFrame] | None,
    renderers: dict[int, ProfileRenderer] | None,
    indicators: pl.DataFrame,
) -> Safe:
    code = layout.codes.get(name, "")
    parts: list[object] = [
        tag("h3", name, " ", tag("span", join([gov_level(name), " ", code]), class_="code"), id=layout.anchors[name]),
        top_problems(findings),
        _documents_table(docs),
    ]
    if latest is not None:
        year, own = latest
        parts += [tag("h4", f"{year}年指标与同行比较"), _indicator_table(own)]
        if renderers is not None:
            if year not in renderers:
                renderers[year] = ProfileRenderer(indicators, year)
            caption = f"{name}：各指标在同行中的位置（红点为本部门，灰点为同行）"
            parts.append(renderers[year].figure(name, caption))
    parts.append(tag("h4", f"问题（{findings.height}）"))
    parts.append(
        findings_table(findings, layout, with_department=False, row_ids=True)
        if findings.height
        else tag("p", text("none"))
    )
    return tag("section", *parts, class_="department")


def _by_department(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    if not frame.height:
        return {}
    named = frame.with_columns(pl.col("department").fill_null(UNKNOWN))
    return {key[0]: part for key, part in named.partition_by("department", as_dict=True, maintain_order=True).items()}


def _latest_year(indicators: pl.DataFrame) -> dict[str, tuple[int, pl.DataFrame]]:
    """department → (its latest year, its indicator rows of that year), in one pass over the
    frame (a filter per department costs a Polars query per page)."""
    named = indicators.with_columns(pl.col("department").fill_null(UNKNOWN))
    latest = named.filter(pl.col("fiscal_year") == pl.col("fiscal_year").max().over("department"))
    return {name: (int(cast(int, part["fiscal_year"][0])), part) for name, part in _by_department(latest).items()}


class DepartmentBlocks:
    """Departments' sections, any of them in any order: the frames are ranked and split by
    department once, here (several processes may each render a share of the pages)."""

    def __init__(self, data: ReportData, layout: Layout, *, charts_wanted: bool = True) -> None:
        self._data, self._layout = data, layout
        documents = ranked_documents(data.documents, data.findings)
        findings = ranked_findings(data.findings)
        self._by_doc = _by_department(documents)
        self._by_finding = _by_department(findings)
        self._latest = _latest_year(data.indicators)
        self._no_documents, self._no_findings = documents.clear(), findings.clear()
        self._renderers: dict[int, ProfileRenderer] | None = {} if charts_wanted else None

    def block(self, name: str) -> Safe:
        return _one(
            name,
            self._layout,
            self._by_doc.get(name, self._no_documents),
            self._by_finding.get(name, self._no_findings),
            self._latest.get(name),
            self._renderers,
            self._data.indicators,
        )


def department_blocks(
    data: ReportData, layout: Layout, names: list[str] | None = None, *, charts_wanted: bool = True
) -> Iterator[tuple[str, Safe]]:
    """(name, section) of every department of ``names`` (default: all of the layout), in order."""
    blocks = DepartmentBlocks(data, layout, charts_wanted=charts_wanted)
    for name in layout.names if names is None else names:
        yield name, blocks.block(name)


def department_sections(blocks: list[Safe]) -> Safe:
    """The heading and every department's section (the overview of a small batch)."""
    return tag("section", tag("h2", text("departments"), id="departments"), *blocks)


def year_cells(docs: pl.DataFrame, findings: pl.DataFrame) -> tuple[list[int], Callable[[str], list[Safe]]]:
    """The years of the batch, and for a department one cell per year: each document's reading
    status and, in brackets, its findings (the coverage grid's cells)."""
    years = sorted(docs["fiscal_year"].drop_nulls().unique().to_list())
    counts = dict(findings.group_by("doc_id").len().iter_rows()) if findings.height else {}
    cells: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for dept, year, doc_id, status in docs.select("department", "fiscal_year", "doc_id", "status").rows():
        cells.setdefault((UNKNOWN if dept is None else dept, year), []).append((doc_id, status))

    def row(dept: str) -> list[Safe]:
        out = []
        for year in years:
            found = cells.get((dept, year))
            label = " ".join(word("status", s) + (f"（{counts[d]}）" if counts.get(d) else "") for d, s in found or [])
            out.append(td(label, f"status-{found[0][1]}") if found else td("—", "missing"))
        return out

    return years, row


def department_index(data: ReportData, layout: Layout) -> Safe:
    """The heading and one row per department: its documents year by year (status and findings,
    as the coverage grid), its findings by severity (those judged false left out) and a link to
    its page, where all of them are."""
    findings = data.findings.filter(~reviewed_false(data.findings)).with_columns(
        pl.col("department").fill_null(UNKNOWN)
    )
    counts = {
        row[0]: row[1:]
        for row in findings.group_by("department")
        .agg(*(pl.col("severity").eq(s).sum().alias(s) for s in SEVERITIES), pl.len().alias("n"))
        .rows()
    }
    years, cells = year_cells(data.documents, data.findings)
    rows = []
    for name in layout.names:
        numbers = counts.get(name, (0,) * (len(SEVERITIES) + 1))
        rows.append(
            [
                td(tag("a", name, href=layout.href(name)), "dept"),
                gov_level(name) if name != UNKNOWN else "",
                *cells(name),
                *(td(n, "num") for n in numbers),
            ]
        )
    headers = ["部门", "级次", *years, *(f"{word('severity', s)}类问题" for s in SEVERITIES), "问题合计"]
    return tag(
        "section",
        tag("h2", text("departments"), id="departments"),
        tag("p", text("department_pages").format(n=len(layout.names)), class_="note"),
        tag("p", "年度列为各文档的读取状态，括号内为该文档的问题数。"),
        table(headers, rows),
    )
