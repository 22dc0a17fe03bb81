"""Program templates and their weeks; prescriptions built from them.

A template is versioned: editing one that prescriptions already use makes a new
version (programs.services.template_save) and the old one stays, read-only, for
the prescriptions that cite it.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patients.models import BalanceScreening, Condition
from programs import limits, template_rules
from programs.gate import PRESCRIBING, ProtectionFacts, ScreeningFacts, refusals


class Support(models.TextChoices):
    RAILS_AVAILABLE = "rails_available", _("Handrails within reach")
    BOTH_RAILS = "both_rails", _("Hold both handrails")
    HARNESS = "harness", _("Overhead harness or body-weight support, both handrails")


class StartingSpeedRule(models.TextChoices):
    # CLINICAL.md s5 "Starting speed" [T1][S1].
    BACKWARD_TEST = "backward_test", _("Measured backward speed (3 m ÷ 3MBWT s), else 50 % of forward speed")
    OVERGROUND_BASELINE = "overground_baseline", _("Baseline overground (forward) speed")


class ProgramTemplate(models.Model):
    lineage = models.UUIDField(
        default=uuid.uuid4, editable=False, help_text=_("Shared by every version of the same template.")
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="superseded_by",
    )
    is_active = models.BooleanField(
        _("offered for new prescriptions"),
        default=True,
        help_text=_("Older versions stay readable for the prescriptions that use them but are not offered."),
    )
    condition = models.ForeignKey(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="templates"
    )
    name = models.CharField(_("name"), max_length=120)
    summary = models.TextField(
        _("summary"), help_text=_("One paragraph for clinicians: who it is for and how it progresses.")
    )
    weeks = models.PositiveSmallIntegerField(
        _("number of weeks"), validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_WEEKS)]
    )
    sessions_per_week = models.PositiveSmallIntegerField(
        _("sessions per week"), validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_SESSIONS_PER_WEEK)]
    )
    # Caps (CLINICAL.md s5 "Caps").
    max_speed_kmh = models.DecimalField(
        _("speed cap (km/h)"),
        max_digits=3,
        decimal_places=1,
        default=limits.MAX_BACKWARD_SPEED_KMH,
        help_text=_("No week is ever prescribed faster. At most 5.0 km/h [P5]."),
    )
    max_incline_pct = models.DecimalField(
        # xgettext:no-python-format
        _("incline cap (% grade)"),
        max_digits=3,
        decimal_places=1,
        default=limits.MAX_INCLINE_PCT,
    )
    max_session_minutes = models.PositiveSmallIntegerField(
        _("session cap (minutes)"), default=limits.DEFAULT_MAX_SESSION_MINUTES
    )
    max_start_speed_kmh = models.DecimalField(
        _("fastest starting speed (km/h)"),
        max_digits=3,
        decimal_places=1,
        help_text=(
            _(
                "The fastest starting backward speed this template is written for. Every week's speed fraction "
                "times this must stay within the speed cap; faster starters need another template."
            )
        ),
    )
    starting_speed_rule = models.CharField(
        _("starting speed rule"),
        max_length=20,
        choices=StartingSpeedRule.choices,
        default=StartingSpeedRule.BACKWARD_TEST,
    )
    # Progression parameters (CLINICAL.md s5).
    speed_step_fraction = models.DecimalField(
        _("speed step (fraction of starting speed per week)"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("0.50"))],
        help_text=_("+10 % of the starting speed per week [T1]."),
    )
    duration_first = models.BooleanField(
        _("raise minutes before speed"), default=False, help_text=_("For older adults [G1].")
    )
    advance_max_pain = models.PositiveSmallIntegerField(
        _("advance only if pain is at most (NRS 0–10)"), default=3, validators=[MaxValueValidator(10)], help_text="[G2]"
    )
    advance_max_pain_rise = models.PositiveSmallIntegerField(
        _("… and pain rose less than (points above baseline)"),
        default=2,
        validators=[MaxValueValidator(10)],
        help_text="[G2]",
    )
    advance_max_rpe = models.PositiveSmallIntegerField(
        _("… and effort is at most (Borg 6–20)"),
        default=13,
        validators=[MinValueValidator(6), MaxValueValidator(20)],
        help_text=_("13 = somewhat hard [G3]"),
    )
    advance_min_adherence_pct = models.PositiveSmallIntegerField(
        _("… and at least this % of planned sessions were done"),
        default=66,
        help_text=_(
            # xgettext:no-python-format
            "At least 2/3 of planned sessions [G2][T8]: 66 % lets 2 of 3 (and 4 of 6) count, "
            "being 2/3 rounded down to a whole percentage."
        ),
    )
    warm_up = models.TextField(
        _("before the walk (shown to the patient)"),
        blank=True,
        max_length=400,
        help_text=_("Plain words printed at the top of every session on the patient's plan."),
    )
    sources = models.TextField(
        _("sources"), help_text=_("Each number above and in the weeks, with its CLINICAL.md source.")
    )
    defaults_for_clinical_review = models.BooleanField(
        _("defaults for clinical review"),
        default=True,
        help_text=_(
            "Shipped defaults assembled from the sources, not validated as a whole. "
            "Untick only after your clinical lead has reviewed this template."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # history: registered in translation.py, once the translated text has its columns.

    class Meta:
        verbose_name = _("program template")
        verbose_name_plural = _("program templates")
        ordering = ["condition__name", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["lineage", "version"],
                name="template_version_unique",
                violation_error_message=_("This template already has a version with that number."),
            ),
            models.UniqueConstraint(
                fields=["lineage"],
                condition=Q(is_active=True),
                name="template_one_active_version",
                violation_error_message=_("Only one version of a template can be offered at a time."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="template_version_positive",
                violation_error_message=_("Bad version."),
            ),
            models.CheckConstraint(
                condition=Q(weeks__gte=1, weeks__lte=limits.MAX_WEEKS),
                name="template_weeks_range",
                violation_error_message=format_lazy(
                    _("A template lasts 1 to {max_weeks} weeks."), max_weeks=limits.MAX_WEEKS
                ),
            ),
            models.CheckConstraint(
                condition=Q(sessions_per_week__gte=1, sessions_per_week__lte=limits.MAX_SESSIONS_PER_WEEK),
                name="template_sessions_range",
                violation_error_message=_("Sessions per week are 1 to 7."),
            ),
            models.CheckConstraint(
                condition=Q(max_speed_kmh__gt=0, max_speed_kmh__lte=limits.MAX_BACKWARD_SPEED_KMH),
                name="template_speed_cap_range",
                violation_error_message=(
                    format_lazy(
                        _("The speed cap must be above 0 and at most {max_backward_speed_kmh} km/h."),
                        max_backward_speed_kmh=limits.MAX_BACKWARD_SPEED_KMH,
                    )
                ),
            ),
            models.CheckConstraint(
                condition=Q(max_start_speed_kmh__gt=0) & Q(max_start_speed_kmh__lte=F("max_speed_kmh")),
                name="template_start_speed_within_cap",
                violation_error_message=_("The fastest starting speed must be above 0 and at most the speed cap."),
            ),
            models.CheckConstraint(
                condition=Q(max_incline_pct__gte=0, max_incline_pct__lte=limits.MAX_INCLINE_PCT),
                name="template_incline_cap_range",
                violation_error_message=format_lazy(
                    _("The incline cap must be between 0 and {max_incline_pct} %."),
                    max_incline_pct=limits.MAX_INCLINE_PCT,
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    max_session_minutes__gte=limits.MIN_SESSION_MINUTES,
                    max_session_minutes__lte=limits.MAX_SESSION_MINUTES,
                ),
                name="template_session_cap_range",
                violation_error_message=_("The session cap must be between 1 and 60 minutes."),
            ),
            models.CheckConstraint(
                condition=Q(speed_step_fraction__gte=0, speed_step_fraction__lte=Decimal("0.50")),
                name="template_speed_step_range",
                violation_error_message=_("The speed step must be between 0 and 0.50 of the starting speed."),
            ),
            models.CheckConstraint(
                condition=Q(advance_max_pain__lte=10, advance_max_pain_rise__lte=10),
                name="template_pain_thresholds_range",
                violation_error_message=_("Pain thresholds are on the 0–10 scale."),
            ),
            models.CheckConstraint(
                condition=Q(advance_max_rpe__gte=6, advance_max_rpe__lte=20),
                name="template_rpe_threshold_range",
                violation_error_message=_("The effort threshold is on the Borg 6–20 scale."),
            ),
            models.CheckConstraint(
                condition=Q(advance_min_adherence_pct__lte=100),
                name="template_adherence_range",
                violation_error_message=_("Adherence is a percentage (0–100)."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(name)s (v%(version)s)") % {"name": self.name, "version": self.version}

    @property
    def caps(self) -> template_rules.TemplateCaps:
        return template_rules.TemplateCaps(
            weeks=self.weeks or 0,
            max_speed_kmh=self.max_speed_kmh if self.max_speed_kmh is not None else Decimal(0),
            max_incline_pct=self.max_incline_pct if self.max_incline_pct is not None else Decimal(0),
            max_session_minutes=self.max_session_minutes or 0,
            max_start_speed_kmh=self.max_start_speed_kmh if self.max_start_speed_kmh is not None else Decimal(0),
        )

    def is_in_use(self) -> bool:
        """True when any prescription cites this version (it must then never change)."""
        if self.pk is None:
            return False
        for relation in self._meta.related_objects:
            if relation.related_model in (TemplateWeek, ProgramTemplate) or relation.name.startswith("historical"):
                continue
            if relation.related_model._default_manager.filter(**{relation.field.name: self.pk}).exists():
                return True
        return False

    def clean(self) -> None:
        super().clean()
        problems = template_rules.check_caps(self.caps)
        if problems:
            raise ValidationError({p.field: ValidationError(p.message, code="template_caps") for p in problems})


class WeekDose(models.Model):
    """What one week of a program holds: shared by template weeks and prescribed weeks."""

    week = models.PositiveSmallIntegerField(
        _("week"), validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_WEEKS)]
    )
    sessions = models.PositiveSmallIntegerField(
        _("sessions"), validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_SESSIONS_PER_WEEK)]
    )
    bouts = models.PositiveSmallIntegerField(
        _("bouts"), validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_BOUTS)]
    )
    bout_minutes = models.PositiveSmallIntegerField(
        _("minutes per bout"), validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_SESSION_MINUTES)]
    )
    rest_minutes = models.DecimalField(
        _("rest between bouts (min)"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(limits.MAX_REST_MINUTES)],
    )
    incline_pct = models.DecimalField(
        # xgettext:no-python-format
        _("incline (% grade)"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("0.0"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(limits.MAX_INCLINE_PCT)],
    )
    support = models.CharField(_("support"), max_length=20, choices=Support.choices, default=Support.RAILS_AVAILABLE)
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("Plain words for the patient's plan."))

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(week__gte=1, week__lte=limits.MAX_WEEKS),
                name="%(class)s_week_number_range",
                violation_error_message=_("Week numbers start at 1."),
            ),
            models.CheckConstraint(
                condition=Q(sessions__gte=1, sessions__lte=limits.MAX_SESSIONS_PER_WEEK),
                name="%(class)s_sessions_range",
                violation_error_message=_("Sessions per week are 1 to 7."),
            ),
            models.CheckConstraint(
                condition=Q(bouts__gte=1, bouts__lte=limits.MAX_BOUTS, bout_minutes__gte=1),
                name="%(class)s_bouts_range",
                violation_error_message=_("Bouts are 1 to 10, each at least a minute."),
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(F("bouts") * F("bout_minutes"), limits.MIN_SESSION_MINUTES)
                & LessThanOrEqual(F("bouts") * F("bout_minutes"), limits.MAX_SESSION_MINUTES),
                name="%(class)s_session_minutes_range",
                violation_error_message=_("A session (bouts × minutes) lasts 1 to 60 minutes."),
            ),
            models.CheckConstraint(
                condition=Q(incline_pct__gte=0, incline_pct__lte=limits.MAX_INCLINE_PCT),
                name="%(class)s_incline_range",
                violation_error_message=format_lazy(
                    _("Incline must be between 0 and {max_incline_pct} %."), max_incline_pct=limits.MAX_INCLINE_PCT
                ),
            ),
            models.CheckConstraint(
                condition=Q(rest_minutes__gte=0, rest_minutes__lte=limits.MAX_REST_MINUTES),
                name="%(class)s_rest_range",
                violation_error_message=_("Rest between bouts is 0 to 10 minutes."),
            ),
            models.CheckConstraint(
                condition=Q(support__in=[c.value for c in Support]),
                name="%(class)s_support_valid",
                violation_error_message=_("Choose the support from the list."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Week %(week)s") % {"week": self.week}

    @property
    def session_minutes(self) -> int:
        return (self.bouts or 0) * (self.bout_minutes or 0)


class TemplateWeek(WeekDose):
    template = models.ForeignKey(
        ProgramTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="week_rows"
    )
    speed_fraction = models.DecimalField(
        _("speed (× starting speed)"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(limits.MAX_SPEED_FRACTION)],
    )

    # history: registered in translation.py, once the translated text has its columns.

    class Meta:
        verbose_name = _("template week")
        verbose_name_plural = _("template weeks")
        ordering = ["template", "week"]
        constraints = [
            *WeekDose.Meta.constraints,
            models.UniqueConstraint(
                fields=["template", "week"],
                name="template_week_unique",
                violation_error_message=_("This template already has a row for that week."),
            ),
            models.CheckConstraint(
                condition=Q(speed_fraction__gt=0, speed_fraction__lte=limits.MAX_SPEED_FRACTION),
                name="template_week_speed_fraction_range",
                violation_error_message=format_lazy(
                    _("The speed fraction must be above 0 and at most {max_speed_fraction}."),
                    max_speed_fraction=limits.MAX_SPEED_FRACTION,
                ),
            ),
        ]

    def as_plan(self) -> template_rules.WeekPlan:
        return template_rules.WeekPlan(
            week=self.week or 0,
            bouts=self.bouts or 0,
            bout_minutes=self.bout_minutes or 0,
            speed_fraction=self.speed_fraction if self.speed_fraction is not None else Decimal(0),
            incline_pct=self.incline_pct if self.incline_pct is not None else Decimal(0),
        )

    def clean(self) -> None:
        super().clean()
        if self.template_id is None and not hasattr(self, "_template_cache"):
            return
        template = self.template
        if template.max_start_speed_kmh is None or template.max_speed_kmh is None:
            return
        problems = template_rules.check_week(template.caps, self.as_plan())
        if problems:
            raise ValidationError({p.field: ValidationError(p.message, code="template_week") for p in problems})


class PrescriptionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped")


def screening_facts(screening: BalanceScreening | None) -> ScreeningFacts | None:
    """What the safety gate reads of a screening (programs.gate)."""
    if screening is None:
        return None
    return ScreeningFacts(
        patient_id=screening.patient_id,
        outcome=screening.outcome,
        reasons=tuple(screening.reason_texts),
        screened_on=screening.screened_on,
        valid_until=screening.valid_until,
        voided=screening.voided_at is not None,
    )


# A patient has at most one current program: active or paused.
CURRENT_STATUSES = (PrescriptionStatus.ACTIVE, PrescriptionStatus.PAUSED)
# Programs that still change (and have weeks ahead).
EDITABLE_STATUSES = (PrescriptionStatus.DRAFT, *CURRENT_STATUSES)


class Protection(models.TextChoices):
    STANDARD = "standard", _("Standard")
    PROTECTED = "protected", _("Protected")


class Prescription(models.Model):
    """A patient's program: a template version personalised, authorised by one screening."""

    Status = PrescriptionStatus

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", verbose_name=_("patient"), on_delete=models.PROTECT, related_name="prescriptions"
    )
    template = models.ForeignKey(
        ProgramTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="prescriptions"
    )
    screening = models.ForeignKey(
        "patients.BalanceScreening",
        verbose_name=_("screening"),
        on_delete=models.PROTECT,
        related_name="prescriptions",
        help_text=_("The screening that authorised this program."),
    )
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prescriber"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PrescriptionStatus.choices, default=PrescriptionStatus.ACTIVE
    )
    start_date = models.DateField(_("start date"))
    starting_speed_kmh = models.DecimalField(
        _("starting backward speed (km/h)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(limits.MAX_BACKWARD_SPEED_KMH)],
    )
    protection = models.CharField(
        _("protection"), max_length=10, choices=Protection.choices, default=Protection.STANDARD
    )
    clinic_only = models.BooleanField(_("clinic sessions only"), default=False)
    harness = models.BooleanField(_("overhead harness or body-weight support"), default=False)
    both_rails = models.BooleanField(_("both handrails"), default=False)
    therapist_sets_speed = models.BooleanField(_("therapist-set speed"), default=False)
    one_to_one = models.BooleanField(_("one-to-one supervision"), default=False)
    baseline_pain = models.PositiveSmallIntegerField(
        _("usual pain before starting (0–10)"),
        default=0,
        validators=[MaxValueValidator(10)],
        help_text=_(
            "The patient's usual pain (NRS 0–10). Pain 2 or more above it holds or steps back the "
            "program (CLINICAL.md s5 [G2])."
        ),
    )
    current_week = models.PositiveSmallIntegerField(
        _("week in force"), default=1, validators=[MinValueValidator(1), MaxValueValidator(limits.MAX_WEEKS)]
    )
    week_started_on = models.DateField(
        _("week in force since"),
        help_text=_("When the current week's targets took effect (a review starts a new one)."),
    )
    pause_reason = models.CharField(_("pause reason"), max_length=300, blank=True)
    stop_reason = models.CharField(_("stop reason"), max_length=300, blank=True)
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("When the program was completed or stopped.")
    )
    closing_note = models.TextField(
        _("closing note"),
        max_length=2000,
        blank=True,
        help_text=_("The clinician's summary of the program for the discharge summary."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every change; a stale edit is refused.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["-start_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=[s.value for s in CURRENT_STATUSES]),
                name="prescription_one_current_per_patient",
                violation_error_message=_("This patient already has an active or paused program."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in PrescriptionStatus]),
                name="prescription_status_valid",
                violation_error_message=_("Unknown prescription status."),
            ),
            models.CheckConstraint(
                condition=Q(starting_speed_kmh__gt=0, starting_speed_kmh__lte=limits.MAX_BACKWARD_SPEED_KMH),
                name="prescription_starting_speed_range",
                violation_error_message=(
                    format_lazy(
                        _("The starting speed must be above 0 and at most {max_backward_speed_kmh} km/h."),
                        max_backward_speed_kmh=limits.MAX_BACKWARD_SPEED_KMH,
                    )
                ),
            ),
            models.CheckConstraint(
                condition=~Q(protection=Protection.PROTECTED)
                | Q(clinic_only=True, harness=True, both_rails=True, therapist_sets_speed=True, one_to_one=True),
                name="prescription_protected_has_every_measure",
                violation_error_message=(
                    _(
                        "Protected mode needs clinic sessions only, a harness or body-weight support, both handrails, "
                        "therapist-set speed and one-to-one supervision."
                    )
                ),
            ),
            models.CheckConstraint(
                condition=Q(protection__in=[p.value for p in Protection]),
                name="prescription_protection_valid",
                violation_error_message=_("Unknown protection level."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="prescription_version_positive",
                violation_error_message=_("Bad version."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_pain__gte=0, baseline_pain__lte=10),
                name="prescription_baseline_pain_range",
                violation_error_message=_("Pain is scored 0 to 10."),
            ),
            models.CheckConstraint(
                condition=Q(current_week__gte=1, current_week__lte=limits.MAX_WEEKS),
                name="prescription_current_week_range",
                violation_error_message=_("Week numbers start at 1."),
            ),
            models.CheckConstraint(
                condition=Q(week_started_on__gte=F("start_date")),
                name="prescription_week_after_start",
                violation_error_message=_("A week cannot start before the program does."),
            ),
            models.CheckConstraint(
                condition=~Q(status=PrescriptionStatus.STOPPED) | ~Q(stop_reason=""),
                name="prescription_stop_has_reason",
                violation_error_message=_("Say why the program was stopped."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(template)s for %(patient)s") % {"template": self.template.name, "patient": self.patient}

    def get_absolute_url(self) -> str:
        return reverse("programs:prescription", kwargs={"public_id": self.public_id})

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES

    def protection_facts(self):
        return ProtectionFacts(
            protected=self.protection == Protection.PROTECTED,
            clinic_only=self.clinic_only,
            harness=self.harness,
            both_rails=self.both_rails,
            therapist_sets_speed=self.therapist_sets_speed,
            one_to_one=self.one_to_one,
        )

    def needs_valid_screening(self) -> bool:
        """Mirror of the PostgreSQL trigger: validity matters when walking (re)starts under this screening."""
        if self._state.adding:
            return self.status not in (PrescriptionStatus.COMPLETED, PrescriptionStatus.STOPPED)
        before = Prescription.objects.filter(pk=self.pk).values("status", "screening_id", "patient_id").first()
        if before is None:
            return True
        return (
            before["screening_id"] != self.screening_id
            or before["patient_id"] != self.patient_id
            or (self.status == PrescriptionStatus.ACTIVE and before["status"] != PrescriptionStatus.ACTIVE)
        )

    def gate_refusals(self, today=None, *, check_validity: bool = True, step: str = PRESCRIBING) -> list[str]:
        return refusals(
            patient_id=self.patient_id,
            screening=screening_facts(self.screening if self.screening_id else None),
            protection=self.protection_facts(),
            today=today or timezone.localdate(),
            check_validity=check_validity,
            step=step,
        )

    def clean(self) -> None:
        super().clean()
        # The gate, repeated for every path that validates (forms, admin, scripts).
        if self.patient_id is None:
            return
        problems = self.gate_refusals(check_validity=self.needs_valid_screening())
        if problems:
            raise ValidationError({"screening": [ValidationError(p, code="gate") for p in problems]})
        if self.template_id and self.template.condition_id != self.patient.condition_id:
            raise ValidationError(
                {"template": _("This template is for another condition than the patient's.")}, code="condition"
            )


class PrescriptionWeek(WeekDose):
    """A week's personalised targets, copied from the template when prescribing."""

    prescription = models.ForeignKey(
        Prescription, verbose_name=_("prescription"), on_delete=models.CASCADE, related_name="weeks"
    )
    speed_kmh = models.DecimalField(
        _("speed (km/h)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(limits.MAX_BACKWARD_SPEED_KMH)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("program week")
        verbose_name_plural = _("program weeks")
        ordering = ["prescription", "week"]
        constraints = [
            *WeekDose.Meta.constraints,
            models.UniqueConstraint(
                fields=["prescription", "week"],
                name="prescription_week_unique",
                violation_error_message=_("This program already has a row for that week."),
            ),
            models.CheckConstraint(
                condition=Q(speed_kmh__gt=0, speed_kmh__lte=limits.MAX_BACKWARD_SPEED_KMH),
                name="prescription_week_speed_range",
                violation_error_message=format_lazy(
                    _("Speed must be above 0 and at most {max_backward_speed_kmh} km/h."),
                    max_backward_speed_kmh=limits.MAX_BACKWARD_SPEED_KMH,
                ),
            ),
        ]


class SessionEvent(models.TextChoices):
    NONE = "none", _("No fall or near fall")
    NEAR_FALL = "near_fall", _("Near fall (lost balance, caught by the rails, a person or the harness)")
    FALL = "fall", _("Fall")

    @property
    def short_label(self) -> str:
        """The event's name without its explanation, for messages and reasons."""
        return _EVENT_SHORT_LABELS[self]


_EVENT_SHORT_LABELS = {
    SessionEvent.NONE: _("No fall"),
    SessionEvent.NEAR_FALL: _("Near fall"),
    SessionEvent.FALL: _("Fall"),
}


class RailUse(models.TextChoices):
    NONE = "none", _("No hands on the rails")
    ONE_HAND = "one_hand", _("One hand on a rail")
    BOTH_HANDS = "both_hands", _("Both hands on the rails")
    HARNESS = "harness", _("Harness and both hands")


class SessionSetting(models.TextChoices):
    CLINIC = "clinic", _("Clinic session")
    HOME = "home", _("Home session")


class SessionLog(models.Model):
    """One walked session, logged by the clinician (clinic) or the patient (home)."""

    Event = SessionEvent

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    prescription = models.ForeignKey(
        Prescription, verbose_name=_("prescription"), on_delete=models.PROTECT, related_name="logs"
    )
    week = models.PositiveSmallIntegerField(
        _("program week"), help_text=_("The week whose targets were in force on the session date.")
    )
    session_date = models.DateField(_("date"))
    setting = models.CharField(_("setting"), max_length=6, choices=SessionSetting.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    minutes = models.PositiveSmallIntegerField(
        _("minutes walked backward"),
        validators=[MaxValueValidator(limits.MAX_SESSION_MINUTES)],
        help_text=_("Walking time, without rests. 0 if the session was stopped before it began."),
    )
    speed_kmh = models.DecimalField(
        _("speed (km/h)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(limits.MAX_BACKWARD_SPEED_KMH)],
    )
    incline_pct = models.DecimalField(
        # xgettext:no-python-format
        _("incline (% grade)"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("0.0"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(limits.MAX_INCLINE_PCT)],
    )
    pain_before = models.PositiveSmallIntegerField(_("pain before (0–10)"), validators=[MaxValueValidator(10)])
    pain_after = models.PositiveSmallIntegerField(_("pain after (0–10)"), validators=[MaxValueValidator(10)])
    pain_next_day = models.PositiveSmallIntegerField(
        _("pain the next morning (0–10)"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    effort = models.PositiveSmallIntegerField(
        _("effort (Borg 6–20)"), validators=[MinValueValidator(6), MaxValueValidator(20)]
    )
    event = models.CharField(
        _("fall or near fall"), max_length=10, choices=SessionEvent.choices, default=SessionEvent.NONE
    )
    rails = models.CharField(_("rail use"), max_length=12, choices=RailUse.choices)
    stopped_early = models.BooleanField(
        _("stopped early"),
        default=False,
        help_text=_("The session ended before its planned walking time (the timer's Stop now, or by choice)."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("session log")
        verbose_name_plural = _("session logs")
        ordering = ["session_date", "created_at"]
        indexes = [
            # A program's logs in their order: its latest log (the dashboard reads it for every
            # patient) is one step into this index, however many were logged that day.
            models.Index(fields=["prescription", "session_date", "created_at"], name="sessionlog_rx_order_idx"),
            # Sessions walked, counted per program (all, and in the last 7 days) from the index alone.
            models.Index(
                fields=["prescription", "session_date"], condition=Q(minutes__gt=0), name="sessionlog_walked_idx"
            ),
            models.Index(
                fields=["prescription", "created_at"],
                condition=~Q(event="none"),
                name="sessionlog_event_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=0, minutes__lte=limits.MAX_SESSION_MINUTES),
                name="sessionlog_minutes_range",
                violation_error_message=format_lazy(
                    _("Minutes are 0 to {max_session_minutes}."), max_session_minutes=limits.MAX_SESSION_MINUTES
                ),
            ),
            models.CheckConstraint(
                condition=Q(speed_kmh__gt=0, speed_kmh__lte=limits.MAX_BACKWARD_SPEED_KMH),
                name="sessionlog_speed_range",
                violation_error_message=format_lazy(
                    _("Speed must be above 0 and at most {max_backward_speed_kmh} km/h."),
                    max_backward_speed_kmh=limits.MAX_BACKWARD_SPEED_KMH,
                ),
            ),
            models.CheckConstraint(
                condition=Q(incline_pct__gte=0, incline_pct__lte=limits.MAX_INCLINE_PCT),
                name="sessionlog_incline_range",
                violation_error_message=format_lazy(
                    _("Incline must be between 0 and {max_incline_pct} %."), max_incline_pct=limits.MAX_INCLINE_PCT
                ),
            ),
            models.CheckConstraint(
                condition=Q(pain_before__gte=0, pain_before__lte=10, pain_after__gte=0, pain_after__lte=10)
                & (Q(pain_next_day__isnull=True) | Q(pain_next_day__gte=0, pain_next_day__lte=10)),
                name="sessionlog_pain_range",
                violation_error_message=_("Pain is scored 0 to 10."),
            ),
            models.CheckConstraint(
                condition=Q(effort__gte=6, effort__lte=20),
                name="sessionlog_effort_range",
                violation_error_message=_("Effort is scored on the Borg scale, 6 to 20."),
            ),
            models.CheckConstraint(
                condition=Q(event__in=[e.value for e in SessionEvent]),
                name="sessionlog_event_valid",
                violation_error_message=_("Choose fall, near fall or none."),
            ),
            models.CheckConstraint(
                condition=Q(rails__in=[r.value for r in RailUse]),
                name="sessionlog_rails_valid",
                violation_error_message=_("Choose the rail use from the list."),
            ),
            models.CheckConstraint(
                condition=Q(setting__in=[s.value for s in SessionSetting]),
                name="sessionlog_setting_valid",
                violation_error_message=_("A session is a clinic or a home session."),
            ),
            models.CheckConstraint(
                condition=Q(week__gte=1, week__lte=limits.MAX_WEEKS),
                name="sessionlog_week_range",
                violation_error_message=_("Week numbers start at 1."),
            ),
        ]

    def __str__(self) -> str:
        return _("Session of %(date)s") % {"date": date_format(self.session_date, "DATE_FORMAT")}

    @property
    def is_fall_event(self) -> bool:
        return self.event != SessionEvent.NONE


class ProgressionAction(models.TextChoices):
    ADVANCE = "advance", _("Advance to the next week")
    REPEAT = "repeat", _("Repeat this week")
    STEP_BACK = "step_back", _("Step back one week")
    PAUSE = "pause", _("Pause the program")
    COMPLETE = "complete", _("Complete the program")


class ProgressionDecision(models.Model):
    """A week's review: what the engine suggested, what the clinician applied, and why."""

    Action = ProgressionAction

    prescription = models.ForeignKey(
        Prescription, verbose_name=_("prescription"), on_delete=models.PROTECT, related_name="decisions"
    )
    week = models.PositiveSmallIntegerField(_("week reviewed"))
    stage_started_on = models.DateField(_("week in force since"))
    decided_on = models.DateField(_("decided on"))
    suggested = models.CharField(_("suggested"), max_length=10, choices=ProgressionAction.choices)
    suggested_reasons = models.JSONField(_("suggested reasons"), default=list)
    action = models.CharField(_("applied"), max_length=10, choices=ProgressionAction.choices)
    next_week = models.PositiveSmallIntegerField(_("next week"))
    note = models.CharField(
        _("note"), max_length=500, blank=True, help_text=_("Why the clinician chose otherwise than the suggestion.")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("week review")
        verbose_name_plural = _("week reviews")
        ordering = ["prescription", "decided_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(suggested__in=[a.value for a in ProgressionAction])
                & Q(action__in=[a.value for a in ProgressionAction]),
                name="decision_action_valid",
                violation_error_message=_("Unknown progression decision."),
            ),
            models.CheckConstraint(
                condition=Q(action=F("suggested")) | ~Q(note=""),
                name="decision_override_has_note",
                violation_error_message=_("Say why you chose otherwise than the suggestion."),
            ),
            models.CheckConstraint(
                condition=Q(week__gte=1, next_week__gte=1),
                name="decision_weeks_positive",
                violation_error_message=_("Week numbers start at 1."),
            ),
            models.CheckConstraint(
                condition=Q(decided_on__gte=F("stage_started_on")),
                name="decision_after_stage_start",
                violation_error_message=_("A week is reviewed after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Week %(week)s: %(action)s") % {"week": self.week, "action": self.get_action_display()}

    @property
    def overridden(self) -> bool:
        return self.action != self.suggested


class CalendarFeed(models.Model):
    """A patient's private calendar address (iCalendar) of their planned sessions.

    Only the digest of the address's token is kept: the address is shown once, when it is made or renewed,
    and renewing replaces the digest, so the old address stops at once.
    """

    patient = models.OneToOneField(
        "patients.Patient", verbose_name=_("patient"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("made"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar address")
        verbose_name_plural = _("calendar addresses")

    def __str__(self) -> str:
        return gettext("Calendar address of %(patient)s") % {"patient": self.patient}


# Weekdays as ISO numbers, Monday 1 … Sunday 7, for a reminder's session days.
WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


class ReminderSettings(models.Model):
    """A user's emails: a patient's session reminders, a clinician's daily digest (both off until chosen)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="reminder_settings"
    )
    session_reminders = models.BooleanField(_("session reminders"), default=False)
    session_time = models.TimeField(_("reminder time"), default="08:00")
    # ISO weekday numbers, e.g. "135" for Monday, Wednesday and Friday.
    session_days = models.CharField(
        _("session days"),
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^1?2?3?4?5?6?7?$", _("Session days are weekdays, each once."))],
    )
    digest = models.BooleanField(_("daily digest"), default=False)
    digest_time = models.TimeField(_("digest time"), default="07:30")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(session_reminders=False) | ~Q(session_days=""),
                name="reminder_days_when_on",
                violation_error_message=_("Choose at least one session day."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Reminders of %(user)s") % {"user": self.user}

    @property
    def weekdays(self) -> set[int]:
        return {int(day) for day in self.session_days}


class MessageKind(models.TextChoices):
    SESSION_REMINDER = "session_reminder", _("session reminder")
    DIGEST = "digest", _("daily digest")


class MessageState(models.TextChoices):
    DUE = "due", _("due")
    SENT = "sent", _("sent")
    SKIPPED = "skipped", _("not needed any more")
    EXPIRED = "expired", _("too late to send")
    FAILED = "failed", _("given up")


class OutgoingMessage(models.Model):
    """An email due at a moment: one row per user, kind and day (the clinic's), sent once by whichever
    ``send_reminders`` claims it first (programs.messaging)."""

    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"), help_text=_("The clinic's day the message is for."))
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(_("state"), max_length=8, choices=MessageState.choices, default=MessageState.DUE)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [
            models.UniqueConstraint(fields=["kind", "user", "day"], name="message_once_a_day"),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in MessageKind]), name="message_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=[s.value for s in MessageState]), name="message_state_valid"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="message_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day}"
