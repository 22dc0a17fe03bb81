"""Writes to programs. Each service is one transaction, validates fully, and is
attributed in the history tables to the user who made it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from programs import template_rules
from programs.models import ProgramTemplate, TemplateWeek


class TemplateError(Exception):
    """A refused template change, with messages for the administrator."""


@dataclass(frozen=True)
class WeekData:
    week: int
    sessions: int
    bouts: int
    bout_minutes: int
    rest_minutes: Decimal
    speed_fraction: Decimal
    incline_pct: Decimal
    support: str
    note: str = ""

    def as_plan(self) -> template_rules.WeekPlan:
        return template_rules.WeekPlan(
            week=self.week,
            bouts=self.bouts,
            bout_minutes=self.bout_minutes,
            speed_fraction=self.speed_fraction,
            incline_pct=self.incline_pct,
        )


WEEK_FIELDS = tuple(WeekData.__dataclass_fields__)


def _check(template: ProgramTemplate, weeks: Sequence[WeekData]) -> None:
    problems = template_rules.check_template(template.caps, [w.as_plan() for w in weeks])
    if problems:
        raise ValidationError([ValidationError(p.message, code="template") for p in problems])


@transaction.atomic
def template_save(*, template: ProgramTemplate, weeks: Sequence[WeekData], by) -> ProgramTemplate:
    """Save a template with its weeks.

    A version that prescriptions already use never changes: the edit becomes a
    new version (same lineage, version + 1) that supersedes it, and the old one
    stops being offered. ``template`` carries the edited values (not yet saved);
    it is returned as the saved row, which may be the new version.
    """
    _check(template, weeks)
    if template.pk is not None:
        current = ProgramTemplate.objects.select_for_update().get(pk=template.pk)
        if not current.is_active:
            raise TemplateError(
                f"Version {current.version} has been superseded and is kept unchanged for the "
                "prescriptions that use it. Edit the current version instead."
            )
        if current.is_in_use():
            current.is_active = False
            current._history_user = by
            current.save(update_fields=["is_active"])
            latest = ProgramTemplate.objects.filter(lineage=current.lineage).aggregate(v=Max("version"))["v"]
            template.pk = None
            template._state.adding = True
            template.version = latest + 1
            template.supersedes = current
            template.is_active = True
            template.lineage = current.lineage
    template.full_clean()
    template._history_user = by
    template.save()
    _replace_weeks(template, weeks, by=by)
    return template


def _replace_weeks(template: ProgramTemplate, weeks: Sequence[WeekData], *, by) -> None:
    existing = {row.week: row for row in template.week_rows.select_for_update()}
    wanted = {w.week for w in weeks}
    for number, row in existing.items():
        if number not in wanted:
            row._history_user = by
            row.delete()
    for data in weeks:
        row = existing.get(data.week) or TemplateWeek(template=template, week=data.week)
        changed = row.pk is None
        for name in WEEK_FIELDS:
            if getattr(row, name) != getattr(data, name):
                setattr(row, name, getattr(data, name))
                changed = True
        if changed:
            row.full_clean()
            row._history_user = by
            row.save()
