"""Which patient details each condition needs (pure data, no ORM).

The patient form shows only these fields for the chosen condition, the model
requires the ``required`` ones, and fields that do not apply are cleared on
save so a changed condition leaves no stale details behind. Conditions added
by an administrator use only the common fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ACL = "acl_reconstruction"
KNEE_OA = "knee_oa"
STROKE = "stroke"
CEREBRAL_PALSY = "cerebral_palsy"

# Every condition-specific field on Patient.
DETAIL_FIELDS = (
    "affected_side",
    "surgery_date",
    "graft",
    "meniscal_repair",
    "microfracture",
    "kl_grade",
    "stroke_date",
    "walking_aid",
    "gmfcs_level",
)


@dataclass(frozen=True)
class ConditionFields:
    shown: tuple[str, ...]
    required: tuple[str, ...]
    side_label: str = _("Affected side")  # a lazily translated label


CONDITION_FIELDS: dict[str, ConditionFields] = {
    ACL: ConditionFields(
        shown=("affected_side", "surgery_date", "graft", "meniscal_repair", "microfracture"),
        required=("affected_side", "surgery_date", "graft"),
        side_label=_("Operated knee"),
    ),
    KNEE_OA: ConditionFields(
        shown=("affected_side", "kl_grade"),
        required=("affected_side", "kl_grade"),
        side_label=_("Affected knee"),
    ),
    STROKE: ConditionFields(
        shown=("affected_side", "stroke_date", "walking_aid"),
        required=("affected_side", "stroke_date", "walking_aid"),
        side_label=_("Paretic side"),
    ),
    CEREBRAL_PALSY: ConditionFields(
        shown=("affected_side", "gmfcs_level"),
        required=("gmfcs_level",),
        side_label=_("More affected side"),
    ),
}

_NONE = ConditionFields(shown=("affected_side",), required=())


def fields_for(condition_code: str | None) -> ConditionFields:
    return CONDITION_FIELDS.get(condition_code or "", _NONE)


def not_applicable(condition_code: str | None) -> tuple[str, ...]:
    shown = set(fields_for(condition_code).shown)
    return tuple(name for name in DETAIL_FIELDS if name not in shown)
