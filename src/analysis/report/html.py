"""The annual anomaly report: self-contained HTML files (styles inline, charts as data URIs).

The overview ``report.html``: overview (coverage, failures, table recognition), findings ranked
by severity and department with their evidence, indicators and peer comparison (distributions,
peer bars, Benford, year-over-year growth), then the departments. Every department also has a
page of its own under ``departments/``; whether the overview holds the departments' sections and
every finding, or only an index, the most material findings and capped lists, is pages.py's
rule (small batches: everything). All text that comes from documents passes through
``markup.esc`` (see markup.py).
"""

from __future__ import annotations

import polars as pl

from analysis.report import charts
from analysis.report.benford import mean_absolute_deviation, verdict
from analysis.report.departments import department_blocks, department_index, department_sections, year_cells
from analysis.report.execution import execution_section
from analysis.report.fragments import figure, findings_table, severity_cell, table_name
from analysis.report.frames import (
    departments,
    false_count,
    latest_year,
    ranked_documents,
    ranked_findings,
    severity_counts,
)
from analysis.report.labels import severity_rank, text, word
from analysis.report.markup import Safe, join, share, table, tag, td, void
from analysis.report.model import COMPARE_OK, COMPARE_UNAVAILABLE, ReportData
from analysis.report.pages import INLINE_FINDINGS, TOP_FINDINGS, TOP_ROWS, Layout, make_layout
from analysis.report.style import CSS

GROWTH_SUFFIX = "_growth"  # indicator codes of year-over-year changes (ours and the compare stage's)
MAX_FINDINGS = INLINE_FINDINGS  # the page stays usable; the workbook always has every finding
_KEY_PEER_INDICATORS = 3


def _header(data: ReportData) -> tuple[Safe, Safe]:
    """The page header with navigation, and the cards with the run's headline counts."""
    docs = data.documents
    counts = severity_counts(data.findings)
    status = dict(docs.group_by("status").len().iter_rows()) if docs.height else {}
    cards = [
        (docs.height, "文档"),
        (len(departments(docs)), "部门"),
        (status.get("failed", 0), word("status", "failed")),
        (status.get("partial", 0), word("status", "partial")),
        *((counts[s], f"{word('severity', s)}类问题") for s in counts),
    ]
    judged_false = false_count(data.findings)
    if judged_false:
        cards.append((judged_false, text("reviewed_false")))
    sources = "、".join(data.sources)
    return join(
        [
            tag("header", tag("h1", text("title")), tag("p", f"生成时间：{data.generated}　来源：{sources}")),
            tag(
                "nav",
                *(tag("a", text(key), href=f"#{key}") for key in ("overview", "findings", "comparison", "departments")),
            ),
        ]
    ), tag("div", *(tag("div", tag("b", n), tag("span", label), class_="card") for n, label in cards), class_="cards")


def _coverage(docs: pl.DataFrame, findings: pl.DataFrame, layout: Layout) -> Safe:
    """Department × year: each document's reading status and, in brackets, its findings. Beyond
    the inline scale the grid is part of the department index (four) instead."""
    if not layout.inline:
        return tag("p", text("coverage_in_index"))
    years, cells = year_cells(docs, findings)
    rows = [[td(tag("a", dept, href=layout.href(dept))), *cells(dept)] for dept in departments(docs)]
    return join([tag("p", "单元格为读取状态，括号内为该文档的问题数。"), table(["部门", *years], rows)])


def _capped_note(shown: int, total: int, where: str) -> Safe:
    if shown >= total:
        return Safe("")
    return tag("p", text("capped").format(shown=shown, total=total, where=where), class_="note")


def _failures(docs: pl.DataFrame, layout: Layout) -> Safe:
    every = ranked_documents(docs.filter(~pl.col("status").is_in(["ok", "narrative_only"])))
    if not every.height:
        return tag("p", text("none"))
    bad = every if layout.inline else every.head(TOP_ROWS)
    return join(
        [
            _capped_note(bad.height, every.height, text("where_documents")),
            table(
                ["文件", "部门", "年度", "状态", "原因"],
                [
                    [
                        r["path"],
                        r["department"],
                        r["fiscal_year"],
                        td(word("status", r["status"]), f"status-{r['status']}"),
                        r["error"],
                    ]
                    for r in bad.iter_rows(named=True)
                ],
            ),
        ]
    )


def _table_coverage(data: ReportData) -> Safe:
    readable = data.documents.filter(pl.col("status") != "failed").height
    recognised = data.tables.filter(pl.col("table_kind").is_not_null())
    if not recognised.height:
        return tag("p", text("none"))
    summary = (
        recognised.group_by("table_kind")
        .agg(
            pl.col("doc_id").n_unique().alias("docs"),
            *(
                pl.col("doc_id").filter(pl.col("status") == s).n_unique().alias(s)
                for s in ("filled", "not_applicable", "blank")
            ),
        )
        .sort("table_kind")
    )
    rows = [
        [
            table_name(r["table_kind"]),
            td(r["docs"], "num"),
            td(f"{r['docs'] / max(readable, 1):.0%}", "num"),
            td(r["filled"], "num"),
            td(r["not_applicable"], "num"),
            td(r["blank"], "num"),
        ]
        for r in summary.iter_rows(named=True)
    ]
    return table(["表格", "文档数", "占可读文档", "有数据", "注明不适用", "空表"], rows)


def _overview(data: ReportData, layout: Layout) -> Safe:
    docs = data.documents
    by_year = docs.group_by("fiscal_year", "status").len().sort("fiscal_year", "status", nulls_last=True)
    year_rows = [
        [r["fiscal_year"] if r["fiscal_year"] is not None else "未知", word("status", r["status"]), td(r["len"], "num")]
        for r in by_year.iter_rows(named=True)
    ]
    return tag(
        "section",
        tag("h2", text("overview"), id="overview"),
        table(["年度", "读取状态", "文档数"], year_rows),
        tag("h3", text("coverage")),
        _coverage(docs, data.findings, layout),
        tag("h3", text("failures")),
        _failures(docs, layout),
        tag("h3", text("table_coverage")),
        _table_coverage(data),
    )


def _rule_counts(findings: pl.DataFrame) -> Safe:
    """Findings per rule and severity (those judged false left out), most frequent first."""
    counted = findings.filter(pl.col("review_verdict").ne("false").fill_null(True)).group_by("rule", "severity").len()
    rows = [
        [tag("span", r, class_="code"), severity_cell(s), td(n, "num")]
        for r, s, n in sorted(counted.iter_rows(), key=lambda r: (severity_rank(r[1]), -r[2], r[0] or ""))
    ]
    return join([tag("h3", text("by_rule")), table(["规则", "严重程度", "问题数"], rows)])


def _findings_section(data: ReportData, layout: Layout) -> Safe:
    findings = ranked_findings(data.findings)
    if findings.height:
        pivot = (
            findings.filter(pl.col("review_verdict").ne("false").fill_null(True)).group_by("category", "severity").len()
        )
        rows = [
            [word("category", c), severity_cell(s), td(n, "num")]
            for c, s, n in sorted(pivot.iter_rows(), key=lambda r: (severity_rank(r[1]), -r[2], r[0] or ""))
        ]
        summary = table(["类别", "严重程度", "问题数"], rows)
    else:
        summary = tag("p", text("none"))
    shown = findings.head(MAX_FINDINGS if layout.inline else TOP_FINDINGS)
    note = (
        tag("p", text("truncated").format(shown=shown.height, total=findings.height), class_="note")
        if shown.height < findings.height
        else Safe("")
    )
    if not layout.inline and findings.height:
        summary = join([summary, _rule_counts(findings)])
    if false_count(findings):
        note = join([note, tag("p", text("reviewed_false_note"), class_="note")])
    if data.orphaned_reviews:
        note = join([note, tag("p", text("reviews_orphaned").format(n=data.orphaned_reviews), class_="note")])
    return tag(
        "section",
        tag("h2", text("findings"), id="findings"),
        summary,
        note,
        findings_table(shown, layout) if shown.height else Safe(""),
    )


def _comparison(data: ReportData, codes: dict[str, str]) -> Safe:
    """Indicators and peers; with more departments than a bar chart can name, the most extreme
    flagged values are listed by name instead (the department pages have every value)."""
    parts: list[object] = [tag("h2", text("comparison"), id="comparison")]
    if data.compare_status == COMPARE_UNAVAILABLE:
        parts.append(tag("p", text("compare_unavailable"), class_="note"))
    elif data.compare_status != COMPARE_OK:
        parts.append(tag("p", text("compare_failed") + data.compare_status, class_="note"))
    ind = data.indicators
    year = latest_year(ind)
    if year is not None:
        parts += [
            tag("h3", f"{text('distributions')}（{year}年）"),
            figure(charts.distributions(ind, year), "各指标在部门间的分布"),
            _indicator_legend(ind),
        ]
        parts.append(tag("h3", f"{text('peers')}（{year}年）"))
        axis = charts.axis_names(list(codes))
        for code in _key_indicators(ind, year):
            parts.append(
                figure(
                    charts.peer_bars(ind, code, year, axis),
                    f"{ind.filter(pl.col('indicator') == code)['title'][0]}：各部门（红色为被标记为异常者）",
                )
            )
        if len(codes) > charts.MAX_LABELLED_BARS:
            parts.append(_flagged_values(ind, year))
        elif axis == codes:  # no CJK font: the charts name departments by code
            parts.append(tag("p", text("chart_codes")))
            parts.append(table(["代号", "部门"], [[c, d] for d, c in codes.items()]))
        else:
            parts.append(tag("p", text("chart_names")))
    growth = [c for c in ind["indicator"].unique(maintain_order=True).to_list() if c.endswith(GROWTH_SUFFIX)]
    if growth:
        parts += [tag("h3", text("yoy")), figure(charts.growth_by_year(ind, growth), "各部门比上年增长率（按年度）")]
    parts.append(tag("h3", text("benford")))
    mad = mean_absolute_deviation(data.benford)
    parts.append(figure(charts.benford(data.benford), "金额首位数字：观察值与 Benford 期望值"))
    parts.append(
        tag("p", f"平均绝对偏差 MAD = {mad:.4f}：{verdict(data.benford)}" if mad is not None else text("none"))
    )
    return tag("section", *parts)


def _flagged_values(ind: pl.DataFrame, year: int) -> Safe:
    """The year's flagged indicator values furthest from their peers (capped)."""
    flagged = ind.filter((pl.col("fiscal_year") == year) & pl.col("flagged").fill_null(False))
    top = flagged.sort(pl.col("position").abs(), descending=True, nulls_last=True, maintain_order=True).head(TOP_ROWS)
    rows = [
        [
            r["department"],
            r["title"],
            td(share(r["value"], r["unit"]), "num"),
            td(share(r["peer_median"], r["unit"]), "num"),
            td("" if r["position"] is None else f"{r['position']:+.2f}", "num"),
        ]
        for r in top.iter_rows(named=True)
    ]
    return join(
        [
            tag("h3", f"{text('flagged_values')}（{year}年）"),
            _capped_note(top.height, flagged.height, text("where_indicators")),
            table(["部门", "指标", "本部门", "同行中位数", "相对位置"], rows) if rows else tag("p", text("none")),
        ]
    )


def _indicator_legend(ind: pl.DataFrame) -> Safe:
    titles = ind.select("indicator", "title", "unit").unique("indicator", maintain_order=True)
    return table(["指标代码", "图中标注", "指标"], [[c, charts.chart_label(c, t), t] for c, t, _ in titles.iter_rows()])


def _key_indicators(ind: pl.DataFrame, year: int) -> list[str]:
    """The indicators with the most departments beyond the fences this year (ties by code)."""
    flagged = (
        ind.filter(pl.col("fiscal_year") == year)
        .group_by("indicator")
        .agg(pl.col("flagged").sum().alias("n"))
        .sort(["n", "indicator"], descending=[True, False])
    )
    return flagged["indicator"].head(_KEY_PEER_INDICATORS).to_list()


def _page(body: Safe, extra_css: str = "") -> str:
    head = join(
        [
            void("meta", charset="utf-8"),
            void("meta", name="viewport", content="width=device-width, initial-scale=1"),
            tag("title", text("title")),
            tag("style", Safe(CSS + extra_css)),
        ]
    )
    return "<!DOCTYPE html>\n" + tag("html", tag("head", head), tag("body", body), lang="zh-CN") + "\n"


def layout(data: ReportData) -> Layout:
    """Departments, their anchors, chart codes and pages (the same in every page of a run)."""
    return make_layout(departments(data.documents), data.findings["department"].to_list(), data.findings.height)


def render_html(
    data: ReportData,
    *,
    department_charts: bool = True,
    front: Safe | None = None,
    extra_css: str = "",
    plan: Layout | None = None,
    blocks: list[Safe] | None = None,
) -> str:
    """The overview page as a string; ``front`` goes before everything in the main part (the
    printed report's table of contents), ``extra_css`` after the stylesheet. ``blocks`` are the
    departments' sections when the caller has rendered them already (inline layouts only)."""
    plan = plan or layout(data)
    header, cards = _header(data)
    if plan.inline:
        if blocks is None:
            blocks = [block for _, block in department_blocks(data, plan, charts_wanted=department_charts)]
        tail = department_sections(blocks)
    else:
        tail = department_index(data, plan)
    return _page(
        join(
            [
                header,
                tag(
                    "main",
                    front or Safe(""),
                    cards,
                    _overview(data, plan),
                    _findings_section(data, plan),
                    _comparison(data, plan.codes),
                    execution_section(data, plan.codes, limit=None if plan.inline else TOP_ROWS),
                    tail,
                ),
            ]
        ),
        extra_css,
    )


def sections(data: ReportData) -> list[tuple[str, str, int]]:
    """The overview's sections in page order as (anchor, title, depth): the four parts, then,
    when the departments' sections are inline, every department under the fourth."""
    plan = layout(data)
    parts = [(key, text(key), 1) for key in ("overview", "findings", "comparison", "departments")]
    return parts + ([(plan.anchors[name], name, 2) for name in plan.names] if plan.inline else [])


def department_page(data: ReportData, name: str, block: Safe, *, overview: str = "../report.html") -> str:
    """A department's own page: its section, with a link back to the overview."""
    header = tag(
        "header",
        tag("h1", text("title")),
        tag("p", f"{name}　生成时间：{data.generated}"),
    )
    nav = tag("nav", tag("a", text("back_to_overview"), href=overview))
    return _page(join([header, nav, tag("main", block)]))


def render_department_html(data: ReportData, department: str) -> str:
    """A page with one department's section only (to send to that department, or to show)."""
    plan = layout(data)
    if department not in plan.anchors:
        raise ValueError(f"no document of department {department!r}")
    [(_, block)] = list(department_blocks(data, plan, [department]))
    return department_page(data, department, block)


def render_comparison_html(data: ReportData) -> str:
    """A page with the indicators and peer comparison only (its charts, for the README)."""
    plan = layout(data)
    header = tag("header", tag("h1", text("title")), tag("p", f"生成时间：{data.generated}"))
    return _page(join([header, tag("main", _comparison(data, plan.codes))]))
