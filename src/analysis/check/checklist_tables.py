"""Checklist items that need a table (issue 12): a blank 三公 table while the text gives its
amounts, an empty table whose note names another fund, income and expenditure tables whose
function codes do not correspond, and class codes that exist nowhere in the catalogue. Ids
beyond DOMAIN.md are catalogued in docs/rule_ids.md (N7–N9)."""

from __future__ import annotations

import re
from typing import cast

from analysis import classification as cat
from analysis.check.context import DocContext, finding
from analysis.check.narrative_text import located_sentences, quote
from analysis.check.registry import rule
from analysis.kinds import Kind
from analysis.metadata import empty_table_statements
from analysis.text import clean_text

_THREE_PUBLIC = {Kind.THREE_PUBLIC_EXPENSES, Kind.FINAL_THREE_PUBLIC_EXPENSES}
_THREE_PUBLIC_SUBJECTS = {
    "three_public",
    "abroad",
    "vehicle_total",
    "vehicle_purchase",
    "vehicle_operation",
    "reception",
}
_OTHER_PERIOD = re.compile(r"上年|去年|上一年|20\d{2}\s*年(?:度)?(?:预算|决算)数|年初预算|预算数|控制数")


@rule(
    "three-public-table-blank",
    severity="error",
    category="cross_table",
    title="“三公”经费表为空，文中却列出三公经费金额",
    domain_ids="F2 G1 N7",
)
def three_public_table_blank(ctx: DocContext):
    """The 三公 table is printed but carries no amount (blank, or "无三公经费" noted) while the
    narrative states a nonzero 三公 amount for the year (not a previous-year, budget or
    control figure): one of the two is wrong."""
    tables = [t for t in ctx.table_rows if t["table_kind"] in _THREE_PUBLIC]
    if not tables:
        return None
    if any(t["status"] == "filled" for t in tables):
        return []
    stated = [
        c
        for c in ctx.ordered_claims
        if c["subject"] in _THREE_PUBLIC_SUBJECTS
        and c["claim_type"] == "amount"
        and (c["value_wan"] or 0) > 0
        and not _OTHER_PERIOD.search(c["clause"] or "")
    ]
    if not stated:
        return []
    c = stated[0]
    t = tables[0]
    return [
        finding(
            f"《{t['title']}》未填列金额，但文中写“{c['clause']}”：{quote(c['sentence'])}",
            table_kind=t["table_kind"],
            expected=0.0,
            actual=c["value_wan"],
            excerpt=c["sentence"],
            line=c["line"],
            page=c["page"],
            location=f"《{t['title']}》",
        )
    ]


@rule(
    "empty-table-note-fund",
    severity="error",
    category="completeness",
    title="空表的说明写的是另一类资金",
    domain_ids="F2 X09 N8",
)
def empty_table_note_fund(ctx: DocContext):
    """An empty 政府性基金 table noted "本单位无国有资本经营预算支出" (or the reverse, or a 三公
    table noted about a fund): the note was copied from another table and says nothing about
    this one."""
    negation, specs = empty_table_statements()
    by_id = {i: spec for spec in specs for i in spec.ids}
    checked, found = False, []
    for t in ctx.table_rows:
        spec = by_id.get(t["domain_id"] or "")
        if spec is None or t["status"] == "filled" or not t["notes"]:
            continue
        checked = True
        note = clean_text(t["notes"])
        if spec.subject in note:
            continue
        others = [
            o.subject
            for o in specs
            if o is not spec and o.subject in note and re.search(f"(?:{negation})[^，。；]{{0,12}}{o.subject}", note)
        ]
        if others:
            found.append(
                finding(
                    f"《{t['title']}》为空表，说明却写“{note[:60]}”（说的是{others[0]}，不是{spec.subject}）",
                    table_kind=t["table_kind"],
                    excerpt=note,
                    line=t["line"],
                    page=t["page"],
                    location=f"《{t['title']}》",
                )
            )
    return found if checked else None


_PAIRS = ((Kind.REVENUE_SUMMARY, Kind.EXPENDITURE_SUMMARY), (Kind.FINAL_REVENUE, Kind.FINAL_EXPENDITURE))


def _codes(ctx: DocContext, kind: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for item in ctx.rows(kind):
        if item["func_code"] and item["row_role"] != "unit":
            out.setdefault(item["func_code"], item)
    return out


@rule(
    "income-expenditure-codes",
    severity="warning",
    category="cross_table",
    title="收入表与支出表的功能分类科目不对应",
    domain_ids="X01 X02 N9",
)
def income_expenditure_codes(ctx: DocContext):
    """Where the income table (B02/F02) is printed by function code as well as the expenditure
    table (B03/F03), the two list the same codes: a code in one table and not in the other is
    money received for nothing or spent from nothing (or a misprinted code)."""
    found, checked = [], False
    for income_kind, spend_kind in _PAIRS:
        income, spend = _codes(ctx, income_kind), _codes(ctx, spend_kind)
        if not income or not spend:
            continue
        checked = True
        for code in sorted(set(income) ^ set(spend)):
            row = cast(dict, income.get(code) or spend.get(code))  # code is in one of the two
            _where, other = (income_kind, spend_kind) if code in income else (spend_kind, income_kind)
            other_title = (ctx.table_info(other) or {}).get("title") or other
            found.append(
                finding(
                    f"{ctx.where(row)}：科目 {code}“{row['row_label'] or ''}”只见于此表，"
                    f"《{other_title}》中没有对应科目",
                    row=row,
                    column="code",
                    excerpt=f"{code} {row['row_label'] or ''}",
                )
            )
    return found if checked else None


_SPLIT_CODE = re.compile(r"2\d{2}(?:\d{2}){1,2}")
_CODE = re.compile(r"\d{3}(?:\d{2}){0,2}")
_NARRATIVE_CODE = re.compile(r"(?<![\d.])(2\d{2}(?:\d{2}){0,2})\s*(?=[\u4e00-\u9fff])")
_TYPED_CODE = re.compile(r"(?:科目|[（(][一二三四五六七八九十\d]+[)）]|\d[、.．])\s*$")


@rule(
    "class-code-unknown",
    severity="error",
    category="classification",
    title="功能分类科目编码在科目表中不存在",
    domain_ids="K1 N10",
)
def class_code_unknown(ctx: DocContext):
    """A function code printed in a table or in a listed narrative item ("（三）2080505机关事业单位
    基本养老保险缴费支出") whose 类 (first three digits) exists nowhere in the catalogue of
    政府收支分类科目 is a misprint. Only the 类 is judged: the 款 and 项 kept here are not complete,
    so an unknown 款 proves nothing."""
    year = ctx.document.get("fiscal_year")
    found, seen = [], set()

    def judge(code: str, label: str, **where) -> None:
        if code in seen:
            return
        seen.add(code)
        if not cat.function_entries(code[:3], year):
            found.append(finding(f"功能分类科目 {code}“{label}”：类级编码 {code[:3]} 在科目表中不存在", **where))

    for item in ctx.item_rows:
        code, unit = item["func_code"], item["row_role"] == "unit"
        if unit:
            printed = (item["unit_code"] or "") + (item["func_partial"] or "")
            if item["func_code_inferred"] and _SPLIT_CODE.fullmatch(printed):
                code = printed  # "277 01 99 其他文化和旅游支出": a class the reader could not take for one
            if code != printed:
                continue
        if code and code not in seen and _CODE.fullmatch(code):
            judge(code, item["row_label"] or "", row=item, column="code", excerpt=f"{code} {item['row_label'] or ''}")
    for sentence, block, _ in located_sentences(ctx):
        for m in _NARRATIVE_CODE.finditer(sentence):
            if not _TYPED_CODE.search(sentence[max(0, m.start() - 6) : m.start()]) or re.match(
                r"\s*年", sentence[m.end() : m.end() + 2]
            ):
                continue
            label = re.match(r"[\u4e00-\u9fff（）()]{2,20}", sentence[m.end() :])
            judge(
                m.group(1),
                label.group(0) if label else "",
                excerpt=sentence[m.start() : m.start() + 40],
                location=quote(sentence[m.start() : m.start() + 30]),
                line=block.location.line,
                page=block.location.page,
            )
    return found
