"""The rows of the week-by-week editing table, written in Python.

A 12-week plan is more than a hundred inputs, each with its own label and error
slot: through the template engine these rows took a third of the prescribing
preview's time. The markup is the same as a template would write.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from retrowalk.renderers import conditional_escape as _e

register = template.Library()


def _cell(field, week: str) -> str:
    errors = field.errors
    feedback = (
        f'<div class="invalid-feedback d-block" id="{_e(field.auto_id)}_error">{" ".join(_e(e) for e in errors)}</div>'
        if errors
        else ""
    )
    return (
        f'<td><label class="visually-hidden" for="{_e(field.id_for_label)}">Week {week}: {_e(field.label)}</label>'
        f"{field}{feedback}</td>"
    )


def _row(week, visible) -> str:
    number = _e(week.value())
    cells = "".join(_cell(field, number) for field in visible)
    return f'<tr><th scope="row">{week}{number}</th>{cells}</tr>'


def _rows_of_forms(formset):
    for form in formset:
        yield _row(form["week"], form.visible_fields())


def _rows_of_initial(formset, form):
    """An unbound formset's rows from one form, its prefix and initial values moved on week by week.

    The formset's forms differ in nothing else (the same unit and speed cap), and building one a
    week, a deep copy of every field each, cost more than writing their inputs. Each week's bound
    fields are made anew, so each reads its own prefix and initial value.
    """
    initial = formset.initial or []
    for index in range(formset.total_form_count()):
        form.prefix = formset.add_prefix(index)
        form.initial = initial[index] if index < len(initial) else {}
        bound = {name: field.get_bound_field(form, name) for name, field in form.fields.items()}
        yield _row(bound["week"], [field for field in bound.values() if not field.is_hidden])


@register.simple_tag
def week_formset_parts(formset) -> dict:
    """The table's parts: management form, errors, column labels and one <tr> a week.

    Read here, not as ``formset.management_form`` in the template: the template engine looks a
    name up as ``formset["management_form"]`` first, and that builds every form of the formset.
    """
    form = formset.empty_form
    rows = _rows_of_forms(formset) if formset.is_bound else _rows_of_initial(formset, form)
    return {
        "management_form": formset.management_form,
        "non_form_errors": formset.non_form_errors(),
        "labels": [field.label for field in form.visible_fields()],
        "rows": mark_safe("\n".join(rows)),  # noqa: S308 - every value in the rows went through _e or its widget
    }
