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
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

NOT_CLEARED = "not_cleared"
CLEARED_PROTECTED = "cleared_protected"
CLEARED = "cleared"

OUTCOME_LABELS = {
    NOT_CLEARED: "Not cleared",
    CLEARED_PROTECTED: "Cleared with protection",
    CLEARED: "Cleared",
}

POPULATION_LABELS = {
    "older_adult": "older-adult",
    "stroke": "stroke",
    "paediatric": "paediatric",
    "post_surgical": "post-surgical",
}

# Instrument keys, as fields on BalanceScreening and Cutoffs.suited_instruments.
INSTRUMENTS = {
    "bmwt": "3-metre backward walk",
    "tug": "Timed Up and Go",
    "berg": "Berg Balance Scale",
    "fga": "Functional Gait Assessment",
    "dgi": "Dynamic Gait Index",
    "fsst": "Four Square Step Test",
    "abc": "ABC confidence",
    "pbs": "Pediatric Balance Scale",
    "gmfcs": "GMFCS level",
}


@dataclass(frozen=True)
class HardStopItem:
    key: str  # a boolean field on BalanceScreening: True means the hazard is present
    label: str
    source: str


# CLINICAL.md section 3. "All" rows apply to adults of every condition.
ALL_ADULTS = (
    HardStopItem("unstable_cardiac", "Unstable angina or another unstable cardiac condition", "T6"),
    HardStopItem("complex_arrhythmia", "Complex ventricular arrhythmia", "T6"),
    HardStopItem("cannot_follow_commands", "Unable to follow a two-step command", "T6"),
    HardStopItem("mmse_below_20", "MMSE below 20", "T6"),
    HardStopItem("needs_physical_help", "Cannot stand and walk without physical help (FAC below 3)", "T6, T7"),
)
HARD_STOP_ITEMS: dict[str, tuple[HardStopItem, ...]] = {
    "knee_oa": (
        *ALL_ADULTS,
        HardStopItem("recent_lower_limb_injury", "Lower-limb injury or surgery within the last 12 months", "K3"),
    ),
    "acl_reconstruction": (
        *ALL_ADULTS,
        HardStopItem("effusion_or_limp", "Effusion / swelling of the knee, or a limp", "A3"),
        HardStopItem(
            "weight_bearing_restriction",
            "Meniscal repair or microfracture still under a weight-bearing restriction",
            "A4",
        ),
    ),
    "stroke": ALL_ADULTS,
    "cerebral_palsy": (
        HardStopItem("unstable_cardiac", "Unstable cardiac condition", "T6"),
        HardStopItem("needs_physical_help", "Cannot stand and walk without physical help", "T6, T7"),
        HardStopItem("uncontrolled_seizures", "Uncontrolled seizures", "C5"),
        HardStopItem("recent_surgery", "Neurological or orthopaedic surgery within 12 months", "C5"),
        HardStopItem("cannot_follow_verbal", "Cannot follow verbal commands", "C2"),
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
    reasons: tuple[str, ...]
    hard_stops: tuple[str, ...] = ()
    high_risk: tuple[str, ...] = ()

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
    names = ", ".join(INSTRUMENTS[name] for name in cutoffs.suited_instruments)
    return f"Record at least one balance test suited to this patient: {names}."


# High-risk bands (CLINICAL.md s4 table): (result, cutoff, beyond the cutoff when, reason).
HIGH_RISK_BANDS = (
    ("bmwt_seconds", "bmwt_high_risk_s", operator.ge, "3MBWT {v} s ≥ {c} s {who} cutoff"),
    ("berg", "berg_high_risk_below", operator.lt, "Berg {v} is below {c} ({who} cutoff)"),
    ("tug_seconds", "tug_high_risk_s", operator.ge, "TUG {v} s ≥ {c} s {who} cutoff"),
    ("fga", "fga_high_risk_at_or_below", operator.le, "FGA {v} is at or below {c} ({who} cutoff)"),
    ("dgi", "dgi_high_risk_below", operator.lt, "DGI {v} is below {c} ({who} cutoff)"),
    ("fsst_seconds", "fsst_high_risk_above_s", operator.gt, "FSST {v} s > {c} s {who} cutoff"),
    ("abc_pct", "abc_high_risk_below_pct", operator.lt, "ABC {v} % is below {c} % ({who} cutoff)"),
)


def _hard_stops(inp: ScreeningInput, cutoffs: Cutoffs) -> list[str]:
    """CLINICAL.md s3, and the not-cleared defaults of s4 rule 1."""
    stops = [f"{item.label} (hard stop)" for item in hard_stop_items(inp.condition_code) if item.key in inp.hazards]
    systolic, diastolic = inp.bp_systolic, inp.bp_diastolic
    if (
        systolic is not None
        and diastolic is not None
        and (systolic > cutoffs.bp_systolic_max or diastolic > cutoffs.bp_diastolic_max)
    ):
        stops.append(f"Resting BP {systolic}/{diastolic} exceeds {cutoffs.bp_systolic_max}/{cutoffs.bp_diastolic_max}")
    weeks = cutoffs.min_full_weeks_after_surgery
    if weeks is not None:
        if inp.surgery_date is None:
            stops.append("No surgery date on the patient record")
        elif (inp.screened_on - inp.surgery_date).days < 7 * weeks:
            done = (inp.screened_on - inp.surgery_date).days // 7
            stops.append(
                f"{done} full weeks since surgery: backward treadmill only from week {weeks + 1} "
                f"(at least {weeks} full weeks)"
            )
    if cutoffs.surgeon_clearance_required and not inp.surgeon_clearance_documented:
        stops.append("No documented surgeon clearance for full weight bearing")
    if inp.gmfcs is not None and cutoffs.gmfcs_stop_from is not None and inp.gmfcs >= cutoffs.gmfcs_stop_from:
        stops.append(f"GMFCS level {_roman(inp.gmfcs)} (levels {_roman(cutoffs.gmfcs_stop_from)}–V are excluded)")
    floor = cutoffs.berg_not_cleared_at_or_below
    if inp.berg is not None and floor is not None and inp.berg <= floor:
        stops.append(f"Berg {inp.berg} is at or below {floor}")
    if inp.bmwt_unable:
        stops.append("Unable to complete the 3-metre backward walk")
    return stops


def _high_risks(inp: ScreeningInput, cutoffs: Cutoffs) -> list[str]:
    """CLINICAL.md s4 rule 2: any instrument in its population's high-risk band, GMFCS III, a recent fall."""
    who = POPULATION_LABELS.get(cutoffs.population, cutoffs.population)
    risks = []
    for result, cutoff_name, beyond, reason in HIGH_RISK_BANDS:
        value, cutoff = getattr(inp, result), getattr(cutoffs, cutoff_name)
        if value is not None and cutoff is not None and beyond(value, cutoff):
            risks.append(reason.format(v=num(value), c=num(cutoff), who=who))
    if inp.fsst_unable and cutoffs.fsst_high_risk_above_s is not None:
        risks.append("Unable to complete the Four Square Step Test")
    protect_from, stop_from = cutoffs.gmfcs_protect_from, cutoffs.gmfcs_stop_from or 6
    if inp.gmfcs is not None and protect_from is not None and protect_from <= inp.gmfcs < stop_from:
        risks.append(f"GMFCS level {_roman(inp.gmfcs)} needs protection")
    if inp.falls_last_6_months == 1:
        risks.append("A fall in the last 6 months")
    elif inp.falls_last_6_months > 1:
        risks.append(f"{inp.falls_last_6_months} falls in the last 6 months")
    return risks


def evaluate(inp: ScreeningInput, cutoffs: Cutoffs) -> Outcome:
    """The outcome and every reason. A hard stop beats everything; any high risk means protection."""
    stops, risks = _hard_stops(inp, cutoffs), _high_risks(inp, cutoffs)
    if stops:
        return Outcome(NOT_CLEARED, tuple(stops + risks), tuple(stops), tuple(risks))
    if risks:
        return Outcome(CLEARED_PROTECTED, tuple(risks), (), tuple(risks))
    return Outcome(CLEARED, ("No hard stop and no result in a high-risk band",), (), ())
