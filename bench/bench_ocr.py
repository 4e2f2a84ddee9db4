"""Benchmark the OCR path against the text-layer path on the same corpus pages.

Corpus PDF pages are rendered to images with pypdfium2 at 200 dpi with moderate scan noise
(Gaussian grey noise σ = 10, JPEG quality 85) and read by OCR; the same pages are read from
their text layer. Printed side by side in one run:

- seconds per page of each path (wall clock, one process; the OCR engine uses the cores
  onnxruntime finds, so say what else ran on the machine when quoting figures);
- amount cell accuracy before verification: the amount cells of the page's tables, in
  reading order, aligned with the text layer's (difflib), share read exactly right;
- with ``--document``: a whole PDF turned into a scanned PDF (image-only pages) and extracted
  and checked by both paths: headline totals of ``documents`` equal, or each differing one
  flagged by an extraction doubt; error findings that only the OCR path makes.

Usage::

    python bench/bench_ocr.py [--pages N] [--document PDF] [--dpi 200]
"""

from __future__ import annotations

import argparse
import difflib
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
PAGES = [  # table pages of the three templates: ruled, unruled, 元 and 万元, portrait/landscape
    ("shanghai/上海市普陀区规划和自然资源局 2024 年度部门决算.pdf", 14),
    ("jiangsu/江苏省人大办公厅/江苏省人大办公厅2017年度预算公开.pdf", 11),
    ("shanghai/上海市普陀区商务委员会25年预算.pdf", 11),
    ("jiangsu/江苏省委办公厅/江苏省委办公厅2019年度部门预算公开表格.pdf", 12),
    ("shanghai/中共上海市普陀区委社会工作部 2024 年度部门决算.pdf", 13),
    ("shanghai/上海市普陀区财政局部门25年预算.pdf", 20),
    ("jiangsu/江苏省委办公厅/江苏省委办公厅2017年预算公开表格.pdf", 6),
    ("shanghai/上海市普陀区人民政府万里街道办事处24年预算.pdf", 7),
]
TOTALS = [
    "total_revenue",
    "total_expenditure",
    "basic_expenditure",
    "project_expenditure",
    "personnel_expenditure",
    "public_expenditure",
    "three_public_total",
]


def degrade(image, seed: int):
    from PIL import Image

    pixels = np.asarray(image.convert("L"), dtype=np.float32)
    pixels += np.random.default_rng(seed).normal(0, 10, pixels.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=85)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def _is_amount(cell: str) -> bool:
    text = cell.replace(",", "")
    return bool(text) and "." in text and text.replace(".", "", 1).lstrip("-").isdigit()


def _amounts(tables) -> list[str]:
    return [cell.replace(",", "") for rows in tables for row in rows for cell in row if _is_amount(cell)]


def page_figures(n_pages: int, dpi: int) -> None:
    import pypdfium2 as pdfium

    from analysis.read.ocr import layout_ocr_page
    from analysis.read.ocr_page import read_image_page
    from analysis.read.pdf_layout import layout_page
    from analysis.read.pdf_page import read_page
    from analysis.read.pdf_ruled import Table

    print(f"{'page':58} {'text s':>7} {'ocr s':>7} {'cells':>6} {'right':>6} {'missed':>6} {'extra':>6}")
    totals = np.zeros(5)
    for seed, (name, page) in enumerate(PAGES[:n_pages]):
        pdf = pdfium.PdfDocument(str(CORPUS / name))
        started = time.perf_counter()
        layout = layout_page(read_page(pdf, page - 1))
        text_s = time.perf_counter() - started
        truth = _amounts([t.rows for t in layout.items if isinstance(t, Table)])
        image = degrade(pdf[page - 1].render(scale=dpi / 72).to_pil(), seed)
        started = time.perf_counter()
        ocr_layout, _ = layout_ocr_page(read_image_page(np.asarray(image), page))
        ocr_s = time.perf_counter() - started
        got = _amounts([t.rows for t in ocr_layout.items if isinstance(t, Table)])
        right = sum(
            block.size for block in difflib.SequenceMatcher(None, truth, got, autojunk=False).get_matching_blocks()
        )
        row = np.array([text_s, ocr_s, len(truth), right, len(got) - right])
        totals += row
        print(
            f"{name[-40:]:>52} p{page:<4} {text_s:7.3f} {ocr_s:7.1f} {len(truth):6d} {right:6d} "
            f"{len(truth) - right:6d} {len(got) - right:6d}",
            flush=True,
        )
    n = min(n_pages, len(PAGES))
    print(
        f"{'all':58} {totals[0] / n:7.3f} {totals[1] / n:7.1f} {int(totals[2]):6d} {int(totals[3]):6d} "
        f"{int(totals[2] - totals[3]):6d} {int(totals[4]):6d}"
    )
    print(
        f"amount cell accuracy before verification: {totals[3] / totals[2]:.4f}  "
        f"(per page: text layer {totals[0] / n:.3f} s, OCR {totals[1] / n:.1f} s)"
    )


def scanned_copy(source: Path, out: Path, dpi: int) -> None:
    """The PDF with every page replaced by its noisy image: what a scanned disclosure is."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = pdfium.PdfDocument(str(source))
    sheet = canvas.Canvas(str(out))
    for index in range(len(pdf)):
        image = degrade(pdf[index].render(scale=dpi / 72).to_pil(), index)
        width, height = image.width * 72 / dpi, image.height * 72 / dpi  # as rendered, turned upright
        sheet.setPageSize((width, height))
        sheet.drawImage(ImageReader(image.convert("RGB")), 0, 0, width, height)
        sheet.showPage()
    sheet.save()


def document_figures(source: Path, dpi: int) -> None:
    import polars as pl

    from analysis.check import run_checks
    from analysis.extract import extract_paths

    with tempfile.TemporaryDirectory() as tmp:
        scanned = Path(tmp) / f"scanned_{source.name}"
        scanned_copy(source, scanned, dpi)
        results = {}
        for label, path in (("text layer", source), ("OCR", scanned)):
            started = time.perf_counter()
            frames = extract_paths([path])
            findings, _ = run_checks(frames)
            results[label] = (frames["documents"].row(0, named=True), findings, time.perf_counter() - started)
    (text_doc, text_findings, text_s), (ocr_doc, ocr_findings, ocr_s) = results["text layer"], results["OCR"]
    pages = text_doc.get("n_tables")
    print(
        f"{source.name}: text layer {text_s:.1f} s, OCR {ocr_s:.1f} s; status {text_doc['status']} / "
        f"{ocr_doc['status']}; tables {pages} / {ocr_doc['n_tables']}, line items "
        f"{text_doc['n_line_items']} / {ocr_doc['n_line_items']}"
    )
    doubts = ocr_findings.filter(pl.col("rule") == "ocr-extraction-doubt")
    same = 0
    for name in TOTALS:
        a, b = text_doc[name], ocr_doc[name]
        equal = (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 0.005)
        same += equal
        print(f"  {name:24} text {a!s:>12} OCR {b!s:>12} {'=' if equal else '≠'}")
    print(f"document totals equal: {same}/{len(TOTALS)}; extraction doubts: {doubts.height}")
    key = ["rule", "table_kind", "row_label", "column"]
    errors = {
        label: set(f.filter(pl.col("severity") == "error").select(key).iter_rows())
        for label, f in (("text", text_findings), ("ocr", ocr_findings))
    }
    only_ocr = errors["ocr"] - errors["text"]
    print(f"error findings: text layer {len(errors['text'])}, OCR {len(errors['ocr'])}, only OCR {len(only_ocr)}")
    for row in sorted(only_ocr, key=str):
        print("   only OCR:", row)
    for row in doubts.select("location", "message").iter_rows():
        print("   doubt:", row[0], "|", row[1][:160])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=len(PAGES))
    parser.add_argument("--document", type=Path)
    parser.add_argument("--dpi", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from analysis.read.ocr_engine import ocr_available

    if not ocr_available():
        sys.exit("the OCR engine is not installed: pip install -e '.[ocr]'")
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}")
    if args.pages:
        page_figures(args.pages, args.dpi)
    if args.document:
        document_figures(args.document if args.document.is_file() else CORPUS / args.document, args.dpi)


if __name__ == "__main__":
    main()
