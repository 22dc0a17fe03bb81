from django import template

from retrowalk import units

register = template.Library()


@register.filter
def speed(kmh, unit=units.KMH):
    """``{{ week.speed_kmh|speed:speed_unit }}`` → "3.2 km/h" or "2.0 mph"."""
    return units.format_speed(kmh, str(unit))


@register.filter
def speed_value(kmh, unit=units.KMH):
    """The number alone, in the user's unit (for tables with the unit in the header)."""
    return "—" if kmh is None else units.to_unit(kmh, str(unit))


@register.filter
def unit_label(unit):
    return units.unit_label(str(unit))


@register.filter
def duration(seconds) -> str:
    """``{{ 330|duration }}`` → "5:30": minutes and seconds, as a timer counts."""
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"
