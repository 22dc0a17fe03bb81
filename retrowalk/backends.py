"""The signed-in user, read once per request with what every page asks of them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from retrowalk.models import keep_preferences, preferences_subqueries
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
        try:
            user = (
                User._default_manager.annotate(
                    _in_clinicians=Exists(groups.filter(group__name=CLINICIANS)),
                    _in_patients=Exists(groups.filter(group__name=PATIENTS)),
                    **preferences_subqueries(OuterRef("pk")),
                )
                .filter(pk=user_id)
                .get()
            )
        except (User.DoesNotExist, ValueError, TypeError):  # a malformed id in a session is no user
            return None
        keep_preferences(user, user)
        return user if self.user_can_authenticate(user) else None
