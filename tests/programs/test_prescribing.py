"""prescription_create and prescription_activate: the gate in the service, and what a valid
prescription holds."""

from decimal import Decimal as D

import pytest

from patients.services import screening_void
from programs.models import Prescription, ProgramTemplate
from programs.services import PrescriptionError, prescription_activate
from tests import factories
from tests.programs.conftest import FULL_PROTECTION


@pytest.mark.django_db
def test_a_cleared_patient_gets_a_personalised_program(patient, screen, prescribe, clinician):
    prescription = prescribe(patient, screen(patient), speed=D("2.4"))
    weeks = list(prescription.weeks.order_by("week"))
    assert [w.week for w in weeks] == [1, 2, 3, 4, 5, 6]
    assert [w.session_minutes for w in weeks] == [10, 15, 20, 25, 30, 30]
    assert [w.speed_kmh for w in weeks] == [D("2.4")] * 5 + [D("2.6")]  # 2.4 × 1.10 = 2.64 -> 2.6
    assert prescription.status == "active" and prescription.version == 1
    assert prescription.history.first().history_user == clinician


@pytest.mark.django_db
def test_weekly_speed_never_exceeds_the_template_cap(patient, screen, prescribe, oa_template):
    ProgramTemplate.objects.filter(pk=oa_template.pk).update(max_speed_kmh=D("4.6"))
    oa_template.refresh_from_db()
    prescription = prescribe(patient, screen(patient), speed=D("4.5"), template=oa_template)
    assert prescription.weeks.get(week=6).speed_kmh == D("4.6")  # 4.5 × 1.1 = 4.95, capped


@pytest.mark.django_db
def test_protected_screening_needs_every_measure(patient, screen, prescribe):
    screening = screen(patient, "cleared_protected")
    with pytest.raises(PrescriptionError) as excinfo:
        prescribe(patient, screening)
    assert excinfo.value.messages == [
        "Berg 40 is below 45 (older-adult cutoff): prescribe in protected mode or rescreen. Protected mode needs "
        "clinic sessions only, overhead harness or body-weight support, both handrails, therapist-set speed, "
        "one-to-one supervision."
    ]
    assert not Prescription.objects.exists()
    prescription = prescribe(patient, screening, protection=FULL_PROTECTION)
    assert prescription.protection == "protected" and prescription.harness and prescription.clinic_only


@pytest.mark.django_db
def test_one_current_program_per_patient(patient, screen, prescribe):
    screening = screen(patient)
    prescribe(patient, screening)
    with pytest.raises(PrescriptionError, match="already has an active or paused program"):
        prescribe(patient, screening)
    assert Prescription.objects.count() == 1


@pytest.mark.django_db
def test_the_template_must_fit_the_condition_and_the_starting_speed(patient, screen, prescribe):
    screening = screen(patient)
    stroke = ProgramTemplate.objects.get(condition__code="stroke")
    with pytest.raises(PrescriptionError, match="is for Stroke, not Knee osteoarthritis"):
        prescribe(patient, screening, template=stroke)
    with pytest.raises(PrescriptionError, match="above the fastest start this template is written for"):
        prescribe(patient, screening, speed=D("4.6"))
    assert not Prescription.objects.exists()


@pytest.mark.django_db
def test_only_the_care_team_can_prescribe(patient, screen, prescribe, other_clinician):
    with pytest.raises(PrescriptionError, match="care team"):
        prescribe(patient, screen(patient), by=other_clinician)
    assert not Prescription.objects.exists()


@pytest.mark.django_db
def test_activating_a_draft_applies_the_gate_again(patient, screen, prescribe, clinician):
    screening = screen(patient)
    draft = prescribe(patient, screening, status="draft")
    screening_void(screening=screening, by=clinician, reason="Near fall")
    with pytest.raises(PrescriptionError, match="voided after a fall"):
        prescription_activate(prescription=draft, by=clinician, expected_version=1)
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.django_db
def test_a_stale_activation_is_refused(patient, screen, prescribe, clinician):
    draft = prescribe(patient, screen(patient), status="draft")
    activated = prescription_activate(prescription=draft, by=clinician, expected_version=1)
    assert (activated.status, activated.version) == ("active", 2)
    with pytest.raises(PrescriptionError, match="Someone else changed this program"):
        prescription_activate(prescription=draft, by=clinician, expected_version=1)


@pytest.mark.django_db
def test_a_template_in_use_is_versioned_on_edit(admin_client_, patient, screen, prescribe, oa_template):
    from tests.programs.admin_forms import template_post

    prescription = prescribe(patient, screen(patient))
    url = f"/admin/programs/programtemplate/{oa_template.pk}/change/"
    assert "Saving changes creates version 2" in admin_client_.get(url).content.decode()
    response = admin_client_.post(url, template_post(oa_template, weeks={1: {"bout_minutes": 4}}), follow=True)
    assert "your changes were saved as version 2" in response.content.decode()
    old = ProgramTemplate.objects.get(pk=oa_template.pk)
    new = ProgramTemplate.objects.get(lineage=oa_template.lineage, version=2)
    assert (old.is_active, new.is_active, new.supersedes_id) == (False, True, old.pk)
    assert old.week_rows.get(week=1).bout_minutes == 5  # unchanged for the prescription
    assert new.week_rows.get(week=1).bout_minutes == 4
    assert new.week_rows.count() == 6
    prescription.refresh_from_db()
    assert prescription.template_id == old.pk
    assert prescription.weeks.get(week=1).session_minutes == 10  # prescriptions never change silently
    # The superseded version stays readable and cannot be edited.
    page = admin_client_.get(url)
    assert page.status_code == 200 and "has been superseded by version 2" in page.content.decode()
    refused = admin_client_.post(url, template_post(old, name_en="Sneaky edit"))
    assert refused.status_code == 403
    assert ProgramTemplate.objects.get(pk=old.pk).name == oa_template.name


@pytest.mark.django_db
def test_save_and_continue_on_a_template_in_use_continues_on_the_new_version(
    admin_client_, patient, screen, prescribe, oa_template
):
    from tests.programs.admin_forms import template_post

    prescribe(patient, screen(patient))
    url = f"/admin/programs/programtemplate/{oa_template.pk}/change/"
    data = {**template_post(oa_template, weeks={2: {"bouts": 4}}), "_continue": "Save and continue editing"}
    response = admin_client_.post(url, data)
    new = ProgramTemplate.objects.get(lineage=oa_template.lineage, version=2)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/programs/programtemplate/{new.pk}/change/"
    page = admin_client_.get(response["Location"]).content.decode()
    assert "your changes were saved as version 2" in page
    assert 'name="week_rows-1-bouts" value="4"' in page
    assert "has been superseded" not in page


@pytest.mark.django_db
def test_prescribing_from_a_superseded_version_is_refused(patient, screen, prescribe, oa_template):
    ProgramTemplate.objects.filter(pk=oa_template.pk).update(is_active=False)
    oa_template.refresh_from_db()
    with pytest.raises(PrescriptionError, match="replaced by a newer version"):
        prescribe(patient, screen(patient), template=oa_template)


@pytest.mark.django_db
def test_another_condition_patient_uses_the_right_template(clinician, screen, prescribe):
    stroke_patient = factories.PatientFactory(care_team=[clinician], **factories.stroke_details())
    from django.utils import timezone

    from patients.services import screening_record

    screening = screening_record(
        patient=stroke_patient,
        by=clinician,
        values={"screened_on": timezone.localdate(), "berg": 52, "bp_systolic": 120, "bp_diastolic": 80},
    )
    template = ProgramTemplate.objects.get(condition__code="stroke", is_active=True)
    prescription = prescribe(stroke_patient, screening, template=template, speed=D("2.0"))
    assert [w.speed_kmh for w in prescription.weeks.order_by("week")] == [
        D("2.0"),
        D("2.2"),
        D("2.4"),
        D("2.6"),
        D("2.8"),
        D("3.0"),
    ]  # +10 % of the starting speed per week [T1]
