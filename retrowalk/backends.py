"""The signed-in user, read once per request with what every page asks of them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from retrowalk import units
from retrowalk.models import Preferences
from retrowalk.roles import CLINICIANS, PATIENTS


class AccountBackend(ModelBackend):
    """Django's model backend, whose ``get_user`` also reads the user's role groups, speed unit and language.

    Every page asks for the role (navigation, permission) and the language, and most for the speed unit;
    annotated on the user's row, they cost no query of their own (``retrowalk.roles``,
    ``retrowalk.models.speed_unit_of``, ``language_of``).
    """

    def get_user(self, user_id):
        User = get_user_model()
        groups = User.groups.through.objects.filter(user=OuterRef("pk"))
        preferences = Preferences.objects.filter(user=OuterRef("pk"))
        try:
            user = (
                User._default_manager.annotate(
                    _in_clinicians=Exists(groups.filter(group__name=CLINICIANS)),
                    _in_patients=Exists(groups.filter(group__name=PATIENTS)),
                    _speed_unit=Coalesce(Subquery(preferences.values("speed_unit")[:1]), Value(units.KMH)),
                    _language=Coalesce(Subquery(preferences.values("language")[:1]), Value("")),
                )
                .filter(pk=user_id)
                .get()
            )
        except (User.DoesNotExist, ValueError, TypeError):  # a malformed id in a session is no user
            return None
        return user if self.user_can_authenticate(user) else None
