"""A saved web page → lines of text, with its data tables kept as HTML for the table parser.

Many provinces publish the 说明 as a web page: the narrative sits inside site navigation,
breadcrumbs, share buttons, scripts and footers, often in layout tables. The page is reduced
to the lines a reader sees in the article: the ``<title>``, headings and paragraphs, one line
per block element. Scripts, styles and the page's navigation parts (``<nav>``, ``<header>``,
``<footer>``, ``<aside>`` and elements whose class or id says nav/menu/breadcrumb/footer) are
dropped. Innermost ``<table>`` elements are kept verbatim on their own lines so that
:func:`analysis.read.text.text_to_blocks` parses them as tables; tables that hold other tables,
block elements (paragraphs, headings) or fewer than two rows are page layout, and only their
text is kept.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_INNERMOST_TABLE = re.compile(r"<table\b(?:(?!<table\b).)*?</table\s*>", re.I | re.S)
_LAYOUT_CONTENT = re.compile(r"<(?:p|div|h[1-6]|article|section|ul)\b", re.I)
_ROW = re.compile(r"<tr\b", re.I)
_PAGE_MARK = re.compile(r"<(?:html|body|head|!doctype)\b", re.I)
_SKIPPED_TAGS = {
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "iframe",
    "select",
    "button",
    "form",
}
_CHROME = re.compile(r"nav|menu|breadcrumb|crumb|footer|sidebar|share|toolbar|topbar|banner", re.I)
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "title",
    "section",
    "article",
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
    "blockquote",
    "pre",
}
_VOID = {"br", "img", "meta", "link", "input", "hr", "area", "base", "col", "embed", "source", "wbr"}
_PLACEHOLDER = "\x00TABLE{}\x00"
_PLACEHOLDER_RE = re.compile("\x00TABLE(\\d+)\x00")


def is_web_page(text: str) -> bool:
    """A whole HTML page (not a markdown file with an embedded ``<table>``)."""
    return bool(_PAGE_MARK.search(text[:4096]))


class _PageText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag in _VOID:
            return
        marks = " ".join(v or "" for k, v in attrs if k in {"class", "id", "role"})
        skipped = self._skipping() or tag in _SKIPPED_TAGS or bool(marks and _CHROME.search(marks))
        self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        for depth in range(len(self.stack) - 1, -1, -1):  # tolerate unclosed inner tags
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def page_lines(text: str) -> str:
    """The page's visible article text, one block per line, data tables kept as HTML."""
    tables: list[str] = []

    def keep(match: re.Match) -> str:
        chunk = match.group(0)
        if _LAYOUT_CONTENT.search(chunk) or len(_ROW.findall(chunk)) < 2:
            return chunk  # a layout table around the article: only its text is kept
        tables.append(" ".join(chunk.split()))
        return f"<p>{_PLACEHOLDER.format(len(tables) - 1)}</p>"

    parser = _PageText()
    parser.feed(_INNERMOST_TABLE.sub(keep, text))
    parser.close()
    lines = []
    for line in "".join(parser.parts).splitlines():
        line = " ".join(html.unescape(line).replace("\u3000", " ").split())
        if line:
            lines.append(_PLACEHOLDER_RE.sub(lambda m: tables[int(m.group(1))], line))
    return "\n".join(lines)
