"""Narrative-only disclosures (issue 12): a department's 预算说明 or 决算说明 published without
its tables, as a plain text page, a web page with site navigation around it, or a text PDF.

Each document states its figures in the sentence forms the rate, sum and checklist rules read
(from–to changes, 降幅, 完成年初预算的…%, 决算数大于/小于预算数, 其中 lists, 分别为 lists, year-end
dates, comparisons with the previous year). Planted anomalies edit one sentence each and are
labelled with a fragment of that sentence (``location`` = ``说明：<fragment>``), which a
finding's excerpt must contain (see :mod:`analysis.evaluate`).
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis.synth.labels import LABEL_SCHEMA

KINDS = (
    "rate_recompute",
    "rate_from_to_direction",
    "execution_rate",
    "comparison_word",
    "text_sum_exceeds",
    "text_sum_short",
    "zero_changed",
    "year_end_wrong",
    "comparison_year_wrong",
    "repeated_word",
    "unbalanced_mark",
    "missing_full_stop",
    "class_code_unknown",
)
_NAMES = (
    "水务局",
    "文化和旅游局",
    "司法局",
    "统计局",
    "档案馆",
    "农业农村局",
    "科学技术局",
    "商务局",
    "民政局",
    "退役军人事务局",
    "医疗保障局",
    "林业局",
    "审计局",
    "信访局",
    "城市管理局",
)
_EXTENSIONS = {"text": "txt", "html": "html", "pdf": "pdf"}
_CODED_ITEMS = (
    ("2010101", "行政运行"),
    ("2080505", "机关事业单位基本养老保险缴费支出"),
    ("2210201", "住房公积金"),
    ("2101101", "行政单位医疗"),
    ("2080506", "机关事业单位职业年金缴费支出"),
)


def _w(units: int) -> str:
    return f"{units / 100:.2f}"


def _pct(a: int, b: int) -> str:
    return f"{a / b * 100:.2f}"


@dataclass
class NarrativeDoc:
    department: str
    year: int
    final: bool
    paragraphs: list[str] = field(default_factory=list)
    """Lines of the 说明; headings are lines starting with a section number."""
    slots: dict[str, int] = field(default_factory=dict)
    """Which paragraph each plantable statement is in."""

    @property
    def title(self) -> str:
        return f"{self.year}年度{self.department}部门{'决算' if self.final else '预算'}说明"


def build(department: str, year: int, final: bool, rng: random.Random, carried: dict | None = None) -> NarrativeDoc:
    """One clean 说明; ``carried`` holds last year's figures of the same department and type
    (updated in place), so the "上年" figures agree with last year's document (DOMAIN Y1)."""
    doc = NarrativeDoc(department, year, final)
    carried = {} if carried is None else carried
    r = lambda lo, hi: rng.randrange(lo * 100, hi * 100)  # noqa: E731  (万元 in units of 0.01)
    kind = "决算" if final else "预算"
    general, fund = r(800, 5000), r(0, 300)
    total = general + fund
    basic_prev = carried.get("basic") or r(400, 2000)
    basic = basic_prev + rng.choice((1, -1)) * r(10, 200)
    project_prev = carried.get("project") or r(300, 1500)
    project = project_prev - r(5, 90)
    p = doc.paragraphs
    p.append("一、收入支出总体情况")
    doc.slots["sum"] = len(p)
    p.append(
        f"{year}年度收入合计{_w(total)}万元，其中：一般公共预算拨款{_w(general)}万元，政府性基金拨款{_w(fund)}万元。"
    )
    word = "增加" if basic > basic_prev else "减少"
    doc.slots["from_to"] = len(p)
    p.append(
        f"基本支出由上年的{_w(basic_prev)}万元{word}到{_w(basic)}万元，{word}{_w(abs(basic - basic_prev))}万元，"
        f"{'增长' if basic > basic_prev else '下降'}{_pct(abs(basic - basic_prev), basic_prev)}%。"
    )
    doc.slots["noun_rate"] = len(p)
    p.append(
        f"项目支出{_w(project)}万元，较上年{kind}数减少{_w(project_prev - project)}万元，"
        f"降幅{_pct(project_prev - project, project_prev)}%。"
    )
    p.append("二、财政拨款支出情况")
    if final:
        budget = r(900, 3000)
        spent = budget + rng.choice((1, -1)) * r(5, 150)
        doc.slots["execution"] = len(p)
        p.append(
            f"一般公共预算财政拨款支出年初预算为{_w(budget)}万元，支出决算为{_w(spent)}万元，完成年初预算的"
            f"{_pct(spent, budget)}%，决算数{'大于' if spent > budget else '小于'}预算数。"
        )
    else:
        doc.slots["execution"] = -1
        p.append(f"一般公共预算财政拨款支出{_w(general)}万元，主要用于保障机关正常运转和履行职能。")
    code, name = rng.choice(_CODED_ITEMS)
    doc.slots["coded"] = len(p)
    p.append(f"（一）{code}{name}{_w(r(20, 300))}万元，主要用于保障在职人员相关支出。")
    abroad, vehicle, reception = 0, r(5, 40), r(1, 15)
    reception_prev = carried.get("reception") or reception + r(1, 5)
    reception = min(reception, int(reception_prev * rng.uniform(0.6, 0.95))) or 1
    doc.slots["respectively"] = len(p)
    p.append(
        f"“三公”经费合计{_w(abroad + vehicle + reception)}万元，因公出国（境）费、公务用车购置及运行费、"
        f"公务接待费分别为{_w(abroad)}万元、{_w(vehicle)}万元、{_w(reception)}万元。"
    )
    doc.slots["zero"] = len(p)
    p.append(
        f"公务接待费{_w(reception)}万元，比上年减少{_w(reception_prev - reception)}万元，主要原因是严格控制接待标准。"
    )
    running_prev = carried.get("running") or r(20, 200)
    running = running_prev + r(1, 20)
    doc.slots["compare_year"] = len(p)
    p.append(
        f"机关运行经费{_w(running)}万元，比{year - 1}年增加{_w(running - running_prev)}万元，主要原因是办公用房维修。"
    )
    p.append("三、其他重要事项的情况说明")
    doc.slots["year_end"] = len(p)
    asset_year = year if final else year - 1
    p.append(f"截至{asset_year}年12月31日，本部门共有车辆{rng.randrange(1, 9)}辆（含下属单位），均为一般公务用车。")
    doc.slots["prose"] = len(p)
    p.append(f"本部门{kind}资金主要用于保障机关正常运转，落实各项重点工作。")
    carried.update(basic=basic, project=project, reception=reception, running=running)
    p.append("四、名词解释")
    p.append("基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。")
    return doc


def _edit(doc: NarrativeDoc, slot: str, old: str, new: str) -> str | None:
    i = doc.slots.get(slot, -1)
    if i < 0 or old not in doc.paragraphs[i]:
        return None
    doc.paragraphs[i] = doc.paragraphs[i].replace(old, new, 1)
    return new


def _found(match: re.Match[str] | None) -> re.Match[str]:
    """The statement a kind edits is always written by `build`; a miss is a bug of this module."""
    if match is None:
        raise ValueError("the statement to plant an anomaly in was not written")
    return match


def plant(doc: NarrativeDoc, kind: str, rng: random.Random) -> tuple[str | None, str] | None:
    """Edit one statement; returns (fragment the finding must show, or None when the edit did not
    apply, detail) or None."""

    text = lambda slot: doc.paragraphs[doc.slots[slot]] if doc.slots.get(slot, -1) >= 0 else ""  # noqa: E731
    if kind == "rate_recompute":
        m = _found(re.search(r"降幅(\d+\.\d+)%", text("noun_rate")))
        wrong = f"{float(m.group(1)) * 10:.2f}" if float(m.group(1)) < 9 else f"{float(m.group(1)) / 10:.2f}"
        frag = _edit(doc, "noun_rate", m.group(0), f"降幅{wrong}%")
        return (frag, "增减率差十倍") if frag else None
    if kind == "rate_from_to_direction":
        s = text("from_to")
        old, new = ("增加到", "减少到") if "增加到" in s else ("减少到", "增加到")
        frag = _edit(doc, "from_to", old, new)
        frag = frag and _found(re.search(new + r"\d+\.\d+万元", text("from_to"))).group(0)
        return (frag, "由…到…方向词与数额相反") if frag else None
    if kind == "execution_rate":
        stated = re.search(r"完成年初预算的(\d+\.\d+)%", text("execution"))
        if not stated:
            return None
        wrong = f"{float(stated.group(1)) + rng.choice((-1, 1)) * rng.uniform(2, 9):.2f}"
        return (_edit(doc, "execution", stated.group(0), f"完成年初预算的{wrong}%"), "完成率与两数不符")
    if kind == "comparison_word":
        s = text("execution")
        if "决算数大于" in s:
            return (_edit(doc, "execution", "决算数大于预算数", "决算数小于预算数"), "比较词与数额相反")
        if "决算数小于" in s:
            return (_edit(doc, "execution", "决算数小于预算数", "决算数大于预算数"), "比较词与数额相反")
        return None
    if kind == "text_sum_exceeds":
        m = _found(re.search(r"收入合计(\d+\.\d+)万元", text("sum")))
        total = float(m.group(1))
        wrong = f"{total * rng.uniform(0.6, 0.9):.2f}"
        return (_edit(doc, "sum", m.group(0), f"收入合计{wrong}万元"), "所列组成部分之和大于合计")
    if kind == "text_sum_short":
        m = _found(re.search(r"经费合计(\d+\.\d+)万元", text("respectively")))
        wrong = f"{float(m.group(1)) + rng.uniform(3, 30):.2f}"
        return (_edit(doc, "respectively", m.group(0), f"经费合计{wrong}万元"), "分别列出的各项之和小于合计")
    if kind == "zero_changed":
        m = _found(re.search(r"公务接待费(\d+\.\d+)万元，比上年减少", text("zero")))
        return (_edit(doc, "zero", m.group(0), "公务接待费0万元，比上年增加"), "零金额称增加")
    if kind == "year_end_wrong":
        m = _found(re.search(r"截至(\d{4})年", text("year_end")))
        year_wrong = int(m.group(1)) + rng.choice((-1, 1))
        return (
            _edit(doc, "year_end", m.group(0), f"截至{year_wrong}年") and f"截至{year_wrong}年12月31日",
            "年末日期年度错误",
        )
    if kind == "comparison_year_wrong":
        frag = _edit(doc, "compare_year", f"比{doc.year - 1}年", f"比{doc.year}年")
        return (
            frag and _found(re.search(f"比{doc.year}年增加[\\d.]+万元", text("compare_year"))).group(0),
            "比较年度错误",
        )
    if kind == "repeated_word":
        return (_edit(doc, "prose", "主要用于", "主要用于主要用于"), "词语重复")
    if kind == "unbalanced_mark":
        return (_edit(doc, "year_end", "（含下属单位）", "（含下属单位") and "辆（含下属单位", "括号不成对")
    if kind == "missing_full_stop":
        i = doc.slots["prose"]
        if not doc.paragraphs[i].endswith("。"):
            return None
        doc.paragraphs[i] = doc.paragraphs[i][:-1]
        return (doc.paragraphs[i][-12:], "段末缺句号")
    if kind == "class_code_unknown":
        m = _found(re.search(r"（一）(\d{7})", text("coded")))
        wrong = f"{rng.randrange(260, 290)}{m.group(1)[3:]}"
        return (_edit(doc, "coded", m.group(1), wrong) and f"{wrong}", "类级编码不存在")
    raise ValueError(kind)


def render_text(doc: NarrativeDoc) -> str:
    head = [
        f"标题: {doc.title}",
        f"发布机构: 东湖区{doc.department}",
        "栏目: 部门预决算公开",
        "=" * 20 + " 正文 " + "=" * 20,
    ]
    return "\n".join([*head, doc.title, *doc.paragraphs]) + "\n"


def render_html(doc: NarrativeDoc) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in doc.paragraphs)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{doc.title}</title>"
        "<script>var menu = ['首页', '政务公开 2023年 12.00万元'];</script></head><body>\n"
        "<div class='nav-top'><ul><li><a href='/'>首页</a></li><li>政务公开</li><li>财政资金</li></ul></div>\n"
        "<div class='breadcrumb'>当前位置：首页 &gt; 财政资金 &gt; 部门预决算公开</div>\n"
        f"<table width='100%'><tr><td><div class='article'><h1>{doc.title}</h1>\n{body}</div></td></tr></table>\n"
        "<div id='footer'>主办：东湖区人民政府办公室 版权所有 2020年</div></body></html>\n"
    )


def write_pdf(doc: NarrativeDoc, path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    from analysis.synth.render_pdf import _p

    story = [_p(doc.title, "h1")] + [
        _p(p, "h2" if p[:2] in {"一、", "二、", "三、", "四、"} else "body") for p in doc.paragraphs
    ]
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1, title=doc.title).build(story)


def generate_narrative(
    out_dir: str | Path,
    *,
    departments: int = 12,
    years=(2024, 2025),
    formats=("text", "html", "pdf"),
    anomaly_rate: float = 0.6,
    seed: int = 0,
) -> pl.DataFrame:
    """Write narrative-only documents (half 预算说明, half 决算说明) and return their labels."""
    out = Path(out_dir)
    rng = random.Random(f"{seed}:narrative-only")
    rows = []
    for d in range(departments):
        name = _NAMES[d % len(_NAMES)] + (f"{d // len(_NAMES) + 1}" if d >= len(_NAMES) else "")
        carried: dict[bool, dict] = {False: {}, True: {}}
        for year in years:
            for final in (False, True):
                doc = build(name, year, final, rng, carried[final])
                planted: list[tuple[str, str, str]] = []
                if rng.random() < anomaly_rate:
                    for kind in rng.sample(KINDS, rng.choice((1, 2, 3))):
                        if any(kind_slot(kind) == kind_slot(k) for k, _, _ in planted):
                            continue  # one anomaly per statement, so each label is one visible deviation
                        got = plant(doc, kind, rng)
                        if got and got[0]:
                            planted.append((kind, got[0], got[1]))
                for fmt in formats:
                    rel = f"narrative/{fmt}/{year}/{name}{year}年{'决算' if final else '预算'}说明.{_EXTENSIONS[fmt]}"
                    target = out / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if fmt == "pdf":
                        write_pdf(doc, target)
                    else:
                        target.write_text(render_text(doc) if fmt == "text" else render_html(doc), encoding="utf-8")
                    for kind, fragment, detail in planted:
                        rows.append(
                            {
                                "path": rel,
                                "doc_department": name,
                                "fiscal_year": year,
                                "kind": kind,
                                "table_kind": None,
                                "location": f"说明：{fragment}",
                                "row_label": None,
                                "column": None,
                                "expected": None,
                                "actual": None,
                                "detail": detail,
                            }
                        )
    labels = pl.DataFrame(rows, schema={k: v for k, v in LABEL_SCHEMA.items()})
    return labels


_SLOT_OF = {
    "rate_recompute": "noun_rate",
    "rate_from_to_direction": "from_to",
    "execution_rate": "execution",
    "comparison_word": "execution",
    "text_sum_exceeds": "sum",
    "text_sum_short": "respectively",
    "zero_changed": "zero",
    "year_end_wrong": "year_end",
    "unbalanced_mark": "year_end",
    "comparison_year_wrong": "compare_year",
    "repeated_word": "prose",
    "missing_full_stop": "prose",
    "class_code_unknown": "coded",
}


def kind_slot(kind: str) -> str:
    return _SLOT_OF[kind]
