"""A week of the demo clinic's reminders and digests, sent by one runner and by two at once (PostgreSQL).

Seeds the demo clinic into ``<DATABASE_URL's name>_reminders`` (made afresh), then acts out next week
(Monday 00:00 to Sunday 23:55, the clinic's time) in five-minute steps: first with one runner per step,
then, from a clean outbox, with two runners per step started together on connections of their own. Prints
what was sent by kind and day; the two runs must send the same messages, each once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/retrowalk python -m tests.bench.reminder_week
"""

from __future__ import annotations

import os
import sys
import threading
from collections import Counter
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit, urlunsplit

STEP = timedelta(minutes=5)


def main() -> int:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/retrowalk")
    if not base.startswith("postgres"):
        print("needs PostgreSQL (SKIP LOCKED): DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/')}_reminders"
    import psycopg

    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("RETROWALK_TIME_ZONE", "Europe/Stockholm")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retrowalk.settings")
    import django

    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from django.db import connections
    from django.utils.formats import date_format

    from programs import messaging
    from programs.models import OutgoingMessage

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    zone = messaging.clinic_zone()
    today = datetime.now(zone).date()
    monday = today + timedelta(days=7 - today.weekday())
    start = datetime.combine(monday, time(0), tzinfo=zone)

    def week(runners: int) -> tuple[Counter, int]:
        OutgoingMessage.objects.all().delete()
        mail.outbox = []
        at = start
        while at < start + timedelta(days=7):
            barrier = threading.Barrier(runners)

            def runner(moment=at, barrier=barrier):
                try:
                    barrier.wait()
                    messaging.schedule(moment)
                    messaging.send_due(moment)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=runner) for _ in range(runners)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            at += STEP
        sent = Counter(
            (m.kind, date_format(m.day, "D")) for m in OutgoingMessage.objects.filter(state="sent").order_by("day")
        )
        return sent, len(mail.outbox)

    results = {runners: week(runners) for runners in (1, 2)}
    print(f"Demo clinic, the week of {monday:%d %b %Y}, {STEP.seconds // 60}-minute steps ({zone.key}):")
    for runners, (sent, emails) in results.items():
        by_kind = Counter()
        for (kind, _day), count in sent.items():
            by_kind[kind] += count
        days = ", ".join(f"{day} {count}" for (kind, day), count in sent.items() if kind == "session_reminder")
        print(
            f"  {runners} runner{'s' if runners > 1 else ''}: {emails} emails — "
            f"{by_kind['session_reminder']} session reminders ({days}), {by_kind['digest']} digests"
        )
    same = results[1] == results[2]
    print("  the same messages, each once" if same else "  DIFFERENT: a message was lost or sent twice")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
