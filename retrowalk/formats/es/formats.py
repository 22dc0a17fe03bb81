"""How retrowalk writes dates and numbers in Spanish: day, short month, year (4 mar 2026), and a decimal comma (2,5).

Named formats only (Django's ``DATE_FORMAT`` and friends); Django's lowercase short month names ("b") give "mar", "dic".
"""

DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
MONTH_DAY_FORMAT = "j b"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
