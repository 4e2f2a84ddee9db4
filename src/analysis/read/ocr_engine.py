"""The OCR engine behind image-only pages: RapidOCR with the ONNX models inside its wheel.

Chosen by measurement (issue 17, ``bench/bench_ocr.py``): on corpus table pages rendered at
200 dpi with noise it read 88 % of the amounts as printed before any layout work, where
Tesseract 5 ``chi_sim`` read almost none (it splits decimals, "446. 11", and drops rows of
ruled tables). ``rapidocr-onnxruntime`` (Apache-2.0) ships the PP-OCRv4 detection and
recognition models (Apache-2.0) in the wheel, so nothing is fetched at run time; onnxruntime
(MIT), OpenCV (Apache-2.0), pyclipper (MIT) and shapely (BSD) come with it.

The engine is optional (``pip install analysis[ocr]``): :func:`ocr_available` says whether it
is installed, and readers keep their "needs OCR" reason when it is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

SPLIT_NUMBER = re.compile(r"(?<=\d[.,，．])\s+(?=\d)")
"""A space the recogniser put after a decimal point or thousands comma ("418. 75")."""
WIDE = str.maketrans({"，": ",", "．": ".", "－": "-", "：": ":"})
"""Full-width punctuation inside numbers, as the recogniser sometimes returns it."""


@dataclass(frozen=True, slots=True)
class OcrBox:
    """One recognised text run in image pixels: an axis-aligned box, its text and score."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    score: float
    angle: float = 0.0
    """Slope of the box's top edge in degrees (positive: rising to the right)."""


def ocr_available() -> bool:
    """Whether the optional OCR engine is installed."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    # The angle classifier is skipped: whole pages are turned upright before recognition.
    return RapidOCR(use_cls=False, print_verbose=False)


def _clean(text: str) -> str:
    if any(ch.isdigit() for ch in text):
        text = SPLIT_NUMBER.sub("", text.translate(WIDE))
    return text.strip()


def recognise(image: np.ndarray) -> list[OcrBox]:
    """Text boxes of an RGB or grey image, in reading order of the engine."""
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    result, _ = _engine()(image, use_cls=False)
    boxes = []
    for quad, text, score in result or []:
        text = _clean(text)
        if not text:
            continue
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        dx, dy = quad[1][0] - quad[0][0], quad[1][1] - quad[0][1]
        angle = float(np.degrees(np.arctan2(-dy, dx))) if dx > 0 else 0.0
        boxes.append(OcrBox(min(xs), min(ys), max(xs), max(ys), text, float(score), angle))
    return boxes
