"""The week tables and the progress numbers, written in Python.

The chart, the program page, the patient's plan and its printable page all show
every week of a program in a table; a 12-week program is some hundred cells,
which cost more through the template engine than the rest of the plan page.
The session-log tables follow them, with their "pain the morning after"
forms. The markup is the same as the templates wrote.
"""

from __future__ import annotations

import uuid

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
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


# --- Session logs ---

_NO_ID = uuid.UUID(int=0)


def _csrf_input(context) -> SafeString | str:
    """What ``{% csrf_token %}`` writes."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # noqa: S105 - Django's marker for "no token here", not a secret
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


class _NextDayForm:
    """The "pain the morning after" form of a log row: one reverse and one CSRF token a table."""

    def __init__(self, context, *, small: bool):
        self.action = reverse("programs:next_day", kwargs={"public_id": _NO_ID})
        self.csrf = _csrf_input(context)
        self.input_class = "form-control form-control-sm" if small else "form-control"
        self.button_class = "btn btn-sm btn-outline-dark" if small else "btn btn-outline-dark"

    def __call__(self, log) -> SafeString:
        return format_html(
            '<form method="post" action="{}" class="d-flex gap-1 next-day-form">{}'
            '<label class="visually-hidden" for="nd-{}">Pain the morning after {} (0–10)</label>'
            '<input class="{}" id="nd-{}" name="pain" type="number" min="0" max="10" inputmode="numeric">'
            '<button class="{}" type="submit">Add</button></form>',
            self.action.replace(str(_NO_ID), str(log.public_id)),
            self.csrf,
            log.public_id,
            date_format(log.session_date, "j M"),
            self.input_class,
            log.public_id,
            self.button_class,
        )


def _next_day(log, form, can_add: bool):
    if log.pain_next_day is not None:
        return log.pain_next_day
    return form(log) if can_add else _DASH


def _fall(log) -> SafeString | str:
    return format_html("<strong>{}</strong>", log.get_event_display()) if log.is_fall_event else "No"


@register.simple_tag(takes_context=True)
def log_rows(context, logs, unit, editable) -> SafeString:
    """The clinician's log table (chart and program page), newest first as given."""
    unit = str(unit)
    form = _NextDayForm(context, small=True)
    return _join(
        format_html(
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td>"
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            mark_safe(' class="table-danger"') if log.is_fall_event else "",
            date_format(log.session_date, "j M Y"),
            log.get_setting_display(),
            log.week,
            log.minutes,
            units.format_speed(log.speed_kmh, unit),
            log.pain_before,
            log.pain_after,
            _next_day(log, form, editable),
            log.effort,
            log.get_rails_display(),
            _fall(log),
            log.note,
        )
        for log in logs
    )


@register.simple_tag(takes_context=True)
def plan_log_rows(context, logs, unit, can_add) -> SafeString:
    """The patient's "Sessions you logged" table, newest first as given."""
    unit = str(unit)
    form = _NextDayForm(context, small=False)
    return _join(
        format_html(
            '<tr><td class="text-nowrap">{}</td><td>{}</td><td class="text-nowrap">{}</td><td>{} → {}</td>'
            "<td>{}</td><td>{}</td><td>{}</td></tr>",
            date_format(log.session_date, "D j M"),
            log.minutes,
            units.format_speed(log.speed_kmh, unit),
            log.pain_before,
            log.pain_after,
            _next_day(log, form, can_add),
            log.effort,
            _fall(log),
        )
        for log in logs
    )
