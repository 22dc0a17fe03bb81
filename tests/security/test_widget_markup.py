"""Python-built widgets write exactly what Django's widget templates write (escaping too), on every form page."""

import pytest
from django.forms.renderers import DjangoTemplates, get_default_renderer

from retrowalk.renderers import BUILT, FormRenderer
from tests.security.test_fuzz_forms import PAGES, form_page_url

SEEN: list[str] = []


class Compared(FormRenderer):
    """Renders both ways and fails on the first difference."""

    def render(self, template_name, context, request=None):
        built = super().render(template_name, context, request=request)
        if template_name in BUILT:
            expected = DjangoTemplates.render(self, template_name, context, request=request)
            assert str(built) == str(expected), template_name
            SEEN.append(template_name)
        return built


@pytest.fixture
def compared(settings):
    settings.FORM_RENDERER = "tests.security.test_widget_markup.Compared"
    get_default_renderer.cache_clear()
    yield
    get_default_renderer.cache_clear()


@pytest.mark.django_db
def test_built_widgets_match_the_templates_on_every_form_page(compared, world, admin_ids, screen):
    SEEN.clear()
    for persona, page in PAGES:
        url = form_page_url(page, world, admin_ids, screen)
        response = world.client(persona).get(url)
        assert response.status_code == 200, page
        # Bound forms too: a refused POST renders the typed values and the errors.
        world.client(persona).post(url, {"note": '<b>"x" & y</b>', "minutes": "-1", "action": "preview"})
    kinds = set(SEEN)
    assert {
        "django/forms/widgets/text.html",
        "django/forms/widgets/number.html",
        "django/forms/widgets/select.html",
        "django/forms/widgets/textarea.html",
        "django/forms/widgets/checkbox.html",
        "django/forms/widgets/radio_option.html",
    } <= kinds, kinds
    assert len(SEEN) > 100


@pytest.mark.parametrize("kind", ["radio", "checkbox"])
def test_one_choice_alone_matches_the_template_labelled_or_not(kind):
    from django import forms

    field_class, widget_class = {
        "radio": (forms.ChoiceField, forms.RadioSelect),
        "checkbox": (forms.MultipleChoiceField, forms.CheckboxSelectMultiple),
    }[kind]
    picked = type(
        "Picked",
        (forms.Form,),
        {
            "pick": field_class(
                choices=[("a", 'A <b>"bold"</b> & co'), ("b", "B")],
                widget=widget_class(attrs={"class": "form-check-input"}),
            )
        },
    )
    form = picked(initial={"pick": ["a"] if kind == "checkbox" else "a"}, renderer=FormRenderer())
    template = f"django/forms/widgets/{kind}_option.html"
    for choice in form["pick"]:
        for wrap_label in (False, True):
            context = {"widget": {**choice.data, "wrap_label": wrap_label}}
            built = FormRenderer().render(template, context)
            assert str(built) == DjangoTemplates().render(template, context)
            assert ("<label" in built) is wrap_label
    assert "checked" in str(form["pick"][0].tag())
