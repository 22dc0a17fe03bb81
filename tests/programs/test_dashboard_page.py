"""The dashboard's rows as the clinician reads them: who, condition, program, adherence, flags."""

import re

import pytest
from django.urls import reverse

from tests import factories


def rows_of(client) -> list[str]:
    page = client.get(reverse("programs:dashboard")).content.decode()
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return [" ".join(row.split()) for row in re.findall(r"<tr>.*?</tr>", body, flags=re.S)]


def log_session(client, program, *, minutes: int, event: str):
    """A clinic session on the program's first day, posted through the log form."""
    data = {
        "session_date": program.start_date.isoformat(),
        "minutes": str(minutes),
        "speed_kmh": "2.0",
        "incline_pct": "0",
        "pain_before": "1",
        "pain_after": "1",
        "effort": "11",
        "rails": "both_hands",
        "event": event,
        "note": "",
    }
    return client.post(reverse("programs:log", kwargs={"public_id": program.public_id}), data)


@pytest.mark.django_db
def test_each_row_links_the_chart_and_says_program_adherence_and_flags(
    clinician_client, clinician, patient, screen, prescribe
):
    prescribe(patient, screen(patient))
    unscreened = factories.PatientFactory(
        care_team=[clinician], first_name="<b>Bo</b>", last_name="O'Neil & Co", record_number="RW-<9>"
    )
    rows = rows_of(clinician_client)
    assert len(rows) == 2
    by_name = {("Pat" in row): row for row in rows}
    mine, other = by_name[True], by_name[False]
    assert f'<a href="/patients/{patient.public_id}/">Pat Own</a>' in mine
    assert "<td>Knee osteoarthritis</td>" in mine
    assert "<td>Active · week 1 of 6</td>" in mine
    assert "<td>—</td>" in mine  # no whole session due yet on the first day
    assert '<span class="text-body-secondary">Nothing</span>' in mine
    # Names are text, never markup; a patient without a program says so.
    assert f'<a href="/patients/{unscreened.public_id}/">&lt;b&gt;Bo&lt;/b&gt; O&#x27;Neil &amp; Co</a>' in other
    assert "RW-&lt;9&gt;" in other
    assert '<td><span class="text-body-secondary">None</span></td>' in other


@pytest.mark.django_db
def test_a_paused_program_shows_its_badge_and_flags_in_urgency_order(clinician_client, patient, screen, prescribe):
    program = prescribe(patient, screen(patient))
    log_session(clinician_client, program, minutes=5, event="fall")
    (row,) = rows_of(clinician_client)
    assert '<td><span class="badge status-paused">Paused</span> · week 1 of 6</td>' in row
    assert row.index("Fall or near fall reported") < row.index("Screening void")
    assert '<span class="badge flag flag_fall">Fall or near fall reported</span>' in row


@pytest.mark.django_db
def test_adherence_counts_the_weeks_already_reviewed(
    clinician_client, clinician, other_clinician, patient, other_patient, screen, prescribe
):
    from datetime import timedelta

    from programs.models import ProgressionDecision

    def reviewed(program, *, by, days: int):
        # Week 1 was in force for `days` days and then reviewed; week 2 started on the review's day.
        started = program.start_date - timedelta(days=days)
        program.__class__.objects.filter(pk=program.pk).update(
            start_date=started, current_week=2, week_started_on=program.start_date
        )
        ProgressionDecision.objects.create(
            prescription=program,
            week=1,
            stage_started_on=started,
            decided_on=program.start_date,
            suggested="advance",
            action="advance",
            next_week=2,
            decided_by=by,
        )

    mine = prescribe(patient, screen(patient))
    theirs = prescribe(other_patient, screen(other_patient), by=other_clinician)
    reviewed(mine, by=clinician, days=14)
    reviewed(theirs, by=other_clinician, days=7)
    mine.refresh_from_db()
    log_session(clinician_client, mine, minutes=10, event="none")
    assert mine.logs.count() == 1
    # One session walked of two weeks of week 1's sessions (week 2 began today).
    planned = mine.weeks.get(week=1).sessions * 2
    (row,) = rows_of(clinician_client)
    assert "<td>Active · week 2 of 6</td>" in row
    assert f"<td>{round(100 / planned)} %</td>" in row
