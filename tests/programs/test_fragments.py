"""Kept page parts ({% cache %} fragments): drawn once, drawn again after anything they show changes.

Settings keep no cache in tests by default; these turn the production caches on.
"""

import re
from datetime import timedelta
from decimal import Decimal as D
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from programs import charts, services
from retrowalk.services import preferences_update
from tests.conftest import client_for
from tests.programs.test_program_services import entry, targets_of


@pytest.fixture
def drawn(monkeypatch):
    """How many times the progress charts were drawn (each drawing is a fragment not found kept)."""
    calls = []
    draw = charts.progress_panels

    def counting(*args, **kwargs):
        calls.append(1)
        return draw(*args, **kwargs)

    monkeypatch.setattr(charts, "progress_panels", counting)
    return calls


def numbers(html: str) -> list[list[str]]:
    """The progress chart's "Show the numbers" rows, as text."""
    table = html.split("Show the numbers", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td>(.*?)</td>", "<td>" + row)]
        for row in rows
    ]


def week_speeds(html: str) -> list[str]:
    """The chart's week table: each week's speed."""
    table = html.split('class="table table-sm week-table', 1)[1].split("</table>", 1)[0]
    return [unescape(speed) for speed in re.findall(r"</th>\s*<td>([^<]*)</td>", table)]


@pytest.mark.django_db
def test_the_chart_is_drawn_once_and_again_after_each_change(
    production_caches, drawn, patient, screen, prescribe, clinician, clinician_client
):
    rx = prescribe(patient, screen(patient))
    first = clinician_client.get(patient.get_absolute_url()).content.decode()
    again = clinician_client.get(patient.get_absolute_url()).content.decode()
    assert len(drawn) == 1  # the second page was answered from the kept fragment
    assert numbers(again) == numbers(first) and numbers(first)[0][3] == "0 / 30"

    log = services.session_log_create(prescription=rx, by=clinician, entry=entry(minutes=12))
    page = clinician_client.get(patient.get_absolute_url()).content.decode()
    assert len(drawn) == 2 and numbers(page)[0][3] == "12 / 30"

    services.session_log_next_day_pain(log=log, by=clinician, pain=4)
    page = clinician_client.get(patient.get_absolute_url()).content.decode()
    assert len(drawn) == 3  # the record changed, so the kept chart is not used
    assert 'id="nd-' not in page and "<td>4</td>" in page

    preferences_update(user=clinician, speed_unit="mph")
    page = clinician_client.get(patient.get_absolute_url()).content.decode()
    assert len(drawn) == 4 and "Speed done / planned (mph)" in page


@pytest.mark.django_db
def test_the_week_table_follows_an_adjustment(
    production_caches, patient, screen, prescribe, clinician, clinician_client
):
    rx = prescribe(patient, screen(patient))
    before = week_speeds(clinician_client.get(patient.get_absolute_url()).content.decode())
    services.prescription_adjust(
        prescription=rx, by=clinician, expected_version=1, weeks=targets_of(rx, {3: {"speed_kmh": D("2.6")}})
    )
    after = week_speeds(clinician_client.get(patient.get_absolute_url()).content.decode())
    assert after[2] == "2.6" and before[2] != "2.6"
    assert after[:2] == before[:2]


@pytest.mark.django_db
def test_a_new_day_draws_the_chart_again(
    production_caches, drawn, patient, screen, prescribe, clinician, clinician_client
):
    """A week that was ahead becomes one walked (or missed): the day is part of the key."""
    prescribe(patient, screen(patient))
    before = numbers(clinician_client.get(patient.get_absolute_url()).content.decode())
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        page = client_for(clinician).get(patient.get_absolute_url()).content.decode()
    assert len(drawn) == 2
    # The second calendar week has begun (still on week 1's targets, none reviewed): done 0, no longer "—".
    assert before[1][3].startswith("— / ") and numbers(page)[1][3].startswith("0 / ")


@pytest.mark.django_db
def test_the_patient_and_the_clinician_see_the_same_record_in_their_own_units(
    production_caches, patient, patient_user, screen, prescribe, clinician, clinician_client
):
    rx = prescribe(patient, screen(patient))
    services.session_log_create(prescription=rx, by=clinician, entry=entry(minutes=12))
    preferences_update(user=clinician, speed_unit="mph")
    chart = clinician_client.get(patient.get_absolute_url()).content.decode()
    plan = client_for(patient_user).get(reverse("programs:my_plan")).content.decode()
    assert "Speed done / planned (mph)" in chart and "Speed done / planned (km/h)" in plan
    assert numbers(plan)[0][3] == numbers(chart)[0][3] == "12 / 30"


@pytest.mark.django_db
def test_a_kept_log_table_posts_the_next_morning_pain_with_this_request_token(
    production_caches, patient, patient_user, screen, prescribe, clinician
):
    """The table is kept; each form after it is drawn anew, so a second clinician's post carries their own token."""
    rx = prescribe(patient, screen(patient))
    log = services.session_log_create(prescription=rx, by=clinician, entry=entry(minutes=12))
    for user in (clinician, patient_user):
        client = client_for(user)
        client.handler.enforce_csrf_checks = True
        url = patient.get_absolute_url() if user == clinician else reverse("programs:my_plan")
        client.get(url)
        page = client.get(url).content.decode()
        assert f'form="nd-form-{log.public_id}"' in page
        token = re.search(
            rf'<form id="nd-form-{log.public_id}".*?name="csrfmiddlewaretoken" value="([^"]+)"', page
        ).group(1)
        answer = client.post(
            reverse("programs:next_day", kwargs={"public_id": log.public_id}),
            {"pain": "3", "csrfmiddlewaretoken": token},
        )
        assert answer.status_code == 302
        log.refresh_from_db()
        assert log.pain_next_day == 3
        log.pain_next_day = None
        log.save(update_fields=["pain_next_day"])


def _token_of(page: str, form_id: str) -> str:
    return re.search(rf'<form id="{form_id}".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S).group(1)


@pytest.mark.django_db
def test_a_kept_program_part_posts_each_action_with_this_request_token(
    production_caches, drawn, patient, screen, prescribe, clinician, other_clinician
):
    """The summary, actions, review and tables are kept once for both clinicians of the care team; the forms
    their buttons post through are drawn for each request, so the second clinician posts with their own token."""
    patient.care_team.add(other_clinician)
    rx = prescribe(patient, screen(patient))
    first, second = client_for(clinician), client_for(other_clinician)
    second.handler.enforce_csrf_checks = True
    first.get(patient.get_absolute_url())
    page = second.get(patient.get_absolute_url()).content.decode()
    assert len(drawn) == 1  # the second clinician's page came from the kept part
    for action in ("pause", "review", "complete", "stop"):
        assert f'form="{action}-{rx.public_id}"' in page  # a button or input inside the kept part names its form
        assert page.count(f'<form id="{action}-{rx.public_id}"') == 1
    answer = second.post(
        reverse("programs:pause", kwargs={"public_id": rx.public_id}),
        {"version": "1", "reason": "flu", "csrfmiddlewaretoken": _token_of(page, f"pause-{rx.public_id}")},
    )
    assert answer.status_code == 302
    rx.refresh_from_db()
    assert rx.status == "paused" and rx.pause_reason == "flu" and rx.version == 2
    # Paused, the program's part is drawn again: resume instead of pause, its protection inputs in the resume form.
    page = second.get(patient.get_absolute_url()).content.decode()
    assert len(drawn) == 2 and "Paused:</strong> flu" in page
    assert f'<form id="pause-{rx.public_id}"' not in page and f'<form id="resume-{rx.public_id}"' in page
    assert re.search(rf'<input type="radio" name="protection" value="standard"[^>]* form="resume-{rx.public_id}"', page)


@pytest.mark.django_db
def test_a_prescribing_preview_is_drawn_once_for_the_same_weeks(
    production_caches, monkeypatch, patient, screen, oa_template, clinician, clinician_client
):
    from programs.forms import BaseWeekFormSet
    from tests.programs.conftest import prescribe_post

    screen(patient)
    drawings = []
    context = BaseWeekFormSet.get_context  # what the formset's template is drawn from, each time it is drawn
    monkeypatch.setattr(BaseWeekFormSet, "get_context", lambda self: drawings.append(1) or context(self))
    url = reverse("programs:prescribe", kwargs={"public_id": patient.public_id})

    def preview(speed):
        data = prescribe_post(oa_template, speed=speed, action="preview")
        page = clinician_client.post(url, {k: v for k, v in data.items() if not k.startswith("weeks-")})
        return unescape(page.content.decode())

    def speeds(page):
        return re.findall(r'name="weeks-\d+-speed_kmh" value="([^"]+)"', page)

    slow = preview("2.0")
    again = preview("2.0")
    assert len(drawings) == 1 and speeds(again) == speeds(slow) and len(speeds(slow)) == oa_template.weeks
    faster = preview("2.4")
    assert len(drawings) == 2 and speeds(faster) != speeds(slow)
    preferences_update(user=clinician, speed_unit="mph")
    in_mph = preview("2.0")  # km/h posted as the form's unit says; the weeks are drawn again in mph
    assert len(drawings) == 3 and "Speed (mph)" in in_mph


@pytest.mark.django_db
def test_the_dashboard_table_is_kept_until_a_row_changes(
    production_caches, monkeypatch, patient, screen, prescribe, clinician, clinician_client
):
    """Kept for what its rows show; a new day that changes a flag, a fall or a new patient draws it again."""
    from datetime import datetime, time

    from programs.flags import DashboardFacts
    from tests import factories
    from tests.programs.test_dashboard_page import rows_of

    drawings = []
    flag_list = DashboardFacts.flag_list  # read once for each row drawn
    monkeypatch.setattr(DashboardFacts, "flag_list", property(lambda row: drawings.append(1) or flag_list.fget(row)))
    screening = screen(patient)
    rx = prescribe(patient, screening)
    first, again = rows_of(clinician_client), rows_of(clinician_client)
    assert len(drawings) == 1 and again == first and "Nothing" in first[0]
    # The screening's last minute, then two minutes later: the table kept a moment ago is drawn again.
    last_minute = datetime.combine(screening.valid_until, time(23, 59), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(last_minute):
        (row,) = rows_of(client_for(clinician))
        assert "Screening due" in row and "Screening expired" not in row
    drawn = len(drawings)
    with time_machine.travel(last_minute + timedelta(minutes=2)):
        (row,) = rows_of(client_for(clinician))
        assert "Screening expired" in row and len(drawings) == drawn + 1
    services.session_log_create(prescription=rx, by=clinician, entry=entry(minutes=5, event="fall"))
    (row,) = rows_of(clinician_client)
    assert len(drawings) == drawn + 2 and "Fall or near fall reported" in row and "Paused" in row
    factories.PatientFactory(care_team=[clinician], first_name="Ann", last_name="Added")
    rows = rows_of(clinician_client)
    assert len(drawings) == drawn + 4 and len(rows) == 2 and "Ann Added" in rows[1]


@pytest.mark.django_db
def test_the_dashboard_facts_are_kept_until_a_write_they_read(
    production_caches, monkeypatch, patient, screen, prescribe, clinician, other_clinician, clinician_client
):
    """The caseload's facts are kept for its state: each write they read (through the services, and the
    administrator's condition names) shows on the next dashboard."""
    from patients.models import Condition
    from patients.services import care_team_add, patient_update
    from programs import selectors
    from tests import factories
    from tests.programs.test_dashboard_page import rows_of

    reads = []
    query = selectors._facts_query
    monkeypatch.setattr(selectors, "_facts_query", lambda **kwargs: reads.append(1) or query(**kwargs))

    def row():
        (only,) = rows_of(clinician_client)
        return only

    assert "None" in row() and row() and len(reads) == 1  # read once, then kept
    patient_update(patient=patient, by=clinician, data={"record_number": "RW-5150"})
    assert "RW-5150" in row()
    Condition.objects.filter(pk=patient.condition_id).update(name="Knee OA (renamed)")
    assert "Knee OA (renamed)" in row()
    screening = screen(patient)
    rx = prescribe(patient, screening)
    assert "Active · week 1 of 6" in row()
    for pain in (6, 7):  # two sessions in a row at or above the usual pain plus the rise allowed
        services.session_log_create(prescription=rx, by=clinician, entry=entry(pain_before=pain, pain_after=pain))
        row()
    assert "Pain rising" in row()
    services.session_log_create(prescription=rx, by=clinician, entry=entry(event="near_fall"))
    assert "Fall or near fall reported" in row() and "Paused" in row()
    screen(patient)
    rx.refresh_from_db()
    services.prescription_resume(prescription=rx, by=clinician, expected_version=rx.version)
    assert "Fall or near fall reported" not in row() and "Active" in row()
    rx.refresh_from_db()
    services.prescription_stop(prescription=rx, by=clinician, expected_version=rx.version, reason="moved away")
    assert "None" in row()
    other = factories.PatientFactory(care_team=[other_clinician], first_name="Tom", last_name="Transferred")
    care_team_add(patient=other, by=other_clinician, clinician=clinician)
    assert any("Tom Transferred" in line for line in rows_of(clinician_client))
    assert len(reads) == 10  # once for each state, and never for the same state twice
