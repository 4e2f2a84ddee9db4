"""Shared fixtures: the corpus location (tests skip when it is absent) and the seed document."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SEED = CORPUS / "seed" / "新乡市红旗区政务服务和大数据管理局2024年度部门预算.txt"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present on this machine")
    return CORPUS


@pytest.fixture(scope="session")
def seed_text(corpus) -> str:
    if not SEED.is_file():
        pytest.skip("the seed document is not in ../shared/corpus/seed")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_path(seed_text) -> Path:
    return SEED


# End-to-end modules (whole runs, notebooks, rendered districts, browser) and the heavy
# property/fuzz modules (hypothesis over readers and hostile files, scikit-learn's estimator
# checks): `make test` runs them, `make test-fast` (-m "not slow") leaves them out for a unit
# tier under a minute.
SLOW_MODULES = {
    "test_api",
    "test_compare_cli",
    "test_compare_models",
    "test_engine",
    "test_engine_publish",
    "test_execution_synth",
    "test_findings_review",
    "test_fuzz_readers",
    "test_golden_pdfs",
    "test_hostile_input",
    "test_metamorphic",
    "test_notebooks",
    "test_pipeline",
    "test_read_ocr",
    "test_read_ocr_structure",
    "test_report",
    "test_report_child",
    "test_report_browser",
    "test_report_desk",
    "test_report_execution",
    "test_report_fonts",
    "test_roundtrip",
    "test_synth",
    "test_synth_table_checklist",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
