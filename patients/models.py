"""Patients and the conditions they are treated for.

Clinical ranges are constraints in the database as well as in validation
(STYLE.md "Invariants"); CLINICAL.md sections are cited where a number is clinical.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patients import conditions
from patients.screening import INSTRUMENTS, Cutoffs, reason_texts
from retrowalk.models import language_of

# Dates that cannot be in the future. Validated here against the clinic's local
# date; PostgreSQL also holds them as CHECKs (migration 0003) with one day's
# slack for time zones, since SQLite allows no time-dependent CHECK.
PAST_DATE_FIELDS = {
    "date_of_birth": _("The date of birth cannot be in the future."),
    "surgery_date": _("The surgery date cannot be in the future."),
    "stroke_date": _("The stroke date cannot be in the future."),
}

# Data-entry plausibility bound for a comfortable forward walking speed; not a
# dose. Default for clinical review (fast adult walking is below 8 km/h).
MAX_FORWARD_SPEED_KMH = Decimal("8.0")


class Population(models.TextChoices):
    """Which published fall-risk cutoffs apply (CLINICAL.md section 4)."""

    OLDER_ADULT = "older_adult", _("Older adults")
    STROKE = "stroke", _("Stroke")
    PAEDIATRIC = "paediatric", _("Children (cerebral palsy)")
    POST_SURGICAL = "post_surgical", _("Post-surgical (young, active)")


class Condition(models.Model):
    Population = Population

    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("Stable identifier, e.g. knee_oa. Do not change once in use."),
    )
    name = models.CharField(_("name"), max_length=120)
    screening_population = models.CharField(
        _("screening population"),
        max_length=20,
        choices=Population.choices,
        help_text=_("Chooses the balance cutoffs that apply (CLINICAL.md section 4)."),
    )
    description = models.TextField(
        _("description"), help_text=_("Plain-language description shown to clinicians and patients.")
    )
    sources = models.TextField(_("sources"), blank=True, help_text=_("The evidence behind this condition's defaults."))

    # history: registered in translation.py, once the translated text has its columns.

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(screening_population__in=[c.value for c in Population]),
                name="condition_population_valid",
                violation_error_message=_("Choose a screening population from the list."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Not recorded")

    class Side(models.TextChoices):
        LEFT = "left", _("Left")
        RIGHT = "right", _("Right")
        BOTH = "both", _("Both")

    class Graft(models.TextChoices):
        PATELLAR = "patellar_tendon", _("Patellar tendon (BTB)")
        HAMSTRING = "hamstring", _("Hamstring")
        QUADRICEPS = "quadriceps_tendon", _("Quadriceps tendon")
        ALLOGRAFT = "allograft", _("Allograft")
        OTHER = "other", _("Other")

    class WalkingAid(models.TextChoices):
        NONE = "none", _("None")
        CANE = "cane", _("Single-point cane")
        QUAD_CANE = "quad_cane", _("Quad cane")
        WALKER = "walker", _("Walker / frame")
        ROLLATOR = "rollator", _("Rollator")
        OTHER = "other", _("Other")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record_number = models.CharField(_("medical record number"), max_length=32)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    condition = models.ForeignKey(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="patients"
    )
    comfortable_forward_speed_kmh = models.DecimalField(
        _("comfortable forward walking speed (km/h)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(MAX_FORWARD_SPEED_KMH)],
        help_text=_("Measured overground at the patient's comfortable pace (e.g. 10-metre walk test)."),
    )
    affected_side = models.CharField(_("affected side"), max_length=5, choices=Side.choices, blank=True)
    # ACL reconstruction
    surgery_date = models.DateField(_("surgery date"), null=True, blank=True)
    graft = models.CharField(_("graft"), max_length=20, choices=Graft.choices, blank=True)
    meniscal_repair = models.BooleanField(_("meniscal repair"), default=False)
    microfracture = models.BooleanField(_("microfracture"), default=False)
    # Knee osteoarthritis
    kl_grade = models.PositiveSmallIntegerField(
        _("Kellgren-Lawrence grade"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
    )
    # Stroke
    stroke_date = models.DateField(_("stroke date"), null=True, blank=True)
    walking_aid = models.CharField(_("walking aid"), max_length=12, choices=WalkingAid.choices, blank=True)
    # Cerebral palsy
    gmfcs_level = models.PositiveSmallIntegerField(
        _("GMFCS level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    care_team = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="care_patients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient_record",
        help_text=_("The patient's (or caregiver's) login, when invited to the portal."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[care_team])

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="patient_name_idx"),
        ]
        constraints = [
            # Default message on purpose: Django then reports it beside the field (see unique_error_message).
            models.UniqueConstraint(fields=["record_number"], name="patient_record_number_unique"),
            models.CheckConstraint(
                condition=Q(comfortable_forward_speed_kmh__gt=0)
                & Q(comfortable_forward_speed_kmh__lte=MAX_FORWARD_SPEED_KMH),
                name="patient_forward_speed_range",
                violation_error_message=(
                    format_lazy(
                        _("The comfortable forward speed must be above 0 and at most {speed} km/h."),
                        speed=MAX_FORWARD_SPEED_KMH,
                    )
                ),
            ),
            models.CheckConstraint(
                condition=Q(gmfcs_level__isnull=True) | Q(gmfcs_level__gte=1, gmfcs_level__lte=5),
                name="patient_gmfcs_1_5",
                violation_error_message=_("The GMFCS level is I to V (1–5)."),
            ),
            models.CheckConstraint(
                condition=Q(kl_grade__isnull=True) | Q(kl_grade__gte=0, kl_grade__lte=4),
                name="patient_kl_grade_0_4",
                violation_error_message=_("The Kellgren-Lawrence grade is 0 to 4."),
            ),
            models.CheckConstraint(
                condition=Q(affected_side__in=["", "left", "right", "both"]),
                name="patient_side_valid",
                violation_error_message=_("Choose left, right or both."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.record_number})"

    def get_absolute_url(self) -> str:
        return reverse("patients:detail", kwargs={"public_id": self.public_id})

    @property
    def language(self) -> str:
        """The language the patient reads: their portal login's choice, or "" when not known."""
        return language_of(self.user) if self.user_id else ""

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) == ("record_number",):
            return ValidationError(
                _("Another patient already has this medical record number."),
                code="unique",
                params={"model": self, "model_class": model_class, "field_labels": "record_number"},
            )
        return super().unique_error_message(model_class, unique_check)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def condition_code(self) -> str | None:
        return self.condition.code if self.condition_id else None

    def age_on(self, day) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    def clear_details_that_do_not_apply(self) -> None:
        blank = {"meniscal_repair": False, "microfracture": False}
        for name in conditions.not_applicable(self.condition_code):
            field = self._meta.get_field(name)
            setattr(self, name, blank.get(name, None if field.null else ""))

    def clean(self) -> None:
        super().clean()
        errors = {}
        today = timezone.localdate()
        for name, message in PAST_DATE_FIELDS.items():
            value = getattr(self, name)
            if value is not None and value > today:
                errors[name] = ValidationError(message, code="future_date")
        if self.condition_id:
            spec = conditions.fields_for(self.condition_code)
            for name in spec.required:
                if getattr(self, name) in (None, ""):
                    # The side is labelled per condition on the form ("Operated knee", "Paretic side").
                    label = (
                        spec.side_label.lower() if name == "affected_side" else self._meta.get_field(name).verbose_name
                    )
                    errors[name] = ValidationError(
                        _("Needed for %(condition)s: enter the %(field)s."),
                        code="required_for_condition",
                        params={"condition": self.condition.name, "field": label},
                    )
        if self.surgery_date and self.date_of_birth and self.surgery_date < self.date_of_birth:
            errors["surgery_date"] = ValidationError(_("The surgery date is before the date of birth."), code="order")
        if self.stroke_date and self.date_of_birth and self.stroke_date < self.date_of_birth:
            errors["stroke_date"] = ValidationError(_("The stroke date is before the date of birth."), code="order")
        if errors:
            raise ValidationError(errors)


def _range(name: str, low, high, label: str, *, nullable: bool = True) -> models.CheckConstraint:
    within = Q(**{f"{name}__gte": low, f"{name}__lte": high})
    return models.CheckConstraint(
        condition=(Q(**{f"{name}__isnull": True}) | within) if nullable else within,
        name=f"%(class)s_{name}_range",
        violation_error_message=format_lazy(
            _("{label} must be between {low} and {high}."), label=label, low=low, high=high
        ),
    )


class ScreeningPolicy(models.Model):
    """A condition's screening cutoffs and validity window (CLINICAL.md section 4).

    Seeded per condition from CLINICAL.md; an empty cutoff means the instrument
    has no validated cutoff for the population: it is recorded, not judged.
    """

    condition = models.OneToOneField(
        Condition, verbose_name=_("condition"), on_delete=models.PROTECT, related_name="screening_policy"
    )
    validity_days = models.PositiveSmallIntegerField(
        _("screening valid for (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    suited_instruments = models.CharField(
        max_length=100,
        help_text=_(
            "Comma-separated instruments, one of which must be recorded: bmwt, berg, tug, fga, dgi, fsst, "
            "abc, pbs, gmfcs."
        ),
    )
    bmwt_high_risk_s = models.DecimalField(
        _("3MBWT high risk at or above (s)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    berg_high_risk_below = models.DecimalField(
        _("Berg high risk below"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    berg_not_cleared_at_or_below = models.PositiveSmallIntegerField(
        _("Berg not cleared at or below"), null=True, blank=True, validators=[MaxValueValidator(56)]
    )
    tug_high_risk_s = models.DecimalField(
        _("TUG high risk at or above (s)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    fga_high_risk_at_or_below = models.PositiveSmallIntegerField(
        _("FGA high risk at or below"), null=True, blank=True, validators=[MaxValueValidator(30)]
    )
    dgi_high_risk_below = models.DecimalField(
        _("DGI high risk below"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    fsst_high_risk_above_s = models.DecimalField(
        _("FSST high risk above (s)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    abc_high_risk_below_pct = models.PositiveSmallIntegerField(
        _("ABC high risk below (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    gmfcs_protect_from = models.PositiveSmallIntegerField(
        _("GMFCS needs protection from level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    gmfcs_stop_from = models.PositiveSmallIntegerField(
        _("GMFCS hard stop from level"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    bp_systolic_max = models.PositiveSmallIntegerField(_("resting systolic hard stop above"), default=200)
    bp_diastolic_max = models.PositiveSmallIntegerField(_("resting diastolic hard stop above"), default=100)
    min_full_weeks_after_surgery = models.PositiveSmallIntegerField(
        _("full weeks after surgery before backward treadmill"), null=True, blank=True
    )
    surgeon_clearance_required = models.BooleanField(
        _("documented surgeon clearance for full weight bearing required"), default=False
    )
    sources = models.TextField(_("sources"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening policy")
        verbose_name_plural = _("screening policies")
        constraints = [
            _range("validity_days", 1, 365, _("The validity window"), nullable=False),
            _range("berg_high_risk_below", 0, 56, _("The Berg cutoff")),
            _range("berg_not_cleared_at_or_below", 0, 56, _("The Berg not-cleared level")),
            _range("fga_high_risk_at_or_below", 0, 30, _("The FGA cutoff")),
            _range("dgi_high_risk_below", 0, 24, _("The DGI cutoff")),
            _range("abc_high_risk_below_pct", 0, 100, _("The ABC cutoff")),
            _range("gmfcs_protect_from", 1, 5, _("The GMFCS protection level")),
            _range("gmfcs_stop_from", 1, 5, _("The GMFCS hard-stop level")),
            _range("bmwt_high_risk_s", 0, 120, _("The 3MBWT cutoff")),
            _range("tug_high_risk_s", 0, 120, _("The TUG cutoff")),
            _range("fsst_high_risk_above_s", 0, 120, _("The FSST cutoff")),
        ]

    def __str__(self) -> str:
        return gettext("Screening policy for %(condition)s") % {"condition": self.condition}

    @property
    def instruments(self) -> tuple[str, ...]:
        return tuple(name.strip() for name in self.suited_instruments.split(",") if name.strip())

    def clean(self) -> None:
        super().clean()
        unknown = [name for name in self.instruments if name not in INSTRUMENTS]
        if unknown or not self.instruments:
            raise ValidationError(
                {
                    "suited_instruments": gettext("Use one or more of: %(known)s (unknown: %(unknown)s).")
                    % {"known": ", ".join(INSTRUMENTS), "unknown": ", ".join(unknown)}
                }
            )

    def cutoffs(self):
        return Cutoffs(
            population=self.condition.screening_population,
            validity_days=self.validity_days,
            suited_instruments=self.instruments,
            bmwt_high_risk_s=self.bmwt_high_risk_s,
            berg_high_risk_below=self.berg_high_risk_below,
            berg_not_cleared_at_or_below=self.berg_not_cleared_at_or_below,
            tug_high_risk_s=self.tug_high_risk_s,
            fga_high_risk_at_or_below=self.fga_high_risk_at_or_below,
            dgi_high_risk_below=self.dgi_high_risk_below,
            fsst_high_risk_above_s=self.fsst_high_risk_above_s,
            abc_high_risk_below_pct=self.abc_high_risk_below_pct,
            gmfcs_protect_from=self.gmfcs_protect_from,
            gmfcs_stop_from=self.gmfcs_stop_from,
            bp_systolic_max=self.bp_systolic_max,
            bp_diastolic_max=self.bp_diastolic_max,
            min_full_weeks_after_surgery=self.min_full_weeks_after_surgery,
            surgeon_clearance_required=self.surgeon_clearance_required,
        )


class ScreeningOutcome(models.TextChoices):
    NOT_CLEARED = "not_cleared", _("Not cleared")
    CLEARED_PROTECTED = "cleared_protected", _("Cleared with protection")
    CLEARED = "cleared", _("Cleared")


class BalanceScreening(models.Model):
    """One balance and fall-risk screening. Immutable once recorded: a correction
    is a new screening; the only later change is voiding it (after a fall)."""

    Outcome = ScreeningOutcome
    VOIDABLE_FIELDS = frozenset({"voided_at", "void_reason"})

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="screenings")
    screened_on = models.DateField(_("screened on"))
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("screened by"), on_delete=models.PROTECT, related_name="+"
    )
    # Instruments (CLINICAL.md section 4). Each is optional; one suited to the population is required.
    bmwt_seconds = models.DecimalField(
        _("3-metre backward walk (s)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("120"))],
    )
    bmwt_unable = models.BooleanField(_("unable to complete the 3-metre backward walk"), default=False)
    tug_seconds = models.DecimalField(
        _("Timed Up and Go (s)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("300"))],
    )
    berg = models.PositiveSmallIntegerField(
        _("Berg Balance Scale (0–56)"), null=True, blank=True, validators=[MaxValueValidator(56)]
    )
    fga = models.PositiveSmallIntegerField(
        _("Functional Gait Assessment (0–30)"), null=True, blank=True, validators=[MaxValueValidator(30)]
    )
    dgi = models.PositiveSmallIntegerField(
        _("Dynamic Gait Index (0–24)"), null=True, blank=True, validators=[MaxValueValidator(24)]
    )
    fsst_seconds = models.DecimalField(
        _("Four Square Step Test (s)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("120"))],
    )
    fsst_unable = models.BooleanField(_("unable to complete the Four Square Step Test"), default=False)
    abc_pct = models.PositiveSmallIntegerField(
        _("ABC confidence (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    pbs = models.PositiveSmallIntegerField(
        _("Pediatric Balance Scale (0–56)"), null=True, blank=True, validators=[MaxValueValidator(56)]
    )
    gmfcs = models.PositiveSmallIntegerField(
        _("GMFCS level"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # Recorded to follow change (CLINICAL.md section 8); the outcome does not read it.
    gait_speed_mps = models.DecimalField(
        _("comfortable gait speed (m/s)"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("3"))],
        help_text=_("Walking forward at a comfortable pace, e.g. the 10-metre walk test."),
    )
    falls_last_6_months = models.PositiveSmallIntegerField(
        _("falls in the last 6 months"), default=0, validators=[MaxValueValidator(100)]
    )
    bp_systolic = models.PositiveSmallIntegerField(
        _("resting systolic (mmHg)"), null=True, blank=True, validators=[MinValueValidator(50), MaxValueValidator(300)]
    )
    bp_diastolic = models.PositiveSmallIntegerField(
        _("resting diastolic (mmHg)"), null=True, blank=True, validators=[MinValueValidator(20), MaxValueValidator(200)]
    )
    # Hard-stop checklist (CLINICAL.md section 3): True means the hazard is present.
    unstable_cardiac = models.BooleanField(default=False)
    complex_arrhythmia = models.BooleanField(default=False)
    cannot_follow_commands = models.BooleanField(default=False)
    mmse_below_20 = models.BooleanField(default=False)
    needs_physical_help = models.BooleanField(default=False)
    recent_lower_limb_injury = models.BooleanField(default=False)
    effusion_or_limp = models.BooleanField(default=False)
    weight_bearing_restriction = models.BooleanField(default=False)
    uncontrolled_seizures = models.BooleanField(default=False)
    recent_surgery = models.BooleanField(default=False)
    cannot_follow_verbal = models.BooleanField(default=False)
    surgeon_clearance_documented = models.BooleanField(
        _("surgeon's clearance for full weight bearing is documented"), default=False
    )
    # Computed by patients.screening at record time, with the policy then in force.
    outcome = models.CharField(_("outcome"), max_length=20, choices=ScreeningOutcome.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    valid_until = models.DateField(_("valid until"), help_text=_("Last day the screening authorises a prescription."))
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("void reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("balance screening")
        verbose_name_plural = _("balance screenings")
        ordering = ["-screened_on", "-created_at"]
        indexes = [models.Index(fields=["patient", "-screened_on", "-created_at"], name="screening_latest_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=[c.value for c in ScreeningOutcome]),
                name="screening_outcome_valid",
                violation_error_message=_("Unknown screening outcome."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("screened_on")),
                name="screening_valid_until_after_screening",
                violation_error_message=_("A screening cannot expire before it was made."),
            ),
            _range("bmwt_seconds", Decimal("0.5"), 120, _("The 3-metre backward walk time")),
            _range("tug_seconds", 1, 300, _("The TUG time")),
            _range("berg", 0, 56, _("Berg")),
            _range("fga", 0, 30, "FGA"),
            _range("dgi", 0, 24, "DGI"),
            _range("fsst_seconds", 1, 120, _("The FSST time")),
            _range("abc_pct", 0, 100, "ABC"),
            _range("pbs", 0, 56, _("The Pediatric Balance Scale")),
            _range("gmfcs", 1, 5, "GMFCS"),
            _range("gait_speed_mps", Decimal("0.05"), 3, _("The gait speed")),
            _range("bp_systolic", 50, 300, _("Systolic pressure")),
            _range("bp_diastolic", 20, 200, _("Diastolic pressure")),
            _range("falls_last_6_months", 0, 100, _("Falls"), nullable=False),
            models.CheckConstraint(
                condition=~Q(bmwt_unable=True, bmwt_seconds__isnull=False),
                name="screening_bmwt_time_or_unable",
                violation_error_message=_("Give a 3-metre backward walk time or mark it unable, not both."),
            ),
            models.CheckConstraint(
                condition=~Q(fsst_unable=True, fsst_seconds__isnull=False),
                name="screening_fsst_time_or_unable",
                violation_error_message=_("Give a Four Square Step Test time or mark it unable, not both."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Screening of %(patient)s on %(date)s") % {
            "patient": self.patient,
            "date": date_format(self.screened_on, "DATE_FORMAT"),
        }

    def save(self, *args, **kwargs):
        # Immutable once recorded (SECURITY.md "Audit and integrity"): only voiding may follow.
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.VOIDABLE_FIELDS:
                raise ValidationError(
                    _("A recorded screening cannot be changed; record a new screening instead."), code="immutable"
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A recorded screening cannot be deleted."), code="immutable")

    @property
    def reason_texts(self) -> list[str]:
        """The reasons for the outcome, in the reader's language (kept as messages: patients.screening.Reason)."""
        return reason_texts(self.reasons)

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    def is_expired(self, today=None) -> bool:
        return (today or timezone.localdate()) > self.valid_until

    def is_valid_for_prescribing(self, today=None) -> bool:
        return self.outcome != ScreeningOutcome.NOT_CLEARED and not self.is_voided and not self.is_expired(today)

    def status_label(self, today=None) -> str:
        if self.is_voided:
            return _("Void")
        if self.is_expired(today):
            return _("Expired")
        return _("Current")


class PortalInvitation(models.Model):
    """A one-time, expiring link with which a patient (or caregiver) sets the portal password.

    Only a SHA-256 digest of the link's secret is stored; the link itself is shown
    once, to the clinician who made it (and emailed when the patient gave an address).
    A new invitation revokes the patient's older open ones.
    """

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.CASCADE, related_name="portal_invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal login"),
        on_delete=models.CASCADE,
        related_name="portal_invitations",
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="portal_invitations_made"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    emailed_to = models.EmailField(blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    renewal_requested_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the patient, holding a dead link, asked for a new one.")
    )

    class Meta:
        verbose_name = _("portal invitation")
        verbose_name_plural = _("portal invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "-created_at"], name="invitation_patient_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="invitation_expires_after"),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(revoked_at__isnull=True), name="invitation_used_or_revoked"
            ),
        ]

    def __str__(self) -> str:
        return gettext("Portal invitation for %(patient)s (%(state)s)") % {"patient": self.patient, "state": self.state}

    @property
    def state(self) -> str:
        """open, used, revoked or expired (at this moment)."""
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"
