"""A patient's planned sessions as an iCalendar feed, for phone calendars to subscribe to.

Each planned session (``programs.schedule``) is an all-day event whose description gives that week's
dose in the patient's language and unit. The feed names no one: its calendar is called "Backward
walking" and nothing in it says whose it is, as its address may be read by a calendar service.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.formats import localize
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from programs import plan
from retrowalk import units


def dose_text(week_row, *, prescription, unit: str) -> str:
    targets = plan.targets_of(week_row, 0)
    lines = [
        _("Walk BACKWARD: %(bouts)s × %(minutes)s min at %(speed)s %(unit)s, incline %(incline)s %%.")
        % {
            "bouts": targets.bouts,
            "minutes": targets.bout_minutes,
            "speed": localize(units.to_unit(targets.speed_kmh, unit)),
            "unit": units.unit_label(unit),
            "incline": localize(targets.incline_pct),
        },
        _("Rest %(rest)s min between walks.") % {"rest": localize(targets.rest_minutes)},
        *plan.support_of(prescription, targets),
        _("Stop at once if you feel chest pain, dizziness or lose your balance. Clip on the safety key."),
    ]
    return "\n".join(str(line) for line in lines)


def feed_ics(*, prescription, sessions, week_rows, language: str, unit: str) -> bytes:
    by_week = {row.week: row for row in week_rows}
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", "-//retrowalk//calendar feed//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", _("Backward walking"))
        title = _("Backward walking session")
        stamp = prescription.updated_at
        texts = {}
        for session in sessions:
            if session.week not in texts:
                texts[session.week] = dose_text(by_week[session.week], prescription=prescription, unit=unit)
            event = Event()
            event.add("uid", f"{prescription.public_id}-{session.day:%Y%m%d}@retrowalk")
            event.add("dtstamp", stamp)
            event.add("dtstart", session.day)
            event.add("summary", title)
            event.add("description", texts[session.week])
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
        return calendar.to_ical()
