"""The rows of the week-by-week editing table, written in Python.

A 12-week plan is more than a hundred inputs, each with its own label and error
slot: through the template engine these rows took a third of the prescribing
preview's time. The markup is the same as a template would write.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _cell(field, week) -> SafeString:
    errors = field.errors
    feedback = (
        format_html(
            '<div class="invalid-feedback d-block" id="{}_error">{}</div>',
            field.auto_id,
            format_html_join(" ", "{}", ((error,) for error in errors)),
        )
        if errors
        else ""
    )
    return format_html(
        '<td><label class="visually-hidden" for="{}">Week {}: {}</label>{}{}</td>',
        field.id_for_label,
        week,
        field.label,
        field,
        feedback,
    )


@register.simple_tag
def week_formset_rows(formset) -> SafeString:
    """One <tr> a week: the week number (with its hidden input), then each target's labelled input."""
    rows = []
    for form in formset:
        week = form["week"]
        number = week.value()
        cells = "".join(_cell(field, number) for field in form.visible_fields())
        rows.append(format_html('<tr><th scope="row">{}{}</th>{}</tr>', week, number, mark_safe(cells)))  # noqa: S308 - each cell is built by format_html
    return mark_safe("\n".join(rows))  # noqa: S308 - each row is built by format_html
