from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from patients import conditions
from patients import screening as screening_rules
from patients.models import BalanceScreening, Condition, Patient
from patients.portal import username_base
from retrowalk.forms import WIDGET_RENDERER, PostedThroughMixin
from retrowalk.models import language_of
from retrowalk.roles import CLINICIANS

# Which conditions show each detail field (for the form's data-conditions attributes).
_SHOWN_FOR = {
    name: " ".join(code for code, spec in conditions.CONDITION_FIELDS.items() if name in spec.shown)
    for name in conditions.DETAIL_FIELDS
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PatientForm(forms.ModelForm):
    default_renderer = WIDGET_RENDERER
    condition = forms.ModelChoiceField(
        label=_("Condition"),
        queryset=Condition.objects.all(),
        to_field_name="code",
        empty_label=_("Choose the condition…"),
    )

    class Meta:
        model = Patient
        fields = [
            "record_number",
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "condition",
            "comfortable_forward_speed_kmh",
            "affected_side",
            "surgery_date",
            "graft",
            "meniscal_repair",
            "microfracture",
            "kl_grade",
            "stroke_date",
            "walking_aid",
            "gmfcs_level",
        ]
        # Decimals are typed and shown the reader's way: 3,5 km/h in Spanish (retrowalk.formats).
        localized_fields = ["comfortable_forward_speed_kmh"]
        widgets = {
            "date_of_birth": DateInput(),
            "surgery_date": DateInput(),
            "stroke_date": DateInput(),
            "kl_grade": forms.Select(choices=[("", "—")] + [(g, str(g)) for g in range(5)]),
            "gmfcs_level": forms.Select(
                choices=[("", "—")]
                + [
                    (n, format_lazy(_("Level {level}"), level=r))
                    for n, r in enumerate(["I", "II", "III", "IV", "V"], 1)
                ]
            ),
        }
        labels = {"affected_side": _("Affected side")}
        help_texts = {
            "affected_side": _(
                "ACL: the operated knee · knee OA: the painful knee · stroke: the paretic side · "
                "cerebral palsy: the more affected side."
            ),
            "comfortable_forward_speed_kmh": _(
                "Overground, at the patient's own comfortable pace (e.g. the "
                "10-metre walk test). Used to suggest a starting backward speed."
            ),
            "meniscal_repair": _("Also done at the reconstruction."),
            "microfracture": _("Also done at the reconstruction."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.condition_id and not self.is_bound:
            # The select is keyed by condition code (the page script reads it), not by id.
            self.initial["condition"] = self.instance.condition.code
        today = timezone.localdate().isoformat()
        for name in ("date_of_birth", "surgery_date", "stroke_date"):
            self.fields[name].widget.attrs["max"] = today
        self.fields["comfortable_forward_speed_kmh"].widget.attrs["inputmode"] = "decimal"
        self.fields["record_number"].widget.attrs["autocomplete"] = "off"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> carries the token
        self.helper.layout = Layout(
            Fieldset(
                _("Patient"),
                Div(
                    Div("record_number", css_class="col-md-4"),
                    Div("first_name", css_class="col-md-4"),
                    Div("last_name", css_class="col-md-4"),
                    css_class="row",
                ),
                Div(
                    Div("date_of_birth", css_class="col-md-4"),
                    Div("sex", css_class="col-md-4"),
                    Div("comfortable_forward_speed_kmh", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Condition"),
                "condition",
                HTML(
                    format_html(
                        '<p class="text-body-secondary small" id="condition-fields-hint">{}</p>',
                        _("Details for the chosen condition appear below."),
                    )
                ),
                *[
                    Div(name, css_class="condition-field", data_conditions=_SHOWN_FOR[name] or "none")
                    for name in conditions.DETAIL_FIELDS
                ],
            ),
        )

    def clean(self):
        cleaned = super().clean()
        condition = cleaned.get("condition")
        code = condition.code if condition else None
        # Details of other conditions are hidden on the page; never keep them.
        for name in conditions.not_applicable(code):
            field = Patient._meta.get_field(name)
            cleaned[name] = False if isinstance(field.default, bool) else (None if field.null else "")
        return cleaned


class CareTeamAddForm(PostedThroughMixin, forms.Form):
    """A colleague by username or email: a health system has too many clinicians for a list."""

    default_renderer = WIDGET_RENDERER

    clinician = forms.CharField(
        label=_("Add a colleague (username or email)"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_clinician(self):
        text = self.cleaned_data["clinician"].strip()
        found = list(
            get_user_model()
            .objects.filter(Q(username__iexact=text) | Q(email__iexact=text), groups__name=CLINICIANS, is_active=True)
            .distinct()[:2]
        )
        if not found:
            raise forms.ValidationError(
                _("No active clinician has the username or email “%(text)s”."), code="unknown", params={"text": text}
            )
        if len(found) > 1:
            raise forms.ValidationError(
                _("More than one clinician has the email “%(text)s”: enter their username."),
                code="ambiguous",
                params={"text": text},
            )
        return found[0]


class PatientSearchForm(forms.Form):
    default_renderer = WIDGET_RENDERER
    q = forms.CharField(
        label=_("Search by name or record number"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


INSTRUMENT_FIELDS = (
    "bmwt_seconds",
    "bmwt_unable",
    "tug_seconds",
    "berg",
    "fga",
    "dgi",
    "fsst_seconds",
    "fsst_unable",
    "abc_pct",
    "pbs",
    "gmfcs",
    "gait_speed_mps",
)


class ScreeningForm(forms.ModelForm):
    default_renderer = WIDGET_RENDERER
    checklist_confirmed = forms.BooleanField(
        label=_("I have checked every item of the hard-stop checklist with the patient"),
        error_messages={"required": _("Confirm that you went through the hard-stop checklist.")},
    )

    class Meta:
        model = BalanceScreening
        fields = [
            "screened_on",
            *INSTRUMENT_FIELDS,
            "falls_last_6_months",
            "bp_systolic",
            "bp_diastolic",
            *screening_rules.HAZARD_KEYS,
            "surgeon_clearance_documented",
        ]
        widgets = {"screened_on": DateInput()}
        # Decimals are typed and shown the reader's way: 13,5 s in Spanish (retrowalk.formats).
        localized_fields = ["bmwt_seconds", "tug_seconds", "fsst_seconds", "gait_speed_mps"]

    def __init__(self, *args, patient: Patient, preview: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        policy = getattr(patient.condition, "screening_policy", None)
        self.suited = policy.instruments if policy else ()
        items = screening_rules.hard_stop_items(patient.condition.code)
        self.hazard_fields = [item.key for item in items]
        for key in screening_rules.HAZARD_KEYS:
            if key not in self.hazard_fields:
                del self.fields[key]
        for item in items:
            self.fields[item.key].label = item.label
            self.fields[item.key].help_text = format_lazy(_("Hard stop [{source}]"), source=item.source)
        if not (policy and policy.surgeon_clearance_required):
            del self.fields["surgeon_clearance_documented"]
        today = timezone.localdate()
        self.fields["screened_on"].initial = today
        self.fields["screened_on"].widget.attrs["max"] = today.isoformat()
        if patient.gmfcs_level and not self.is_bound:
            self.initial["gmfcs"] = patient.gmfcs_level
        for name in ("bmwt_seconds", "tug_seconds", "fsst_seconds", "gait_speed_mps"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"
        for name in INSTRUMENT_FIELDS:
            if self._instrument(name) in self.suited and not name.endswith("_unable"):
                self.fields[name].help_text = _("Suited to this patient.")
        pop = patient.condition.screening_population
        self.fields["bp_systolic"].required = self.fields["bp_diastolic"].required = pop != "paediatric"
        if preview:
            # A preview shows the outcome of what is filled in so far; saving needs everything.
            for name in ("checklist_confirmed", "bp_systolic", "bp_diastolic"):
                self.fields[name].required = False

    @staticmethod
    def _instrument(field_name: str) -> str:
        return field_name.removesuffix("_seconds").removesuffix("_unable").removesuffix("_pct")

    def instrument_rows(self):
        """(bound field, suited to the population) for the template, suited tests first."""
        rows = [(self[name], self._instrument(name) in self.suited) for name in INSTRUMENT_FIELDS]
        return sorted(rows, key=lambda row: not row[1])

    def hazard_rows(self):
        return [self[name] for name in self.hazard_fields]

    def clean_screened_on(self):
        day = self.cleaned_data["screened_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The screening date cannot be in the future."), code="future_date")
        return day

    def clean(self):
        cleaned = super().clean()
        for test in ("bmwt", "fsst"):
            if cleaned.get(f"{test}_seconds") is not None and cleaned.get(f"{test}_unable"):
                self.add_error(f"{test}_unable", _("Give a time or tick 'unable', not both."))
        return cleaned

    def values(self) -> dict:
        """The screening values for the service (the confirmation box is not stored)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "checklist_confirmed"}


class PortalInviteForm(PostedThroughMixin, forms.Form):
    """The clinician's portal invitation: a username for a new login, and an optional email for the link."""

    default_renderer = WIDGET_RENDERER

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        required=False,
        help_text=_(
            "The patient (or caregiver) logs in with this. Letters, digits and @ . + - _ only. "
            "Leave it empty to use the name shown (numbered if it is taken)."
        ),
    )
    email = forms.EmailField(
        required=False,
        label=_("Email (optional)"),
        help_text=_("When given, the link is also emailed. Leave empty to hand the link over yourself."),
    )
    language = forms.ChoiceField(
        label=_("The patient reads"),
        choices=lambda: settings.LANGUAGES,
        required=False,  # a form drawn before this field existed: the language stays as it is
        help_text=_("The language of their plan, its printout and PDF, and their emails (they can change it)."),
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        # The patient's own choice when they have one, else the language of the person inviting them.
        self.fields["language"].initial = (patient.user and language_of(patient.user)) or get_language()
        self.needs_username = patient.user is None
        if self.needs_username:
            # Shown, not checked: whether it is free is read when the invitation is made.
            self.fields["username"].widget.attrs["placeholder"] = username_base(patient)
        else:
            del self.fields["username"]

    def clean_username(self):
        return self.cleaned_data.get("username", "").strip()
