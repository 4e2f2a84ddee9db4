"""OCR table structure (issue 17 point 2), on images drawn here with Pillow: merged header
cells, a table continued over two image pages, and multi-frame TIFF/GIF files (each frame a
page). Images stay small: OCR is the costly part of these tests."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from analysis.extract import combine, content_id, extract_document
from analysis.model import Document
from analysis.read import read_document
from analysis.read.ocr_engine import ocr_available
from ocr_helpers import degrade, font

pytestmark = pytest.mark.skipif(not ocr_available(), reason="optional [ocr] engine not installed")

WIDTHS = [120, 230, 130, 130, 130]
ROW_H = 40
# 科目编码, 科目名称 and 合计 span both header rows; 本年支出 spans 基本支出 and 项目支出.
MERGED_HEADER = [
    (0, 0, 2, 1, "科目编码"),
    (0, 1, 2, 1, "科目名称"),
    (0, 2, 2, 1, "合计"),
    (0, 3, 1, 2, "本年支出"),
    (1, 3, 1, 1, "基本支出"),
    (1, 4, 1, 1, "项目支出"),
]
BODY = [
    ["", "合计", "1,300.00", "1,080.00", "220.00"],
    ["201", "一般公共服务支出", "880.00", "700.00", "180.00"],
    ["20101", "人大事务", "880.00", "700.00", "180.00"],
    ["2010101", "行政运行", "880.00", "700.00", "180.00"],
    ["208", "社会保障和就业支出", "420.00", "380.00", "40.00"],
    ["20805", "行政事业单位养老支出", "420.00", "380.00", "40.00"],
    ["2080505", "机关事业单位基本养老保险缴费支出", "420.00", "380.00", "40.00"],
]
TITLE = "2025年一般公共预算支出表"


def _draw(rows: list[list[str]], *, title: str | None = TITLE, header: bool = True) -> Image.Image:
    """A ruled table; with ``header`` the two-row header with merged cells above ``rows``."""
    body, head = font(20), font(26)
    left, top = 30, (110 if title else 30)
    xs = [left]
    for w in WIDTHS:
        xs.append(xs[-1] + w)
    head_rows = 2 if header else 0
    height = top + ROW_H * (head_rows + len(rows)) + 30
    image = Image.new("L", (xs[-1] + left, height), 255)
    draw = ImageDraw.Draw(image)
    if title:
        draw.text((image.width // 2, 35), title, font=head, fill=0, anchor="mm")
        draw.text((xs[-1], 85), "单位：万元", font=body, fill=0, anchor="rm")
    cells = list(MERGED_HEADER) if header else []
    cells += [(head_rows + r, c, 1, 1, text) for r, row in enumerate(rows) for c, text in enumerate(row)]
    for r, c, rs, cs, text in cells:
        x0, x1 = xs[c], xs[c + cs]
        y0, y1 = top + r * ROW_H, top + (r + rs) * ROW_H
        draw.rectangle([x0, y0, x1, y1], outline=0, width=2)
        if not text:
            continue
        if c >= 2 and r >= head_rows:
            draw.text((x1 - 8, (y0 + y1) // 2), text, font=body, fill=0, anchor="rm")
        else:
            size = body if len(text) * 20 < x1 - x0 - 8 else font(max(12, (x1 - x0 - 8) // len(text)))
            draw.text(((x0 + x1) // 2, (y0 + y1) // 2), text, font=size, fill=0, anchor="mm")
    return image


def _read_once(path: Path) -> tuple[Document, pl.DataFrame]:
    """Read (OCR) the file once; recognise and normalise that same document."""
    document = read_document(path)
    frames = combine([extract_document(document, content_id(path))])
    assert frames["documents"]["status"][0] in ("ok", "partial"), frames["documents"].to_dicts()
    return document, frames["line_items"]


def _expected(rows: list[list[str]]) -> dict[tuple[str, str], float]:
    out = {}
    for row in rows:
        for column, text in zip(("total", "basic_total", "project_total"), row[2:]):
            out[(row[1], column)] = float(text.replace(",", ""))
    return out


def _read(items: pl.DataFrame) -> dict[tuple[str, str], float]:
    rows = items.filter(
        (pl.col("table_kind") == "general_budget_expenditure")
        & pl.col("column").is_in(["total", "basic_total", "project_total"])
    )
    return {(r["row_label"], r["column"]): r["amount"] for r in rows.iter_rows(named=True)}


def test_merged_header_cells_give_every_column_its_measure(tmp_path: Path) -> None:
    """The merged 本年支出 cell heads both 基本支出 and 项目支出; the merged 科目编码/合计 cells
    span both header rows: the columns map to total/basic_total/project_total as in a text PDF."""
    degrade(_draw(BODY[:4]), noise=6, jpeg=85).save(tmp_path / "merged.png")
    document, items = _read_once(tmp_path / "merged.png")
    table = document.tables()[0]
    assert "本年支出" in table.rows[0] and table.rows[1][3:5] == ["基本支出", "项目支出"]
    assert _read(items) == _expected(BODY[:4])


def _pdf_of_pages(images: list[Image.Image], path: Path) -> None:
    pdf = canvas.Canvas(str(path))
    for image in images:
        size = (image.width * 0.36, image.height * 0.36)
        pdf.setPageSize(size)
        pdf.drawImage(ImageReader(image.convert("RGB")), 0, 0, *size)
        pdf.showPage()
    pdf.save()


def test_table_continued_over_two_image_pages_is_one_table(tmp_path: Path) -> None:
    """First page: title, header and the first rows; second page: the rest without a header.
    The recogniser joins the continuation to the table of the first page."""
    first = degrade(_draw(BODY[:4]), noise=5, jpeg=None)
    second = degrade(_draw(BODY[4:], title=None, header=False), noise=5, jpeg=None, seed=1)
    _pdf_of_pages([first, second], tmp_path / "split.pdf")
    document, items = _read_once(tmp_path / "split.pdf")
    assert document.ocr_pages == [1, 2]
    assert _read(items) == _expected(BODY)
    kept = items.filter(pl.col("table_kind") == "general_budget_expenditure")
    assert kept["table_index"].n_unique() == 1 and set(kept["page"]) == {1, 2}


@pytest.mark.parametrize("suffix", ["tif", "gif"])
def test_every_frame_of_a_multi_frame_image_is_a_page(tmp_path: Path, suffix: str) -> None:
    """TIFF: the table continued on the second frame; GIF (palette frames): the same, shorter."""
    rows = BODY if suffix == "tif" else BODY[:2]
    cut = 4 if suffix == "tif" else 1
    frames = [_draw(rows[:cut]).convert("L"), _draw(rows[cut:], title=None, header=False).convert("L")]
    path = tmp_path / f"scan.{suffix}"
    if suffix == "gif":
        frames = [f.convert("P") for f in frames]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    document, items = _read_once(path)
    assert document.format == "image" and document.page_count == 2 and document.ocr_pages == [1, 2]
    assert _read(items) == _expected(rows)
    assert set(items.filter(pl.col("table_kind") == "general_budget_expenditure")["page"]) == {1, 2}
