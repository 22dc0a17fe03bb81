"""programs/gate.py: each refusal and what it tells the clinician to do."""

from datetime import date

import pytest

from programs.gate import ProtectionFacts, ScreeningFacts, refusals

TODAY = date(2026, 11, 20)
FULL = ProtectionFacts(True, True, True, True, True, True)
NONE = ProtectionFacts(False)


def facts(**changes):
    base = {
        "patient_id": 1,
        "outcome": "cleared",
        "reasons": ("No hard stop and no result in a high-risk band",),
        "screened_on": date(2026, 11, 1),
        "valid_until": date(2026, 11, 30),
        "voided": False,
    }
    return ScreeningFacts(**{**base, **changes})


def check(screening, protection=NONE, today=TODAY):
    return refusals(patient_id=1, screening=screening, protection=protection, today=today)


def test_a_current_cleared_screening_passes():
    assert check(facts()) == []


def test_no_screening_is_refused():
    assert check(None) == ["There is no balance screening on record: screen the patient before prescribing."]


def test_another_patients_screening_is_refused():
    assert "belongs to another patient" in check(facts(patient_id=2))[0]


def test_not_cleared_is_refused_with_its_reasons():
    message = check(facts(outcome="not_cleared", reasons=("Resting BP 210/95 exceeds 200/100",)))[0]
    assert "did not clear the patient (Resting BP 210/95 exceeds 200/100)" in message
    assert "address the hard stop and rescreen" in message


@pytest.mark.parametrize(("today", "ok"), [(date(2026, 11, 30), True), (date(2026, 12, 1), False)])
def test_validity_ends_after_its_last_day(today, ok):
    result = check(facts(), today=today)
    assert (result == []) is ok
    if not ok:
        assert result == ["The screening expired on 30 Nov 2026: rescreen before prescribing."]


def test_a_voided_screening_is_refused():
    assert "voided after a fall or near fall" in check(facts(voided=True))[0]


def test_protection_is_required_with_the_reason_and_the_next_step():
    screening = facts(outcome="cleared_protected", reasons=("Berg 41 is below 45 (older-adult cutoff)",))
    message = check(screening)[0]
    assert message.startswith("Berg 41 is below 45 (older-adult cutoff): prescribe in protected mode or rescreen.")
    assert "clinic sessions only, overhead harness or body-weight support, both handrails" in message
    assert check(screening, FULL) == []


@pytest.mark.parametrize("missing", ["clinic_only", "harness", "both_rails", "therapist_sets_speed", "one_to_one"])
def test_every_protective_measure_is_needed(missing):
    screening = facts(outcome="cleared_protected", reasons=("A fall in the last 6 months",))
    partial = ProtectionFacts(**{**FULL.__dict__, missing: False})
    result = check(screening, partial)
    assert len(result) == 1 and "Protected mode needs" in result[0]


def test_more_protection_than_needed_is_allowed():
    assert check(facts(), FULL) == []
