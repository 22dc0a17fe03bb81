"""Programs pages: dashboard, prescribing, the program page and its POST-only actions, session logs."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from patients.selectors import latest_screening, patient_for, patients_for
from programs import (
    charts,
    documents,
    fhir,
    forms,
    history,
    ical,
    messaging,
    pages,
    plan,
    schedule,
    selectors,
    services,
    summary,
)
from programs.forms import ClosingNoteForm
from programs.models import PrescriptionStatus, SessionEvent, SessionLog
from programs.progression import suggest_starting_speed
from retrowalk import audit
from retrowalk.models import AccessAction, language_of, speed_unit_of
from retrowalk.offline import available_offline
from retrowalk.roles import is_clinician, is_patient, require_clinician, require_patient

DASHBOARD_PAGE = 25


@never_cache
@require_safe
def dashboard(request):
    """The clinician's patients, most urgent first, with their flags and adherence."""
    require_clinician(request.user)
    today = timezone.localdate()
    page = Paginator(selectors.dashboard_facts(user=request.user, today=today), DASHBOARD_PAGE).get_page(
        request.GET.get("page")
    )
    rows = page.object_list
    progress = selectors.progress_of(rows=rows, today=today, clinician=request.user)
    for row in rows:
        row.progress = progress.get(row.rx_id)
    # The table is kept ({% cache %}) for each state of what its rows show: every fact, flag and adherence.
    shown = [(row, row.progress) for row in rows]
    return render(request, "programs/dashboard.html", {"page": page, "rows": rows, "shown": shown, "today": today})


# --- The patient's plan: page, printable page, PDF ---


@never_cache
@require_safe
@available_offline
def my_plan(request):
    """Today's (or the next) session first, then the stop rules, every week, progress and the logs."""
    require_patient(request.user)
    programs = selectors.own_programs(user=request.user)
    prescription = selectors.plan_of(programs)
    if prescription is None:
        return render(request, "programs/my_plan.html", {"prescription": None})
    _record(request, AccessAction.PLAN_VIEWED, prescription)
    context = documents.plan_context(prescription=prescription, viewer=request.user, today=timezone.localdate())
    context["plan_chart"] = {key: context[key] for key in ("panels", "series", "record", "today")}
    context["earlier"] = [rx for rx in programs if rx.pk != prescription.pk]
    context["calendar_on"] = selectors.has_calendar_feed(patient=prescription.patient)
    return render(request, "programs/my_plan.html", context)


def _record(request, action: AccessAction, prescription) -> None:
    audit.access_record(request, action, patient_id=prescription.patient.public_id, object_id=prescription.public_id)


def _printable(request, prescription, *, pdf: bool):
    context = documents.plan_context(
        prescription=prescription, viewer=request.user, today=timezone.localdate(), palette=charts.PRINT
    )
    back = prescription.get_absolute_url() if is_clinician(request.user) else reverse("programs:my_plan")
    context.update(pdf=pdf, back_url=back)
    return context


@never_cache
@require_safe
def plan_print(request, public_id):
    """The printable plan (the PDF's very page), in the patient's language: the patient's own, or a patient
    on the clinician's team."""
    prescription = selectors.prescription_for(user=request.user, public_id=public_id)
    with translation.override(documents.language_for(prescription, request.user)):
        context = _printable(request, prescription, pdf=False)
        response = render(request, "programs/plan_print.html", context)
    _record(request, AccessAction.PLAN_PRINTED, prescription)
    return response


@never_cache
@require_safe
def plan_pdf(request, public_id):
    prescription = selectors.prescription_for(user=request.user, public_id=public_id)
    with translation.override(documents.language_for(prescription, request.user)):
        context = _printable(request, prescription, pdf=True)
        paper = _paper(request, context, documents.PAPERS)
        html = render_to_string("programs/plan_print.html", context, request=request)
    return _pdf(request, prescription, html, context, paper=paper, sizes=documents.PAPERS, name="plan-{start}-{paper}")


def _paper(request, context, sizes) -> str:
    """The paper asked for (``?paper=``), else the reader's (their unit's) default."""
    paper = request.GET.get("paper")
    return paper if paper in sizes else context["default_paper"]


def _pdf(request, prescription, html, context, *, paper, sizes, name, action=AccessAction.PLAN_PDF):
    """A printable page's HTML as a PDF download, recorded in the access log (503 page without Pango)."""
    try:
        content = documents.render_pdf(html, paper=paper, sizes=sizes)
    except documents.PdfUnavailable:
        return render(request, "programs/pdf_unavailable.html", context, status=503)
    _record(request, action, prescription)
    response = HttpResponse(content, content_type="application/pdf")
    filename = "retrowalk-" + name.format(start=f"{prescription.start_date:%Y-%m-%d}", paper=paper) + ".pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The program's summary: screen, print, PDF and text ---


def _summary_context(request, prescription, *, pdf: bool) -> dict:
    today = timezone.localdate()
    result = summary.program_summary(prescription=prescription, today=today)
    clinician = is_clinician(request.user)
    unit = speed_unit_of(request.user)
    doses = (
        [(_("First session"), result.first_dose), (_("Last session"), result.last_dose)] if result.first_dose else []
    )
    return {
        "s": result,
        "prescription": prescription,
        "patient": prescription.patient,
        "unit": unit,
        "doses": doses,
        "today": today,
        "pdf": pdf,
        "is_clinician": clinician,
        "papers": documents.PAPERS,
        "default_paper": documents.default_paper(unit),
        "back_url": prescription.get_absolute_url() if clinician else reverse("programs:my_plan"),
        "note_form": ClosingNoteForm(initial={"version": prescription.version, "note": prescription.closing_note})
        if clinician and not pdf
        else None,
    }


@never_cache
@require_safe
def program_summary(request, public_id):
    """The discharge (or, while it runs, progress) summary: the care team's, or the patient's own."""
    prescription = selectors.prescription_for(user=request.user, public_id=public_id)
    response = render(request, "programs/summary.html", _summary_context(request, prescription, pdf=False))
    _record(request, AccessAction.SUMMARY_VIEWED, prescription)
    return response


@never_cache
@require_safe
def program_summary_pdf(request, public_id):
    prescription = selectors.prescription_for(user=request.user, public_id=public_id)
    context = _summary_context(request, prescription, pdf=True)
    paper = _paper(request, context, documents.PAPERS)
    html = render_to_string("programs/summary.html", context, request=request)
    return _pdf(
        request,
        prescription,
        html,
        context,
        paper=paper,
        sizes=documents.PAPERS,
        name="summary-{start}-{paper}",
        action=AccessAction.SUMMARY_PDF,
    )


# --- The record as FHIR (the care team's export, the patient's own copy) ---


def _fhir_response(request, patient) -> HttpResponse:
    records = selectors.fhir_records([patient])
    with translation.override(settings.LANGUAGE_CODE):  # the record's text in one language, as the bulk export's
        data = fhir.bundle(records[0], selectors.record_authors(records))
    content = json.dumps(data, ensure_ascii=False, indent=1)
    audit.access_record(request, AccessAction.RECORD_EXPORTED, patient_id=patient.public_id)
    response = HttpResponse(content, content_type="application/fhir+json; charset=utf-8")
    name = f"retrowalk-record-{patient.record_number}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{"".join(c for c in name if c.isalnum() or c in "-._")}"'
    return response


@never_cache
@require_safe
def patient_record(request, public_id):
    """A patient's whole record as a FHIR R4 Bundle, for their care team."""
    require_clinician(request.user)
    return _fhir_response(request, patient_for(user=request.user, public_id=public_id))


def _own_patient(request):
    """The signed-in patient's own record (403 for anyone else, 404 for a patient login without one)."""
    require_patient(request.user)
    patient = patients_for(user=request.user).first()
    if patient is None:
        raise Http404("No record.")
    return patient


@never_cache
@require_safe
def my_record(request):
    """The patient's own record as a FHIR R4 Bundle."""
    return _fhir_response(request, _own_patient(request))


# --- The calendar feed: the patient's private address, and the feed itself ---


@require_POST
def calendar_renew(request):
    """Make the patient's calendar address (or a new one: the old stops at once) and show it, once."""
    token = services.calendar_feed_renew(patient=_own_patient(request))
    address = request.build_absolute_uri(reverse("programs:calendar_feed", kwargs={"token": token}))
    response = render(
        request,
        "programs/calendar_address.html",
        {"address": address, "webcal": "webcal://" + address.split("://", 1)[1]},
    )
    add_never_cache_headers(response)
    return response


@require_POST
def calendar_stop(request):
    if services.calendar_feed_stop(patient=_own_patient(request)):
        messages.success(request, _("Your calendar address is stopped: calendars that used it get nothing more."))
    return redirect("programs:my_plan")


@login_not_required
@never_cache
@require_safe
def calendar_feed(request, token):
    """The planned sessions as iCalendar, for the address's token alone (phone calendars send no login).
    No such address, portal access ended or no program running: 404, never a reason."""
    prescription = selectors.calendar_feed_program(token)
    if prescription is None:
        raise Http404("No such calendar.")
    rows = selectors.program_rows(prescription)
    today = timezone.localdate()
    series = charts.progress_series(
        prescription=prescription, weeks=rows.weeks, logs=rows.logs, decisions=rows.decisions, today=today
    )
    patient_user = prescription.patient.user
    chosen = selectors.reminder_settings_of(user=patient_user)
    sessions = schedule.planned_sessions(
        series,
        paused=prescription.status == PrescriptionStatus.PAUSED,
        today=today,
        weekdays=chosen.weekdays if chosen else frozenset(),
    )
    content = ical.feed_ics(
        prescription=prescription,
        sessions=sessions,
        week_rows=rows.weeks,
        language=language_of(patient_user) or settings.LANGUAGE_CODE,
        unit=speed_unit_of(patient_user),
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="retrowalk.ics"'
    return response


# --- Reminders and the digest: the user's choices, and the emails' unsubscribe link ---


@never_cache
def reminder_settings(request):
    """A patient's session reminders and a clinician's daily digest (Settings → Reminders)."""
    patient, clinician = is_patient(request.user), is_clinician(request.user)
    if not (patient or clinician):
        raise PermissionDenied
    saved = selectors.reminder_settings_of(user=request.user)
    if request.method == "POST":
        form = forms.ReminderSettingsForm(request.POST, patient=patient, clinician=clinician)
        if form.is_valid():
            services.reminder_settings_update(user=request.user, data=form.cleaned_data)
            messages.success(request, _("Your reminder settings were saved."))
            return redirect("programs:reminders")
    else:
        initial = {
            "session_reminders": saved.session_reminders if saved else False,
            "session_time": saved.session_time if saved else "08:00",
            "session_days": sorted(saved.weekdays)
            if saved and saved.session_days
            else (selectors.suggested_session_days(user=request.user) if patient else []),
            "digest": saved.digest if saved else False,
            "digest_time": saved.digest_time if saved else "07:30",
        }
        form = forms.ReminderSettingsForm(initial=initial, patient=patient, clinician=clinician)
    return render(
        request, "programs/reminder_settings.html", {"form": form, "patient": patient, "zone": settings.TIME_ZONE}
    )


@login_not_required
@csrf_exempt  # the mail client's one-click POST (RFC 8058) carries the signed link, not a CSRF token
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """Stop a kind of email from the link in it, without signing in: the page asks, a POST does it."""
    found = messaging.read_unsubscribe_token(token)
    if found is None:
        return render(request, "programs/unsubscribe.html", {"invalid": True}, status=400)
    user_id, kind = found
    if request.method == "POST":
        messaging.unsubscribe(user_id, kind)
        return render(request, "programs/unsubscribe.html", {"done": True, "kind": kind})
    return render(request, "programs/unsubscribe.html", {"kind": kind})


# --- Prescribing ---


def _suggestion(patient, template, screening):
    return suggest_starting_speed(
        rule=template.starting_speed_rule,
        bmwt_seconds=screening.bmwt_seconds if screening else None,
        forward_kmh=patient.comfortable_forward_speed_kmh,
        cap_kmh=template.max_start_speed_kmh,
    )


@never_cache
def prescribe(request, public_id):
    """Template → personalise → preview every week (editable within the caps) → save."""
    require_clinician(request.user)
    patient = patient_for(user=request.user, public_id=public_id)
    unit = speed_unit_of(request.user)
    screening = latest_screening(patient=patient)
    current = selectors.current_prescription(patient=patient)
    if current is not None:
        messages.info(
            request,
            _("%(patient)s already has a current program (%(status)s): complete or stop it before prescribing another.")
            % {"patient": patient.full_name, "status": current.get_status_display().lower()},
        )
        return redirect(current)
    today = timezone.localdate()
    context = {"patient": patient, "screening": screening, "today": today, "weeks": None}
    # Only a new screening can lift these: the page says why and offers it instead of a form.
    context["blockers"] = services.prescribing_blockers(patient=patient, screening=screening, today=today)
    if context["blockers"]:
        return render(request, "programs/prescribe.html", context)
    action = request.POST.get("action") if request.method == "POST" else None
    form = forms.PrescribeForm(request.POST if action else None, patient=patient, unit=unit)
    first = form.templates[0] if form.templates else None
    if first is None:
        context["form"] = None
        return render(request, "programs/prescribe.html", context)
    if action is None:
        suggestion = _suggestion(patient, first, screening)
        form.initial = {
            "template": first,
            "start_date": timezone.localdate(),
            "starting_speed_kmh": suggestion.kmh,
            "baseline_pain": 0,
        }
        context.update(form=form, suggestion=suggestion)
        return render(request, "programs/prescribe.html", context)
    context["form"] = form
    if not form.is_valid():
        return render(request, "programs/prescribe.html", context)
    template = form.cleaned_data["template"]
    context["suggestion"] = _suggestion(patient, template, screening)
    plan = services.prescription_plan(
        template=template, starting_speed_kmh=form.cleaned_data["starting_speed_kmh"], patient=patient
    )
    preview = None
    if action == "save" and request.POST.get("weeks-TOTAL_FORMS"):
        weeks = forms.week_formset(data=request.POST, unit=unit, template=template)
    else:
        preview = forms.initial_weeks(plan)
        weeks = forms.week_formset(unit=unit, template=template, initial=preview)
    # An unposted preview's weeks follow from ``preview`` alone: the page keeps them drawn ({% cache %}).
    context.update(weeks=weeks, template=template, preview=preview)
    if action != "save" or not weeks.is_valid():
        return render(request, "programs/prescribe.html", context)
    try:
        prescription = services.prescription_create(
            patient=patient,
            template=template,
            screening=screening,
            by=request.user,
            start_date=form.cleaned_data["start_date"],
            starting_speed_kmh=form.cleaned_data["starting_speed_kmh"],
            baseline_pain=form.cleaned_data["baseline_pain"],
            protection=form.protection_facts(),
            weeks=weeks.targets(),
        )
    except services.PrescriptionError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return render(request, "programs/prescribe.html", context)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return render(request, "programs/prescribe.html", context)
    messages.success(
        request,
        _("%(template)s prescribed for %(patient)s, starting %(date)s.")
        % {
            "template": prescription.template.name,
            "patient": patient.full_name,
            "date": date_format(prescription.start_date, "DATE_FORMAT"),
        },
    )
    return redirect(patient)


# --- The program page and its actions ---


def _program_viewed(request, public_id, action: AccessAction):
    """A clinician's look at one of their patients' programs, recorded in the access log."""
    require_clinician(request.user)
    prescription = selectors.prescription_for(user=request.user, public_id=public_id)
    _record(request, action, prescription)
    return prescription


@never_cache
@require_safe
def prescription_detail(request, public_id):
    prescription = _program_viewed(request, public_id, AccessAction.PROGRAM_VIEWED)
    program = pages.program_context(prescription=prescription, user=request.user, today=timezone.localdate())
    return render(
        request,
        "programs/prescription_detail.html",
        {"patient": prescription.patient, "prescription": prescription, "program": program},
    )


@never_cache
@require_safe
def prescription_history(request, public_id):
    """Every change to the program and its weeks: who, when, old and new values (read-only)."""
    prescription = _program_viewed(request, public_id, AccessAction.HISTORY_VIEWED)
    entries = history.prescription_history(prescription, unit=speed_unit_of(request.user))
    return render(
        request,
        "programs/prescription_history.html",
        {"patient": prescription.patient, "prescription": prescription, "entries": entries},
    )


@never_cache
def prescription_adjust(request, public_id):
    """Change any week within the template's caps; a stale save (version) is refused."""
    require_clinician(request.user)
    prescription = selectors.prescription_for(user=request.user, public_id=public_id)
    unit = speed_unit_of(request.user)
    rows = list(prescription.weeks.all())
    if request.method == "POST":
        version_form = forms.VersionForm(request.POST)
        weeks = forms.week_formset(data=request.POST, unit=unit, template=prescription.template)
        if version_form.is_valid() and weeks.is_valid():
            try:
                services.prescription_adjust(
                    prescription=prescription,
                    by=request.user,
                    expected_version=version_form.cleaned_data["version"],
                    weeks=weeks.targets(),
                )
            except services.PrescriptionError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The program's weeks were saved."))
                return redirect(prescription)
        elif not version_form.is_valid():
            messages.error(request, _("The form was incomplete: reload the page and try again."))
    else:
        version_form = forms.VersionForm(initial={"version": prescription.version})
        weeks = forms.week_formset(unit=unit, template=prescription.template, initial=forms.initial_weeks(rows))
    return render(
        request,
        "programs/prescription_adjust.html",
        {"prescription": prescription, "patient": prescription.patient, "weeks": weeks, "version_form": version_form},
    )


def _action(request, public_id, form_class, run, done, back=None, **form_kwargs):
    """One POST-only state change: validate the small form, call one service, say what happened, and go
    back to the program (or to ``back(prescription)``)."""
    require_clinician(request.user)
    prescription = selectors.prescription_for(user=request.user, public_id=public_id)
    target = back(prescription) if back else prescription
    form = form_class(request.POST, **{k: v(prescription) for k, v in form_kwargs.items()})
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(errors)
            messages.error(request, _("%(field)s: %(errors)s") % {"field": label, "errors": text} if label else text)
        return redirect(target)
    try:
        result = run(prescription, form)
    except services.PrescriptionError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(target)


@require_POST
def prescription_pause(request, public_id):
    return _action(
        request,
        public_id,
        forms.PauseForm,
        lambda rx, f: services.prescription_pause(
            prescription=rx,
            by=request.user,
            expected_version=f.cleaned_data["version"],
            reason=f.cleaned_data["reason"],
        ),
        _("The program is paused. No session can be logged until it is resumed."),
    )


@require_POST
def prescription_resume(request, public_id):
    return _action(
        request,
        public_id,
        forms.ResumeForm,
        lambda rx, f: services.prescription_resume(
            prescription=rx,
            by=request.user,
            expected_version=f.cleaned_data["version"],
            protection=f.protection_facts(),
        ),
        _("The program is active again; the week in force starts today."),
        prescription=lambda rx: rx,
    )


@require_POST
def prescription_stop(request, public_id):
    return _action(
        request,
        public_id,
        forms.StopForm,
        lambda rx, f: services.prescription_stop(
            prescription=rx,
            by=request.user,
            expected_version=f.cleaned_data["version"],
            reason=f.cleaned_data["reason"],
        ),
        _("The program was stopped."),
    )


@require_POST
def prescription_closing_note(request, public_id):
    return _action(
        request,
        public_id,
        forms.ClosingNoteForm,
        lambda rx, f: services.prescription_closing_note(
            prescription=rx, by=request.user, expected_version=f.cleaned_data["version"], note=f.cleaned_data["note"]
        ),
        _("The closing note was saved."),
        back=lambda rx: reverse("programs:summary", kwargs={"public_id": rx.public_id}),
    )


@require_POST
def prescription_complete(request, public_id):
    return _action(
        request,
        public_id,
        forms.VersionForm,
        lambda rx, f: services.prescription_complete(
            prescription=rx, by=request.user, expected_version=f.cleaned_data["version"]
        ),
        _("The program is marked completed."),
    )


@require_POST
def progression_apply(request, public_id):
    return _action(
        request,
        public_id,
        forms.ReviewForm,
        lambda rx, f: services.progression_apply(
            prescription=rx,
            by=request.user,
            expected_version=f.cleaned_data["version"],
            action=f.cleaned_data["action"],
            note=f.cleaned_data["note"],
        ),
        lambda decision: (
            _("Week %(week)s reviewed: %(action)s.")
            % {"week": decision.week, "action": decision.get_action_display().lower()}
        ),
    )


# --- Session logs (clinician in clinic, patient at home) ---


@never_cache
@available_offline
def session_log_create(request, public_id):
    # A log needs the program's caps (its template) and, on the form page, the patient's name.
    prescription = selectors.prescription_for(user=request.user, public_id=public_id, related=("patient", "template"))
    unit = speed_unit_of(request.user)
    back = prescription if is_clinician(request.user) else "programs:my_plan"
    refusal = services.session_log_refusal(prescription)
    if refusal:
        messages.error(request, refusal)
        return redirect(back)
    if request.method == "POST":
        form = forms.SessionLogForm(request.POST, unit=unit, prescription=prescription)
        if form.is_valid():
            try:
                log = services.session_log_create(
                    prescription=prescription,
                    by=request.user,
                    entry=services.SessionEntry(**form.entry_values()),
                    submission=form.cleaned_data["submission"],
                )
            except services.PrescriptionError as exc:
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if log.is_fall_event:
                    messages.warning(request, _logged(log))
                else:
                    messages.success(request, _logged(log))
                return redirect(back)
    week = prescription.weeks.filter(week=prescription.current_week).first()  # only the form page shows it
    if request.method != "POST":
        initial = {"session_date": timezone.localdate(), "event": "none"}
        if week is not None:
            initial.update(minutes=week.session_minutes, speed_kmh=week.speed_kmh, incline_pct=week.incline_pct)
        form = forms.SessionLogForm(initial=initial, unit=unit, prescription=prescription)
    return render(
        request,
        "programs/session_log_form.html",
        {
            "form": form,
            "prescription": prescription,
            "patient": prescription.patient,
            "week": week,
            "stop_intro": plan.STOP_RULES_INTRO,
            "stop_rules": plan.STOP_RULES,
            "after_a_fall": plan.AFTER_A_FALL,
        },
    )


@require_POST
def session_log_next_day(request, public_id):
    log = get_object_or_404(
        SessionLog.objects.select_related("prescription"),
        public_id=public_id,
        prescription__in=selectors.prescriptions_for(user=request.user),
    )
    back = log.prescription if is_clinician(request.user) else "programs:my_plan"
    form = forms.NextDayPainForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Next-morning pain is a whole number from 0 to 10."))
        return redirect(back)
    try:
        services.session_log_next_day_pain(log=log, by=request.user, pain=form.cleaned_data["pain"])
    except services.PrescriptionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Next-morning pain after %(date)s recorded.") % {"date": date_format(log.session_date, "DATE_FORMAT")},
        )
    return redirect(back)


def _logged(log) -> str:
    """What the patient or clinician is told once a log is saved."""
    if log.is_fall_event:
        return _(
            "%(event)s logged. The program is paused and the balance screening is void: rescreen before resuming."
        ) % {"event": SessionEvent(log.event).short_label}
    return _("Session of %(date)s logged.") % {"date": date_format(log.session_date, "DATE_FORMAT")}


@never_cache
@require_POST
def session_log_sync(request, public_id):
    """A session log kept on the patient's phone without a connection, sent when it returned (JSON answer).

    The form is the log form's, with the id made on the phone as its submission: the first arrival saves
    the log (201 "saved"), every later one finds it (200 "already_saved"). A log the server cannot take —
    the program was paused or stopped meanwhile, a value is out of range — is "refused" with the reasons,
    which the phone shows to the patient; nothing is saved.
    """
    prescription = selectors.prescription_for(user=request.user, public_id=public_id, related=("patient", "template"))
    form = forms.SessionLogForm(request.POST, unit=speed_unit_of(request.user), prescription=prescription)
    if not form.is_valid() or form.cleaned_data["submission"] is None:
        reasons = [
            _("%(field)s: %(errors)s") % {"field": form.fields[field].label, "errors": " ".join(errors)}
            if field in form.fields and field != "submission"
            else " ".join(errors)
            for field, errors in form.errors.items()
        ] or [_("This log has no id: open the session form again.")]
        return JsonResponse({"result": "refused", "reasons": reasons}, status=400)
    try:
        log, saved = services.session_log_submit(
            prescription=prescription,
            by=request.user,
            entry=services.SessionEntry(**form.entry_values()),
            submission=form.cleaned_data["submission"],
        )
    except services.PrescriptionError as exc:
        return JsonResponse({"result": "refused", "reasons": exc.messages}, status=409)
    except ValidationError as exc:
        return JsonResponse({"result": "refused", "reasons": exc.messages}, status=400)
    if not saved:
        return JsonResponse({"result": "already_saved", "message": _("This session was already saved.")})
    return JsonResponse({"result": "saved", "message": _logged(log)}, status=201)


# --- At the treadmill: the session timer and the treadmill card ---


@never_cache
@require_safe
@available_offline
def session_timer(request, public_id):
    """This week's session as timed steps: the warm-up, each bout and each rest, then the log, filled in."""
    prescription = selectors.prescription_for(user=request.user, public_id=public_id)
    clinician = is_clinician(request.user)
    _record(request, AccessAction.PROGRAM_VIEWED if clinician else AccessAction.PLAN_VIEWED, prescription)
    context = documents.plan_context(prescription=prescription, viewer=request.user, today=timezone.localdate())
    upcoming = context["next"]
    steps = plan.timer_steps(upcoming.targets) if upcoming.can_log and upcoming.targets else ()
    context.update(
        steps=steps,
        warm_up_minutes=plan.WARM_UP_SECONDS // 60,
        timer_unit=speed_unit_of(request.user),
        back_url=prescription.get_absolute_url() if clinician else reverse("programs:my_plan"),
    )
    return render(request, "programs/session_timer.html", context)


def _card_context(request, prescription, *, pdf: bool) -> dict:
    context = documents.card_context(
        prescription=prescription,
        viewer=request.user,
        today=timezone.localdate(),
        log_url=request.build_absolute_uri(reverse("programs:log", kwargs={"public_id": prescription.public_id})),
    )
    back = prescription.get_absolute_url() if is_clinician(request.user) else reverse("programs:my_plan")
    context.update(pdf=pdf, back_url=back)
    return context


@never_cache
@require_safe
@available_offline
def treadmill_card(request, public_id):
    """The card to keep on the treadmill: this week's dose in very large type, in the patient's language."""
    prescription = selectors.prescription_for(user=request.user, public_id=public_id)
    with translation.override(documents.language_for(prescription, request.user)):
        response = render(request, "programs/treadmill_card.html", _card_context(request, prescription, pdf=False))
    _record(request, AccessAction.PLAN_PRINTED, prescription)
    return response


@never_cache
@require_safe
def treadmill_card_pdf(request, public_id):
    """The treadmill card as a one-page PDF: A5 (``?paper=a4``, the card is half an A4 sheet) or half Letter."""
    prescription = selectors.prescription_for(user=request.user, public_id=public_id)
    with translation.override(documents.language_for(prescription, request.user)):
        context = _card_context(request, prescription, pdf=True)
        context["paper"] = paper = _paper(request, context, documents.CARD_PAPERS)
        html = render_to_string("programs/treadmill_card.html", context, request=request)
    return _pdf(
        request, prescription, html, context, paper=paper, sizes=documents.CARD_PAPERS, name="treadmill-card-{paper}"
    )
