"""Markdown summary of a run, made to be diffed against last year's.

Bounded like the overview page (pages.py): every finding while there are at most
``INLINE_FINDINGS``, beyond that the ``TOP_FINDINGS`` most material; lists of departments, failed
files and flagged indicator values beyond ``TOP_ROWS`` entries are cut to that. The file says
when it cut something and where the whole list is (the findings parquet, the workbook).

Only the first line carries a timestamp. Everything below is sorted by stable keys (file
names rather than full paths, so moving the raw folder changes nothing), numbers have fixed
decimals, and each finding is one line, so a diff shows exactly what appeared or went away.

Everything taken from a document (department names, file names, messages, reasons) goes
through :func:`md_text` or :func:`md_code`: a name holding ``<script>`` or ``<img onerror=…>``
shows as text in any Markdown viewer, and a newline, pipe or backtick in it cannot break the
one-finding-per-line layout or a table row.
"""

from __future__ import annotations

import re

import polars as pl

from analysis.report.benford import mean_absolute_deviation
from analysis.report.frames import departments, ranked_documents, ranked_findings, severity_counts
from analysis.report.labels import severity_rank, text, word
from analysis.report.model import COMPARE_OK, COMPARE_UNAVAILABLE, ReportData
from analysis.report.pages import INLINE_DEPARTMENTS, INLINE_FINDINGS, TOP_FINDINGS, TOP_ROWS

_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]{}()#+!|~<>])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def _one_line(value: object) -> str:
    text = _LINE_BREAKS.sub(" ", str(value))
    return _CONTROLS.sub("", text).strip()


def md_text(value: object) -> str:
    """Document text as inline Markdown that renders as exactly that text, on one line.

    HTML's own characters become entities (a viewer shows them, never runs them); Markdown's
    punctuation is backslash-escaped (no emphasis, links, images or code spans); pipes are
    escaped so a table row keeps its cells.
    """
    if value is None:
        return ""
    text = "".join(_HTML.get(ch, ch) for ch in _one_line(value))
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)  # "&" is not escaped: entities stay entities


def md_code(value: object) -> str:
    """A code span holding ``value`` literally (file names): fenced by more backticks than any
    run inside it, padded when it starts or ends with one, on one line. Inside a code span
    Markdown and HTML are not interpreted, so nothing needs escaping but the fence."""
    text = _one_line(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(value: object) -> str:
    """Markdown table cell from document text (see :func:`md_text`)."""
    return md_text(value)


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _cut(total: int, shown: int, where: str) -> list[str]:
    """The line that says a list was cut (nothing when it was not)."""
    return [f"（仅列出前 {shown} 项，共 {total} 项；完整清单见 {where}。）", ""] if shown < total else []


def _corpus(data: ReportData) -> list[str]:
    docs = data.documents
    by_year = docs.group_by("fiscal_year", "status").len().sort("fiscal_year", "status", nulls_last=True)
    lines = ["## 文档", "", f"文档 {docs.height} 个，部门 {len(departments(docs))} 个。", ""]
    lines += _table(
        ["年度", "状态", "文档数"],
        [[y if y is not None else "未知", word("status", s), n] for y, s, n in by_year.iter_rows()],
    )
    every = ranked_documents(docs.filter(~pl.col("status").is_in(["ok", "narrative_only"])))
    bad = every if every.height <= INLINE_DEPARTMENTS else every.head(TOP_ROWS)
    lines += [
        "### 无法读取或部分读取",
        "",
        *_cut(every.height, bad.height, "documents.parquet 与工作簿的 documents 表"),
    ]
    lines += [
        f"- {word('status', r['status'])} {md_code(r['file'])}：{md_text(r['error'])}"
        for r in bad.iter_rows(named=True)
    ] or [f"- {text('none')}"]
    return [*lines, ""]


def _finding_counts(data: ReportData) -> list[str]:
    findings = data.findings
    counts = severity_counts(findings)
    lines = ["## 问题数量", ""]
    lines += _table(["严重程度", "问题数"], [[word("severity", s), n] for s, n in counts.items()])
    by_rule = findings.group_by("rule", "severity").len().rows()
    by_rule.sort(key=lambda r: (severity_rank(r[1]), r[0]))
    lines += [
        "### 按规则",
        "",
        *_table(["规则", "严重程度", "问题数"], [[md_code(r), word("severity", s), n] for r, s, n in by_rule]),
    ]
    by_dept = (
        findings.group_by("department")
        .agg(*(pl.col("severity").eq(s).sum().alias(s) for s in counts), pl.len().alias("n"))
        .rows(named=True)
    )
    by_dept.sort(key=lambda r: (-r["n"], r["department"] or ""))
    total = len(by_dept)
    by_dept = by_dept if total <= INLINE_DEPARTMENTS else by_dept[:TOP_ROWS]
    lines += [
        "### 按部门",
        "",
        *_cut(total, len(by_dept), "report.html 的“四、分部门情况”"),
        *_table(
            ["部门", *(word("severity", s) for s in counts), "合计"],
            [[r["department"], *(r[s] for s in counts), r["n"]] for r in by_dept],
        ),
    ]
    return lines


def _comparison(data: ReportData) -> list[str]:
    lines = ["## 指标", ""]
    if data.compare_status == COMPARE_UNAVAILABLE:
        lines += [text("compare_unavailable"), ""]
    elif data.compare_status != COMPARE_OK:
        lines += [text("compare_failed") + data.compare_status, ""]
    every = data.indicators.filter(pl.col("flagged")).sort(["department", "fiscal_year", "indicator"])
    flagged = every if every.height <= INLINE_FINDINGS else every.head(TOP_ROWS)
    lines += [f"被标记为异常的指标值 {every.height} 个：", ""]
    lines += _cut(every.height, flagged.height, "indicator_scores.parquet 与工作簿的 indicators 表")
    lines += [
        f"- {md_text(r['department'])} {r['fiscal_year']} {md_code(r['indicator'])} = {r['value']:.4f}"
        f"（同行中位数 {r['peer_median']:.4f}）"
        for r in flagged.iter_rows(named=True)
    ]
    mad = mean_absolute_deviation(data.benford)
    lines += ["", f"Benford 首位数字 MAD：{mad:.4f}" if mad is not None else "Benford 首位数字 MAD：无", ""]
    return lines


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _findings(data: ReportData) -> list[str]:
    every = ranked_findings(data.findings)
    shown = every if every.height <= INLINE_FINDINGS else every.head(TOP_FINDINGS)
    lines = ["## 问题清单", ""]
    if shown.height < every.height:
        lines += [
            f"问题共 {every.height} 条，此处仅列出按严重程度与涉及金额排序的前 {shown.height} 条；"
            "完整清单见 findings.parquet 与 workbook.xlsx 的 findings 表，各部门的全部问题见其部门页面。",
            "",
        ]
    for r in shown.iter_rows(named=True):
        where = f"第{r['line']}行" if r["line"] else (f"第{r['page']}页" if r["page"] else "")
        numbers = f"（应为 {_number(r['expected'])}，实际 {_number(r['actual'])}）" if r["expected"] is not None else ""
        lines.append(
            f"- [{word('severity', r['severity'])}] {md_text(r['department'])} {r['fiscal_year'] or ''} "
            f"{md_code(r['file'])} {where} {md_code(r['rule'])}：{md_text(r['message'])}{numbers}"
        )
    return lines or [f"- {text('none')}"]


def render_summary(data: ReportData) -> str:
    """The summary as markdown text (ends with a newline)."""
    lines = [f"# {text('title')}（生成于 {data.generated}）", ""]
    lines += _corpus(data) + _finding_counts(data) + _comparison(data) + _findings(data)
    return "\n".join(lines).rstrip() + "\n"
