"""The clinician's patient pages: list, search, add, edit, chart, care team."""

import uuid
from datetime import date

import pytest

from patients.models import Patient
from tests import factories


def _form(**overrides):
    data = {
        "record_number": "MRN-NEW-1",
        "first_name": "Britt",
        "last_name": "Nyberg",
        "date_of_birth": "1961-02-03",
        "sex": "female",
        "condition": "knee_oa",
        "comfortable_forward_speed_kmh": "3.8",
        "affected_side": "right",
        "kl_grade": "2",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_list_shows_only_my_care_team(clinician_client, patient, other_patient):
    body = clinician_client.get("/patients/").content.decode()
    assert patient.last_name in body
    assert other_patient.last_name not in body


@pytest.mark.django_db
def test_search_matches_name_or_record_number_and_keeps_names_out_of_urls(clinician_client, clinician):
    factories.PatientFactory(care_team=[clinician], first_name="Greta", last_name="Alm", record_number="A-77")
    factories.PatientFactory(care_team=[clinician], first_name="Bo", last_name="Ek", record_number="B-88")
    response = clinician_client.post("/patients/search/", {"q": "greta"})
    assert response.status_code == 302
    assert response["Location"] == "/patients/"
    body = clinician_client.get("/patients/").content.decode()
    assert "Alm, Greta" in body and "Ek, Bo" not in body
    clinician_client.post("/patients/search/", {"q": "B-88"})
    body = clinician_client.get("/patients/").content.decode()
    assert "Ek, Bo" in body and "Alm, Greta" not in body
    clinician_client.post("/patients/search/", {"q": "", "clear": "1"})
    body = clinician_client.get("/patients/").content.decode()
    assert "Ek, Bo" in body and "Alm, Greta" in body


@pytest.mark.django_db
def test_search_by_get_is_refused(clinician_client):
    assert clinician_client.get("/patients/search/?q=greta").status_code == 405


@pytest.mark.django_db
def test_sorting_uses_only_allowed_columns(clinician_client, clinician):
    """SECURITY.md: Request data never shapes ORM structure"""
    factories.PatientFactory(care_team=[clinician], last_name="Zed", record_number="A-1")
    factories.PatientFactory(care_team=[clinician], last_name="Ada", record_number="Z-9")
    by_name = clinician_client.get("/patients/?sort=name").content.decode()
    assert by_name.index("Ada,") < by_name.index("Zed,")
    by_record_desc = clinician_client.get("/patients/?sort=-record").content.decode()
    assert by_record_desc.index("Ada,") < by_record_desc.index("Zed,")
    hostile = clinician_client.get("/patients/?sort=user__password")
    assert hostile.status_code == 200
    assert hostile.context["sort"] == "name"


@pytest.mark.django_db
def test_the_list_is_paginated(clinician_client, clinician):
    for _ in range(30):
        factories.PatientFactory(care_team=[clinician])
    first = clinician_client.get("/patients/")
    assert len(first.context["patients"]) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = clinician_client.get("/patients/?page=2")
    assert len(second.context["patients"]) == 5
    assert clinician_client.get("/patients/?page=9").status_code == 404


@pytest.mark.django_db
def test_adding_a_patient_puts_me_on_the_care_team(clinician_client, clinician):
    response = clinician_client.post("/patients/new/", _form())
    patient = Patient.objects.get(record_number="MRN-NEW-1")
    assert response["Location"] == f"/patients/{patient.public_id}/"
    assert list(patient.care_team.all()) == [clinician]
    assert patient.history.first().history_user == clinician
    chart = clinician_client.get(response["Location"]).content.decode()
    assert "Britt Nyberg" in chart and "Kellgren-Lawrence grade" in chart


@pytest.mark.django_db
def test_the_form_asks_for_the_chosen_conditions_details(clinician_client):
    response = clinician_client.post(
        "/patients/new/", _form(condition="acl_reconstruction", affected_side="left", kl_grade="")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "surgery_date" in errors and "graft" in errors
    assert "Nothing was saved" in response.content.decode()
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_fields_of_other_conditions_are_ignored(clinician_client):
    clinician_client.post(
        "/patients/new/",
        _form(
            condition="stroke",
            stroke_date="2025-06-01",
            walking_aid="none",
            affected_side="left",
            kl_grade="3",
            gmfcs_level="2",
            graft="hamstring",
            meniscal_repair="on",
        ),
    )
    patient = Patient.objects.get(record_number="MRN-NEW-1")
    assert patient.stroke_date == date(2025, 6, 1)
    assert (patient.kl_grade, patient.gmfcs_level, patient.graft, patient.meniscal_repair) == (
        None,
        None,
        "",
        False,
    )


@pytest.mark.django_db
def test_a_duplicate_record_number_is_refused_beside_the_field(clinician_client, patient):
    response = clinician_client.post("/patients/new/", _form(record_number=patient.record_number))
    assert response.status_code == 200
    assert "record_number" in response.context["form"].errors
    assert Patient.objects.count() == 1


@pytest.mark.django_db
def test_a_server_set_field_cannot_be_posted(clinician_client, other_clinician, patient_user):
    clinician_client.post(
        "/patients/new/",
        _form(care_team=[other_clinician.pk], user=patient_user.pk, public_id=str(uuid.uuid4())),
    )
    patient = Patient.objects.get(record_number="MRN-NEW-1")
    assert other_clinician not in patient.care_team.all()
    assert patient.user is None


@pytest.mark.django_db
def test_editing_saves_and_records_history(clinician_client, patient, clinician):
    response = clinician_client.post(
        f"/patients/{patient.public_id}/edit/", _form(record_number="MRN-EDIT", kl_grade="3")
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.record_number, patient.kl_grade) == ("MRN-EDIT", 3)
    assert patient.history.first().history_user == clinician


@pytest.mark.django_db
def test_the_edit_form_shows_the_current_condition(clinician_client, patient):
    form = clinician_client.get(f"/patients/{patient.public_id}/edit/").context["form"]
    assert form["condition"].value() == "knee_oa"


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "edit/"])
def test_another_teams_patient_is_404(other_clinician_client, patient, suffix):
    assert other_clinician_client.get(f"/patients/{patient.public_id}/{suffix}").status_code == 404


@pytest.mark.django_db
def test_another_teams_patient_cannot_be_edited(other_clinician_client, patient):
    before = patient.record_number
    response = other_clinician_client.post(f"/patients/{patient.public_id}/edit/", _form(record_number="HIJACK"))
    assert response.status_code == 404
    patient.refresh_from_db()
    assert patient.record_number == before


@pytest.mark.django_db
def test_an_unknown_patient_is_404(clinician_client):
    assert clinician_client.get(f"/patients/{uuid.uuid4()}/").status_code == 404


@pytest.mark.django_db
def test_a_colleague_can_be_added_to_the_care_team(clinician_client, patient, other_clinician):
    response = clinician_client.post(
        f"/patients/{patient.public_id}/care-team/", {"clinician": other_clinician.username.upper()}
    )
    assert response.status_code == 302
    assert other_clinician in patient.care_team.all()
    assert "joined the care team" in clinician_client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_colleague_can_be_found_by_email_and_an_unknown_one_is_named(clinician_client, patient, other_clinician):
    url = f"/patients/{patient.public_id}/care-team/"
    page = clinician_client.get(clinician_client.post(url, {"clinician": "nobody@example.test"})["Location"])
    assert "No active clinician has the username or email “nobody@example.test”." in page.content.decode()
    assert other_clinician not in patient.care_team.all()
    clinician_client.post(url, {"clinician": f"  {other_clinician.email}  "})
    assert other_clinician in patient.care_team.all()


@pytest.mark.django_db
def test_only_clinicians_can_join_a_care_team(clinician_client, patient, patient_user):
    clinician_client.post(f"/patients/{patient.public_id}/care-team/", {"clinician": patient_user.username})
    assert list(patient.care_team.all()) == [patient.care_team.get()]
    assert patient_user not in patient.care_team.all()


@pytest.mark.django_db
def test_outsiders_cannot_add_themselves_to_a_care_team(other_clinician_client, patient, other_clinician):
    response = other_clinician_client.post(
        f"/patients/{patient.public_id}/care-team/", {"clinician": other_clinician.username}
    )
    assert response.status_code == 404
    assert other_clinician not in patient.care_team.all()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/patients/", "/patients/new/"])
def test_patients_and_administrators_cannot_use_clinician_pages(patient_client, admin_client_, url):
    assert patient_client.get(url).status_code == 403
    assert admin_client_.get(url).status_code == 403


@pytest.mark.django_db
def test_the_patient_forms_carry_one_csrf_token(clinician_client, patient):
    for url in ("/patients/new/", f"/patients/{patient.public_id}/edit/"):
        page = clinician_client.get(url).content.decode()
        form = page[page.index('class="patient-form"') :]
        form = form[: form.index("</form>")]
        assert form.count('name="csrfmiddlewaretoken"') == 1, url
