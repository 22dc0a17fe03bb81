"""The program page's data and its progress chart, drawn on the server as inline SVG.

``progress_series`` is pure arithmetic over loaded rows: one row per calendar
week since the start, with the targets in force (planned) and what the logs say
(done); weeks still ahead show the plan only. ``svg_panel`` draws one small
chart; no JavaScript, so it prints and reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from programs import forms, progression, selectors, services
from programs.models import CURRENT_STATUSES, PrescriptionStatus
from retrowalk import units
from retrowalk.links import public_links
from retrowalk.models import speed_unit_of


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
# Programs that still change (and have weeks ahead).
EDITABLE = (PrescriptionStatus.DRAFT, PrescriptionStatus.ACTIVE, PrescriptionStatus.PAUSED)


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
    ahead = len(by_week) - prescription.current_week if prescription.status in EDITABLE else 0
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


def svg_panel(
    *,
    key: str,
    title: str,
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
) -> SafeString:
    """One small chart: planned (grey, dashed or outlined) and done (blue, solid) per week."""
    n = max(len(labels), 1)
    values = [v for v in (*planned, *done) if v is not None]
    top = y_max if y_max is not None else _nice_max(max(values, default=0), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n

    def x(i: int) -> str:
        return f"{LEFT + slot * (i + 0.5):.1f}"

    def y(v: float) -> str:
        return f"{TOP + plot_h - (float(v) - y_min) / (top - y_min) * plot_h:.1f}"

    def height(v: float) -> str:
        return f"{(float(v) - y_min) / (top - y_min) * plot_h:.1f}"

    # Written with f-strings: every value is a number or a palette colour of ours, but for the
    # labels, title and summary, which are escaped (format_html cost more than the rest of the chart).
    parts = []
    for tick in (y_min, (y_min + top) / 2, top):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick)}" y2="{y(tick)}" stroke="{palette.grid}" '
            f'stroke-width="1"/><text x="{LEFT - 5}" y="{float(y(tick)) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{palette.ink}">{tick:g}</text>'
        )
    every = 1 if n <= 12 else 2 if n <= 26 else 4
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text x="{x(i)}" y="{HEIGHT - BOTTOM + 15}" text-anchor="middle" font-size="11" '
                f'fill="{palette.ink}">{escape(label)}</text>'
            )
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 3}" text-anchor="middle" font-size="11" '
        f'fill="{palette.ink}">Week</text>'
    )
    if limit is not None:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(limit)}" y2="{y(limit)}" stroke="{palette.limit}" '
            f'stroke-width="1.5" stroke-dasharray="2 3"/><text x="{WIDTH - RIGHT}" y="{float(y(limit)) - 3:.1f}" '
            f'text-anchor="end" font-size="10" fill="{palette.limit}">{escape(limit_label)}</text>'
        )
    if bars:
        width = slot * 0.36
        for i, v in enumerate(planned):
            if v is not None:
                parts.append(
                    f'<rect x="{float(x(i)) - width - 1:.1f}" y="{y(v)}" width="{width:.1f}" height="{height(v)}" '
                    f'fill="#ffffff" stroke="{palette.planned}" stroke-width="1.5" stroke-dasharray="3 2"/>'
                )
        for i, v in enumerate(done):
            if v is not None:
                parts.append(
                    f'<rect x="{float(x(i)) + 1:.1f}" y="{y(v)}" width="{width:.1f}" height="{height(v)}" '
                    f'fill="{palette.done}"/>'
                )
    else:
        for series, colour, dash, marker in (
            (planned, palette.planned, "5 4", False),
            (done, palette.done, "", True),
        ):
            points = [(x(i), y(v)) for i, v in enumerate(series) if v is not None]
            if len(points) > 1:
                polyline = " ".join(f"{px},{py}" for px, py in points)
                parts.append(
                    f'<polyline points="{polyline}" fill="none" stroke="{colour}" stroke-width="2" '
                    f'stroke-dasharray="{dash or "none"}"/>'
                )
            if marker:
                parts.extend(f'<circle cx="{px}" cy="{py}" r="3.5" fill="{colour}"/>' for px, py in points)
    key = escape(key)
    return mark_safe(  # noqa: S308 - numbers and our palette; the text is escaped
        f'<svg class="progress-panel" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{key}-t {key}-d" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{key}-t">{escape(title)}</title>'
        f'<desc id="{key}-d">{escape(summary)}</desc>{"".join(parts)}</svg>'
    )


def progress_panels(
    series: Sequence[ChartWeek], *, unit: str, baseline_pain: int, rules, palette: Palette = SCREEN
) -> list[dict]:
    labels = [str(r.index) for r in series]
    done_rows = [r for r in series if not r.future]

    def spd(v):
        return None if v is None else float(units.to_unit(v, unit))

    label = units.unit_label(unit)
    pain_limit = baseline_pain + rules.advance_max_pain_rise
    panels = [
        {
            "title": "Minutes per week",
            "svg": svg_panel(
                key="chart-minutes",
                title="Minutes walked per week, planned and done",
                summary="; ".join(f"week {r.index}: {r.done_minutes} of {r.planned_minutes} min" for r in done_rows)
                or "No weeks walked yet.",
                labels=labels,
                planned=[r.planned_minutes for r in series],
                done=[None if r.future else r.done_minutes for r in series],
                bars=True,
                palette=palette,
            ),
        },
        {
            "title": f"Speed ({label})",
            "svg": svg_panel(
                key="chart-speed",
                title=f"Backward speed per week in {label}, planned and done",
                summary="; ".join(
                    f"week {r.index}: {spd(r.done_speed_kmh) if r.done_speed_kmh else 'none'} of "
                    f"{spd(r.planned_speed_kmh)} {label}"
                    for r in done_rows
                )
                or "No weeks walked yet.",
                labels=labels,
                planned=[spd(r.planned_speed_kmh) for r in series],
                done=[spd(r.done_speed_kmh) for r in series],
                palette=palette,
            ),
        },
        {
            "title": "Highest pain (0–10)",
            "svg": svg_panel(
                key="chart-pain",
                title="Highest pain each week, 0 to 10",
                summary="; ".join(f"week {r.index}: {r.pain if r.pain is not None else 'none'}" for r in done_rows)
                or "No weeks walked yet.",
                labels=labels,
                done=[r.pain for r in series],
                y_max=10,
                limit=min(pain_limit, 10),
                limit_label=f"baseline + {rules.advance_max_pain_rise}",
                palette=palette,
            ),
        },
        {
            "title": "Highest effort (Borg 6–20)",
            "svg": svg_panel(
                key="chart-effort",
                title="Highest effort each week, Borg 6 to 20",
                summary="; ".join(f"week {r.index}: {r.effort if r.effort is not None else 'none'}" for r in done_rows)
                or "No weeks walked yet.",
                labels=labels,
                done=[r.effort for r in series],
                y_min=6,
                y_max=20,
                limit=rules.advance_max_rpe,
                limit_label=f"Borg {rules.advance_max_rpe}",
                palette=palette,
            ),
        },
    ]
    return panels


# --- What a program page shows ---


# The program's pages its section links to (or posts to), by key.
PROGRAM_LINKS = {
    name: f"programs:{name}"
    for name in ("plan_print", "plan_pdf", "history", "log", "adjust", "pause", "resume", "complete", "stop", "review")
}


def program_context(*, prescription, user, today: date) -> dict:
    """Everything the program page and the chart's program section show, in a fixed number of queries."""
    rows = selectors.program_rows(prescription, deciders=True)
    weeks, logs, decisions = rows.weeks, rows.logs, rows.decisions
    unit = speed_unit_of(user)
    review = None
    if prescription.status == PrescriptionStatus.ACTIVE:
        review = services.review_of(prescription=prescription, logs=logs, weeks=weeks, today=today)
    series = progress_series(prescription=prescription, weeks=weeks, logs=logs, decisions=decisions, today=today)
    version = {"version": prescription.version}
    return {
        "prescription": prescription,
        "links": public_links(prescription.public_id, PROGRAM_LINKS),
        "weeks": weeks,
        "week_in_force": next((w for w in weeks if w.week == prescription.current_week), None),
        "logs": logs[::-1],
        "decisions": decisions[::-1],
        "review": review,
        "review_form": forms.ReviewForm(initial={**version, "action": review.decision.action}) if review else None,
        # Pause, stop and complete post the version alone (a hidden input in the template); resuming asks more.
        "resume_form": (
            forms.ResumeForm(initial=version, prescription=prescription)
            if prescription.status == PrescriptionStatus.PAUSED
            else None
        ),
        "series": series,
        "panels": progress_panels(
            series, unit=unit, baseline_pain=prescription.baseline_pain, rules=prescription.template
        ),
        "speed_unit": unit,
        "today": today,
        "editable": prescription.status
        in (PrescriptionStatus.DRAFT, PrescriptionStatus.ACTIVE, PrescriptionStatus.PAUSED),
    }


def patient_sections(request, patient) -> list[dict]:
    """The patient chart's programs section (hooked in by settings.PATIENT_CHART_SECTIONS)."""
    programs = selectors.chart_programs(patient=patient)
    current = next((rx for rx in programs if rx.status in CURRENT_STATUSES), None)
    today = timezone.localdate()
    context = {"current": None, "past": [rx for rx in programs if rx is not current][:20]}
    if current is not None:
        context["current"] = program_context(prescription=current, user=request.user, today=today)
    return [{"template": "programs/_patient_programs.html", "context": context}]
