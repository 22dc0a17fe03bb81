"""What every part shares: each user's display preferences and the access log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from retrowalk import units


def validate_language(code: str) -> None:
    """A language the app speaks: one of settings.LANGUAGES, read when checked (a new catalogue needs no migration)."""
    if code not in dict(settings.LANGUAGES):
        raise ValidationError(_("%(code)s is not a language this app speaks."), code="language", params={"code": code})


class Preferences(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="preferences"
    )
    speed_unit = models.CharField(_("show speeds in"), max_length=3, choices=units.UNIT_CHOICES, default=units.KMH)
    # Blank: the language the browser asks for (Accept-Language), as before signing in.
    language = models.CharField(_("language"), max_length=12, blank=True, validators=[validate_language])

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(speed_unit__in=[code for code, _ in units.UNIT_CHOICES]),
                name="preferences_speed_unit_valid",
                violation_error_message=_("Choose km/h or mph."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Preferences of %(user)s") % {"user": self.user}


def preferences_subqueries(user_ref) -> dict:
    """Annotations that read a related user's preferences with the row that names them (``user_ref``: an
    OuterRef to the user), for ``keep_preferences``: no query of their own."""
    preferences = Preferences.objects.filter(user=user_ref)
    return {
        "_user_speed_unit": Subquery(preferences.values("speed_unit")[:1]),
        "_user_language": Subquery(preferences.values("language")[:1]),
    }


def keep_preferences(user, row) -> None:
    """Keep on ``user`` the preferences read by ``preferences_subqueries`` on ``row``."""
    user._speed_unit = row._user_speed_unit or units.KMH
    user._language = row._user_language or ""


def _read_preferences(user) -> None:
    """Both preferences in one query, kept on the user object (the signed-in user has them already:
    retrowalk.backends reads them with the user)."""
    if not hasattr(user, "_speed_unit") or not hasattr(user, "_language"):
        unit, language = Preferences.objects.filter(user=user).values_list("speed_unit", "language").first() or (
            units.KMH,
            "",
        )
        user._speed_unit, user._language = unit, language


def speed_unit_of(user) -> str:
    """The user's speed unit (km/h unless they chose mph)."""
    if not getattr(user, "is_authenticated", False):
        return units.KMH
    _read_preferences(user)
    return user._speed_unit


def language_of(user) -> str:
    """The user's chosen language, or "" (the browser's)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    _read_preferences(user)
    return user._language


class AccessAction(models.TextChoices):
    CHART_VIEWED = "chart_viewed", _("viewed the chart")
    PROGRAM_VIEWED = "program_viewed", _("viewed the program")
    HISTORY_VIEWED = "history_viewed", _("viewed the program's change history")
    PLAN_VIEWED = "plan_viewed", _("viewed the plan")
    PLAN_PRINTED = "plan_printed", _("opened the printable plan")
    PLAN_PDF = "plan_pdf", _("downloaded the plan PDF")
    SUMMARY_VIEWED = "summary_viewed", _("viewed the program summary")
    SUMMARY_PDF = "summary_pdf", _("downloaded the program summary PDF")
    RECORD_EXPORTED = "record_exported", _("exported the record (FHIR)")


class AccessRecord(models.Model):
    """Who viewed or printed which chart or plan, when and from where (SECURITY.md, audit).

    Append-only: the admin shows these read-only, and on PostgreSQL a trigger
    refuses UPDATE and DELETE. Objects are named by their public UUIDs, so this
    app needs no import of the others and the log holds no names.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(
        _("username"), max_length=150, help_text=_("The username at the time, kept if it is renamed.")
    )
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    patient_public_id = models.UUIDField(_("patient record id"), db_index=True)
    object_public_id = models.UUIDField(_("program id"), null=True, blank=True)
    ip_address = models.CharField(_("address"), max_length=45, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "-at"], name="accessrecord_user_at")]

    def __str__(self) -> str:
        return gettext("%(username)s %(action)s at %(at)s") % {
            "username": self.username,
            "action": self.get_action_display(),
            "at": date_format(timezone.localtime(self.at), "DATETIME_FORMAT"),
        }
