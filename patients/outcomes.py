"""Change between screenings against each instrument's MDC and MCID (CLINICAL.md section 8). Pure.

A change is **beyond measurement error** when it exceeds the instrument's minimal detectable change
(MDC) for the patient's population, and **clinically important** when it exceeds the minimal clinically
important difference (MCID), in the direction that is better or worse for that instrument (a lower TUG
is better). Where section 8 has no figure for the population, the mark is "no published threshold":
another population's figure is never used silently. Knee osteoarthritis borrows the older adults'
figures where it has none of its own, and the mark says so.

"Exceeds" is strict: a change equal to the threshold is not beyond it. The CP TUG figures vary by
GMFCS level (1.40–8.74 s MDC, 0.22–5.31 s MCID, [M5]); section 8 gives only the range, so a change is
beyond it at every level above the range's top, at no level up to its bottom, and "depends on the
GMFCS level" between. A GMFCS level is a classification: its change is an event, not a number.
Gait speed is recorded and compared in m/s.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, localize
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from retrowalk import charts

# A stroke counts as chronic from six months after it (the usual definition; a default for review): the
# chronic-stroke figures of section 8 [M4][M11] apply from then, the acute and subacute ones [M7][M8][M10]
# [M13][M16] before.
CHRONIC_STROKE_MONTHS = 6


# CLINICAL.md section 8's references, as a reader cites them.
SOURCES = {
    "M1": "Kocaman AA et al. J Stroke Cerebrovasc Dis 2021;30:105462",
    "M2": "Donoghue OA et al. BMJ Open 2019;9:e030475",
    "M3": "Alghadir A, Anwer S, Brismée JM. BMC Musculoskelet Disord 2015;16:174",
    "M4": "Alghadir AH et al. BMC Neurol 2018;18:141",
    "M5": "Pediatr Phys Ther 2016;28:401 (TUG in children with CP)",
    "M6": "Romero S et al. J Geriatr Phys Ther 2011;34:131",
    "M7": "Aust J Physiother 2001;47:29",
    "M8": "Hayashi S et al. Clin Rehabil 2022;36:1512",
    "M9": "Beninato M et al. Phys Ther 2014;94:1594",
    "M10": "Van Bloemendaal M et al. Clin Rehabil (FGA in stroke rehabilitation)",
    "M11": "Appl Sci 2023;13:6358 (FSST in chronic stroke)",
    "M12": "Bandong ANJ et al. Res Dev Disabil 2015;47:39",
    "M13": "Kobayashi S et al. NeuroRehabilitation 2025",
    "M14": "Chen CL et al. Res Dev Disabil 2013;34:916",
    "M15": "Kwon S et al. J Nutr Health Aging 2009;13:538",
    "M16": "Tilson JK et al. Phys Ther 2010;90:196",
    "M17": "Gilbert AL et al. Arthritis Care Res 2021;73:559",
}


class Better(enum.Enum):
    LOWER = "lower"
    HIGHER = "higher"


@dataclass(frozen=True)
class Instrument:
    key: str
    name: str
    unit: str  # shown after a value ("s", "m/s"; "" for a score)
    better: Better
    places: int = 1  # decimal places shown
    low: float = 0  # the chart's axis
    high: float | None = None


INSTRUMENTS = {
    i.key: i
    for i in (
        Instrument("bmwt", _("3-metre backward walk"), "s", Better.LOWER),
        Instrument("tug", _("Timed Up and Go"), "s", Better.LOWER),
        Instrument("berg", _("Berg Balance Scale"), "", Better.HIGHER, places=0, high=56),
        Instrument("fga", _("Functional Gait Assessment"), "", Better.HIGHER, places=0, high=30),
        Instrument("dgi", _("Dynamic Gait Index"), "", Better.HIGHER, places=0, high=24),
        Instrument("fsst", _("Four Square Step Test"), "s", Better.LOWER),
        Instrument("abc", _("ABC confidence"), "%", Better.HIGHER, places=0, high=100),
        Instrument("pbs", _("Pediatric Balance Scale"), "", Better.HIGHER, places=0, high=56),
        Instrument("gait_speed", _("Comfortable gait speed"), "m/s", Better.HIGHER, places=2),
    )
}
# The screening's field for each instrument.
SCREENING_FIELDS = {
    "bmwt": "bmwt_seconds",
    "tug": "tug_seconds",
    "berg": "berg",
    "fga": "fga",
    "dgi": "dgi",
    "fsst": "fsst_seconds",
    "abc": "abc_pct",
    "pbs": "pbs",
    "gait_speed": "gait_speed_mps",
}


@dataclass(frozen=True)
class Threshold:
    """One published figure (or, for the CP TUG, the range of its figures by GMFCS level)."""

    value: Decimal
    source: str  # CLINICAL.md section 8's reference
    upper: Decimal | None = None
    borrowed: str = ""  # whose figure, when it is another population's

    def localized(self) -> str:
        return f"{localize(self.value)}–{localize(self.upper)}" if self.upper is not None else localize(self.value)


def _t(value: str, source: str, upper: str | None = None) -> Threshold:
    return Threshold(Decimal(value), source, Decimal(upper) if upper else None)


# Population groups: which rows of section 8 apply. (MDC, MCID) per instrument; a missing entry is "none".
# The TUG for knee OA is 1.10 s between two screenings by the same rater and 1.14 s between raters [M3].
OLDER = {
    "tug": (_t("2.08", "M2"), None),
    "berg": (_t("6.5", "M6"), None),
    "fga": (None, _t("4", "M9")),
    "dgi": (_t("2.9", "M6"), None),
    "gait_speed": (None, _t("0.05", "M15")),  # small; 0.10 is a substantial change [M15]
}
OLDER_LABEL = _("older adults")
TABLE = {
    "older_adult": OLDER,
    "knee_oa": {
        "tug": (_t("1.14", "M3"), None),
        "tug_same_rater": (_t("1.10", "M3"), None),
        "gait_speed": (None, _t("0.07", "M17")),
    },
    "stroke_subacute": {
        "bmwt": (_t("1.57", "M1"), None),
        "berg": (_t("6", "M7"), _t("6.5", "M8")),
        "fga": (_t("6", "M10"), None),
        "abc": (None, _t("15.6", "M13")),
        "gait_speed": (None, _t("0.16", "M16")),
    },
    "stroke_chronic": {
        "bmwt": (_t("1.57", "M1"), None),
        "tug": (_t("3.2", "M4"), None),
        "berg": (_t("2.7", "M4"), None),
        "dgi": (_t("1.9", "M4"), None),
        "fsst": (_t("6.21", "M11"), None),
    },
    # Stroke of unknown date: only the figures that hold at any time after a stroke.
    "stroke": {"bmwt": (_t("1.57", "M1"), None)},
    "cerebral_palsy": {
        "tug": (_t("1.40", "M5", "8.74"), _t("0.22", "M5", "5.31")),
        "fsst": (_t("5.29", "M12"), None),
        "pbs": (_t("1.59", "M14"), _t("3.66", "M14")),
    },
    # ACL reconstruction: no MDC or MCID for any of these instruments (section 8).
    "post_surgical": {},
}
# Knee OA borrows the older adults' figures for what it has none of (section 8 allows it, saying so).
BORROWS = {"knee_oa": ("older_adult", OLDER_LABEL)}


def group_of(*, condition_code: str | None, population: str, stroke_date: date | None, on: date) -> str:
    """Which rows of section 8 apply to a patient at a screening on ``on``."""
    if condition_code == "knee_oa":
        return "knee_oa"
    if population == "stroke":
        if stroke_date is None:
            return "stroke"
        months = (on.year - stroke_date.year) * 12 + on.month - stroke_date.month - (on.day < stroke_date.day)
        return "stroke_chronic" if months >= CHRONIC_STROKE_MONTHS else "stroke_subacute"
    if population == "paediatric":
        return "cerebral_palsy"
    return population if population in TABLE else "post_surgical"


def thresholds(key: str, group: str, *, same_rater: bool = False) -> tuple[Threshold | None, Threshold | None]:
    """(MDC, MCID) of an instrument for a population group; None where section 8 has none."""
    rows = TABLE.get(group, {})
    if same_rater and f"{key}_same_rater" in rows:
        return rows[f"{key}_same_rater"]
    if key in rows:
        return rows[key]
    if group in BORROWS:
        lender, label = BORROWS[group]
        mdc, mcid = TABLE[lender].get(key, (None, None))
        return tuple(None if t is None else Threshold(t.value, t.source, t.upper, borrowed=label) for t in (mdc, mcid))
    return None, None


class Reach(enum.Enum):
    BEYOND = "beyond"  # exceeds the threshold
    WITHIN = "within"  # does not exceed it
    DEPENDS = "depends"  # inside the range of a figure that varies by GMFCS level
    NONE = "none"  # no published threshold for the population


def reach(change: Decimal, threshold: Threshold | None) -> Reach:
    if threshold is None:
        return Reach.NONE
    size = abs(change)
    if threshold.upper is not None:
        if size > threshold.upper:
            return Reach.BEYOND
        return Reach.WITHIN if size <= threshold.value else Reach.DEPENDS
    return Reach.BEYOND if size > threshold.value else Reach.WITHIN


# The words of each mark, shown on the chart, the summary and its text.
DIRECTION_WORDS = {"same": _("no change"), "better": _("better"), "worse": _("worse")}
ERROR_WORDS = {
    Reach.BEYOND: _("beyond measurement error"),
    Reach.WITHIN: _("within measurement error"),
    Reach.DEPENDS: _("beyond measurement error at some GMFCS levels only"),
    Reach.NONE: _("MDC: no published threshold for this population"),
}
IMPORTANCE_WORDS = {
    Reach.BEYOND: _("clinically important"),
    Reach.WITHIN: _("below the clinically important difference"),
    Reach.DEPENDS: _("clinically important at some GMFCS levels only"),
    Reach.NONE: _("MCID: no published threshold for this population"),
}


@dataclass(frozen=True)
class Point:
    on: date
    value: Decimal
    rater: object = None  # who measured (the TUG's MDC for knee OA differs by rater)


@dataclass(frozen=True)
class Change:
    """A change from an earlier result to a later one, with its marks."""

    instrument: Instrument
    amount: Decimal
    better: bool | None  # None: no change
    mdc: Threshold | None
    mcid: Threshold | None
    beyond_error: Reach
    important: Reach

    @property
    def direction(self) -> str:
        return "same" if self.better is None else "better" if self.better else "worse"

    @property
    def direction_text(self) -> str:
        return DIRECTION_WORDS[self.direction]

    @property
    def error_text(self) -> str:
        return ERROR_WORDS[self.beyond_error]

    @property
    def importance_text(self) -> str:
        return IMPORTANCE_WORDS[self.important]

    @property
    def amount_text(self) -> str:
        sign = "+" if self.amount > 0 else "−" if self.amount < 0 else "±"
        return sign + shown(abs(self.amount), self.instrument)

    @property
    def mdc_text(self) -> str:
        return self._threshold_text(self.mdc)

    @property
    def mcid_text(self) -> str:
        return self._threshold_text(self.mcid)

    def _threshold_text(self, threshold: Threshold | None) -> str:
        if threshold is None:
            return ""
        unit = self.instrument.unit
        return f"{threshold.localized()} {unit}".strip() if unit != "%" else f"{threshold.localized()}{unit}"


def change(instrument: Instrument, earlier: Point, later: Point, group: str) -> Change:
    amount = later.value - earlier.value
    same_rater = earlier.rater is not None and earlier.rater == later.rater
    mdc, mcid = thresholds(instrument.key, group, same_rater=same_rater)
    better = None if amount == 0 else (amount < 0) == (instrument.better is Better.LOWER)
    return Change(instrument, amount, better, mdc, mcid, reach(amount, mdc), reach(amount, mcid))


@dataclass(frozen=True)
class Row:
    instrument: Instrument
    point: Point
    from_baseline: Change | None = None
    from_previous: Change | None = None

    @property
    def value_text(self) -> str:
        return shown(self.point.value, self.instrument)


@dataclass(frozen=True)
class Trend:
    instrument: Instrument
    group: str
    rows: list[Row] = field(default_factory=list)

    @property
    def baseline(self) -> Point:
        return self.rows[0].point

    @property
    def latest(self) -> Row:
        return self.rows[-1]

    @property
    def panel(self):
        return panel(self)

    @property
    def print_panel(self):
        return panel(self, palette=charts.PRINT)


@dataclass(frozen=True)
class LevelChange:
    """A GMFCS level that changed between two screenings: an event."""

    on: date
    was: int
    now: int


def rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def trend(instrument: Instrument, points: Sequence[Point], *, group_on) -> Trend | None:
    """The instrument's results in date order, each compared with the first and with the one before.
    ``group_on(day)`` says which population group applies at a screening's date (a stroke becomes chronic)."""
    points = sorted(points, key=lambda p: p.on)
    if not points:
        return None
    rows = [Row(instrument, points[0])]
    for i, point in enumerate(points[1:], start=1):
        group = group_on(point.on)
        rows.append(
            Row(
                instrument,
                point,
                change(instrument, points[0], point, group),
                change(instrument, points[i - 1], point, group),
            )
        )
    return Trend(instrument, group_on(points[-1].on), rows)


def level_changes(levels: Sequence[tuple[date, int]]) -> list[LevelChange]:
    """Each GMFCS level that differs from the one recorded before it."""
    events, previous = [], None
    for on, level in sorted(levels):
        if previous is not None and level != previous:
            events.append(LevelChange(on, previous, level))
        previous = level
    return events


# --- What the chart and the summary show ---


@dataclass(frozen=True)
class Outcomes:
    trends: list[Trend]
    gmfcs_events: list[LevelChange]
    gmfcs_latest: int | None = None

    def __bool__(self) -> bool:
        return bool(self.trends or self.gmfcs_latest)

    @property
    def sources(self) -> list[tuple[str, str]]:
        """The references behind the marks shown, in order."""
        return sources_of(
            change for trend in self.trends for row in trend.rows for change in (row.from_baseline, row.from_previous)
        )


def sources_of(changes) -> list[tuple[str, str]]:
    """(key, citation) of every figure behind these changes (None for none), in the order of section 8."""
    used = {t.source for change in changes if change for t in (change.mdc, change.mcid) if t}
    return [(key, SOURCES[key]) for key in sorted(used, key=lambda k: int(k[1:]))]


def shown(value: Decimal, instrument: Instrument) -> str:
    """A result or change in the reader's locale, with its unit."""
    text = localize(rounded(value, instrument.places))
    return f"{text} {instrument.unit}" if instrument.unit and instrument.unit != "%" else f"{text}{instrument.unit}"


def panel(trend: Trend, *, palette=None):
    """A small chart of one instrument's results (``retrowalk/_chart_panel.svg`` draws it)."""
    instrument = trend.instrument
    values = [float(row.point.value) for row in trend.rows]
    better = gettext("lower is better") if instrument.better is Better.LOWER else gettext("higher is better")
    return charts.svg_panel(
        key=f"trend-{instrument.key}",
        title=f"{instrument.name} ({better})",
        long_title=gettext("%(instrument)s at each screening, %(better)s")
        % {"instrument": instrument.name, "better": better},
        summary="; ".join(
            f"{date_format(row.point.on, 'SHORT_DATE_FORMAT')}: {shown(row.point.value, instrument)}"
            for row in trend.rows
        ),
        labels=[str(i) for i in range(1, len(values) + 1)],
        done=values,
        y_min=instrument.low,
        y_max=instrument.high,
        palette=palette or charts.SCREEN,
        axis_title=gettext("Screening"),
    )
