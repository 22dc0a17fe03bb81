from retrowalk.roles import role_of


def navigation(request):
    user = getattr(request, "user", None)
    return {"nav_role": role_of(user) if user is not None else None}
