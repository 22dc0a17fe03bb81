"""``manage.py export_fhir --out DIR``: every patient's record as FHIR R4 NDJSON, one file per resource type."""

import resource
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programs.export import BATCH, ExportError, export_ndjson


class Command(BaseCommand):
    help = (
        "Write every patient's record as FHIR R4 resources, one NDJSON file per resource type (the FHIR Bulk "
        "Data layout), into an empty or new folder. Files appear only when the export has finished."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="An empty folder, or a new one to make.")
        parser.add_argument("--batch", type=int, default=BATCH, help=f"Patients read at a time (default {BATCH}).")

    def handle(self, *args, **options):
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1.")
        started = time.monotonic()
        try:
            counts = export_ndjson(options["out"], batch=options["batch"])
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for kind, count in sorted(counts.items()):
            self.stdout.write(f"  {kind}.ndjson: {count:,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {counts['Patient']:,} patients ({sum(counts.values()):,} resources) to {options['out']} "
                f"in {seconds:.1f} s; peak memory {peak_mib:.0f} MiB."
            )
        )
