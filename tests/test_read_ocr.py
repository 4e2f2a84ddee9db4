"""OCR reader (issue 17): table images made here from known numbers, a scanned PDF built from
one, rotation, and corpus pages rendered with noise compared with their own text layer.

Each OCR call costs seconds on CPU: the images are small and few (see bench/bench_ocr.py for
the full-page figures)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from analysis.model import ReadError
from analysis.read import discover, read_document, sniff_format
from analysis.read.ocr_engine import ocr_available
from ocr_helpers import HEADER, ROWS, degrade, table_image

needs_ocr = pytest.mark.skipif(not ocr_available(), reason="optional [ocr] engine not installed")
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def _amount_rows(document) -> list[list[str]]:
    tables = document.tables()
    assert len(tables) == 1, [b.rows for b in tables]
    return [row[-3:] for row in tables[0].rows if any(ch.isdigit() for ch in "".join(row[-3:]))]


def test_image_files_are_sniffed_and_discovered(tmp_path):
    table_image().save(tmp_path / "t.png")
    table_image().convert("RGB").save(tmp_path / "t.jpg")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert sniff_format(tmp_path / "t.png") == "image" and sniff_format(tmp_path / "t.jpg") == "image"
    assert {p.name for p in discover([tmp_path])} == {"t.png", "t.jpg", "notes.txt"}


def test_without_the_engine_an_image_keeps_the_needs_ocr_reason(tmp_path, monkeypatch):
    import analysis.read.ocr as ocr

    table_image().save(tmp_path / "t.png")
    monkeypatch.setattr(ocr, "ocr_available", lambda: False)
    with pytest.raises(ReadError, match="needs OCR"):
        read_document(tmp_path / "t.png")


def test_damaged_image_is_a_clear_error(tmp_path):
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    if not ocr_available():
        pytest.skip("optional [ocr] engine not installed")
    with pytest.raises(ReadError, match="damaged or not an image"):
        read_document(tmp_path / "bad.png")


@needs_ocr
def test_hand_made_table_image_reads_every_amount(tmp_path):
    degrade(table_image(), noise=8, jpeg=80).save(tmp_path / "t.jpg")
    document = read_document(tmp_path / "t.jpg")
    assert document.format == "image" and document.ocr_pages == [1]
    table = document.tables()[0]
    assert table.rows[0] == HEADER
    assert _amount_rows(document) == [row[2:] for row in ROWS]
    assert [row[0] for row in table.rows[1:4]] == ["201", "20101", "2010101"]
    confidence = [c for row in table.cell_confidence[1:] for c in row[2:]]
    assert all(c is not None and 0.5 < c <= 1 for c in confidence)
    crops = [box for row in table.cell_boxes[1:] for box in row[2:]]
    assert all(0 <= left < r <= 1 and 0 <= t < b <= 1 for left, t, r, b in crops)
    # crops are in reading order: columns left to right, rows top to bottom
    assert crops[0][0] < crops[1][0] < crops[2][0] and crops[0][1] < crops[3][1]


@needs_ocr
def test_turned_and_skewed_image_is_put_upright(tmp_path):
    degrade(table_image(), rotate=90, noise=6, jpeg=None).save(tmp_path / "turned.png")
    assert _amount_rows(read_document(tmp_path / "turned.png")) == [row[2:] for row in ROWS]
    degrade(table_image(), rotate=1.5, noise=6, jpeg=None, blur=0.6).save(tmp_path / "skewed.png")
    assert _amount_rows(read_document(tmp_path / "skewed.png")) == [row[2:] for row in ROWS]


@needs_ocr
def test_scanned_pdf_page_is_read_by_ocr(tmp_path):
    image = degrade(table_image(), noise=6, jpeg=85, scale=0.9)
    pdf = canvas.Canvas(str(tmp_path / "scan.pdf"), pagesize=(image.width * 0.36, image.height * 0.36))
    pdf.drawImage(ImageReader(image.convert("RGB")), 0, 0, image.width * 0.36, image.height * 0.36)
    pdf.showPage()
    pdf.save()
    document = read_document(tmp_path / "scan.pdf")
    assert document.format == "pdf" and document.ocr_pages == [1] and not document.issues
    assert _amount_rows(document) == [row[2:] for row in ROWS]


def _text_layer_cells(path: Path, page: int) -> list[str]:
    from analysis.read.pdf import read_pdf

    document = read_pdf(path)
    return [
        cell
        for block in document.tables()
        if block.location.page == page
        for row in block.rows
        for cell in row
        if _is_amount(cell)
    ]


def _is_amount(cell: str) -> bool:
    text = cell.replace(",", "")
    return bool(text) and text.replace(".", "", 1).lstrip("-").isdigit() and "." in text


@needs_ocr
@pytest.mark.parametrize("name,page", [("shanghai/上海市普陀区规划和自然资源局 2024 年度部门决算.pdf", 14)])
def test_rendered_corpus_page_matches_its_text_layer(name, page):
    """A real table page rendered at 200 dpi with moderate noise and JPEG artefacts: the amount
    cells OCR reads, in reading order, are those of the page's own text layer."""
    import pypdfium2 as pdfium

    from analysis.read.ocr import layout_ocr_page
    from analysis.read.ocr_page import read_image_page
    from analysis.read.pdf_ruled import Table

    path = CORPUS / name
    if not path.is_file():
        pytest.skip("corpus absent")
    pdf = pdfium.PdfDocument(str(path))
    image = degrade(pdf[page - 1].render(scale=200 / 72).to_pil(), noise=10, jpeg=85)
    layout, _ = layout_ocr_page(read_image_page(np.asarray(image), page))
    ocr_cells = [
        cell
        for item in layout.items
        if isinstance(item, Table)
        for row in item.rows
        for cell in row
        if _is_amount(cell)
    ]
    truth = _text_layer_cells(path, page)
    assert len(truth) > 50
    matched = sum(a.replace(",", "") == b.replace(",", "") for a, b in zip(ocr_cells, truth))
    assert len(ocr_cells) == len(truth) and matched / len(truth) >= 0.995
