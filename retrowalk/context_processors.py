from django.utils.functional import SimpleLazyObject

from retrowalk.models import speed_unit_of
from retrowalk.offline import owner_of
from retrowalk.roles import role_of


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "nav_role": role_of(user) if user is not None else None,
        # Lazy: only pages that show a speed read the preference.
        "speed_unit": SimpleLazyObject(lambda: speed_unit_of(user)),
        # Whose pages this device keeps for offline use (retrowalk.offline): an opaque name, for patients only.
        "offline_owner": SimpleLazyObject(lambda: owner_of(user)),
    }
