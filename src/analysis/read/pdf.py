"""Read a PDF disclosure with a text layer into the document model.

``read_pdf(path)`` returns a :class:`~analysis.model.Document` whose blocks are headings,
paragraphs and tables in reading order, each with ``Location(page=…, line=…)``. Tables come
from geometry (rulings, or word positions for unruled tables), never from plain text, so
empty cells keep their column (DOMAIN §0.6). A table continued on the next page is emitted
once per page; joining the pieces is the table recogniser's job.

The engine is pypdfium2 (Apache-2.0/BSD), chosen by measurement: on the development corpus
it reads characters and rulings several times faster than pdfminer-based pdfplumber
(``bench/bench_pdf.py`` prints both side by side).

Failure modes (issue 4):

- whole-document failures raise :class:`~analysis.model.ReadError` with a reason a person
  understands: not a PDF, damaged or truncated file, password required, no text layer at
  all (scanned), most pages in fonts without a Unicode map, time limit exceeded;
- a page that fails while others work becomes a :class:`~analysis.model.PageIssue` in
  ``Document.issues`` (an image-only page, a page of unmapped glyphs, a page pdfium cannot
  parse), and reading goes on.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pypdfium2 as pdfium

from analysis.model import Document, Location, PageIssue, ReadError
from analysis.read.pdf_blocks import build_blocks
from analysis.read.pdf_contents import drop_running_lines
from analysis.read.pdf_layout import PageLayout, layout_page
from analysis.read.pdf_page import PageContent, PageTooComplex, read_page

logger = logging.getLogger(__name__)

GARBLED_SHARE = 0.3
"""A page whose characters are unmapped glyphs at least this often cannot be read."""
MOSTLY = 0.5
"""When more than this share of the text pages is garbled, the whole document is refused."""
END_MARKER_WINDOW = 2048
"""How many trailing bytes are searched for the ``%%EOF`` marker."""


def _open(path: Path) -> pdfium.PdfDocument:
    """Open the file with pdfium, turning its error codes into readable reasons."""
    if not path.is_file():
        raise ReadError(f"PDF file not found: {path}")
    with path.open("rb") as handle:
        head = handle.read(1024)
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - END_MARKER_WINDOW))
        tail = handle.read()
    if b"%PDF-" not in head:
        raise ReadError(f"not a PDF file (no %PDF header): {path.name}")
    if b"%%EOF" not in tail:
        raise ReadError(f"PDF file is truncated or damaged (its end-of-file marker is missing): {path.name}")
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        code = getattr(error, "err_code", None)
        if code == pdfium.raw.FPDF_ERR_PASSWORD:
            raise ReadError(f"PDF is encrypted and needs a password to open: {path.name}") from error
        if code == pdfium.raw.FPDF_ERR_SECURITY:
            raise ReadError(f"PDF uses an unsupported security handler: {path.name}") from error
        raise ReadError(f"PDF file is damaged and cannot be parsed ({error}): {path.name}") from error


def _page_problem(content: PageContent) -> str | None:
    """Why a page yields no usable text, or None when it reads fine."""
    readable = len(content.chars)
    garbled = content.unmapped_chars
    if garbled and garbled >= GARBLED_SHARE * (garbled + readable):
        return (
            f"page {content.number}: its fonts have no Unicode map, text extracts as "
            f"unreadable glyphs ({garbled} of {garbled + readable} characters)"
        )
    if readable == 0 and content.image_cover > 0.05:
        return f"page {content.number}: image only, no text layer (scanned page; needs OCR)"
    return None


def _ocr_layout(pdf: pdfium.PdfDocument, index: int, after_contents: bool, cell_meta: dict) -> PageLayout | None:
    """The layout of an image-only page read by OCR, or None without the optional engine."""
    from analysis.read.ocr_engine import ocr_available

    if not ocr_available():
        return None
    from analysis.read.ocr import layout_ocr_page, ocr_pdf_page

    try:
        layout, meta = layout_ocr_page(ocr_pdf_page(pdf, index), after_contents=after_contents)
    except Exception:  # one page the engine chokes on stays a page issue
        logger.exception("OCR of page %d failed", index + 1)
        return None
    cell_meta.update(meta)
    return layout


def read_pdf(path: str | Path, *, time_limit_s: float = 60) -> Document:
    """Read a text-layer PDF into a :class:`Document`.

    Args:
        path: The PDF file.
        time_limit_s: Give up (``ReadError``) when reading takes longer than this; the clock
            is checked between pages.

    Returns:
        The document with blocks in reading order, ``page_count`` and per-page ``issues``.

    Raises:
        ReadError: The file cannot be read as a whole (see the module docstring).
    """
    path = Path(path)
    started = time.monotonic()
    pdf = _open(path)
    try:
        page_count = len(pdf)
        if page_count == 0:
            raise ReadError(f"PDF has no pages: {path.name}")
        cell_meta: dict = {}
        layouts, issues, garbled_pages = _read_pages(pdf, path, started, time_limit_s, cell_meta)
    finally:
        pdf.close()
    text_pages = len(layouts) + garbled_pages
    if not layouts:
        passed_over = [i.reason for i in issues if _UNREAD_PAGE.match(i.reason)]
        if passed_over:  # pages given up for their size or damage, not for missing text
            raise ReadError(f"no page of {path.name} could be read: " + "; ".join(passed_over[:3]))
        if garbled_pages:
            raise ReadError(
                f"the text of {path.name} cannot be extracted: its fonts have no Unicode map "
                "(characters come out as unreadable glyphs)"
            )
        raise ReadError(f"{path.name} has no text layer: it looks like a scanned document and needs OCR first")
    if garbled_pages > MOSTLY * text_pages:
        raise ReadError(
            f"the text of {path.name} cannot be extracted: {garbled_pages} of {text_pages} pages "
            "use fonts without a Unicode map"
        )
    drop_running_lines(layouts)
    blocks = build_blocks(layouts)
    ocr_pages = sorted(layout.number for layout in layouts if layout.number in cell_meta.get("pages", ()))
    if cell_meta:
        from analysis.read.ocr import attach_cell_meta

        attach_cell_meta(blocks, cell_meta)
    return Document(str(path), "pdf", blocks=blocks, page_count=page_count, issues=issues, ocr_pages=ocr_pages)


_UNREAD_PAGE = re.compile(r"^page \d+ (passed over|cannot be parsed|could not be laid out):")
"""Issues of pages given up for their damage or size (not for missing or unmapped text)."""


def _read_pages(
    pdf: pdfium.PdfDocument, path: Path, started: float, time_limit_s: float, cell_meta: dict
) -> tuple[list[PageLayout], list[PageIssue], int]:
    """Layouts of the readable pages, issues of the others, and how many were garbled.

    Image-only pages are read by OCR when the optional engine is installed; ``cell_meta``
    collects their tables' cell confidence and crops, and under ``"pages"`` their numbers.
    """
    layouts: list[PageLayout] = []
    issues: list[PageIssue] = []
    garbled = 0
    after_contents = False
    ocr_seconds = 0.0  # OCR'd pages are slow by nature; the limit guards against stuck parsing
    for index in range(len(pdf)):
        elapsed = time.monotonic() - started - ocr_seconds
        if elapsed > time_limit_s:
            raise ReadError(
                f"reading {path.name} exceeded the time limit of {time_limit_s:g} s "
                f"(stopped at page {index + 1} of {len(pdf)})"
            )
        location = Location(page=index + 1)
        try:
            content = read_page(pdf, index)
        except pdfium.PdfiumError as error:
            issues.append(PageIssue(location, f"page {index + 1} cannot be parsed: {error}"))
            continue
        except PageTooComplex as error:
            issues.append(PageIssue(location, f"page {index + 1} passed over: {error}"))
            continue
        problem = _page_problem(content)
        if problem is not None and not content.chars and not content.unmapped_chars:
            ocr_started = time.monotonic()
            layout = _ocr_layout(pdf, index, after_contents, cell_meta)
            if layout is not None and not layout.items:
                problem += "; OCR recognised no text on it"
            ocr_seconds += time.monotonic() - ocr_started
            if layout is not None and layout.items:
                cell_meta.setdefault("pages", set()).add(index + 1)
                after_contents = layout.contents
                layouts.append(layout)
                continue
        if problem is not None:
            garbled += content.unmapped_chars > 0
            issues.append(PageIssue(location, problem))
            logger.warning("%s: %s", path.name, problem)
            continue
        if not content.chars:
            continue
        try:
            layout = layout_page(content, after_contents=after_contents)
        except Exception as error:  # one odd page must not cost the whole document
            logger.exception("%s: page %d could not be laid out", path.name, index + 1)
            issues.append(PageIssue(location, f"page {index + 1} could not be laid out: {error!r}"))
            continue
        after_contents = layout.contents
        issues += [PageIssue(location, note) for note in layout.notes]
        layouts.append(layout)
    return layouts, issues, garbled
