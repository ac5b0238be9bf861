"""What the case charts show: the figures fed to them and the axes they draw, not pixels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.i18n import build_i18n
from services.reports import charts
from services.reports.case_charts import (
    open_cases_note,
    satisfaction_panels,
    timings_panels,
)
from services.reports.case_summary import TIMINGS_TITLE
from services.reports.cases import named_period
from services.reports.ratings import RatingFigures, Satisfaction
from services.reports.times import TimingFigures, Timings
from services.reports.wording import heading
from services.translation import gettext as _
from storage.models import Station

PERIOD = named_period("quarter", dt.date(2026, 11, 20))
LONG_NAME = "Jingde Street Community Social Conditions and Public Opinion Liaison Station"


def station(number: int, name_en: str, name_zh: str = "联络站") -> Station:
    return Station(id=number, code=f"st-{number}", name_zh=name_zh, name_en=name_en)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    i18n = build_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        yield


def figure_of(title: str, panels: list[charts.Panel], note: str = "") -> Figure:
    return charts.draw(charts.Chart(title, panels, note))


def bar_texts(axes: Axes) -> list[str]:
    return [text.get_text() for text in axes.texts if text.get_text()]


def tick_names(axes: Axes) -> list[str]:
    return [label.get_text().replace("\n", " ") for label in axes.get_yticklabels()]


def test_open_cases_and_same_day_answers_are_not_drawn_as_zero() -> None:
    same_day = station(1, "Same Day")
    slow = station(2, "Slow")
    quiet = station(3, "Quiet")
    result = Timings(
        overall=TimingFigures(answered=2, resolved=1, received=5),
        by_station=[
            # Answered within the hour, not resolved yet.
            (
                same_day,
                TimingFigures(answered=1, median_first_answer=dt.timedelta(minutes=40), received=2),
            ),
            (
                slow,
                TimingFigures(
                    answered=1,
                    median_first_answer=dt.timedelta(days=2, hours=12),
                    resolved=1,
                    median_resolution=dt.timedelta(days=4),
                    received=2,
                ),
            ),
            (quiet, TimingFigures(received=1)),
        ],
    )
    medians = timings_panels(result, "en")[0]
    assert medians.labels == ["Same Day", "Slow"]
    first, resolution = medians.series
    assert first.values == [pytest.approx(0.03), 2.5]
    assert first.texts == ["< 1 day", "2.5"]
    # Not resolved: no time at all, rather than 0 days.
    assert resolution.values == [None, 4.0]
    assert resolution.texts == ["", "4.0"]
    note = open_cases_note(result)
    assert note == (
        "Still open, left out of the times: 3 of 5 cases without a first answer, 4 not resolved."
    )

    figure = figure_of(heading(_(TIMINGS_TITLE), PERIOD), [medians], note)
    axes = figure.axes[0]
    assert tick_names(axes) == ["Same Day", "Slow"]
    assert bar_texts(axes) == ["< 1 day", "2.5", "4.0"]
    unresolved = [bar for bar in axes.patches if not bar.get_visible()]
    assert len(unresolved) == 1 and unresolved[0].get_width() == 0
    assert axes.get_xlim()[0] == 0
    assert figure.get_suptitle().startswith("Answer times, 2026 Q4")
    assert figure.get_supxlabel().startswith("Still open, left out of the times: 3 of 5")


def test_without_ratings_the_chart_says_so() -> None:
    rated = Satisfaction(RatingFigures(), [(station(1, "Quiet"), RatingFigures())])
    spread, average, _solved = satisfaction_panels(rated, "en")
    assert spread.labels == [] and spread.series == []
    assert average.labels == [] and average.series == []
    figure = figure_of("Satisfaction", [spread, average])
    for axes in figure.axes:
        assert bar_texts(axes) == ["No ratings yet"]
        assert list(axes.get_xticks()) == [] and list(axes.get_yticks()) == []
        assert not axes.patches


def test_with_ratings_the_average_runs_from_0_to_5_stars() -> None:
    figures = RatingFigures(distribution={1: 0, 2: 0, 3: 1, 4: 1, 5: 0})
    rated = Satisfaction(figures, [(station(1, "Rated"), figures)])
    spread, average, _solved = satisfaction_panels(rated, "en")
    assert spread.labels == ["5 ★", "4 ★", "3 ★", "2 ★", "1 ★"]
    assert average.series[0].values == [3.5]
    figure = figure_of("Satisfaction", [spread, average])
    assert figure.axes[1].get_xlim() == (0, 5)
    assert figure.axes[1].get_xlabel() == "stars"
    assert figure.axes[0].get_xlim()[0] == 0


@pytest.mark.parametrize(
    ("name", "locale"),
    [(LONG_NAME, "en"), ("敬德街社区社情民意联络站暨政协委员履职服务中心", "zh_CN")],
)
def test_station_names_are_shown_whole(name: str, locale: str) -> None:
    if locale == "zh_CN" and charts.cjk_font() is None:
        pytest.skip("no CJK font on this machine")
    panel = charts.Panel("By station", [name, "Short"], [charts.Series("Cases", [3, 1])])
    figure = figure_of("Cases", [panel])
    axes = figure.axes[0]
    names = tick_names(axes)
    assert "…" not in "".join(names)
    assert [n.replace(" ", "") for n in names] == [name.replace(" ", ""), "Short"]
    # Wrapped over lines, and the figure grows with them.
    assert "\n" in axes.get_yticklabels()[0].get_text()
    short = figure_of("Cases", [charts.Panel("By station", ["A", "B"], panel.series)])
    assert figure.get_figheight() > short.get_figheight()
