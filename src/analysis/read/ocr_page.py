"""One page image → the PDF reader's :class:`PageContent`, so its layout stages run unchanged.

OCR boxes become characters (each box's text spread over its width, CJK characters twice as
wide as digits and Latin letters); ruling lines are found in the image with morphological
openings and become :class:`Edge` segments; the ruled and unruled table finders, line
grouping and block building then treat the page like a text-layer page.

Before recognition counts, the page is turned upright: a page whose boxes stand tall or read
with low confidence is tried at the other quarter turns and the best-read turn is kept; a
small skew (a scanner's few degrees) is measured from the boxes' top edges and rotated out.
Coordinates are scaled so that the usual text height is about 10 points, whatever the image's
resolution, because the layout stages' thresholds are in points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.read.ocr_engine import OcrBox, recognise
from analysis.read.pdf_page import Char, Edge, PageContent
from analysis.read.pdf_text import is_cjk

BODY_POINTS = 10.0
"""Text height in points that the page's median box height is scaled to."""
GLYPH_SHARE = 0.8
"""Share of a detection box's height taken by the glyphs (the detector pads its boxes)."""
NARROW = 0.5
"""Width of a digit, Latin letter or punctuation mark relative to a CJK character."""
LINE_KERNEL = 25
"""A ruling is at least 1/LINE_KERNEL of the page's width (horizontal) or height (vertical)."""
MAX_LINE_THICKNESS = 0.4
"""A ruling is thinner than this share of the median text height."""
SKEW_MIN_DEGREES = 0.3
"""Skew below this is left alone: the layout stages' line grouping absorbs it."""
GOOD_SCORE = 0.9
"""Mean recognition score from which a page counts as read upright at the first try."""


@dataclass(slots=True)
class OcrPage:
    """A page read by OCR: its content for the layout stages and the boxes behind it."""

    content: PageContent
    boxes: list[OcrBox]
    """Recognised boxes in page points (after turning and scaling)."""
    box_of_char: dict[int, int]
    """``id(char)`` → index in ``boxes``."""
    turn: int
    """Clockwise quarter turn (0/90/180/270) applied to make the page upright."""
    skew: float
    """Degrees of skew rotated out."""
    scale: float
    """Points per image pixel."""


def _to_grey(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3:
        return (image[..., :3] @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)
    return image.astype(np.uint8)


def _quality(boxes: list[OcrBox]) -> float:
    """Mean score weighted by text length, lowered by boxes that stand tall (text on its side)."""
    if not boxes:
        return 0.0
    weight = sum(len(b.text) for b in boxes)
    score = sum(b.score * len(b.text) for b in boxes) / weight
    tall = sum(len(b.text) for b in boxes if b.bottom - b.top > 1.5 * (b.x1 - b.x0)) / weight
    return score * (1 - tall)


def _turned(grey: np.ndarray, turn: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(grey, k=-(turn // 90)))  # clockwise turn


def upright(grey: np.ndarray) -> tuple[np.ndarray, list[OcrBox], int]:
    """The page turned so that its text reads upright, its boxes, and the turn applied."""
    boxes = recognise(grey)
    quality = _quality(boxes)
    if quality >= GOOD_SCORE:
        return grey, boxes, 0
    best = (quality, 0, grey, boxes)
    for turn in (90, 270, 180):
        turned = _turned(grey, turn)
        candidate = recognise(turned)
        q = _quality(candidate)
        if q > best[0]:
            best = (q, turn, turned, candidate)
        if q >= GOOD_SCORE:
            break
    _, turn, grey, boxes = best
    return grey, boxes, turn


def _skew(boxes: list[OcrBox]) -> float:
    """Median slope of long boxes' top edges, in degrees."""
    angles = [b.angle for b in boxes if b.x1 - b.x0 > 4 * (b.bottom - b.top)]
    return float(np.median(angles)) if len(angles) >= 3 else 0.0


def deskew(grey: np.ndarray, boxes: list[OcrBox]) -> tuple[np.ndarray, list[OcrBox], float]:
    """Rotate out a skew the boxes show; the boxes are recognised again on the straight page."""
    import cv2

    angle = _skew(boxes)
    if abs(angle) < SKEW_MIN_DEGREES:
        return grey, boxes, 0.0
    h, w = grey.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    straight = cv2.warpAffine(
        grey, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
    return straight, recognise(straight), angle


def rulings(grey: np.ndarray, text_height: float) -> list[Edge]:
    """Horizontal and vertical ruling segments of the image, in pixels."""
    import cv2

    ink = cv2.adaptiveThreshold(255 - grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -10)
    h, w = grey.shape
    thick = max(2.0, MAX_LINE_THICKNESS * text_height)
    edges: list[Edge] = []
    for orient, kernel in (("h", (max(20, w // LINE_KERNEL), 1)), ("v", (1, max(20, h // LINE_KERNEL)))):
        lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        lines = cv2.dilate(lines, np.ones((3, 3), np.uint8))  # heal breaks from noise
        count, _, stats, _ = cv2.connectedComponentsWithStats(lines)
        for x, y, bw, bh, _area in stats[1:count]:
            across, _along = (bh, bw) if orient == "h" else (bw, bh)
            if across - 2 > thick:
                continue  # a filled area or a block of text, not a line
            if orient == "h":
                edges.append(Edge("h", y + bh / 2, float(x), float(x + bw)))
            else:
                edges.append(Edge("v", x + bw / 2, float(y), float(y + bh)))
    return edges


def _chars(box: OcrBox) -> list[Char]:
    """The box's characters, spread over its width by their usual widths."""
    height = box.bottom - box.top
    pad = (1 - GLYPH_SHARE) / 2 * height
    top, bottom = box.top + pad, box.bottom - pad
    weights = [1.0 if is_cjk(ch) else NARROW for ch in box.text]
    unit = (box.x1 - box.x0) / sum(weights)
    chars, x = [], box.x0
    for ch, weight in zip(box.text, weights):
        if not ch.isspace():
            chars.append(Char(ch, x, x + weight * unit, top, bottom))
        x += weight * unit
    return chars


def _scaled(box: OcrBox, scale: float) -> OcrBox:
    return OcrBox(box.x0 * scale, box.top * scale, box.x1 * scale, box.bottom * scale, box.text, box.score, box.angle)


def read_image_page(image: np.ndarray, number: int) -> OcrPage:
    """OCR one page image (RGB or grey array) into page content for the layout stages."""
    grey = _to_grey(image)
    grey, boxes, turn = upright(grey)
    grey, boxes, skew = deskew(grey, boxes)
    heights = sorted(b.bottom - b.top for b in boxes) or [BODY_POINTS / GLYPH_SHARE]
    text_height = heights[len(heights) // 2] * GLYPH_SHARE
    scale = BODY_POINTS / text_height
    boxes = [_scaled(b, scale) for b in boxes]
    chars: list[Char] = []
    box_of_char: dict[int, int] = {}
    for index, box in enumerate(boxes):
        for char in _chars(box):
            chars.append(char)
            box_of_char[id(char)] = index
    edges = [Edge(e.orient, e.pos * scale, e.start * scale, e.end * scale) for e in rulings(grey, text_height)]
    h, w = grey.shape
    content = PageContent(number, w * scale, h * scale, chars, edges, image_cover=1.0)
    return OcrPage(content, boxes, box_of_char, turn, skew, scale)
