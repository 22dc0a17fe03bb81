"""Administrators edit templates in the Django admin; invalid templates are refused by field."""

from decimal import Decimal as D

import pytest

from programs.models import ProgramTemplate
from tests.programs.admin_forms import template_post


@pytest.fixture
def stroke_template(db):
    return ProgramTemplate.objects.get(condition__code="stroke", is_active=True)


def _url(template):
    return f"/admin/programs/programtemplate/{template.pk}/change/"


def _snapshot(template):
    return (
        list(ProgramTemplate.objects.order_by("pk").values()),
        list(template.week_rows.order_by("week").values()),
    )


@pytest.mark.django_db
def test_the_change_page_says_defaults_for_clinical_review(admin_client_, stroke_template):
    body = admin_client_.get(_url(stroke_template)).content.decode()
    assert "Defaults for clinical review" in body
    assert "T1 (Michaelsen 2014)" in body


@pytest.mark.django_db
def test_editing_an_unused_template_changes_it_in_place(admin_client_, admin_user, stroke_template):
    data = template_post(stroke_template, weeks={2: {"bout_minutes": 9}}, name_en="Stroke — 6 weeks (clinic A)")
    response = admin_client_.post(_url(stroke_template), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    stroke_template.refresh_from_db()
    assert (stroke_template.name, stroke_template.version) == ("Stroke — 6 weeks (clinic A)", 1)
    assert stroke_template.week_rows.get(week=2).bout_minutes == 9
    assert ProgramTemplate.objects.filter(lineage=stroke_template.lineage).count() == 1
    history = stroke_template.week_rows.get(week=2).history.first()
    assert history.history_user == admin_user and history.bout_minutes == 9


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"weeks": {6: {"speed_fraction": "1.60"}}},
            "Week 6: speed 1.60 × the fastest start 3.3 km/h = 5.3 km/h is above the speed cap of 5.0 km/h",
        ),
        ({"weeks": {3: {"incline_pct": "16.0"}}}, "Ensure this value is less than or equal to 15.0"),
        ({"weeks": {2: {"bouts": "7", "bout_minutes": "9"}}}, "63 minutes is outside 1–60 minutes"),
        (
            {"weeks": {2: {"bouts": "4", "bout_minutes": "10"}}},
            "40 minutes is above the template&#x27;s session cap of 30",
        ),
        (
            {"weeks": {4: {"week": "7"}}},
            "Weeks must be numbered 1 to 6 without gaps (missing 4; beyond the template&#x27;s length: 7)",
        ),
        ({"drop": (5,)}, "Weeks must be numbered 1 to 6 without gaps (missing 5)"),
        ({"max_speed_kmh": "5.5"}, "The speed cap must be above 0 and at most 5.0 km/h"),
    ],
)
def test_invalid_templates_are_refused_with_a_message_and_nothing_changes(
    admin_client_, stroke_template, change, message
):
    before = _snapshot(stroke_template)
    response = admin_client_.post(_url(stroke_template), template_post(stroke_template, **change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _snapshot(stroke_template) == before


@pytest.mark.django_db
def test_lowering_the_cap_below_the_weeks_is_refused_on_the_weeks(admin_client_, stroke_template):
    before = _snapshot(stroke_template)
    response = admin_client_.post(
        _url(stroke_template), template_post(stroke_template, max_speed_kmh="4.0", max_start_speed_kmh="3.0")
    )
    assert response.status_code == 200
    assert (
        "Week 5: speed 1.40 × the fastest start 3.0 km/h = 4.2 km/h is above the speed cap of 4.0 km/h"
        in response.content.decode()
    )
    assert _snapshot(stroke_template) == before


@pytest.mark.django_db
def test_a_new_template_can_be_added_with_its_weeks(admin_client_, stroke_template):
    data = template_post(stroke_template, name_en="Stroke — short")
    data = {k: v for k, v in data.items() if not k.endswith("-id") and not k.endswith("-template")}
    data["week_rows-INITIAL_FORMS"] = 0
    response = admin_client_.post("/admin/programs/programtemplate/add/", data)
    assert response.status_code == 302
    added = ProgramTemplate.objects.get(name="Stroke — short")
    assert added.lineage != stroke_template.lineage and added.version == 1
    assert [w.speed_fraction for w in added.week_rows.order_by("week")][-1] == D("1.50")


@pytest.mark.django_db
def test_clinicians_cannot_open_the_template_admin(clinician_client, stroke_template):
    assert clinician_client.get(_url(stroke_template))["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_a_post_claiming_more_weeks_than_a_template_can_have_is_refused_before_they_are_built(
    admin_client_, stroke_template
):
    before = _snapshot(stroke_template)
    data = template_post(stroke_template)
    data["week_rows-TOTAL_FORMS"] = 1000
    response = admin_client_.post(_url(stroke_template), data)
    assert response.status_code == 200
    assert "Please submit at most 52 forms." in response.content.decode()
    assert _snapshot(stroke_template) == before
