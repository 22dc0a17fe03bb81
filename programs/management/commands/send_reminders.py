"""``manage.py send_reminders [--at ISO-8601]``: send every reminder and digest due at that moment, then exit.

Run it every few minutes (cron or a systemd timer; the README shows both). Any number of copies may run at
once, on any number of servers: each message is sent once (programs.messaging).
"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from programs import messaging


def moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--at must be an ISO-8601 date and time, e.g. 2026-12-02T08:00:00+01:00 ({exc}).") from exc
    return value if timezone.is_aware(value) else timezone.make_aware(value, messaging.clinic_zone())


class Command(BaseCommand):
    help = "Send the session reminders and daily digests due now (or --at a moment), each once, then exit."

    def add_arguments(self, parser):
        parser.add_argument("--at", type=moment, help="The moment to act as now (ISO-8601; default: now).")

    def handle(self, *args, **options):
        now = options["at"] or timezone.now()
        made = messaging.schedule(now)
        outcomes = messaging.send_due(now)
        if options["verbosity"] < 1:
            return
        summary = ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items())) or "nothing to send"
        self.stdout.write(
            f"{timezone.localtime(now, messaging.clinic_zone()):%Y-%m-%d %H:%M %Z}: {made} due; {summary}."
        )
