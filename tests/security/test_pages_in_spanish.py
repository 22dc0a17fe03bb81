"""Every page of the permission matrix, opened by people who chose Spanish, shows no English interface text.

The English words of the interface are the Spanish catalogue's message ids (tests.i18n.checker). Not checked:
the admin pages of django-axes and django-otp (their words are the packages', some untranslated upstream),
Django's own untranslated search icon text, and data that is not interface: group and permission names.
The clinical content an administrator edits is translated in the database, not in the catalogue: the same
pages show none of its English where it has Spanish (the admin, which edits both side by side, aside).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from patients.models import Condition
from programs.models import ProgramTemplate, TemplateWeek
from retrowalk.services import preferences_update
from retrowalk.translated import column, translated_fields
from tests.i18n.checker import english_in, page_texts
from tests.security.conftest import PERSONAS, signed_in_pages, url_for
from tests.security.test_valid_html import POSTED

# Packages whose admin pages speak the package's words, not retrowalk's.
UPSTREAM_PAGES = ("admin:axes_", "admin:otp_")
# Django's admin search form draws its icon with a literal alt="Search" (admin/search_form.html).
UPSTREAM_TEXT = frozenset({"Search"})
# Permission names are stored in English when the tables are made ("app | model | Can add model").
PERMISSION = re.compile(r"^.+ \| .+ \| Can (add|change|delete|view) ")

# Open to everyone: opened with a browser that asks for Spanish.
ANONYMOUS_PAGES = ("login", "password_reset", "password_reset_done", "password_reset_complete", "admin:login")


def _spanish(world):
    for persona in PERSONAS[1:]:
        preferences_update(user=world.users[persona], speed_unit="kmh", language="es")


def _pages(world, admin_ids) -> dict[str, str]:
    pages = {}
    for label, persona, url in signed_in_pages(world, admin_ids):
        response = world.client(persona).get(url, secure=True)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[label] = response.content.decode()
    for name in POSTED:
        persona = "patient" if name == "programs:log" else "treating"
        response = world.client(persona).post(url_for(name, world, admin_ids), {}, secure=True)
        pages[f"{name} posted empty as {persona}"] = response.content.decode()
    anonymous = world.client("anonymous", HTTP_ACCEPT_LANGUAGE="es")
    for name in ANONYMOUS_PAGES:
        response = anonymous.get(url_for(name, world, admin_ids), secure=True)
        assert response.status_code == 200, name
        pages[f"{name} as anonymous"] = response.content.decode()
    return pages


@pytest.mark.django_db
def test_every_page_in_spanish_has_no_english_interface_text(world, admin_ids):
    _spanish(world)
    pages = _pages(world, admin_ids)
    assert len(pages) > 90
    data = frozenset(Group.objects.values_list("name", flat=True))
    content = _english_content()
    # The shipped words: each condition's name and description, each template's name and summary, two warm-ups.
    assert len(content) >= 4 * 2 + 4 * 2 + 2
    found = {}
    for label, html in pages.items():
        if label.startswith(UPSTREAM_PAGES):
            continue
        assert '<html lang="es"' in html or "admin:" in label, label
        english = [
            text
            for text in english_in(html, "es", allowed=UPSTREAM_TEXT | data)
            if not PERMISSION.match(text.strip("'"))
        ]
        if not label.startswith("admin:"):
            english += [f"{text!r} (content)" for text in page_texts(html) if any(words in text for words in content)]
        if english:
            found[label] = english
    assert found == {}, "English on Spanish pages:\n" + "\n".join(
        f"{label}: {text}" for label, texts in found.items() for text in texts
    )
    # Spanish is really there: the patient's plan speaks it.
    plan = pages["programs:my_plan as patient"]
    assert "Cuándo parar" in plan and "Cómo caminar hacia atrás con seguridad" in plan


def _english_content() -> frozenset[str]:
    """The English of every condition's and template's words that have a Spanish translation."""
    texts = set()
    for model in (Condition, ProgramTemplate, TemplateWeek):
        for field in translated_fields(model):
            for english, spanish in model.objects.values_list(column(field, "en"), column(field, "es")):
                if english and spanish and english != spanish:
                    texts.add(english)
    return frozenset(texts)


@pytest.mark.django_db
def test_the_check_finds_english_on_a_page_left_in_english(world, admin_ids):
    html = world.client("patient").get("/my-plan/", secure=True).content.decode()  # no language chosen: English
    found = english_in(html, "es")
    assert any("When to stop" in text for text in found)
    assert len(found) > 10
    assert "When to stop" in page_texts(html)
    # ... and the template's English words, which the Spanish pages must not show.
    assert any(words in text for text in page_texts(html) for words in _english_content())
