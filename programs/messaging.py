"""Session reminders and the clinicians' daily digest: rows in the database, sent by ``send_reminders``.

``schedule`` makes the row of every message due now: one per user, kind and clinic day (a unique
constraint), so several runners at once make each row once. ``send_due`` then claims each due row and
sends it: on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED`` (the row stays locked while it is sent,
and another runner passes over it), on SQLite with a conditional update that moves the row's next attempt
past a lease (SQLite writes one at a time). A message is sent once; a failed send is tried again with
back-off and given up after ``reminders.MAX_ATTEMPTS`` with an error in the log that names the message's
id and the error's kind, never the person. A message due longer ago than ``reminders.LATE_LIMIT`` is not
sent late.

The emails say only that today is a session day (or how many flags wait on the dashboard), with a link:
no diagnosis, dose or name beyond the greeting, since email is not a secure channel. Each carries a
signed one-click unsubscribe link (RFC 8058) that works without signing in.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from patients.selectors import portal_renewals_waiting
from programs import flags, reminders, selectors
from programs.models import (
    CURRENT_STATUSES,
    MessageKind,
    MessageState,
    OutgoingMessage,
    Prescription,
    ReminderSettings,
    SessionLog,
)
from retrowalk.models import language_of

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "retrowalk.programs.unsubscribe"
# How long a claimed row is kept from other runners on SQLite while it is sent.
LEASE = timedelta(minutes=10)


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- Which messages are due ---


def _running_programs(user_ids) -> dict[int, Prescription]:
    programs = {}
    for rx in (
        Prescription.objects.filter(patient__user__in=user_ids, status__in=CURRENT_STATUSES)
        .select_related("patient")
        .order_by("-start_date", "-created_at")
    ):
        programs.setdefault(rx.patient.user_id, rx)
    return programs


def reminder_wanted(user_id: int, setting: ReminderSettings, day, programs: dict) -> bool:
    rx = programs.get(user_id)
    if rx is None:
        return False
    logged = SessionLog.objects.filter(prescription=rx, session_date=day).exists()
    return reminders.reminder_wanted(
        # A running program has no end yet: a week repeated or a review waiting keeps its sessions going.
        day=day,
        weekdays=setting.weekdays,
        status=rx.status,
        start=rx.start_date,
        end=rx.ended_on,
        logged=logged,
    )


def schedule(now: datetime) -> int:
    """Make the row of every message due now and not made yet; how many were new."""
    zone = clinic_zone()
    wanted: list[OutgoingMessage] = []
    active = ReminderSettings.objects.filter(user__is_active=True).exclude(user__email="").select_related("user")
    for day in reminders.days_to_check(now, zone):
        patients = []
        for setting in active.filter(session_reminders=True):
            due = reminders.due_at(day, setting.session_time, zone)
            if reminders.in_window(due, now):
                patients.append((setting, due))
        programs = _running_programs([s.user_id for s, _ in patients])
        for setting, due in patients:
            if reminder_wanted(setting.user_id, setting, day, programs):
                wanted.append(_row(MessageKind.SESSION_REMINDER, setting.user_id, day, due))
        for setting in active.filter(digest=True):
            due = reminders.due_at(day, setting.digest_time, zone)
            if reminders.in_window(due, now):
                wanted.append(_row(MessageKind.DIGEST, setting.user_id, day, due))
    before = OutgoingMessage.objects.count()
    OutgoingMessage.objects.bulk_create(wanted, ignore_conflicts=True)
    return OutgoingMessage.objects.count() - before


def _row(kind, user_id, day, due) -> OutgoingMessage:
    return OutgoingMessage(kind=kind, user_id=user_id, day=day, due_at=due, next_attempt_at=due)


# --- Sending ---


def _due(now):
    return OutgoingMessage.objects.filter(state=MessageState.DUE, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )


def send_due(now: datetime) -> Counter:
    """Send every due message not sent yet, each once whatever else runs; what became of them."""
    outcomes: Counter = Counter()
    skip_locked = connection.features.has_select_for_update_skip_locked
    while True:
        if skip_locked:
            with transaction.atomic():
                message = _due(now).select_for_update(skip_locked=True, of=("self",)).select_related("user").first()
                if message is None:
                    break
                outcomes[_deliver(message, now)] += 1
        else:
            message = _claim_by_update(now)
            if message is None:
                break
            outcomes[_deliver(message, now)] += 1
    return outcomes


def _claim_by_update(now):
    for message in _due(now).select_related("user")[:20]:
        claimed = OutgoingMessage.objects.filter(
            pk=message.pk, state=MessageState.DUE, next_attempt_at=message.next_attempt_at
        ).update(next_attempt_at=now + LEASE)
        if claimed:
            return message
    return None


def _finish(message, state, now, **fields) -> None:
    OutgoingMessage.objects.filter(pk=message.pk).update(state=state, finished_at=now, **fields)


def _deliver(message, now) -> str:
    if now > message.due_at + reminders.LATE_LIMIT:
        _finish(message, MessageState.EXPIRED, now)
        return "expired"
    email = build_email(message)
    if email is None:
        _finish(message, MessageState.SKIPPED, now)
        return "skipped"
    try:
        email.send()
    except Exception as exc:  # any failure of the mail backend is tried again, then given up
        attempts = message.attempts + 1
        kind = type(exc).__name__
        if attempts >= reminders.MAX_ATTEMPTS:
            _finish(message, MessageState.FAILED, now, attempts=attempts, last_error=kind)
            log.error("message %s (%s) given up after %s attempts: %s", message.pk, message.kind, attempts, kind)
            return "failed"
        OutgoingMessage.objects.filter(pk=message.pk).update(
            attempts=attempts, next_attempt_at=reminders.next_try(now, attempts), last_error=kind
        )
        log.warning("message %s (%s) not sent (attempt %s): %s", message.pk, message.kind, attempts, kind)
        return "retry"
    _finish(message, MessageState.SENT, now, attempts=message.attempts + 1, last_error="")
    return "sent"


# --- The emails ---


def unsubscribe_token(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in MessageKind.values or not isinstance(data.get("u"), int):
        return None
    return data["u"], data["k"]


def unsubscribe(user_id: int, kind: str) -> bool:
    """Switch the kind of message off for the user; False when it already was."""
    field = "session_reminders" if kind == MessageKind.SESSION_REMINDER else "digest"
    setting = ReminderSettings.objects.filter(user_id=user_id, **{field: True}).first()
    if setting is None:
        return False
    setattr(setting, field, False)
    setting.save(update_fields=[field])
    OutgoingMessage.objects.filter(user_id=user_id, kind=kind, state=MessageState.DUE).update(
        state=MessageState.SKIPPED, finished_at=timezone.now()
    )
    return True


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def digest_counts(user, day) -> list[tuple[str, int]]:
    """(label, how many patients) per flag on the clinician's dashboard today, and portal renewals asked."""
    rows = selectors.dashboard_facts(user=user, today=day)
    counts = [(str(label), sum(1 for row in rows if row.flags[name])) for name, _, label in flags.FLAGS]
    counts.append((str(flags.PORTAL_RENEWALS), portal_renewals_waiting(clinician=user)))
    return counts


def build_email(message) -> EmailMessage | None:
    """The message in its reader's language, or None when it is no longer wanted (a reminder for a day
    whose session is logged meanwhile, or whose program was paused)."""
    user = message.user
    if not user.is_active or not user.email:
        return None
    context = {
        "user": user,
        "unsubscribe": site_url(reverse("programs:unsubscribe", args=[unsubscribe_token(user.pk, message.kind)])),
    }
    with translation.override(language_of(user) or settings.LANGUAGE_CODE):
        if message.kind == MessageKind.SESSION_REMINDER:
            setting = ReminderSettings.objects.filter(user=user, session_reminders=True).first()
            if setting is None or not reminder_wanted(user.pk, setting, message.day, _running_programs([user.pk])):
                return None
            context["link"] = site_url(reverse("programs:my_plan"))
            template = "programs/email/session_reminder"
        else:
            context["link"] = site_url(reverse("programs:dashboard"))
            context["counts"] = digest_counts(user, message.day)
            template = "programs/email/digest"
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
    return EmailMessage(
        subject,
        body,
        None,
        [user.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
