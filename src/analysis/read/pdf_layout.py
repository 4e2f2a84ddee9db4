"""One page's content as ordered items: text lines and tables, margins marked.

A page is laid out in three passes: ruled tables take their characters first, the rest are
grouped into lines, and unruled tables are looked for among those lines (except on a table
of contents, whose "title … page" lines look like a two-column table but are not one).
Lines in the top or bottom margin that carry only a page number ("- 3 -", "第 3 页") are
marked so that the document stage can drop them together with running headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.read.pdf_page import PageContent
from analysis.read.pdf_ruled import Table, find_ruled_tables
from analysis.read.pdf_text import TextLine, group_lines
from analysis.read.pdf_unruled import find_unruled_tables

MARGIN_BAND = 0.1
"""Share of the page height at the top and at the bottom where headers and footers live."""
PAGE_NUMBER = re.compile(
    r"^(?:[\s\-—–－─━‐‒―_~·•()（）\[\]【】]*\d{1,4}[\s\-—–－─━‐‒―_~·•()（）\[\]【】]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
"""The whole text of a line that is only a page number."""
CONTENTS_TITLE = re.compile(r"^目\s*录$")
ENUMERATED = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d{1,2}[、.．](?!\d)"
    r"|[①-⑳]|第[一二三四五六七八九十]+[部章节条])"
)
"""A line that starts a new numbered item, hence a new paragraph."""
LEADER = re.compile(r"(?:[.．·…⋯_\-—]\s*){3,}")
"""Dotted leaders between a contents entry and its page number."""


@dataclass(slots=True)
class LineItem:
    """A line of running text on a page."""

    line: TextLine
    text: str
    in_margin: bool = False
    """In the top or bottom band of the page (candidate header/footer)."""
    page_number: bool = False
    """Only a page number; never content."""


@dataclass(slots=True)
class PageLayout:
    """The items of one page, top to bottom."""

    number: int
    width: float
    height: float
    items: list[LineItem | Table] = field(default_factory=list)
    contents: bool = False
    """The page is (part of) a table of contents."""
    notes: list[str] = field(default_factory=list)
    """What could not be read as laid out (rulings too dense for a table), for the page's issue."""

    def lines(self) -> list[LineItem]:
        """The text-line items."""
        return [item for item in self.items if isinstance(item, LineItem)]


def _line_text(line: TextLine) -> str:
    return LEADER.sub(" ", line.text()).strip()


def looks_like_contents(lines: list[LineItem]) -> bool:
    """A page with a 目录 title, or whose lines mostly end in leaders and a page number."""
    if any(CONTENTS_TITLE.match(item.text.replace(" ", "")) for item in lines[:5]):
        return True
    entries = [item for item in lines if not item.in_margin]
    with_leaders = sum(bool(LEADER.search(item.line.text())) for item in entries)
    return len(entries) >= 3 and with_leaders * 2 >= len(entries)


def layout_page(content: PageContent, *, after_contents: bool = False) -> PageLayout:
    """Tables and text lines of one page in reading order.

    ``after_contents`` tells that the previous page was a table of contents, so a page of
    short entries without page numbers continues it.
    """
    notes: list[str] = []
    tables = find_ruled_tables(content.edges, content.chars, notes)
    used = set().union(*(t.used_chars for t in tables)) if tables else set()
    rest = [c for c in content.chars if id(c) not in used]
    lines = group_lines(rest)
    band = MARGIN_BAND * content.height
    items = []
    for line in lines:
        text = _line_text(line)
        if not text:
            continue
        in_margin = line.mid_y < band or line.mid_y > content.height - band
        items.append(LineItem(line, text, in_margin, in_margin and bool(PAGE_NUMBER.match(text))))
    layout = PageLayout(content.number, content.width, content.height, notes=notes)
    layout.contents = looks_like_contents(items) or (after_contents and not tables and _continues_contents(items))
    if not layout.contents:
        body = [item for item in items if not item.page_number]
        unruled = find_unruled_tables([item.line for item in body])
        taken = set().union(*(t.used_chars for t in unruled)) if unruled else set()
        items = [item for item in items if id(item.line.chars[0]) not in taken]
        tables = tables + unruled
    layout.items = sorted([*items, *tables], key=_item_position)
    return layout


def _continues_contents(items: list[LineItem]) -> bool:
    """Short entries only: what the second page of a contents list looks like."""
    body = [item for item in items if not item.page_number]
    return bool(body) and all(len(item.text) <= 40 and "。" not in item.text for item in body)


def _item_position(item: LineItem | Table) -> tuple[float, float]:
    if isinstance(item, Table):
        return item.top, item.x0
    return item.line.top, item.line.x0
