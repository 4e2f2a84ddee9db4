"""Clause-level subjects of narrative claims (issue 11 point 2): sentences written for these
tests, of one to four subjects, in the ways publishers list several figures in one sentence."""

from __future__ import annotations

import pytest

from analysis.normalise.claims import sentence_claims


def _pairs(sentence: str) -> list[tuple[str | None, str, float]]:
    return [(c["subject"], c["claim_type"], c["value"]) for c in sentence_claims(sentence)]


CASES = [
    # one subject, its change and rate
    (
        "本年度公用经费36.40万元，比上年减少2.10万元，下降5.45%。",
        [("public", "amount", 36.40), ("public", "change_amount", 2.10), ("public", "change_pct", 5.45)],
    ),
    # two subjects in a 顿号 list with alternating directions
    (
        "与上年相比，基本支出增加8.80万元、项目支出减少41.25万元。",
        [("basic_expenditure", "change_amount", 8.80), ("project_expenditure", "change_amount", 41.25)],
    ),
    # two subjects, 分别 with amounts then with changes of opposite directions
    (
        "人员经费和公用经费分别为512.06万元和73.19万元，分别比上年增加6.30万元、减少0.84万元。",
        [
            ("personnel", "amount", 512.06),
            ("public", "amount", 73.19),
            ("personnel", "change_amount", 6.30),
            ("public", "change_amount", 0.84),
        ],
    ),
    # three subjects after 其中, separated by semicolons, each with its share
    (
        "其中：一般公共预算收入880.00万元，占88.00%；政府性基金收入100.00万元，占10.00%；上年结转20.00万元，占2.00%。",
        [
            ("general_budget", "amount", 880.00),
            ("general_budget", "share", 88.00),
            ("gov_fund", "amount", 100.00),
            ("gov_fund", "share", 10.00),
            ("carryover", "amount", 20.00),
            ("carryover", "share", 2.00),
        ],
    ),
    # three subjects inside parentheses after a total
    (
        "“三公”经费预算9.60万元（因公出国（境）费0.00万元，公务接待费1.60万元，公务用车运行维护费8.00万元）。",
        [
            ("three_public", "amount", 9.60),
            ("abroad", "amount", 0.00),
            ("reception", "amount", 1.60),
            ("vehicle_operation", "amount", 8.00),
        ],
    ),
    # four subjects, 分别 list of shares
    (
        "因公出国（境）费、公务接待费、公务用车购置费、公务用车运行维护费分别占0.00%、20.00%、30.00%、50.00%。",
        [
            ("abroad", "share", 0.0),
            ("reception", "share", 20.0),
            ("vehicle_purchase", "share", 30.0),
            ("vehicle_operation", "share", 50.0),
        ],
    ),
    # names the catalogue does not know take no subject from the clause before them
    (
        "支出总计640.00万元，比上年增加40.00万元，其中：工资福利支出增加25.00万元、商品和服务支出增加15.00万元。",
        [
            ("expenditure_grand_total", "amount", 640.0),
            ("expenditure_grand_total", "change_amount", 40.0),
            (None, "change_amount", 25.0),
            (None, "change_amount", 15.0),
        ],
    ),
    # bare 收入/支出 after the totals they refer to
    (
        "收入总计700.00万元，支出总计700.00万元，与上年相比，收入增加70.00万元，支出增加70.00万元。",
        [
            ("revenue_grand_total", "amount", 700.0),
            ("expenditure_grand_total", "amount", 700.0),
            ("revenue_grand_total", "change_amount", 70.0),
            ("expenditure_grand_total", "change_amount", 70.0),
        ],
    ),
]


@pytest.mark.parametrize(
    "sentence,expected", CASES, ids=[f"{len({s for s, _, _ in e})}-subjects-{i}" for i, (_, e) in enumerate(CASES)]
)
def test_each_figure_attaches_to_its_own_subject(sentence, expected):
    assert _pairs(sentence) == expected


def test_more_values_than_listed_subjects_attach_to_none():
    claims = sentence_claims("人员经费、公用经费分别为10.00万元、2.00万元、3.00万元。")
    assert [c["subject"] for c in claims] == ["personnel", "public", None]


def test_clause_text_holds_only_its_own_figure():
    claims = sentence_claims("基本支出增加1.00万元、项目支出减少2.00万元。")
    assert "1.00" not in claims[1]["clause"] and claims[1]["direction"] == "down"
