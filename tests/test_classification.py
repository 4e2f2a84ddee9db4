"""Tests for the classification catalogue (DOMAIN.md §3; checks K1, K2, K3, K7)."""

from __future__ import annotations

import csv
import re
from importlib.resources import files
from pathlib import Path

import polars as pl
import pytest

from analysis import classification as cls

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SEED = CORPUS / "seed" / "新乡市红旗区政务服务和大数据管理局2024年度部门预算.txt"

LOADERS = {
    "function_codes.csv": cls.load_function_codes,
    "economic_codes.csv": cls.load_economic_codes,
    "gov_economic_codes.csv": cls.load_gov_economic_codes,
    "crosswalk.csv": cls.load_crosswalk,
    "personnel_function.csv": cls.load_personnel_function,
    "obsolete_names.csv": cls.load_obsolete_names,
}


def _codes(frame: pl.DataFrame, column: str) -> set[str]:
    return {part for cell in frame[column].drop_nulls() for part in cell.split("|") if part}


# --- the files themselves ---------------------------------------------------------------------


@pytest.mark.parametrize("file_name", sorted(cls.COLUMNS))
def test_csv_has_declared_header_and_loads(file_name):
    text = files("analysis.metadata").joinpath("classification").joinpath(file_name).read_text("utf-8")
    header, *rows = list(csv.reader(text.splitlines()))
    assert tuple(header) == cls.COLUMNS[file_name]
    assert all(len(row) == len(header) for row in rows), "ragged row"
    frame = LOADERS[file_name]()
    assert frame.height == len(rows) > 0
    assert set(frame["confidence"].unique()) <= set(cls.CONFIDENCE_LEVELS)


def test_function_codes_are_digit_strings_of_their_level():
    frame = cls.load_function_codes()
    lengths = {"类": 3, "款": 5, "项": 7}
    for code, level in frame.select("code", "level").iter_rows():
        assert code.isdigit() and len(code) == lengths[level], (code, level)


def test_function_hierarchy_is_closed():
    codes = set(cls.load_function_codes()["code"])
    orphans = {c for c in codes if len(c) > 3 and c[: len(c) - 2] not in codes}
    assert not orphans


@pytest.mark.parametrize("file_name", ["function_codes.csv", "economic_codes.csv"])
def test_no_duplicate_code_and_valid_from(file_name):
    frame = LOADERS[file_name]()
    assert frame.select("code", "valid_from").is_duplicated().sum() == 0
    bad_ranges = frame.filter(pl.col("valid_from") > pl.col("valid_to"))
    assert bad_ranges.height == 0


def test_economic_codes_are_consistent():
    frame = cls.load_economic_codes()
    columns = ("code", "class", "personnel_or_public", "scope")
    for code, klass, kind, scope in frame.select(columns).iter_rows():
        assert code.isdigit() and len(code) in (3, 5) and code[0] == "3", code
        assert klass == code[:3]
        assert kind in {"personnel", "public", "other"} and scope in {"all", "military"}
    classes = frame.filter(pl.col("code").str.len_chars() == 3)
    kinds = dict(classes.select("code", "personnel_or_public").iter_rows())
    assert {kinds["301"], kinds["303"]} == {"personnel"}
    assert {kinds[c] for c in ("302", "307", "309", "310", "399")} == {"public"}


def test_gov_codes_and_crosswalk_targets_exist():
    gov = cls.load_gov_economic_codes()
    assert gov["code"].is_duplicated().sum() == 0
    assert all(c.isdigit() and len(c) in (3, 5) and c[0] == "5" for c in gov["code"])
    walk = cls.load_crosswalk()
    assert walk["dept_code"].is_duplicated().sum() == 0
    assert all(len(c) == 5 for c in walk["dept_code"])
    assert set(walk["dept_code"]) <= set(cls.load_economic_codes()["code"])
    assert _codes(walk, "organ_target") | _codes(walk, "institution_target") <= set(gov["code"])
    assert not any("*" in cell for col in walk.columns for cell in walk[col].drop_nulls())


def test_personnel_and_obsolete_tables_point_at_real_codes():
    function_codes = set(cls.load_function_codes()["code"])
    personnel = cls.load_personnel_function()
    targets = _codes(personnel, "organ_function_codes") | _codes(personnel, "institution_function_codes")
    assert targets <= function_codes
    for old, code, new, valid_to in (
        cls.load_obsolete_names().select("obsolete_name", "current_code", "current_name", "valid_to").iter_rows()
    ):
        assert cls.function_name(code, valid_to + 1) == new, old
        assert cls.function_codes_named(old, valid_to), old  # a real name in its last year


def test_codes_keep_leading_zeros_and_stay_strings():
    frame = cls.load_function_codes()
    assert frame.schema["code"] == pl.String
    assert "2010301" in set(frame["code"])
    assert cls.load_crosswalk().schema["organ_target"] == pl.String


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "printed, catalogue",
    [
        ("其他政府办公厅(室)及相关机构事务支出", "其他政府办公厅（室）及相关机构事务支出"),
        ("其他政府办公厅（室）及相关机构事务支出", "其他政府办公厅(室)及相关机构事务支出"),
        ("一般公共服务", "一般公共服务支出"),
        ("资源勘探信息等", "资源勘探工业信息等支出|资源勘探信息等"),
        (" 行政 运行 ", "行政运行"),
        ("“三公”经费", "三公经费"),
        ("其它行政事业单位养老支出", "其他行政事业单位养老支出"),
    ],
)
def test_names_match_variants(printed, catalogue):
    assert cls.names_match(printed, catalogue)


@pytest.mark.parametrize(
    "printed, catalogue",
    [
        ("行政运行", "事业运行"),
        ("其他共产党事务支出", "其他政府办公厅（室）及相关机构事务支出"),
        ("", "行政运行"),
        ("卫生健康支出", ["医疗卫生与计划生育支出"]),
    ],
)
def test_names_do_not_match(printed, catalogue):
    assert not cls.names_match(printed, catalogue)


def test_function_names_by_year():
    assert cls.function_name("2010399", 2024) == "其他政府办公厅（室）及相关机构事务支出"
    assert cls.function_name("2013699", 2024) == "其他共产党事务支出"
    assert cls.function_name("207", 2018) == "文化体育与传媒支出"
    assert cls.function_name("207", 2019) == "文化旅游体育与传媒支出"
    assert (cls.function_name("220", 2018), cls.function_name("220")) == (
        "国土海洋气象等支出",
        "自然资源海洋气象等支出",
    )
    assert cls.function_name("2100101", 2018) == cls.function_name("2100101", 2024) == "行政运行"
    assert cls.function_name("20139", 2020) is None  # 社会工作事务 is a recent 款


def test_code_name_mismatch_is_detected():
    assert cls.function_name_matches("2010301", "行政运行", 2024) is True
    assert cls.function_name_matches("2013699", "其他政府办公厅（室）及相关机构事务支出", 2024) is False
    assert cls.function_codes_named("其他政府办公厅(室)及相关机构事务支出", 2024) == {"2010399"}
    assert cls.function_name_matches("210", "医疗卫生与计划生育支出", 2024) is False
    assert cls.function_name_matches("210", "医疗卫生与计划生育支出", 2018) is True


def test_unknown_codes_return_none():
    assert cls.function_name("2019898") is None
    assert cls.function_name_matches("2019898", "行政运行", 2024) is None
    assert cls.economic_name("30298") is None
    assert cls.gov_economic_name("50298") is None
    assert cls.allowed_gov_targets("30298") == set()


def test_economic_names_follow_the_2018_reform():
    assert cls.economic_name("30307", 2017) == "医疗费"
    assert cls.economic_name("30307", 2024) == "医疗费补助"
    assert cls.economic_name("30311", 2017) == "住房公积金"
    assert cls.economic_name("30113", 2017) is None
    assert cls.gov_economic_name("50905") == "离退休费"
    assert cls.economic_kind("30302") == "personnel" and cls.economic_kind("30226") == "public"
    assert cls.is_military_only("30221") and not cls.is_military_only("30226")


# --- crosswalk (seed cross-check, DOMAIN §3.6 / §5.1) ----------------------------------------------

SEED_PAIRS = [
    ("30101", "50101"),
    ("30102", "50101"),
    ("30103", "50101"),
    ("30108", "50102"),
    ("30110", "50102"),
    ("30112", "50102"),
    ("30113", "50103"),
    ("30201", "50201"),
    ("30207", "50201"),
    ("30228", "50201"),
    ("30229", "50201"),
    ("30239", "50201"),
    ("30226", "50205"),
    ("30299", "50299"),
    ("30302", "50905"),
    ("30307", "50901"),
]


@pytest.mark.parametrize("dept, gov", SEED_PAIRS)
def test_seed_pairs_are_allowed_for_an_organ(dept, gov):
    assert gov in cls.allowed_gov_targets(dept, "organ")


def test_performance_pay_maps_only_to_institution_subsidy():
    assert cls.allowed_gov_targets("30107", "organ") == set()
    assert cls.allowed_gov_targets("30107", "事业单位") == {"50501"}
    assert cls.allowed_gov_targets("30107") == {"50501"}


def test_crosswalk_rejects_wrong_family():
    assert "50501" not in cls.allowed_gov_targets("30101", "行政")
    assert cls.allowed_gov_targets("30101", "事业") == {"50501"}
    assert "50201" not in cls.allowed_gov_targets("30226", "organ")
    with pytest.raises(ValueError):
        cls.allowed_gov_targets("30101", "企业")


def test_personnel_items_have_their_own_function_codes():
    assert cls.expected_personnel_functions("30108", "organ") == {"2080505"}
    assert cls.expected_personnel_functions("30110", "行政") == {"2101101"}
    assert cls.expected_personnel_functions("30110", "事业") == {"2101102"}
    assert cls.expected_personnel_functions("30113", "organ", 2024) == {"2210201"}
    assert cls.expected_personnel_functions("30101", "organ") == set()  # goes to 行政运行


# --- class inference and obsolete names ---------------------------------------------------------


def test_infer_class_unique_from_name():
    assert cls.infer_function_class("3699", "其他共产党事务支出", 2024) == "201"
    assert cls.infer_function_class("36 99", "其他共产党事务支出", 2024) == "201"
    assert cls.infer_function_class("0399", "其他政府办公厅(室)及相关机构事务支出", 2024) == "201"


def test_infer_class_ambiguous_without_context():
    # 行政运行 under 款 03 exists in several classes (201 03, 204 03, 213 03 …)
    assert {"201", "204", "213"} <= cls.function_class_candidates("0301", "行政运行", 2024)
    assert cls.infer_function_class("0301", "行政运行", 2024) is None
    assert cls.infer_function_class("0301", "行政运行", 2024, context_classes={"201"}) == "201"
    assert cls.infer_function_class("0301", "不存在的科目", 2024) is None


def test_infer_classes_of_seed_rows_jointly():
    rows = [("0301", "行政运行"), ("0399", "其他政府办公厅（室）及相关机构事务支出"), ("3699", "其他共产党事务支出")]
    assert cls.infer_function_classes(rows, 2024) == ["201", "201", "201"]
    assert cls.infer_function_classes([("0301", "行政运行")], 2024) == [None]


def test_obsolete_names():
    assert cls.is_obsolete_name("医疗卫生与计划生育支出", 2024)
    assert not cls.is_obsolete_name("医疗卫生与计划生育支出", 2018)
    assert not cls.is_obsolete_name("卫生健康支出", 2024)
    assert cls.is_obsolete_name("文化体育与传媒支出", 2024)
    record = cls.find_obsolete_name("国土海洋气象等支出", 2024)
    assert record is not None and (record.current_code, record.current_name) == ("220", "自然资源海洋气象等支出")


# --- real documents --------------------------------------------------------------------------


def _seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"seed not present at {SEED}")
    return SEED.read_text(encoding="utf-8")


def test_seed_function_rows_match_catalogue():
    rows = re.findall(r"^(2\d\d)\t(\d\d)\t(\d\d)\t+([^\t\d]+)\t", _seed_text(), re.M)
    assert len(rows) >= 3
    for klass, kuan, xiang, name in rows:
        assert cls.function_name_matches(klass + kuan + xiang, name, 2024), (klass, kuan, xiang, name)


def test_seed_economic_rows_match_catalogue_and_crosswalk():
    rows = re.findall(r"^(3\d{4})\t([^\t]+)\t(5\d{4})\t([^\t]+)\t", _seed_text(), re.M)
    assert len(rows) >= 16
    for dept, dept_name, gov, gov_name in rows:
        assert cls.names_match(dept_name, cls.economic_name(dept, 2024) or ""), dept
        assert cls.names_match(gov_name, cls.gov_economic_name(gov) or ""), gov
        assert gov in cls.allowed_gov_targets(dept), (dept, gov)


# "code name amount" on one line; a name wrapped onto the next line is not followed by an amount
_NAME_THEN_AMOUNT = r"\s+([\u4e00-\u9fff（）()、]+)\s+-?[\d,]+\.\d\d"
_FUNCTION_PAIR = re.compile(r"(?m)(?:^|\s)(2\d\d(?:\d\d){1,2}|2\d\d \d\d(?: \d\d)?)" + _NAME_THEN_AMOUNT)
_ECONOMIC_PAIR = re.compile(r"(?m)(?:^|\s)(3\d\d(?:\d\d)?|5\d\d(?:\d\d)?)" + _NAME_THEN_AMOUNT)


def _budget_year(file_name: str) -> int:
    found = re.search(r"(20\d\d)\s*(?:年|度|预算)", file_name) or re.search(r"(\d\d)年", file_name)
    assert found, file_name
    year = int(found.group(1))
    return year if year > 100 else 2000 + year


@pytest.fixture(scope="module")
def corpus_pdf_texts() -> list[tuple[str, int, str]]:
    """(file name, budget year, text layer) of every corpus disclosure PDF."""
    pdfium = pytest.importorskip("pypdfium2")
    paths = [p for p in sorted(CORPUS.rglob("*.pdf")) if "模板" not in p.name]
    if not paths:
        pytest.skip(f"corpus PDFs not present under {CORPUS}")
    texts = []
    for path in paths:
        document = pdfium.PdfDocument(str(path))
        text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        texts.append((path.name, _budget_year(path.name), text))
    return texts


def test_corpus_function_pairs_match_catalogue_of_their_year(corpus_pdf_texts):
    """Every whole "code name amount" line in Jiangsu 2017–2019 and Shanghai 2023–2025 PDFs."""
    pairs = [
        (name, year, code.replace(" ", ""), label)
        for name, year, text in corpus_pdf_texts
        for code, label in _FUNCTION_PAIR.findall(text)
    ]
    assert len(pairs) > 300
    mismatches = [p for p in pairs if not cls.function_name_matches(p[2], p[3], p[1])]
    assert mismatches == []


def test_corpus_economic_pairs_match_catalogue_of_their_year(corpus_pdf_texts):
    pairs = [
        (name, year, code, label)
        for name, year, text in corpus_pdf_texts
        for code, label in _ECONOMIC_PAIR.findall(text)
    ]
    assert len(pairs) > 500
    mismatches = []
    for name, year, code, label in pairs:
        catalogue = cls.economic_name(code, year) if code[0] == "3" else cls.gov_economic_name(code)
        if not (catalogue and cls.names_match(label, catalogue)):
            mismatches.append((name, year, code, label, catalogue))
    assert mismatches == []
