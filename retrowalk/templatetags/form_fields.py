"""``{{ form.field|as_field }}``: crispy's Bootstrap 5 field, with the common fields written in Python.

crispy's ``bootstrap5/field.html`` (and the four templates it includes) handles
every kind of field, and costs more than a third of a millisecond a field on
this stack: the chart's care-team and portal forms and the prescribing form's
first step spent more on them than on their own tables. Text, number, date,
email and select fields, with their label, errors and help text, are written
here in the same markup (``tests/security/test_field_markup.py`` compares the two
on every such field of the app's forms, bound and unbound); any other field
(check boxes, radio lists, files, multi-widgets, hidden inputs, fieldsets, a form
with a crispy helper) goes to crispy's own filter.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from retrowalk.renderers import conditional_escape as _e

register = template.Library()

_OWN_LAYOUT = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple, forms.FileInput, forms.MultiWidget)


def _css_class(widget, extra: str) -> str:
    """The class crispy's ``{% crispy_field %}`` gives the widget: its own, its type, then Bootstrap's."""
    class_name = widget.__class__.__name__.lower()
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(class_name, class_name)
    css = widget.attrs.get("class", "")
    if css:
        if css.find(class_name) == -1:
            css += f" {class_name}"
    else:
        css = class_name
    present = css.split()
    for name in extra.split():
        if name not in present:
            css += f" {name}"
            present.append(name)
    return css


def _fast(field) -> bool:
    widget = field.field.widget
    return (
        getattr(field.form, "helper", None) is None
        and not widget.is_hidden
        and not isinstance(widget, _OWN_LAYOUT)
        and not hasattr(widget, "widget")  # a wrapper such as the admin's related-field widget
        and not field.use_fieldset
    )


@register.filter
def as_field(field) -> SafeString:
    return _written(field) if _fast(field) else as_crispy_field(field)


def _written(field) -> SafeString:
    errors = field.errors
    auto_id = _e(field.auto_id)
    required = field.field.required
    bootstrap = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
    widget = field.as_widget(
        attrs={"class": _css_class(field.field.widget, bootstrap + (" is-invalid" if errors else ""))}
    )
    parts = [f' <div id="div_{auto_id}" class="mb-3']
    css_classes = field.css_classes()
    if css_classes:
        parts.append(f" {_e(css_classes)}")
    parts.append('">')
    if field.label:
        for_id = f'for="{_e(field.id_for_label)}" ' if field.id_for_label else ""
        required_class, asterisk = (" requiredField", '<span class="asteriskField">*</span>') if required else ("", "")
        parts.append(f' <label {for_id}class="form-label{required_class}"> {_e(field.label)}{asterisk} </label>')
    parts.append(f" {widget} ")
    if errors:
        lines = " ".join(
            f'<p id="error_{n}_{auto_id}"><strong>{_e(error)}</strong></p>' for n, error in enumerate(errors, 1)
        )
        parts.append(f'<div id="{_e(errors.field_id)}_error" class="invalid-feedback"> {lines} </div> ')
    if field.help_text:
        helptext_id = f'id="{auto_id}_helptext" ' if field.auto_id else ""
        parts.append(f'<div {helptext_id}class="form-text">{field.help_text}</div> ')  # crispy marks it safe
    parts.append("</div> ")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped by _e, the widget renders its own
