"""Copied narratives (near-duplicates, written in another's name) and repeated amounts."""

from __future__ import annotations

import polars as pl

from analysis.compare.foreign_names import foreign_mentions
from analysis.compare.repeated import repeated_amounts
from analysis.compare.text_reuse import narrative_reuse, narrative_sentences
from analysis.schema import frame

DEPTS = {
    "A": "新乡市东湖区统计局",
    "B": "新乡市东湖区审计局",
    "C": "新乡市东湖区商务局",
    "D": "新乡市东湖区水利局",
    "E": "新乡市东湖区司法局",
    "X": "新乡市东湖区档案馆",
}
TEMPLATE = [
    "名词解释：基本支出是指为保障机构正常运转、完成日常工作任务所必需的开支。",
    "项目支出是指在基本支出之外为完成特定行政工作任务所发生的支出。",
    "本部门无政府性基金预算拨款安排的支出，也无国有资本经营预算支出。",
]
TOPICS = {
    "A": "统计调查和数据发布",
    "B": "审计监督和经济责任审计",
    "C": "招商引资和商贸流通",
    "D": "防汛抗旱和水利工程维护",
    "E": "人民调解和公共法律服务",
    "X": "档案收集整理和数字化",
}


def _own_narrative(key: str, total: float) -> list[str]:
    name, topic = DEPTS[key], TOPICS[key]
    return [
        f"{name}2025年收入总计{total:.2f}万元，主要用于{topic}。",
        f"{name}基本支出{total * 0.6:.2f}万元，保障{topic}相关人员的正常运转。",
        f"{name}项目支出{total * 0.4:.2f}万元，重点投向{topic}方面的专项工作。",
        f"{name}“三公”经费预算{total * 0.01:.2f}万元，比上年有所压减，继续从严控制{topic}中的接待。",
        f"{name}机关运行经费{total * 0.05:.2f}万元，较上年增加，原因是{topic}任务增加。",
    ]


def _texts(narratives: dict[str, list[str]]) -> pl.DataFrame:
    rows = []
    for key, sentences in narratives.items():
        for i, sentence in enumerate(TEMPLATE + sentences):
            rows.append(
                {"doc_id": key, "block_index": i, "kind": "paragraph", "level": 0, "text": sentence, "line": 100 + i}
            )
    return frame("texts", rows)


def _indicators(keys) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc_id": list(keys),
            "department_id": [f"id-{k}" for k in keys],
            "department": [DEPTS[k] for k in keys],
            "fiscal_year": [2025] * len(keys),
            "doc_type": ["budget"] * len(keys),
            "is_reference": [True] * len(keys),
        }
    )


def _narratives(**replaced):
    totals = {"A": 321.96, "B": 254.12, "C": 187.45, "D": 402.33, "E": 211.08, "X": 150.27}
    out = {k: _own_narrative(k, t) for k, t in totals.items()}
    out.update(replaced)
    return out


def test_copy_is_reported_on_the_copier_only():
    narratives = _narratives(X=_own_narrative("B", 254.12))  # 档案馆 prints 审计局's narrative
    indicators = _indicators(narratives)
    found = narrative_reuse(narrative_sentences(_texts(narratives), indicators))
    assert found["doc_id"].to_list() == ["X"]
    row = found.row(0, named=True)
    assert row["other_department"] == DEPTS["B"] and row["copier"] == "copier"
    assert row["n_shared"] == 5 and row["n_sentences"] == 5  # the template sentences are set aside


def test_clean_documents_sharing_only_template_text_are_not_reported():
    narratives = _narratives()
    indicators = _indicators(narratives)
    assert narrative_reuse(narrative_sentences(_texts(narratives), indicators)).is_empty()


def test_copy_without_names_is_reported_on_both_as_undirected():
    anonymous = [s.replace(DEPTS["B"], "我单位") for s in _own_narrative("B", 254.12)]
    narratives = _narratives(B=anonymous, X=list(anonymous))
    found = narrative_reuse(narrative_sentences(_texts(narratives), _indicators(narratives)))
    assert sorted(found["doc_id"].to_list()) == ["B", "X"]
    assert set(found["copier"]) == {"unknown"}


def test_narrative_in_another_departments_name_without_its_original():
    ghost = [s.replace("150.27", "999.99") for s in _own_narrative("C", 150.27)]  # C published something else
    narratives = _narratives(X=ghost)
    sentences = narrative_sentences(_texts(narratives), _indicators(narratives))
    assert narrative_reuse(sentences).is_empty()
    found = foreign_mentions(sentences)
    assert found["doc_id"].to_list() == ["X"]
    assert found.row(0, named=True)["other_department"] == DEPTS["C"] and found["n_own"].item() == 0


def test_mentioning_another_department_once_is_normal():
    narratives = _narratives()
    narratives["A"] = narratives["A"] + [f"按照{DEPTS['B']}的审计意见完成整改工作，并已全部落实到位。"]
    sentences = narrative_sentences(_texts(narratives), _indicators(narratives))
    assert foreign_mentions(sentences).is_empty()


def _items(doc_id, amounts):
    return [
        {
            "doc_id": doc_id,
            "table_kind": "general_budget_expenditure",
            "row_role": "item",
            "column": "total",
            "amount": a,
        }
        for a in amounts
    ]


def test_repeated_block_of_distinctive_amounts():
    shared = [123.45, 67.89, 45.67, 234.56]
    rows = (
        _items("A", [*shared, 11.11, 20.0])
        + _items("B", [*shared, 98.76])
        + _items("C", [123.45, 55.55, 66.66])
        + _items("D", [20.00, 30.00, 40.00])
    )
    found = repeated_amounts(frame("line_items", rows), _indicators("ABCD"))
    pairs = {(r["doc_id"], r["other_doc_id"]): r for r in found.to_dicts()}
    assert set(pairs) == {("A", "B"), ("B", "A")}
    assert sorted(pairs[("A", "B")]["amounts"]) == sorted(shared)


def test_standard_amounts_in_many_departments_and_round_sums_are_not_copies():
    standard = [12.34, 23.45, 34.56]
    rows = [r for key in "ABCDE" for r in _items(key, [*standard, 50.0, 60.0, 70.0])]
    assert repeated_amounts(frame("line_items", rows), _indicators("ABCDE")).is_empty()
