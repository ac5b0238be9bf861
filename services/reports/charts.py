"""PNG charts for the staff reports: horizontal bar panels drawn with matplotlib's Agg canvas.

Callers hand over finished, translated text; this module only draws. Chinese text needs a
CJK font: the first one matplotlib's font manager knows (Noto Sans CJK, Source Han Sans,
WenQuanYi, Droid Sans Fallback ...), or one found among the system's font files when
matplotlib listed its fonts before that one was installed. Without any, :func:`cjk_font`
says so (logged once) so that callers can draw with English names, and any character still
beyond the fonts is drawn as ``?``: never a box, never a missing-glyph warning.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "AR PL UMing CN",
    "AR PL UKai CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
CJK_FILE_STEMS = ("notosanscjk", "notosanssc", "sourcehansans", "wqy-", "droidsansfallback")
BASE_FAMILY = "DejaVu Sans"
PALETTE = ("#2f6fb0", "#e07b39", "#3a9a5b", "#c44e52", "#8172b2", "#937860", "#8c8c8c")
LABEL_WIDTH = 28
DPI = 110

# The font manager and the text layout caches are shared by every figure.
_draw_lock = threading.Lock()


@dataclass(frozen=True)
class Series:
    """One set of bars: a name for the legend and a value per label.

    A value of None draws no bar and no figure: there is nothing to show, which is not 0.
    ``texts``, when given, are written at the bars' ends instead of the values.
    """

    name: str
    values: Sequence[float | None]
    texts: Sequence[str] | None = None


@dataclass(frozen=True)
class Panel:
    """A horizontal bar chart: one bar (or one stack) per label, first label on top.

    ``percent`` panels hold shares from 0 to 1 and are drawn in per cent; ``maximum`` fixes
    the end of the value axis (5 for ratings, say). ``empty_text`` is what a panel without
    labels says instead of the chart's own :attr:`Chart.empty_text`.
    """

    title: str
    labels: Sequence[str]
    series: Sequence[Series]
    stacked: bool = False
    percent: bool = False
    axis_label: str = ""
    maximum: float | None = None
    empty_text: str = ""


@dataclass(frozen=True)
class Chart:
    """A figure of panels under one title, with an optional note at the foot."""

    title: str
    panels: Sequence[Panel]
    note: str = ""
    empty_text: str = "—"


@functools.cache
def cjk_font() -> str | None:
    """The family of a font that draws Chinese, or None (logged once) when there is none."""
    from matplotlib import font_manager

    def known() -> str | None:
        names = {entry.name for entry in font_manager.fontManager.ttflist}
        return next((family for family in CJK_FAMILIES if family in names), None)

    family = known()
    if family is None:
        for path in font_manager.findSystemFonts():
            if Path(path).name.lower().startswith(CJK_FILE_STEMS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    log.debug("cannot read font %s", path)
        family = known()
    if family is None:
        log.warning("no CJK font found (install fonts-noto-cjk): charts use English names")
    return family


def families() -> list[str]:
    """The font families text is drawn with: Latin first, the CJK font for what it lacks.

    In that order Latin text keeps its own punctuation (a CJK font's quotes are full width).
    """
    cjk = cjk_font()
    return [BASE_FAMILY, cjk] if cjk else [BASE_FAMILY]


@functools.cache
def _drawable() -> frozenset[int]:
    """Every code point the chart fonts have a glyph for."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    points: set[int] = set()
    for family in families():
        path = font_manager.findfont(font_manager.FontProperties(family=family))
        points.update(FT2Font(path).get_charmap())
    return frozenset(points)


def drawable(text: str) -> str:
    """``text`` with every character the fonts cannot draw replaced by ``?``."""
    glyphs = _drawable()
    return "".join(c if c.isspace() or ord(c) in glyphs else "?" for c in text)


def label_lines(label: str) -> list[str]:
    """A label's lines: the whole name, wrapped where it is too long for one line."""
    return _wrap(drawable(" ".join(label.split())), LABEL_WIDTH) or [""]


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns, a Chinese character counting as two."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        line, used = "", 0
        for word in re.findall(r"[\u2e80-\uffef]|[^\s\u2e80-\uffef]+\s*|\s+", paragraph):
            size = sum(2 if "\u2e80" <= c <= "\uffef" else 1 for c in word)
            if used + size > width and line:
                lines.append(line.rstrip())
                line, used = "", 0
            line, used = line + word, used + size
        lines.append(line.rstrip())
    return lines


def _draw_panel(axes: Axes, panel: Panel, empty_text: str) -> None:
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    labels = ["\n".join(label_lines(label)) for label in panel.labels]
    positions = list(range(len(labels)))
    scale = 100.0 if panel.percent else 1.0
    count = max(1, len(panel.series))
    height = 0.8 if panel.stacked else 0.8 / count
    left = [0.0] * len(labels)
    for index, series in enumerate(panel.series):
        drawn = [value is not None for value in series.values]
        values = [float(value or 0.0) * scale for value in series.values]
        # Side by side, each series gets its slice of the label's row.
        offset = 0.0 if panel.stacked else height * (index + 0.5) - 0.4
        y = [p + offset for p in positions]
        bars = axes.barh(
            y,
            values,
            height=height,
            left=left if panel.stacked else None,
            color=PALETTE[index % len(PALETTE)],
            label=drawable(series.name),
        )
        if not panel.stacked:
            texts = series.texts or [
                f"{value:.0f}%" if panel.percent else f"{value:g}" for value in values
            ]
            shown = [drawable(t) if d else "" for t, d in zip(texts, drawn, strict=True)]
            axes.bar_label(bars, labels=shown, padding=2, fontsize=8)
            for bar, present in zip(bars, drawn, strict=True):
                bar.set_visible(present)
        else:
            left = [a + b for a, b in zip(left, values, strict=True)]
    if panel.stacked:
        for position, total in zip(positions, left, strict=True):
            axes.text(total, position, f" {total:g}", va="center", fontsize=8)
    axes.set_yticks(positions, labels, fontsize=9)
    axes.invert_yaxis()
    axes.set_title(drawable(panel.title), fontsize=11, loc="left")
    if panel.axis_label:
        axes.set_xlabel(drawable(panel.axis_label), fontsize=9)
    if panel.percent:
        axes.set_xlim(0, 110)
        axes.xaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    else:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.12)
    if panel.maximum is not None:
        # The whole scale, however low the bars: 0 to 5 stars, not 0 to the best average.
        axes.set_xlim(0, panel.maximum)
    if len(panel.series) > 1:
        # Above the bars, right-aligned, level with the panel's title.
        axes.legend(
            fontsize=8,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncols=len(panel.series),
            frameon=False,
        )
    if not labels:
        # No axis at all: an empty axis around 0 reads as a chart of zeros.
        axes.text(
            0.5,
            0.5,
            drawable(panel.empty_text or empty_text),
            ha="center",
            va="center",
            transform=axes.transAxes,
        )
        axes.set_yticks([])
        axes.set_xticks([])
        axes.set_xlim(0, 1)
        axes.spines[["left", "bottom"]].set_visible(False)


def _style() -> AbstractContextManager[None]:
    """The fonts and the minus sign every chart is drawn with."""
    from matplotlib import rc_context

    return rc_context({"font.family": families(), "axes.unicode_minus": False})


def _panel_height(panel: Panel) -> float:
    """Inches for a panel: a row per label, taller for a name wrapped over lines."""
    rows = sum(0.32 + 0.16 * (len(label_lines(label)) - 1) for label in panel.labels)
    return 0.9 + max(0.32, rows)


def render_png(chart: Chart) -> bytes:
    """Draw a chart and return the PNG file's bytes."""
    # Tick labels are made while saving: they need the same fonts as the rest.
    with _draw_lock, _style():
        figure = draw(chart)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def draw(chart: Chart) -> Figure:
    """The chart as a matplotlib figure (on an Agg canvas), ready to be saved.

    Alone, for reading a chart's axes; :func:`render_png` draws under the lock that threads
    drawing at once need.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    heights = [_panel_height(panel) for panel in chart.panels]
    note_lines = _wrap(drawable(chart.note), 120) if chart.note else []
    total = sum(heights) + 0.8 + 0.18 * len(note_lines)
    with _style():
        figure = Figure(figsize=(8.5, total), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        figure.suptitle(drawable(chart.title), fontsize=13, x=0.02, ha="left")
        if chart.panels:
            grid = figure.subplots(len(chart.panels), 1, squeeze=False, height_ratios=heights)
            for axes, panel in zip(grid[:, 0], chart.panels, strict=True):
                _draw_panel(axes, panel, chart.empty_text)
        if note_lines:
            figure.supxlabel("\n".join(note_lines), fontsize=8, color="#555555", x=0.02, ha="left")
    return figure
