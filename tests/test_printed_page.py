"""The printed page is the truth for text artefacts (issue 11 point 5), with cases written here:
punctuation whose glyph boxes would make lines of their own, and amounts typed with full-width
digits or full-width/ideographic thousands separators."""

from __future__ import annotations

import pytest

from analysis.model import Block, Location
from analysis.normalise.cells import parse_amount
from analysis.normalise.claims import narrative_claims
from analysis.read.pdf_page import Char
from analysis.read.pdf_text import group_lines, join_lines


def _line(text: str, top: float, size: float = 12.0) -> list[Char]:
    """Characters of one printed line; commas and stops get the small, low box a CJK font gives
    them (the bottom quarter of the em square), quotes a small high one."""
    chars = []
    for i, letter in enumerate(text):
        x = 10 + i * size
        if letter in "，。、；：":
            chars.append(Char(letter, x, x + size * 0.3, top + size * 0.75, top + size))
        elif letter in "“”":
            chars.append(Char(letter, x, x + size * 0.3, top, top + size * 0.3))
        else:
            chars.append(Char(letter, x, x + size * 0.9, top, top + size))
    return chars


def test_punctuation_stays_on_its_printed_line():
    chars = _line("本年收入，比上年增加，主要是", 100) + _line("“三公”经费减少。其中，公务", 118)
    lines = [line.text() for line in group_lines(chars)]
    assert lines == ["本年收入，比上年增加，主要是", "“三公”经费减少。其中，公务"]
    assert "，，" not in join_lines(lines)


def test_a_line_of_marks_alone_is_still_kept():
    # a mark far from any text (a stray glyph) is not lost and not moved into a sentence
    chars = [*_line("说明", 100), Char("，", 400, 403, 300, 303)]
    assert [line.text() for line in group_lines(chars)] == ["说明", "，"]


@pytest.mark.parametrize(
    "printed,value",
    [
        ("1，799.35", 1799.35),
        ("１，７９９．３５", 1799.35),
        ("1、799.35", 1799.35),
        ("12﹐345﹐678.90", 12345678.90),
        ("1\u2009799.35", 1799.35),
        ("－３．５０", -3.5),
    ],
)
def test_wide_and_ideographic_separators_parse(printed, value):
    parsed = parse_amount(printed)
    assert parsed.status == "value" and parsed.value == pytest.approx(value) and parsed.decimals == 2


@pytest.mark.parametrize("printed", ["1、2", "12，34.5", "XX万", "1，7990.35"])
def test_lists_and_malformed_groups_are_not_amounts(printed):
    assert parse_amount(printed).status == "unparsed"


def test_narrative_amounts_with_wide_separators_and_digits():
    block = Block(
        "paragraph",
        Location(3, None, None),
        text="本部门2026年收入总计１，２０４．５０万元，比上年增加1，003.20万元，增长500.00％。",
    )
    claims = narrative_claims([block])
    assert [(c["subject"], c["claim_type"], c["value"]) for c in claims] == [
        ("revenue_grand_total", "amount", 1204.5),
        ("revenue_grand_total", "change_amount", 1003.2),
        ("revenue_grand_total", "change_pct", 500.0),
    ]


def test_a_form_label_that_prints_its_unit_sets_the_unit_of_its_amounts():
    from analysis.normalise.form import form_items
    from analysis.recognise.tables import RecognisedTable

    rows = [["部门预算总额（元）", "1,234,500.00"], ["基本支出", "1,000,000.00", "项目支出", "234,500.00"]]
    table = RecognisedTable(
        0,
        "department_performance_targets",
        "部门整体绩效目标表",
        None,
        Location(1, None, None),
        rows,
        [Location(1, None, None), Location(2, None, None)],
    )
    amounts = {i["row_label"]: i["amount"] for i in form_items(table)}
    assert amounts == {
        "部门预算总额": pytest.approx(123.45),
        "基本支出": pytest.approx(100.0),
        "项目支出": pytest.approx(23.45),
    }
