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


def _td(target, week: str, label: str, markup, feedback: str = "") -> str:
    """One target's cell: its input, labelled with the week for screen readers, and its errors."""
    return f'<td><label class="visually-hidden" for="{_e(target)}">Week {week}: {label}</label>{markup}{feedback}</td>'


def _tr(week_markup, number: str, cells: list[str]) -> str:
    return f'<tr><th scope="row">{week_markup}{number}</th>{"".join(cells)}</tr>'


def _cell(field, week: str) -> str:
    errors = field.errors
    feedback = (
        f'<div class="invalid-feedback d-block" id="{_e(field.auto_id)}_error">{" ".join(_e(e) for e in errors)}</div>'
        if errors
        else ""
    )
    return _td(field.id_for_label, week, _e(field.label), field, feedback)


def _row(week, visible) -> str:
    number = _e(week.value())
    return _tr(week, number, [_cell(field, number) for field in visible])


def _rows_of_forms(formset):
    for form in formset:
        yield _row(form["week"], form.visible_fields())


class _Input:
    """One target's input as its bound field draws it in an unbound form: week by week, only its name, id
    and value change (no errors, and nothing that names the input, such as help text, in its attributes)."""

    def __init__(self, bound):
        self.name, self.field, self.widget = bound.name, bound.field, bound.field.widget
        self.hidden = bound.is_hidden
        self.label = _e(bound.label)
        self.attrs = bound.build_widget_attrs({})
        self.own_id = "id" in self.widget.attrs

    def draw(self, form) -> tuple[str, str, object]:
        """The input's markup, its label's target and its value, for the form's prefix and initial values."""
        html_name = form.add_prefix(self.name)
        auto_id = form.auto_id % html_name if "%s" in str(form.auto_id) else html_name
        attrs = dict(self.attrs)
        if auto_id and not self.own_id:
            attrs["id"] = auto_id
        value = self.field.prepare_value(form.get_initial_for_field(self.field, self.name))
        markup = self.widget.render(name=html_name, value=value, attrs=attrs, renderer=form.renderer)
        return markup, self.widget.id_for_label(self.widget.attrs.get("id") or auto_id), value


def _drawn_alike(bound) -> bool:
    field = bound.field
    return not (bound.help_text or field.show_hidden_initial or field.localize or field.disabled)


def _rows_of_initial(formset, form):
    """An unbound formset's rows from one form, its prefix and initial values moved on week by week.

    The formset's forms differ in nothing else (the same unit and speed cap), and building one a
    week, a deep copy of every field each, and drawing each input through its bound field, cost more
    than the rest of the prescribing page. ``tests/programs/test_week_formset_rows.py`` compares these
    rows with the forms' own.
    """
    initial = formset.initial or []
    prototypes = [field.get_bound_field(form, name) for name, field in form.fields.items()]
    if not all(_drawn_alike(bound) for bound in prototypes):
        yield from _rows_of_forms(formset)
        return
    inputs = [_Input(bound) for bound in prototypes]
    week = next(one for one in inputs if one.name == "week")
    visible = [one for one in inputs if not one.hidden]
    for index in range(formset.total_form_count()):
        form.prefix = formset.add_prefix(index)
        form.initial = initial[index] if index < len(initial) else {}
        week_markup, _target, number = week.draw(form)
        number = _e(number)
        cells = []
        for one in visible:
            markup, target, _value = one.draw(form)
            cells.append(_td(target, number, one.label, markup))
        yield _tr(week_markup, number, cells)


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
