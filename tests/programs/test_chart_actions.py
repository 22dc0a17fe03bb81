"""The chart's action forms, as the page writes them: each posts the program's version, and no id repeats."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal as D
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from programs import services
from programs.models import Prescription
from tests.conftest import STANDARD
from tests.programs.test_program_services import _walk_a_week


class _Page(HTMLParser):
    """Every id on the page, and each form's action with its hidden inputs: those inside it and those
    elsewhere that name it (HTML's form attribute, as in the kept parts of the page)."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: Counter = Counter()
        self.forms: dict[str, dict[str, str]] = {}
        self._form: dict | None = None
        self._by_id: dict[str, dict] = {}
        self._owned: list[tuple[str, str, str]] = []
        self.feed(html)
        for form_id, name, value in self._owned:
            self._by_id[form_id][name] = value

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
        if tag == "form":
            self._form = self.forms.setdefault(attrs.get("action", ""), {})
            if "id" in attrs:
                self._by_id[attrs["id"]] = self._form
        elif tag == "input" and attrs.get("type") == "hidden":
            if "form" in attrs:
                self._owned.append((attrs["form"], attrs["name"], attrs.get("value", "")))
            elif self._form is not None:
                self._form[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _action(name, rx):
    return reverse(f"programs:{name}", kwargs={"public_id": rx.public_id})


@pytest.mark.django_db
def test_an_active_program_s_forms_post_its_version_and_no_id_repeats(
    clinician_client, clinician, patient, screen, oa_template
):
    rx = services.prescription_create(
        patient=patient,
        template=oa_template,
        screening=screen(patient, days_ago=8),
        by=clinician,
        start_date=timezone.localdate() - timedelta(days=7),
        starting_speed_kmh=D("2.0"),
        protection=STANDARD,
    )
    _walk_a_week(rx, clinician, start=timezone.localdate() - timedelta(days=7))
    page = _Page(clinician_client.get(patient.get_absolute_url()).content.decode())
    assert {id_: n for id_, n in page.ids.items() if n > 1} == {}
    for name in ("review", "pause", "complete", "stop"):
        assert page.forms[_action(name, rx)]["version"] == "1"
    assert _action("resume", rx) not in page.forms  # only a paused program resumes

    form = page.forms[_action("pause", rx)]
    clinician_client.post(_action("pause", rx), {**form, "reason": "Flu"})
    rx.refresh_from_db()
    assert (rx.status, rx.pause_reason, rx.version) == ("paused", "Flu", 2)


@pytest.mark.django_db
def test_a_paused_program_s_resume_form_posts_the_new_version(clinician_client, clinician, patient, screen, prescribe):
    rx = prescribe(patient, screen(patient))
    services.prescription_pause(prescription=rx, by=clinician, reason="Flu", expected_version=1)
    page = _Page(clinician_client.get(patient.get_absolute_url()).content.decode())
    assert {id_: n for id_, n in page.ids.items() if n > 1} == {}
    assert page.forms[_action("resume", rx)]["version"] == "2"
    assert _action("pause", rx) not in page.forms

    clinician_client.post(_action("resume", rx), {**page.forms[_action("resume", rx)], "protection": "standard"})
    assert Prescription.objects.get(pk=rx.pk).status == "active"
