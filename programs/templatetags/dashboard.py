"""The dashboard's table rows, written in Python: the page's longest loop, kept out of the template engine."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from programs.models import PrescriptionStatus
from retrowalk.links import link_to

register = template.Library()

_NOTHING = mark_safe('<span class="text-body-secondary">Nothing</span>')
_NO_PROGRAM = mark_safe('<span class="text-body-secondary">None</span>')
_PAUSED = mark_safe('<span class="badge status-paused">Paused</span>')


def _program(row) -> str:
    if not row.rx_id:
        return _NO_PROGRAM
    status = _PAUSED if row.rx_status == PrescriptionStatus.PAUSED else "Active"
    return f"{status} · week {row.rx_week} of {row.rx_weeks}"


def _adherence(row) -> str:
    progress = row.progress
    return f"{progress.adherence_pct} %" if progress and progress.adherence_pct is not None else "—"


def _flags(row) -> str:
    if not row.flag_list:
        return _NOTHING
    return "".join(f'<span class="badge flag {name}">{escape(label)}</span> ' for name, label in row.flag_list)


@register.simple_tag
def dashboard_rows(rows) -> SafeString:
    """One <tr> a patient: name and record number, condition, program, adherence and flags."""
    # One URL pattern for the page; each row's link differs only by the patient's id. Written with
    # f-strings: the names, record number and condition are escaped, the rest are numbers and our words.
    link = link_to("patients:detail")
    return mark_safe(  # noqa: S308 - the text in the rows is escaped
        "\n".join(
            f'<tr><td><a href="{link(row.public_id)}">{escape(row.full_name)}</a><br>'
            f'<span class="small text-body-secondary">{escape(row.record_number)}</span></td>'
            f"<td>{escape(row.condition_name)}</td><td>{_program(row)}</td><td>{_adherence(row)}</td>"
            f"<td>{_flags(row)}</td></tr>"
            for row in rows
        )
    )
