"""Who is asking, from where: one answer for the login lockout and the access log."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the proxy's last X-Forwarded-For hop behind a TLS proxy."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if forwarded:
            return forwarded[-1][:45]
    return (request.META.get("REMOTE_ADDR") or "")[:45]


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """django-axes' log text for a client: the address and path, never the username (patients' come from names)."""
    return f"client {ip_address or 'unknown'} on {path_info}"


def axes_username(request, credentials) -> str | None:
    """The username django-axes records: what was typed, cut to a username's length (150).

    Axes stores it in a 255-character column; an over-long value must be refused as a wrong login, not a 500.
    """
    username = (credentials or {}).get("username")
    if username is None:
        username = getattr(request, "POST", {}).get("username")
    return None if username is None else str(username)[:150]
