"""Forms for prescribing, adjusting, reviewing and logging. Speeds are typed in the user's unit."""

import uuid
from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from patients.forms import DateInput
from programs import gate, limits, selectors
from programs.models import (
    WEEKDAYS,
    Prescription,
    ProgressionAction,
    Protection,
    RailUse,
    SessionEvent,
    SessionLog,
    Support,
)
from programs.progression import WeekTarget
from retrowalk import units
from retrowalk.fields import LoadedModelChoiceField, SpeedField
from retrowalk.forms import WIDGET_RENDERER, PostedThroughMixin

PAIN_HELP = _("0 = no pain, 10 = worst pain imaginable.")
EFFORT_HELP = _("Borg scale: 6 = no exertion, 11 = light, 13 = somewhat hard, 15 = hard, 20 = maximal.")


def _int_field(label, low, high, **kwargs):
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        **kwargs,
    )


class ProtectionFieldsMixin:
    """The protection level and its five measures (CLINICAL.md s4 rule 2)."""

    def add_protection_fields(self, initial: Prescription | None = None):
        self.fields["protection"] = forms.ChoiceField(
            label=_("Protection"),
            choices=Protection.choices,
            widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            initial=initial.protection if initial else Protection.STANDARD,
        )
        for name, label in gate.PROTECTIVE_MEASURES.items():
            self.fields[name] = forms.BooleanField(
                label=label.capitalize(),
                required=False,
                initial=getattr(initial, name, False),
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    def measure_fields(self):
        return [self[name] for name in gate.PROTECTIVE_MEASURES]

    def protection_facts(self) -> gate.ProtectionFacts:
        data = self.cleaned_data
        return gate.ProtectionFacts(
            protected=data["protection"] == Protection.PROTECTED,
            **{name: data[name] for name in gate.PROTECTIVE_MEASURES},
        )


class PrescribeForm(ProtectionFieldsMixin, forms.Form):
    """Step 1 of prescribing: template, start, starting speed, baseline pain, protection."""

    default_renderer = WIDGET_RENDERER

    template = LoadedModelChoiceField(empty_label=None, label=_("Program template"))
    start_date = forms.DateField(widget=DateInput(), label=_("Start date"))
    baseline_pain = _int_field(
        _("Usual pain before starting (0–10)"),
        0,
        10,
        help_text=_("Pain 2 or more above this holds or steps back the program."),
    )

    def __init__(self, *args, patient, unit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.templates = self.fields["template"].set_rows(selectors.active_templates(condition_id=patient.condition_id))
        self.fields["starting_speed_kmh"] = SpeedField(
            unit=unit,
            label=format_lazy(_("Starting backward speed ({unit})"), unit=units.unit_label(unit)),
            max_kmh=limits.MAX_BACKWARD_SPEED_KMH,
        )
        self.order_fields(["template", "start_date", "starting_speed_kmh", "baseline_pain"])
        self.add_protection_fields()


class WeekForm(forms.Form):
    default_renderer = WIDGET_RENDERER
    week = forms.IntegerField(label=_("Week"), widget=forms.HiddenInput, min_value=1, max_value=limits.MAX_WEEKS)
    sessions = _int_field(_("Sessions"), 1, limits.MAX_SESSIONS_PER_WEEK)
    bouts = _int_field(_("Bouts"), 1, limits.MAX_BOUTS)
    bout_minutes = _int_field(_("Minutes per bout"), 1, limits.MAX_SESSION_MINUTES)
    rest_minutes = forms.DecimalField(
        label=_("Rest (min)"),
        min_value=0,
        max_value=limits.MAX_REST_MINUTES,
        decimal_places=1,
        max_digits=3,
        localize=True,
    )
    incline_pct = forms.DecimalField(
        label=_("Incline (%)"),
        min_value=0,
        max_value=limits.MAX_INCLINE_PCT,
        decimal_places=1,
        max_digits=3,
        localize=True,
    )
    support = forms.ChoiceField(label=_("Support"), choices=Support.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, unit: str, max_speed_kmh: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        field = SpeedField(unit=unit, label=format_lazy(_("Speed ({unit})"), unit=units.unit_label(unit)))
        field.set_max_kmh(max_speed_kmh)
        self.fields["speed_kmh"] = field
        self.order_fields(["week", "speed_kmh", "incline_pct", "sessions", "bouts", "bout_minutes", "rest_minutes"])
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if name == "support" else "form-control form-control-sm"
            field.widget.attrs["class"] = css + (" is-invalid" if name in self.errors else "")
            if name in self.errors:
                field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}_error"})

    def target(self) -> WeekTarget:
        d = self.cleaned_data
        return WeekTarget(
            week=d["week"],
            sessions=d["sessions"],
            bouts=d["bouts"],
            bout_minutes=d["bout_minutes"],
            rest_minutes=d["rest_minutes"],
            speed_kmh=d["speed_kmh"],
            incline_pct=d["incline_pct"],
            support=d["support"],
            note=d["note"],
        )


class BaseWeekFormSet(forms.BaseFormSet):
    # A Jinja2 template (programs/jinja2/), drawn by the forms' renderer: one row of inputs a week.
    template_name = "programs/week_formset.html"

    def __init__(self, *args, weeks: int, **kwargs):
        self.expected_weeks = weeks
        super().__init__(*args, **kwargs)

    def clean(self):
        if any(self.errors):
            return
        numbers = sorted(form.cleaned_data["week"] for form in self.forms)
        if numbers != list(range(1, self.expected_weeks + 1)):
            raise forms.ValidationError(
                _("The plan must have weeks 1 to %(weeks)s."), code="weeks", params={"weeks": self.expected_weeks}
            )

    def targets(self) -> list[WeekTarget]:
        return sorted((form.target() for form in self.forms), key=lambda t: t.week)


WeekFormSet = formset_factory(
    WeekForm,
    formset=BaseWeekFormSet,
    extra=0,
    max_num=limits.MAX_WEEKS,
    absolute_max=limits.MAX_WEEKS,
    renderer=WIDGET_RENDERER,
)


def week_formset(*, data=None, unit, template, initial=None, prefix="weeks"):
    weeks = template.weeks
    return WeekFormSet(
        data=data,
        initial=initial,
        prefix=prefix,
        weeks=weeks,
        # Every row is a week of the plan: a blank one is an error to show, never a row to skip.
        form_kwargs={"unit": unit, "max_speed_kmh": template.max_speed_kmh, "empty_permitted": False},
    )


def initial_weeks(targets) -> list[dict]:
    return [
        {
            "week": t.week,
            "sessions": t.sessions,
            "bouts": t.bouts,
            "bout_minutes": t.bout_minutes,
            "rest_minutes": t.rest_minutes,
            "speed_kmh": t.speed_kmh,
            "incline_pct": t.incline_pct,
            "support": t.support,
            "note": t.note,
        }
        for t in targets
    ]


class VersionForm(PostedThroughMixin, forms.Form):
    default_renderer = WIDGET_RENDERER
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PauseForm(VersionForm):
    reason = forms.CharField(label=_("Why pause?"), max_length=300, required=False)


class StopForm(VersionForm):
    reason = forms.CharField(label=_("Why stop?"), max_length=300)


class ClosingNoteForm(VersionForm):
    note = forms.CharField(
        label=_("Closing note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the summary, its PDF and its text; leave empty to remove it."),
    )


class ResumeForm(ProtectionFieldsMixin, VersionForm):
    def __init__(self, *args, prescription: Prescription, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_protection_fields(initial=prescription)


class ReviewForm(VersionForm):
    action = forms.ChoiceField(
        choices=ProgressionAction.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        label=_("Decision"),
    )
    note = forms.CharField(
        label=_("Note (needed when you choose otherwise than the suggestion)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class SessionLogForm(forms.ModelForm):
    """A walked session, in the user's unit. The service checks the dates against the program."""

    default_renderer = WIDGET_RENDERER

    class Meta:
        model = SessionLog
        fields = [
            "session_date",
            "minutes",
            "incline_pct",
            "pain_before",
            "pain_after",
            "effort",
            "event",
            "rails",
            "stopped_early",
            "note",
        ]
        widgets = {
            "session_date": DateInput(),
            "event": forms.RadioSelect,
            "rails": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"pain_before": PAIN_HELP, "pain_after": PAIN_HELP, "effort": EFFORT_HELP}
        # Decimals are typed and shown the reader's way: 2,5 in Spanish (retrowalk.formats).
        localized_fields = ["incline_pct"]

    # One filling-in of the form, drawn with it: the same form sent twice saves one log (services.session_log_create).
    submission = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("This form is damaged: open the session form again.")},
    )

    def __init__(self, *args, unit: str, prescription: Prescription, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission", uuid.uuid4())
        speed = SpeedField(unit=unit, label=format_lazy(_("Speed ({unit})"), unit=units.unit_label(unit)))
        speed.set_max_kmh(prescription.template.max_speed_kmh)
        self.fields["speed_kmh"] = speed
        self.order_fields(["session_date", "minutes", "speed_kmh", "incline_pct"])
        self.fields["event"].choices = SessionEvent.choices
        self.fields["rails"].choices = RailUse.choices
        today = timezone.localdate()
        self.fields["session_date"].widget.attrs.update(max=today.isoformat(), min=prescription.start_date.isoformat())
        for name in ("minutes", "pain_before", "pain_after", "effort"):
            self.fields[name].widget.attrs.update(inputmode="numeric")

    def entry_values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "submission"}


class NextDayPainForm(forms.Form):
    default_renderer = WIDGET_RENDERER
    pain = _int_field(_("Pain the next morning (0–10)"), 0, 10)


class TimeInput(forms.TimeInput):
    input_type = "time"


class ReminderSettingsForm(forms.Form):
    """A patient's session reminders, a clinician's daily digest: each user sees their own part."""

    default_renderer = WIDGET_RENDERER
    session_reminders = forms.BooleanField(label=_("Email me a reminder on my session days"), required=False)
    session_time = forms.TimeField(label=_("Reminder time"), widget=TimeInput(format="%H:%M"))
    session_days = forms.TypedMultipleChoiceField(
        label=_("Session days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Suggested from your plan's sessions a week; change them to the days you walk."),
    )
    digest = forms.BooleanField(label=_("Email me a daily digest of my patients' flags"), required=False)
    digest_time = forms.TimeField(label=_("Digest time"), widget=TimeInput(format="%H:%M"))

    PATIENT_FIELDS = ("session_reminders", "session_time", "session_days")
    CLINICIAN_FIELDS = ("digest", "digest_time")

    def __init__(self, *args, patient: bool, clinician: bool, **kwargs):
        super().__init__(*args, **kwargs)
        shown = (self.PATIENT_FIELDS if patient else ()) + (self.CLINICIAN_FIELDS if clinician else ())
        for name in list(self.fields):
            if name not in shown:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("session_reminders") and not cleaned.get("session_days"):
            self.add_error("session_days", _("Choose at least one session day for the reminders."))
        return cleaned
