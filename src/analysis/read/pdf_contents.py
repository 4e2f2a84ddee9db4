"""Front matter and page furniture: the table of contents, page numbers, running headers.

None of these is content. A contents list ("一、收支预算总表 …… 3") must not come out as a
table, nor its entries as headings, or the table recogniser would find every table twice;
page numbers and running headers between the two pieces of a table continued on the next
page would sit in the middle of the table once the pieces are joined (issue 4).
"""

from __future__ import annotations

import re
from collections import Counter

from analysis.read.pdf_layout import CONTENTS_TITLE, ENUMERATED, LEADER, LineItem, PageLayout

KEEP_IN_MARGIN = re.compile(r"单位[:：]|表$")
RUNNING_MIN_PAGES = 3
RUNNING_SHARE = 0.5
"""A margin line repeated word for word on this share of the pages is a running header."""
MAX_ENTRY_CHARS = 50
"""A contents entry is at most this long."""
MAX_TAIL_CHARS = 15
"""The wrapped tail of a contents entry is at most this long."""


def drop_running_lines(pages: list[PageLayout]) -> None:
    """Remove page numbers and running headers/footers from the layouts in place."""
    keys: Counter[str | None] = Counter()
    for page in pages:
        keys.update({_margin_key(item) for item in page.lines() if item.in_margin})
    threshold = max(RUNNING_MIN_PAGES, RUNNING_SHARE * len(pages))
    running = {key for key, count in keys.items() if key is not None and count >= threshold}
    for page in pages:
        page.items = [
            item
            for item in page.items
            if not (
                isinstance(item, LineItem) and (item.page_number or (item.in_margin and _margin_key(item) in running))
            )
        ]


def contents_lines(pages: list[PageLayout]) -> set[int]:
    """``id()`` of the line items that belong to a table of contents.

    The contents start at a 目录 title and run, across pages if need be, until the body
    starts: the first entry printed again as a real heading, a sentence, a table, a line
    without page number when the entries have them, or a line that is no entry ("…表 5",
    "一、…") nor the wrapped tail of one. Pages filled with dotted leaders count as contents.
    """
    marked = {id(item) for page in pages if page.contents for item in page.lines()}
    sequence = [(page.number, item) for page in pages for item in page.items]
    start = next(
        (
            i
            for i, (_, item) in enumerate(sequence)
            if isinstance(item, LineItem) and CONTENTS_TITLE.match(_compact(item.text))
        ),
        None,
    )
    if start is None:
        return marked
    marked.add(id(sequence[start][1]))
    first_entry = None
    paged = False
    previous: LineItem | None = None
    right = 0.0
    for _, item in sequence[start + 1 :]:
        if not isinstance(item, LineItem) or "。" in item.text:
            break
        text = _compact(item.text)
        if text == first_entry:
            break
        right = max(right, item.line.x1)
        # The tail of an entry wrapped because it ran to the right edge of the list.
        wrapped = (
            previous is not None
            and previous.line.x1 >= right - 2 * previous.line.size
            and not previous.text[-1].isdigit()
        )
        if wrapped and len(text) <= MAX_TAIL_CHARS:
            pass
        elif not _is_entry(item) or (paged and not text[-1].isdigit()):
            # Once entries carry page numbers, a line without one is body text.
            break
        if first_entry is None:
            first_entry, paged = text, text[-1].isdigit()
        marked.add(id(item))
        previous = item
    return marked


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_entry(item: LineItem) -> bool:
    """A line shaped like a contents entry: short, numbered, or ending in a page number."""
    text = _compact(item.text)
    if len(text) > MAX_ENTRY_CHARS:
        return False
    return bool(ENUMERATED.match(text) or text[-1].isdigit() or LEADER.search(item.line.text()))


def _margin_key(item: LineItem) -> str | None:
    """The text by which a repeated margin line is recognised, None for lines always kept.

    Unit lines ("单位：万元") and table labels ("公开01表", "…支出预算表") are content even when
    every page repeats them in its top margin.
    """
    text = _compact(item.text)
    if KEEP_IN_MARGIN.search(text):
        return None
    return text
