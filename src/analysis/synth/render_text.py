"""Render a :class:`SynthDoc` as the seed's markdown-like text (tab-separated tables).

Hazards decided in :mod:`analysis.synth.document` are applied here the way PDF-to-text
conversion produces them in the seed: a space inside wrapped CJK cells, header words spelled
one character at a time, a blank line where a page break splits a table (the header repeated
after it or not), and a lost 类 column: every body row (合计 and the unit row too, as in the
seed's 部门支出总表) shifts one cell left.
"""

from __future__ import annotations

from analysis.synth.document import Raw
from analysis.synth.layout import Heading, Paragraph, SynthDoc, Table


def _wrap(text: str, width: int) -> str:
    if len(text) <= width or not all("\u4e00" <= ch <= "\u9fff" or ch in "（）、" for ch in text):
        return text
    return " ".join(text[i : i + width] for i in range(0, len(text), width))


def _header_lines(table: Table) -> list[str]:
    lines = []
    for r, row in enumerate(table.header.rows):
        cells = [" ".join(text) if (r, c) in table.spaced else text for c, text in enumerate(row)]
        lines.append("\t".join(cells))
    return lines


def _row_line(table: Table, r: int, row: list[str]) -> str:
    if table.wrap:
        row = list(row)
        for c in table.label_cols:
            row[c] = _wrap(row[c], table.wrap)
    if table.drop_class:  # the column is lost for every body row, as in the seed's B03
        c = table.class_col
        row = row[:c] + row[c + 1 :]
    return "\t".join(row)


def render_table(table: Table) -> list[str]:
    lines = [f"## {table.printed_title()}", ""]
    if table.meta_inline and table.meta:
        lines += ["\t\t".join(table.meta) + "\t", ""]
    else:
        for meta in table.meta:
            lines += [meta, ""]
    header = _header_lines(table)
    lines += header
    for r, row in enumerate(table.rows):
        if r == table.split_at:
            lines.append("")
            if table.repeat_header:
                lines += header
        lines.append(_row_line(table, r, row))
    if table.note:
        lines += ["", table.note]
    lines.append("")
    return lines


def _paragraph(p: Paragraph) -> list[str]:
    text = p.text()
    if 0 < p.break_at < len(text) - 1:
        return [text[: p.break_at], "", text[p.break_at :], ""]
    return [text, ""]


def render_text(doc: SynthDoc) -> str:
    """The whole document as one string (UTF-8 text, ``\\n`` line ends)."""
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Table):
            if block.present:
                lines += render_table(block)
        elif isinstance(block, Heading):
            lines += [f"{'#' * block.level} {block.text}", ""]
        elif isinstance(block, Paragraph):
            lines += _paragraph(block)
        elif isinstance(block, Raw):
            lines += [block.text]
    return "\n".join(lines)
