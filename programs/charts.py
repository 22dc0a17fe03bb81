"""The progress charts, drawn on the server as inline SVG.

``progress_series`` is pure arithmetic over loaded rows: one row per calendar
week since the start, with the targets in force (planned) and what the logs say
(done); weeks still ahead show the plan only. ``svg_panel`` works out one small
chart's geometry and ``programs/_chart_panel.svg`` draws it: no JavaScript, so
it prints and reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.utils.formats import localize
from django.utils.translation import gettext as _

from programs import progression
from programs.models import EDITABLE_STATUSES
from retrowalk import units


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


@dataclass(frozen=True)
class ChartWeek:
    index: int
    starts: date
    week: int
    planned_minutes: int
    planned_speed_kmh: Decimal
    future: bool
    sessions: int = 0
    done_minutes: int = 0
    done_speed_kmh: Decimal | None = None
    pain: int | None = None
    effort: int | None = None


def progress_series(*, prescription, weeks, logs, decisions, today: date) -> list[ChartWeek]:
    by_week = {w.week: w for w in weeks}
    if not by_week:
        return []
    start = prescription.start_date
    last_day = prescription.ended_on or today
    elapsed = (last_day - start).days // 7 + 1 if last_day >= start else 0
    ahead = len(by_week) - prescription.current_week if prescription.status in EDITABLE_STATUSES else 0
    made = sorted((d.decided_on, d.next_week) for d in decisions)
    rows = []
    for i in range(elapsed + ahead):
        starts = start + timedelta(days=7 * i)
        future = i >= elapsed
        if future:
            number = min(len(by_week), prescription.current_week + (i - elapsed + 1))
        else:
            number = progression.week_in_force(
                starts,
                current_week=prescription.current_week,
                week_started_on=prescription.week_started_on,
                decisions=made,
            )
        target = by_week[number]
        row = ChartWeek(
            index=i + 1,
            starts=starts,
            week=number,
            planned_minutes=target.sessions * target.session_minutes,
            planned_speed_kmh=target.speed_kmh,
            future=future,
        )
        if not future:
            these = [log for log in logs if starts <= log.session_date < starts + timedelta(days=7)]
            walked = [log for log in these if log.minutes > 0]
            speed = None
            if walked:
                speed = (sum(log.speed_kmh for log in walked) / len(walked)).quantize(
                    Decimal("0.1"), rounding=ROUND_HALF_UP
                )
            row = replace(
                row,
                sessions=len(walked),
                done_minutes=sum(log.minutes for log in these),
                done_speed_kmh=speed,
                pain=max((max(log.pain_before, log.pain_after) for log in these), default=None),
                effort=max((log.effort for log in these), default=None),
            )
        rows.append(row)
    return rows


# --- SVG ---

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
    """One small chart's geometry, drawn by ``programs/_chart_panel.svg``."""

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


def panels_of(series: Sequence[ChartWeek], *, prescription, unit: str, palette: Palette = SCREEN):
    """The program's progress panels, drawn when called: a template calls it only when its
    {% cache %} fragment is not already kept."""
    return partial(
        progress_panels,
        series,
        unit=unit,
        baseline_pain=prescription.baseline_pain,
        rules=prescription.template,
        palette=palette,
    )


def progress_panels(
    series: Sequence[ChartWeek], *, unit: str, baseline_pain: int, rules, palette: Palette = SCREEN
) -> list[Panel]:
    labels = [str(r.index) for r in series]
    done_rows = [r for r in series if not r.future]

    def spd(v):
        return None if v is None else float(units.to_unit(v, unit))

    label = units.unit_label(unit)
    pain_limit = baseline_pain + rules.advance_max_pain_rise
    none_yet = _("No weeks walked yet.")

    def shown(value):
        return _("none") if value is None else localize(value)

    return [
        svg_panel(
            key="chart-minutes",
            title=_("Minutes per week"),
            long_title=_("Minutes walked per week, planned and done"),
            summary="; ".join(
                _("week %(week)s: %(done)s of %(planned)s min")
                % {"week": r.index, "done": r.done_minutes, "planned": r.planned_minutes}
                for r in done_rows
            )
            or none_yet,
            labels=labels,
            planned=[r.planned_minutes for r in series],
            done=[None if r.future else r.done_minutes for r in series],
            bars=True,
            palette=palette,
        ),
        svg_panel(
            key="chart-speed",
            title=_("Speed (%(unit)s)") % {"unit": label},
            long_title=_("Backward speed per week in %(unit)s, planned and done") % {"unit": label},
            summary="; ".join(
                _("week %(week)s: %(done)s of %(planned)s %(unit)s")
                % {
                    "week": r.index,
                    "done": shown(spd(r.done_speed_kmh) if r.done_speed_kmh else None),
                    "planned": shown(spd(r.planned_speed_kmh)),
                    "unit": label,
                }
                for r in done_rows
            )
            or none_yet,
            labels=labels,
            planned=[spd(r.planned_speed_kmh) for r in series],
            done=[spd(r.done_speed_kmh) for r in series],
            palette=palette,
        ),
        svg_panel(
            key="chart-pain",
            title=_("Highest pain (0–10)"),
            long_title=_("Highest pain each week, 0 to 10"),
            summary="; ".join(
                _("week %(week)s: %(value)s") % {"week": r.index, "value": shown(r.pain)} for r in done_rows
            )
            or none_yet,
            labels=labels,
            done=[r.pain for r in series],
            y_max=10,
            limit=min(pain_limit, 10),
            limit_label=_("baseline + %(rise)s") % {"rise": rules.advance_max_pain_rise},
            palette=palette,
        ),
        svg_panel(
            key="chart-effort",
            title=_("Highest effort (Borg 6–20)"),
            long_title=_("Highest effort each week, Borg 6 to 20"),
            summary="; ".join(
                _("week %(week)s: %(value)s") % {"week": r.index, "value": shown(r.effort)} for r in done_rows
            )
            or none_yet,
            labels=labels,
            done=[r.effort for r in series],
            y_min=6,
            y_max=20,
            limit=rules.advance_max_rpe,
            limit_label=_("Borg %(effort)s") % {"effort": rules.advance_max_rpe},
            palette=palette,
        ),
    ]
