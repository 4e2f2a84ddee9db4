"""Read image-only pages (scanned PDF pages, table images) into the document model by OCR.

``read_image(path)`` reads a PNG, JPEG, GIF or TIFF (every frame a page); ``ocr_pdf_page``
renders one image-only PDF page and reads it. Both hand :class:`OcrPage` content to the PDF
reader's layout stages, so tables come out as ``Block`` rows exactly like text-layer tables
(ruled tables from the rulings found in the image, unruled ones from text alignment; tables
continued over pages are joined by the recogniser as usual). OCR'd table blocks also carry
each cell's recognition confidence and its crop on the page (``Block.cell_confidence``,
``Block.cell_boxes``), which the OCR verification (``analysis.check.ocr_verify``) cites.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.model import Block, Document, ReadError
from analysis.read.ocr_engine import ocr_available
from analysis.read.ocr_page import OcrPage, read_image_page
from analysis.read.pdf_layout import PageLayout, layout_page
from analysis.read.pdf_ruled import Table

RENDER_DPI = 200
"""Resolution at which image-only PDF pages are rendered for recognition."""
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff"}
NEEDS_OCR = "install the optional OCR engine: pip install 'analysis[ocr]'"

CellMeta = tuple[list[list[float | None]], list[list[tuple[float, float, float, float] | None]]]


def _compact(text: str) -> str:
    return "".join(text.split())


def _cell_meta(table: Table, page: OcrPage) -> CellMeta:
    """Confidence and crop of every cell: the boxes of the cell's row band whose text it holds."""
    used = sorted({page.box_of_char[c] for c in table.used_chars if c in page.box_of_char})
    boxes = [page.boxes[i] for i in used]
    width, height = page.content.width, page.content.height
    bands = [*table.row_tops[1:], table.bottom + 1]
    confidence: list[list[float | None]] = []
    crops: list[list[tuple[float, float, float, float] | None]] = []
    taken: set[int] = set()
    for top, below, row in zip(table.row_tops, bands, table.rows):
        in_band = sorted(
            (i for i, b in enumerate(boxes) if top - 1 <= (b.top + b.bottom) / 2 < below and i not in taken),
            key=lambda i: boxes[i].x0,
        )
        row_conf: list[float | None] = []
        row_crop: list[tuple[float, float, float, float] | None] = []
        for cell in row:
            text = _compact(cell)
            mine = []
            for i in in_band:
                box_text = _compact(boxes[i].text)
                if i not in taken and box_text and box_text in text:
                    mine.append(i)
                    taken.add(i)
                    text = text.replace(box_text, "", 1)
                elif _compact(cell) and _compact(cell) in box_text:
                    mine.append(i)  # one box ran over two cells: both cite it
            if not cell or not mine:
                row_conf.append(None)
                row_crop.append(None)
                continue
            row_conf.append(min(boxes[i].score for i in mine))
            row_crop.append(
                (
                    min(boxes[i].x0 for i in mine) / width,
                    min(boxes[i].top for i in mine) / height,
                    max(boxes[i].x1 for i in mine) / width,
                    max(boxes[i].bottom for i in mine) / height,
                )
            )
        confidence.append(row_conf)
        crops.append(row_crop)
    return confidence, crops


def layout_ocr_page(page: OcrPage, *, after_contents: bool = False) -> tuple[PageLayout, dict[int, CellMeta]]:
    """The page's layout and, keyed by ``id()`` of each table's row list, its cell metadata."""
    layout = layout_page(page.content, after_contents=after_contents)
    meta = {id(item.rows): _cell_meta(item, page) for item in layout.items if isinstance(item, Table)}
    return layout, meta


def attach_cell_meta(blocks: list[Block], meta: dict[int, CellMeta]) -> None:
    """Give the table blocks built from OCR'd pages their confidence and crops (blocks share
    the layout tables' row lists, so the lists' identity finds them)."""
    for block in blocks:
        found = meta.get(id(block.rows)) if block.kind == "table" else None
        if found is not None:
            block.cell_confidence, block.cell_boxes = found


def ocr_pdf_page(pdf, index: int) -> OcrPage:
    """Render page ``index`` of an open pypdfium2 document and read it by OCR."""
    page = pdf[index]
    try:
        image = page.render(scale=RENDER_DPI / 72, grayscale=True).to_numpy()
    finally:
        page.close()
    return read_image_page(image, index + 1)


def _frames(path: Path) -> list[np.ndarray]:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return [np.asarray(frame.convert("L")) for frame in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ReadError(f"image file is damaged or not an image ({error}): {path.name}") from error


def read_image(path: str | Path) -> Document:
    """Read an image file (one page per frame) by OCR into a :class:`Document`."""
    from analysis.read.pdf_blocks import build_blocks
    from analysis.read.pdf_contents import drop_running_lines

    path = Path(path)
    if not ocr_available():
        raise ReadError(f"{path.name} is an image: its text needs OCR first ({NEEDS_OCR})")
    frames = _frames(path)
    layouts, meta = [], {}
    for number, frame in enumerate(frames, start=1):
        layout, page_meta = layout_ocr_page(read_image_page(frame, number))
        layouts.append(layout)
        meta.update(page_meta)
    if not any(layout.items for layout in layouts):
        raise ReadError(f"no text was recognised in the image {path.name}")
    drop_running_lines(layouts)
    blocks = build_blocks(layouts)
    attach_cell_meta(blocks, meta)
    return Document(
        str(path), "image", blocks=blocks, page_count=len(frames), ocr_pages=list(range(1, len(frames) + 1))
    )
