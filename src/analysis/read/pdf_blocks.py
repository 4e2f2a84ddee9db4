"""Page layouts to document blocks: headings, paragraphs and tables in reading order.

Lines are joined into paragraphs the way a reader would: a paragraph goes on while each
line runs to the right margin and the next one is neither indented, numbered ("一、",
"（二）", "3.") nor set in another size; it may continue onto the next page. A short
line that is numbered like a section ("第二部分", "一、收支预算总体情况"), bold, larger than
the body text or centred (table titles) becomes a heading. Lines of a table of contents
stay one paragraph each and are never headings, so that their titles are not mistaken for
the tables themselves.

Every block carries ``Location(page, line)``; lines are counted per page, top to bottom,
each table row counting as one line, headers and footers not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from analysis.model import Block, Location
from analysis.read.pdf_contents import contents_lines
from analysis.read.pdf_layout import ENUMERATED, LineItem, PageLayout
from analysis.read.pdf_ruled import Table
from analysis.read.pdf_text import join_lines

HEADING_LEVELS = (
    (re.compile(r"^第[一二三四五六七八九十百]+部分"), 1),
    (re.compile(r"^[一二三四五六七八九十]+[、.．]"), 2),
    (re.compile(r"^[（(][一二三四五六七八九十]+[)）]"), 3),
)
"""Section numbering as used in the disclosures and the heading level it marks."""
SENTENCE_INSIDE = re.compile(r"[。；;]")
MAX_HEADING_CHARS = 40
LARGE = 1.15
"""A line this many times larger than the body text is a heading."""
MIN_BODY_LINES = 5
"""A page needs this many body-text lines for its own margins to be trusted."""
DEFAULT_MARGIN = 0.12
"""Share of the page width taken as margin when no page of the format shows its margins."""
HUGE = 1.3
"""A short line this many times larger than the body text is a heading even at full width."""
LINE_GAP = 1.2
"""Lines of one paragraph or heading are at most this many font sizes apart (double spacing)."""


@dataclass(slots=True)
class _Metrics:
    """Body font size and text margins of one page."""

    size: float
    left: float
    right: float


def _page_margins(page: PageLayout, body_size: float) -> tuple[float, float, int]:
    """Left and right text edges from a page's body-size lines, and how many lines that was."""
    body = [item.line for item in page.lines() if abs(item.line.size - body_size) <= 0.2 * body_size]
    if not body:
        return 0.0, page.width, 0
    return min(line.x0 for line in body), max(line.x1 for line in body), len(body)


def page_metrics(pages: list[PageLayout], body_size: float) -> dict[int, _Metrics]:
    """Metrics per page number.

    A page with few body lines (a cover, a table page) borrows the margins that pages of the
    same format show most often, so that a lone title can still be seen as centred.
    """
    margins = {page.number: _page_margins(page, body_size) for page in pages}
    usual: dict[tuple[int, int], tuple[float, float]] = {}
    for page in pages:
        fmt = (round(page.width), round(page.height))
        full = [margins[p.number] for p in pages if (round(p.width), round(p.height)) == fmt]
        full = [m for m in full if m[2] >= MIN_BODY_LINES]
        if full:
            usual[fmt] = (median(m[0] for m in full), median(m[1] for m in full))
    metrics = {}
    for page in pages:
        left, right, count = margins[page.number]
        fmt = (round(page.width), round(page.height))
        if count < MIN_BODY_LINES:
            default = (page.width * DEFAULT_MARGIN, page.width * (1 - DEFAULT_MARGIN))
            left, right = usual.get(fmt, default)
        metrics[page.number] = _Metrics(body_size, left, right)
    return metrics


def _body_size(pages: list[PageLayout]) -> float:
    sizes = [item.line.size for page in pages for item in page.lines() for _ in item.line.chars]
    return median(sizes) if sizes else 10.0


def heading_level(item: LineItem, metrics: _Metrics) -> int | None:
    """The heading level of a line that is a heading on its own, else None."""
    text = item.text.replace(" ", "")
    line = item.line
    if len(text) > MAX_HEADING_CHARS or SENTENCE_INSIDE.search(text) or text[-1] in "，,、":
        return None
    short = line.x1 < metrics.right - 2 * line.size or line.size >= HUGE * metrics.size
    emphasised = line.bold or line.size >= LARGE * metrics.size
    for pattern, level in HEADING_LEVELS:
        if pattern.match(text):
            # "第二部分 …" is a heading even when it fills the line; numbered items only when
            # they stand out, since "一、…" also starts ordinary paragraphs.
            return level if (level == 1 or short or emphasised) else None
    if " " in item.text.strip():
        # Fields spread over the line ("部门：…    单位：万元") are not a title.
        return None
    centre = (metrics.left + metrics.right) / 2
    centred = (
        abs((line.x0 + line.x1) / 2 - centre) < 2 * line.size
        and line.x0 > metrics.left + 2 * line.size
        and line.x1 < metrics.right - 2 * line.size
    )
    return 0 if (centred or (emphasised and short)) else None


def _continues(
    previous: LineItem,
    before_metrics: _Metrics,
    line: LineItem,
    metrics: _Metrics,
    same_page: bool,
    *,
    contents: bool = False,
) -> bool:
    """Whether ``line`` carries on the paragraph whose last line is ``previous``.

    On a contents page an entry that ends in its page number is complete.
    """
    before, after = previous.line, line.line
    if contents and (not same_page or previous.text[-1].isdigit()):
        return False
    size = before.size
    if abs(after.size - size) > 0.15 * size:
        return False
    if before.x1 < before_metrics.right - 2 * size or after.x0 > metrics.left + size:
        return False
    if ENUMERATED.match(line.text):
        return False
    return not same_page or after.top - before.bottom <= LINE_GAP * size


class _Builder:
    """Accumulates blocks while walking the pages in order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.paragraph: list[LineItem] = []
        self.paragraph_at: Location | None = None
        self.last_heading: tuple[LineItem, Location] | None = None

    def flush(self) -> None:
        if self.paragraph and self.paragraph_at is not None:
            text = join_lines([item.text for item in self.paragraph])
            self.blocks.append(Block("paragraph", self.paragraph_at, text=text))
        self.paragraph, self.paragraph_at = [], None

    def start(self, item: LineItem, at: Location) -> None:
        self.flush()
        self.last_heading = None
        self.paragraph, self.paragraph_at = [item], at

    def heading(self, item: LineItem, at: Location, level: int, metrics: _Metrics) -> None:
        self.flush()
        last = self.last_heading
        if level == 0 and last is not None and _same_title(*last, item, at, metrics):
            self.blocks[-1].text = join_lines([self.blocks[-1].text, item.text])
        else:
            self.blocks.append(Block("heading", at, text=item.text, level=level))
        self.last_heading = (item, at)

    def table(self, table: Table, page: int, first_line: int) -> None:
        self.flush()
        self.last_heading = None
        locations = [Location(page=page, line=first_line + i) for i in range(len(table.rows))]
        self.blocks.append(Block("table", locations[0], rows=table.rows, row_locations=locations))


def _same_title(first: LineItem, first_at: Location, item: LineItem, at: Location, metrics: _Metrics) -> bool:
    """Whether a heading line continues the heading on the line above.

    It does when both are set alike on adjacent lines and the upper one either ran to the
    right margin (a wrapped heading) or is a cover title in very large type; two short
    titles in a row ("…部门决算表" above "收入支出决算总表") stay apart.
    """
    if first_at.page != at.page or first_at.line is None or at.line is None:
        return False
    upper, lower = first.line, item.line
    if at.line != first_at.line + 1 or lower.top - upper.bottom > LINE_GAP * upper.size:
        return False
    if abs(upper.size - lower.size) > 0.05 * upper.size:
        return False
    wrapped = upper.x1 >= metrics.right - 2 * upper.size
    return wrapped or upper.size >= HUGE * metrics.size


def build_blocks(pages: list[PageLayout]) -> list[Block]:
    """All blocks of the document, in reading order."""
    body_size = _body_size(pages)
    metrics_of = page_metrics(pages, body_size)
    in_contents = contents_lines(pages)
    builder = _Builder()
    previous: tuple[LineItem, _Metrics] | None = None
    previous_page = 0
    for page in pages:
        metrics = metrics_of[page.number]
        line_number = 0
        for item in page.items:
            if isinstance(item, Table):
                builder.table(item, page.number, line_number + 1)
                line_number += len(item.rows)
                previous = None
                continue
            line_number += 1
            at = Location(page=page.number, line=line_number)
            contents = id(item) in in_contents
            level = None if contents else heading_level(item, metrics)
            if level is not None:
                builder.heading(item, at, level, metrics)
                previous = None
            elif previous is not None and _continues(
                *previous, item, metrics, page.number == previous_page, contents=contents
            ):
                builder.paragraph.append(item)
                previous = (item, metrics)
            else:
                builder.start(item, at)
                previous = (item, metrics)
            previous_page = page.number
    builder.flush()
    return builder.blocks
