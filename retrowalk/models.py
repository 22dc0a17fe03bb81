"""What every part shares: each user's display preferences and the access log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from retrowalk import units


class Preferences(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences")
    speed_unit = models.CharField("show speeds in", max_length=3, choices=units.UNIT_CHOICES, default=units.KMH)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(speed_unit__in=[code for code, _ in units.UNIT_CHOICES]),
                name="preferences_speed_unit_valid",
                violation_error_message="Choose km/h or mph.",
            ),
        ]

    def __str__(self) -> str:
        return f"Preferences of {self.user}"


def speed_unit_of(user) -> str:
    """The user's speed unit (km/h unless they chose mph); one query, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return units.KMH
    cached = getattr(user, "_speed_unit", None)
    if cached is None:
        cached = Preferences.objects.filter(user=user).values_list("speed_unit", flat=True).first() or units.KMH
        user._speed_unit = cached
    return cached


class AccessAction(models.TextChoices):
    CHART_VIEWED = "chart_viewed", "viewed the chart"
    PROGRAM_VIEWED = "program_viewed", "viewed the program"
    HISTORY_VIEWED = "history_viewed", "viewed the program's change history"
    PLAN_VIEWED = "plan_viewed", "viewed the plan"
    PLAN_PRINTED = "plan_printed", "opened the printable plan"
    PLAN_PDF = "plan_pdf", "downloaded the plan PDF"


class AccessRecord(models.Model):
    """Who viewed or printed which chart or plan, when and from where (SECURITY.md, audit).

    Append-only: the admin shows these read-only, and on PostgreSQL a trigger
    refuses UPDATE and DELETE. Objects are named by their public UUIDs, so this
    app needs no import of the others and the log holds no names.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150, help_text="The username at the time, kept if it is renamed.")
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    patient_public_id = models.UUIDField("patient record id", db_index=True)
    object_public_id = models.UUIDField("program id", null=True, blank=True)
    ip_address = models.CharField("address", max_length=45, blank=True)
    user_agent = models.CharField("browser", max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "-at"], name="accessrecord_user_at")]

    def __str__(self) -> str:
        return f"{self.username} {self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"
