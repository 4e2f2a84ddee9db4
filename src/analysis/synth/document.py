"""Assemble one department-year into a :class:`SynthDoc` (cover, 目录, 第一–三部分, tables).

The structure follows the seed (Henan 新乡 12-table budget, DOMAIN §0.3, §1.1). Layout
hazards of PDF-to-text conversion (§0.6: wrapped cells, spaced header characters, tables
split by a page break with or without a repeated header, a dropped 类 column, paragraphs cut
by a page break) are decided here, format-neutrally, so every renderer sees the same document.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from analysis.kinds import Kind
from analysis.synth.figures import Figures
from analysis.synth.layout import Heading, Paragraph, Sentence, SynthDoc, Table
from analysis.synth.narrative import build_glossary, build_narrative
from analysis.synth.params import phrasing, world
from analysis.synth.tables_detail import (
    basic_expenditure,
    department_targets,
    economic_summary,
    project_expenditure,
    project_targets,
    three_public,
)
from analysis.synth.tables_summary import (
    TableContext,
    fiscal_appropriation_summary,
    function_table,
    revenue_expenditure_summary,
    revenue_summary,
)

TABLE_ORDER = (
    Kind.REVENUE_EXPENDITURE_SUMMARY,
    Kind.REVENUE_SUMMARY,
    Kind.EXPENDITURE_SUMMARY,
    Kind.FISCAL_APPROPRIATION_SUMMARY,
    Kind.GENERAL_BUDGET_EXPENDITURE,
    Kind.GENERAL_BUDGET_BASIC_EXPENDITURE,
    Kind.ECONOMIC_CLASSIFICATION_SUMMARY,
    Kind.THREE_PUBLIC_EXPENSES,
    Kind.GOVERNMENT_FUND_EXPENDITURE,
    Kind.PROJECT_EXPENDITURE,
    Kind.DEPARTMENT_PERFORMANCE_TARGETS,
    Kind.PROJECT_PERFORMANCE_TARGETS,
)
"""Body and 目录 order of the seed's twelve tables."""

_BUILDERS = {
    Kind.REVENUE_EXPENDITURE_SUMMARY: revenue_expenditure_summary,
    Kind.REVENUE_SUMMARY: revenue_summary,
    Kind.EXPENDITURE_SUMMARY: lambda ctx: function_table(ctx, Kind.EXPENDITURE_SUMMARY),
    Kind.FISCAL_APPROPRIATION_SUMMARY: fiscal_appropriation_summary,
    Kind.GENERAL_BUDGET_EXPENDITURE: lambda ctx: function_table(ctx, Kind.GENERAL_BUDGET_EXPENDITURE),
    Kind.GENERAL_BUDGET_BASIC_EXPENDITURE: basic_expenditure,
    Kind.ECONOMIC_CLASSIFICATION_SUMMARY: economic_summary,
    Kind.THREE_PUBLIC_EXPENSES: three_public,
    Kind.GOVERNMENT_FUND_EXPENDITURE: lambda ctx: function_table(ctx, Kind.GOVERNMENT_FUND_EXPENDITURE),
    Kind.PROJECT_EXPENDITURE: project_expenditure,
    Kind.DEPARTMENT_PERFORMANCE_TARGETS: department_targets,
    Kind.PROJECT_PERFORMANCE_TARGETS: project_targets,
}

_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
_DIGITS = "〇一二三四五六七八九"


@dataclass(slots=True)
class Raw:
    """Verbatim lines (the cover page)."""

    text: str


def _line(text: str) -> Paragraph:
    return Paragraph([Sentence([text])])


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _decide_hazards(table: Table, rng: random.Random) -> None:
    h = world()["hazards"]
    if table.label_cols and rng.random() < h["wrap_probability"]:
        table.wrap = rng.randint(*h["wrap_width"])
    if table.header.rows and rng.random() < h["spaced_header_probability"]:
        table.spaced = frozenset(
            (r, c)
            for r, row in enumerate(table.header.rows)
            for c, text in enumerate(row)
            if len(text) >= 4 and all(_is_cjk(ch) for ch in text) and rng.random() < 0.5
        )
    if len(table.rows) >= h["split_min_rows"] and rng.random() < h["split_probability"]:
        table.split_at = rng.randint(3, len(table.rows) - 2)
        table.repeat_header = rng.random() < h["repeat_header_probability"]
    if table.class_col >= 0 and rng.random() < h["drop_class_probability"]:
        table.drop_class = True


def _paragraph_break(paragraph: Paragraph, rng: random.Random) -> None:
    text = paragraph.text()
    if len(text) > 60 and rng.random() < world()["hazards"]["paragraph_break_probability"]:
        cut = rng.randint(20, len(text) - 20)
        if _is_cjk(text[cut - 1]) and _is_cjk(text[cut]):
            paragraph.break_at = cut


def doc_figures(fig: Figures) -> dict[str, float]:
    """Document-level figures recorded in truth.parquet (万元, or counts for headcount)."""
    dy = fig.dy
    return {
        "total_revenue": fig.revenue_total / 100,
        "total_expenditure": fig.revenue_total / 100,
        "basic_expenditure": fig.basic_total / 100,
        "project_expenditure": fig.project_total / 100,
        "personnel_expenditure": fig.personnel / 100,
        "public_expenditure": fig.public / 100,
        "three_public_total": fig.three_public["total"] / 100,
        "general_budget_total": fig.general_total / 100,
        "gov_fund_total": fig.gov_fund / 100,
        "carryover_total": fig.carryover / 100,
        "operating_costs": fig.public / 100,
        "procurement_total": sum(fig.procurement.values()) / 100,
        "headcount_authorised": dy.authorised,
        "headcount_in_service": dy.in_service,
        "headcount_retired": dy.retired,
        "vehicles": dy.vehicles,
    }


def _cover(doc: SynthDoc, months: list[str]) -> Raw:
    year_zh = "".join(_DIGITS[int(d)] for d in str(doc.year))
    month = months[doc.dept.index % len(months)]
    return Raw(f"\n\n**{doc.dept.name}  \n{doc.year} 年度部门预算**\n\n**{year_zh}年{month}月**\n")


def build_document(fig: Figures, prev: Figures) -> SynthDoc:
    """The clean document of one department-year (``prev`` = the year before)."""
    dept, year = fig.dy.dept, fig.dy.year
    rng = dept.rng(f"doc:{year}")
    compact = rng.random() < 0.3
    doc = SynthDoc(dept=dept, year=year)
    h = world()["hazards"]
    ctx = TableContext(
        fig=fig,
        rng=rng,
        hierarchy=rng.random() < h["hierarchy_rows_probability"],
        shuffle_econ=rng.random() < h["shuffle_econ_rows_probability"],
        econ_class_rows=rng.random() < h["econ_class_rows_probability"],
    )
    for kind in TABLE_ORDER:
        table = _BUILDERS[kind](ctx)
        _decide_hazards(table, rng)
        doc.tables[kind] = table
    words = phrasing()
    blocks: list = [_cover(doc, world()["cover_months"])]
    blocks.append(Heading(1, f"{year}年{dept.name} 部门预算公开"))
    blocks.append(Heading(2, "目 录"))
    blocks.append(Heading(3, f"第一部分 {dept.name}概况"))
    blocks += [_line("一、主要职责"), _line("二、部门所属预算单位构成情况")]
    part_two = rng.choice(words["narrative"]["part_two_title"]).format(dept=dept.name, year=year)
    blocks.append(Heading(3, f"第二部分 {part_two}"))
    blocks.append(Heading(3, "第三部分 名词解释"))
    blocks.append(Heading(3, f"附件：{dept.name} {year} 年部门预算表"))
    for i, kind in enumerate(TABLE_ORDER):
        blocks.append(_line(f"{_NUMERALS[i]}、{doc.tables[kind].printed_title().replace(' ', '')}"))
    blocks += [Heading(2, "第一部分"), Heading(3, f"{dept.name}概况"), Heading(4, f"一、{dept.name}主要职责")]
    duties = list(dept.spec.duties) + words["part_one"]["generic_duties"]
    blocks += [_line(f"（{_NUMERALS[i]}）{d}{'' if d.endswith('。') else '。'}") for i, d in enumerate(duties)]
    blocks.append(Heading(2, f"二、{dept.name}所属预算单位构成情况"))
    p1 = words["part_one"]
    blocks.append(_line(p1["units_sentence"].format(year=year, dept=dept.name)))
    if rng.random() < p1["staff_probability"]:
        dy = fig.dy
        blocks.append(
            _line(p1["staff_sentence"].format(authorised=dy.authorised, in_service=dy.in_service, retired=dy.retired))
        )
    blocks += [Heading(2, "第二部分"), Heading(1, part_two)]
    for block in build_narrative(fig, prev, rng, compact):
        if isinstance(block, Paragraph):
            _paragraph_break(block, rng)
        blocks.append(block)
    blocks += [Heading(2, "第三部分"), Heading(3, "名词解释")]
    blocks += build_glossary(rng, compact)
    blocks += [_line("附件："), _line(dept.name), _line(f"{year} 年部门预算表")]
    blocks += [doc.tables[kind] for kind in TABLE_ORDER]
    doc.blocks = blocks
    doc.doc_figures = doc_figures(fig)
    return doc


def narrative_span(doc: SynthDoc) -> tuple[int, int]:
    """Block range of 第二部分's sections (from the first section heading to 第三部分)."""
    start = next(i for i, b in enumerate(doc.blocks) if isinstance(b, Paragraph) and b.narrative) - 1
    end = next(i for i, b in enumerate(doc.blocks) if isinstance(b, Heading) and b.text == "第三部分")
    return start, end
