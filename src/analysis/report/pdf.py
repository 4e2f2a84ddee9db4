"""The printable annual report: the HTML report printed to PDF by headless Chromium, with a
table of contents carrying page numbers, a page number on every page and the Chinese text
embedded (Chromium embeds subsets of the fonts it drew with; ``bin/ensure-cjk-font``).

Page numbers of the contents are found by printing twice: the first print has blank numbers
of fixed width; its text (read back with pypdfium2) says on which page each heading landed, and
the second print fills them in. The numbers take the same room as the blanks, so filling them in
moves nothing.

Usage: ``python -m analysis.report.pdf OUT_DIR`` prints ``OUT_DIR/reports/report.pdf`` from a
run made with ``analysis run … --out OUT_DIR``.
"""

from __future__ import annotations

import logging
import re
import sys
import tempfile
from pathlib import Path

from analysis.report.labels import text
from analysis.report.markup import Safe, tag
from analysis.report.model import ReportData

logger = logging.getLogger(__name__)
_BLANK = "\u2007" * 4  # figure spaces: as wide as four digits
PRINT_CSS = """
@page { size: A4 landscape; margin: 14mm 12mm 16mm;
        @bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页";
                         font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; font-size: 9pt;
                         color: #616e7c; } }
@media print {
  body { font-size: 11px; }
  nav { display: none; }
  main { max-width: none; padding: 0; }
  header { padding: 10px 16px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .wide { overflow: visible; }
  table { font-size: 10px; page-break-inside: auto; }
  figure, .card, .top { break-inside: avoid; }
  th { position: static; }
  table.findings { width: 100%; }
  td.msg { min-width: 50mm; max-width: 70mm; }
  td.excerpt { min-width: 30mm; max-width: 40mm; font-size: 9px; }
  td.excerpt .clip { max-height: 6em; overflow: hidden; }
  td.where { min-width: 30mm; max-width: 38mm; } td.cell { min-width: 20mm; max-width: 26mm; }
  td.dept { min-width: 6em; }
  h2, h3, h4 { break-after: avoid; }
  h2#overview, h2#findings, h2#comparison, h2#departments { break-before: page; }
  section.department { break-before: page; border-top: none; }
  tr.reviewed-false td { color: #9aa5b1; }
}
.toc { break-after: page; }
.toc ol { list-style: none; padding: 0; margin: 0; columns: 2; column-gap: 32px; }
.toc li { display: flex; gap: 6px; break-inside: avoid; }
.toc li.depth-1 { font-weight: bold; margin-top: 6px; }
.toc li.depth-2 { padding-left: 1.5em; }
.toc li a { color: inherit; text-decoration: none; }
.toc li .dots { flex: 1; border-bottom: 1px dotted #9aa5b1; margin-bottom: 4px; }
.toc li .pg { font-variant-numeric: tabular-nums; min-width: 4ch; text-align: right; }
"""


def _toc(entries: list[tuple[str, str, int]], pages: dict[str, int]) -> Safe:
    items = [
        tag(
            "li",
            tag("a", title, href=f"#{anchor}"),
            tag("span", "", class_="dots"),
            tag("span", str(pages[anchor]).rjust(4, "\u2007") if anchor in pages else _BLANK, class_="pg"),
            class_=f"depth-{depth}",
        )
        for anchor, title, depth in entries
    ]
    return tag("section", tag("h2", text("toc")), tag("ol", *items), class_="toc")


def _squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


def page_texts(pdf: Path) -> list[str]:
    """The text of every page (pypdfium2), whitespace removed."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(_squeeze(textpage.get_text_range()))
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def locate(entries: list[tuple[str, str, int]], texts: list[str]) -> dict[str, int]:
    """Page (1-based) of each heading: the first page after the contents, and not before the
    previous heading's, that prints its title. Headings not found keep a blank number."""
    contents = next((n for n, t in enumerate(texts) if _squeeze(text("toc")) in t), -1)
    pages, start = {}, contents + 1
    for anchor, title, _ in entries:
        needle = _squeeze(title)
        found = next((n for n in range(start, len(texts)) if needle in texts[n]), None)
        if found is not None:
            pages[anchor] = found + 1
            start = found
    return pages


def print_report(data: ReportData, pdf: Path, *, department_charts: bool = True) -> Path | None:
    """Print the report to ``pdf``; None (with a warning) when Chromium is not installed."""
    from analysis.report.browser import chromium, print_pdf
    from analysis.report.html import render_html, sections

    if chromium() is None:
        logger.warning("report.pdf not printed: chromium is not installed (bin/ensure-chromium)")
        return None
    entries = sections(data)
    blank_toc = _toc(entries, {})
    page = render_html(data, department_charts=department_charts, front=blank_toc, extra_css=PRINT_CSS)
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as tmp:
        html = Path(tmp) / "report.html"
        html.write_text(page, encoding="utf-8")
        print_pdf(html, pdf)
        pages = locate(entries, page_texts(pdf))
        html.write_text(page.replace(blank_toc, _toc(entries, pages), 1), encoding="utf-8")
        print_pdf(html, pdf)
    missing = [title for anchor, title, _ in entries if anchor not in pages]
    if missing:
        logger.warning("report.pdf: no page found for %d headings (%s …)", len(missing), missing[0])
    return pdf


if __name__ == "__main__":
    from analysis.report.model import load

    out = Path(sys.argv[1])
    print(print_report(load(out / "processed", generated="(printed)"), out / "reports" / "report.pdf"))
