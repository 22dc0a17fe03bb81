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
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from patients import conditions

# Dates that cannot be in the future. Validated here against the clinic's local
# date; PostgreSQL also holds them as CHECKs (migration 0003) with one day's
# slack for time zones, since SQLite allows no time-dependent CHECK.
PAST_DATE_FIELDS = {
    "date_of_birth": "The date of birth cannot be in the future.",
    "surgery_date": "The surgery date cannot be in the future.",
    "stroke_date": "The stroke date cannot be in the future.",
}

# Data-entry plausibility bound for a comfortable forward walking speed; not a
# dose. Default for clinical review (fast adult walking is below 8 km/h).
MAX_FORWARD_SPEED_KMH = Decimal("8.0")


class Population(models.TextChoices):
    """Which published fall-risk cutoffs apply (CLINICAL.md section 4)."""

    OLDER_ADULT = "older_adult", "Older adults"
    STROKE = "stroke", "Stroke"
    PAEDIATRIC = "paediatric", "Children (cerebral palsy)"
    POST_SURGICAL = "post_surgical", "Post-surgical (young, active)"


class Condition(models.Model):
    Population = Population

    code = models.SlugField(
        max_length=50, unique=True, help_text="Stable identifier, e.g. knee_oa. Do not change once in use."
    )
    name = models.CharField(max_length=120)
    screening_population = models.CharField(
        max_length=20,
        choices=Population.choices,
        help_text="Chooses the balance cutoffs that apply (CLINICAL.md section 4).",
    )
    description = models.TextField(help_text="Plain-language description shown to clinicians and patients.")
    sources = models.TextField(blank=True, help_text="The evidence behind this condition's defaults.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(screening_population__in=[c.value for c in Population]),
                name="condition_population_valid",
                violation_error_message="Choose a screening population from the list.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Not recorded"

    class Side(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"
        BOTH = "both", "Both"

    class Graft(models.TextChoices):
        PATELLAR = "patellar_tendon", "Patellar tendon (BTB)"
        HAMSTRING = "hamstring", "Hamstring"
        QUADRICEPS = "quadriceps_tendon", "Quadriceps tendon"
        ALLOGRAFT = "allograft", "Allograft"
        OTHER = "other", "Other"

    class WalkingAid(models.TextChoices):
        NONE = "none", "None"
        CANE = "cane", "Single-point cane"
        QUAD_CANE = "quad_cane", "Quad cane"
        WALKER = "walker", "Walker / frame"
        ROLLATOR = "rollator", "Rollator"
        OTHER = "other", "Other"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record_number = models.CharField("medical record number", max_length=32)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="patients")
    comfortable_forward_speed_kmh = models.DecimalField(
        "comfortable forward walking speed (km/h)",
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(MAX_FORWARD_SPEED_KMH)],
        help_text="Measured overground at the patient's comfortable pace (e.g. 10-metre walk test).",
    )
    affected_side = models.CharField(max_length=5, choices=Side.choices, blank=True)
    # ACL reconstruction
    surgery_date = models.DateField(null=True, blank=True)
    graft = models.CharField(max_length=20, choices=Graft.choices, blank=True)
    meniscal_repair = models.BooleanField("meniscal repair", default=False)
    microfracture = models.BooleanField(default=False)
    # Knee osteoarthritis
    kl_grade = models.PositiveSmallIntegerField(
        "Kellgren-Lawrence grade",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
    )
    # Stroke
    stroke_date = models.DateField(null=True, blank=True)
    walking_aid = models.CharField(max_length=12, choices=WalkingAid.choices, blank=True)
    # Cerebral palsy
    gmfcs_level = models.PositiveSmallIntegerField(
        "GMFCS level",
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
        help_text="The patient's (or caregiver's) login, when invited to the portal.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[care_team])

    class Meta:
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
                    f"The comfortable forward speed must be above 0 and at most {MAX_FORWARD_SPEED_KMH} km/h."
                ),
            ),
            models.CheckConstraint(
                condition=Q(gmfcs_level__isnull=True) | Q(gmfcs_level__gte=1, gmfcs_level__lte=5),
                name="patient_gmfcs_1_5",
                violation_error_message="The GMFCS level is I to V (1–5).",
            ),
            models.CheckConstraint(
                condition=Q(kl_grade__isnull=True) | Q(kl_grade__gte=0, kl_grade__lte=4),
                name="patient_kl_grade_0_4",
                violation_error_message="The Kellgren-Lawrence grade is 0 to 4.",
            ),
            models.CheckConstraint(
                condition=Q(affected_side__in=["", "left", "right", "both"]),
                name="patient_side_valid",
                violation_error_message="Choose left, right or both.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.record_number})"

    def get_absolute_url(self) -> str:
        return reverse("patients:detail", kwargs={"public_id": self.public_id})

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) == ("record_number",):
            return ValidationError(
                "Another patient already has this medical record number.",
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
            for name in conditions.fields_for(self.condition_code).required:
                if getattr(self, name) in (None, ""):
                    label = self._meta.get_field(name).verbose_name
                    errors[name] = ValidationError(
                        f"Needed for {self.condition.name}: enter the {label}.", code="required_for_condition"
                    )
        if self.surgery_date and self.date_of_birth and self.surgery_date < self.date_of_birth:
            errors["surgery_date"] = ValidationError("The surgery date is before the date of birth.", code="order")
        if self.stroke_date and self.date_of_birth and self.stroke_date < self.date_of_birth:
            errors["stroke_date"] = ValidationError("The stroke date is before the date of birth.", code="order")
        if errors:
            raise ValidationError(errors)
