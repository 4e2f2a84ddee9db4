"""Headcount: where it is printed, which count per-capita figures use, how reliable it is."""

from __future__ import annotations

import pytest

from analysis.compare.headcount import choose, document_headcounts, target_candidates, text_candidates
from analysis.schema import frame


def _kinds(found):
    return {c["kind"]: c["value"] for c in found}


def test_budget_staff_sentence():
    found = text_candidates("budget", "本部门编制 26 人，实有在职人员 21 人，退休人员 10 人。", line=60)
    assert _kinds(found) == {"authorised": 26, "in_service": 21, "retired": 10}
    best = choose(found)
    assert (best["kind"], best["value"], best["reliability"]) == ("in_service", 21, "medium")
    assert best["source"].startswith("第60行")


def test_final_account_people_section_is_high_reliability():
    found = text_candidates("final_account", "实有人数11人，其中：在职人员10人，离退休人员1人。", page=3)
    assert _kinds(found) == {"actual_total": 11, "in_service": 10, "retired": 1}
    assert choose(found)["reliability"] == "high"
    assert choose(found)["source"].startswith("第3页")


@pytest.mark.parametrize("text", ["服务人数 500 人次", "组织编制并监督实施国土空间规划", "培训 80 人次"])
def test_non_staff_numbers_are_ignored(text):
    assert text_candidates("budget", text) == []


def test_retirees_alone_give_no_headcount():
    assert choose(text_candidates("budget", "退休人员 8 人。")) is None


def test_targets_give_a_low_reliability_count_and_say_when_they_disagree():
    rows = [
        {
            "indicator": "工作人员数量",
            "raw_value": "≥80人",
            "value": 80.0,
            "unit": "人",
            "project_name": "误餐费",
            "line": 5,
        },
        {
            "indicator": "工作人员数量",
            "raw_value": "≥80人",
            "value": 80.0,
            "unit": "人",
            "project_name": "工装费",
            "line": 6,
        },
        {
            "indicator": "工作人员数量",
            "raw_value": "≥33人",
            "value": 33.0,
            "unit": "人",
            "project_name": "工装费",
            "line": 7,
        },
        {"indicator": "新增城镇就业人数", "raw_value": "≥1500人", "value": 1500.0, "unit": "人", "line": 8},
    ]
    [found] = target_candidates(rows)
    assert (found["value"], found["reliability"]) == (80, "low")
    assert "另有 1 个不同的人数" in found["source"]


def test_document_headcounts_prefers_narrative_and_keeps_zero():
    documents = frame(
        "documents",
        [
            {"doc_id": "a", "doc_type": "budget"},
            {"doc_id": "b", "doc_type": "budget"},
            {"doc_id": "c", "doc_type": "budget"},
            {"doc_id": "d", "doc_type": "budget"},
        ],
    )
    texts = frame(
        "texts",
        [
            {"doc_id": "a", "kind": "paragraph", "text": "本部门编制 5 人，实有在职人员 4 人。", "line": 3},
            {"doc_id": "c", "kind": "paragraph", "text": "实有在职人员 0 人。", "line": 3},
        ],
    )
    targets = frame(
        "targets",
        [
            {"doc_id": "a", "indicator": "工作人员数量", "value": 80.0, "unit": "人"},
            {"doc_id": "b", "indicator": "工作人员数量", "raw_value": "≥12人", "value": 12.0, "unit": "人"},
        ],
    )
    out = {r["doc_id"]: r for r in document_headcounts(documents, texts, frame("claims", []), targets).to_dicts()}
    assert (out["a"]["headcount"], out["a"]["headcount_kind"]) == (4, "in_service")
    assert (out["b"]["headcount"], out["b"]["headcount_reliability"]) == (12, "low")
    assert out["c"]["headcount"] == 0  # printed 0 stays 0; per-capita code turns it into null
    assert out["d"]["headcount"] is None and out["d"]["headcount_source"] is None
