"""A program's change history for its clinicians: who changed what, when, from which value to which.

Reads django-simple-history's rows for the prescription and its weeks (two
queries) and turns them into plain lines. Speeds follow the reader's unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.formats import date_format, localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import Prescription, PrescriptionWeek
from retrowalk import units

# Bookkeeping fields that change with every save and tell the reader nothing.
_SKIPPED = {"id", "version", "created_at", "updated_at", "public_id", "prescription", "week"}
# Speeds are stored in km/h and shown in the reader's unit, under these names.
_SPEED_FIELDS = {"speed_kmh": gettext_lazy("speed"), "starting_speed_kmh": gettext_lazy("starting backward speed")}
# Week rows written by one save (prescribing, an adjustment) share one entry.
_SAME_SAVE = timedelta(seconds=5)


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: datetime
    who: str
    what: str
    changes: list[Change] = field(default_factory=list)


def _label(model, name: str, unit: str) -> str:
    if name in _SPEED_FIELDS:
        return _("%(field)s (%(unit)s)") % {"field": _SPEED_FIELDS[name], "unit": units.unit_label(unit)}
    return str(model._meta.get_field(name).verbose_name)


def _shown(record, name: str, unit: str) -> str:
    value = getattr(record, name)
    if value is None or value == "":
        return "—"
    if name in _SPEED_FIELDS:
        return localize(units.to_unit(value, unit))
    display = getattr(record, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return localize(value.normalize())
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return _("the system")
    return user.get_full_name() or user.get_username()


def _changes(model, record, previous, unit: str) -> list[Change]:
    delta = record.diff_against(previous)
    return [
        Change(_label(model, c.field, unit), _shown(previous, c.field, unit), _shown(record, c.field, unit))
        for c in delta.changes
        if c.field not in _SKIPPED and not c.field.endswith("_id")
    ]


def _with_previous(records):
    previous_of: dict[int, object] = {}
    for record in records:
        yield record, previous_of.get(record.id)
        previous_of[record.id] = record


def prescription_history(prescription: Prescription, *, unit: str) -> list[HistoryEntry]:
    """Newest first: the program's creation and changes, and its weeks' changes grouped per save."""
    entries: list[HistoryEntry] = []
    program_rows = prescription.history.select_related("history_user").order_by("history_date", "history_id")
    for record, previous in _with_previous(program_rows):
        who = _who(record)
        if record.history_type == "+":
            entries.append(HistoryEntry(record.history_date, who, _("Prescribed the program")))
        elif record.history_type == "-":
            entries.append(HistoryEntry(record.history_date, who, _("Deleted the program")))
        elif previous is not None:
            changes = _changes(Prescription, record, previous, unit)
            if changes:
                entries.append(HistoryEntry(record.history_date, who, _("Changed the program"), changes))

    week_rows = (
        PrescriptionWeek.history.filter(prescription_id=prescription.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    group: HistoryEntry | None = None
    created: list[int] = []
    for record, previous in _with_previous(week_rows):
        who = _who(record)
        same_save = group is not None and group.who == who and record.history_date - group.at <= _SAME_SAVE
        if record.history_type == "+":
            if not (same_save and created):
                created = []
                group = HistoryEntry(record.history_date, who, "")
                entries.append(group)
            created.append(record.week)
            group.what = (
                _("Set weeks %(first)s–%(last)s") % {"first": created[0], "last": created[-1]}
                if len(created) > 1
                else _("Set week %(week)s") % {"week": created[0]}
            )
            continue
        created = []
        if record.history_type == "-":
            entries.append(HistoryEntry(record.history_date, who, _("Removed week %(week)s") % {"week": record.week}))
            continue
        changes = _changes(PrescriptionWeek, record, previous, unit) if previous is not None else []
        if not changes:
            continue
        changed_weeks = _("Changed the weeks")
        if not same_save or group is None or group.what != changed_weeks:
            group = HistoryEntry(record.history_date, who, changed_weeks)
            entries.append(group)
        group.changes.extend(
            Change(_("Week %(week)s: %(field)s") % {"week": record.week, "field": c.label}, c.old, c.new)
            for c in changes
        )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries
