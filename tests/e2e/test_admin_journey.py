"""The administrator's journey in a real browser: a template in use changes by a new version, within the caps."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programs.models import ProgramTemplate
from tests.e2e.conftest import check_page
from tests.factories import PASSWORD, AdminFactory, PatientFactory

TEMPLATE = "Knee osteoarthritis — 6 weeks"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admin_edits_a_week_gets_a_new_version_and_is_refused_a_speed_above_the_cap(
    clinician, screen, prescribe, oa_template, new_page
):
    patient = PatientFactory(care_team=[clinician])
    in_use = prescribe(patient, screen(patient))
    assert in_use.template == oa_template and oa_template.version == 1
    AdminFactory(username="ada", first_name="Ada", last_name="Admin")
    page = new_page()

    page.goto("/admin/")
    page.wait_for_load_state()
    check_page(page, "admin-01-login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").or_(page.get_by_role("button", name="Log in")).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Conditions, templates and accounts")).to_be_visible()
    check_page(page, "admin-02-index")

    page.get_by_role("link", name="Program templates").click()
    page.wait_for_load_state()
    check_page(page, "admin-03-templates")
    page.get_by_role("link", name=TEMPLATE).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Saving changes creates version 2")).to_be_visible()
    check_page(page, "admin-04-template")

    # Week 2: one more bout, with a note in each language (side by side, one column each).
    page.locator("#id_week_rows-1-bouts").fill("4")
    page.locator("#id_week_rows-1-note_en").fill("One more bout once week 1 felt easy.")
    page.locator("#id_week_rows-1-note_es").fill("Una tanda más cuando la semana 1 le resultó fácil.")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    expect(page.get_by_text("your changes were saved as version 2")).to_be_visible()
    check_page(page, "admin-05-new-version")
    old, new = ProgramTemplate.objects.filter(lineage=oa_template.lineage).order_by("version")
    assert (old.version, old.is_active, new.version, new.is_active) == (1, False, 2, True)
    assert old.week_rows.get(week=2).bouts == 3
    week_2 = new.week_rows.get(week=2)
    assert (week_2.bouts, week_2.note_en, week_2.note_es) == (
        4,
        "One more bout once week 1 felt easy.",
        "Una tanda más cuando la semana 1 le resultó fácil.",
    )
    in_use.refresh_from_db()
    assert in_use.template_id == old.pk
    expect(page.locator("#id_week_rows-1-bouts")).to_have_value("4")

    # Week 6 faster than the cap allows: refused with the arithmetic, nothing saved.
    page.locator("#id_week_rows-5-speed_fraction").fill("2.00")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    error = page.locator(".errorlist").filter(has_text="above the speed cap")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Week 6: speed 2.00 × the fastest start")
    expect(page.locator(".errornote")).to_be_visible()
    check_page(page, "admin-06-speed-refused")
    assert ProgramTemplate.objects.filter(lineage=oa_template.lineage).count() == 2
    new.refresh_from_db()
    assert new.week_rows.get(week=6).speed_fraction == oa_template.week_rows.get(week=6).speed_fraction
