"""Speed units. Pure: stored in km/h (SI), shown in each user's unit.

Conversions round to 0.1 in the target unit. A tenth of a km/h is finer than a
tenth of a mph, so a value entered in mph comes back unchanged after storage.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import localize

KMH = "kmh"
MPH = "mph"
UNIT_CHOICES = [(KMH, "km/h"), (MPH, "mph")]
UNIT_LABELS = dict(UNIT_CHOICES)
KM_PER_MILE = Decimal("1.609344")  # exact, by definition of the international mile
TENTH = Decimal("0.1")


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def to_unit(kmh: Decimal, unit: str) -> Decimal:
    """A stored km/h value in the user's unit, rounded to 0.1."""
    return _tenth(kmh / KM_PER_MILE) if unit == MPH else _tenth(kmh)


def to_kmh(value: Decimal, unit: str) -> Decimal:
    """A value in the user's unit as km/h for storage, rounded to 0.1."""
    return _tenth(value * KM_PER_MILE) if unit == MPH else _tenth(value)


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit, UNIT_LABELS[KMH])


def format_speed(kmh: Decimal | None, unit: str) -> str:
    if kmh is None:
        return "—"
    return f"{localize(to_unit(Decimal(kmh), unit))} {unit_label(unit)}"
