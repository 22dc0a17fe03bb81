"""The form renderer: Django's templates, with the plain input, select and textarea widgets built in Python.

A page such as the prescribing preview shows more than a hundred inputs; through
the template engine each costs three template renders (widget, input, attrs).
These functions write the same markup as Django's own widget templates
(``django/forms/templates/django/forms/widgets``), character for character, which
``tests/security/test_widget_markup.py`` checks against the templates on every form
page of the app, and one radio button or checkbox alone ({{ choice.tag }}). Any other
template (whole radio lists, the app's own) renders as usual.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe


# Django's escape and conditional_escape write the same text, but each call first checks its
# arguments for lazy strings, and a page of a hundred inputs makes some two thousand calls.
def conditional_escape(value) -> str:
    """``{{ value }}``: markup marked safe stays as it is; anything else is escaped."""
    if type(value) is int:  # digits and a sign: nothing to escape (most cells of the tables)
        return str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def _s(value) -> str:
    """``{{ value|stringformat:'s' }}``: formatted, then always escaped."""
    return escape("%s" % (value,))  # noqa: UP031 - the filter's own formatting


@lru_cache(maxsize=512)
def _plain_name(name: str) -> str:
    return escape(name)


def _name(name) -> str:
    """An attribute's name; plain names are escaped once (the forms use a few dozen, on every input)."""
    return _plain_name(name) if type(name) is str else conditional_escape(name)


def _attrs(attrs: dict) -> str:
    """``attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(f" {_name(name)}" if value is True else f' {_name(name)}="{_s(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_s(widget["value"])}"'
    kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def _option(option: dict) -> str:
    return (
        f'<option value="{_s(option["value"])}"{_attrs(option["attrs"])}>{conditional_escape(option["label"])}</option>'
    )


def _select(widget: dict) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                raise LookupError(option["template_name"])
            parts.append(f"\n  {_option(option)}\n")  # the included option template ends with a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _input_option(option: dict) -> str:
    """``radio_option.html`` or ``checkbox_option.html``: one choice's input, in its label if it wraps it."""
    if option["template_name"] not in _OPTIONS:
        raise LookupError(option["template_name"])
    field = f"{_input(option)}\n"  # input.html ends with a newline
    if option["wrap_label"]:
        target = option["attrs"].get("id")
        label_for = f' for="{conditional_escape(target)}"' if target else ""
        field = f"<label{label_for}>{field} {conditional_escape(option['label'])}</label>"
    return f"{field}\n\n"  # input_option.html and radio_option.html each end with a newline


_OPTIONS = ("django/forms/widgets/radio_option.html", "django/forms/widgets/checkbox_option.html")
_INPUTS = ("text", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "search", "tel")
BUILT = {f"django/forms/widgets/{kind}.html": _input for kind in _INPUTS} | {
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/checkbox.html": _input,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/textarea.html": _textarea,
    # One option alone ({{ choice.tag }}): the renderer strips what a template writes.
    "django/forms/widgets/radio_option.html": lambda option: _input_option(option).strip(),
    "django/forms/widgets/checkbox_option.html": lambda option: _input_option(option).strip(),
}


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        build = BUILT.get(template_name)
        if build is not None and "widget" in context:
            try:
                return mark_safe(build(context["widget"]))  # noqa: S308 - every value above is escaped
            except LookupError:
                pass
        return super().render(template_name, context, request=request)
