"""Parse HTML ``<table>`` markup (as MinerU and docling emit inside markdown) into rows."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[list[tuple[str, int, int]]], list[int]]] = []
        self._rows: list[list[tuple[str, int, int]]] | None = None
        self._row_lines: list[int] = []
        self._cell: list[str] | None = None
        self._span = (1, 1)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._rows, self._row_lines = [], []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
            self._row_lines.append(self.getpos()[0])
        elif tag in {"td", "th"} and self._rows is not None:
            self._cell = []
            self._span = (_int(attrs.get("colspan")), _int(attrs.get("rowspan")))
        elif tag == "br" and self._cell is not None:
            self._cell.append("")

    def handle_endtag(self, tag):
        if tag in {"td", "th"} and self._cell is not None and self._rows:
            self._rows[-1].append(("".join(self._cell).strip(), *self._span))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables.append((self._rows, self._row_lines))
            self._rows = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _int(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


def parse_html_tables(markup: str) -> list[tuple[list[list[str]], list[int]]]:
    """Return each table as (rows of cell strings, 1-based line offset of each row).

    Spanned cells keep their text in the first position and "" elsewhere, the same
    convention the other readers use for merged cells.
    """
    parser = _TableParser()
    parser.feed(unescape(markup) if "&lt;table" in markup else markup)
    parser.close()
    result = []
    for spans, row_lines in parser.tables:
        grid: dict[tuple[int, int], str] = {}
        for r, row in enumerate(spans):
            c = 0
            for text, colspan, rowspan in row:
                while (r, c) in grid:
                    c += 1
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid[(r + dr, c + dc)] = text if dr == dc == 0 else ""
                c += colspan
        width = max((c for _, c in grid), default=-1) + 1
        rows = [[grid.get((r, c), "") for c in range(width)] for r in range(len(spans))]
        result.append((rows, row_lines))
    return result
