"""Verification of OCR'd amounts by the accounting identities (issue 17, DOMAIN.md §0.4).

A table read by OCR can fail an identity because a digit was misread, not because the
document is wrong. An error finding on an OCR'd page whose gap (actual − expected) can be
produced by ONE typical misreading of one printed amount becomes an *extraction doubt*
(rule ``ocr-extraction-doubt``, warning) that cites the image crop to look at; only a gap
that no single misreading explains stays an error. Single misreadings considered:

- one digit read as another: the gap is m·10^k (m = 1…9) in the printed unit; the usual
  confusions 1↔7 (m = 6), 0↔8 (m = 8), 5↔6 (m = 1) are named;
- a dropped or spurious decimal point: an amount on the page reads 100× too large or small,
  the gap is 0.99 or 99 times it;
- a dropped or doubled digit: an amount on the page with one digit removed or inserted
  differs from it by the gap.

The gap is compared with the tolerance of the printed precision (§0.4), never by equality.
"""

from __future__ import annotations

import json
import math

import polars as pl

from analysis.check.registry import rule
from analysis.text import UNIT_TO_WAN

RULE_ID = "ocr-extraction-doubt"
CENT = 0.005
"""Half a unit of the last printed digit of a two-decimal amount."""
NAMED = {6: "1↔7", 8: "0↔8", 1: "5↔6 或相邻数字"}
PRINTED_SCALES = [1.0, *sorted({1.0 / s for s in UNIT_TO_WAN.values() if s and s < 1})]
"""Factors from 万元 (findings) to the units tables print in: 万元 first, then 千元, 元 …
(a larger unit would shrink every gap below a cent, where anything "explains" it)."""


@rule(
    RULE_ID,
    severity="warning",
    category="arithmetic",
    domain_ids="§0.4",
    title="OCR 识读存疑（恒等式差额可由单个数字误识解释）",
)
def ocr_extraction_doubt(ctx):
    """Produced by the runner's OCR verification pass from the error findings of documents
    read by OCR: an identity whose gap one misread digit, decimal point or dropped digit can
    explain is a doubt about the extraction, reported with the image crop, not a document
    error. Not evaluated on documents with a text layer."""
    return None


def _amount(text: str) -> float | None:
    try:
        return float(text.replace(",", "").replace("，", "").strip())
    except ValueError:
        return None


def _digit_swap(gap: float) -> str | None:
    """A name for the gap when it is m·10^k (m = 1…9, k ≥ −2): one digit misread."""
    size = abs(gap)
    if size < 0.01 - CENT:
        return None
    power = math.floor(math.log10(size) + 1e-9)
    for k in (power, power - 1):
        unit = 10.0**k
        m = round(size / unit)
        if k >= -2 and 1 <= m <= 9 and abs(size - m * unit) <= CENT:
            return f"一位数字误识（差额 {m}×10^{k}{'，常见 ' + NAMED[m] if m in NAMED else ''}）"
    return None


def _variants(text: str) -> list[float]:
    """Values of ``text`` with one digit removed or one digit inserted."""
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    out = []
    for i in digits:
        value = _amount(text[:i] + text[i + 1 :])
        if value is not None:
            out.append(value)
    for i in range(len(text) + 1):
        for d in "0123456789":
            value = _amount(text[:i] + d + text[i:])
            if value is not None:
                out.append(value)
    return out


def explain(gap: float, cells: list[tuple[str, float]]) -> tuple[str, int | None] | None:
    """Why one misreading could make an identity miss by ``gap`` (printed unit), and which of
    ``cells`` (text, value) it would be (None when any amount of the identity could be)."""
    size = abs(gap)
    if size < 0.01 - CENT:
        return None  # within rounding: not a misreading
    swap = _digit_swap(gap)
    if swap:
        return swap, None
    for index, (text, value) in enumerate(cells):
        if value and (abs(abs(value) * 0.99 - size) <= 2 * CENT or abs(abs(value) * 99 - size) <= 2 * CENT):
            return f"小数点误识（{text}）", index
    for index, (text, value) in enumerate(cells):
        if any(abs(abs(v - value) - size) <= CENT for v in _variants(text)):
            return f"漏识或多识一位数字（{text}）", index
    return None


def _crop_words(page: int, crop: list[float]) -> str:
    left, top, right, bottom = (round(100 * v, 1) for v in crop)
    return f"图像第{page}页 左{left}% 上{top}% 右{right}% 下{bottom}%"


def _doubt(finding: dict, ocr: dict) -> dict | None:
    """The finding as an extraction doubt, or None when no single misreading explains it."""
    page = finding.get("page")
    if page is not None and page not in ocr["pages"]:
        return None
    cells = [c for c in ocr["cells"] if page is None or c[0] == page]
    parsed = [(c[1], _amount(c[1])) for c in cells]
    parsed_ok = [(i, t, v) for i, (t, v) in enumerate(parsed) if v is not None]
    for scale in PRINTED_SCALES:
        gap = (finding["actual"] - finding["expected"]) * scale
        found = explain(gap, [(t, v) for _, t, v in parsed_ok])
        if found is None:
            continue
        why, which = found
        if which is None:  # the printed total's cell, else the least confident cell of the page
            actual = finding["actual"] * scale
            same = [i for i, _, v in parsed_ok if abs(v - actual) <= CENT]
            pool = same or [i for i, _, _ in parsed_ok]
            cell = cells[min(pool, key=lambda i: cells[i][2])] if pool else None
        else:
            cell = cells[parsed_ok[which][0]]
        where = _crop_words(cell[0], cell[3:7]) if cell else "图像位置不明"
        return {
            **finding,
            "rule": RULE_ID,
            "severity": "warning",
            "location": f"{finding.get('location') or ''} · {where}".strip(" ·"),
            "message": f"OCR 识读存疑：{why}，请对照图像核对（{where}，识别置信度 "
            f"{cell[2] if cell else '—'}）。原检查 {finding['rule']}：{finding.get('message') or ''}",
        }
    return None


def verify_ocr_findings(findings: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """Error findings of OCR'd pages that one misreading explains, turned into doubts."""
    if findings.is_empty() or "ocr_cells" not in documents.columns:
        return findings
    if documents.get_column("ocr_cells").null_count() == documents.height:
        return findings  # no OCR'd page (one Polars call instead of a select, filter and conversion)
    ocr = {
        d["doc_id"]: json.loads(d["ocr_cells"]) for d in documents.select("doc_id", "ocr_cells").drop_nulls().to_dicts()
    }
    if not ocr:
        return findings
    rows = []
    for finding in findings.to_dicts():
        known = ocr.get(finding["doc_id"])
        if (
            known is not None
            and finding["severity"] == "error"
            and finding.get("expected") is not None
            and finding.get("actual") is not None
        ):
            finding = _doubt(finding, known) or finding
        rows.append(finding)
    return pl.DataFrame(rows, schema=findings.schema)
