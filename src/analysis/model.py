"""The document model every reader produces and every later stage consumes.

A reader turns a file (text, PDF, Excel, HTML) into a :class:`Document`: an ordered list of
blocks, each a heading, a paragraph or a table given as rows of cell strings, and each with
its provenance. Nothing after the reader knows which file format a document came from.

Provenance is a :class:`Location`: for text files the 1-based line number, for PDFs the
1-based page number (and the line within the page when known), for workbooks the sheet
name and row. A table keeps the location of every row so that a number found in row 7 of a
table can be traced back to line 312 of the file or page 14 of the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "table"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where something sits in the source file."""

    line: int | None = None
    """1-based line in a text file (or line within a page for PDFs)."""
    page: int | None = None
    """1-based page of a PDF."""
    sheet: str | None = None
    """Worksheet name of an Excel workbook."""

    def describe(self) -> str:
        """A short human-readable form, e.g. ``第3页`` or ``第312行``."""
        parts = []
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.line is not None:
            parts.append(f"第{self.line}行")
        return "".join(parts) or "位置不明"


@dataclass(slots=True)
class Block:
    """One heading, paragraph or table of a document, in reading order."""

    kind: BlockKind
    location: Location
    text: str = ""
    """The text of a heading or paragraph; empty for a table."""
    rows: list[list[str]] = field(default_factory=list)
    """A table's cells, row by row, as printed (not yet normalised) but stripped of surrounding
    whitespace: every reader strips, so that later stages need not strip each cell again."""
    row_locations: list[Location] = field(default_factory=list)
    """One location per row of ``rows``."""
    level: int = 0
    """Heading level when the source marks one (``#`` count), else 0."""
    cell_confidence: list[list[float | None]] | None = None
    """For a table read by OCR: the recogniser's confidence (0–1) of each cell of ``rows``
    (None for an empty cell); None for tables read from text."""
    cell_boxes: list[list[tuple[float, float, float, float] | None]] | None = None
    """For a table read by OCR: each cell's crop on its page as shares of the page's width and
    height (left, top, right, bottom, 0–1), so the image can be cut at any resolution."""


@dataclass(slots=True)
class PageIssue:
    """A page (or sheet) that could not be read while the rest of the file could."""

    location: Location
    reason: str


@dataclass(slots=True)
class Document:
    """A whole disclosure as ordered blocks plus what the reader learnt about the file."""

    path: str
    format: str
    """``text``, ``markdown``, ``html``, ``pdf``, ``xlsx``, ``xls`` or ``image``."""
    blocks: list[Block] = field(default_factory=list)
    encoding: str | None = None
    page_count: int | None = None
    issues: list[PageIssue] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)
    """1-based pages whose text came from OCR (image files: every page)."""

    def tables(self) -> list[Block]:
        """The table blocks, in order."""
        return [b for b in self.blocks if b.kind == "table"]

    def text_blocks(self) -> list[Block]:
        """Headings and paragraphs, in order."""
        return [b for b in self.blocks if b.kind != "table"]


class ReadError(Exception):
    """A file that cannot be turned into a document; the message is shown to users."""
