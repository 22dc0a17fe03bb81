from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from patients import conditions, portal, selectors, services
from patients.forms import CareTeamAddForm, PatientForm, PatientSearchForm, PortalInviteForm, ScreeningForm
from retrowalk import audit
from retrowalk.models import AccessAction
from retrowalk.roles import ClinicianRequiredMixin, require_clinician

SEARCH_SESSION_KEY = "patients_search"


class PatientScopeMixin(ClinicianRequiredMixin):
    """Load the patient through the care-team scope: anything else is a 404."""

    def get_object(self, queryset=None):
        return selectors.patient_for(user=self.request.user, public_id=self.kwargs["public_id"])


class PatientListView(ClinicianRequiredMixin, ListView):
    template_name = "patients/patient_list.html"
    context_object_name = "patients"
    paginate_by = 25

    def get_queryset(self):
        self.sort = selectors.sort_key(self.request.GET.get("sort"))
        self.search = self.request.session.get(SEARCH_SESSION_KEY, "")
        queryset = selectors.patients_for(user=self.request.user)
        if self.search:
            queryset = selectors.patient_search(queryset, self.search)
        return selectors.patients_sorted(queryset, self.sort)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            sort=self.sort,
            search=self.search,
            search_form=PatientSearchForm(initial={"q": self.search}),
            columns=[("name", _("Name")), ("record", _("Record number")), ("condition", _("Condition"))],
        )
        return context


@require_POST
def patient_search(request):
    """Search terms are names: keep them out of URLs (and logs) by holding them in the session."""
    require_clinician(request.user)
    form = PatientSearchForm(request.POST)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if text and "clear" not in request.POST:
        request.session[SEARCH_SESSION_KEY] = text
    else:
        request.session.pop(SEARCH_SESSION_KEY, None)
    return redirect("patients:list")


class PatientFormMixin:
    form_class = PatientForm
    template_name = "patients/patient_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["side_labels"] = {
            **{code: spec.side_label for code, spec in conditions.CONDITION_FIELDS.items()},
            "": conditions.fields_for(None).side_label,  # a condition an administrator added
        }
        return context

    def _service_failed(self, form, exc: ValidationError):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return self.form_invalid(form)


class PatientCreateView(ClinicianRequiredMixin, PatientFormMixin, CreateView):
    def form_valid(self, form):
        try:
            self.object = services.patient_create(by=self.request.user, data=form.cleaned_data)
        except ValidationError as exc:
            return self._service_failed(form, exc)
        messages.success(
            self.request, _("%(patient)s was added. You are on the care team.") % {"patient": self.object.full_name}
        )
        return redirect(self.object)


class PatientUpdateView(PatientScopeMixin, PatientFormMixin, UpdateView):
    def form_valid(self, form):
        try:
            self.object = services.patient_update(
                patient=self.get_object(), by=self.request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            return self._service_failed(form, exc)
        messages.success(self.request, _("The patient's details were saved."))
        return redirect(self.object)


@method_decorator(never_cache, name="dispatch")
class PatientDetailView(PatientScopeMixin, DetailView):
    template_name = "patients/patient_detail.html"
    context_object_name = "patient"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        patient = self.object
        audit.access_record(self.request, AccessAction.CHART_VIEWED, patient_id=patient.public_id)
        care_team = selectors.care_team_of(patient=patient)
        status = portal.portal_status(patient=patient)
        every_screening = selectors.all_screenings(patient=patient)
        screenings = every_screening[: selectors.CHART_SCREENINGS]
        today = timezone.localdate()
        context.update(
            care_team=care_team,
            care_team_form=CareTeamAddForm().posted_through("care-team-add"),
            portal=status,
            invitation_days=settings.PORTAL_INVITATION_DAYS,
            portal_form=PortalInviteForm(patient=patient).posted_through("portal-invite"),
            side_label=conditions.fields_for(patient.condition_code).side_label,
            shown_fields=conditions.fields_for(patient.condition_code).shown,
            screenings=screenings,
            # Drawn only when the part is not kept; a new screening is among the ten its key holds.
            outcomes=partial(selectors.outcome_trends, patient=patient, screenings=every_screening),
            today=today,
            # The patient's part of the chart is kept ({% cache %}) for each state of what it is drawn from.
            patient_state=selectors.chart_state(
                patient=patient,
                care_team=care_team,
                portal=status,
                screenings=screenings,
                viewer=self.request.user,
                today=today,
            ),
            chart_sections=[
                section
                for path in settings.PATIENT_CHART_SECTIONS
                for section in import_string(path)(self.request, patient)
            ],
        )
        return context


@require_POST
def care_team_add(request, public_id):
    require_clinician(request.user)
    patient = selectors.patient_for(user=request.user, public_id=public_id)
    form = CareTeamAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("clinician", [_("Enter a colleague's username or email.")])))
        return redirect(patient)
    colleague = form.cleaned_data["clinician"]
    try:
        services.care_team_add(patient=patient, by=request.user, clinician=colleague)
    except services.PatientError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(name)s joined the care team.") % {"name": colleague.get_full_name() or colleague.username}
        )
    return redirect(patient)


def _screening_outcome_context(patient, form):
    """Preview the outcome for a filled-in form, saving nothing."""
    if not form.is_valid():
        return {"preview": None, "preview_missing": None, "preview_errors": True}
    outcome, missing = services.screening_preview(patient=patient, values=form.values())
    return {"preview": outcome, "preview_missing": missing, "preview_errors": False}


def screening_create(request, public_id):
    """Record a balance screening; "Check outcome" shows the result without saving."""
    require_clinician(request.user)
    patient = selectors.patient_for(user=request.user, public_id=public_id)
    context = {"patient": patient, "preview": None}
    if request.method == "POST":
        saving = request.POST.get("action") == "save"
        form = ScreeningForm(request.POST, patient=patient, preview=not saving)
        if saving and form.is_valid():
            try:
                screening = services.screening_record(patient=patient, by=request.user, values=form.values())
            except (services.ScreeningError, ValidationError) as exc:
                form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
            else:
                messages.success(
                    request,
                    _("Screening recorded: %(outcome)s. Valid until %(date)s.")
                    % {
                        "outcome": screening.get_outcome_display(),
                        "date": date_format(screening.valid_until, "DATE_FORMAT"),
                    },
                )
                return redirect(patient)
        context.update(_screening_outcome_context(patient, form))
    else:
        form = ScreeningForm(patient=patient)
    context["form"] = form
    return render(request, "patients/screening_form.html", context)


@require_POST
def screening_preview(request, public_id):
    """The outcome panel for the live preview on the screening form (an HTML fragment)."""
    require_clinician(request.user)
    patient = selectors.patient_for(user=request.user, public_id=public_id)
    form = ScreeningForm(request.POST, patient=patient, preview=True)
    context = {"patient": patient, **_screening_outcome_context(patient, form)}
    return render(request, "patients/_screening_outcome.html", context)
