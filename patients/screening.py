"""Balance and fall-risk screening rules (CLINICAL.md sections 3 and 4). Pure.

``evaluate`` turns one screening's results and the condition's cutoffs into an
outcome with every reason in plain words:

1. **not cleared** — any hard stop (section 3), Berg ≤ 20, or unable to
   complete a 3-metre backward walk. Nothing can be prescribed.
2. **cleared with protection** — any instrument in its population's high-risk
   band, GMFCS III, or a fall in the last 6 months.
3. **cleared** — otherwise.

A hard stop beats everything; any high-risk result means protection. The
cutoffs themselves are data (``Cutoffs``), edited per condition by the
administrator and seeded from CLINICAL.md section 4.

A screening keeps its reasons in the record. Each is kept as its English message
and parameters (``Reason``), not as text, so that every reader sees it in their
own language, with numbers written their locale's way.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.formats import localize
from django.utils.translation import gettext, gettext_lazy, gettext_noop

NOT_CLEARED = "not_cleared"
CLEARED_PROTECTED = "cleared_protected"
CLEARED = "cleared"

OUTCOME_LABELS = {
    NOT_CLEARED: gettext_lazy("Not cleared"),
    CLEARED_PROTECTED: gettext_lazy("Cleared with protection"),
    CLEARED: gettext_lazy("Cleared"),
}

# Whose cutoff a high-risk reason quotes ("Berg 40 is below 45 (older-adult cutoff)").
POPULATION_LABELS = {
    "older_adult": gettext_noop("older-adult cutoff"),
    "stroke": gettext_noop("stroke cutoff"),
    "paediatric": gettext_noop("paediatric cutoff"),
    "post_surgical": gettext_noop("post-surgical cutoff"),
}

# Instrument keys, as fields on BalanceScreening and Cutoffs.suited_instruments.
INSTRUMENTS = {
    "bmwt": gettext_lazy("3-metre backward walk"),
    "tug": gettext_lazy("Timed Up and Go"),
    "berg": gettext_lazy("Berg Balance Scale"),
    "fga": gettext_lazy("Functional Gait Assessment"),
    "dgi": gettext_lazy("Dynamic Gait Index"),
    "fsst": gettext_lazy("Four Square Step Test"),
    "abc": gettext_lazy("ABC confidence"),
    "pbs": gettext_lazy("Pediatric Balance Scale"),
    "gmfcs": gettext_lazy("GMFCS level"),
}


@dataclass(frozen=True)
class Reason:
    """One reason for an outcome: an English message (a gettext message id) and its parameters.

    A parameter is a number or a code as text, written the reader's way when shown, or a ``Reason``
    (a phrase that is itself translated). ``str()`` gives it in the active language.
    """

    message: str
    params: tuple[tuple[str, str | Reason], ...] = ()

    def __str__(self) -> str:
        if not self.params:
            return gettext(self.message)
        return gettext(self.message) % {name: _shown(value) for name, value in self.params}

    def as_json(self) -> dict:
        return {
            "message": self.message,
            "params": {name: value.as_json() if isinstance(value, Reason) else value for name, value in self.params},
        }

    @classmethod
    def from_json(cls, data: dict | str) -> Reason | str:
        """A kept reason; text kept by an earlier release stays the text it was."""
        if isinstance(data, str):
            return data
        params = tuple(
            (name, cls.from_json(value) if isinstance(value, dict) else str(value))
            for name, value in data.get("params", {}).items()
        )
        return cls(str(data["message"]), params)


def _shown(value: str | Reason) -> str:
    if isinstance(value, Reason):
        return str(value)
    try:
        return localize(Decimal(value))
    except (InvalidOperation, ValueError):
        return value  # a code, such as a Roman GMFCS level


def reason_texts(kept) -> list[str]:
    """The reasons kept on a screening (``BalanceScreening.reasons``), in the reader's language."""
    return [str(Reason.from_json(item)) for item in kept]


@dataclass(frozen=True)
class HardStopItem:
    key: str  # a boolean field on BalanceScreening: True means the hazard is present
    message: str  # the English label, a gettext message id
    source: str

    @property
    def label(self) -> str:
        return gettext(self.message)


# CLINICAL.md section 3. "All" rows apply to adults of every condition.
ALL_ADULTS = (
    HardStopItem("unstable_cardiac", gettext_noop("Unstable angina or another unstable cardiac condition"), "T6"),
    HardStopItem("complex_arrhythmia", gettext_noop("Complex ventricular arrhythmia"), "T6"),
    HardStopItem("cannot_follow_commands", gettext_noop("Unable to follow a two-step command"), "T6"),
    HardStopItem("mmse_below_20", gettext_noop("MMSE below 20"), "T6"),
    HardStopItem(
        "needs_physical_help", gettext_noop("Cannot stand and walk without physical help (FAC below 3)"), "T6, T7"
    ),
)
HARD_STOP_ITEMS: dict[str, tuple[HardStopItem, ...]] = {
    "knee_oa": (
        *ALL_ADULTS,
        HardStopItem(
            "recent_lower_limb_injury", gettext_noop("Lower-limb injury or surgery within the last 12 months"), "K3"
        ),
    ),
    "acl_reconstruction": (
        *ALL_ADULTS,
        HardStopItem("effusion_or_limp", gettext_noop("Effusion / swelling of the knee, or a limp"), "A3"),
        HardStopItem(
            "weight_bearing_restriction",
            gettext_noop("Meniscal repair or microfracture still under a weight-bearing restriction"),
            "A4",
        ),
    ),
    "stroke": ALL_ADULTS,
    "cerebral_palsy": (
        HardStopItem("unstable_cardiac", gettext_noop("Unstable cardiac condition"), "T6"),
        HardStopItem("needs_physical_help", gettext_noop("Cannot stand and walk without physical help"), "T6, T7"),
        HardStopItem("uncontrolled_seizures", gettext_noop("Uncontrolled seizures"), "C5"),
        HardStopItem("recent_surgery", gettext_noop("Neurological or orthopaedic surgery within 12 months"), "C5"),
        HardStopItem("cannot_follow_verbal", gettext_noop("Cannot follow verbal commands"), "C2"),
    ),
}
# Every hazard key any condition uses (the BalanceScreening boolean fields).
HAZARD_KEYS = tuple(dict.fromkeys(item.key for items in HARD_STOP_ITEMS.values() for item in items))


def hard_stop_items(condition_code: str) -> tuple[HardStopItem, ...]:
    return HARD_STOP_ITEMS.get(condition_code, ALL_ADULTS)


@dataclass(frozen=True)
class Cutoffs:
    """One condition's screening policy. ``None`` means no validated cutoff: recorded, not judged."""

    population: str
    validity_days: int = 30
    suited_instruments: tuple[str, ...] = ("bmwt", "berg", "tug", "fga", "dgi", "fsst")
    bmwt_high_risk_s: Decimal | None = None  # at or above
    berg_high_risk_below: Decimal | None = None
    berg_not_cleared_at_or_below: int | None = 20
    tug_high_risk_s: Decimal | None = None  # at or above
    fga_high_risk_at_or_below: int | None = None
    dgi_high_risk_below: Decimal | None = None
    fsst_high_risk_above_s: Decimal | None = None
    abc_high_risk_below_pct: int | None = None
    gmfcs_protect_from: int | None = None
    gmfcs_stop_from: int | None = None
    bp_systolic_max: int = 200
    bp_diastolic_max: int = 100
    min_full_weeks_after_surgery: int | None = None
    surgeon_clearance_required: bool = False


@dataclass(frozen=True)
class ScreeningInput:
    condition_code: str
    screened_on: date
    surgery_date: date | None = None
    bmwt_seconds: Decimal | None = None
    bmwt_unable: bool = False
    tug_seconds: Decimal | None = None
    berg: int | None = None
    fga: int | None = None
    dgi: int | None = None
    fsst_seconds: Decimal | None = None
    fsst_unable: bool = False
    abc_pct: int | None = None
    pbs: int | None = None
    gmfcs: int | None = None
    falls_last_6_months: int = 0
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    hazards: frozenset[str] = field(default_factory=frozenset)
    surgeon_clearance_documented: bool = False

    def recorded(self, instrument: str) -> bool:
        if instrument == "bmwt":
            return self.bmwt_seconds is not None or self.bmwt_unable
        if instrument == "fsst":
            return self.fsst_seconds is not None or self.fsst_unable
        return getattr(self, {"tug": "tug_seconds", "abc": "abc_pct"}.get(instrument, instrument)) is not None


@dataclass(frozen=True)
class Outcome:
    outcome: str
    reasons: tuple[Reason, ...]
    hard_stops: tuple[Reason, ...] = ()
    high_risk: tuple[Reason, ...] = ()

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def prescribable(self) -> bool:
        return self.outcome != NOT_CLEARED

    @property
    def needs_protection(self) -> bool:
        return self.outcome == CLEARED_PROTECTED


def num(value) -> str:
    """16.0 -> '16', 13.50 -> '13.5'."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def _roman(level: int) -> str:
    return ["I", "II", "III", "IV", "V"][level - 1] if 1 <= level <= 5 else str(level)


def missing_instrument(inp: ScreeningInput, cutoffs: Cutoffs) -> str | None:
    """A message when no balance instrument suited to the population was recorded."""
    if any(inp.recorded(name) for name in cutoffs.suited_instruments):
        return None
    names = ", ".join(str(INSTRUMENTS[name]) for name in cutoffs.suited_instruments)
    return gettext("Record at least one balance test suited to this patient: %(names)s.") % {"names": names}


# High-risk bands (CLINICAL.md s4 table): (result, cutoff, beyond the cutoff when, reason).
HIGH_RISK_BANDS = (
    ("bmwt_seconds", "bmwt_high_risk_s", operator.ge, gettext_noop("3MBWT %(value)s s ≥ %(cutoff)s s %(who)s")),
    ("berg", "berg_high_risk_below", operator.lt, gettext_noop("Berg %(value)s is below %(cutoff)s (%(who)s)")),
    ("tug_seconds", "tug_high_risk_s", operator.ge, gettext_noop("TUG %(value)s s ≥ %(cutoff)s s %(who)s")),
    (
        "fga",
        "fga_high_risk_at_or_below",
        operator.le,
        gettext_noop("FGA %(value)s is at or below %(cutoff)s (%(who)s)"),
    ),
    ("dgi", "dgi_high_risk_below", operator.lt, gettext_noop("DGI %(value)s is below %(cutoff)s (%(who)s)")),
    ("fsst_seconds", "fsst_high_risk_above_s", operator.gt, gettext_noop("FSST %(value)s s > %(cutoff)s s %(who)s")),
    (
        "abc_pct",
        "abc_high_risk_below_pct",
        operator.lt,
        gettext_noop("ABC %(value)s %% is below %(cutoff)s %% (%(who)s)"),
    ),
)


def _reason(message: str, **params) -> Reason:
    return Reason(message, tuple((name, v if isinstance(v, Reason) else str(v)) for name, v in params.items()))


def _hard_stops(inp: ScreeningInput, cutoffs: Cutoffs) -> list[Reason]:
    """CLINICAL.md s3, and the not-cleared defaults of s4 rule 1."""
    stops = [
        _reason(gettext_noop("%(hazard)s (hard stop)"), hazard=Reason(item.message))
        for item in hard_stop_items(inp.condition_code)
        if item.key in inp.hazards
    ]
    systolic, diastolic = inp.bp_systolic, inp.bp_diastolic
    if (
        systolic is not None
        and diastolic is not None
        and (systolic > cutoffs.bp_systolic_max or diastolic > cutoffs.bp_diastolic_max)
    ):
        stops.append(
            _reason(
                gettext_noop("Resting BP %(systolic)s/%(diastolic)s exceeds %(systolic_max)s/%(diastolic_max)s"),
                systolic=systolic,
                diastolic=diastolic,
                systolic_max=cutoffs.bp_systolic_max,
                diastolic_max=cutoffs.bp_diastolic_max,
            )
        )
    weeks = cutoffs.min_full_weeks_after_surgery
    if weeks is not None:
        if inp.surgery_date is None:
            stops.append(_reason(gettext_noop("No surgery date on the patient record")))
        elif (inp.screened_on - inp.surgery_date).days < 7 * weeks:
            done = (inp.screened_on - inp.surgery_date).days // 7
            stops.append(
                _reason(
                    gettext_noop(
                        "%(done)s full weeks since surgery: backward treadmill only from week %(from_week)s "
                        "(at least %(weeks)s full weeks)"
                    ),
                    done=done,
                    from_week=weeks + 1,
                    weeks=weeks,
                )
            )
    if cutoffs.surgeon_clearance_required and not inp.surgeon_clearance_documented:
        stops.append(_reason(gettext_noop("No documented surgeon clearance for full weight bearing")))
    if inp.gmfcs is not None and cutoffs.gmfcs_stop_from is not None and inp.gmfcs >= cutoffs.gmfcs_stop_from:
        stops.append(
            _reason(
                gettext_noop("GMFCS level %(level)s (levels %(from_level)s–V are excluded)"),
                level=_roman(inp.gmfcs),
                from_level=_roman(cutoffs.gmfcs_stop_from),
            )
        )
    floor = cutoffs.berg_not_cleared_at_or_below
    if inp.berg is not None and floor is not None and inp.berg <= floor:
        stops.append(_reason(gettext_noop("Berg %(value)s is at or below %(floor)s"), value=inp.berg, floor=floor))
    if inp.bmwt_unable:
        stops.append(_reason(gettext_noop("Unable to complete the 3-metre backward walk")))
    return stops


def _high_risks(inp: ScreeningInput, cutoffs: Cutoffs) -> list[Reason]:
    """CLINICAL.md s4 rule 2: any instrument in its population's high-risk band, GMFCS III, a recent fall."""
    population = POPULATION_LABELS.get(cutoffs.population)
    who = Reason(population) if population else cutoffs.population
    risks = []
    for result, cutoff_name, beyond, message in HIGH_RISK_BANDS:
        value, cutoff = getattr(inp, result), getattr(cutoffs, cutoff_name)
        if value is not None and cutoff is not None and beyond(value, cutoff):
            risks.append(_reason(message, value=num(value), cutoff=num(cutoff), who=who))
    if inp.fsst_unable and cutoffs.fsst_high_risk_above_s is not None:
        risks.append(_reason(gettext_noop("Unable to complete the Four Square Step Test")))
    protect_from, stop_from = cutoffs.gmfcs_protect_from, cutoffs.gmfcs_stop_from or 6
    if inp.gmfcs is not None and protect_from is not None and protect_from <= inp.gmfcs < stop_from:
        risks.append(_reason(gettext_noop("GMFCS level %(level)s needs protection"), level=_roman(inp.gmfcs)))
    if inp.falls_last_6_months == 1:
        risks.append(_reason(gettext_noop("A fall in the last 6 months")))
    elif inp.falls_last_6_months > 1:
        risks.append(_reason(gettext_noop("%(falls)s falls in the last 6 months"), falls=inp.falls_last_6_months))
    return risks


def evaluate(inp: ScreeningInput, cutoffs: Cutoffs) -> Outcome:
    """The outcome and every reason. A hard stop beats everything; any high risk means protection."""
    stops, risks = _hard_stops(inp, cutoffs), _high_risks(inp, cutoffs)
    if stops:
        return Outcome(NOT_CLEARED, tuple(stops + risks), tuple(stops), tuple(risks))
    if risks:
        return Outcome(CLEARED_PROTECTED, tuple(risks), (), tuple(risks))
    return Outcome(CLEARED, (_reason(gettext_noop("No hard stop and no result in a high-risk band")),), (), ())
