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

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The step the refusal stops, named in its next step ("rescreen before prescribing").
PRESCRIBING, RESUMING = "prescribing", "resuming"

NOT_CLEARED = "not_cleared"
CLEARED_PROTECTED = "cleared_protected"

# CLINICAL.md s4 rule 2: clinic-only with overhead harness (or body-weight
# support), both handrails, therapist-set speed and one-to-one supervision.
PROTECTIVE_MEASURES = {
    "clinic_only": gettext_lazy("clinic sessions only"),
    "harness": gettext_lazy("overhead harness or body-weight support"),
    "both_rails": gettext_lazy("both handrails"),
    "therapist_sets_speed": gettext_lazy("therapist-set speed"),
    "one_to_one": gettext_lazy("one-to-one supervision"),
}


# Whole sentences for each step, so that each can be translated as a whole.
_STEP_WORDS = {
    PRESCRIBING: {
        "none": gettext_lazy("There is no balance screening on record: screen the patient before prescribing."),
        "voided": gettext_lazy(
            "The screening was voided after a fall or near fall on the treadmill: rescreen before prescribing."
        ),
        "expired": gettext_lazy("The screening expired on %(date)s: rescreen before prescribing."),
    },
    RESUMING: {
        "none": gettext_lazy("There is no balance screening on record: screen the patient before resuming."),
        "voided": gettext_lazy(
            "The screening was voided after a fall or near fall on the treadmill: rescreen before resuming."
        ),
        "expired": gettext_lazy("The screening expired on %(date)s: rescreen before resuming."),
    },
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
    step: str = PRESCRIBING,
) -> list[str]:
    """Why this prescription may not be saved; empty when it may.

    ``check_validity`` is False for changes that do not (re)start walking — pausing,
    stopping, adjusting a program whose screening has since expired, or recording a
    finished program — as the PostgreSQL trigger does.
    """
    words = _STEP_WORDS[step]
    if screening is None:
        return [str(words["none"])]
    if screening.patient_id != patient_id:
        return [_("That screening belongs to another patient: record or choose this patient's own screening.")]
    if screening.outcome == NOT_CLEARED:
        why = "; ".join(map(str, screening.reasons)) or _("a hard stop")
        return [
            _(
                "The screening of %(date)s did not clear the patient (%(why)s). "
                "Nothing can be prescribed: address the hard stop and rescreen."
            )
            % {"date": date_format(screening.screened_on, "DATE_FORMAT"), "why": why}
        ]
    problems = []
    if not check_validity:
        pass
    elif screening.voided:
        problems.append(str(words["voided"]))
    elif today > screening.valid_until:
        problems.append(words["expired"] % {"date": date_format(screening.valid_until, "DATE_FORMAT")})
    if screening.outcome == CLEARED_PROTECTED:
        missing = protection.missing() if protection.protected else list(PROTECTIVE_MEASURES.values())
        if missing:
            problems.append(
                _("%(why)s: prescribe in protected mode or rescreen. Protected mode needs %(missing)s.")
                % {"why": "; ".join(map(str, screening.reasons)), "missing": ", ".join(map(str, missing))}
            )
    return problems
