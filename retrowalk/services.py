"""Writes to what every part shares."""

from django.db import transaction

from retrowalk.models import Preferences


@transaction.atomic
def preferences_update(*, user, speed_unit: str, language: str | None = None) -> Preferences:
    """Save the user's display preferences (created on first use); ``language=None`` leaves it as it is."""
    prefs, _ = Preferences.objects.select_for_update().get_or_create(user=user)
    prefs.speed_unit = speed_unit
    if language is not None:
        prefs.language = language
    prefs.full_clean()
    prefs._history_user = user
    prefs.save()
    user._speed_unit = prefs.speed_unit
    user._language = prefs.language
    return prefs
