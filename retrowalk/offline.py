"""The patient's pages on the phone without a connection: the web app manifest, the service worker and its rules.

The service worker (``templates/retrowalk/sw.js``, served at the root by ``service_worker`` so that its
scope is the whole site) keeps a page for offline use only when the response says so with the
``Retrowalk-Offline: keep`` header, and ``available_offline`` sets that header only for a patient looking at
their own pages (every page a patient can open is their own). A clinician's or an administrator's page is
therefore never kept. Pages still carry ``Cache-Control: no-store``: the browser's HTTP cache keeps nothing;
the worker's store is the app's own, emptied when the patient signs out (``Clear-Site-Data``) and when
another person signs in on the same device (``static/js/offline.js``).
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.utils.crypto import salted_hmac

from retrowalk.roles import is_patient

# The response header that lets the service worker keep a page, and its one value.
KEEP_HEADER = "Retrowalk-Offline"
KEEP = "keep"
# What signing out asks the browser to delete: the worker's caches and the stored logs (IndexedDB).
CLEAR_SITE_DATA = '"cache", "storage"'


def available_offline(view):
    """Let the service worker keep this page when a patient opens it (a successful GET only)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200 and is_patient(request.user):
            response[KEEP_HEADER] = KEEP
        return response

    return wrapper


def owner_of(user) -> str:
    """An opaque name for the patient whose pages this device keeps ("" for anyone else): no name, no id."""
    if not is_patient(user):
        return ""
    return salted_hmac("retrowalk.offline.owner", str(user.pk), secret=settings.SECRET_KEY).hexdigest()[:32]


# The app's files the service worker keeps at install: what the patient's kept pages draw with.
FILES = (
    "vendor/bootstrap-5.3.8/css/bootstrap.min.css",
    "vendor/bootstrap-5.3.8/js/bootstrap.bundle.min.js",
    "css/retrowalk.css",
    "css/print.css",
    "css/card.css",
    "css/card-screen.css",
    "images/favicon.svg",
    "images/logo.svg",
    "images/icon-192.png",
    "images/icon-512.png",
    "images/icon-maskable-512.png",
    "js/offline.js",
    "js/offline_queue.js",
    "js/session_timer.js",
    "js/session_log_form.js",
    "js/plan_print.js",
)
