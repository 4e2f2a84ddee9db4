"""Characters to lines and strings, with Chinese-aware spacing.

Chinese text has no spaces between words, but PDFs often place characters of a header one
by one with wide gaps ("项    目", hazard 2 of DOMAIN §0.6) or wrap a cell's text over
several lines (hazard 1). Both must come out as one unspaced string, while "1,234.56" or
"Project Office" keep their spaces. This module holds those joining rules and the grouping
of characters into lines, which tolerates the small baseline shifts between a Song-style
CJK font and the Latin font used for its digits.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

from analysis.read.pdf_page import Char

LINE_TOLERANCE = 0.5
"""Characters whose vertical centres differ by less than this share of the font size share a line."""
SPACE_GAP = 0.2
"""A gap wider than this share of the font size between Latin letters or digits is a space."""
CHUNK_GAP = 1.2
"""A gap wider than this share of the font size separates two chunks (possible columns)."""
WIDE_GAP = 3.0
"""In running text a gap this wide (in font sizes) keeps a space even between CJK characters."""
DUPLICATE_OFFSET = 0.3
"""The same character drawn again within this share of its width is a fake-bold overprint."""

NUMBER = re.compile(r"^[-−–(（]?\d[\d,，]*(\.\d+)?%?[)）]?$")
"""Text that is one amount, count or percentage."""

_CJK_RANGES = (
    (0x2E80, 0x2FFF),  # radicals, Kangxi
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x31FF),  # kana, bopomofo, strokes
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms
    (0x20000, 0x2FA1F),  # supplementary ideographs
)


@cache
def is_cjk(letter: str) -> bool:
    """Whether a character is Chinese (ideograph, CJK punctuation or a full-width form)."""
    code = ord(letter[0])
    if code < 0x2E80:
        return letter in "“”‘’…—·"
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _is_latin(letter: str) -> bool:
    return letter.isascii() and letter.isalpha()


@dataclass(slots=True)
class TextLine:
    """Characters on one visual line, left to right."""

    chars: list[Char]
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool

    @property
    def mid_y(self) -> float:
        """Vertical centre of the line."""
        return (self.top + self.bottom) / 2

    def text(self, *, keep_wide_gaps: bool = True) -> str:
        """The line as a string (see :func:`join_chars`)."""
        return join_chars(self.chars, keep_wide_gaps=keep_wide_gaps)

    def chunks(self) -> list[list[Char]]:
        """The line cut at wide gaps, the candidates for table cells of an unruled table."""
        pieces: list[list[Char]] = [[self.chars[0]]]
        for before, after in zip(self.chars, self.chars[1:]):
            if after.x0 - before.x1 > CHUNK_GAP * max(before.size, after.size):
                pieces.append([after])
            else:
                pieces[-1].append(after)
        return pieces


def make_line(chars: list[Char]) -> TextLine:
    """A :class:`TextLine` from characters of one line (any order); overprints are removed."""
    ordered = sorted(chars, key=_left)
    last = ordered[0]
    kept = [last]
    top, bottom, bold = last.top, last.bottom, int(last.bold)
    for char in ordered[1:]:
        if char.text == last.text and abs(char.x0 - last.x0) < DUPLICATE_OFFSET * (last.x1 - last.x0):
            continue
        kept.append(char)
        last = char
        if char.top < top:
            top = char.top
        if char.bottom > bottom:
            bottom = char.bottom
        bold += char.bold
    sizes = sorted(c.size for c in kept)
    return TextLine(
        chars=kept,
        x0=kept[0].x0,
        x1=max(c.x1 for c in kept),
        top=top,
        bottom=bottom,
        size=sizes[len(sizes) // 2],
        bold=bold * 2 > len(kept),
    )


def _left(char: Char) -> float:
    return char.x0


def _middle(char: Char) -> float:
    return char.mid_y


PUNCTUATION_MARKS = frozenset("，。、；：！？,.;:!?…‘’“”'\"·")
"""Marks whose glyph box is a small part of the em square (low for commas and stops, high for
quotes): by their own box they would make a line of their own below or above their sentence."""


def group_lines(chars: list[Char]) -> list[TextLine]:
    """Cluster characters into lines, top to bottom.

    Characters join the current line while their vertical centre stays within
    :data:`LINE_TOLERANCE` of the smaller font size from the line's running centre, so digits
    set in a Latin font with a slightly different baseline stay with their sentence.
    Punctuation marks are placed afterwards, on the line whose height they fall within: their
    boxes are small and off-centre, and a line of marks alone would be joined to the paragraph
    as "，，，" that no page shows.
    """
    if not chars:
        return []
    marks = [c for c in chars if c.text in PUNCTUATION_MARKS]
    words = [c for c in chars if c.text not in PUNCTUATION_MARKS] if marks else chars
    groups = _cluster(words) if words else []
    if marks and groups:
        marks = _place_marks(marks, groups)
    if marks:
        groups = sorted(groups + _cluster(marks), key=lambda g: min(c.top for c in g))
    return [make_line(group) for group in groups]


def _cluster(chars: list[Char]) -> list[list[Char]]:
    ordered = sorted(chars, key=_middle)
    first = ordered[0]
    groups: list[list[Char]] = [[first]]
    group = groups[0]
    centre, size = first.mid_y, first.size
    for char in ordered[1:]:
        char_size = char.size
        if abs(char.mid_y - centre) <= LINE_TOLERANCE * (size if size < char_size else char_size):
            group.append(char)
            centre += (char.mid_y - centre) / len(group)
            if char_size > size:
                size = char_size
        else:
            group = [char]
            groups.append(group)
            centre, size = char.mid_y, char_size
    return groups


def _place_marks(marks: list[Char], groups: list[list[Char]]) -> list[Char]:
    """Add each mark to the line whose band (top to bottom, widened by a fifth of its height)
    holds the mark's centre; among several such lines (columns side by side) the one nearest
    across. The marks no line takes are returned."""
    bands = []
    for group in groups:
        top, bottom = min(c.top for c in group), max(c.bottom for c in group)
        pad = 0.2 * (bottom - top)
        bands.append((top - pad, bottom + pad, min(c.x0 for c in group), max(c.x1 for c in group), group))
    left = []
    for mark in marks:
        best = None
        for top, bottom, x0, x1, group in bands:
            if top <= mark.mid_y <= bottom:
                across = max(x0 - mark.mid_x, mark.mid_x - x1, 0.0)
                if best is None or across < best[0]:
                    best = (across, group)
        if best is None:
            left.append(mark)
        else:
            best[1].append(mark)
    return left


def _usual_gap(chars: list[Char]) -> float:
    """The typical gap between neighbouring characters of a line (letter spacing).

    Justified text spreads every character apart; a space is a gap clearly wider than that.
    """
    if len(chars) < 4:
        return 0.0
    gaps = sorted(after.x0 - before.x1 for before, after in itertools.pairwise(chars))
    return max(0.0, gaps[len(gaps) // 2])


def join_chars(chars: list[Char], *, keep_wide_gaps: bool = True) -> str:
    """Join the characters of one line (already left to right).

    Spaces appear only where the gap is wider than the line's usual letter spacing between
    non-CJK characters, never between CJK characters in a table cell
    (``keep_wide_gaps=False``); in running text a very wide gap (e.g. between "部门：…" and
    "单位：万元" on one line) keeps one space.
    """
    if not chars:
        return ""
    parts = [chars[0].text]
    before = chars[0]
    before_cjk = is_cjk(before.text)
    usual = _usual_gap(chars)
    for after in chars[1:]:
        after_cjk = is_cjk(after.text)
        gap = after.x0 - before.x1 - usual
        size = before.size if before.size > after.size else after.size
        if before_cjk or after_cjk:
            if keep_wide_gaps and gap > WIDE_GAP * size:
                parts.append(" ")
        elif gap > SPACE_GAP * size and not (after.text in "%％" and before.text.isdigit()):
            parts.append(" ")
        parts.append(after.text)
        before, before_cjk = after, after_cjk
    return "".join(parts)


def join_lines(texts: list[str]) -> str:
    """Join wrapped lines of one cell or paragraph.

    Only a break between two Latin letters becomes a space; a break between Chinese
    characters or inside a number ("1,234," + "567.00") disappears.
    """
    result = ""
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if result and _is_latin(result[-1]) and _is_latin(text[0]):
            result += " "
        result += text
    return result


def cell_text(chars: list[Char]) -> str:
    """The text of a table cell: its lines joined into one unspaced-CJK string."""
    return join_lines([line.text(keep_wide_gaps=False) for line in group_lines(chars)])
