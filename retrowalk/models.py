"""What every part shares: each user's display preferences."""

from django.conf import settings
from django.db import models
from django.db.models import Q
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
