"""Which font the charts draw Chinese with, and the chart words in Chinese or, without a CJK
font, in ASCII.

A font is usable when matplotlib can load it and its character map has every character of
``probe`` (metadata/report/fonts.toml). The families listed there are tried first among the
fonts matplotlib knows; fonts installed after matplotlib built its font cache (``apt-get install
fonts-noto-cjk`` on a machine that already ran matplotlib) are found through fontconfig
(``fc-list :lang=zh``) and added. When none is found the run logs one warning and every chart
label falls back to ASCII, so no chart ever shows empty boxes.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from contextlib import contextmanager
from functools import cache, wraps

from analysis.metadata import load_toml
from analysis.report.labels import labels

logger = logging.getLogger(__name__)
FALLBACK = "DejaVu Sans"  # matplotlib's own font: digits, Latin and symbols


@cache
def _settings() -> dict:
    return load_toml("report/fonts.toml")


def _covers(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(c) in charmap for c in _settings()["probe"])


def _fontconfig_files() -> list[str]:
    """Font files fontconfig says cover Chinese (empty without fc-list)."""
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})


def _find() -> str | None:
    from matplotlib import font_manager

    known: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        known.setdefault(entry.name, entry.fname)
    for family in _settings()["families"]:
        if family in known and _covers(known[family]):
            return family
    for path in _fontconfig_files():
        if _covers(path):
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    return None


@cache
def cjk_family() -> str | None:
    """The CJK font family charts use, or None (then charts are labelled in ASCII)."""
    family = _find()
    if family is None:
        logger.warning(
            "no CJK font found (install fonts-noto-cjk or fonts-wqy-microhei; bin/ensure-cjk-font): "
            "chart labels are in English"
        )
    return family


def chinese() -> bool:
    return cjk_family() is not None


def chart_word(key: str, **values: object) -> str:
    """A chart label from labels.toml [chart.KEY]: Chinese with a CJK font, else ASCII."""
    entry = labels()["chart"][key]
    return (entry["zh"] if chinese() else entry["en"]).format(**values)


@contextmanager
def chart_style():
    """matplotlib settings for building and drawing a chart: the CJK font first, DejaVu Sans for
    what it lacks, and an ASCII hyphen for minus (not every CJK font has U+2212)."""
    from matplotlib import rc_context

    family = cjk_family()
    with rc_context({"font.family": [family, FALLBACK] if family else [FALLBACK], "axes.unicode_minus": False}):
        yield


def styled(function):
    """Build a chart inside :func:`chart_style` (fonts are fixed when text is created)."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        with chart_style():
            return function(*args, **kwargs)

    return wrapper
