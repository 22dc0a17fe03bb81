"""How retrowalk writes dates in English: day, short month, year (4 Mar 2026), one order for every reader.

Named formats only (Django's ``DATE_FORMAT`` and friends), so each language's catalogue of
formats decides the order and the month names; templates use ``|date:"DATE_FORMAT"`` and
Python ``django.utils.formats.date_format``.
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
