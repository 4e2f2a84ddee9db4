"""Chart labels in Chinese with real glyphs: every chart of the report is drawn with the CJK font
``report/fonts.py`` finds and matplotlib warns of no missing glyph; without a CJK font the
charts say so once and fall back to ASCII labels, still without a missing glyph.

The CJK font comes from ``bin/ensure-cjk-font`` (the Makefile runs it before the tests); when
the font is missing the test tries that script once and is skipped, with the reason, only when
no font can be installed on this machine.
"""

from __future__ import annotations

import logging
import re
import subprocess
import warnings
from pathlib import Path

import polars as pl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from analysis.report import charts, fonts
from analysis.report.frames import latest_year
from analysis.report.profile import ProfileRenderer, department_profile
from test_report_support import small_run

ROOT = Path(__file__).resolve().parents[1]
HAN = re.compile(r"[\u4e00-\u9fff]")


def _all_charts(data) -> list:
    ind = data.indicators
    year = latest_year(ind)
    names = sorted(data.documents["department"].drop_nulls().unique().to_list())
    growth = [c for c in ind["indicator"].unique().to_list() if c.endswith("_growth")]
    code = ind.filter(pl.col("fiscal_year") == year)["indicator"][0]
    return [
        charts.distributions(ind, year),
        charts.peer_bars(ind, code, year, charts.axis_names(names)),
        charts.benford(data.benford),
        charts.growth_by_year(ind, growth),
        charts.department_trend(
            data.documents, names[0], {"total_expenditure": "支出总计" if fonts.chinese() else "total"}
        ),
        department_profile(ind, names[0], year),
    ]


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]


def _draw_strictly(figures) -> None:
    """Draw every figure (and the report's profile renderer); a missing glyph is an error."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing from")
        for fig in figures:
            charts.to_data_uri(fig)
            with fonts.chart_style():
                FigureCanvasAgg(fig).draw()


@pytest.fixture
def cjk_font() -> str:
    fonts.cjk_family.cache_clear()
    if fonts.cjk_family() is None:
        installer = subprocess.run([str(ROOT / "bin" / "ensure-cjk-font")], capture_output=True, text=True, timeout=900)
        fonts.cjk_family.cache_clear()
        if fonts.cjk_family() is None:
            pytest.skip(
                f"no CJK font can be installed here (bin/ensure-cjk-font exit {installer.returncode}: "
                f"{(installer.stderr or installer.stdout).strip()[-300:]})"
            )
    return fonts.cjk_family()


def test_charts_are_labelled_in_chinese_with_no_missing_glyph(cjk_font):
    _, result = small_run()
    figures = _all_charts(result.report)
    for fig in figures:
        assert any(HAN.search(t) for t in _texts(fig)), _texts(fig)
    _draw_strictly(figures)
    year = latest_year(result.report.indicators)
    renderer = ProfileRenderer(result.report.indicators, year)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph .* missing from")
        assert renderer.data_uri(result.documents["department"][0]).startswith("data:image/png;base64,")


def test_the_check_fails_on_a_missing_glyph(cjk_font, monkeypatch):
    """The strict drawing above does catch empty boxes: Chinese drawn with a Latin-only font."""
    _, result = small_run()
    monkeypatch.setattr(fonts, "cjk_family", lambda: "DejaVu Sans")
    figures = [charts.benford(result.report.benford)]
    assert any(HAN.search(t) for t in _texts(figures[0]))
    with pytest.raises(UserWarning, match="missing from"):
        _draw_strictly(figures)


def test_without_a_cjk_font_charts_say_so_once_and_use_ascii(monkeypatch, caplog):
    _, result = small_run()
    monkeypatch.setattr(fonts, "_find", lambda: None)
    fonts.cjk_family.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="analysis.report.fonts"):
            figures = _all_charts(result.report) + _all_charts(result.report)
        assert caplog.text.count("no CJK font found") == 1
        for fig in figures:
            assert all(t.isascii() for t in _texts(fig)), _texts(fig)
        _draw_strictly(figures[:6])
    finally:
        fonts.cjk_family.cache_clear()
