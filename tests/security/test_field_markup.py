"""``|as_field`` writes what crispy's Bootstrap 5 field writes, on every form page, bound and unbound.

Compared with whitespace runs made one space: HTML reads them alike, and a space
between two tags stays a space.
"""

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms

from retrowalk.templatetags import form_fields
from tests.security.test_fuzz_forms import PAGES, form_page_url


def _spaces(html) -> str:
    return re.sub(r"\s+", " ", str(html))


@pytest.fixture
def seen(monkeypatch):
    """Every field written in Python is also rendered by crispy; the first difference fails."""
    written, found = form_fields._written, []

    def compared(field):
        built = written(field)
        assert _spaces(built) == _spaces(as_crispy_field(field)), field.name
        found.append((type(field.field.widget).__name__, bool(field.errors), bool(field.help_text)))
        return built

    monkeypatch.setattr(form_fields, "_written", compared)
    return found


@pytest.mark.django_db
def test_written_fields_match_crispy_on_every_form_page(seen, world, admin_ids, screen):
    for persona, page in PAGES:
        url = form_page_url(page, world, admin_ids, screen)
        assert world.client(persona).get(url).status_code == 200, page
        # Bound forms too: a refused POST renders the typed values and the errors.
        bad = {"note": '<b>"x" & y</b>', "minutes": "-1", "email": "not <an> email", "action": "preview"}
        world.client(persona).post(url, bad)
    widgets = {widget for widget, _errors, _help in seen}
    assert {"TextInput", "NumberInput", "DateInput", "EmailInput", "Select", "Textarea"} <= widgets, widgets
    assert any(errors for _widget, errors, _help in seen)
    assert any(errors and help_text for _widget, errors, help_text in seen)
    assert len(seen) > 30


class _Kinds(forms.Form):
    label_markup = forms.CharField(label='Name <b>"bold"</b> & co', help_text="Help <em>marked up</em>")
    no_label = forms.IntegerField(label="", required=False)
    chosen = forms.ChoiceField(choices=[("a", "A & B"), ("b", "B")], widget=forms.Select(attrs={"class": "mine"}))
    agreed = forms.BooleanField(label="Agreed")  # crispy's own layout
    picked = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)  # crispy's own layout
    secret = forms.CharField(widget=forms.HiddenInput, required=False)  # crispy's own layout


@pytest.mark.parametrize("data", [None, {"label_markup": "", "no_label": "x", "chosen": "z"}])
def test_labels_classes_errors_and_crispy_s_own_fields(data):
    form = _Kinds(data)
    for name in form.fields:
        # crispy adds its classes to the widget it renders: each side renders its own form.
        assert _spaces(form_fields.as_field(form[name])) == _spaces(as_crispy_field(_Kinds(data)[name])), name
    assert [name for name in form.fields if form_fields._fast(form[name])] == ["label_markup", "no_label", "chosen"]
    written = form_fields.as_field(form["label_markup"])
    assert "Name &lt;b&gt;&quot;bold&quot;&lt;/b&gt; &amp; co" in written
    assert "Help <em>marked up</em>" in written  # help text is the form's own markup, as crispy writes it
    assert 'class="mine select form-select' in form_fields.as_field(form["chosen"])
    if data:
        assert 'class="invalid-feedback"' in written and 'aria-invalid="true"' in written
