"""The week, progress and session-log tables as their templates write them, and the program rows behind them."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from programs import selectors, services
from programs.charts import ChartWeek
from programs.models import PrescriptionWeek


def _weeks():
    return [
        PrescriptionWeek(
            week=1,
            speed_kmh=D("2.0"),
            incline_pct=D("0.0"),
            bouts=1,
            bout_minutes=10,
            rest_minutes=D("1.0"),
            sessions=3,
        ),
        PrescriptionWeek(
            week=2,
            speed_kmh=D("2.4"),
            incline_pct=D("2.5"),
            bouts=3,
            bout_minutes=5,
            rest_minutes=D("1.5"),
            sessions=4,
            support="both_rails",
            note="Hold <the> rail & breathe",
        ),
    ]


def _cells(row: str) -> list[str]:
    return re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)


def _rows(template: str, context: dict) -> list[str]:
    """The template's body rows, each on one line with the white space between tags taken out."""
    html = render_to_string(template, context)
    body = html[html.index("<tbody>") + len("<tbody>") : html.index("</tbody>")]
    body = re.sub(r">\s+<", "><", re.sub(r"\s*\n\s*", " ", body)).strip()
    return re.findall(r"<tr.*?</tr>", body)


def plan_week_rows(weeks, current_week, unit):
    return _rows("programs/_plan_weeks.html", {"weeks": weeks, "current_week": current_week, "unit": unit})


def week_rows(weeks, current, unit):
    return _rows("programs/_week_table.html", {"weeks": weeks, "current": current, "unit": unit})


def progress_rows(series, unit):
    return _rows("programs/_progress_chart.html", {"p": {"series": series, "panels": []}, "unit": unit})


def log_rows(context, logs, unit, next_morning):
    return _rows(
        "programs/_log_table.html", {**context, "p": {"logs": logs, "next_morning": next_morning}, "unit": unit}
    )


def next_day_forms(context, logs):
    """The forms a page draws after its kept session-log table, for the logs whose next-morning pain can be added."""
    html = render_to_string("programs/_next_day_forms.html", {**context, "logs": logs})
    return re.findall(r"<form .*?</form>", html, re.S)


def plan_log_rows(context, logs, unit, can_add, next_morning):
    return _rows(
        "programs/_plan_log_table.html",
        {**context, "logs": logs, "unit": unit, "can_add": can_add, "next_morning": next_morning},
    )


def test_patient_week_rows_mark_this_week_and_say_rest_only_between_bouts():
    first, second = plan_week_rows(_weeks(), 2, "mph")
    assert first.startswith("<tr><th") and "plan-now" not in first
    assert _cells(first) == [
        '<span class="stack-label">Week </span>1',
        "1.2",
        "0 %",
        "1 × 10 min",
        "—",
        "3",
        "Handrails within reach",
    ]
    assert second.startswith('<tr class="plan-now" aria-current="true">')
    assert _cells(second)[:5] == [
        '<span class="stack-label">Week </span>2 <span class="now-label">now</span>',
        "1.5",
        "2.5 %",
        "3 × 5 min",
        "1.5 min",
    ]
    assert '<td data-label="Speed (mph)">1.5</td>' in second
    assert 'Hold both handrails<br><span class="plan-small">Hold &lt;the&gt; rail &amp; breathe</span>' in second


def test_clinician_week_rows_show_the_stored_targets():
    first, second = week_rows(_weeks(), 1, "kmh")
    assert first.startswith('<tr class="table-primary current-week" aria-current="true">')
    assert _cells(first) == [
        '1 <span class="badge text-bg-primary">now</span>',
        "2.0",
        "0.0 %",
        "1 × 10 min",
        "1.0 min",
        "3",
        "Handrails within reach",
    ]
    assert second.startswith("<tr><th")
    assert '<span class="small text-body-secondary">Hold &lt;the&gt; rail &amp; breathe</span>' in second


def test_progress_rows_show_done_against_planned_and_dashes_ahead():
    series = [
        ChartWeek(1, date(2026, 3, 2), 1, 30, D("2.0"), future=False, done_minutes=20, done_speed_kmh=D("2.0"), pain=3),
        ChartWeek(2, date(2026, 3, 9), 2, 45, D("2.4"), future=True),
    ]
    walked, ahead = progress_rows(series, "kmh")
    assert _cells(walked) == ["1", "2 Mar", "1", "20 / 30", "2.0 / 2.0", "3", "—"]
    assert _cells(ahead) == ["2", "9 Mar", "2", "— / 45", "— / 2.4", "—", "—"]


@pytest.mark.django_db
def test_program_rows_are_the_programs_own_in_order(patient, other_patient, screen, prescribe, clinician):
    mine = prescribe(patient, screen(patient))
    theirs = prescribe(other_patient, screen(other_patient), by=other_patient.care_team.first())
    entry = services.SessionEntry(
        session_date=mine.start_date,
        minutes=10,
        speed_kmh=D("2.0"),
        incline_pct=D("0"),
        pain_before=1,
        pain_after=2,
        effort=11,
        event="none",
        rails="both_hands",
    )
    for program, by in ((mine, clinician), (mine, clinician), (theirs, other_patient.care_team.first())):
        services.session_log_create(prescription=program, by=by, entry=entry)
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.program_rows(mine, deciders=True)
        assert [w.week for w in rows.weeks] == list(range(1, mine.template.weeks + 1))
        assert len(rows.logs) == 2
        assert rows.decisions == []
        assert all(row.prescription is mine for row in [*rows.weeks, *rows.logs])
    assert len(queries) == 3
    # Each reads its own table, the decisions with who decided: nothing else is joined in.
    assert [query["sql"].count("JOIN") for query in queries] == [0, 0, 1]
    assert [log.pk for log in rows.logs] == list(
        mine.logs.order_by("session_date", "created_at").values_list("pk", flat=True)
    )


def _logs():
    from programs.models import SessionLog

    common = {"speed_kmh": D("2.0"), "incline_pct": D("0"), "pain_before": 1, "pain_after": 3, "rails": "both_hands"}
    walked = SessionLog(session_date=date(2026, 3, 4), week=1, minutes=12, effort=12, setting="home", **common)
    fell = SessionLog(
        session_date=date(2026, 3, 5),
        week=1,
        minutes=3,
        effort=15,
        setting="clinic",
        event="near_fall",
        note="<b>tripped</b>",
        pain_next_day=4,
        **common,
    )
    return [fell, walked]


def test_log_rows_offer_the_next_morning_form_only_where_it_can_be_added():
    fell, walked = _logs()
    context = {"csrf_token": "tok3n"}
    fell_row, walked_row = log_rows(context, [fell, walked], "kmh", [walked])
    assert fell_row.startswith('<tr class="table-danger"><td>5 Mar 2026</td><td>Clinic session</td>')
    assert "<td>1 → 3</td><td>4</td>" in fell_row  # next-morning pain already recorded
    assert "<strong>Near fall" in fell_row and "&lt;b&gt;tripped&lt;/b&gt;" in fell_row
    assert (
        f'<label class="visually-hidden" for="nd-{walked.public_id}">Pain the morning after 4 Mar (0–10)</label>'
        in (walked_row)
    )
    assert f'<input form="nd-form-{walked.public_id}"' in walked_row and "form-control-sm" in walked_row
    assert f'<button form="nd-form-{walked.public_id}"' in walked_row and "<td>No</td>" in walked_row
    # The row's inputs post with the form after the table (the table is kept; the form has the request's token).
    (form,) = next_day_forms(context, [walked])
    assert form == (
        f'<form id="nd-form-{walked.public_id}" method="post" action="/sessions/{walked.public_id}/next-day/">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="tok3n"></form>'
    )
    # A log past its next-morning window, or of a program that cannot change any more, shows a dash instead.
    assert "nd-form" not in log_rows(context, [walked], "kmh", [])[0]
    assert "<td>1 → 3</td><td>—</td>" in log_rows(context, [walked], "kmh", [])[0]
    (patient_row,) = plan_log_rows(context, [walked], "mph", True, [walked])
    assert patient_row.startswith(
        '<tr><td class="text-nowrap">Wed 4 Mar</td><td>12</td><td class="text-nowrap">1.2 mph'
    )
    assert f'class="form-control" id="nd-{walked.public_id}"' in patient_row
    assert "nd-form" not in plan_log_rows(context, [walked], "mph", False, [walked])[0]
    assert "nd-form" not in plan_log_rows(context, [walked], "mph", True, [])[0]
