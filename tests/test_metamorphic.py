"""Metamorphic tests on corpus documents (issue 11 point 6).

Each corpus document is read once into the document model; each transform rewrites that model
the way another publisher could have printed the same disclosure (titles from DOMAIN's synonyms,
tables in another order, a 财政拨款-only table beside the all-funds one, the narrative in a file
of its own, punctuation on separate text lines, full-width digits, amounts in 元). The variant
must keep every error finding of the original (the register says they are true) and add none.
Findings are compared on rule, row label and the printed amounts, not on line numbers, which a
transform moves.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from analysis.check import run_checks
from analysis.extract import combine, extract_document
from analysis.model import Block, Document
from analysis.normalise.cells import parse_amount
from analysis.read import read_document
from analysis.recognise.titles import match_title
from conftest import CORPUS

DOCUMENTS = [  # from the tuning part of the corpus (tests/golden/README.md)
    "seed/新乡市红旗区政务服务和大数据管理局2024年度部门预算.txt",
    "shanghai/上海市普陀区人民政府万里街道办事处24年预算.pdf",
    "jiangsu/江苏省人大办公厅/省人大办公厅2018预算公开.pdf",
]

# one DOMAIN synonym per kind, different from the corpus wording
SYNONYMS = {
    "revenue_expenditure_summary": "部门收支预算总表",
    "revenue_summary": "部门收入预算总表",
    "expenditure_summary": "部门支出预算总表",
    "fiscal_appropriation_summary": "财政拨款收支预算总表",
    "general_budget_expenditure": "一般公共预算支出预算表",
    "general_budget_basic_expenditure": "一般公共预算基本支出预算表",
    "three_public_expenses": "一般公共预算“三公”经费支出预算表",
    "government_fund_expenditure": "政府性基金预算支出预算表",
    "project_expenditure": "项目支出预算表",
    "economic_classification_summary": "部门支出经济分类预算表",
}


def _title_kind(block: Block) -> str | None:
    if block.kind == "table" or not block.text:
        return None
    found = match_title(block.text)
    return found.table_kind if found else None


def _segments(document: Document) -> list[tuple[int, int]]:
    """(start, end) block ranges of each titled table: its title through its table block and
    the continuation blocks of a table split over pages (table blocks with at most short,
    untitled lines such as a repeated unit line between them)."""
    blocks = document.blocks
    out, start = [], None
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if _title_kind(block):
            start = i
        elif block.kind == "table" and start is not None:
            end = i + 1
            while True:
                ahead = end
                while (
                    ahead < len(blocks)
                    and blocks[ahead].kind != "table"
                    and not _title_kind(blocks[ahead])
                    and blocks[ahead].kind != "heading"
                    and len(blocks[ahead].text) < 30
                    and ahead - end < 3
                ):
                    ahead += 1
                if ahead < len(blocks) and blocks[ahead].kind == "table":
                    end = ahead + 1
                else:
                    break
            out.append((start, end))
            start, i = None, end
            continue
        i += 1
    return out


def synonym_titles(document: Document) -> list[Document]:
    doc = copy.deepcopy(document)
    for block in doc.blocks:
        kind = _title_kind(block)
        if kind in SYNONYMS:
            year = re.search(r"20\d{2}\s*年", block.text)
            block.text = (year.group(0) if year else "") + SYNONYMS[kind]
            assert match_title(block.text).table_kind == kind, block.text
    return [doc]


def reordered_tables(document: Document) -> list[Document]:
    doc = copy.deepcopy(document)
    segments = _segments(doc)
    if len(segments) < 2:
        return [doc]
    pieces = [doc.blocks[a:b] for a, b in segments]
    first, last = segments[0][0], segments[-1][1]
    between = [b for i, b in enumerate(doc.blocks[first:last], first) if not any(a <= i < e for a, e in segments)]
    doc.blocks = doc.blocks[:first] + [b for piece in reversed(pieces) for b in piece] + between + doc.blocks[last:]
    return [doc]


def fiscal_table_beside(document: Document) -> list[Document]:
    doc = copy.deepcopy(document)
    for a, b in _segments(doc):
        if _title_kind(doc.blocks[a]) == "general_budget_basic_expenditure":
            copy_of = copy.deepcopy(doc.blocks[a:b])
            year = re.search(r"20\d{2}\s*年", copy_of[0].text)
            copy_of[0].text = (year.group(0) if year else "") + "财政拨款基本支出预算表"
            doc.blocks[b:b] = copy_of
            break
    return [doc]


def narrative_apart(document: Document) -> list[Document]:
    segments = _segments(document)
    inside = {i for a, b in segments for i in range(a, b)}
    narrative = copy.deepcopy(document)
    narrative.blocks = [b for i, b in enumerate(document.blocks) if i not in inside and b.kind != "table"]
    narrative.path = str(Path(document.path).with_name("narrative_" + Path(document.path).name))
    tables = copy.deepcopy(document)
    heading = [b for b in document.blocks[: segments[0][0]] if b.kind == "heading"][:1] if segments else []
    tables.blocks = copy.deepcopy(heading) + [b for i, b in enumerate(document.blocks) if i in inside]
    return [narrative, tables]


def punctuation_lines(document: Document) -> list[Document]:
    doc = copy.deepcopy(document)
    blocks = []
    for block in doc.blocks:
        if block.kind != "paragraph" or "，" not in block.text:
            blocks.append(block)
            continue
        for piece in re.split(r"(，)", block.text):  # each comma its own line, as a text layer gives it
            if piece:
                blocks.append(Block("paragraph", block.location, text=piece, level=block.level))
    doc.blocks = blocks
    return [doc]


_WIDE = str.maketrans({str(d): chr(0xFF10 + d) for d in range(10)} | {".": "．"})


def _wide_amount(match: re.Match) -> str:
    return match.group(0).translate(_WIDE)


def full_width_digits(document: Document) -> list[Document]:
    doc = copy.deepcopy(document)
    amount = re.compile(r"\d[\d,]*\.\d+")
    for block in doc.blocks:
        if block.kind != "table":
            block.text = amount.sub(_wide_amount, block.text)
        else:
            block.rows = [
                [amount.sub(_wide_amount, c) if amount.fullmatch(c) else c for c in row] for row in block.rows
            ]
    return [doc]


def narrative_in_yuan(document: Document) -> list[Document]:
    """Narrative amounts in 元 where the tables are in 万元: X 万元 is exactly X × 10,000 元, so
    the variant says nothing the original did not. (Where the tables are in 元 and the
    narrative rounds to 万元, the exact 元 figure is not known, and printing the rounded one in
    元 would make a new, real, contradiction.)"""
    doc = copy.deepcopy(document)
    if any(
        "单位：元" in b.text.replace(" ", "") or any("单位：元" in c.replace(" ", "") for r in b.rows for c in r)
        for b in doc.blocks
    ):
        return [doc]
    wan = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*万元")

    def to_yuan(match: re.Match) -> str:
        value = parse_amount(match.group(1)).value
        return f"{value * 10000:,.2f}元" if value is not None else match.group(0)

    for block in doc.blocks:
        if block.kind != "table" and not _title_kind(block):
            block.text = wan.sub(to_yuan, block.text)
    return [doc]


_UNIT_WORD = re.compile(r"(单位[:：]?\s*)万元|^万元$|[（(]万元[）)]")


def _yuan_unit(text: str) -> str:
    return _UNIT_WORD.sub(lambda m: m.group(0).replace("万元", "元"), text)


def tables_in_yuan(document: Document) -> list[Document]:
    """Tables republished in 元 (every two-decimal amount × 10,000, unit lines and 万元 in
    headers and labels changed); the narrative keeps 万元. Documents already in 元 are left
    as they are."""
    doc = copy.deepcopy(document)
    amount = re.compile(r"-?\d[\d,]*\.\d+")

    def cell(text: str) -> str:
        return f"{parse_amount(text).value * 10000:,.2f}" if amount.fullmatch(text) else _yuan_unit(text)

    if any(
        re.search(r"单位[:：]?\s*元", b.text) or any(re.search(r"单位[:：]?\s*元", c) for r in b.rows for c in r)
        for b in doc.blocks
    ):
        return [doc]
    for block in doc.blocks:
        if block.kind == "table":
            block.rows = [[cell(c) for c in row] for row in block.rows]
        elif len(block.text) < 40:
            block.text = _yuan_unit(block.text)
    return [doc]


TRANSFORMS = [
    synonym_titles,
    reordered_tables,
    fiscal_table_beside,
    narrative_apart,
    punctuation_lines,
    full_width_digits,
    narrative_in_yuan,
    tables_in_yuan,
]


def _errors(documents: list[Document]) -> Counter:
    extractions = [extract_document(d, f"v{i}{abs(hash(d.path)) % 10**8}") for i, d in enumerate(documents)]
    findings, _ = run_checks(combine(extractions))
    errors = findings.filter(pl.col("severity") == "error")
    return Counter(
        (
            r["rule"],
            r["row_label"],
            None if r["expected"] is None else round(r["expected"], 2),
            None if r["actual"] is None else round(r["actual"], 2),
        )
        for r in errors.iter_rows(named=True)
    )


@pytest.fixture(scope="module")
def originals() -> dict[str, tuple[Document, Counter]]:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present on this machine")
    out = {}
    for name in DOCUMENTS:
        path = CORPUS / name
        if path.is_file():
            document = read_document(path)
            out[name] = (document, _errors([document]))
    if not out:
        pytest.skip("none of the metamorphic documents is in the corpus")
    return out


@pytest.mark.parametrize("transform", TRANSFORMS, ids=lambda t: t.__name__)
@pytest.mark.parametrize("name", DOCUMENTS)
def test_variant_keeps_every_true_error_and_adds_none(originals, name, transform):
    if name not in originals:
        pytest.skip(f"{name} is not in the corpus")
    document, expected = originals[name]
    assert expected, "the original must carry errors for this test to mean anything"
    found = _errors(transform(document))
    assert found - expected == Counter(), f"new errors: {found - expected}"
    assert expected - found == Counter(), f"lost errors: {expected - found}"
