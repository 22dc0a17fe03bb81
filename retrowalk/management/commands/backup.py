"""``manage.py backup [--output FILE]``: a consistent copy of the database, safe while the app runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from retrowalk.backup import BackupError, backup, default_name


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database to a file (PostgreSQL: pg_dump custom format; SQLite: the online "
        "backup API). Safe while the app runs. The README shows how to restore each."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="The file to write (it must not exist). Default: retrowalk-<database>-<UTC time> in this folder.",
        )
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args, **options):
        destination = options["output"] or Path(default_name(options["database"]))
        try:
            written = backup(destination, options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {written} ({written.stat().st_size:,} bytes)."))
