"""Product-wide clinical limits (CLINICAL.md section 5, "Caps"), in SI units.

Template caps may be stricter, never looser. Database constraints use these too.
"""

from decimal import Decimal

# Backward walk-run transition is ~5.9 km/h [P5]; cap 5.0 km/h (CLINICAL.md s5 "Caps").
MAX_BACKWARD_SPEED_KMH = Decimal("5.0")
# Incline cap 15 % grade (CLINICAL.md s5 "Caps"; studied 0-15 degrees in [A1], up to 7-10 degrees in [A2]).
MAX_INCLINE_PCT = Decimal("15.0")
# Session minutes a template week may hold at all (issue rule 1-60); default cap 30 min [K2][T1].
MIN_SESSION_MINUTES = 1
MAX_SESSION_MINUTES = 60
DEFAULT_MAX_SESSION_MINUTES = 30
# A week's speed as a fraction of the starting speed: +10 %/week [T1] over at most 12 weeks stays well below 3.
MAX_SPEED_FRACTION = Decimal("3.00")
MAX_SESSIONS_PER_WEEK = 7
MAX_WEEKS = 52
MAX_BOUTS = 10
MAX_REST_MINUTES = Decimal("10.0")
