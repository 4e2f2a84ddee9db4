"""Template residue and form (DOMAIN.md §4 E): unfilled alternatives, placeholders, wrong years."""

from __future__ import annotations

import re

from analysis.check.context import DocContext, finding
from analysis.check.prefilter import joined, rows_with
from analysis.check.registry import rule

_PLACEHOLDERS = re.compile(
    r"增加\s*/\s*减少|增长\s*/\s*下降|上升\s*/\s*下降|增\s*/\s*减|[XＸ×]{2,}|(?<![A-Za-z])XX(?![A-Za-z])|\*{3,}"
    r"|(增加|增长|上升|上涨|减少|下降|降低)\s*[（(]\s*(增加|增长|上升|上涨|减少|下降|降低)\s*[)）]|(?<=[出入算为计排])\s*万元"
    r"|（单位名称）|\(单位名称\)|主要原因[是为]?[:：]?\s*[。；]|主要用于[:：]?\s*[。；]"
)

_PLACEHOLDER_GATE = re.compile(
    r"[/XＸ×]|\*\*\*|单位名称|主要原因[是为]?[:：]?[^\S\n]*[。；]|主要用于[:：]?[^\S\n]*[。；]"
    r"|[出入算为计排][^\S\n]*万元|(?:增加|增长|上升|上涨|减少|下降|降低)[^\S\n]*[（(]"
)
"""What every match of ``_PLACEHOLDERS`` holds (a slash, an X, ***, 单位名称, an empty reason, a
blank before 万元, a word before a bracket): rows without it are not searched (issue 14)."""


@rule(
    "template-placeholder",
    severity="error",
    category="template",
    title="模板占位符未填写（如“增加/减少”、“XX”、空白原因）",
    domain_ids="E1 P3",
    needs=("texts",),
)
def template_placeholder(ctx: DocContext) -> list[dict] | None:
    """No narrative text keeps a template alternative ("增加/减少", "增加（减少）"), a placeholder
    (XX, ××, ***, （单位名称）), an amount left blank ("预算支出万元") or an empty reason
    ("主要原因是。").

    Certain because: the page prints the placeholder itself (XX, 增加（减少）, a blank where a number
    belongs). Depends on: nothing else."""
    if not ctx.text_rows:
        return None
    out: list[dict] = []
    texts = ctx.clean_texts
    for i in rows_with(_PLACEHOLDER_GATE, texts, joined(ctx, "clean_texts", texts)):
        row, text = ctx.text_rows[i], texts[i]
        for m in _PLACEHOLDERS.finditer(text):
            start = max(0, m.start() - 30)
            out.append(
                finding(
                    f"第{row['line'] or row['page']}{'行' if row['line'] else '页'}：模板内容未填写“{m.group(0)}”："
                    f"…{text[start : m.end() + 20]}…",
                    excerpt=text,
                    line=row["line"],
                    page=row["page"],
                    location=f"“{text[start : m.end() + 10]}”",
                )
            )
    return out


@rule("table-title-year", severity="error", category="template", title="表名中的年份与文件年度不一致", domain_ids="E2")
def table_title_year(ctx: DocContext) -> list[dict] | None:
    """Every table title that prints a year prints the document's own year N.

    Certain because: the title prints a year other than the document's own. Depends on: the
    fiscal year read from the cover or title."""
    year = ctx.document["fiscal_year"]
    titled = [t for t in ctx.table_rows if t["title_year"] is not None]
    if year is None or not titled:
        return None
    out = []
    for row in (t for t in titled if t["title_year"] != year):
        out.append(
            finding(
                f"{'第' + str(row['line']) + '行' if row['line'] else '第' + str(row['page']) + '页'}："
                f"表名《{row['title']}》的年份为 {row['title_year']}，而本文件是 {year} 年度",
                table_kind=row["table_kind"],
                expected=float(year),
                actual=float(row["title_year"]),
                excerpt=row["title"],
                line=row["line"],
                page=row["page"],
                location=f"《{row['title']}》",
            )
        )
    return out
