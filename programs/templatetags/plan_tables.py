"""The week tables and the progress numbers, written in Python.

The chart, the program page, the patient's plan and its printable page all show
every week of a program in a table; a 12-week program is some hundred cells,
which cost more through the template engine than the rest of the plan page.
The markup is the same as the templates wrote.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from retrowalk import units

register = template.Library()

_DASH = "—"


def _speed(kmh, unit: str):
    return _DASH if kmh is None else units.to_unit(kmh, unit)


def _join(rows) -> SafeString:
    return mark_safe("\n".join(rows))  # noqa: S308 - every row is built by format_html


def _note(week, css: str) -> SafeString | str:
    return format_html('<br><span class="{}">{}</span>', css, week.note) if week.note else ""


@register.simple_tag
def plan_week_rows(weeks, current_week, unit) -> SafeString:
    """The patient's "Every week" table (their plan and its printable page)."""
    unit = str(unit)
    label = units.unit_label(unit)
    rows = []
    for w in weeks:
        now = w.week == current_week
        rows.append(
            format_html(
                "<tr{}>"
                '<th scope="row"><span class="stack-label">Week </span>{}{}</th>'
                '<td data-label="Speed ({})">{}</td><td data-label="Incline">{} %</td>'
                '<td data-label="Walk" class="text-nowrap">{} × {} min</td><td data-label="Rest between">{}</td>'
                '<td data-label="Sessions a week">{}</td><td data-label="Support">{}{}</td>'
                "</tr>",
                mark_safe(' class="plan-now" aria-current="true"') if now else "",
                w.week,
                mark_safe(' <span class="now-label">now</span>') if now else "",
                label,
                _speed(w.speed_kmh, unit),
                floatformat(w.incline_pct, "-1"),
                w.bouts,
                w.bout_minutes,
                format_html("{} min", floatformat(w.rest_minutes, "-1")) if w.bouts > 1 else _DASH,
                w.sessions,
                w.get_support_display(),
                _note(w, "plan-small"),
            )
        )
    return _join(rows)


@register.simple_tag
def week_rows(weeks, current, unit) -> SafeString:
    """The clinician's weekly targets (chart and program page)."""
    unit = str(unit)
    rows = []
    for w in weeks:
        now = w.week == current
        rows.append(
            format_html(
                "<tr{}>"
                '<th scope="row">{}{}</th>'
                "<td>{}</td><td>{} %</td><td>{} × {} min</td><td>{} min</td><td>{}</td><td>{}{}</td>"
                "</tr>",
                mark_safe(' class="table-primary current-week" aria-current="true"') if now else "",
                w.week,
                mark_safe(' <span class="badge text-bg-primary">now</span>') if now else "",
                _speed(w.speed_kmh, unit),
                w.incline_pct,
                w.bouts,
                w.bout_minutes,
                w.rest_minutes,
                w.sessions,
                w.get_support_display(),
                _note(w, "small text-body-secondary"),
            )
        )
    return _join(rows)


def _or_dash(value):
    return _DASH if value is None else value


@register.simple_tag
def progress_rows(series, unit) -> SafeString:
    """ "Show the numbers" under the progress charts: planned and done, week by week."""
    unit = str(unit)
    rows = []
    for r in series:
        if r.future:
            done = format_html(
                "<td>— / {}</td><td>— / {}</td><td>—</td><td>—</td>",
                r.planned_minutes,
                _speed(r.planned_speed_kmh, unit),
            )
        else:
            done = format_html(
                "<td>{} / {}</td><td>{} / {}</td><td>{}</td><td>{}</td>",
                r.done_minutes,
                r.planned_minutes,
                _speed(r.done_speed_kmh, unit),
                _speed(r.planned_speed_kmh, unit),
                _or_dash(r.pain),
                _or_dash(r.effort),
            )
        rows.append(
            format_html(
                "<tr><td>{}</td><td>{}</td><td>{}</td>{}</tr>", r.index, date_format(r.starts, "j M"), r.week, done
            )
        )
    return _join(rows)
