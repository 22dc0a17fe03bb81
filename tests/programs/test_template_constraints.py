"""Template and week invariants: each refused by full_clean() and by the database."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programs.models import ProgramTemplate, TemplateWeek
from tests import factories


def _template_fields(**overrides):
    fields = {
        "condition": factories.condition("knee_oa"),
        "name": "Test template",
        "summary": "For tests.",
        "weeks": 2,
        "sessions_per_week": 3,
        "max_start_speed_kmh": D("4.0"),
        "sources": "K1",
    }
    fields.update(overrides)
    return fields


def _refused_twice(model, field, **fields):
    with pytest.raises(ValidationError) as excinfo:
        model(**fields).full_clean()
    assert field in excinfo.value.message_dict, excinfo.value.message_dict
    before = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**fields)
    assert model.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_speed_kmh", D("5.1")),
        ("max_incline_pct", D("15.5")),
        ("max_session_minutes", 61),
        ("weeks", 0),
        ("sessions_per_week", 8),
        ("advance_max_rpe", 21),
    ],
)
def test_template_limits(field, value):
    _refused_twice(ProgramTemplate, field, **_template_fields(**{field: value}))


@pytest.mark.django_db
def test_the_fastest_start_cannot_exceed_the_speed_cap():
    _refused_twice(
        ProgramTemplate, "max_start_speed_kmh", **_template_fields(max_speed_kmh=D("3.0"), max_start_speed_kmh=D("3.5"))
    )


@pytest.fixture
def template(db):
    return ProgramTemplate.objects.create(**_template_fields())


def _week(template, **overrides):
    fields = {
        "template": template,
        "week": 1,
        "sessions": 3,
        "bouts": 2,
        "bout_minutes": 5,
        "speed_fraction": D("1.00"),
        "incline_pct": D("0.0"),
        "support": "rails_available",
    }
    fields.update(overrides)
    return fields


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("incline_pct", {"incline_pct": D("15.5")}),
        ("incline_pct", {"incline_pct": D("-1.0")}),
        ("bout_minutes", {"bouts": 7, "bout_minutes": 9}),  # 63 minutes
        ("speed_fraction", {"speed_fraction": D("0.00")}),
        ("sessions", {"sessions": 8}),
        ("support", {"support": "rocket"}),
    ],
)
def test_week_limits(template, field, overrides):
    _refused_twice(TemplateWeek, field, **_week(template, **overrides))


@pytest.mark.django_db
def test_a_week_speed_above_the_cap_is_refused_by_validation(template):
    with pytest.raises(ValidationError) as excinfo:
        TemplateWeek(**_week(template, speed_fraction=D("1.30"))).full_clean()  # 4.0 × 1.3 = 5.2 km/h
    assert "above the speed cap of 5.0 km/h" in excinfo.value.message_dict["speed_fraction"][0]


@pytest.mark.django_db
def test_one_row_per_template_and_week(template):
    TemplateWeek.objects.create(**_week(template))
    with pytest.raises(ValidationError) as excinfo:
        TemplateWeek(**_week(template)).full_clean()
    assert "__all__" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        TemplateWeek.objects.create(**_week(template))
    assert template.week_rows.count() == 1


@pytest.mark.django_db
def test_only_one_version_of_a_template_is_offered(template):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramTemplate.objects.create(**_template_fields(lineage=template.lineage, version=2))
    assert ProgramTemplate.objects.filter(lineage=template.lineage).count() == 1
