"""Build the admin change-form POST for a template, as the browser would send it."""

from programs.models import ProgramTemplate
from retrowalk.translated import in_each_language

TEMPLATE_FIELDS = (
    "condition",
    *in_each_language("name"),
    *in_each_language("summary"),
    *in_each_language("warm_up"),
    "weeks",
    "sessions_per_week",
    "max_speed_kmh",
    "max_incline_pct",
    "max_session_minutes",
    "max_start_speed_kmh",
    "starting_speed_rule",
    "speed_step_fraction",
    "advance_max_pain",
    "advance_max_pain_rise",
    "advance_max_rpe",
    "advance_min_adherence_pct",
    "sources",
)
WEEK_FIELDS = (
    "week",
    "sessions",
    "bouts",
    "bout_minutes",
    "rest_minutes",
    "speed_fraction",
    "incline_pct",
    "support",
    *in_each_language("note"),
)


def template_post(template: ProgramTemplate, *, weeks: dict | None = None, drop: tuple = (), **changes) -> dict:
    data = {name: getattr(template, name if name != "condition" else "condition_id") for name in TEMPLATE_FIELDS}
    for flag in ("is_active", "defaults_for_clinical_review", "duration_first"):
        if getattr(template, flag):
            data[flag] = "on"
    data.update(changes)
    rows = list(template.week_rows.order_by("week"))
    prefix = "week_rows"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": len(rows),
            f"{prefix}-INITIAL_FORMS": len(rows),
            f"{prefix}-MIN_NUM_FORMS": 1,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    )
    for i, row in enumerate(rows):
        data[f"{prefix}-{i}-id"] = row.pk
        data[f"{prefix}-{i}-template"] = template.pk
        for name in WEEK_FIELDS:
            data[f"{prefix}-{i}-{name}"] = getattr(row, name)
        for name, value in (weeks or {}).get(row.week, {}).items():
            data[f"{prefix}-{i}-{name}"] = value
        if row.week in drop:
            data[f"{prefix}-{i}-DELETE"] = "on"
    return {k: ("" if v is None else v) for k, v in data.items()}
