"""The patient's plan as one document: the plan page, the printed page and the PDF.

``plan_context`` loads a program once (a fixed number of queries) and says
everything the plan shows. ``render_pdf`` turns the printable page's HTML into a
PDF with WeasyPrint; its URL fetcher serves the app's own static files and
refuses everything else (no network, no other file on the machine).

Laying out a PDF takes WeasyPrint about half a second, while the same page and
paper always give the same document. ``render_pdf`` therefore keeps PDFs in
Django's ``documents`` cache keyed by a hash of the page and the paper: printing
the plan again costs only the page. The page carries the plan's state, the
patient and the print date, so any change, and every new day, makes a new
document; in production the stylesheets have hashed names, so a new release
does too.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from datetime import date
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import caches
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from programs import charts, plan, selectors
from programs.models import EDITABLE_STATUSES
from retrowalk import units
from retrowalk.models import speed_unit_of
from retrowalk.qr import qr_svg

log = logging.getLogger(__name__)

# Paper sizes offered for the PDF (CSS @page size names); both fit the plan on at most two pages.
PAPERS = {"a4": "A4", "letter": "letter"}
# The treadmill card is half a sheet of the reader's paper: A5 (half A4) or half US Letter, one page.
CARD_PAPERS = {"a4": "A5", "letter": "5.5in 8.5in"}
# Rows of the empty paper log: two weeks of three sessions (the most any shipped template plans).
LOG_GRID_ROWS = 6
# A host that never resolves: the only URLs the PDF may ask for start with this and STATIC_URL.
PDF_BASE_URL = "https://retrowalk.invalid/"
CHILD_CONDITIONS = ("cerebral_palsy",)


def language_for(prescription, viewer) -> str:
    """The plan speaks the patient's language (their portal preference), else the viewer's, as units do.

    The printed plan and the PDF go home with the patient: a clinician who reads English prints a
    Spanish-speaking patient's plan in Spanish.
    """
    patient = prescription.patient
    if patient.user_id is None or patient.user_id == viewer.pk:
        return translation.get_language()
    return patient.language or translation.get_language()


def unit_for(prescription, viewer) -> str:
    """The plan speaks the patient's unit (their portal preference), else the viewer's."""
    patient_user = prescription.patient.user
    if patient_user is None or patient_user.pk == viewer.pk:
        return speed_unit_of(viewer)  # the signed-in user's unit was read with them
    return speed_unit_of(patient_user)


def default_paper(unit: str) -> str:
    return "letter" if unit == units.MPH else "a4"


def plan_context(*, prescription, viewer, today: date, palette: charts.Palette = charts.SCREEN) -> dict:
    """What the plan page and the printable plan show. The progress chart (and the week decisions it
    reads) is worked out only when drawn: on the plan page, only when its kept part is not already kept."""
    rows = selectors.program_rows(prescription)
    weeks, logs = rows.weeks, rows.logs
    unit = unit_for(prescription, viewer)
    series = SimpleLazyObject(
        lambda: charts.progress_series(
            prescription=prescription, weeks=weeks, logs=logs, decisions=rows.decisions, today=today
        )
    )
    patient = prescription.patient
    return {
        "prescription": prescription,
        "patient": patient,
        "weeks": weeks,
        "logs": logs[::-1],
        "next_morning": rows.awaiting_next_morning(today),
        "unit": unit,
        "today": today,
        "planned_end": plan.planned_end(prescription, len(weeks)),
        "next": plan.next_session(
            prescription=prescription,
            week_row=rows.week_in_force,
            weeks=len(weeks),
            logs=logs,
            today=today,
            child=patient.condition_code in CHILD_CONDITIONS,
        ),
        "current_week": prescription.current_week if prescription.status in EDITABLE_STATUSES else None,
        "panels": charts.panels_of(series, prescription=prescription, unit=unit, palette=palette),
        "series": series,
        "record": rows.state(),
        "cues": plan.SAFETY_CUES,
        "stop_intro": plan.STOP_RULES_INTRO,
        "stop_rules": plan.STOP_RULES,
        "stop_staff": plan.STOP_RULES_STAFF,
        "after_a_fall": plan.AFTER_A_FALL,
        "pain_scale": plan.PAIN_SCALE,
        "effort_scale": plan.EFFORT_SCALE,
        "grid_rows": range(LOG_GRID_ROWS),
        "papers": PAPERS,
        "default_paper": default_paper(unit),
    }


def card_context(*, prescription, viewer, today: date, log_url: str) -> dict:
    """What the treadmill card shows: this week's session, its protection and the key stop rules, with the
    speed in both units and a QR code that opens the log form (``log_url``)."""
    context = plan_context(prescription=prescription, viewer=viewer, today=today, palette=charts.PRINT)
    context.update(
        # The card has room for the rules that mean danger (CLINICAL.md s6): chest pain, dizziness,
        # breathlessness, lost balance, rising joint pain. The plan prints them all.
        card_stop_rules=plan.STOP_RULES[:5],
        qr=qr_svg(log_url),
    )
    return context


# --- PDF ---


class StaticFileRefused(ValueError):
    """The PDF asked for something that is not one of the app's static files."""


def static_file_for(url: str) -> Path:
    """The file on disk behind one of our static URLs; anything else is refused."""
    prefix = PDF_BASE_URL.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        raise StaticFileRefused(f"The plan PDF uses only retrowalk's own static files, not {url!r}.")
    relative = unquote(urlsplit(url).path)[len(urlsplit(prefix).path) :]
    parts = PurePosixPath(relative).parts
    if not parts or ".." in parts or relative.startswith("/") or "\\" in relative:
        raise StaticFileRefused(f"Not a static file path: {url!r}.")
    found = finders.find(relative)
    if found:
        return Path(found)
    root = Path(settings.STATIC_ROOT).resolve()
    candidate = (root / relative).resolve()
    if candidate.is_relative_to(root) and candidate.is_file():
        return candidate
    raise StaticFileRefused(f"No such static file: {relative!r}.")


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_file_for(url)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    return StaticOnlyFetcher()


class PdfUnavailable(RuntimeError):
    """This server lacks the system libraries WeasyPrint needs (Pango); everything else still works."""


# A plan's PDF stays in the cache for a day at most: its page carries the print date.
PDF_CACHE_SECONDS = 24 * 60 * 60


def render_pdf(html: str, *, paper: str, sizes: dict[str, str] = PAPERS) -> bytes:
    """The printable page's HTML as a PDF on ``sizes[paper]`` (the same page and size: the same bytes)."""
    size = sizes[paper]
    key = "plan-pdf:" + hashlib.sha256(f"{size}\n{html}".encode()).hexdigest()
    store = caches["documents"]
    content = store.get(key)
    if content is None:
        content = _write_pdf(html, size=size)
        store.set(key, content, PDF_CACHE_SECONDS)
    return content


def _write_pdf(html: str, *, size: str) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which only the PDF needs.
    try:
        from weasyprint import CSS, HTML
    except OSError as exc:
        log.error("The plan PDF needs Pango: %s", exc)
        raise PdfUnavailable(str(exc)) from exc

    page = CSS(string=f"@page {{ size: {size}; }}")
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=_fetcher()).write_pdf(stylesheets=[page])
