"""Prepared queries: compiled once per connection, the same rows as the ORM for every request's values."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.models import Patient
from retrowalk.prepared import PreparedQueryError, PreparedValuesQuery
from tests.factories import ClinicianFactory, PatientFactory


def _born_since(*, clinician_id: int, born_after: date):
    return (
        Patient.objects.filter(care_team=clinician_id, date_of_birth__gt=born_after)
        .order_by("date_of_birth", "id")
        .values_list("record_number", "date_of_birth", "public_id")
    )


@pytest.fixture
def caseloads(db):
    one, two = ClinicianFactory(), ClinicianFactory()
    for year, team in ((1950, [one]), (1960, [one, two]), (1970, [one]), (1980, [two])):
        PatientFactory(date_of_birth=date(year, 6, 1), care_team=team)
    return one, two


def test_rows_are_the_orm_rows_for_each_requests_values(caseloads):
    one, two = caseloads
    prepared = PreparedValuesQuery(_born_since, clinician_id=int, born_after=date)
    for clinician, born_after in ((one, date(1955, 1, 1)), (two, date(1900, 1, 1)), (one, date(1900, 1, 1))):
        rows = prepared.rows(clinician_id=clinician.pk, born_after=born_after)
        assert rows == list(_born_since(clinician_id=clinician.pk, born_after=born_after))
        assert rows, "every case here has rows"
    rows = prepared.rows(clinician_id=one.pk, born_after=date(1955, 1, 1))
    assert [born.year for _, born, _ in rows] == [1960, 1970]
    # Converted as the ORM converts them, on SQLite as on PostgreSQL.
    assert all(isinstance(born, date) for _, born, _ in rows)
    assert {type(public_id).__name__ for _, _, public_id in rows} == {"UUID"}


def test_compiled_once_per_connection_and_one_query_a_call(caseloads):
    one, _ = caseloads
    prepared = PreparedValuesQuery(_born_since, clinician_id=int, born_after=date)
    first = prepared.compiled()
    prepared.rows(clinician_id=one.pk, born_after=date(1900, 1, 1))
    assert prepared.compiled() is first
    with CaptureQueriesContext(connection) as queries:
        prepared.rows(clinician_id=one.pk, born_after=date(1965, 1, 1))
    assert len(queries) == 1
    assert str(one.pk) in queries[0]["sql"]


def test_a_query_whose_sql_depends_on_a_value_is_refused(db):
    prepared = PreparedValuesQuery(lambda count: Patient.objects.values_list("pk")[: abs(count)], count=int)
    with pytest.raises(PreparedQueryError, match="SQL changes"):  # a slice is written into the SQL's text
        prepared.rows(count=3)


def test_a_value_worked_out_inside_the_query_is_refused(db):
    def build(born_after):
        return Patient.objects.filter(date_of_birth__gt=born_after.replace(day=2)).values_list("pk")

    with pytest.raises(PreparedQueryError, match="not a prepared parameter"):
        PreparedValuesQuery(build, born_after=date).rows(born_after=date(1960, 1, 1))


def test_a_parameter_that_never_reaches_the_sql_is_refused(db):
    prepared = PreparedValuesQuery(lambda clinician_id: Patient.objects.values_list("pk"), clinician_id=int)
    with pytest.raises(PreparedQueryError, match="never reach"):
        prepared.rows(clinician_id=1)


def test_parameters_are_checked(db):
    with pytest.raises(TypeError, match="int or date"):
        PreparedValuesQuery(_born_since, clinician_id=str)
    prepared = PreparedValuesQuery(_born_since, clinician_id=int, born_after=date)
    with pytest.raises(TypeError, match="Expected the parameters"):
        prepared.rows(clinician_id=1)
