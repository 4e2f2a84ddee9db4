"""Render a :class:`SynthDoc` as a PDF with a real text layer (reportlab, embedded font).

The narrative is set on portrait A4 pages; each table starts a landscape page, with ruled
cells, merged header cells and wrapping label cells. Long tables break across pages the way
real disclosures do; whether the header is repeated on the continuation page follows the
document's ``repeat_header`` hazard. Output is byte-stable for a given document
(``invariant`` mode fixes the dates and file id). The font is embedded (see
:mod:`analysis.synth.pdf_font` for why not the non-embedded ``STSong-Light``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import (
    Table as PdfTable,
)

from analysis.synth.document import Raw
from analysis.synth.layout import Heading, SynthDoc, Table
from analysis.synth.layout import Paragraph as SynthParagraph
from analysis.synth.pdf_font import FONT_NAME as FONT
from analysis.synth.pdf_font import register

_MARGIN = 36


@cache
def _styles() -> dict[str, ParagraphStyle]:
    register()
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21)
    return {
        "body": base,
        "cover": ParagraphStyle(
            "cover", parent=base, fontSize=22, leading=34, alignment=TA_CENTER, firstLineIndent=0, spaceBefore=40
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontSize=16,
            leading=24,
            alignment=TA_CENTER,
            firstLineIndent=0,
            spaceBefore=10,
            spaceAfter=8,
        ),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=20, firstLineIndent=0, spaceBefore=6),
        "h3": ParagraphStyle("h3", parent=base, fontSize=11.5, leading=18, firstLineIndent=0),
        "title": ParagraphStyle(
            "title", parent=base, fontSize=14, leading=20, alignment=TA_CENTER, firstLineIndent=0, spaceAfter=4
        ),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9, leading=12, firstLineIndent=0),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5, firstLineIndent=0),
        "head": ParagraphStyle("head", parent=base, fontSize=7.5, leading=9.5, firstLineIndent=0, alignment=TA_CENTER),
    }


def _p(text: str, style: str) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), _styles()[style])


def _col_widths(table: Table, width: float) -> list[float]:
    n = len(table.header.columns) if table.header.rows else len(table.rows[0])
    weights = []
    for c in range(n):
        longest = max((len(row[c]) for row in table.rows if c < len(row)), default=0)
        if c in table.label_cols:
            weights.append(4.0 if longest > 8 else 2.5)
        elif table.header.columns and table.header.columns[c] is None:
            weights.append(1.2 if longest <= 6 else 2.2)
        else:
            weights.append(1.6)
    total = sum(weights)
    return [width * w / total for w in weights]


def _cell(text: str, width: float, style: str):
    """Plain text when it fits the column (fast), a wrapping Paragraph when it does not."""
    if not text:
        return ""
    return text if len(text) * 7.6 < width - 4 else _p(text, style)


def _grid(table: Table, widths: list[float]) -> tuple[list[list], list[tuple]]:
    header = [
        [_cell(" ".join(text) if (r, c) in table.spaced else text, widths[c], "head") for c, text in enumerate(row)]
        for r, row in enumerate(table.header.rows)
    ]
    body = [[_cell(text, widths[c], "cell") for c, text in enumerate(row)] for row in table.rows]
    n_head = len(header)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONT", (0, 0), (-1, -1), FONT, 7.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("ALIGN", (0, 0), (-1, n_head - 1), "CENTER"),
    ]
    amount_cols = {c for _, (_, c) in table.refs.items()}
    style += [("ALIGN", (c, n_head), (c, -1), "RIGHT") for c in sorted(amount_cols)]
    style += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in table.header.spans]
    return header + body, style


def _table_flowables(table: Table, width: float) -> list:
    flow: list = [_p(table.printed_title(), "title")]
    meta = "　　".join(table.meta) if table.meta_inline else None
    flow += [_p(meta, "meta")] if meta else [_p(line, "meta") for line in table.meta]
    flow.append(Spacer(1, 4))
    widths = _col_widths(table, width)
    data, style = _grid(table, widths)
    if data:
        repeat = len(table.header.rows) if table.repeat_header else 0
        grid = PdfTable(data, colWidths=widths, repeatRows=repeat, style=TableStyle(style))
        flow.append(grid)
    if table.note:
        flow += [Spacer(1, 4), _p(table.note, "meta")]
    return flow


def _story(doc: SynthDoc, table_width: float) -> list:
    story: list = [NextPageTemplate("portrait")]
    first_table = True
    for block in doc.blocks:
        if isinstance(block, Raw):
            story += (
                [Spacer(1, 120)]
                + [_p(line.strip("* "), "cover") for line in block.text.split("\n") if line.strip("* ")]
                + [PageBreak()]
            )
        elif isinstance(block, Heading):
            story.append(_p(block.text, f"h{min(max(block.level, 1), 3)}"))
        elif isinstance(block, SynthParagraph):
            story.append(_p(block.text(), "body"))
        elif isinstance(block, Table) and block.present:
            if first_table:
                story.append(NextPageTemplate("landscape"))
                first_table = False
            story.append(PageBreak())
            story += _table_flowables(block, table_width)
    return story


def write_pdf(doc: SynthDoc, path: Path) -> None:
    """Write ``doc`` to ``path`` as a PDF."""
    _styles()
    portrait_size, landscape_size = A4, landscape(A4)
    template = BaseDocTemplate(
        str(path),
        pagesize=portrait_size,
        invariant=1,
        title=f"{doc.dept.name}{doc.year}年度部门预算",
        author=doc.dept.name,
    )
    m = _MARGIN
    template.addPageTemplates(
        [
            PageTemplate(
                "portrait", [Frame(m, m, portrait_size[0] - 2 * m, portrait_size[1] - 2 * m)], pagesize=portrait_size
            ),
            PageTemplate(
                "landscape",
                [Frame(m, m, landscape_size[0] - 2 * m, landscape_size[1] - 2 * m)],
                pagesize=landscape_size,
            ),
        ]
    )
    template.build(_story(doc, landscape_size[0] - 2 * m - 12))
