"""Raw page content from pdfium: characters with boxes, ruling edges and image cover.

This is the only module of the PDF reader that talks to pypdfium2's low-level API. It turns
one page into plain Python values in *reading* coordinates (points, y growing downwards,
origin at the top left of the page turned so that its text reads left to right: normally
the page's ``/Rotate``, otherwise the turn of its characters), so that everything after it
can reason about "above", "left of" and "same line" without caring how the PDF was written.

Speed matters here (issue 4, "speed"): the per-character loop makes one ctypes call per
character for its box and one for its font weight, and reads the text of the whole page in
a single call. Whitespace is dropped; later stages decide spacing from geometry.
"""

from __future__ import annotations

import ctypes
import math
from collections import Counter
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

BOLD_WEIGHT = 600
"""Font weight from which a character counts as bold."""
THIN = 2.5
"""A drawn rectangle thinner than this (points) is a ruling line, not a box."""
MIN_EDGE = 3.0
"""Edges shorter than this (points) are dots or corner fillers, not rulings."""
ANGLE_SAMPLE = 40
"""How many characters are asked for their angle to find the page's reading direction."""
MAX_FORM_DEPTH = 8
"""How deep nested form XObjects are followed."""
MAX_PAGE_OBJECTS = 1_000_000
"""Drawing objects visited on one page before it is given up: a form drawn ten times inside a
form drawn ten times … makes a small file hold billions (real pages hold thousands)."""


class PageTooComplex(Exception):
    """A page draws more than :data:`MAX_PAGE_OBJECTS` objects."""


class Char:
    """One visible character in display coordinates (points, y grows downwards).

    Size and centre are stored rather than computed on demand: line grouping and cell
    assignment read them millions of times over a corpus.
    """

    __slots__ = ("bold", "bottom", "mid_x", "mid_y", "size", "text", "top", "x0", "x1")

    def __init__(self, text: str, x0: float, x1: float, top: float, bottom: float, bold: bool = False) -> None:
        self.text = text
        self.x0, self.x1, self.top, self.bottom = x0, x1, top, bottom
        self.bold = bold
        self.size = bottom - top
        """The height of the character's font box, used as its font size."""
        self.mid_x = (x0 + x1) / 2
        self.mid_y = (top + bottom) / 2

    def __repr__(self) -> str:
        return f"Char({self.text!r}, x={self.x0:.1f}-{self.x1:.1f}, y={self.top:.1f}-{self.bottom:.1f})"


@dataclass(slots=True)
class Edge:
    """A horizontal (``h``) or vertical (``v``) ruling segment.

    ``pos`` is the y of a horizontal edge or the x of a vertical one; ``start``/``end`` the
    extent along the edge.
    """

    orient: str
    pos: float
    start: float
    end: float


@dataclass(slots=True)
class PageContent:
    """Everything the layout stages need from one page."""

    number: int
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    image_cover: float = 0.0
    """Share of the page area covered by images (0–1, overlaps counted twice)."""
    unmapped_chars: int = 0
    """Characters whose font has no Unicode map or that land in the private-use area."""


Matrix = tuple[float, float, float, float, float, float]
"""An affine map (a, b, c, d, e, f): x' = a·x + c·y + e, y' = b·x + d·y + f (PDF convention)."""


def _then(first: Matrix, second: Matrix) -> Matrix:
    """The map that applies ``first`` and then ``second``."""
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = second
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _on_point(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _on_box(m: Matrix, left: float, bottom: float, right: float, top: float) -> tuple[float, ...]:
    """Display (x0, top, x1, bottom) of a rectangle under an axis-preserving map."""
    ax, ay = _on_point(m, left, bottom)
    bx, by = _on_point(m, right, top)
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _display_matrix(page: pdfium.PdfPage, rotation: int) -> tuple[Matrix, float, float]:
    """The map from PDF user space to reading space, and the page's width and height there.

    Reading space has its origin at the top left of the crop box turned clockwise by
    ``rotation`` degrees (the page's ``/Rotate``, or the turn that makes its text upright).
    """
    left, bottom, right, top = page.get_cropbox()
    width, height = right - left, top - bottom
    if rotation == 90:
        return (0.0, 1.0, 1.0, 0.0, -bottom, -left), height, width
    if rotation == 180:
        return (-1.0, 0.0, 0.0, 1.0, right, -bottom), width, height
    if rotation == 270:
        return (0.0, -1.0, -1.0, 0.0, top, right), height, width
    return (1.0, 0.0, 0.0, -1.0, -left, top), width, height


def _reading_rotation(handle, text: str, page_rotation: int) -> int:
    """The clockwise turn (0/90/180/270) under which most of the page's text reads upright.

    Usually the page's ``/Rotate``; but a landscape table may be drawn turned on a portrait
    page without it, and then its characters' own angle tells the turn.
    """
    votes: Counter[int] = Counter()
    for index, letter in enumerate(text):
        if letter.isspace():
            continue
        angle = pdfium_c.FPDFText_GetCharAngle(handle, index)
        if angle >= 0:
            # pdfium measures clockwise; text turned clockwise by a needs a turn of -a.
            votes[(360 - round(math.degrees(angle) / 90) * 90) % 360] += 1
        if sum(votes.values()) >= ANGLE_SAMPLE:
            break
    if not votes:
        return page_rotation % 360
    return votes.most_common(1)[0][0]


def read_chars(handle, text: str, display: Matrix) -> tuple[list[Char], int]:
    """The visible characters of a text page and the number of unmapped ones."""
    count = len(text)
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    weight_of = pdfium_c.FPDFText_GetFontWeight
    map_error = pdfium_c.FPDFText_HasUnicodeMapError
    chars: list[Char] = []
    unmapped = 0
    # The display map only scales, flips or swaps axes; it is inlined because this loop
    # runs once per character of the document.
    a, b, c, d, e, f = display
    swap = a == 0
    for index in range(count):
        letter = text[index]
        if letter.isspace():
            continue
        code = ord(letter)
        if 0xE000 <= code <= 0xF8FF or code == 0xFFFD or code < 0x20 or map_error(handle, index):
            unmapped += 1
            continue
        if not loose_box(handle, index, rect_ref):
            continue
        if swap:
            xa, xb = c * rect.bottom + e, c * rect.top + e
            ya, yb = b * rect.left + f, b * rect.right + f
        else:
            xa, xb = a * rect.left + e, a * rect.right + e
            ya, yb = d * rect.bottom + f, d * rect.top + f
        x0, x1 = (xa, xb) if xa < xb else (xb, xa)
        top, bottom = (ya, yb) if ya < yb else (yb, ya)
        if x1 > x0 and bottom > top:
            chars.append(Char(letter, x0, x1, top, bottom, weight_of(handle, index) >= BOLD_WEIGHT))
    return chars, unmapped


def _bounds(obj) -> tuple[float, float, float, float]:
    """User-space (left, bottom, right, top) of a raw page object."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
    return left.value, bottom.value, right.value, top.value


def _matrix(obj) -> Matrix:
    raw_matrix = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj, raw_matrix)
    return (raw_matrix.a, raw_matrix.b, raw_matrix.c, raw_matrix.d, raw_matrix.e, raw_matrix.f)


def _path_edges(obj, to_display: Matrix) -> list[Edge]:
    """Ruling edges drawn by one path object (lines, thin rectangles, box outlines).

    ``to_display`` maps the space the object's bounds are given in (page space, or the space
    of an enclosing form XObject) to display space.
    """
    x0, top, x1, bottom = _on_box(to_display, *_bounds(obj))
    width, height = x1 - x0, bottom - top
    if width < THIN and height < THIN:
        return []
    if height < THIN:
        return [Edge("h", (top + bottom) / 2, x0, x1)] if width >= MIN_EDGE else []
    if width < THIN:
        return [Edge("v", (x0 + x1) / 2, top, bottom)] if height >= MIN_EDGE else []
    return _segment_edges(obj, _then(_matrix(obj), to_display))


def _segment_edges(obj, matrix: Matrix) -> list[Edge]:
    """Axis-parallel straight segments of a larger path (box outlines, grids drawn in one path)."""
    x, y = ctypes.c_float(), ctypes.c_float()
    edges: list[Edge] = []
    start: tuple[float, float] | None = None
    previous: tuple[float, float] | None = None
    for index in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, index)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        current = _on_point(matrix, x.value, y.value)
        if kind == pdfium_c.FPDF_SEGMENT_LINETO and previous is not None:
            edges.extend(_edge_between(previous, current))
        elif kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = current
        previous = current
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            edges.extend(_edge_between(current, start))
            previous = start
    return edges


def _edge_between(a: tuple[float, float], b: tuple[float, float]) -> list[Edge]:
    """The edge from ``a`` to ``b`` when it is horizontal or vertical and long enough."""
    (ax, ay), (bx, by) = a, b
    if abs(ay - by) < 1 and abs(ax - bx) >= MIN_EDGE:
        return [Edge("h", (ay + by) / 2, min(ax, bx), max(ax, bx))]
    if abs(ax - bx) < 1 and abs(ay - by) >= MIN_EDGE:
        return [Edge("v", (ax + bx) / 2, min(ay, by), max(ay, by))]
    return []


def _is_invisible(obj) -> bool:
    """Whether a path draws nothing a reader would see as a line (no stroke, white fill)."""
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill_mode), ctypes.byref(stroke)):
        return False
    if stroke.value:
        return False
    if fill_mode.value == 0:
        return True
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    pdfium_c.FPDFPageObj_GetFillColor(obj, red, green, blue, alpha)
    return alpha.value == 0 or min(red.value, green.value, blue.value) >= 250


def read_graphics(page: pdfium.PdfPage, display: Matrix) -> tuple[list[Edge], float]:
    """Ruling edges of the page and the share of its area covered by images."""
    edges: list[Edge] = []
    count = pdfium_c.FPDFPage_CountObjects(page.raw)
    children = (pdfium_c.FPDFPage_GetObject(page.raw, i) for i in range(count))
    image_area = _collect_graphics(children, display, edges, 0, [MAX_PAGE_OBJECTS])
    page_area = max(page.get_width() * page.get_height(), 1.0)
    return edges, min(image_area / page_area, 1.0)


def _collect_graphics(objects, to_display: Matrix, edges: list[Edge], depth: int, budget: list[int]) -> float:
    """Append the edges of raw page objects and return the area their images cover.

    pdfium gives the bounds of objects inside a form XObject in the form's own space, so the
    form's matrix is composed into ``to_display`` on the way down. Text objects, by far the
    most numerous, are skipped without building any Python wrapper. ``budget`` counts down the
    objects still allowed on the page (see :data:`MAX_PAGE_OBJECTS`).
    """
    image_area = 0.0
    get_type = pdfium_c.FPDFPageObj_GetType
    for obj in objects:
        budget[0] -= 1
        if budget[0] < 0:
            raise PageTooComplex(f"more than {MAX_PAGE_OBJECTS} drawing objects (nested forms)")
        kind = get_type(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            if not _is_invisible(obj):
                edges.extend(_path_edges(obj, to_display))
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            x0, top, x1, bottom = _on_box(to_display, *_bounds(obj))
            image_area += (x1 - x0) * (bottom - top)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            count = pdfium_c.FPDFFormObj_CountObjects(obj)
            kids = (pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(count))
            inner = _then(_matrix(obj), to_display)
            image_area += _collect_graphics(kids, inner, edges, depth + 1, budget)
    return image_area


def _visible(edge: Edge, width: float, height: float) -> bool:
    """Whether an edge lies (at least partly) on the visible page."""
    along, across = (width, height) if edge.orient == "h" else (height, width)
    return 0 <= edge.pos <= across and edge.end >= 0 and edge.start <= along


def _page_text(textpage: pdfium.PdfTextPage) -> str:
    """All characters of the text page, one string position per character index."""
    count = pdfium_c.FPDFText_CountChars(textpage.raw)
    text = textpage.get_text_range(0, count) if count > 0 else ""
    if len(text) != count:
        # Characters outside the BMP take two UTF-16 units; fall back to one call each.
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))
    return text


def read_page(pdf: pdfium.PdfDocument, index: int) -> PageContent:
    """Characters, edges and image cover of page ``index`` (0-based), in reading space."""
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        text = _page_text(textpage)
        rotation = _reading_rotation(textpage.raw, text, page.get_rotation())
        display, width, height = _display_matrix(page, rotation)
        chars, unmapped = read_chars(textpage.raw, text, display)
        edges, image_cover = read_graphics(page, display)
        # Spreadsheet exports sometimes carry the next sheet's content outside the crop box;
        # a reader never sees it, so neither do we.
        chars = [c for c in chars if 0 <= c.mid_x <= width and 0 <= c.mid_y <= height]
        edges = [e for e in edges if _visible(e, width, height)]
        return PageContent(index + 1, width, height, chars, edges, image_cover, unmapped)
    finally:
        textpage.close()
        page.close()
