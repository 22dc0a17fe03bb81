"""The clinic-wide FHIR export: one NDJSON file per resource type (the FHIR Bulk Data layout).

Patients are read in batches by primary key (keyset pagination: each batch one query, whatever the
clinic's size), each batch's rows loaded in a fixed number of queries (``selectors.fhir_records``) and
written out before the next is read, so memory stays flat as the clinic grows. Resources name each other
``Type/id``, as Bulk Data files do.

Every file is written as ``<Type>.ndjson.part`` and renamed to ``<Type>.ndjson`` only when the whole
export has succeeded; an export that fails or is interrupted removes its ``.part`` files, so a file
named as finished is always complete. The folder must be empty (or not yet exist, under a writable
folder): nothing is written until that is checked.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from patients.models import Patient
from programs import fhir, selectors

BATCH = 500  # patients per batch: a few thousand rows in memory at a time
TYPES = ("Patient", "Condition", "Observation", "CarePlan", "ServiceRequest", "Practitioner")


class ExportError(Exception):
    pass


def _writable(folder: Path) -> bool:
    """Whether a file can be made in the folder: tried, not guessed (permissions say little to root)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def check_destination(out: Path) -> None:
    """Refuse a folder the export cannot use, before anything is written."""
    if out.exists():
        if not out.is_dir():
            raise ExportError(f"{out} is not a folder (nothing was written).")
        if any(out.iterdir()):
            raise ExportError(f"{out} is not empty: choose an empty or new folder (nothing was written).")
        if not _writable(out):
            raise ExportError(f"{out} is not writable (nothing was written).")
        return
    parent = out.parent
    if not parent.is_dir():
        raise ExportError(f"{parent} does not exist (nothing was written).")
    if not _writable(parent):
        raise ExportError(f"{parent} is not writable: {out} cannot be made (nothing was written).")


def _batches(size: int):
    last = 0
    while True:
        batch = list(Patient.objects.filter(pk__gt=last).select_related("condition").order_by("pk")[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def export_ndjson(out: Path, *, batch: int = BATCH) -> Counter:
    """Write every patient's record under ``out``; the count of resources of each type."""
    check_destination(out)
    out.mkdir(exist_ok=True)
    parts = {kind: out / f"{kind}.ndjson.part" for kind in TYPES}
    counts: Counter = Counter()
    files = {}
    try:
        for kind, path in parts.items():
            files[kind] = path.open("w", encoding="utf-8")
        with translation.override(settings.LANGUAGE_CODE):
            authors: set[int] = set()
            for patients in _batches(batch):
                records = selectors.fhir_records(patients)
                for record in records:
                    for resource in fhir.resources(record, fhir.relative_reference):
                        kind = resource["resourceType"]
                        files[kind].write(json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n")
                        counts[kind] += 1
                authors.update(selectors.record_author_ids(records))
            users = get_user_model().objects.filter(pk__in=authors).order_by("pk")
            for user in users.iterator(chunk_size=2000):
                files["Practitioner"].write(json.dumps(fhir.practitioner(user), ensure_ascii=False) + "\n")
                counts["Practitioner"] += 1
        for handle in files.values():
            handle.close()
        for kind, path in parts.items():
            path.rename(out / f"{kind}.ndjson")
    except BaseException:
        for handle in files.values():
            handle.close()
        for path in parts.values():
            path.unlink(missing_ok=True)
        raise
    return counts
