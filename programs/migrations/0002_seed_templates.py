"""One default template per shipped condition, built from CLINICAL.md.

Every number is annotated with its source code (CLINICAL.md section 7) here and
in the template's ``sources`` text. Numbers marked "default" are product
defaults assembled from the sources for clinical review, not studied doses.
Speeds are fractions of the patient's starting speed; inclines are % grade.
"""

from decimal import Decimal as D

from django.db import migrations

# Shared caps and progression parameters, CLINICAL.md s5.
CAPS = {
    "max_speed_kmh": D("5.0"),  # backward walk-run transition ~5.9 km/h [P5]
    "max_incline_pct": D("15.0"),  # incline cap 15 % (CLINICAL.md s5 "Caps")
    "max_session_minutes": 30,  # session <= 30 min [K2][T1]
    "speed_step_fraction": D("0.10"),  # +10 % of starting speed per week [T1]
    "advance_max_pain": 3,  # pain NRS <= 3/10 [G2]
    "advance_max_pain_rise": 2,  # not >= 2 points above baseline [G2]
    "advance_max_rpe": 13,  # Borg <= 13 "somewhat hard" [G3]
    "advance_min_adherence_pct": 67,  # >= 2/3 of planned sessions [G2][T8]; 66 from programs migration 0004
}

RAILS = "rails_available"
BOTH = "both_rails"

TEMPLATES = [
    {
        "condition": "knee_oa",
        "name": "Knee osteoarthritis — 6 weeks",
        "summary": (
            "Six weeks, three sessions a week on a level belt, starting with 10 minutes and building "
            "toward 30 by adding minutes before speed (older adults). Supervised, on top of usual care."
        ),
        "weeks": 6,  # 6 weeks [K1]
        "sessions_per_week": 3,  # 3/week [K1]
        "duration_first": True,  # raise minutes before speed, older adults [G1]
        # Speed not reported in [K1]; fastest start = cap / highest fraction (5.0 / 1.10 = 4.5), default.
        "max_start_speed_kmh": D("4.5"),
        "starting_speed_rule": "backward_test",  # 3 m / 3MBWT s, else 50 % forward [S1][T1]
        "sources": (
            "6 weeks, 3 sessions/week, 10 min in week 1: K1 (Alghadir 2019). Building toward 30 min: K2 "
            "(Almutairi 2023, protocols up to 30 min); the 5-minute steps are a default. Minutes before speed: "
            "G1 (ACSM/AHA older adults). Level belt (0 %): K1. Speed held, +10 % in week 6: T1 step rule, "
            "default. Caps 5.0 km/h [P5], 15 % [s5], 30 min [K2]. Progression gates: G2, G3, T8. Starting "
            "speed: S1, T1."
        ),
        # (week, sessions, bouts, bout_minutes, rest, speed_fraction, incline, support)
        "rows": [
            (1, 3, 2, 5, D("1.0"), D("1.00"), D("0.0"), RAILS),  # 10 min [K1]
            (2, 3, 3, 5, D("1.0"), D("1.00"), D("0.0"), RAILS),  # 15 min, default step
            (3, 3, 4, 5, D("1.0"), D("1.00"), D("0.0"), RAILS),  # 20 min, default step
            (4, 3, 5, 5, D("1.0"), D("1.00"), D("0.0"), RAILS),  # 25 min, default step
            (5, 3, 6, 5, D("1.0"), D("1.00"), D("0.0"), RAILS),  # 30 min [K2]
            (6, 3, 6, 5, D("1.0"), D("1.10"), D("0.0"), RAILS),  # then speed +10 % [T1][G1]
        ],
    },
    {
        "condition": "stroke",
        "name": "Stroke — 6 weeks",
        "summary": (
            "Six weeks, three 30-minute sessions a week in three 10-minute bouts, starting at the baseline "
            "overground speed and adding 10 % of it each week. Both handrails; harness when the screening "
            "asks for protection."
        ),
        "weeks": 6,  # 6 weeks [T1][T2]
        "sessions_per_week": 3,  # 3/week [T1]
        "duration_first": False,
        "max_start_speed_kmh": D("3.3"),  # cap / week-6 fraction (5.0 / 1.50), default
        "starting_speed_rule": "overground_baseline",  # starts at baseline overground speed [T1]
        "sources": (
            "6 weeks, 3/week, 30 min: T1 (Michaelsen 2014), T2 (Chang 2021); review: >= 30 min, 3-5/week, "
            ">= 4 weeks (T4). Start at baseline overground speed, +10 % of baseline per week: T1. Level belt: "
            "T1. Three 10-minute bouts with 2 minutes' rest: default within T3's 20-30 min stepping. Both "
            "handrails: default; harness or body-weight support for poor balance: T3, T7. Caps 5.0 km/h [P5], "
            "15 % [s5], 30 min [T1]. Progression gates: G2, G3, T8."
        ),
        "rows": [
            (1, 3, 3, 10, D("2.0"), D("1.00"), D("0.0"), BOTH),  # baseline speed [T1]
            (2, 3, 3, 10, D("2.0"), D("1.10"), D("0.0"), BOTH),  # +10 % [T1]
            (3, 3, 3, 10, D("2.0"), D("1.20"), D("0.0"), BOTH),
            (4, 3, 3, 10, D("2.0"), D("1.30"), D("0.0"), BOTH),
            (5, 3, 3, 10, D("2.0"), D("1.40"), D("0.0"), BOTH),
            (6, 3, 3, 10, D("2.0"), D("1.50"), D("0.0"), BOTH),
        ],
    },
    {
        "condition": "cerebral_palsy",
        "name": "Cerebral palsy — 8 weeks",
        "summary": (
            "Eight weeks, three sessions a week holding the handrails after stretching, building from 15 to "
            "25 minutes in 5- and 6-minute bouts; a modest speed step in the second half."
        ),
        "weeks": 8,  # 6-12 weeks studied [C1-C4]; 8 is a default within that range
        "sessions_per_week": 3,  # 2-3/week [C1-C3]
        "duration_first": True,  # minutes first, default
        "max_start_speed_kmh": D("4.5"),  # cap / highest fraction (5.0 / 1.10), default
        "starting_speed_rule": "backward_test",
        "sources": (
            "15-25 min per session: C1, C3; built up to 20 min: C2. 2-3 sessions/week over 6-12 weeks: C1-C4; "
            "8 weeks x 3/week is a default within that range. Handrails and stretching before: C2. Level belt: "
            "C1-C4. Speed not reported; +10 % from week 5 applies T1's step, default. GMFCS I-II (III with "
            "protection): C4, C5. Caps 5.0 km/h [P5], 15 % [s5], 30 min [K2][T1]. Gates: G2, G3, T8."
        ),
        "rows": [
            (1, 3, 3, 5, D("1.0"), D("1.00"), D("0.0"), BOTH),  # 15 min [C1]
            (2, 3, 3, 5, D("1.0"), D("1.00"), D("0.0"), BOTH),
            (3, 3, 3, 6, D("1.0"), D("1.00"), D("0.0"), BOTH),  # 18 min
            (4, 3, 4, 5, D("1.0"), D("1.00"), D("0.0"), BOTH),  # 20 min [C2]
            (5, 3, 4, 5, D("1.0"), D("1.10"), D("0.0"), BOTH),  # speed +10 % [T1], default
            (6, 3, 4, 5, D("1.0"), D("1.10"), D("0.0"), BOTH),
            (7, 3, 5, 5, D("1.0"), D("1.10"), D("0.0"), BOTH),  # 25 min [C1][C3]
            (8, 3, 5, 5, D("1.0"), D("1.10"), D("0.0"), BOTH),
        ],
    },
    {
        "condition": "acl_reconstruction",
        "name": "ACL reconstruction — weeks 7–12 after surgery",
        "summary": (
            "Six weeks from the 7th week after surgery, three sessions a week at a self-selected speed, "
            "with the belt raised in steps 0 → 5 → 10 % to load the quadriceps and train knee position sense. "
            "Brace as the surgeon directs."
        ),
        "weeks": 6,  # weeks 7-12 after surgery [A2]; [A1] trained 4 weeks
        "sessions_per_week": 3,  # not reported [A1]; default, as the other protocols
        "duration_first": False,
        "max_start_speed_kmh": D("5.0"),  # self-selected speed held [A1]: fraction 1.0 throughout
        "starting_speed_rule": "backward_test",
        "sources": (
            "Backward treadmill allowed weeks 7-12 after surgery, incline raised progressively up to 7-10 "
            "degrees: A2. Self-selected speed, inclines 0/5/10/15 degrees (steeper, better position sense): "
            "A1. Steps 0 -> 5 -> 10 % grade (about 0, 2.9, 5.7 degrees) stay under A2's range: default. "
            "Sessions/week and minutes not reported: 3/week and 10-20 min are defaults. Brace per surgeon: A1. "
            "Caps 5.0 km/h [P5], 15 % [s5], 30 min [K2][T1]. Gates: G2, G3, T8; surgical criteria: A3, A4."
        ),
        "rows": [
            (1, 3, 2, 5, D("1.0"), D("1.00"), D("0.0"), RAILS),  # level [A1]
            (2, 3, 3, 5, D("1.0"), D("1.00"), D("0.0"), RAILS),
            (3, 3, 3, 5, D("1.0"), D("1.00"), D("5.0"), RAILS),  # 5 % [A1][A2]
            (4, 3, 4, 5, D("1.0"), D("1.00"), D("5.0"), RAILS),
            (5, 3, 4, 5, D("1.0"), D("1.00"), D("10.0"), RAILS),  # 10 % [A1][A2]
            (6, 3, 4, 5, D("1.0"), D("1.00"), D("10.0"), RAILS),
        ],
    },
]


def seed(apps, schema_editor):
    Condition = apps.get_model("patients", "Condition")
    ProgramTemplate = apps.get_model("programs", "ProgramTemplate")
    TemplateWeek = apps.get_model("programs", "TemplateWeek")
    for spec in TEMPLATES:
        spec = dict(spec)
        rows = spec.pop("rows")
        condition = Condition.objects.get(code=spec.pop("condition"))
        if ProgramTemplate.objects.filter(condition=condition, name=spec["name"]).exists():
            continue
        template = ProgramTemplate.objects.create(condition=condition, **CAPS, **spec)
        TemplateWeek.objects.bulk_create(
            TemplateWeek(
                template=template,
                week=week,
                sessions=sessions,
                bouts=bouts,
                bout_minutes=minutes,
                rest_minutes=rest,
                speed_fraction=fraction,
                incline_pct=incline,
                support=support,
            )
            for week, sessions, bouts, minutes, rest, fraction, incline, support in rows
        )


def unseed(apps, schema_editor):
    ProgramTemplate = apps.get_model("programs", "ProgramTemplate")
    ProgramTemplate.objects.filter(name__in=[t["name"] for t in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0001_initial"),
        ("patients", "0002_seed_conditions"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
