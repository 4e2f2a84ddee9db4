"""Charts for the report: functions that take frames and return matplotlib Figures.

Figures are built with the object API (``matplotlib.figure.Figure``), never pyplot, so the
library neither switches backends nor keeps global state; PNG output goes through Agg.
Labels are Chinese (indicator titles, department names, axis words from labels.toml [chart])
drawn with the CJK font ``fonts.py`` finds; on a machine without one they fall back to ASCII
(indicator labels, department codes D01 … with a key in the page).
"""

from __future__ import annotations

import base64
import io
from typing import cast

import polars as pl
from matplotlib.figure import Figure

from analysis.report.benford import digit_table, mean_absolute_deviation
from analysis.report.fonts import chart_style, chart_word, chinese, styled
from analysis.report.labels import indicator_label, indicator_title, labels

PEER = "#9aa5b1"
MARK = "#c0392b"
ACCENT = "#2c6e9b"
_VIEW = 4.0  # histograms show quartiles ± 4 IQR
_LINEAR_GROWTH = 50.0  # growth charts turn logarithmic beyond ±50 %
_CLIP = 5.0  # positions beyond ±5 IQR are drawn at the edge, labelled with their value
_DPI = 96
MAX_LABELLED_BARS = 80  # beyond this many departments the peer chart is a ranked profile, unlabelled


def to_data_uri(fig: Figure) -> str:
    """PNG of the figure as a ``data:`` URI (the report embeds images so it opens offline)."""
    buffer = io.BytesIO()
    with chart_style():
        fig.savefig(buffer, format="png", dpi=_DPI)  # constrained layout already fits the labels
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


_REGION_END = "省市区县州盟旗"
_NAME_WIDTH = 10


def department_codes(departments: list[str]) -> dict[str, str]:
    """Short ASCII codes (D01, D02 …) in sorted name order, for chart labels."""
    names = sorted({d for d in departments if d})
    width = max(2, len(str(len(names))))
    return {name: f"D{n:0{width}d}" for n, name in enumerate(names, start=1)}


def _region_prefix(names: list[str]) -> str:
    """The longest region prefix (ending in 省/市/区/县 …) that at least half the names print."""
    counts: dict[str, int] = {}
    for name in names:
        for prefix in {name[: i + 1] for i, c in enumerate(name[:9]) if c in _REGION_END and i}:
            counts[prefix] = counts.get(prefix, 0) + 1
    shared = [p for p, n in counts.items() if n >= max(2, len(names) / 2)]
    return max(shared, key=len, default="")


def short_names(departments: list[str]) -> dict[str, str]:
    """Department names for chart axes: the region most of them print (新乡市东湖区) left out,
    also inside a name (共青团新乡市东湖区委员会 → 共青团委员会), long names cut to ten characters."""
    names = sorted({d for d in departments if d})
    region = _region_prefix(names)
    out = {}
    for name in names:
        rest = (name.replace(region, "", 1) if region else name) or name
        out[name] = rest if len(rest) <= _NAME_WIDTH else rest[: _NAME_WIDTH - 1] + "…"
    return out


def axis_names(departments: list[str]) -> dict[str, str]:
    """What the peer bars call each department: its short name with a CJK font, else its code."""
    return short_names(departments) if chinese() else department_codes(departments)


def chart_label(code: str, title: str | None = None) -> str:
    """An indicator on a chart: its Chinese title with a CJK font, else its ASCII label."""
    if chinese():
        return title or indicator_title(code)
    return indicator_label(code)


def _scale(unit: str | None) -> tuple[float, str]:
    """Factor and axis text for a unit: ratios in %, others as printed (万元, 元/人) or, without a
    CJK font, by labels.toml [chart_unit]."""
    if unit == "ratio":
        return 100.0, "%"
    return 1.0, (unit or "") if chinese() else labels()["chart_unit"].get(unit or "", "")


def _year_rows(indicators: pl.DataFrame, year: int) -> pl.DataFrame:
    return indicators.filter((pl.col("fiscal_year") == year) & pl.col("value").is_not_null())


@styled
def distributions(indicators: pl.DataFrame, year: int, columns: int = 3) -> Figure:
    """One histogram per indicator for ``year``, with the peer median and Tukey fences."""
    rows = _year_rows(indicators, year)
    codes = rows["indicator"].unique(maintain_order=True).to_list()
    n_rows = max(1, -(-len(codes) // columns))
    fig = Figure(figsize=(3.2 * columns, 2.3 * n_rows), layout="constrained")
    axes = fig.subplots(n_rows, columns, squeeze=False).ravel()
    for ax, code in zip(axes, codes):
        part = rows.filter(pl.col("indicator") == code)
        factor, suffix = _scale(part["unit"][0])
        q1, median, q3 = (
            cast(float, part["value"].quantile(q, interpolation="linear")) * factor for q in (0.25, 0.5, 0.75)
        )
        spread = (q3 - q1) or abs(median) or 1.0
        low, high = q1 - _VIEW * spread, q3 + _VIEW * spread
        values = part["value"] * factor
        # far outliers would squeeze the peers into one bar: draw them at the edge, say how many
        off_scale = int(((values < low) | (values > high)).sum())
        ax.hist(values.clip(low, high).to_list(), bins=min(20, max(5, len(values) // 3)), color=PEER, edgecolor="white")
        ax.axvline(median, color=ACCENT, linewidth=1.5)
        for fence in (q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)):
            ax.axvline(fence, color=MARK, linewidth=1, linestyle="--")
        title = chart_label(code, part["title"][0]) + (chart_word("off_scale", n=off_scale) if off_scale else "")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(suffix or chart_word("value"), fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes[len(codes) :]:
        ax.set_visible(False)
    fig.suptitle(chart_word("distribution_title", year=year), fontsize=9)
    return fig


@styled
def peer_bars(indicators: pl.DataFrame, indicator: str, year: int, codes: dict[str, str]) -> Figure:
    """Every department's value of one indicator in ``year``, sorted; beyond the fences in red.
    ``codes`` names the departments on the axis (``axis_names``). With more than
    ``MAX_LABELLED_BARS`` departments the chart keeps its width and draws the sorted values as one
    filled profile, flagged ones as red ticks, and names no department (the page lists them)."""
    part = _year_rows(indicators, year).filter(pl.col("indicator") == indicator).sort("value")
    factor, suffix = _scale(part["unit"][0] if part.height else None)
    labelled = part.height <= MAX_LABELLED_BARS
    width = 0.22 * part.height + 1.5 if labelled else 0.22 * MAX_LABELLED_BARS + 1.5
    fig = Figure(figsize=(max(5.0, width), 2.8), layout="constrained")
    ax = fig.subplots()
    values = (part["value"] * factor).to_list()
    flags = part["flagged"].fill_null(False).to_list()
    if labelled:
        ax.bar(range(part.height), values, color=[MARK if flag else PEER for flag in flags])
    else:
        ax.fill_between(range(part.height), values, step="mid", color=PEER, linewidth=0)
        marked = [n for n, flag in enumerate(flags) if flag]
        ax.vlines(marked, 0, [values[n] for n in marked], color=MARK, linewidth=0.8)
    if part.height:
        ax.axhline(cast(float, part["value"].median()) * factor, color=ACCENT, linewidth=1)
    if labelled:
        ax.set_xticks(
            range(part.height), [codes.get(d, "?") for d in part["department"].to_list()], rotation=90, fontsize=6
        )
    else:
        ax.set_xticks([])
        ax.set_xlabel(chart_word("ranked_departments", n=part.height), fontsize=8)
    ax.set_ylabel(suffix or chart_word("value"), fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    title = part["title"][0] if part.height else None
    ax.set_title(chart_word("peer_title", year=year, label=chart_label(indicator, title)), fontsize=9)
    return fig


@styled
def benford(tests: pl.DataFrame) -> Figure:
    """Observed first-digit shares of the batch's amounts against Benford's law (the compare
    stage's ``benford`` table)."""
    table = digit_table(tests)
    mad = mean_absolute_deviation(tests)
    fig = Figure(figsize=(5.6, 2.8), layout="constrained")
    ax = fig.subplots()
    ax.bar(table["digit"].to_list(), table["observed"].to_list(), color=PEER, label=chart_word("observed"))
    ax.plot(
        table["digit"].to_list(),
        table["expected"].to_list(),
        color=MARK,
        marker="o",
        markersize=4,
        label=chart_word("benford"),
    )
    ax.set_xticks(range(1, 10))
    ax.set_xlabel(chart_word("first_digit"), fontsize=8)
    ax.set_ylabel(chart_word("share"), fontsize=8)
    ax.legend(fontsize=7)
    ax.tick_params(labelsize=7)
    n = int(table["count"].sum())
    ax.set_title(
        chart_word("benford_title", n=n, mad=f"{mad:.4f}") if mad is not None else chart_word("no_amounts"), fontsize=9
    )
    return fig


@styled
def growth_by_year(indicators: pl.DataFrame, growth_codes: list[str]) -> Figure:
    """Box plots of year-over-year growth per indicator and year (DOMAIN §6.2)."""
    rows = indicators.filter(pl.col("indicator").is_in(growth_codes) & pl.col("value").is_not_null())
    years = sorted(rows["fiscal_year"].unique().to_list())
    fig = Figure(figsize=(3.0 * max(len(growth_codes), 1), 2.6), layout="constrained")
    axes = fig.subplots(1, max(len(growth_codes), 1), squeeze=False).ravel()
    for ax, code in zip(axes, growth_codes):
        data = [
            (rows.filter((pl.col("indicator") == code) & (pl.col("fiscal_year") == y))["value"] * 100).to_list()
            for y in years
        ]
        if any(data):
            ax.boxplot(
                data,
                tick_labels=[str(y) for y in years],
                widths=0.5,
                flierprops={"markersize": 3, "markerfacecolor": MARK, "markeredgecolor": MARK},
            )
        ax.axhline(0, color=ACCENT, linewidth=0.8)
        if any(abs(v) > _LINEAR_GROWTH for values in data for v in values):
            ax.set_yscale("symlog", linthresh=_LINEAR_GROWTH)  # keep the boxes visible beside far outliers
        titles = rows.filter(pl.col("indicator") == code)["title"]
        ax.set_title(chart_label(code, titles[0] if titles.len() else None), fontsize=9)
        ax.set_ylabel(chart_word("growth_axis"), fontsize=8)
        ax.tick_params(labelsize=7)
    return fig


@styled
def department_trend(documents: pl.DataFrame, department: str, measures: dict[str, str]) -> Figure:
    """Headline amounts (万元) of one department across years; ``measures`` maps column → label."""
    fig = Figure(figsize=(4.2, 2.6), layout="constrained")
    _draw_trend(fig.subplots(), documents, department, measures)
    return fig


def _draw_trend(ax, documents: pl.DataFrame, department: str, measures: dict[str, str]) -> None:
    rows = (
        documents.filter((pl.col("department") == department) & (pl.col("status") != "failed"))
        .sort("fiscal_year")
        .unique("fiscal_year", keep="first", maintain_order=True)
    )
    years = rows["fiscal_year"].to_list()
    for column, label in measures.items():
        ax.plot(years, rows[column].to_list(), marker="o", markersize=3, label=label)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylabel(chart_word("trend_axis"), fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7)
    ax.set_title(chart_word("trend_title"), fontsize=9)
