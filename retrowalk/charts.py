"""Small charts drawn on the server as inline SVG: the geometry here, ``retrowalk/_chart_panel.svg`` draws it.

No JavaScript: a chart prints and reads the same everywhere, and its numbers are in its ``<desc>`` for screen
readers. The program's progress charts (``programs.charts``) and the reassessment trends
(``patients.outcomes``) draw with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Palette:
    planned: str
    done: str
    limit: str
    ink: str = "#333"
    grid: str = "#d0d5da"


SCREEN = Palette(planned="#5f6b76", done="#0b5cad", limit="#b02a37")
# The printed plan and the PDF are black on white: shapes and dashes, not colours, tell the lines apart.
PRINT = Palette(planned="#000000", done="#000000", limit="#000000", ink="#000000", grid="#bbbbbb")


WIDTH, HEIGHT = 360, 190
LEFT, RIGHT, TOP, BOTTOM = 38, 10, 12, 30


def _nice_max(value: float, floor: float) -> float:
    top = max(value, floor)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200):
        if top <= step * 4:
            return step * 4 if top > step * 2 else step * 2
    return top


@dataclass(frozen=True)
class Tick:
    y: float
    value: float

    @property
    def text_y(self) -> float:
        return self.y + 4


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Panel:
    """One small chart's geometry, drawn by ``retrowalk/_chart_panel.svg``."""

    key: str
    title: str  # the figure's caption
    long_title: str  # the SVG's own title, for screen readers
    summary: str
    palette: Palette
    ticks: list[Tick]
    labels: list[Label]
    planned_bars: list[Bar] = field(default_factory=list)
    done_bars: list[Bar] = field(default_factory=list)
    planned_line: list[Point] = field(default_factory=list)
    done_line: list[Point] = field(default_factory=list)
    limit_y: float | None = None
    limit_label: str = ""
    axis_title: str = _("Week")
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    axis_x: float = LEFT + (WIDTH - LEFT - RIGHT) / 2
    axis_y: int = HEIGHT - 3
    labels_y: int = HEIGHT - BOTTOM + 15
    ticks_x: int = LEFT - 5

    @property
    def limit_text_y(self) -> float | None:
        return None if self.limit_y is None else self.limit_y - 3


def svg_panel(
    *,
    key: str,
    title: str,
    long_title: str,
    summary: str,
    labels: Sequence[str],
    planned: Sequence[float | None] = (),
    done: Sequence[float | None] = (),
    bars: bool = False,
    y_min: float = 0,
    y_max: float | None = None,
    limit: float | None = None,
    limit_label: str = "",
    palette: Palette = SCREEN,
    axis_title: str = _("Week"),
) -> Panel:
    """One small chart: planned (grey, dashed or outlined) and done (blue, solid) per week."""
    n = max(len(labels), 1)
    values = [v for v in (*planned, *done) if v is not None]
    top = y_max if y_max is not None else _nice_max(max(values, default=0), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n

    def x(i: int) -> float:
        return round(LEFT + slot * (i + 0.5), 1)

    def y(v: float) -> float:
        return round(TOP + plot_h - (float(v) - y_min) / (top - y_min) * plot_h, 1)

    def height(v: float) -> float:
        return round((float(v) - y_min) / (top - y_min) * plot_h, 1)

    every = 1 if n <= 12 else 2 if n <= 26 else 4
    width = round(slot * 0.36, 1)
    panel = Panel(
        key=key,
        title=title,
        long_title=long_title,
        summary=summary,
        palette=palette,
        ticks=[Tick(y(tick), tick) for tick in (y_min, (y_min + top) / 2, top)],
        labels=[Label(x(i), label) for i, label in enumerate(labels) if i % every == 0],
        limit_y=None if limit is None else y(limit),
        limit_label=limit_label,
        axis_title=axis_title,
    )
    if bars:
        return replace(
            panel,
            planned_bars=[
                Bar(round(x(i) - width - 1, 1), y(v), width, height(v)) for i, v in enumerate(planned) if v is not None
            ],
            done_bars=[Bar(round(x(i) + 1, 1), y(v), width, height(v)) for i, v in enumerate(done) if v is not None],
        )
    return replace(
        panel,
        planned_line=[Point(x(i), y(v)) for i, v in enumerate(planned) if v is not None],
        done_line=[Point(x(i), y(v)) for i, v in enumerate(done) if v is not None],
    )
