"""Python-built widgets write exactly what Django's widget templates write (escaping too), on every form page."""

import pytest
from django.forms.renderers import DjangoTemplates, get_default_renderer

from retrowalk.renderers import BUILT, FormRenderer
from tests.security.conftest import url_for
from tests.security.test_fuzz_forms import PAGES

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
        if page == "prescribe:fresh":
            continue
        response = world.client(persona).get(url_for(page, world, admin_ids))
        assert response.status_code == 200, page
        # Bound forms too: a refused POST renders the typed values and the errors.
        world.client(persona).post(url_for(page, world, admin_ids), {"note": '<b>"x" & y</b>', "minutes": "-1"})
    kinds = set(SEEN)
    assert {
        "django/forms/widgets/text.html",
        "django/forms/widgets/number.html",
        "django/forms/widgets/select.html",
        "django/forms/widgets/textarea.html",
        "django/forms/widgets/checkbox.html",
    } <= kinds, kinds
    assert len(SEEN) > 100
