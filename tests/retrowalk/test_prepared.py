"""Prepared queries: compiled once per connection, the same rows as the ORM for every request's values."""

import uuid
from datetime import date

import pytest
from django.db import connection, transaction
from django.db.models.functions import Upper
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from patients.models import Patient
from retrowalk.prepared import PreparedQuery, PreparedQueryError
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
    prepared = PreparedQuery(_born_since, clinician_id=int, born_after=date)
    for clinician, born_after in ((one, date(1955, 1, 1)), (two, date(1900, 1, 1)), (one, date(1900, 1, 1))):
        rows = prepared.run(clinician_id=clinician.pk, born_after=born_after)
        assert rows == list(_born_since(clinician_id=clinician.pk, born_after=born_after))
        assert rows, "every case here has rows"
    rows = prepared.run(clinician_id=one.pk, born_after=date(1955, 1, 1))
    assert [born.year for _, born, _ in rows] == [1960, 1970]
    # Converted as the ORM converts them, on SQLite as on PostgreSQL.
    assert all(isinstance(born, date) for _, born, _ in rows)
    assert {type(public_id).__name__ for _, _, public_id in rows} == {"UUID"}


def test_compiled_once_per_connection_and_one_query_a_call(caseloads):
    one, _ = caseloads
    prepared = PreparedQuery(_born_since, clinician_id=int, born_after=date)
    first = prepared.compiled()
    prepared.run(clinician_id=one.pk, born_after=date(1900, 1, 1))
    assert prepared.compiled() is first
    with CaptureQueriesContext(connection) as queries:
        prepared.run(clinician_id=one.pk, born_after=date(1965, 1, 1))
    assert len(queries) == 1
    assert str(one.pk) in queries[0]["sql"]


def test_a_query_whose_sql_depends_on_a_value_is_refused(db):
    prepared = PreparedQuery(lambda count: Patient.objects.values_list("pk")[: abs(count)], count=int)
    with pytest.raises(PreparedQueryError, match="SQL changes"):  # a slice is written into the SQL's text
        prepared.run(count=3)


def test_a_value_worked_out_inside_the_query_is_refused(db):
    def build(born_after):
        return Patient.objects.filter(date_of_birth__gt=born_after.replace(day=2)).values_list("pk")

    with pytest.raises(PreparedQueryError, match="not a prepared parameter"):
        PreparedQuery(build, born_after=date).run(born_after=date(1960, 1, 1))


def test_a_parameter_that_never_reaches_the_sql_is_refused(db):
    prepared = PreparedQuery(lambda clinician_id: Patient.objects.values_list("pk"), clinician_id=int)
    with pytest.raises(PreparedQueryError, match="never reach"):
        prepared.run(clinician_id=1)


def test_parameters_are_checked(db):
    with pytest.raises(TypeError, match="int, date or UUID"):
        PreparedQuery(_born_since, clinician_id=str)
    prepared = PreparedQuery(_born_since, clinician_id=int, born_after=date)
    with pytest.raises(TypeError, match="Expected the parameters"):
        prepared.run(clinician_id=1)


def _patient_with_condition(*, public_id: uuid.UUID, clinician_id: int):
    return (
        Patient.objects.filter(public_id=public_id, care_team=clinician_id)
        .select_related("condition")
        .annotate(shouted=Upper("last_name"))
    )


def test_model_rows_come_with_their_related_rows_and_annotations(caseloads):
    one, two = caseloads
    shared = Patient.objects.get(date_of_birth__year=1960)
    prepared = PreparedQuery(_patient_with_condition, public_id=uuid.UUID, clinician_id=int)
    (found,) = prepared.run(public_id=shared.public_id, clinician_id=two.pk)
    assert isinstance(found, Patient)
    assert (found.pk, found.record_number, found.date_of_birth) == (shared.pk, shared.record_number, date(1960, 6, 1))
    assert found.shouted == shared.last_name.upper()
    with CaptureQueriesContext(connection) as queries:
        assert found.condition.code == "knee_oa"  # read with the patient, no query of its own
    assert len(queries) == 0
    assert not found._state.adding
    # Another patient, another clinician: each call its own values.
    only_one = Patient.objects.get(date_of_birth__year=1950)
    assert prepared.run(public_id=only_one.public_id, clinician_id=two.pk) == []
    assert [p.pk for p in prepared.run(public_id=only_one.public_id, clinician_id=one.pk)] == [only_one.pk]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # outside the test's own transaction
def test_a_locking_query_needs_a_transaction(caseloads):
    one, _ = caseloads
    prepared = PreparedQuery(
        lambda clinician_id: Patient.objects.select_for_update().filter(care_team=clinician_id).order_by("pk"),
        clinician_id=int,
    )
    with transaction.atomic():
        assert len(prepared.run(clinician_id=one.pk)) == 3
    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            prepared.run(clinician_id=one.pk)


def test_prefetching_and_dict_rows_are_refused(db):
    prefetching = PreparedQuery(
        lambda clinician_id: Patient.objects.filter(care_team=clinician_id).prefetch_related("care_team"),
        clinician_id=int,
    )
    with pytest.raises(PreparedQueryError, match="prefetch_related"):
        prefetching.run(clinician_id=1)
    dicts = PreparedQuery(
        lambda clinician_id: Patient.objects.filter(care_team=clinician_id).values("pk"), clinician_id=int
    )
    with pytest.raises(PreparedQueryError, match="ValuesIterable"):
        dicts.run(clinician_id=1)


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.postgres
def test_on_postgresql_the_query_is_a_statement_planned_once_per_connection(caseloads):
    one, two = caseloads
    prepared = PreparedQuery(_born_since, clinician_id=int, born_after=date)
    before = _prepared_statements()
    cases = ((one, date(1955, 1, 1)), (two, date(1900, 1, 1)), (one, date(1965, 1, 1)))
    with CaptureQueriesContext(connection) as queries:
        found = [prepared.run(clinician_id=clinician.pk, born_after=born_after) for clinician, born_after in cases]
    assert found == [list(_born_since(clinician_id=c.pk, born_after=born_after)) for c, born_after in cases]
    assert all(found)
    new = [statement for statement in _prepared_statements() if statement not in before]
    assert len(new) == 1 and "date_of_birth" in new[0] and "$1" in new[0]  # one statement, bound on the server
    # Logged as Django logs any query: its SQL with this run's values.
    assert len(queries) == 3
    assert str(two.pk) in queries[1]["sql"] and "1965-01-01" in queries[2]["sql"]


@pytest.mark.postgres
def test_with_prepared_statements_turned_off_the_query_binds_on_the_client(caseloads, monkeypatch):
    one, _ = caseloads
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)  # as ?prepare_threshold=none sets it
    prepared = PreparedQuery(_born_since, clinician_id=int, born_after=date)
    before = _prepared_statements()
    rows = prepared.run(clinician_id=one.pk, born_after=date(1955, 1, 1))
    assert rows == list(_born_since(clinician_id=one.pk, born_after=date(1955, 1, 1)))
    assert _prepared_statements() == before
