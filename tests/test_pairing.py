"""Pairing a narrative-only file with its tables file (normalise/pairing.py)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analysis.departments import department_ids
from analysis.extract import combine, extract_file
from analysis.normalise.pairing import pair_documents

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def _documents(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["doc_id", "department", "fiscal_year", "doc_type", "n_recognised"], orient="row")


def test_short_forms_meet():
    """Pairing asks the department identity owner; the forms the two files of a pair print meet there."""
    same = ["中共江苏省委办公厅", "江苏省委办公厅", "中国共产党江苏省委员会办公厅"]
    assert len(set(department_ids(same).values())) == 1
    assert len(set(department_ids(["江苏省人大常务委员会办公厅", "江苏省人大常委会办公厅"]).values())) == 1
    assert len(set(department_ids(["上海市财政局", "上海市普陀区财政局"]).values())) == 2
    assert department_ids([None, ""]) == {}


def test_a_blank_department_never_pairs():
    paired = pair_documents(_documents([("n", "  ", 2019, "budget", 0), ("t", " ", 2019, "budget", 5)]))
    assert paired["pair_id"].null_count() == 2


def test_one_narrative_and_one_tables_file_pair():
    paired = pair_documents(
        _documents(
            [
                ("n19", "江苏省委办公厅", 2019, "budget", 0),
                ("t19", "中共江苏省委办公厅", 2019, "budget", 12),
                ("t18", "中共江苏省委办公厅", 2018, "budget", 12),  # another year: alone
                ("n18", "江苏省政协办公厅", 2018, "budget", 0),  # another department: alone
                ("x", None, None, None, 0),  # unreadable file
            ]
        )
    )
    got = dict(zip(paired["doc_id"], paired["paired_doc_id"]))
    assert got == {"n19": "t19", "t19": "n19", "t18": None, "n18": None, "x": None}
    pair = paired.filter(pl.col("pair_id").is_not_null())["pair_id"].unique().to_list()
    assert pair == ["n19+t19"]


def test_ambiguous_or_same_side_candidates_stay_unpaired():
    paired = pair_documents(
        _documents(
            [
                ("n1", "江苏省委办公厅", 2019, "budget", 0),
                ("t1", "中共江苏省委办公厅", 2019, "budget", 12),
                ("t2", "江苏省委办公厅", 2019, "budget", 9),  # two tables files: no guess
                ("a", "江苏省政协办公厅", 2018, "budget", 10),
                ("b", "江苏省政协办公厅", 2018, "budget", 10),  # two tables files, no narrative
                ("c", "江苏省政协办公厅", 2018, "final_account", 0),  # other doc_type
            ]
        )
    )
    assert paired["pair_id"].null_count() == paired.height


def test_jiangsu_corpus_pairs():
    folder = CORPUS / "jiangsu"
    if not folder.is_dir():
        pytest.skip("../shared/corpus is not present on this machine")
    extractions = [extract_file(p) for p in sorted(folder.rglob("*.pdf"))]
    paired = pair_documents(combine(extractions)["documents"])
    names = {row["doc_id"]: Path(row["path"]).name for row in paired.iter_rows(named=True)}
    pairs = {
        (names[row["doc_id"]], names[row["paired_doc_id"]])
        for row in paired.iter_rows(named=True)
        if row["paired_doc_id"] and row["n_recognised"] == 0
    }
    assert pairs == {
        ("江苏省人大常委会2019年度部门预算公开.pdf", "江苏省人大常委会办公厅2019年部门预算公开表.pdf"),
        ("江苏省委办公厅2017年部门预算.pdf", "江苏省委办公厅2017年预算公开表格.pdf"),
        ("江苏省委办公厅2018年度部门预算公开文件.pdf", "江苏省委办公厅2018年度部门预算公开表.pdf"),
        ("江苏省委办公厅2019年度部门预算公开文件.pdf", "江苏省委办公厅2019年度部门预算公开表格.pdf"),
        ("江苏省政协办公厅2017年度部门预算.pdf", "2017年度部门预算公开表.pdf"),
        ("江苏省政协办公厅2018年度部门预算.pdf", "江苏省政协办公厅2018度部门预算公开表.pdf"),
        ("江苏省政协办公厅2019年度部门预算.pdf", "江苏省政协办公厅2019年预算公开表.pdf"),
    }
    # the two files that print narrative and tables together pair with nothing
    alone = {names[i] for i in paired.filter(pl.col("pair_id").is_null())["doc_id"]}
    assert alone == {"江苏省人大办公厅2017年度预算公开.pdf", "省人大办公厅2018预算公开.pdf"}
