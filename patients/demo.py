"""Demo patients: one per condition, spread over the two demo care teams."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from patients.models import Condition, Patient

# (record number, first, last, condition, care team, linked login, details)
DEMO_PATIENTS = [
    (
        "RW-1001",
        "Pat",
        "Jones",
        "knee_oa",
        "clinician",
        "patient",
        {
            "date_of_birth": date(1958, 4, 12),
            "sex": "female",
            "comfortable_forward_speed_kmh": Decimal("4.0"),
            "affected_side": "right",
            "kl_grade": 2,
        },
    ),
    (
        "RW-1002",
        "Henrik",
        "Strand",
        "stroke",
        "clinician",
        None,
        {
            "date_of_birth": date(1951, 9, 3),
            "sex": "male",
            "comfortable_forward_speed_kmh": Decimal("2.2"),
            "affected_side": "left",
            "walking_aid": "cane",
            "_stroke_days_ago": 240,
        },
    ),
    (
        "RW-1003",
        "Maya",
        "Lindgren",
        "cerebral_palsy",
        "clinician",
        None,
        {
            "date_of_birth": date(2015, 2, 20),
            "sex": "female",
            "comfortable_forward_speed_kmh": Decimal("3.2"),
            "affected_side": "right",
            "gmfcs_level": 2,
        },
    ),
    (
        "RW-1004",
        "Aisha",
        "Bello",
        "knee_oa",
        "clinician",
        None,
        {
            "date_of_birth": date(1949, 11, 30),
            "sex": "female",
            "comfortable_forward_speed_kmh": Decimal("3.0"),
            "affected_side": "both",
            "kl_grade": 3,
        },
    ),
    (
        "RW-1005",
        "Carmen",
        "Ruiz",
        "knee_oa",
        "clinica",
        "paciente",
        {
            "date_of_birth": date(1955, 7, 22),
            "sex": "female",
            "comfortable_forward_speed_kmh": Decimal("3.6"),
            "affected_side": "left",
            "kl_grade": 2,
        },
    ),
    (
        "RW-2001",
        "Sam",
        "Reyes",
        "acl_reconstruction",
        "clinician2",
        "patient2",
        {
            "date_of_birth": date(2001, 6, 8),
            "sex": "male",
            "comfortable_forward_speed_kmh": Decimal("5.0"),
            "affected_side": "left",
            "graft": "hamstring",
            "_surgery_days_ago": 84,
        },
    ),
    (
        "RW-2002",
        "Ingrid",
        "Holm",
        "stroke",
        "clinician2",
        None,
        {
            "date_of_birth": date(1946, 1, 17),
            "sex": "female",
            "comfortable_forward_speed_kmh": Decimal("1.8"),
            "affected_side": "right",
            "walking_aid": "quad_cane",
            "_stroke_days_ago": 400,
        },
    ),
    (
        "RW-2003",
        "Leo",
        "Karlsson",
        "cerebral_palsy",
        "clinician2",
        None,
        {
            "date_of_birth": date(2012, 8, 1),
            "sex": "male",
            "comfortable_forward_speed_kmh": Decimal("2.8"),
            "affected_side": "both",
            "gmfcs_level": 3,
        },
    ),
]


def seed(*, users, stdout) -> None:
    today = timezone.localdate()
    created = 0
    for record, first, last, code, clinician, login, details in DEMO_PATIENTS:
        if Patient.objects.filter(record_number=record).exists():
            continue
        details = dict(details)
        if "_stroke_days_ago" in details:
            details["stroke_date"] = today - timedelta(days=details.pop("_stroke_days_ago"))
        if "_surgery_days_ago" in details:
            details["surgery_date"] = today - timedelta(days=details.pop("_surgery_days_ago"))
        patient = Patient(
            record_number=record,
            first_name=first,
            last_name=last,
            condition=Condition.objects.get(code=code),
            user=users[login] if login else None,
            **details,
        )
        patient.full_clean()
        patient._history_user = users[clinician]
        patient.save()
        patient.care_team.add(users[clinician])
        created += 1
    if created:
        stdout.write(f"  {created} demo patients")
    _join_team_a(users)
    seed_screenings(users=users, stdout=stdout)


# Care team A is Cara Lindqvist's and Lucía Moreno's: each is on the other's patients (RW-1001 to RW-1005).
TEAM_A = ("clinician", "clinica")


def _join_team_a(users) -> None:
    from patients.services import care_team_add

    for patient in Patient.objects.filter(record_number__startswith="RW-1"):
        lead = patient.care_team.order_by("pk").first()
        for username in TEAM_A:
            if not patient.care_team.filter(pk=users[username].pk).exists():
                care_team_add(patient=patient, by=lead, clinician=users[username])


def lead_clinician(patient):
    """Who screens and prescribes for a demo patient: the one who added them (the first on the team)."""
    record = next(r for r in DEMO_PATIENTS if r[0] == patient.record_number)
    return patient.care_team.get(username=record[4])


# (record number, days ago, values): one of each outcome per care team. The dates leave room for the
# program histories of programs/demo.py (a screening stays valid 30 days, CLINICAL.md s4).
DEMO_SCREENINGS = [
    (
        "RW-1001",
        22,
        {
            "bmwt_seconds": Decimal("3.2"),
            "berg": 52,
            "tug_seconds": Decimal("9.5"),
            "gait_speed_mps": Decimal("1.05"),
            "bp_systolic": 128,
            "bp_diastolic": 78,
        },
    ),  # cleared
    ("RW-1002", 14, {"berg": 41, "tug_seconds": Decimal("16.0"), "bp_systolic": 142, "bp_diastolic": 84}),  # protected
    ("RW-1003", 16, {"gmfcs": 2, "pbs": 49}),  # cleared
    ("RW-1004", 1, {"berg": 47, "tug_seconds": Decimal("12.0"), "bp_systolic": 210, "bp_diastolic": 95}),  # not cleared
    ("RW-1005", 10, {"berg": 53, "tug_seconds": Decimal("8.5"), "bp_systolic": 124, "bp_diastolic": 76}),  # cleared
    (
        "RW-2001",
        24,
        {"bmwt_seconds": Decimal("2.4"), "bp_systolic": 118, "bp_diastolic": 72, "surgeon_clearance_documented": True},
    ),  # cleared
    ("RW-2002", 27, {"berg": 44, "dgi": 17, "falls_last_6_months": 1, "bp_systolic": 150, "bp_diastolic": 88}),
    ("RW-2003", 2, {"gmfcs": 3, "pbs": 38}),  # protected (GMFCS III)
]


def seed_screenings(*, users, stdout) -> None:
    from patients.services import screening_record

    today = timezone.localdate()
    created = 0
    for record, days_ago, values in DEMO_SCREENINGS:
        patient = Patient.objects.get(record_number=record)
        if patient.screenings.exists():
            continue
        clinician = lead_clinician(patient)
        screening_record(
            patient=patient, by=clinician, values={"screened_on": today - timedelta(days=days_ago), **values}
        )
        created += 1
    if created:
        stdout.write(f"  {created} demo screenings (cleared, cleared with protection, not cleared)")
