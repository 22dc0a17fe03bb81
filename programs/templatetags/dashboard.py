"""The dashboard's table rows, written in Python: the page's longest loop, kept out of the template engine."""

from __future__ import annotations

import uuid

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from programs.models import PrescriptionStatus

register = template.Library()

_NO_ID = uuid.UUID(int=0)
_NOTHING = mark_safe('<span class="text-body-secondary">Nothing</span>')
_NO_PROGRAM = mark_safe('<span class="text-body-secondary">None</span>')
_PAUSED = mark_safe('<span class="badge status-paused">Paused</span>')


def _program(row) -> SafeString:
    if not row.rx_id:
        return _NO_PROGRAM
    status = _PAUSED if row.rx_status == PrescriptionStatus.PAUSED else "Active"
    return format_html("{} · week {} of {}", status, row.rx_week, row.rx_weeks)


def _adherence(row) -> str:
    progress = row.progress
    return f"{progress.adherence_pct} %" if progress and progress.adherence_pct is not None else "—"


def _flags(row) -> SafeString:
    if not row.flag_list:
        return _NOTHING
    return format_html_join("", '<span class="badge flag {}">{}</span> ', row.flag_list)


@register.simple_tag
def dashboard_rows(rows) -> SafeString:
    """One <tr> a patient: name and record number, condition, program, adherence and flags."""
    # One reverse for the page; each row's link differs only by the patient's id.
    link = reverse("patients:detail", kwargs={"public_id": _NO_ID})
    return format_html_join(
        "\n",
        '<tr><td><a href="{}">{}</a><br><span class="small text-body-secondary">{}</span></td>'
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                link.replace(str(_NO_ID), str(row.public_id)),
                row.full_name,
                row.record_number,
                row.condition_name,
                _program(row),
                _adherence(row),
                _flags(row),
            )
            for row in rows
        ),
    )
