"""Pieces of the report page used by more than one section: charts, severity cells and the
findings table with its evidence."""

from __future__ import annotations

import polars as pl

from analysis.metadata import table_kind_info
from analysis.report import charts
from analysis.report.labels import word
from analysis.report.markup import Safe, amount, esc, join, share, table, tag, td, void
from analysis.report.pages import UNKNOWN, Layout


def figure(fig, caption: str) -> Safe:
    """An embedded chart with a caption; ``fig`` is a Figure or a ready PNG data URI."""
    uri = fig if isinstance(fig, str) else charts.to_data_uri(fig)
    return tag("figure", void("img", src=uri, alt=caption), tag("figcaption", caption), class_="figure")


def severity_cell(severity: str | None, cell_id: str | None = None) -> Safe:
    return tag("td", word("severity", severity), class_=f"sev sev-{severity}", id=cell_id)


def evidence_where(row: dict) -> str:
    """File plus line or page, the first thing an auditor needs to open the document."""
    spot = f"第{row['line']}行" if row.get("line") else (f"第{row['page']}页" if row.get("page") else "")
    return f"{row['file']} {spot}".strip()


def _evidence_cell(row: dict) -> Safe:
    """File name, then the check's own location words (which already give the line or page);
    the bare line or page only when the check gave no location."""
    if row["location"]:
        return td(join([row["file"], Safe("<br>"), row["location"]]), "where")
    return td(evidence_where(row), "where")


def _table_cell(row: dict) -> Safe:
    """Table (DOMAIN id, full kind on hover), then row and column."""
    info = table_kind_info(row["table_kind"]) if row["table_kind"] else None
    table_part = tag("span", info.domain_id, title=row["table_kind"]) if info else esc(row["table_kind"] or "")
    cell = " / ".join(x for x in (row["row_label"], row["column"]) if x)
    return td(join([table_part, Safe("<br>") if cell and (info or row["table_kind"]) else "", cell]), "cell")


def table_name(kind: str | None) -> str:
    info = table_kind_info(kind) if kind else None
    return f"{info.domain_id} {kind}" if info else (kind or "")


def stake_cells(row: dict) -> list[Safe]:
    """Amount at stake (万元) and its share of the department's total expenditure."""
    return [td(amount(row.get("amount_at_stake")), "num"), td(stake_share(row.get("share_of_total")), "num")]


def stake_share(value: float | None) -> str:
    """A share of total expenditure; tiny ones say so rather than print 0.00%."""
    if value is not None and 0 < value < 0.0001:
        return "<0.01%"
    return share(value)


def review_cell(row: dict) -> Safe:
    """The auditor's verdict and note from earlier reviews (empty when not reviewed)."""
    verdict, note = row.get("review_verdict"), row.get("review_note")
    if verdict is None and note is None:
        return td("")
    return td(
        join(
            [
                tag("b", word("verdict", verdict)) if verdict else "",
                Safe("<br>") if verdict and note else "",
                note or "",
            ]
        ),
        "review",
    )


def _department_link(layout: Layout | None, row: dict) -> Safe:
    """The department of a finding, linked to its section (small batches) or to the finding's
    row in the department's page."""
    dept = row["department"]
    if layout is None:
        return esc(dept)
    href = layout.href(dept) if layout.inline else layout.page_href(dept, row.get("finding_id"))
    return tag("a", dept if dept is not None else UNKNOWN, href=href) if href else esc(dept)


def findings_table(
    findings: pl.DataFrame, layout: Layout | None, *, with_department: bool = True, row_ids: bool = False
) -> Safe:
    """Findings with their evidence: where, table, row/column, expected vs actual, what is at
    stake, message, excerpt and the auditor's review; rows judged false are grey. ``row_ids``
    gives each row's first cell the id ``f-<finding_id>`` (a department's page, which the overview links to)."""
    headers = [
        "严重程度",
        *(["部门", "年度"] if with_department else ["年度"]),
        "规则",
        "文件与位置",
        "表格 / 行 / 列",
        "应为",
        "实际",
        "差额",
        "涉及金额（万元）",
        "占支出总计",
        "说明",
        "原文",
        "复核",
    ]
    rows, classes = [], []
    for r in findings.iter_rows(named=True):
        rows.append(
            [
                severity_cell(r["severity"], f"f-{r['finding_id']}" if row_ids and r.get("finding_id") else None),
                *([td(_department_link(layout, r), "dept")] if with_department else []),
                r["fiscal_year"],
                td(join([tag("span", r["rule"], class_="code"), Safe("<br>"), word("category", r["category"])])),
                _evidence_cell(r),
                _table_cell(r),
                td(amount(r["expected"]), "num"),
                td(amount(r["actual"]), "num"),
                td(amount(r["difference"]), "num"),
                *stake_cells(r),
                td(r["message"], "msg"),
                td(tag("div", r["excerpt"], class_="clip"), "excerpt"),
                review_cell(r),
            ]
        )
        classes.append("reviewed-false" if r.get("review_verdict") == "false" else None)
    return tag("div", table(headers, rows, class_="findings", row_classes=classes), class_="wide")
