"""SECURITY.md "Audit and integrity": change history, the access log, audit in the same transaction."""

from decimal import Decimal as D

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from simple_history.models import HistoricalRecords

from patients.models import BalanceScreening, Condition, Patient
from patients.services import patient_update
from programs import services
from programs.models import ProgramTemplate, SessionLog
from retrowalk.models import AccessRecord
from tests.programs.test_program_services import entry, targets_of

pytestmark = pytest.mark.django_db


def _last_change(model, pk):
    record = model.history.filter(id=pk).order_by("-history_date", "-history_id").first()
    return record, record.prev_record


def test_every_audited_model_keeps_who_when_and_old_and_new_values(world, clinician, admin_user):
    """SECURITY.md: Every create/update/delete of audited models keeps who, when, old and new values"""
    patient, rx = world.patient, world.prescription
    patient_update(patient=patient, by=clinician, data={"first_name": "Patricia"})
    record, previous = _last_change(Patient, patient.pk)
    assert record.history_user == clinician and record.history_type == "~" and record.history_date
    assert [(c.field, c.old, c.new) for c in record.diff_against(previous).changes] == [
        ("first_name", "Pat", "Patricia")
    ]

    screening_rows = BalanceScreening.history.filter(id=world.screening.pk)
    assert screening_rows.get().history_type == "+" and screening_rows.get().history_user == clinician

    services.prescription_adjust(
        prescription=rx, by=clinician, expected_version=1, weeks=targets_of(rx, {2: {"speed_kmh": D("2.3")}})
    )
    week = rx.weeks.get(week=2)
    record, previous = _last_change(type(week), week.pk)
    speed = [c for c in record.diff_against(previous).changes if c.field == "speed_kmh"]
    assert record.history_user == clinician and (speed[0].old, speed[0].new) != (speed[0].new, speed[0].new)
    assert speed[0].new == D("2.3")
    record, previous = _last_change(type(rx), rx.pk)
    assert record.history_user == clinician
    assert ("version", 1, 2) in [(c.field, c.old, c.new) for c in record.diff_against(previous).changes]

    log = SessionLog.history.filter(id=world.log.pk).get()
    assert log.history_type == "+" and log.history_user == world.users["patient"]

    for model, obj in ((Condition, Condition.objects.get(code="stroke")), (ProgramTemplate, world.template)):
        obj.save()  # shipped by a data migration, before there was history: a first snapshot
        obj._history_user = admin_user
        old = obj.name
        obj.name = f"{old} (renamed)"
        obj.save()
        record, previous = _last_change(model, obj.pk)
        assert record.history_user == admin_user
        assert [(c.old, c.new) for c in record.diff_against(previous).changes if c.field == "name"] == [
            (old, f"{old} (renamed)")
        ]


def test_the_clinician_sees_the_program_s_history_with_old_and_new_values(world, clinician, clinician_client):
    """SECURITY.md: Every create/update/delete of audited models keeps who, when, old and new values"""
    rx = world.prescription
    services.prescription_adjust(
        prescription=rx, by=clinician, expected_version=1, weeks=targets_of(rx, {3: {"speed_kmh": D("2.6")}})
    )
    services.prescription_pause(prescription=rx, by=clinician, expected_version=2, reason="Knee swelling")
    page = clinician_client.get(f"/programs/{rx.public_id}/history/").content.decode()
    assert "Prescribed the program" in page and "Set weeks 1–6" in page
    assert "Changed the weeks" in page and "Week 3: speed (km/h)" in page and "2.6" in page
    assert "Changed the program" in page and "Knee swelling" in page and "Paused" in page
    assert "Cara Treating" in page
    assert page.index("Changed the program") < page.index("Changed the weeks") < page.index("Prescribed the program")


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("chart", "chart_viewed"),
        ("program", "program_viewed"),
        ("print", "plan_printed"),
        ("pdf", "plan_pdf"),
        ("history", "history_viewed"),
    ],
)
def test_viewing_or_printing_a_chart_or_plan_writes_an_access_record(world, path, action):
    """SECURITY.md: Viewing or printing a chart or plan writes an access record"""
    rx, patient = world.prescription, world.patient
    url = {
        "chart": f"/patients/{patient.public_id}/",
        "program": f"/programs/{rx.public_id}/",
        "print": f"/plans/{rx.public_id}/print/",
        "pdf": f"/plans/{rx.public_id}/pdf/",
        "history": f"/programs/{rx.public_id}/history/",
    }[path]
    client = world.client("treating", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="ClinicBrowser/1.0")
    assert client.get(url).status_code == 200
    record = AccessRecord.objects.get()
    treating = world.users["treating"]
    assert (record.user, record.username, record.action) == (treating, treating.username, action)
    assert record.patient_public_id == patient.public_id
    assert record.ip_address == "192.0.2.7" and record.user_agent == "ClinicBrowser/1.0"
    # A refused look writes nothing.
    assert world.client("other_clinician").get(url).status_code == 404
    assert AccessRecord.objects.count() == 1


def test_the_patient_s_own_plan_view_is_logged_too(world):
    """SECURITY.md: Viewing or printing a chart or plan writes an access record"""
    assert world.client("patient").get("/my-plan/").status_code == 200
    record = AccessRecord.objects.get()
    assert (record.user, record.action, record.object_public_id) == (
        world.users["patient"],
        "plan_viewed",
        world.prescription.public_id,
    )


def test_a_failing_audit_write_rolls_the_change_back(world, clinician, monkeypatch):
    """SECURITY.md: Audit rows are written in the same transaction as the change"""

    def broken(*args, **kwargs):
        raise DatabaseError("audit store unavailable")

    monkeypatch.setattr(HistoricalRecords, "create_historical_record", broken)
    logs_before = SessionLog.objects.count()
    with pytest.raises(DatabaseError):
        services.session_log_create(prescription=world.prescription, by=clinician, entry=entry())
    assert SessionLog.objects.count() == logs_before
    with pytest.raises(DatabaseError), transaction.atomic():
        patient_update(patient=world.patient, by=clinician, data={"first_name": "Changed"})
    world.patient.refresh_from_db()
    assert world.patient.first_name == "Pat"
    # Through a page: the edit fails as a whole and the patient is unchanged.
    client = world.client("treating")
    client.raise_request_exception = False
    response = client.post(f"/programs/{world.prescription.public_id}/pause/", {"version": 1, "reason": "Holiday"})
    assert response.status_code == 500
    world.prescription.refresh_from_db()
    assert world.prescription.status == "active"


def test_access_records_are_read_only_in_the_admin(world, admin_ids):
    """SECURITY.md: Audit rows are written in the same transaction as the change"""
    record = AccessRecord.objects.get()
    admin = world.client("admin")
    assert admin.get(f"/admin/retrowalk/accessrecord/{record.pk}/change/").status_code == 200  # view only
    assert admin.post(f"/admin/retrowalk/accessrecord/{record.pk}/change/", {"username": "x"}).status_code == 403
    assert admin.post(f"/admin/retrowalk/accessrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.username == "x"  # as created by the fixture, unchanged


def test_the_database_refuses_to_edit_or_delete_access_records(world):
    """SECURITY.md: Audit rows are written in the same transaction as the change"""
    world.client("treating").get(f"/patients/{world.patient.public_id}/")
    record = AccessRecord.objects.get()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AccessRecord.objects.filter(pk=record.pk).update(username="someone else")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        record.delete()
    assert AccessRecord.objects.get().username == world.users["treating"].username
