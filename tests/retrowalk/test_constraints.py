"""Check constraints evaluated in Python agree with the database, value for value."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CheckConstraint, Q
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.models import SessionLog
from retrowalk.constraints import ChecksInPython, holds

MODELS = [m for m in apps.get_models() if issubclass(m, ChecksInPython)]
CHECKED = [(m, c) for m in MODELS for c in m._meta.constraints if isinstance(c, CheckConstraint)]


def _strategy(field):
    kind = field.get_internal_type()
    if field.is_relation:
        values = st.integers(1, 3)
    elif field.choices:
        values = st.sampled_from([value for value, _ in field.flatchoices])
    elif kind.endswith("IntegerField"):
        values = st.integers(-3, 260)
    elif kind == "DecimalField":
        values = st.decimals(min_value=-3, max_value=260, places=field.decimal_places, allow_nan=False)
    elif kind == "BooleanField":
        values = st.booleans()
    elif kind == "DateField":
        values = st.dates(date(2020, 1, 1), date(2030, 12, 31))
    elif kind == "DateTimeField":
        values = st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC))
    else:
        values = st.text(max_size=6)
    return st.none() | values if field.null else values


def _instances(model):
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return st.fixed_dictionaries({f.attname: _strategy(f) for f in fields}).map(lambda kw: model(**kw))


def test_every_shipped_check_is_understood_without_the_database():
    unknown = [f"{m.__name__}.{c.name}" for m, c in CHECKED if holds(c, m()) is None]
    assert len(CHECKED) > 60
    assert unknown == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_python_and_the_database_agree_on_every_check(model):
    checks = [c for m, c in CHECKED if m is model]

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(instance=_instances(model))
    def agree(instance):
        against = instance._get_field_expression_map(meta=model._meta)
        for check in checks:
            assert holds(check, instance) == Q(check.condition).check(against), (check.name, vars(instance))

    agree()


@pytest.mark.django_db
def test_a_failed_check_is_reported_with_its_own_message_without_a_query():
    log = SessionLog(
        minutes=5, speed_kmh=Decimal("2.0"), incline_pct=Decimal("0"), pain_before=11, pain_after=2, effort=12
    )
    log.event, log.rails, log.week, log.setting = "none", "none", 1, "home"
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as raised:
        log.validate_constraints()
    assert len(queries) == 0
    assert raised.value.messages == ["Pain is scored 0 to 10."]
    log.pain_before = 1
    with CaptureQueriesContext(connection) as queries:
        log.validate_constraints()
    assert len(queries) == 0
