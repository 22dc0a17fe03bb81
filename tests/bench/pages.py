"""The pages the benchmark loads, and the one request each is measured by.

Shared by the load run (``make bench``) and the query-count test in ``make test``,
so both measure the same requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LOG_NOTE = "benchmark load"  # the load run's own session logs carry this note; each run clears the last run's


@dataclass(frozen=True)
class Page:
    name: str
    user: str  # "clinician" or "patient"
    method: str
    paths: tuple[str, ...]  # the load cycles through these; queries are counted on the first
    data: dict = field(default_factory=dict)
    expect: int = 200
    search: str = ""  # the patient-list search term held in the session while this page is loaded
    shows: str = ""  # text the answer must contain (the proof that the request did its work)
    language: str = ""  # the language the page is read in (the browser's language cookie); "" for English

    @property
    def cookies(self) -> dict[str, str]:
        """Cookies the page is requested with beside the session's."""
        return {LANGUAGE_COOKIE: self.language} if self.language else {}


# Django's language cookie (settings.LANGUAGE_COOKIE_NAME): what the sign-in pages' language menu sets.
LANGUAGE_COOKIE = "django_language"


def log_form(today, note: str = LOG_NOTE) -> dict:
    """A walked clinic session without an event, as the log form posts it (km/h)."""
    return {
        "session_date": today.isoformat(),
        "minutes": "12",
        "speed_kmh": "2.0",
        "incline_pct": "0",
        "pain_before": "1",
        "pain_after": "2",
        "effort": "12",
        "event": "none",
        "rails": "both_hands",
        "note": note,
    }


def pages(*, caseload, search: str, today) -> list[Page]:
    """The benchmark's requests for a caseload built by ``tests.bench.seed.build_caseload``."""
    from django.urls import reverse

    from programs.models import PrescriptionStatus
    from programs.selectors import current_prescription

    patients = caseload.patients
    unprescribed = next(p for p in patients if current_prescription(patient=p) is None)
    own = current_prescription(patient=patients[0])
    active = [
        rx.public_id
        for rx in (current_prescription(patient=p) for p in patients)
        if rx is not None and rx.status == PrescriptionStatus.ACTIVE
    ]
    template = own.template
    log = log_form(today)
    preview = {
        "action": "preview",
        "template": str(template.pk),
        "start_date": today.isoformat(),
        "starting_speed_kmh": "2.0",
        "baseline_pain": "1",
        "protection": "standard",
    }
    return [
        Page("reference", "clinician", "GET", ("/bench/reference/",)),
        Page("dashboard", "clinician", "GET", (reverse("programs:dashboard"),)),
        Page("patient list", "clinician", "GET", (reverse("patients:list"),)),
        Page(
            "patient search", "clinician", "GET", (reverse("patients:list"),), search=search, shows=f'value="{search}"'
        ),
        Page("patient chart", "clinician", "GET", (patients[1].get_absolute_url(),)),
        # The chart and the plan as a Spanish-speaking clinician and patient read them (issue "Languages").
        Page(
            "patient chart (es)",
            "clinician",
            "GET",
            (patients[1].get_absolute_url(),),
            language="es",
            shows='<html lang="es"',
        ),
        Page(
            "prescribe preview",
            "clinician",
            "POST",
            (reverse("programs:prescribe", kwargs={"public_id": unprescribed.public_id}),),
            data=preview,
            shows=f'name="weeks-TOTAL_FORMS" value="{template.weeks}"',  # every week previewed
        ),
        Page("plan page", "patient", "GET", (reverse("programs:my_plan"),)),
        Page(
            "plan page (es)", "patient", "GET", (reverse("programs:my_plan"),), language="es", shows='<html lang="es"'
        ),
        Page(
            "plan PDF",
            "patient",
            "GET",
            (reverse("programs:plan_pdf", kwargs={"public_id": own.public_id}),),
        ),
        Page(
            "session-log POST",
            "clinician",
            "POST",
            tuple(reverse("programs:log", kwargs={"public_id": rx}) for rx in active),
            data=log,
            expect=302,
        ),
    ]
