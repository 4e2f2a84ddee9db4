"""OCR verification (issue 17): identity gaps that one misreading explains become extraction
doubts with the image crop; gaps beyond every single misreading stay document errors."""

from __future__ import annotations

import json

import polars as pl
import pytest

from analysis.check import RULES
from analysis.check.ocr_verify import RULE_ID, explain, verify_ocr_findings
from analysis.schema import frame


@pytest.mark.parametrize(
    "gap,expected",
    [
        (6.0, "1↔7"),
        (-0.08, "0↔8"),
        (100.0, "5↔6"),
        (0.3, "一位数字误识"),
        (-4000.0, "一位数字误识"),
    ],
)
def test_one_misread_digit_explains_gaps_of_one_digit(gap, expected):
    why, which = explain(gap, [])
    assert expected in why and which is None


def test_dropped_decimal_point_and_dropped_digit_name_the_cell():
    cells = [("754.75", 754.75), ("12345", 12345.0), ("128.56", 128.56)]
    assert explain(12345 - 123.45, cells) == ("小数点误识（12345）", 1)
    assert explain(128.56 - 1284.56, cells) == ("漏识或多识一位数字（128.56）", 2)


@pytest.mark.parametrize("gap", [35.27, 0.11, 1234.5, -66.0])
def test_gaps_beyond_every_single_misreading_are_not_explained(gap):
    assert explain(gap, [("754.75", 754.75), ("0.00", 0.0)]) is None


def _frames(gaps: list[float], ocr: bool):
    cells = [[2, "1,092.80", 0.97, 0.5, 0.3, 0.6, 0.32], [2, "1,098.80", 0.81, 0.7, 0.3, 0.8, 0.32]]
    documents = frame(
        "documents",
        [
            {
                "doc_id": "d1",
                "path": "scan.pdf",
                "format": "pdf",
                "status": "ok",
                "ocr_cells": json.dumps({"pages": [2], "cells": cells}) if ocr else None,
            }
        ],
    )
    findings = frame(
        "findings",
        [
            {
                "doc_id": "d1",
                "path": "scan.pdf",
                "rule": "row-sum",
                "severity": "error",
                "category": "arithmetic",
                "location": "第2页 表 行“合计”",
                "page": 2,
                "expected": 1092.80 - gap,
                "actual": 1092.80,
                "difference": gap,
                "message": "合计不等于分项之和",
            }
            for gap in gaps
        ],
    )
    return findings, documents


def test_a_misread_digit_becomes_a_doubt_with_the_crop_and_a_real_error_stays():
    findings, documents = _frames([6.0, 35.27], ocr=True)
    out = verify_ocr_findings(findings, documents)
    doubt, error = out.row(0, named=True), out.row(1, named=True)
    assert (doubt["rule"], doubt["severity"]) == (RULE_ID, "warning")
    assert "图像第2页 左50.0% 上30.0% 右60.0% 下32.0%" in doubt["location"]
    assert "1↔7" in doubt["message"] and "row-sum" in doubt["message"]
    assert (error["rule"], error["severity"]) == ("row-sum", "error")
    assert out.schema == findings.schema and RULE_ID in RULES


def test_documents_with_a_text_layer_are_left_alone():
    findings, documents = _frames([6.0], ocr=False)
    assert verify_ocr_findings(findings, documents).equals(findings)


def test_findings_on_pages_not_read_by_ocr_are_left_alone():
    findings, documents = _frames([6.0], ocr=True)
    findings = findings.with_columns(pl.lit(3, dtype=pl.Int64).alias("page"))
    assert verify_ocr_findings(findings, documents)["severity"].to_list() == ["error"]
