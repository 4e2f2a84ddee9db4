"""An embeddable font for the synthetic PDFs, built in memory with fontTools.

Why not reportlab's built-in ``STSong-Light``: that CID font is never embedded, and pdfium
(our PDF reader) has no CJK font to substitute on a machine without one, so every CJK glyph
gets an empty box — and a text run of a *single* CJK character (a header cell such as 类, the
last character of a wrapped cell such as 处) is dropped from pdfium's text page altogether.
Published disclosures embed (subsets of) their fonts, so the synthetic ones do too.

No CJK font file ships with the project's dependencies and none may be downloaded, so the
glyphs are plain boxes: the PDF looks like tofu to a person, but every character has a real
glyph, advance width and ``ToUnicode`` entry, which is all text extraction needs. Half-width
glyphs (ASCII, Latin-1, general punctuation) are 500 units wide, CJK and full-width 1000.
"""

from __future__ import annotations

import io
from functools import cache

FONT_NAME = "SynthSong"

_RANGES = (
    (0x0021, 0x007E),
    (0x00A0, 0x00FF),
    (0x2000, 0x206F),
    (0x2100, 0x22FF),
    (0x2460, 0x24FF),
    (0x2500, 0x257F),
    (0x25A0, 0x25FF),
    (0x3000, 0x303F),
    (0x4E00, 0x9FFF),
    (0xFF00, 0xFFEF),
)
"""Code points with a glyph: printable ASCII and Latin-1, punctuation, arithmetic signs
(≤ ≥ ×), circled numbers, CJK punctuation, the CJK unified ideographs and full-width forms."""

_WIDE_FROM = 0x2E80
_UNITS_PER_EM = 1000


def _box(width: int):
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    margin = width // 10
    pen.moveTo((margin, -80))
    pen.lineTo((margin, 760))
    pen.lineTo((width - margin, 760))
    pen.lineTo((width - margin, -80))
    pen.closePath()
    return pen.glyph()


@cache
def font_bytes() -> bytes:
    """The TrueType font file (built once per process, about 0.6 s and 0.9 MB)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    points = [c for low, high in _RANGES for c in range(low, high + 1)]
    names = {c: f"uni{c:04X}" for c in points}
    builder = FontBuilder(_UNITS_PER_EM, isTTF=True)
    builder.setupGlyphOrder([".notdef", "space", *names.values()])
    builder.setupCharacterMap({0x20: "space", **names})
    narrow, wide = _box(500), _box(1000)
    glyphs = {".notdef": wide, "space": TTGlyphPen(None).glyph()}
    metrics = {".notdef": (1000, 100), "space": (500, 0)}
    for code, name in names.items():
        width = 1000 if code >= _WIDE_FROM else 500
        glyphs[name] = wide if width == 1000 else narrow
        metrics[name] = (width, width // 10)
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


@cache
def register() -> str:
    """Register the font with reportlab (once) and return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, io.BytesIO(font_bytes())))
    return FONT_NAME
