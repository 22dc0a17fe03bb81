"""What the program page and the chart's program section show, read in a fixed number of queries."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from patients.selectors import latest_screening
from programs import charts, forms, selectors, services
from programs.models import CURRENT_STATUSES, EDITABLE_STATUSES, PrescriptionStatus
from retrowalk.models import speed_unit_of


def program_context(*, prescription, user, today: date) -> dict:
    """Everything the program page and the chart's program section show, in a fixed number of queries.

    The program's part of the page is kept ({% cache %}) for each state of its record, which the logs
    tell (read at once: they also name the next-morning forms drawn after it). Everything else it shows
    is read or worked out only when it is drawn (SimpleLazyObject): when it is already kept, never.
    """
    rows = selectors.program_rows(prescription, deciders=True)
    logs = rows.logs
    unit = speed_unit_of(user)
    active = prescription.status == PrescriptionStatus.ACTIVE
    public_id = prescription.public_id
    editable = prescription.status in EDITABLE_STATUSES
    review = SimpleLazyObject(
        lambda: (
            services.review_of(prescription=prescription, logs=logs, weeks=rows.weeks, today=today) if active else None
        )
    )
    series = SimpleLazyObject(
        lambda: charts.progress_series(
            prescription=prescription, weeks=rows.weeks, logs=logs, decisions=rows.decisions, today=today
        )
    )
    version = {"version": prescription.version}
    return {
        "prescription": prescription,
        "weeks": SimpleLazyObject(lambda: rows.weeks),
        "week_in_force": SimpleLazyObject(lambda: rows.week_in_force),
        "logs": logs[::-1],
        "decisions": SimpleLazyObject(lambda: rows.decisions[::-1]),
        "review": review,
        "review_form": SimpleLazyObject(
            lambda: (
                forms.ReviewForm(initial={**version, "action": review.decision.action}).posted_through(
                    f"review-{public_id}"
                )
                if active
                else None
            )
        ),
        # Pause, stop and complete post the version alone (a hidden input in the template); resuming asks more.
        "resume_form": SimpleLazyObject(
            lambda: (
                forms.ResumeForm(initial=version, prescription=prescription).posted_through(f"resume-{public_id}")
                if prescription.status == PrescriptionStatus.PAUSED
                else None
            )
        ),
        "series": series,
        "panels": charts.panels_of(series, prescription=prescription, unit=unit),
        "record": rows.state(),
        "speed_unit": unit,
        "today": today,
        "editable": editable,
        # The logs whose next-morning pain can still be added (their inputs are in the kept log table).
        "next_morning": rows.awaiting_next_morning(today) if editable else [],
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
