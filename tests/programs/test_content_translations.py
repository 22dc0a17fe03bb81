"""The clinical text the administrator writes, in each language: conditions and templates read in the
reader's language (the plan in the patient's), fall back to English where untranslated, are edited side by
side in the admin, whose lists say what is missing; translating a template in use keeps its version."""

import re

import pytest

from patients.models import Condition
from programs.models import ProgramTemplate
from retrowalk.services import preferences_update
from tests.conftest import client_for
from tests.programs.admin_forms import template_post


def _spanish(user):
    preferences_update(user=user, speed_unit="kmh", language="es")
    return client_for(user)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(html: str, link: str) -> str:
    """The text of the admin list's row that links to ``link``."""
    return _text(next(row for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if f'href="{link}"' in row))


@pytest.mark.django_db
def test_shipped_conditions_and_templates_come_in_spanish():
    conditions = dict(Condition.objects.values_list("code", "name_es"))
    assert conditions == {
        "acl_reconstruction": "Reconstrucción del LCA",
        "knee_oa": "Artrosis de rodilla",
        "stroke": "Ictus",
        "cerebral_palsy": "Parálisis cerebral",
    }
    assert not Condition.objects.filter(description_es=None).exists()
    for template in ProgramTemplate.objects.filter(is_active=True):
        assert template.name_es and template.summary_es and template.warm_up_es, template.name_en
        assert template.name_es != template.name_en and template.warm_up_es != template.warm_up_en
    # The sources stay as written: one text, no translation columns.
    assert not hasattr(ProgramTemplate, "sources_es") and not hasattr(Condition, "sources_es")


@pytest.mark.django_db
def test_the_chart_and_the_patient_list_name_the_condition_in_the_reader_s_language(clinician, patient):
    english = client_for(clinician).get(patient.get_absolute_url()).content.decode()
    assert "Knee osteoarthritis" in english and "Artrosis de rodilla" not in english
    spanish_client = _spanish(clinician)
    spanish = spanish_client.get(patient.get_absolute_url()).content.decode()
    assert "Artrosis de rodilla" in spanish and "Knee osteoarthritis" not in spanish
    listed = spanish_client.get("/patients/?sort=condition").content.decode()
    assert "Artrosis de rodilla" in listed and "Knee osteoarthritis" not in listed


@pytest.mark.django_db
def test_the_patient_list_sorts_conditions_by_their_names_in_the_reader_s_language(clinician):
    from tests import factories

    stroke = Condition.objects.get(code="stroke")
    acl = Condition.objects.get(code="acl_reconstruction")
    factories.PatientFactory(care_team=[clinician], condition=stroke, last_name="Stroke-patient")
    factories.PatientFactory(care_team=[clinician], condition=acl, last_name="Acl-patient")
    english = client_for(clinician).get("/patients/?sort=condition").content.decode()
    # English: ACL reconstruction < Stroke. Spanish: Ictus < Reconstrucción del LCA.
    assert english.index("Acl-patient") < english.index("Stroke-patient")
    spanish = _spanish(clinician).get("/patients/?sort=condition").content.decode()
    assert spanish.index("Stroke-patient") < spanish.index("Acl-patient")


@pytest.mark.django_db
def test_the_dashboard_names_the_condition_in_each_reader_s_language(clinician, patient, screen, prescribe):
    prescribe(patient, screen(patient))
    client = client_for(clinician)
    assert "Knee osteoarthritis" in client.get("/dashboard/").content.decode()
    # The same caseload, kept for the day, read again in Spanish: the cached facts follow the language.
    preferences_update(user=clinician, speed_unit="kmh", language="es")
    spanish = client.get("/dashboard/").content.decode()
    assert "Artrosis de rodilla" in spanish and "Knee osteoarthritis" not in spanish


@pytest.mark.django_db
def test_an_untranslated_condition_falls_back_to_english_until_the_admin_translates_it(
    admin_client_, clinician, patient
):
    condition = Condition.objects.get(code="knee_oa")
    Condition.objects.filter(pk=condition.pk).update(name_es=None, description_es="")
    reader = _spanish(clinician)
    assert "Knee osteoarthritis" in reader.get(patient.get_absolute_url()).content.decode()
    link = f"/admin/patients/condition/{condition.pk}/change/"
    assert "Spanish: name, description" in _row(admin_client_.get("/admin/patients/condition/").content.decode(), link)

    page = admin_client_.get(f"/admin/patients/condition/{condition.pk}/change/").content.decode()
    # Side by side: both languages' inputs in one row of the form.
    row = next(part for part in page.split('class="form-row') if 'name="name_en"' in part)
    assert 'name="name_es"' in row and "Name (English)" in row and "Name (Spanish)" in row
    from tests.patients.test_screening_policy_admin import _inline_post

    condition.refresh_from_db()
    data = _inline_post(condition, condition.screening_policy) | {
        "name_es": "Artrosis de la rodilla",
        "description_es": "Descripción en español.",
    }
    response = admin_client_.post(f"/admin/patients/condition/{condition.pk}/change/", data)
    assert response.status_code == 302
    condition.refresh_from_db()
    assert (condition.name_en, condition.name_es) == ("Knee osteoarthritis", "Artrosis de la rodilla")
    assert condition.history.first().name_es == "Artrosis de la rodilla"  # the history keeps every language
    assert "Artrosis de la rodilla" in reader.get(patient.get_absolute_url()).content.decode()
    assert "Spanish:" not in _row(admin_client_.get("/admin/patients/condition/").content.decode(), link)


@pytest.mark.django_db
def test_the_template_list_shows_missing_translations_week_notes_included(admin_client_, admin_user, oa_template):
    def row_of(listed):
        return _row(listed, f"/admin/programs/programtemplate/{oa_template.pk}/change/")

    assert "Spanish:" not in row_of(admin_client_.get("/admin/programs/programtemplate/").content.decode())
    data = template_post(
        oa_template,
        summary_es="",
        weeks={1: {"note_en": "Clinic visit", "note_es": ""}, 2: {"note_en": "Bring shoes", "note_es": ""}},
    )
    assert admin_client_.post(f"/admin/programs/programtemplate/{oa_template.pk}/change/", data).status_code == 302
    assert "Spanish: summary, 2 week notes" in row_of(
        admin_client_.get("/admin/programs/programtemplate/").content.decode()
    )
    # The administrator reading Spanish sees the same in Spanish.
    preferences_update(user=admin_user, speed_unit="kmh", language="es")
    assert "Español: resumen, 2 notas semanales" in row_of(
        admin_client_.get("/admin/programs/programtemplate/").content.decode()
    )


@pytest.mark.django_db
def test_translating_a_template_in_use_keeps_its_version_and_reaches_its_patients(
    admin_client_, admin_user, patient, patient_user, screen, prescribe, oa_template
):
    program = prescribe(patient, screen(patient))
    url = f"/admin/programs/programtemplate/{oa_template.pk}/change/"
    data = template_post(
        oa_template, warm_up_es="Camine hacia delante despacio.", weeks={1: {"note_es": "Traiga calzado cómodo."}}
    )
    response = admin_client_.post(url, data)
    assert response.status_code == 302
    assert ProgramTemplate.objects.filter(lineage=oa_template.lineage).count() == 1  # no new version
    oa_template.refresh_from_db()
    assert (oa_template.version, oa_template.warm_up_es) == (1, "Camine hacia delante despacio.")
    assert oa_template.week_rows.get(week=1).note_es == "Traiga calzado cómodo."
    history = oa_template.history.first()
    assert history.warm_up_es == "Camine hacia delante despacio." and history.history_user == admin_user
    # The patient on this version reads it on their plan.
    plan = _spanish(patient_user).get("/my-plan/").content.decode()
    assert "Camine hacia delante despacio." in plan
    assert program.template_id == oa_template.pk

    # Its English is what the prescriptions were written from: changing it makes version 2.
    response = admin_client_.post(url, template_post(oa_template, warm_up_en="Walk forward slowly."), follow=True)
    assert "your changes were saved as version 2" in response.content.decode()
    oa_template.refresh_from_db()
    assert oa_template.warm_up_en != "Walk forward slowly." and not oa_template.is_active
    new = ProgramTemplate.objects.get(lineage=oa_template.lineage, version=2)
    # The new version carries every language, the weeks' notes included.
    assert (new.warm_up_en, new.warm_up_es) == ("Walk forward slowly.", "Camine hacia delante despacio.")
    assert new.name_es == oa_template.name_es
    assert new.week_rows.get(week=1).note_es == "Traiga calzado cómodo."


@pytest.mark.django_db
def test_prescribing_copies_the_week_notes_in_the_patient_s_language(
    clinician, patient, patient_user, other_patient, screen, prescribe, oa_template
):
    oa_template.week_rows.filter(week=1).update(note_en="Clinic visit", note_es="Visita en la clínica")
    preferences_update(user=patient_user, speed_unit="kmh", language="es")
    spanish = prescribe(patient, screen(patient))
    assert spanish.weeks.get(week=1).note == "Visita en la clínica"
    # A patient who reads English (or has no portal login): the clinician's language.
    other_patient.care_team.add(clinician)
    english = prescribe(other_patient, screen(other_patient))
    assert english.weeks.get(week=1).note == "Clinic visit"


@pytest.mark.django_db
def test_the_prescribe_preview_shows_the_notes_the_patient_will_read(
    clinician_client, patient, patient_user, screen, oa_template
):
    from tests.programs.conftest import prescribe_post

    oa_template.week_rows.filter(week=1).update(note_en="Clinic visit", note_es="Visita en la clínica")
    preferences_update(user=patient_user, speed_unit="kmh", language="es")
    screen(patient)
    url = f"/patients/{patient.public_id}/prescribe/"
    page = clinician_client.post(url, prescribe_post(oa_template, action="preview")).content.decode()
    assert 'value="Visita en la clínica"' in page and "Clinic visit" not in page
    assert '<html lang="en"' in page  # the clinician's page stays in the clinician's language


@pytest.mark.django_db
def test_the_prescribe_page_describes_the_templates_in_the_clinician_s_language(
    clinician, patient, screen, oa_template
):
    screen(patient)
    url = f"/patients/{patient.public_id}/prescribe/"
    english = client_for(clinician).get(url).content.decode()
    assert oa_template.summary_en in english
    spanish = _spanish(clinician).get(url).content.decode()
    assert oa_template.summary_es in spanish and oa_template.summary_en not in spanish
    assert "Artrosis de rodilla — 6 semanas" in spanish
