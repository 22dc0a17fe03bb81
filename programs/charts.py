"""The progress charts, drawn on the server as inline SVG (``retrowalk.charts``).

``progress_series`` is pure arithmetic over loaded rows: one row per calendar
week since the start, with the targets in force (planned) and what the logs say
(done); weeks still ahead show the plan only. ``progress_panels`` turns them into
small charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.utils.formats import localize
from django.utils.translation import gettext as _

from programs import progression
from programs.models import EDITABLE_STATUSES
from retrowalk import units
from retrowalk.charts import PRINT, SCREEN, Palette, Panel, svg_panel

__all__ = ["PRINT", "SCREEN", "ChartWeek", "Palette", "Panel", "panels_of", "progress_panels", "progress_series"]


@dataclass(frozen=True)
class ChartWeek:
    index: int
    starts: date
    week: int
    planned_minutes: int
    planned_speed_kmh: Decimal
    future: bool
    planned_sessions: int = 0
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
            planned_sessions=target.sessions,
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
