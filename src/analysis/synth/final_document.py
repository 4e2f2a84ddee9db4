"""Assemble one department-year's 决算 (部门决算公开) as a :class:`SynthDoc` (issue 13).

Anatomy after DOMAIN §0.3 (概况 → 情况说明 → 名词解释 → 决算表), the nine MOF tables of
:mod:`analysis.synth.final_tables`, and the statements a 决算 narrative makes about execution
(§1.3, §2.7 EX1–EX3): “年初预算为B万元，支出决算为F万元，完成年初预算的R%。决算数小于预算数的主要
原因：…” for the whole 一般公共预算财政拨款, each 功能 类 and the “三公” 经费. Numbers are
:class:`Slot` parts so the ``final_*`` planters can change one and the sentence re-renders.
"""

from __future__ import annotations

import random

from analysis.synth.amounts import fmt_units
from analysis.synth.document import Raw, _decide_hazards
from analysis.synth.execution import Execution
from analysis.synth.final_tables import BUILDERS, FinalContext
from analysis.synth.layout import Heading, Paragraph, Sentence, Slot, SynthDoc
from analysis.synth.params import classes, phrasing, world

EXECUTION_SECTION = "一般公共预算财政拨款支出决算情况说明"
THREE_PUBLIC_SECTION = "“三公”经费财政拨款支出决算情况说明"
_DIGITS = "〇一二三四五六七八九"


def rate_hundredths(final: int, budget: int) -> int:
    """决算 / 预算 in hundredths of a percent, rounded half up from the exact integers (EX1)."""
    return (final * 20000 + budget) // (2 * budget)


def _pct(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def direction(final: int, budget: int) -> str:
    return "大于" if final > budget else "小于" if final < budget else "持平"


def statement(
    subject: str, key: str, budget: int, final: int, rng: random.Random, base_word: str = "年初预算"
) -> Paragraph | None:
    """One execution statement (EX1–EX3) as a paragraph of two sentences, or None without a budget."""
    if budget <= 0:
        return None
    rate = rate_hundredths(final, budget)
    first = Sentence(
        [
            f"{subject}年初预算为",
            Slot("amt", f"{key}:budget", budget, fmt_units(budget)),
            "万元，支出决算为",
            Slot("amt", f"{key}:final", final, fmt_units(final)),
            f"万元，完成{base_word}的",
            Slot("pct", f"{key}:rate", rate / 100, _pct(rate)),
            "%。",
        ]
    )
    word = direction(final, budget)
    reasons = phrasing()["final_reasons"]
    if word == "持平":
        second = Sentence(["决算数与预算数", Slot("dir", f"{key}:direction", 0, "持平"), "。"])
    else:
        reason = rng.choice(reasons["over" if word == "大于" else "under"])
        second = Sentence(
            ["决算数", Slot("dir", f"{key}:direction", final - budget, word), f"预算数的主要原因：{reason}。"]
        )
    return Paragraph(
        [first, second], EXECUTION_SECTION if key != "three_public" else THREE_PUBLIC_SECTION, narrative=True
    )


def _plain(text: str, section: str) -> Paragraph:
    return Paragraph([Sentence([text])], section, narrative=True)


def _narrative(ex: Execution, rng: random.Random) -> list:
    year, name = ex.year, ex.dept.name
    out: list = [Heading(2, "第二部分"), Heading(1, f"{name}{year}年度部门决算情况说明")]
    s1 = "一、收入支出决算总体情况说明"
    out += [
        Heading(3, s1),
        _plain(
            f"{year}年度收入总计{fmt_units(ex.grand_total)}万元，支出总计{fmt_units(ex.grand_total)}万元。"
            f"与年初预算相比，本年收入合计{fmt_units(ex.income)}万元，本年支出合计{fmt_units(ex.spend)}万元，"
            f"年末结转和结余{fmt_units(ex.carry_out)}万元。",
            s1,
        ),
    ]
    out.append(Heading(3, f"二、{EXECUTION_SECTION}"))
    planned = ex.budget_by_class()
    done = ex.by_class("general")
    total = statement(f"{year}年度一般公共预算财政拨款支出", "general", sum(planned.values()), ex.total("general"), rng)
    if total:
        out.append(total)
    n = 0
    for c in classes():
        para = statement(
            f"{c['name']}（类）", f"class:{c['code']}", planned.get(c["code"], 0), done.get(c["code"], [0])[0], rng
        )
        if para:
            n += 1
            para.sentences[0].parts[0] = f"{n}、{para.sentences[0].parts[0]}"
            out.append(para)
    s3 = "三、一般公共预算财政拨款基本支出决算情况说明"
    out += [
        Heading(3, s3),
        _plain(
            f"{year}年度一般公共预算财政拨款基本支出{fmt_units(ex.total('general', 1))}万元。其中：人员经费"
            f"{fmt_units(ex.personnel())}万元，公用经费{fmt_units(ex.public())}万元。",
            s3,
        ),
    ]
    out.append(Heading(3, f"四、{THREE_PUBLIC_SECTION}"))
    tp_budget = ex.budget.three_public["total"]
    tp_final = sum(ex.three_public.values())
    para = statement(f"{year}年度“三公”经费财政拨款支出", "three_public", tp_budget, tp_final, rng, base_word="预算")
    out.append(para or _plain(f"{year}年度{name}没有使用财政拨款安排的“三公”经费。", THREE_PUBLIC_SECTION))
    return out


def build_final_document(ex: Execution) -> SynthDoc:
    """The clean 决算 of one department-year."""
    dept, year = ex.dept, ex.year
    rng = dept.rng(f"final:{year}")
    doc = SynthDoc(dept=dept, year=year)
    ctx = FinalContext(ex=ex, rng=rng, print_budget=rng.random() < world()["execution"]["print_budget_probability"])
    for kind, build in BUILDERS.items():
        table = build(ctx)
        _decide_hazards(table, rng)
        doc.tables[kind] = table
    year_zh = "".join(_DIGITS[int(d)] for d in str(year + 1))
    blocks: list = [Raw(f"\n\n**{dept.name}  \n{year} 年度部门决算**\n\n**{year_zh}年八月**\n")]
    blocks += [
        Heading(1, f"{year}年度{dept.name}部门决算公开"),
        Heading(2, "第一部分"),
        Heading(3, f"{dept.name}概况"),
        Paragraph([Sentence([f"{dept.name}{year}年度部门决算包括本级决算及所属预算单位决算。"])]),
    ]
    blocks += _narrative(ex, rng)
    blocks += [Heading(2, "第三部分"), Heading(3, "名词解释")]
    blocks += [Paragraph([Sentence([entry])], "名词解释") for entry in phrasing()["final_text"]["glossary"]]
    blocks += [Heading(2, "第四部分"), Heading(3, f"{dept.name}{year}年度部门决算表")]
    blocks += [doc.tables[kind] for kind in BUILDERS]
    doc.blocks = blocks
    doc.doc_figures = final_figures(ex)
    return doc


def final_figures(ex: Execution) -> dict[str, float]:
    """Document-level figures of a 决算 recorded in truth.parquet (万元)."""
    tp = sum(ex.three_public.values())
    return {
        "total_revenue": ex.grand_total / 100,
        "total_expenditure": ex.grand_total / 100,
        "current_year_revenue": ex.income / 100,
        "current_year_expenditure": ex.spend / 100,
        "basic_expenditure": ex.total("all", 1) / 100,
        "project_expenditure": ex.total("all", 2) / 100,
        "personnel_expenditure": ex.personnel() / 100,
        "public_expenditure": ex.public() / 100,
        "three_public_total": tp / 100,
    }
