"""The report's budget-versus-final section (issue 13; DOMAIN §2.6–2.7).

Per department: 一般公共预算财政拨款 年初预算 and 决算 by year in one chart (small multiples, one
panel per department, ASCII codes as in the other charts), the 执行率 of each year with its
position among the year's peers (median, robust z), and the findings that need two documents
(``execution-*`` rules). Absent when the batch has no 决算 linked to anything.
"""

from __future__ import annotations

import math

import polars as pl
from matplotlib.figure import Figure

from analysis.report import charts
from analysis.report.fragments import figure, severity_cell
from analysis.report.frames import ranked_findings
from analysis.report.markup import Safe, table, tag
from analysis.report.model import ReportData

_MAX_PANELS = 24  # one readable chart; the table below lists every department
_INDICATOR = "general"


def budget_final_chart(panel: pl.DataFrame, codes: dict[str, str]) -> Figure:
    """Budget (grey) and final (blue) bars by year, one small panel per department."""
    departments = sorted(panel["department"].unique().to_list())[:_MAX_PANELS]
    cols = min(4, len(departments))
    rows = math.ceil(len(departments) / cols)
    fig = Figure(figsize=(2.6 * cols, 1.9 * rows), layout="constrained")
    for n, name in enumerate(departments):
        ax = fig.add_subplot(rows, cols, n + 1)
        own = panel.filter(pl.col("department") == name).sort("fiscal_year")
        years = own["fiscal_year"].to_list()
        ax.bar([y - 0.2 for y in years], own["budget_value"].fill_null(0), width=0.4, color=charts.PEER, label="budget")
        ax.bar([y + 0.2 for y in years], own["final_value"].fill_null(0), width=0.4, color=charts.ACCENT, label="final")
        ax.set_title(codes.get(name, name), fontsize=8)
        ax.set_xticks(years, [str(y) for y in years], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        if n == 0:
            ax.legend(fontsize=6)
    return fig


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _rows(panel: pl.DataFrame, codes: dict[str, str]) -> list[list[object]]:
    rows = []
    for row in panel.sort("department", "fiscal_year").iter_rows(named=True):
        z = row["peer_z"]
        rows.append(
            [
                codes.get(row["department"], ""),
                row["department"],
                row["fiscal_year"],
                "—" if row["budget_value"] is None else f"{row['budget_value']:.2f}",
                "—" if row["final_value"] is None else f"{row['final_value']:.2f}",
                _rate(row["execution_rate"]),
                _rate(row["peer_median"]),
                "—" if z is None else f"{z:+.1f}",
            ]
        )
    return rows


def execution_section(data: ReportData, codes: dict[str, str], *, limit: int | None = None) -> Safe:
    """The section, or nothing when no 决算 of the batch is linked to a budget (the compare
    stage's panel; the report links nothing itself). ``limit`` caps the panel's rows (those
    furthest from their peers first) and the cross-document findings (the most severe first);
    the department pages and panel.parquet have the rest."""
    if not (data.documents["doc_type"] == "final_account").any():
        return Safe("")
    panel = data.panel.filter(pl.col("indicator") == _INDICATOR)
    if panel.is_empty() or panel["budget_value"].is_null().all():
        return Safe("")
    found = data.findings.filter(pl.col("rule").str.starts_with("execution-"))
    notes: list[Safe] = []
    if limit is not None and panel.height > limit:
        notes.append(
            tag(
                "p",
                f"此处仅列出执行率偏离同行最远的 {limit} 行（共 {panel.height} 行）；完整面板见 panel.parquet。",
                class_="note",
            )
        )
        panel = panel.sort(pl.col("peer_z").abs(), descending=True, nulls_last=True, maintain_order=True).head(limit)
    if limit is not None and found.height > limit:
        notes.append(
            tag("p", f"此处仅列出 {limit} 条跨文档问题（共 {found.height} 条）；其余见各部门页面。", class_="note")
        )
        found = ranked_findings(found).head(limit)
    parts = [
        tag("h2", "预算执行：预算与决算", id="execution"),
        tag(
            "p",
            "一般公共预算财政拨款：年初预算取自同年部门预算，决算取自部门决算；执行率 = 决算 ÷ 年初预算"
            "（DOMAIN §2.7）。同行位置为同年同级部门执行率的中位数与稳健 z 值。",
        ),
        figure(charts.to_data_uri(budget_final_chart(panel, codes)), "各部门年初预算（灰）与决算（蓝），万元"),
        *notes,
        table(["代码", "部门", "年度", "年初预算", "决算", "执行率", "同行中位数", "稳健 z"], _rows(panel, codes)),
    ]
    if found.height:
        parts += [
            tag("h3", "跨文档问题"),
            table(
                ["级别", "部门", "年度", "规则", "说明"],
                [
                    [severity_cell(r["severity"]), r["department"], r["fiscal_year"], r["rule"], r["message"]]
                    for r in found.iter_rows(named=True)
                ],
            ),
        ]
    return tag("section", *parts)
