"""Round trip (issue 5): generate a clean district, extract it, compare with ``truth.parquet``.

Every printed cell (table kind, row code or name, column, amount) and every document figure
must come back exactly (± 0.005 万元) in every format. Where the extractor is known to get a
cell wrong, the cell lies in the *region* of a known extractor bug (a predicate over the
generator's own layout decisions, see ``KNOWN_BUGS``); the per-table tests excuse only those
regions, and each bug has a strict xfail test that starts failing (XPASS) once the extractor
gets its region right — then the entry should be removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from analysis.extract import extract_paths
from analysis.read import discover, read_document
from analysis.synth import generate
from analysis.synth.amounts import simulate
from analysis.synth.document import TABLE_ORDER, build_document
from analysis.synth.figures import compute_figures
from analysis.synth.roundtrip import RoundTrip, compare
from analysis.synth.world import build_departments

SEED, DEPARTMENTS, YEARS = 3, 4, (2024, 2025)
"""Seed 3 gives 4 departments whose 8 documents show every text hazard, a carry-over, and
unit codes both inside and outside the 2xx range of 功能分类 类 codes."""
FORMATS = ("text", "pdf", "xlsx")
_EXT = {"text": "txt", "pdf": "pdf", "xlsx": "xlsx"}
_TWO_SIDED = ("revenue_expenditure_summary", "fiscal_appropriation_summary")
_FUNCTION_TABLES = ("expenditure_summary", "general_budget_expenditure", "government_fund_expenditure")
_UNIT_ROW_TABLES = (
    "revenue_summary",
    "economic_classification_summary",
    "project_expenditure",
    "project_performance_targets",
    *_FUNCTION_TABLES,
)

KNOWN_BUGS: dict[str, tuple[str, pl.Expr]] = {}
"""Extractor bugs the round trip exposes, each excused only in its own region and guarded by a
strict xfail. The six found first (unit codes read as 类, carry-over read as last year, inline
单位名称 line read as a header, repeated headers merged into rows, lost 类 not inferred, wrapped
PDF project codes) are fixed; add an entry here when a new one is found."""


def _hazards() -> pl.DataFrame:
    """One row per (file, table): the generator's layout decisions that known bugs depend on."""
    rows = []
    for dept in build_departments(DEPARTMENTS, SEED):
        world = simulate(dept, YEARS[0] - 1, YEARS[-1])
        figures = {year: compute_figures(dy) for year, dy in world.items()}
        for year in YEARS:
            doc = build_document(figures[year], figures[year - 1])
            for kind in TABLE_ORDER:
                table = doc.tables[kind]
                for fmt in FORMATS:
                    rows.append(
                        {
                            "path": f"{fmt}/{year}/{dept.name}{year}年度部门预算.{_EXT[fmt]}",
                            "table_kind": kind,
                            "dept_code": dept.code,
                            "unit_name_meta": table.meta_inline and table.meta[0].startswith("单位名称"),
                            "repeated_header": table.split_at >= 0 and table.repeat_header,
                            "drop_class": table.drop_class,
                        }
                    )
    return pl.DataFrame(rows)


@dataclass
class Run:
    out: Path
    frames: dict[str, pl.DataFrame]
    result: RoundTrip
    cells: pl.DataFrame
    """Truth cells with status, format, hazards and one boolean column per known bug."""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("district")
    generate(out, departments=DEPARTMENTS, years=YEARS, formats=FORMATS, anomaly_rate=0.0, seed=SEED)
    frames = extract_paths(discover([out]))
    result = compare(out, frames)
    cells = result.cells.join(_hazards(), on=["path", "table_kind"], how="left").with_columns(
        format=pl.col("path").str.split("/").list.first()
    )
    cells = cells.with_columns(**{bug: region.fill_null(False) for bug, (_, region) in KNOWN_BUGS.items()})
    return Run(out, frames, result, cells)


def _excused(cells: pl.DataFrame) -> pl.Expr:
    if not KNOWN_BUGS:
        return pl.lit(False)
    return pl.any_horizontal([pl.col(bug) for bug in KNOWN_BUGS])


def _show(df: pl.DataFrame) -> str:
    cols = [
        c
        for c in ("path", "table_kind", "row_key", "row_label", "column", "amount", "extracted", "status")
        if c in df.columns
    ]
    with pl.Config(tbl_rows=20, tbl_cols=-1, fmt_str_lengths=40, tbl_width_chars=200):
        return str(df.select(cols).head(20))


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_document_is_read_with_all_tables(run: Run, fmt: str) -> None:
    docs = run.frames["documents"].filter(pl.col("format") == fmt)
    assert docs.height == DEPARTMENTS * len(YEARS)
    assert docs["status"].to_list() == ["ok"] * docs.height, docs.select("path", "error").rows()
    assert (docs["n_recognised"] == len(TABLE_ORDER)).all()


@pytest.mark.parametrize("fmt", FORMATS)
def test_document_figures_are_exact(run: Run, fmt: str) -> None:
    figures = run.result.figures.filter(pl.col("path").str.starts_with(f"{fmt}/"))
    assert figures.height >= 7 * DEPARTMENTS * len(YEARS)
    assert (figures["status"] == "matched").all(), _show(figures.filter(pl.col("status") != "matched"))


@pytest.mark.parametrize("kind", TABLE_ORDER)
@pytest.mark.parametrize("fmt", FORMATS)
def test_printed_cells_are_extracted_exactly(run: Run, fmt: str, kind: str) -> None:
    cells = run.cells.filter((pl.col("format") == fmt) & (pl.col("table_kind") == kind))
    if kind == "government_fund_expenditure" and cells.is_empty():
        pytest.skip("no department of the sample has 政府性基金 spending")
    assert cells.height > 0
    unexplained = cells.filter((pl.col("status") != "matched") & ~_excused(cells))
    assert unexplained.is_empty(), _show(unexplained)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_extracted_cell_is_unaccounted_for(run: Run, fmt: str) -> None:
    """An extracted amount that matches no printed cell means a number landed in the wrong
    row or column; allowed only in tables where a known bug misplaces cells."""
    buggy = (
        run.cells.filter(pl.col("status") != "matched")
        .filter(_excused(run.cells))
        .select("path", "table_kind")
        .unique()
    )
    extra = run.result.unexpected.filter(pl.col("path").str.starts_with(f"{fmt}/")).join(
        buggy, on=["path", "table_kind"], how="anti"
    )
    assert extra.is_empty(), _show(extra)


@pytest.mark.parametrize(
    "bug",
    [pytest.param(bug, marks=pytest.mark.xfail(strict=True, reason=reason)) for bug, (reason, _) in KNOWN_BUGS.items()],
)
def test_known_extractor_bug_is_fixed(run: Run, bug: str) -> None:
    region = run.cells.filter(pl.col(bug))
    assert region.height > 0, f"the sample no longer exercises {bug}; choose another SEED"
    wrong = region.filter(pl.col("status") != "matched")
    assert wrong.is_empty(), _show(wrong)


def test_known_bugs_are_exactly_the_failing_regions(run: Run) -> None:
    """Guards the xfail tests above: a listed bug must fail in its own region (not pass for
    an empty one), and every cell the extractor gets wrong must lie in a listed region; with no
    bug listed, that is every printed cell of every format matched."""
    failing = {
        bug for bug in KNOWN_BUGS if not run.cells.filter(pl.col(bug) & (pl.col("status") != "matched")).is_empty()
    }
    assert failing == set(KNOWN_BUGS)
    wrong = run.cells.filter((pl.col("status") != "matched") & ~_excused(run.cells))
    assert wrong.is_empty(), _show(wrong)
    assert run.cells.height > 1000  # a sample of every table kind in three formats


@pytest.mark.parametrize("fmt", FORMATS)
def test_reader_strips_every_cell(run: Run, fmt: str) -> None:
    """Later stages rely on it (model.Block.rows) and do not strip again."""
    files = sorted((run.out / fmt).rglob(f"*.{_EXT[fmt]}"))
    assert files
    for path in files:
        cells = [c for b in read_document(path).blocks for row in b.rows for c in row]
        assert cells and [c for c in cells if c != c.strip()] == [], path.name


def test_pdfs_embed_their_font(run: Run) -> None:
    """Without an embedded font, pdfium's text depends on the CJK fonts installed on the machine
    (without one it drops text runs of a single CJK character), so a round trip would measure
    the machine, not the extractor (see analysis.synth.pdf_font)."""
    for path in (run.out / "pdf").rglob("*.pdf"):
        data = path.read_bytes()
        assert b"/FontFile2" in data and b"STSong" not in data, path
