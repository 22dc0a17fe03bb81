"""The signed-in user, read once per request with what every page asks of them."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection

from retrowalk import units
from retrowalk.models import Preferences
from retrowalk.roles import CLINICIANS, PATIENTS


@cache
def _user_sql() -> str:
    """One statement: the user's row, whether they are in each role group, and their speed unit.

    Written out rather than built by the ORM each request (three subqueries compile slower
    than they run); every name comes from the models' metadata.
    """
    User = get_user_model()
    q = connection.ops.quote_name
    user, member = User._meta.db_table, User.groups.through._meta.db_table
    group, prefs = Group._meta.db_table, Preferences._meta.db_table
    in_group = (
        f"EXISTS (SELECT 1 FROM {q(member)} m JOIN {q(group)} g ON g.id = m.group_id "  # noqa: S608 - model names
        "WHERE m.user_id = u.id AND g.name = %s)"
    )
    return (
        f"SELECT u.*, {in_group} AS _in_clinicians, {in_group} AS _in_patients, "  # noqa: S608 - model names
        f"COALESCE((SELECT p.speed_unit FROM {q(prefs)} p WHERE p.user_id = u.id), %s) AS _speed_unit "
        f"FROM {q(user)} u WHERE u.id = %s"
    )


class AccountBackend(ModelBackend):
    """Django's model backend, whose ``get_user`` also reads the user's role groups and speed unit.

    Every page asks for the role (navigation, permission) and most for the speed unit;
    read with the user, they cost no query of their own (``retrowalk.roles``,
    ``retrowalk.models.speed_unit_of``).
    """

    def get_user(self, user_id):
        User = get_user_model()
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:  # a malformed id in a session is no user
            return None
        found = list(User._default_manager.raw(_user_sql(), [CLINICIANS, PATIENTS, units.KMH, pk]))
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
