"""What the program page and the chart's program section show, read in a fixed number of queries."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from patients.selectors import latest_screening
from programs import charts, forms, selectors, services
from programs.models import CURRENT_STATUSES, EDITABLE_STATUSES, PrescriptionStatus
from retrowalk.models import speed_unit_of


def program_context(*, prescription, user, today: date) -> dict:
    """Everything the program page and the chart's program section show, in a fixed number of queries."""
    rows = selectors.program_rows(prescription, deciders=True)
    weeks, logs, decisions = rows.weeks, rows.logs, rows.decisions
    unit = speed_unit_of(user)
    review = None
    if prescription.status == PrescriptionStatus.ACTIVE:
        review = services.review_of(prescription=prescription, logs=logs, weeks=weeks, today=today)
    series = charts.progress_series(prescription=prescription, weeks=weeks, logs=logs, decisions=decisions, today=today)
    version = {"version": prescription.version}
    return {
        "prescription": prescription,
        "weeks": weeks,
        "week_in_force": next((w for w in weeks if w.week == prescription.current_week), None),
        "logs": logs[::-1],
        "decisions": decisions[::-1],
        "review": review,
        "review_form": forms.ReviewForm(initial={**version, "action": review.decision.action}) if review else None,
        # Pause, stop and complete post the version alone (a hidden input in the template); resuming asks more.
        "resume_form": (
            forms.ResumeForm(initial=version, prescription=prescription)
            if prescription.status == PrescriptionStatus.PAUSED
            else None
        ),
        "series": series,
        "panels": charts.panels_of(series, prescription=prescription, unit=unit),
        "record": rows.state(prescription),
        "speed_unit": unit,
        "today": today,
        "editable": prescription.status in EDITABLE_STATUSES,
    }


def patient_sections(request, patient) -> list[dict]:
    """The patient chart's programs section (hooked in by settings.PATIENT_CHART_SECTIONS)."""
    programs = selectors.chart_programs(patient=patient)
    current = next((rx for rx in programs if rx.status in CURRENT_STATUSES), None)
    today = timezone.localdate()
    context = {"current": None, "past": [rx for rx in programs if rx is not current][:20]}
    if current is not None:
        context["current"] = program_context(prescription=current, user=request.user, today=today)
    else:
        context["blockers"] = services.prescribing_blockers(
            patient=patient, screening=latest_screening(patient=patient), today=today
        )
    return [{"template": "programs/_patient_programs.html", "context": context}]
