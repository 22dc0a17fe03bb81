"""The safety gate (DESIGN.md "The safety gate"). Pure: facts in, refusals out.

A prescription may be saved only with a screening that belongs to the same
patient, is not "not cleared", is within its validity window and not voided;
and when the screening is "cleared with protection" the prescription carries
every protective measure. Each refusal says why and what to do next.

The same rule is held by programs.services (under row locks), by
Prescription.clean(), and by a PostgreSQL trigger (programs migration 0003).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NOT_CLEARED = "not_cleared"
CLEARED_PROTECTED = "cleared_protected"

# CLINICAL.md s4 rule 2: clinic-only with overhead harness (or body-weight
# support), both handrails, therapist-set speed and one-to-one supervision.
PROTECTIVE_MEASURES = {
    "clinic_only": "clinic sessions only",
    "harness": "overhead harness or body-weight support",
    "both_rails": "both handrails",
    "therapist_sets_speed": "therapist-set speed",
    "one_to_one": "one-to-one supervision",
}


@dataclass(frozen=True)
class ScreeningFacts:
    patient_id: int
    outcome: str
    reasons: tuple[str, ...]
    screened_on: date
    valid_until: date
    voided: bool


@dataclass(frozen=True)
class ProtectionFacts:
    protected: bool
    clinic_only: bool = False
    harness: bool = False
    both_rails: bool = False
    therapist_sets_speed: bool = False
    one_to_one: bool = False

    def missing(self) -> list[str]:
        return [label for name, label in PROTECTIVE_MEASURES.items() if not getattr(self, name)]


def refusals(
    *,
    patient_id: int,
    screening: ScreeningFacts | None,
    protection: ProtectionFacts,
    today: date,
    check_validity: bool = True,
) -> list[str]:
    """Why this prescription may not be saved; empty when it may.

    ``check_validity`` is False for changes that do not (re)start walking — pausing,
    stopping, adjusting a program whose screening has since expired, or recording a
    finished program — as the PostgreSQL trigger does.
    """
    if screening is None:
        return ["There is no balance screening on record: screen the patient before prescribing."]
    if screening.patient_id != patient_id:
        return ["That screening belongs to another patient: record or choose this patient's own screening."]
    if screening.outcome == NOT_CLEARED:
        why = "; ".join(screening.reasons) or "a hard stop"
        return [
            f"The screening of {screening.screened_on:%d %b %Y} did not clear the patient ({why}). "
            "Nothing can be prescribed: address the hard stop and rescreen."
        ]
    problems = []
    if not check_validity:
        pass
    elif screening.voided:
        problems.append(
            "The screening was voided after a fall or near fall on the treadmill: rescreen before prescribing."
        )
    elif today > screening.valid_until:
        problems.append(f"The screening expired on {screening.valid_until:%d %b %Y}: rescreen before prescribing.")
    if screening.outcome == CLEARED_PROTECTED:
        missing = protection.missing() if protection.protected else list(PROTECTIVE_MEASURES.values())
        if missing:
            why = "; ".join(screening.reasons)
            problems.append(
                f"{why}: prescribe in protected mode or rescreen. Protected mode needs " + ", ".join(missing) + "."
            )
    return problems
