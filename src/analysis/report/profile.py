"""Where a department sits among its peers on every indicator of a year (one chart per
department section).

x is the robust position (value − peer median) / IQR: 0 is the median, ±0.5 about the
quartiles, beyond about ±2 outside the Tukey fences (DOMAIN §6.5). Peers are grey dots, the
department a red dot labelled with its value.

A report draws this for every department of a year, and only the red marks differ, so
``ProfileRenderer`` draws the peers once. ``figure`` embeds that one background PNG and lays the
department's marks over it as a small inline SVG in the background's pixel coordinates: no PNG
is encoded per department, so thousands of department pages cost milliseconds each (drawing
and encoding each department's PNG took about 0.1 s). ``data_uri`` still gives a department's
chart as one PNG (marks blitted onto a copy of the background) for notebooks and screenshots.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import polars as pl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from analysis.report.charts import ACCENT, MARK, PEER, chart_label, to_data_uri
from analysis.report.fonts import FALLBACK, chart_style, chart_word, styled
from analysis.report.markup import Safe, join, tag, void

_CLIP = 5.0  # positions beyond ±5 IQR are drawn at the edge; the label gives the value
_DPI = 96
_MARK_AREA = 46  # points², as matplotlib's scatter sizes
_LABEL_OFFSET = (4, 5)  # points right of and above the mark
_LABEL_SIZE = 7  # points


def _rows(indicators: pl.DataFrame, year: int) -> dict[str, pl.DataFrame]:
    rows = indicators.filter((pl.col("fiscal_year") == year) & pl.col("position").is_not_null())
    return {key[0]: part for key, part in rows.partition_by("indicator", as_dict=True, maintain_order=True).items()}


def _label(code: str, part: pl.DataFrame) -> str:
    return chart_label(code, part["title"][0] if "title" in part.columns else None)


def _width(label: str) -> int:
    """Width in Latin characters (a CJK character is about two)."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in label)


@styled
def _background(parts: dict[str, pl.DataFrame], year: int) -> tuple[Figure, object]:
    height, width = 0.42 * max(len(parts), 2) + 0.9, 6.4
    labels = [_label(c, part) for c, part in parts.items()]
    longest = max((_width(label) for label in labels), default=10)
    fig = Figure(figsize=(width, height), dpi=_DPI)
    # room for the longest y label at ~0.075 in per 8-pt character; fixed margins keep the
    # background identical for every department
    fig.subplots_adjust(
        left=min(0.45, (0.15 + 0.075 * longest) / width), right=0.97, top=1 - 0.32 / height, bottom=0.5 / height
    )
    ax = fig.subplots()
    ax.axvspan(-0.5, 0.5, color="#e8eef3")
    for y, part in enumerate(parts.values()):
        peers = part["position"].clip(-_CLIP, _CLIP).to_list()
        ax.scatter(peers, [y] * len(peers), s=12, color=PEER, alpha=0.7, linewidths=0)
    ax.set_yticks(range(len(parts)), labels, fontsize=8)
    ax.set_ylim(len(parts) - 0.3, -0.7)  # first indicator on top
    ax.set_xlim(-_CLIP - 0.3, _CLIP + 0.8)
    ax.axvline(0, color=ACCENT, linewidth=1)
    ax.set_xlabel(chart_word("profile_axis"), fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_title(chart_word("profile_title", year=year), fontsize=9)
    return fig, ax


@styled
def _marks(ax, parts: dict[str, pl.DataFrame], department: str, animated: bool = False) -> list:
    artists = []
    for y, part in enumerate(parts.values()):
        own = part.filter(pl.col("department") == department)
        if not own.height:
            continue
        position, value, unit = own.select("position", "value", "unit").row(0)
        x = max(-_CLIP, min(_CLIP, position))
        artists.append(ax.scatter([x], [y], s=_MARK_AREA, color=MARK, zorder=3, animated=animated))
        artists.append(
            ax.annotate(
                _value_label(value, unit),
                (x, y),
                xytext=_LABEL_OFFSET,
                textcoords="offset points",
                fontsize=_LABEL_SIZE,
                color=MARK,
                animated=animated,
            )
        )
    return artists


def _value_label(value: float, unit: str | None) -> str:
    return f"{value * 100:.1f}%" if unit == "ratio" else f"{value:,.0f}"


def department_profile(indicators: pl.DataFrame, department: str, year: int) -> Figure:
    """The profile chart of one department as a Figure (for notebooks)."""
    parts = _rows(indicators, year)
    fig, ax = _background(parts, year)
    _marks(ax, parts, department)
    return fig


class ProfileRenderer:
    """Profile charts of many departments for one year, as PNG data URIs."""

    def __init__(self, indicators: pl.DataFrame, year: int) -> None:
        self._parts = _rows(indicators, year)
        self._fig, self._ax = _background(self._parts, year)
        self._canvas = FigureCanvasAgg(self._fig)
        with chart_style():
            self._canvas.draw()
        self._clean = self._canvas.copy_from_bbox(self._fig.bbox)
        self._background: str | None = None
        self._own = self._department_rows()
        self._pixels = self._mark_pixels()

    def _department_rows(self) -> dict[str, list[tuple[int, float, float, str | None]]]:
        """department → (row of the chart, position, value, unit), in one pass over the year
        (a filter per department and indicator would make the report quadratic)."""
        own: dict[str, list[tuple[int, float, float, str | None]]] = {}
        for y, part in enumerate(self._parts.values()):
            seen: set[str] = set()
            for department, position, value, unit in part.select("department", "position", "value", "unit").rows():
                if department not in seen:  # the first row of a department, as the drawn chart takes
                    seen.add(department)
                    own.setdefault(department, []).append((y, position, value, unit))
        return own

    def _mark_pixels(self) -> dict[str, list[tuple[float, float]]]:
        """department → the display pixels of its marks, transformed in one call (the same
        affine arithmetic as one call per mark, a thousandth of the calls)."""
        points = [(max(-_CLIP, min(_CLIP, position)), y) for rows in self._own.values() for y, position, _, _ in rows]
        if not points:
            return {}
        pixels = iter(self._ax.transData.transform(np.array(points, dtype=float)).tolist())
        return {department: [next(pixels) for _ in rows] for department, rows in self._own.items()}

    def figure(self, department: str, caption: str) -> Safe:
        """The chart of ``department`` as a figure: the shared background PNG with the
        department's marks drawn over it in SVG (same places, sizes and colours as ``data_uri``)."""
        if self._background is None:
            self._background = to_data_uri(self._fig)
        width, height = self._canvas.get_width_height()
        scale = _DPI / 72  # points → pixels
        radius = (_MARK_AREA**0.5) / 2 * scale
        marks = []
        for (_, _, value, unit), (px, py) in zip(
            self._own.get(department, []), self._pixels.get(department, []), strict=True
        ):
            py = height - py  # SVG counts from the top
            marks.append(tag("circle", cx=f"{px:.1f}", cy=f"{py:.1f}", r=f"{radius:.2f}", fill=MARK))
            marks.append(
                tag(
                    "text",
                    _value_label(value, unit),
                    x=f"{px + _LABEL_OFFSET[0] * scale:.1f}",
                    y=f"{py - _LABEL_OFFSET[1] * scale:.1f}",
                    fill=MARK,
                    font_size=f"{_LABEL_SIZE * scale:.2f}",
                    font_family=f"{FALLBACK}, sans-serif",
                )
            )
        svg = tag("svg", join(marks), viewBox=f"0 0 {width} {height}")
        return tag(
            "figure",
            tag("div", void("img", src=self._background, alt=caption), svg, class_="overlay"),
            tag("figcaption", caption),
            class_="figure",
        )

    def data_uri(self, department: str) -> str:
        self._canvas.restore_region(self._clean)
        artists = _marks(self._ax, self._parts, department, animated=True)
        with chart_style():
            for artist in artists:
                self._ax.draw_artist(artist)
        width, height = self._canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), bytes(self._canvas.buffer_rgba()), "raw", "RGBA", 0, 1)
        for artist in artists:
            artist.remove()
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG", optimize=False)
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
