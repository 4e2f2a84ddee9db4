"""The OCR'd cells of a document as JSON for ``documents.ocr_cells``: what the OCR
verification needs at check time (page, text, confidence and crop of every cell with a digit)."""

from __future__ import annotations

import json

from analysis.model import Document


def ocr_cells_json(document: Document) -> str | None:
    """``{"pages": [...], "cells": [[page, text, confidence, left, top, right, bottom], ...]}``
    with the crop as shares of the page (0–1); None for a document without OCR'd pages."""
    if not document.ocr_pages:
        return None
    cells = []
    for block in document.tables():
        if block.cell_confidence is None or block.cell_boxes is None:
            continue
        for row, confs, crops, at in zip(block.rows, block.cell_confidence, block.cell_boxes, block.row_locations):
            for text, conf, crop in zip(row, confs, crops):
                if crop is not None and any(ch.isdigit() for ch in text):
                    cells.append([at.page, text, round(conf or 0.0, 4), *(round(v, 4) for v in crop)])
    return json.dumps({"pages": document.ocr_pages, "cells": cells}, ensure_ascii=False)
