"""patients/screening.py: every cutoff at, just below and just above, per population;
every hard stop; the combination rules. Cutoffs as written in CLINICAL.md section 4."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from patients.models import ScreeningPolicy
from patients.screening import (
    CLEARED,
    CLEARED_PROTECTED,
    HARD_STOP_ITEMS,
    NOT_CLEARED,
    Cutoffs,
    ScreeningInput,
    evaluate,
    missing_instrument,
)

OLDER = Cutoffs(
    population="older_adult",
    bmwt_high_risk_s=D("4.5"),  # [B1]
    berg_high_risk_below=D("45"),  # [B3]
    tug_high_risk_s=D("13.5"),  # [B5]
    fga_high_risk_at_or_below=22,  # [B6]
    dgi_high_risk_below=D("19"),  # [B7]
    fsst_high_risk_above_s=D("15"),  # [B8]
    abc_high_risk_below_pct=67,  # [B9]
)
STROKE = Cutoffs(
    population="stroke",
    suited_instruments=("berg", "tug", "dgi"),
    berg_high_risk_below=D("47"),  # [B4]
    tug_high_risk_s=D("15"),  # [B4]
    dgi_high_risk_below=D("16.5"),  # [B7]
)
PAEDIATRIC = Cutoffs(
    population="paediatric", suited_instruments=("gmfcs", "pbs"), gmfcs_protect_from=3, gmfcs_stop_from=4
)
POST_SURGICAL = replace(
    OLDER,
    population="post_surgical",
    suited_instruments=("bmwt",),
    abc_high_risk_below_pct=None,
    min_full_weeks_after_surgery=6,
    surgeon_clearance_required=True,
)
TODAY = date(2026, 11, 20)

BASE = {
    "older": (OLDER, ScreeningInput("knee_oa", TODAY, berg=50, bp_systolic=120, bp_diastolic=80)),
    "stroke": (STROKE, ScreeningInput("stroke", TODAY, berg=52, bp_systolic=120, bp_diastolic=80)),
    "paediatric": (PAEDIATRIC, ScreeningInput("cerebral_palsy", TODAY, gmfcs=1)),
    "post_surgical": (
        POST_SURGICAL,
        ScreeningInput(
            "acl_reconstruction",
            TODAY,
            surgery_date=TODAY - timedelta(weeks=10),
            bmwt_seconds=D("2.5"),
            surgeon_clearance_documented=True,
            bp_systolic=120,
            bp_diastolic=80,
        ),
    ),
}


def texts(result) -> tuple[str, ...]:
    """The outcome's reasons as the reader sees them (English here)."""
    return tuple(str(reason) for reason in result.reasons)


def outcome(population, **changes):
    cutoffs, inp = BASE[population]
    return evaluate(replace(inp, **changes), cutoffs)


def test_each_baseline_is_cleared():
    for population in BASE:
        assert outcome(population).outcome == CLEARED, population


P, C, N = CLEARED_PROTECTED, CLEARED, NOT_CLEARED

# (population, field, [(value, expected outcome)]) — at, just below and just above each cutoff.
CUTOFF_CASES = [
    ("older", "bmwt_seconds", [(D("4.5"), P), (D("4.4"), C), (D("4.6"), P)]),
    ("older", "berg", [(45, C), (44, P), (46, C)]),
    ("older", "tug_seconds", [(D("13.5"), P), (D("13.4"), C), (D("13.6"), P)]),
    ("older", "fga", [(22, P), (21, P), (23, C)]),
    ("older", "dgi", [(19, C), (18, P), (20, C)]),
    ("older", "fsst_seconds", [(D("15"), C), (D("14.9"), C), (D("15.1"), P)]),
    ("older", "abc_pct", [(67, C), (66, P), (68, C)]),
    ("stroke", "berg", [(47, C), (46, P), (48, C)]),
    ("stroke", "tug_seconds", [(D("15"), P), (D("14.9"), C), (D("15.1"), P)]),
    ("stroke", "dgi", [(16, P), (17, C)]),  # < 16.5: whole-number scores either side
    ("stroke", "bmwt_seconds", [(D("4.5"), C), (D("12"), C)]),  # no usable cutoff after stroke [B2]
    ("stroke", "fsst_seconds", [(D("30"), C)]),  # no stroke cutoff: recorded only
    ("stroke", "abc_pct", [(20, C)]),
    ("paediatric", "gmfcs", [(3, P), (2, C), (4, N), (5, N), (1, C)]),  # III protect; IV-V stop [C4][C5]
    ("paediatric", "pbs", [(10, C), (56, C)]),  # no validated cutoff [C6]
    ("post_surgical", "bmwt_seconds", [(D("4.5"), P), (D("4.4"), C), (D("4.6"), P)]),
    ("post_surgical", "berg", [(45, C), (44, P)]),
]


@pytest.mark.parametrize(
    ("population", "field", "value", "expected"),
    [(pop, field, value, expected) for pop, field, cases in CUTOFF_CASES for value, expected in cases],
)
def test_each_cutoff_at_below_and_above(population, field, value, expected):
    result = outcome(population, **{field: value})
    assert result.outcome == expected, texts(result)


@pytest.mark.parametrize("population", ["older", "stroke", "post_surgical"])
@pytest.mark.parametrize(("berg", "expected"), [(20, N), (19, N), (21, P), (0, N)])
def test_berg_at_or_below_20_is_not_cleared(population, berg, expected):
    result = outcome(population, berg=berg)
    assert result.outcome == expected
    if expected == N:
        assert f"Berg {berg} is at or below 20" in texts(result)


def test_unable_to_complete_the_backward_walk_is_not_cleared():
    for population in BASE:
        result = outcome(population, bmwt_unable=True)
        assert result.outcome == N
        assert "Unable to complete the 3-metre backward walk" in texts(result)


def test_unable_to_complete_the_four_square_step_test_needs_protection():
    assert outcome("older", fsst_unable=True).outcome == P


@pytest.mark.parametrize(
    ("systolic", "diastolic", "expected"),
    [(200, 100, C), (201, 100, N), (200, 101, N), (199, 99, C), (210, 95, N)],
)
def test_resting_blood_pressure_above_200_100_is_a_hard_stop(systolic, diastolic, expected):
    result = outcome("stroke", bp_systolic=systolic, bp_diastolic=diastolic)
    assert result.outcome == expected
    if expected == N:
        assert f"Resting BP {systolic}/{diastolic} exceeds 200/100" in texts(result)


def test_the_issue_examples_read_in_plain_words():
    assert texts(outcome("stroke", tug_seconds=D("16"))) == ("TUG 16 s ≥ 15 s stroke cutoff",)
    assert "Resting BP 210/95 exceeds 200/100" in texts(outcome("stroke", bp_systolic=210, bp_diastolic=95))


@pytest.mark.parametrize(("falls", "expected"), [(0, C), (1, P), (3, P)])
def test_a_fall_in_the_last_6_months_needs_protection(falls, expected):
    assert outcome("older", falls_last_6_months=falls).outcome == expected


@pytest.mark.parametrize(
    ("days", "expected"), [(41, N), (42, C), (43, C), (0, N)]
)  # fewer than 6 full weeks -> hard stop; from week 7 [A2]
def test_acl_needs_six_full_weeks_since_surgery(days, expected):
    result = outcome("post_surgical", surgery_date=TODAY - timedelta(days=days))
    assert result.outcome == expected, texts(result)


def test_acl_needs_documented_surgeon_clearance():
    result = outcome("post_surgical", surgeon_clearance_documented=False)
    assert result.outcome == N
    assert "No documented surgeon clearance for full weight bearing" in texts(result)


def test_acl_without_a_surgery_date_is_not_cleared():
    assert outcome("post_surgical", surgery_date=None).outcome == N


HARD_STOP_CASES = [
    (population, item)
    for population, code in (
        ("older", "knee_oa"),
        ("stroke", "stroke"),
        ("paediatric", "cerebral_palsy"),
        ("post_surgical", "acl_reconstruction"),
    )
    for item in HARD_STOP_ITEMS[code]
]


@pytest.mark.parametrize(("population", "item"), HARD_STOP_CASES, ids=lambda v: getattr(v, "key", v))
def test_every_hard_stop_means_not_cleared(population, item):
    result = outcome(population, hazards=frozenset({item.key}))
    assert result.outcome == N
    assert f"{item.label} (hard stop)" in texts(result)


def test_a_hazard_of_another_condition_is_not_a_hard_stop_here():
    assert outcome("stroke", hazards=frozenset({"uncontrolled_seizures"})).outcome == C


def test_a_hard_stop_beats_every_high_risk_result():
    result = outcome("older", berg=30, tug_seconds=D("20"), hazards=frozenset({"unstable_cardiac"}))
    assert result.outcome == N
    assert texts(result)[0].startswith("Unstable angina")
    assert "Berg 30 is below 45 (older-adult cutoff)" in texts(result)


def test_any_high_risk_result_means_protection_with_every_reason():
    result = outcome("older", berg=40, tug_seconds=D("14"), abc_pct=50)
    assert result.outcome == P
    assert texts(result) == (
        "Berg 40 is below 45 (older-adult cutoff)",
        "TUG 14 s ≥ 13.5 s older-adult cutoff",
        "ABC 50 % is below 67 % (older-adult cutoff)",
    )


def test_a_cleared_screening_says_why():
    assert texts(outcome("older")) == ("No hard stop and no result in a high-risk band",)


@pytest.mark.parametrize(
    ("population", "changes", "missing"),
    [
        ("stroke", {"berg": None, "bmwt_seconds": D("5")}, True),  # 3MBWT alone judges nothing after stroke
        ("stroke", {"berg": None, "dgi": 20}, False),
        ("paediatric", {"gmfcs": None}, True),
        ("paediatric", {"gmfcs": None, "pbs": 40}, False),
        ("post_surgical", {"bmwt_seconds": None}, True),
        ("post_surgical", {"bmwt_seconds": None, "bmwt_unable": True}, False),
        ("older", {"berg": None, "abc_pct": 80}, True),  # confidence is not a balance test
    ],
)
def test_at_least_one_suited_instrument_is_required(population, changes, missing):
    cutoffs, inp = BASE[population]
    message = missing_instrument(replace(inp, **changes), cutoffs)
    assert (message is not None) is missing
    if missing:
        assert message.startswith("Record at least one balance test suited to this patient")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "expected"),
    [("knee_oa", OLDER), ("stroke", STROKE), ("cerebral_palsy", PAEDIATRIC), ("acl_reconstruction", POST_SURGICAL)],
)
def test_the_seeded_policies_hold_the_clinical_cutoffs(code, expected):
    seeded = ScreeningPolicy.objects.get(condition__code=code).cutoffs()
    assert seeded == expected
