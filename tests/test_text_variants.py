"""The text reader is not fitted to the seed: renderings of the same document made here
(other converters' habits) must give the same figures and lines (issue #2 acceptance)."""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import pytest

from analysis.extract import extract_file
from analysis.read import read_document
from helpers import assert_seed_extraction


def _table_runs(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) index ranges of tab-separated row runs, blank lines inside allowed."""
    runs, i = [], 0
    while i < len(lines):
        if "\t" in lines[i]:
            j = i
            while j < len(lines) and (
                "\t" in lines[j] or (not lines[j].strip() and j + 1 < len(lines) and "\t" in lines[j + 1])
            ):
                j += 1
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _render_tables(text: str, render) -> str:
    lines = text.splitlines()
    out, last = [], 0
    for start, end in _table_runs(lines):
        out += lines[last:start]
        rows = [line.split("\t") for line in lines[start:end] if line.strip()]
        out += render(rows)
        last = end
    return "\n".join(out + lines[last:]) + "\n"


def no_heading_marks(text: str) -> str:
    return re.sub(r"(?m)^#+\s*", "", text).replace("**", "")


def pipe_tables(text: str) -> str:
    def render(rows):
        width = max(len(r) for r in rows)
        body = ["| " + " | ".join(c.strip() for c in r + [""] * (width - len(r))) + " |" for r in rows]
        return ["", body[0], "|" + "---|" * width, *body[1:], ""]

    return _render_tables(text, render)


def html_tables(text: str) -> str:
    def render(rows):
        cells = lambda r: "".join(f"<td>{html.escape(c.strip())}</td>" for c in r)  # noqa: E731
        return ["", "<table>", *[f"<tr>{cells(r)}</tr>" for r in rows], "</table>", ""]

    return _render_tables(text, render)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def space_aligned(text: str) -> str:
    """Tables as ``pdftotext -layout`` prints them: padded columns, empty cells as spaces."""

    def render(rows):
        width = max(len(r) for r in rows)
        rows = [[c.strip() for c in r] + [""] * (width - len(r)) for r in rows]
        sizes = [max(_display_width(r[j]) for r in rows) for j in range(width)]
        out = []
        for r in rows:
            cells = []
            for j, cell in enumerate(r):
                pad = " " * (sizes[j] - _display_width(cell))
                cells.append(pad + cell if re.fullmatch(r"[\d.,]+", cell) else cell + pad)
            out.append("   ".join(cells).rstrip())
        return ["", *out, ""]

    return _render_tables(text, render)


def one_table_in_yuan(text: str) -> str:
    """B06 printed in 元 with thousands separators."""
    start = text.index("## 2024 年一般公共预算基本支出表")
    end = text.index("## ", start + 5)
    block = text[start:end].replace("单位：万元", "单位：元")
    block = re.sub(r"(?<=\t)(\d+\.\d{2})(?=\t|\n|$)", lambda m: f"{round(float(m.group(1)) * 10000):,}.00", block)
    return text[:start] + block + text[end:]


def split_at_another_row(text: str) -> str:
    """B11 broken by a page footer after its eighth data row, header repeated on the next page."""
    lines = text.split("\n")
    title = next(i for i, line in enumerate(lines) if "支出经济分类汇总表" in line and line.startswith("##"))
    first_row = next(i for i in range(title, len(lines)) if "\t" in lines[i])
    header = lines[first_row : first_row + 2]
    cut = first_row + 2 + 2 + 8
    return "\n".join([*lines[:cut], "", "- 7 -", "", *header, *lines[cut:]])


VARIANTS = {
    "no_heading_marks": (no_heading_marks, "utf-8"),
    "pipe_tables": (pipe_tables, "utf-8"),
    "html_tables": (html_tables, "utf-8"),
    "space_aligned": (space_aligned, "utf-8"),
    "one_table_in_yuan": (one_table_in_yuan, "utf-8"),
    "gbk_encoding": (lambda t: t, "gbk"),
    "utf8_bom": (lambda t: t, "utf-8-sig"),
    "split_at_another_row": (split_at_another_row, "utf-8"),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_gives_the_same_figures(name, seed_text, tmp_path: Path):
    transform, encoding = VARIANTS[name]
    rendered = transform(seed_text)
    assert rendered != seed_text or encoding != "utf-8"
    path = tmp_path / f"{name}.md"
    path.write_bytes(rendered.encode(encoding, errors="replace"))
    result = extract_file(path)
    assert result.document["status"] in {"ok", "partial"}, result.document["error"]
    assert result.document["n_unparsed"] == 0
    assert result.document["department"] == "新乡市红旗区政务服务和大数据管理局"
    assert_seed_extraction(result.document, result.line_items)
    if name == "split_at_another_row":
        b11 = [t for t in result.tables if t["table_kind"] == "economic_classification_summary"]
        assert b11[0]["pieces"] == 2


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_reader_strips_every_cell(name, seed_text, tmp_path: Path):
    """Later stages rely on it (model.Block.rows) and do not strip again."""
    transform, encoding = VARIANTS[name]
    path = tmp_path / f"{name}.md"
    path.write_bytes(transform(seed_text).encode(encoding, errors="replace"))
    cells = [c for b in read_document(path).blocks for row in b.rows for c in row]
    assert cells and [c for c in cells if c != c.strip()] == []


def test_yuan_table_keeps_its_source_unit(seed_text, tmp_path: Path):
    path = tmp_path / "yuan.txt"
    path.write_text(one_table_in_yuan(seed_text), encoding="utf-8")
    items = extract_file(path).line_items
    b06 = items.filter(items["table_kind"] == "general_budget_basic_expenditure")
    assert set(b06["source_unit"]) == {"元"}
    assert "698,600.00" in b06["raw_value"].to_list()
    assert set(items.filter(items["table_kind"] == "project_expenditure")["source_unit"]) == {"万元"}
