"""Hypothesis posts generated values to every form of every page (SECURITY.md "Input and integrity").

The forms are found by reading each page's HTML, as a browser would: every
``<form method="post">`` with its inputs, selects, textareas and buttons. Each
form gets FUZZ_EXAMPLES (200) examples; every example runs alone and is rolled
back. No example may answer 5xx; one that is refused (not a redirect) may not
change a single row; and whatever is saved is whole (every program has all
its weeks).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.models import Prescription, PrescriptionWeek, TemplateWeek
from tests.security.conftest import url_for

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
# Forms that end the session or its second-factor state rather than change data.
# A saved portal invitation answers 200: the link is shown once, on a page of its own; so does a new
# calendar address.
_SHOWS_RESULT = ("/portal/invite/", "/my-plan/calendar/")
_SKIPPED_ACTIONS = {"/accounts/logout/", "/admin/logout/", "/accounts/two-factor/turn-off/"}


@dataclass
class Form:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values seen on the page


class _Forms(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = Form(a.get("action") or self.page_url)
        elif self._form is None:
            return
        elif tag in {"input", "button"} and a.get("name") and a.get("name") != "csrfmiddlewaretoken":
            self._form.fields.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.fields.setdefault(self._select, [])
        elif tag == "option" and self._select:
            self._form.fields[self._select].append(a.get("value") or "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form.fields.setdefault(self._textarea, [""])

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            if self._form.action not in _SKIPPED_ACTIONS:
                self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


_ODD = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "Infinity",
    "\x00",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "<script>alert(1)</script>",
    "'; DROP TABLE patients_patient; --",
    "99999999999999999999",
    "0.05",
    "3.14159",
    "Ω≈ç√",
    "a" * 400,
]


def _value(seen: list[str]):
    options = [st.sampled_from(_ODD), st.text(max_size=40), st.integers(-(10**6), 10**6).map(str)]
    if seen:
        options.insert(0, st.sampled_from(seen))
    return st.one_of(*options)


# A formset's form count: mostly small, sometimes huge (Django caps it), never a 500. A huge count
# renders a thousand forms, so it is drawn now and then rather than in every other example.
_COUNTS = ("", "-1", "0", "x", "1001", "99999999999999999999")


def _count_value(seen: list[str]):
    return st.one_of(st.integers(0, 30).map(str), st.sampled_from([*seen, *_COUNTS]))


def _post_data(form: Form):
    def values(name, seen):
        value = _count_value(seen) if name.endswith("_FORMS") else _value(seen)
        return st.one_of(value, st.lists(value, max_size=3))

    return st.fixed_dictionaries({}, optional={name: values(name, seen) for name, seen in form.fields.items()})


def _app_tables() -> list[str]:
    wanted = {"auth", "patients", "programs", "retrowalk", "otp_totp"}
    return [m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.app_label in wanted]


def _counts(tables) -> tuple:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Table names come from the models, quoted; no request data reaches this SQL.
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))  # noqa: S608
        return cursor.fetchone()


def _whole() -> bool:
    """Nothing half-saved: every program carries every week of its template (one query)."""
    weeks = PrescriptionWeek.objects.filter(prescription=OuterRef("pk")).order_by().values("prescription")
    rows = TemplateWeek.objects.filter(template=OuterRef("template")).order_by().values("template")
    counts = Prescription.objects.annotate(
        weeks_n=Coalesce(Subquery(weeks.annotate(n=Count("pk")).values("n")), 0),
        rows_n=Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0),
    )
    return not counts.exclude(weeks_n=F("rows_n")).exists()


# (persona, URL name) of every page with a form.
PAGES = [
    ("anonymous", "login"),
    ("anonymous", "password_reset"),
    ("treating", "patients:list"),
    ("treating", "patients:create"),
    ("treating", "patients:detail"),
    ("treating", "patients:edit"),
    ("treating", "patients:screening_create"),
    ("treating", "prescribe:fresh"),
    ("treating", "programs:prescription"),
    ("treating", "programs:adjust"),
    ("treating", "programs:log"),
    ("treating", "preferences"),
    ("treating", "password_change"),
    ("treating", "two_factor_setup"),
    ("treating", "programs:summary"),
    ("treating", "programs:reminders"),
    ("patient", "programs:my_plan"),
    ("patient", "programs:log"),
    ("patient", "programs:reminders"),
    ("admin", "admin:programs_programtemplate_change"),
    ("admin", "admin:patients_condition_add"),
    ("admin", "admin:patients_screeningpolicy_change"),
]


def form_page_url(page: str, world, admin_ids, screen) -> str:
    """The URL of one of PAGES; "prescribe:fresh" is the prescribing page of a new, screened patient."""
    if page == "prescribe:fresh":
        from tests import factories

        fresh = factories.PatientFactory(care_team=[world.users["treating"]])
        screen(fresh)
        return reverse("programs:prescribe", kwargs={"public_id": fresh.public_id})
    return url_for(page, world, admin_ids)


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "page"), PAGES, ids=lambda v: v)
def test_generated_posts_to_every_form_never_fail_or_half_save(persona, page, world, admin_ids, screen):
    """SECURITY.md: Bad input never produces a 500"""
    url = form_page_url(page, world, admin_ids, screen)
    client = world.client(persona)
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    parser = _Forms(url)
    parser.feed(response.content.decode())
    assert parser.forms, f"no form found on {url}"
    tables = _app_tables()

    for form in parser.forms:
        _fuzz(client, form, tables)


def _fuzz(client, form: Form, tables) -> None:
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=_post_data(form))
    def post(data):
        with transaction.atomic():
            before = _counts(tables)
            answer = client.post(form.action, data)
            assert answer.status_code < 500, f"{form.action} {data!r} → {answer.status_code}"
            if answer.status_code != 302 and not form.action.endswith(_SHOWS_RESULT):
                assert _counts(tables) == before, f"{form.action} {data!r} refused but changed rows"
            else:
                assert _whole(), f"{form.action} {data!r} half-saved a program"
            transaction.set_rollback(True)
        # The redirect is never followed, so its flash message would ride along in every later
        # request's cookie: drop it (the session's copy went with the rollback).
        client.cookies.pop("messages", None)

    post()
