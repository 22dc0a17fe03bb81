"""The week tables and the progress numbers, written in Python.

The chart, the program page, the patient's plan and its printable page all show
every week of a program in a table; a 12-week program is some hundred cells,
which cost more through the template engine than the rest of the plan page.
The session-log tables follow them, with their "pain the morning after"
forms. The markup is the same as the templates wrote.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.defaultfilters import floatformat
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe

from retrowalk import units
from retrowalk.links import link_to
from retrowalk.renderers import conditional_escape as _e

register = template.Library()

_DASH = "—"


# Dates as ``date_format`` writes them with these formats (DateFormat's j, M, Y and D), without
# parsing the format again for every cell: the month and weekday names stay translated.
def _j_m(day) -> str:
    """``date_format(day, "j M")``: 4 Mar."""
    return f"{day.day} {MONTHS_3[day.month].title()}"


def _j_m_y(day) -> str:
    """``date_format(day, "j M Y")``: 4 Mar 2026."""
    return f"{day.day} {MONTHS_3[day.month].title()} {day.year:04d}"


def _d_j_m(day) -> str:
    """``date_format(day, "D j M")``: Wed 4 Mar."""
    return f"{WEEKDAYS_ABBR[day.weekday()]} {day.day} {MONTHS_3[day.month].title()}"


@lru_cache(maxsize=64)
def _choices(model, name: str) -> dict:
    return dict(model._meta.get_field(name).flatchoices)


_SUPPORT, _EVENT, _SETTING, _RAILS = "support", "event", "setting", "rails"  # the fields shown by label


def _label(obj, name: str) -> str:
    """``obj.get_<name>_display()``, without building the field's choices again for every cell."""
    value = getattr(obj, name)
    return str(_choices(type(obj), name).get(value, value))


def _speed(kmh, unit: str):
    return _DASH if kmh is None else units.to_unit(kmh, unit)


def _join(rows) -> SafeString:
    return mark_safe("\n".join(rows))  # noqa: S308 - every value in the rows went through _e


def _note(week, css: str) -> str:
    return f'<br><span class="{css}">{_e(week.note)}</span>' if week.note else ""


_PLAN_NOW = (' class="plan-now" aria-current="true"', ' <span class="now-label">now</span>')
_WEEK_NOW = (
    ' class="table-primary current-week" aria-current="true"',
    ' <span class="badge text-bg-primary">now</span>',
)
_NOT_NOW = ("", "")
_FALL_ROW = ' class="table-danger"'


@register.simple_tag
def plan_week_rows(weeks, current_week, unit) -> SafeString:
    """The patient's "Every week" table (their plan and its printable page)."""
    unit = str(unit)
    label = _e(units.unit_label(unit))
    rows = []
    for w in weeks:
        row_attrs, badge = _PLAN_NOW if w.week == current_week else _NOT_NOW
        rest = f"{_e(floatformat(w.rest_minutes, '-1'))} min" if w.bouts > 1 else _DASH
        rows.append(
            f'<tr{row_attrs}><th scope="row"><span class="stack-label">Week </span>{_e(w.week)}{badge}</th>'
            f'<td data-label="Speed ({label})">{_e(_speed(w.speed_kmh, unit))}</td>'
            f'<td data-label="Incline">{_e(floatformat(w.incline_pct, "-1"))} %</td>'
            f'<td data-label="Walk" class="text-nowrap">{_e(w.bouts)} × {_e(w.bout_minutes)} min</td>'
            f'<td data-label="Rest between">{rest}</td>'
            f'<td data-label="Sessions a week">{_e(w.sessions)}</td>'
            f'<td data-label="Support">{_e(_label(w, _SUPPORT))}{_note(w, "plan-small")}</td></tr>'
        )
    return _join(rows)


@register.simple_tag
def week_rows(weeks, current, unit) -> SafeString:
    """The clinician's weekly targets (chart and program page)."""
    unit = str(unit)
    rows = []
    for w in weeks:
        row_attrs, badge = _WEEK_NOW if w.week == current else _NOT_NOW
        rows.append(
            f'<tr{row_attrs}><th scope="row">{_e(w.week)}{badge}</th>'
            f"<td>{_e(_speed(w.speed_kmh, unit))}</td><td>{_e(w.incline_pct)} %</td>"
            f"<td>{_e(w.bouts)} × {_e(w.bout_minutes)} min</td><td>{_e(w.rest_minutes)} min</td>"
            f"<td>{_e(w.sessions)}</td><td>{_e(_label(w, _SUPPORT))}"
            f"{_note(w, 'small text-body-secondary')}</td></tr>"
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
        planned_speed = _e(_speed(r.planned_speed_kmh, unit))
        if r.future:
            done = f"<td>— / {_e(r.planned_minutes)}</td><td>— / {planned_speed}</td><td>—</td><td>—</td>"
        else:
            done = (
                f"<td>{_e(r.done_minutes)} / {_e(r.planned_minutes)}</td>"
                f"<td>{_e(_speed(r.done_speed_kmh, unit))} / {planned_speed}</td>"
                f"<td>{_e(_or_dash(r.pain))}</td><td>{_e(_or_dash(r.effort))}</td>"
            )
        rows.append(f"<tr><td>{_e(r.index)}</td><td>{_e(_j_m(r.starts))}</td><td>{_e(r.week)}</td>{done}</tr>")
    return _join(rows)


# --- Session logs ---


def _csrf_input(context) -> str:
    """What ``{% csrf_token %}`` writes."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # noqa: S105 - Django's marker for "no token here", not a secret
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(token)}">'


class _NextDayForm:
    """The "pain the morning after" form of a log row: one URL pattern and one CSRF token a table."""

    def __init__(self, context, *, small: bool):
        self.action = link_to("programs:next_day")
        self.csrf = _csrf_input(context)
        self.input_class = "form-control form-control-sm" if small else "form-control"
        self.button_class = "btn btn-sm btn-outline-dark" if small else "btn btn-outline-dark"

    def __call__(self, log) -> str:
        public_id = _e(log.public_id)
        return (
            f'<form method="post" action="{_e(self.action(log.public_id))}" '
            f'class="d-flex gap-1 next-day-form">{self.csrf}'
            f'<label class="visually-hidden" for="nd-{public_id}">Pain the morning after '
            f"{_e(_j_m(log.session_date))} (0–10)</label>"
            f'<input class="{self.input_class}" id="nd-{public_id}" name="pain" type="number" min="0" max="10" '
            f'inputmode="numeric"><button class="{self.button_class}" type="submit">Add</button></form>'
        )


def _next_day(log, form, can_add: bool) -> str:
    if log.pain_next_day is not None:
        return _e(log.pain_next_day)
    return form(log) if can_add else _DASH


def _fall(log) -> str:
    return f"<strong>{_e(_label(log, _EVENT))}</strong>" if log.is_fall_event else "No"


@register.simple_tag(takes_context=True)
def log_rows(context, logs, unit, editable) -> SafeString:
    """The clinician's log table (chart and program page), newest first as given."""
    unit = str(unit)
    form = _NextDayForm(context, small=True)
    return _join(
        f"<tr{_FALL_ROW if log.is_fall_event else ''}><td>{_e(_j_m_y(log.session_date))}</td>"
        f"<td>{_e(_label(log, _SETTING))}</td><td>{_e(log.week)}</td><td>{_e(log.minutes)}</td>"
        f"<td>{_e(units.format_speed(log.speed_kmh, unit))}</td><td>{_e(log.pain_before)} → {_e(log.pain_after)}</td>"
        f"<td>{_next_day(log, form, editable)}</td><td>{_e(log.effort)}</td><td>{_e(_label(log, _RAILS))}</td>"
        f"<td>{_fall(log)}</td><td>{_e(log.note)}</td></tr>"
        for log in logs
    )


@register.simple_tag(takes_context=True)
def plan_log_rows(context, logs, unit, can_add) -> SafeString:
    """The patient's "Sessions you logged" table, newest first as given."""
    unit = str(unit)
    form = _NextDayForm(context, small=False)
    return _join(
        f'<tr><td class="text-nowrap">{_e(_d_j_m(log.session_date))}</td><td>{_e(log.minutes)}</td>'
        f'<td class="text-nowrap">{_e(units.format_speed(log.speed_kmh, unit))}</td>'
        f"<td>{_e(log.pain_before)} → {_e(log.pain_after)}</td>"
        f"<td>{_next_day(log, form, can_add)}</td><td>{_e(log.effort)}</td><td>{_fall(log)}</td></tr>"
        for log in logs
    )
