"""Checks reviewers' checklists ask for and that read the narrative only (issue 12), so they run
on narrative-only documents too. Ids not in DOMAIN.md are catalogued in docs/rule_ids.md (N…).
"""

from __future__ import annotations

import itertools
import re

from analysis.check.context import DocContext, finding
from analysis.check.narrative_text import blocks, located_sentences, quote, rate_statements
from analysis.check.prefilter import joined, may_match
from analysis.check.registry import rule
from analysis.model import Block
from analysis.sentences.rates import direction_of
from analysis.sentences.sums import StatedSum, sentence_sums

_EPS = 1e-9
_LISTS = ("其中", "包括", "分别")
"""A stated sum lists its parts after one of these words (``normalise.text_sums``)."""


def _at(block, text: str) -> dict:
    return {"location": quote(text, 40), "excerpt": text, "line": block.location.line, "page": block.location.page}


def _stated_sums(ctx: DocContext) -> list[tuple[StatedSum, Block, float, float]]:
    """Every stated sum of the narrative with its block, the parts' sum in 万元 and the gap the
    rounding of the printed total and parts allows (read once per document: two rules use it)."""
    if "stated_sums" not in ctx.memo:
        out = []
        for sentence, block, _ in located_sentences(ctx):
            if "元" not in sentence or not any(word in sentence for word in _LISTS):
                continue  # no amount, or no list of parts: sentence_sums would find nothing
            for x in sentence_sums(sentence):
                parts = sum(p.wan for _, p in x.parts)
                out.append((x, block, parts, x.total.half + sum(p.half for _, p in x.parts) + _EPS))
        ctx.memo["stated_sums"] = out
    return ctx.memo["stated_sums"]


@rule(
    "text-sum-parts-exceed",
    severity="error",
    category="narrative",
    title="文中所列组成部分之和大于其合计",
    domain_ids="A3 C1 N2",
)
def text_sum_parts_exceed(ctx: DocContext):
    """ "财政拨款收入1924.09万元，其中政府性基金2074.07万元": the parts a sentence lists after
    a total ("其中", "包括", "分别为") cannot add up to more than the total, beyond the
    rounding of the printed figures."""
    sums = _stated_sums(ctx)
    if not sums:
        return None
    found = []
    for x, block, parts, allowed in sums:
        if parts > x.total.wan + allowed:
            names = "、".join(f"{name or '?'} {p.value:g}" for name, p in x.parts)
            found.append(
                finding(
                    f"{quote(x.text)}：{x.total_label or '合计'} {x.total.value:g} 万元，所列组成部分（{names}）"
                    f"合计 {parts:.2f} 万元，超过总数",
                    expected=x.total.wan,
                    actual=round(parts, 2),
                    **_at(block, x.text),
                )
            )
    return found


@rule(
    "text-sum-short",
    severity="warning",
    category="narrative",
    title="“分别为”所列各项之和与合计不符",
    domain_ids="A1 C1 N2",
)
def text_sum_short(ctx: DocContext):
    """ "“三公”经费合计30万元，因公出国（境）费、公务用车购置及运行费、公务接待费分别为…":
    a list that names its parts one by one ("分别为") should add up to the total it follows.
    A warning: the text may leave a part out on purpose."""
    sums = [stated for stated in _stated_sums(ctx) if stated[0].respectively]
    if not sums:
        return None
    found = []
    for x, block, parts, allowed in sums:
        if parts < x.total.wan - allowed:
            found.append(
                finding(
                    f"{quote(x.text)}：{x.total_label or '合计'} {x.total.value:g} 万元，分别列出的各项合计 "
                    f"{parts:.2f} 万元",
                    expected=x.total.wan,
                    actual=round(parts, 2),
                    **_at(block, x.text),
                )
            )
    return found


@rule(
    "zero-amount-changed",
    severity="error",
    category="narrative",
    title="零金额却称比上年增加，或“增加持平”之类自相矛盾的用词",
    domain_ids="P3 E7 N3",
)
def zero_amount_changed(ctx: DocContext):
    """ "公务接待费0万元，比上年增加356.20万元": an amount of zero cannot have grown (the
    previous year would be negative); "增加持平", "减少持平" say two contradictory things."""
    sentences = located_sentences(ctx)
    if not sentences:
        return None
    found = []
    for s, block in rate_statements(ctx):
        if (
            s.current is not None
            and s.previous is None
            and s.current.value == 0
            and s.change is not None
            and s.change.value > 0
            and direction_of(s.change) == "up"
        ):
            found.append(
                finding(
                    f"{quote(s.text)}：本年为 0 万元，却称比上年增加 {s.change.value:g} 万元（上年将为负数）",
                    expected=0.0,
                    actual=s.change.wan,
                    **_at(block, s.text),
                )
            )
    if "持平" not in joined(ctx, "sentences", [s for s, _, _ in sentences]):
        return found  # every contradictory pair names 持平
    for sentence, block, _ in sentences:
        for m in _CONTRADICTORY.finditer(sentence):
            found.append(finding(f"{quote(sentence)}：“{m.group(0)}”用词自相矛盾", **_at(block, sentence)))
    return found


_CONTRADICTORY = re.compile(r"(?:增加|增长|减少|下降|上升|降低)(?:了)?\s*持平|持平\s*(?:增加|增长|减少|下降)")

_UNIT_SPEAKS = re.compile(r"部门预算安排|本部门预算|部门决算(?:收入|支出)|本部门(?:收入|支出)")


@rule(
    "unit-document-department-words",
    severity="warning",
    category="template",
    title="单位预决算中出现“部门预算安排”等部门口径用语",
    domain_ids="E3 N4",
)
def unit_document_department_words(ctx: DocContext):
    """A 单位预算/单位决算 speaks for one unit; "部门预算安排", "本部门支出" in it are copied from
    the department's document (or the document is mislabelled)."""
    if ctx.document.get("level") != "unit":
        return None
    found = []
    for sentence, block, _ in located_sentences(ctx):
        m = _UNIT_SPEAKS.search(sentence)
        if m:
            found.append(finding(f"单位预决算中写“{m.group(0)}”：{quote(sentence)}", **_at(block, sentence)))
    return found


_COMPARE_YEAR = re.compile(
    r"(?:比|较|与)(?P<what>本年|本年度|当年|(?P<year>20\d{2})\s*年度?)(?P<kind>年初)?"
    r"(?P<doc>预算|决算|执行)?(?:数)?(?:相比)?[^，。；]{0,6}?(?:增加|减少|增长|下降|持平|上升)"
)
_YEAR_END = re.compile(r"(?:截至|截止|截止到|截至到)?\s*(?P<year>20\d{2})\s*年\s*(?:12\s*月\s*31\s*日|年末|年底)")


@rule(
    "comparison-year-wrong",
    severity="warning",
    category="template",
    title="比较口径的年度不对（如预算中“比本年预算”，决算中与其他年度决算比较）",
    domain_ids="E2 N5",
)
def comparison_year_wrong(ctx: DocContext):
    """A budget of year N compares with N − 1 ("比上年", "比2024年预算"); "比本年预算" or a
    comparison with year N or N − 2 is a wrong year. A 决算 of N compares with 年初预算 (of N)
    or with the 决算 of N − 1; a comparison with another year's 决算 is wrong."""
    year = ctx.document.get("fiscal_year")
    if year is None:
        return None
    final = ctx.document.get("doc_type") == "final_account"
    found = []
    for sentence, block, _ in located_sentences(ctx):
        for m in _COMPARE_YEAR.finditer(sentence):
            said = year if m.group("year") is None else int(m.group("year"))
            if final:
                wrong = (said == year and m.group("doc") != "预算" and not m.group("kind")) or said not in (
                    year,
                    year - 1,
                )
            else:
                wrong = said != year - 1
            if wrong:
                found.append(
                    finding(
                        f"{year}年{'决算' if final else '预算'}中比较对象为“{m.group(0)[:20]}”，"
                        f"应与{'年初预算或上年决算' if final else '上年'}比较：{quote(sentence)}",
                        **_at(block, sentence),
                    )
                )
    return found


@rule(
    "year-end-date-wrong",
    severity="warning",
    category="template",
    title="年末日期的年度不对（决算应为本年末，预算应为上年末）",
    domain_ids="E2 N5",
)
def year_end_date_wrong(ctx: DocContext):
    """A final account of N reports assets and balances "截至N年12月31日"; a budget of N
    "截至N−1年12月31日". Any other year-end in a 截至 phrase is a wrong year."""
    year = ctx.document.get("fiscal_year")
    if year is None:
        return None
    final = ctx.document.get("doc_type") == "final_account"
    want = year if final else year - 1
    found: list[dict] = []
    text = joined(ctx, "sentences", [s for s, _, _ in located_sentences(ctx)])
    if ("截至" not in text and "截止" not in text) or not may_match(_YEAR_END, text):
        return found  # only a year-end after 截至/截止 is judged
    for sentence, block, _ in located_sentences(ctx):
        for m in _YEAR_END.finditer(sentence):
            if m.group(0).strip().startswith(("截至", "截止")) and int(m.group("year")) != want:
                found.append(
                    finding(
                        f"{year}年{'决算' if final else '预算'}写“{m.group(0).strip()}”，应为{want}年末："
                        f"{quote(sentence)}",
                        expected=float(want),
                        actual=float(m.group("year")),
                        **_at(block, sentence),
                    )
                )
    return found


_REPEATED = re.compile(r"([\u4e00-\u9fff]{2,4})\1")
_REDUPLICATED_OK = re.compile(r"^(?:(.)\1)+$")
"""Chinese reduplication (常常, 年年) is a word, not a typo; only repeats of 2–4 distinct-character
words are reported."""


@rule("repeated-word", severity="info", category="template", title="词语重复（如“预算预算”）", domain_ids="E6 N6")
def repeated_word(ctx: DocContext):
    """The same two-to-four-character word printed twice in a row ("预算预算", "支出支出")."""
    found: list[dict] = []
    if not may_match(_REPEATED, joined(ctx, "blocks", [block.text for block in blocks(ctx)])):
        return found
    for block in blocks(ctx):
        for m in _REPEATED.finditer(block.text):
            if len(set(m.group(1))) < 2 or _REDUPLICATED_OK.match(m.group(1)):
                continue
            lo = max(0, m.start() - 15)
            found.append(
                finding(
                    f"“{m.group(0)}”词语重复：{quote(block.text[lo : m.end() + 15])}",
                    **_at(block, block.text[lo : m.end() + 15]),
                )
            )
    return found


_PAIRS = (("（(", "）)"), ("“", "”"), ("《", "》"), ("【", "】"))
"""Full- and half-width brackets close each other: "（款)" is a width slip, not an open bracket."""


_MARK_OF = {ch: (k, side == 0) for k, pair in enumerate(_PAIRS) for side, chars in enumerate(pair) for ch in chars}
_MARKS = re.compile(f"[{re.escape(''.join(_MARK_OF))}]")


def _unbalanced(text: str) -> tuple[int, int] | None:
    """The first pair of ``_PAIRS`` (its index) left unbalanced in ``text`` and where: a closing
    mark without its opening one, or the last opening mark left open. One pass over the marks
    (the pairs share no character, so each keeps its own stack)."""
    if _MARKS.search(text) is None:  # most paragraphs print no bracket or quote at all
        return None
    stacks: list[list[int]] = [[] for _ in _PAIRS]
    early: list[int | None] = [None] * len(_PAIRS)
    for m in _MARKS.finditer(text):
        k, opens = _MARK_OF[m.group()]
        if early[k] is not None:
            continue  # this pair is already known to be unbalanced
        if opens:
            stacks[k].append(m.start())
        elif stacks[k]:
            stacks[k].pop()
        else:
            early[k] = m.start()
    for k, stack in enumerate(stacks):
        at = early[k] if early[k] is not None else (stack[-1] if stack else None)
        if at is not None:
            return k, at
    return None


@rule("unbalanced-marks", severity="info", category="template", title="括号、引号、书名号不成对", domain_ids="E6 N6")
def unbalanced_marks(ctx: DocContext):
    """Within one paragraph, every （ “ 《 【 has its closing mark and no closing mark comes
    first (a sentence may end inside brackets, so the paragraph is the unit)."""
    found = []
    for block in blocks(ctx):
        unbalanced = _unbalanced(block.text)
        if unbalanced is not None:
            (open_, close), at = _PAIRS[unbalanced[0]], unbalanced[1]
            piece = block.text[max(0, at - 20) : at + 20]
            found.append(finding(f"“{open_[0]}{close[0]}”不成对：{quote(piece)}", **_at(block, piece)))
    return found


_SECTION_START = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[、.．]\D)")


@rule("missing-full-stop", severity="info", category="template", title="段落缺少句末标点", domain_ids="E6 N6")
def missing_full_stop(ctx: DocContext):
    """A paragraph of sentences (with a comma) that ends without 。；！？： right before the
    next numbered section or item starts: the full stop was left out."""
    rows = blocks(ctx)
    found = []
    for block, after in itertools.pairwise(rows):
        text = block.text.strip()
        if (
            block.kind != "paragraph"
            or len(text) < 20
            or "，" not in text
            or (_SECTION_START.match(text) and len(text) < 40)
        ):
            continue
        if (
            text[-1] not in "。；;！!？?：:…"
            and re.match(r"[\u4e00-\u9fff\d%）)”]", text[-1])
            and _SECTION_START.match(after.text.strip())
        ):
            found.append(finding(f"段落末尾缺少句号：{quote(text[-40:])}", **_at(block, text[-40:])))
    return found
