"""Read text and markdown conversions of disclosures into the document model.

Users bring conversions made by different tools, so nothing here is fitted to one of them:
tab-separated tables (as in the seed), markdown pipe tables, HTML ``<table>`` blocks inside
markdown, tables laid out with runs of spaces (``pdftotext -layout``), with or without ``#``
heading marks and ``**`` bold marks. Provenance is the 1-based line number.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from analysis.model import Block, Document, Location, ReadError
from analysis.read.formats import text_format
from analysis.read.html_page import is_web_page, page_lines
from analysis.read.html_tables import parse_html_tables
from analysis.read.spaced import spaced_rows

_PIPE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_SPACED_GAP = re.compile(r"\S {2,}\S")
_HEADING = re.compile(r"^(#{1,6})\s*(.*)$")
_BOLD_LINE = re.compile(r"^\*\*(.+?)\*\*\s*$")


@lru_cache(maxsize=100_000)
def _at_line(line: int) -> Location:
    """The location of a line; shared, since locations are immutable and line numbers recur."""
    return Location(line=line)


MAX_TEXT_BYTES = 256 * 1024 * 1024
"""A text conversion larger than this is not a disclosure (the largest are a few MB); reading
it would hold several times its size in memory."""
_UTF16_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_TEXT_SHARE = 0.9
"""Share of the characters that must be ordinary text for a BOM-less UTF-16 guess to stand."""


def _ordinary(char: str) -> bool:
    """Printable ASCII, whitespace, CJK ideographs and punctuation, full-width forms."""
    code = ord(char)
    return (
        32 <= code < 127
        or char in "\t\r\n"
        or 0x4E00 <= code <= 0x9FFF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
        or 0x2000 <= code <= 0x206F
        or 0xB7 == code
    )


def _utf16(data: bytes) -> tuple[str, str] | None:
    """Text and codec when ``data`` is UTF-16 (by its BOM, or by the byte order that decodes to
    ordinary text) and reads as ordinary text: Chinese with ASCII digits and line breaks, as
    disclosures are. A BOM followed by noise is not taken on trust.

    Without a BOM this is only asked when NUL bytes are present: UTF-16 of text with any
    ASCII has them, so a GBK file is never taken for UTF-16.
    """
    candidates = [(data[len(bom) :], codec) for bom, codec in _UTF16_BOMS if data.startswith(bom)] or [
        (data, "utf-16-le"),
        (data, "utf-16-be"),
    ]
    best = None
    for body, codec in candidates:
        body = body[: len(body) // 2 * 2]  # a file cut mid-character: keep what was read
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        sample = text[:4096]
        share = sum(map(_ordinary, sample)) / max(len(sample), 1)
        if share >= _TEXT_SHARE and (best is None or share > best[0]):
            best = (share, text, codec)
    return (best[1], best[2]) if best else None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM), UTF-16 (with BOM, or without when its text is
    ordinary) or GB18030/GBK; raise ReadError otherwise."""
    if not data.strip():
        raise ReadError("文件为空 (empty file)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        decoded = _utf16(data)
        if decoded is not None:
            if not decoded[0].strip():
                raise ReadError("文件为空 (empty file)")
            return decoded
        if b"\x00" in data[:4096]:
            raise ReadError("二进制文件，不是文本 (binary file with NUL bytes, not text)")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise ReadError(f"无法识别的文本编码：既不是 UTF-8 也不是 GB18030 (byte {utf8_error.start})") from None


def read_text(path: str | Path) -> Document:
    """Read a text/markdown/HTML conversion of a disclosure."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise ReadError(f"文本文件过大 (text file of {size / 2**20:.0f} MB, limit {MAX_TEXT_BYTES / 2**20:.0f} MB)")
    text, encoding = decode_bytes(path.read_bytes())
    if "\ufffd" in text and text.count("\ufffd") > max(3, len(text) // 200):
        raise ReadError("文本含大量替换字符，编码已损坏 (mis-encoded text)")
    fmt = text_format(path)
    if is_web_page(text):  # a saved web page: its article text, not its markup and navigation
        fmt, text = "html", page_lines(text)
    return Document(path=str(path), format=fmt, blocks=text_to_blocks(text), encoding=encoding)


def text_to_blocks(text: str) -> list[Block]:
    """Split decoded text into heading, paragraph and table blocks in reading order."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
        elif "<" in stripped and "<table" in stripped.lower():
            i = _take_html(lines, i, blocks)
        elif "\t" in line and stripped:
            i = _take_delimited(lines, i, blocks, _is_tab_row, _split_tab)
        elif stripped.startswith("|") and stripped.count("|") >= 2:
            i = _take_delimited(lines, i, blocks, _is_pipe_row, _split_pipe)
        elif _is_spaced_row(line) and _is_spaced_table(lines, i):
            i = _take_spaced(lines, i, blocks)
        else:
            blocks.append(_text_block(stripped, i + 1))
            i += 1
    return blocks


def _text_block(stripped: str, line_no: int) -> Block:
    heading = _HEADING.match(stripped) if stripped[0] == "#" else None
    if heading:
        return Block(
            "heading", _at_line(line_no), text=heading.group(2).replace("**", "").strip(), level=len(heading.group(1))
        )
    if "**" not in stripped:  # most lines carry no markdown at all
        return Block("paragraph", _at_line(line_no), text=stripped)
    bold = _BOLD_LINE.match(stripped)
    text = bold.group(1) if bold else stripped
    return Block("paragraph", _at_line(line_no), text=text.replace("**", "").strip())


def _is_tab_row(line: str) -> bool:
    return "\t" in line and not line.isspace()  # a line of tabs only is a blank line


def _split_tab(line: str) -> list[str]:
    return list(map(str.strip, line.split("\t")))


def _is_pipe_row(line: str) -> bool:
    s = line.strip()
    return s.startswith("|") and s.count("|") >= 2


def _split_pipe(line: str) -> list[str] | None:
    s = line.strip()
    if _PIPE_SEPARATOR.match(s):
        return None
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip().replace("<br>", "").replace("<br/>", "") for c in s.split("|")]


def _is_spaced_row(line: str) -> bool:
    """Two or more fields separated by runs of spaces (pdftotext -layout)."""
    return "  " in line and _SPACED_GAP.search(line) is not None


def _take_spaced(lines: list[str], start: int, blocks: list[Block]) -> int:
    """A run of space-aligned rows, cells placed by position (see analysis.read.spaced)."""
    end = start
    while end < len(lines) and _is_spaced_row(lines[end]):
        end += 1
    rows = spaced_rows(lines[start:end])
    locations = [_at_line(n + 1) for n in range(start, end)]
    blocks.append(Block("table", locations[0], rows=rows, row_locations=locations))
    return end


def _is_spaced_table(lines: list[str], start: int) -> bool:
    """Three aligned lines, or two with three or more fields each (a short header-only table);
    prose with an occasional double space is not a table."""
    run = _spaced_run_length(lines, start)
    return run >= 3 or (run == 2 and all(len(_SPACED_GAP.findall(lines[start + k])) >= 2 for k in range(2)))


def _spaced_run_length(lines: list[str], start: int) -> int:
    n = 0
    while start + n < len(lines) and _is_spaced_row(lines[start + n]):
        n += 1
    return n


def _take_delimited(lines, start, blocks, is_row, split) -> int:
    """Collect one table; a blank line followed by another row of the same kind continues it
    (converters leave a blank line where the PDF had a page break inside the table)."""
    rows: list[list[str]] = []
    locations: list[Location] = []
    i, n = start, len(lines)
    while i < n:
        line = lines[i]
        if is_row(line):  # rows first: they are most lines of a table
            cells = split(line)
            if cells is not None:
                rows.append(cells)
                locations.append(_at_line(i + 1))
            i += 1
            continue
        if line and not line.isspace():
            break
        j = i
        while j < n and (not lines[j] or lines[j].isspace()):
            j += 1
        if j < n and is_row(lines[j]):
            i = j
            continue
        break
    if rows:
        blocks.append(Block("table", locations[0], rows=rows, row_locations=locations))
    return i


def _take_html(lines: list[str], start: int, blocks: list[Block]) -> int:
    """Collect lines up to the closing ``</table>`` and parse them as HTML tables."""
    end = start
    depth = 0
    while end < len(lines):
        low = lines[end].lower()
        depth += low.count("<table") - low.count("</table")
        end += 1
        if depth <= 0:
            break
    chunk = "\n".join(lines[start:end])
    prefix = chunk[: chunk.lower().find("<table")]
    # block-level tags end a line: "<h2>…表</h2><p>单位：万元</p>" are two blocks, not one
    prefix = re.sub(r"(?i)</?(h[1-6]|p|div|br|li|tr|title)\b[^>]*>", "\n", prefix)
    for piece in re.sub(r"<[^>]+>", "", prefix).splitlines():
        if piece.strip():
            blocks.append(_text_block(piece.strip(), start + 1))
    for rows, row_lines in parse_html_tables(chunk):
        locations = [_at_line(start + n) for n in row_lines]
        if rows:
            blocks.append(Block("table", locations[0], rows=rows, row_locations=locations))
    return end
