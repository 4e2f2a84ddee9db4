"""Department identity across years and documents: names → department_id, with reasons."""

from __future__ import annotations

import pytest

from analysis.compare.peers import department_kind
from analysis.departments import match_departments, split_name


@pytest.mark.parametrize(
    "name, region, level, core",
    [
        ("新乡市东湖区人民政府办公室", "新乡市东湖区", "county", "人民政府办公室"),
        ("中共新乡市东湖区委办公室", "新乡市东湖区", "county", "中共委办公室"),
        ("中国共产党新乡市东湖区委员会办公室", "新乡市东湖区", "county", "中共委办公室"),
        ("江苏省委办公厅", "江苏省", "province", "中共委办公室"),
        ("江苏省人大常委会办公厅", "江苏省", "province", "人大常委会"),
        ("政协新乡市东湖区委员会办公室", "新乡市东湖区", "county", "政协委员会"),
        ("新乡市城市管理局", "新乡市", "city", "城市管理局"),  # 城市 is not a county
        ("新乡市东湖区市场监督管理局", "新乡市东湖区", "county", "市场监督管理局"),
        ("上海市财政局", "上海市", "province", "财政局"),  # 直辖市
        ("上海市普陀区人民政府万里街道办事处", "上海市普陀区", "county", "人民政府万里街道办事处"),
        ("省人大办公厅", "", "province", "人大常委会"),
        ("新乡市红旗区政务服务和大数据管理局", "新乡市红旗区", "county", "政务服务和大数据管理局"),  # 旗 of 红旗区
        ("阿拉善左旗财政局", "阿拉善左旗", "county", "财政局"),
    ],
)
def test_split_name(name, region, level, core):
    parts = split_name(name)
    assert (parts.region, parts.gov_level, parts.core) == (region, level, core)


def _ids(names, **kwargs):
    table = match_departments(names, **kwargs)
    return dict(zip(table["name"], table["department_id"])), dict(zip(table["name"], table["reason"]))


def test_office_names_and_missing_region_join_one_department():
    ids, reasons = _ids(
        [
            "江苏省委办公厅",
            "省委办公厅",
            "江苏省人大办公厅",
            "江苏省人大常委会办公厅",
            "省人大办公厅",
            "江苏省政协办公厅",
        ]
    )
    assert ids["江苏省委办公厅"] == ids["省委办公厅"] == "江苏省/中共委办公室"
    assert ids["江苏省人大办公厅"] == ids["江苏省人大常委会办公厅"] == ids["省人大办公厅"]
    assert ids["江苏省政协办公厅"] != ids["江苏省人大办公厅"]
    assert "归入江苏省" in reasons["省委办公厅"]
    assert "办公厅与办公室" in reasons["江苏省委办公厅"]


def test_partial_region_joins_the_unique_full_region():
    ids, reasons = _ids(["新乡市东湖区人民政府办公室", "东湖区人民政府办公室"])
    assert ids["东湖区人民政府办公室"] == "新乡市东湖区/人民政府办公室"
    assert "唯一同名" in reasons["东湖区人民政府办公室"]


def test_ambiguous_missing_region_is_not_merged():
    ids, reasons = _ids(["新乡市东湖区财政局", "新乡市西岭区财政局", "财政局"])
    assert ids["财政局"] == "财政局"
    assert ids["新乡市东湖区财政局"] != ids["新乡市西岭区财政局"]
    assert "不合并" in reasons["财政局"]


def test_numbered_schools_stay_apart():
    ids, _ = _ids(["新乡市东湖区第一实验小学", "新乡市东湖区第二实验小学"])
    assert len(set(ids.values())) == 2


def test_user_csv_overrides(tmp_path):
    overrides = tmp_path / "departments.csv"
    overrides.write_text(
        "name,department_id\n新乡市东湖区政务服务中心,新乡市东湖区/政务服务和大数据管理局\n", encoding="utf-8"
    )
    ids, reasons = _ids(["新乡市东湖区政务服务中心", "新乡市东湖区政务服务和大数据管理局"], overrides=overrides)
    assert len(set(ids.values())) == 1
    assert "用户指定" in reasons["新乡市东湖区政务服务中心"]


def test_override_file_needs_its_columns(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("dept,id\na,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="name,department_id"):
        match_departments(["a"], overrides=bad)


@pytest.mark.parametrize(
    "core, kind",
    [
        ("人民政府办公室", "agency"),
        ("湖滨街道办事处", "street"),
        ("第一实验小学", "school"),
        ("人民法院", "judicial"),
        ("中共委办公室", "party"),
        ("中共纪律检查委员会", "party"),
        ("共青团委员会", "mass"),
        ("妇女联合会", "mass"),
        ("人大常委会", "legislature"),
        ("政务服务中心", "institution"),
        ("档案馆", "institution"),
        ("财政局", "agency"),
    ],
)
def test_department_kind(core, kind):
    assert department_kind(core) == kind


def test_jiangsu_offices_across_years_in_the_corpus(corpus):
    """The real 江苏省委办公厅 tables files print 中国共产党江苏省委员会办公厅 (2017) and
    中共江苏省委办公厅 (2018, 2019): one department, so 2018 grows on 2017."""
    from analysis.compare.indicators import build_indicators
    from analysis.extract import extract_paths
    from analysis.read import discover

    frames = extract_paths(discover([corpus / "jiangsu" / "江苏省委办公厅"]))
    indicators, _departments = build_indicators(frames)
    assert indicators["department_id"].unique().to_list() == ["江苏省/中共委办公室"]
    by_year = {r["fiscal_year"]: r for r in indicators.to_dicts()}
    assert sorted(by_year) == [2017, 2018, 2019]
    assert by_year[2018]["prev_doc_id"] == by_year[2017]["doc_id"]
    assert by_year[2018]["total_growth"] is not None
