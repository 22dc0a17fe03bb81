"""Demo program histories, so the dashboard and charts are alive after ``make run``.

Each demo patient gets weeks of session logs reviewed by the real progression
engine: a completed program, a pain spike with a step back, a near fall that
paused a program and voided its screening, a week review waiting, rising pain,
missed sessions, and a program stopped at a rescreen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from patients.demo import DEMO_SCREENINGS, lead_clinician
from patients.models import Patient
from patients.services import screening_record
from programs import gate, services
from programs.models import (
    Prescription,
    PrescriptionStatus,
    PrescriptionWeek,
    ProgramTemplate,
    ProgressionDecision,
    Protection,
    SessionLog,
)
from retrowalk.demo import SPANISH_ACCOUNTS
from retrowalk.services import preferences_update

# A session's (pain before, pain after, effort); "spike" weeks climb above baseline + 2.
EASY = (1, 2, 11)
SPIKE = (3, 5, 14)
RAISED = (2, 4, 13)


@dataclass(frozen=True)
class Stage:
    days: int  # how long this week's targets were in force
    sessions: tuple = (EASY, EASY, EASY)  # one entry per session walked
    note: str = ""  # an override note: the clinician chose otherwise than the engine
    action: str = ""  # the applied action when overriding


@dataclass(frozen=True)
class DemoProgram:
    record: str
    start_days_ago: int
    stages: tuple[Stage, ...]
    status: str = PrescriptionStatus.ACTIVE
    baseline: int = 1
    screening_days_ago: int | None = None  # an older screening for a finished program
    stop_reason: str = ""
    near_fall_days_ago: int | None = None  # logged through the service: pauses and voids
    speed: Decimal | None = None
    notes: tuple[str, ...] = ()  # the patient's own words on their sessions, in order (else the English default)
    earlier: tuple = ()  # (field, value) pairs where the older screening differs from the current one
    reassessed: bool = False  # a completed program's closing screening on its last day, with today's results
    closing_note: str = ""


DEMO_PROGRAMS = (
    # Pat Jones (knee OA, the "patient" login): a completed program last spring, and a current one
    # with a pain spike in week 2 that stepped back, now in week 2 again; screening due within 7 days.
    DemoProgram(
        "RW-1001",
        140,
        (Stage(7), Stage(7), Stage(7), Stage(7), Stage(7), Stage(7)),
        status=PrescriptionStatus.COMPLETED,
        screening_days_ago=145,
        earlier=(
            ("tug_seconds", Decimal("11.2")),
            ("berg", 47),
            ("bmwt_seconds", Decimal("4.6")),
            ("gait_speed_mps", Decimal("0.95")),
        ),
        reassessed=True,
        closing_note="Six weeks completed without a fall. Knee pain on stairs eased; continues at home.",
    ),
    DemoProgram("RW-1001", 21, (Stage(7), Stage(7, (EASY, SPIKE, SPIKE)), Stage(7)), baseline=1),
    # Henrik Strand (stroke, protected): a near fall yesterday paused the program and voided the screening.
    DemoProgram("RW-1002", 13, (Stage(7), Stage(6, (EASY, EASY))), baseline=1, near_fall_days_ago=1),
    # Maya Lindgren (CP): advanced to week 2 nine days ago; the week 2 review is waiting; one session missed.
    DemoProgram("RW-1003", 16, (Stage(7), Stage(9, (EASY, EASY))), baseline=1),
    # Aisha Bello (knee OA): stopped yesterday when the rescreen found BP 210/95 (not cleared).
    DemoProgram(
        "RW-1004",
        20,
        (Stage(7), Stage(7, (EASY, RAISED, EASY)), Stage(5, (EASY, EASY))),
        status=PrescriptionStatus.STOPPED,
        screening_days_ago=22,
        baseline=2,
        stop_reason="Resting BP 210/95 at the rescreen: stopped and referred to the GP.",
    ),
    # Carmen Ruiz (knee OA, the Spanish-speaking "paciente" login, Lucía Moreno's): a good first week, week 2 in force.
    DemoProgram(
        "RW-1005",
        9,
        (Stage(7), Stage(2, (EASY,))),
        baseline=2,
        notes=("Bien, sin molestias.", "Algo cansada al final.", "", "La rodilla bien; subí las escaleras mejor."),
    ),
    # Sam Reyes (ACL, the "patient2" login, mph): three good weeks, week 4 in force.
    DemoProgram("RW-2001", 22, (Stage(7), Stage(7), Stage(7), Stage(1, (EASY,))), baseline=1),
    # Ingrid Holm (stroke, protected): pain rising over the last two sessions.
    DemoProgram(
        "RW-2002", 26, (Stage(7), Stage(7), Stage(7, (EASY, EASY)), Stage(5, (RAISED, SPIKE, SPIKE))), baseline=1
    ),
    # Leo Karlsson (CP, protected): completed an 8-week program last year, one week repeated.
    DemoProgram(
        "RW-2003",
        200,
        (Stage(7), Stage(7), Stage(7, (EASY, SPIKE, EASY)), Stage(7), Stage(7), Stage(7), Stage(7), Stage(7), Stage(7)),
        status=PrescriptionStatus.COMPLETED,
        screening_days_ago=203,
        baseline=2,
        earlier=(("pbs", 33),),
        reassessed=True,
        closing_note="Completed with the harness throughout; one week repeated after a pain spike.",
    ),
)

SESSION_DAYS = (0, 2, 4)  # Monday, Wednesday, Friday of each week in force


def _screening_for(patient, program, by, today):
    if program.screening_days_ago is None:
        return patient.screenings.order_by("-screened_on").first()
    values = dict(next(v for record, _, v in DEMO_SCREENINGS if record == patient.record_number))
    values.update(bp_systolic=132, bp_diastolic=82, **dict(program.earlier))  # cleared then
    return screening_record(
        patient=patient, by=by, values={"screened_on": today - timedelta(days=program.screening_days_ago), **values}
    )


def _build(program: DemoProgram, today) -> None:
    patient = Patient.objects.select_related("condition").get(record_number=program.record)
    clinician = lead_clinician(patient)
    template = ProgramTemplate.objects.get(condition=patient.condition, is_active=True)
    screening = _screening_for(patient, program, clinician, today)
    start = today - timedelta(days=program.start_days_ago)
    speed = program.speed or min(
        template.max_start_speed_kmh, max(Decimal("0.5"), patient.comfortable_forward_speed_kmh / 2)
    )
    protected = screening.outcome == "cleared_protected"
    rx = Prescription(
        patient=patient,
        template=template,
        screening=screening,
        prescriber=clinician,
        # A stopped program is walked as active first, then stopped through the service below.
        status=PrescriptionStatus.COMPLETED
        if program.status == PrescriptionStatus.COMPLETED
        else PrescriptionStatus.ACTIVE,
        start_date=start,
        starting_speed_kmh=speed,
        baseline_pain=program.baseline,
        current_week=1,
        week_started_on=start,
        protection=Protection.PROTECTED if protected else Protection.STANDARD,
        **dict.fromkeys(gate.PROTECTIVE_MEASURES, protected),
    )
    if program.status == PrescriptionStatus.COMPLETED:
        rx.ended_on = start + timedelta(days=sum(s.days for s in program.stages) - 1)
        rx.closing_note = program.closing_note
    rx.full_clean()
    rx._history_user = clinician
    rx.save()
    for target in services.prescription_plan(template=template, starting_speed_kmh=speed, patient=patient):
        PrescriptionWeek.objects.create(prescription=rx, **target.__dict__)
    weeks = list(rx.weeks.all())
    by_week = {w.week: w for w in weeks}
    stage_start = start
    notes = iter(program.notes)
    for number, stage in enumerate(program.stages, 1):
        week = by_week[rx.current_week]
        logs = []
        for i, (before, after, effort) in enumerate(stage.sessions):
            day = stage_start + timedelta(days=SESSION_DAYS[i % 3] + 7 * (i // 3))
            if day >= today:
                continue
            log = SessionLog(
                prescription=rx,
                week=rx.current_week,
                session_date=day,
                setting="clinic" if protected or i == 0 else "home",
                entered_by=clinician if protected or i == 0 else (patient.user or clinician),
                minutes=week.session_minutes,
                speed_kmh=week.speed_kmh,
                incline_pct=week.incline_pct,
                pain_before=before,
                pain_after=after,
                pain_next_day=before if after <= before + 2 else before + 1,
                effort=effort,
                rails="harness" if protected else ("both_hands" if rx.current_week == 1 else "one_hand"),
                note=next(notes, "Knee ached on the way home." if after >= 5 else ""),
            )
            log.full_clean()
            log.save()
            logs.append(log)
        stage_end = stage_start + timedelta(days=stage.days)
        last_stage = number == len(program.stages)
        if last_stage and program.status != PrescriptionStatus.COMPLETED:
            break
        review = services.review_of(prescription=rx, logs=logs, weeks=weeks, today=stage_end)
        action = stage.action or review.decision.action
        if action == "pause":
            action = "repeat"
        next_week = {"advance": rx.current_week + 1, "step_back": max(1, rx.current_week - 1)}.get(
            action, rx.current_week
        )
        decided = min(stage_end, today)
        ProgressionDecision.objects.create(
            prescription=rx,
            week=rx.current_week,
            stage_started_on=stage_start,
            decided_on=decided,
            suggested=review.decision.action,
            suggested_reasons=list(review.decision.reasons),
            action=action,
            next_week=min(next_week, len(weeks)),
            note=stage.note if action != review.decision.action else "",
            decided_by=clinician,
        )
        if action == "complete":
            break
        rx.current_week = min(next_week, len(weeks))
        stage_start = decided
        rx.week_started_on = stage_start
    rx._history_user = clinician
    rx.save()
    if program.reassessed:
        values = dict(next(v for record, _, v in DEMO_SCREENINGS if record == patient.record_number))
        values.update(bp_systolic=130, bp_diastolic=80)
        screening_record(patient=patient, by=clinician, values={"screened_on": rx.ended_on, **values})
    if program.status == PrescriptionStatus.STOPPED:
        services.prescription_stop(
            prescription=rx, by=clinician, expected_version=rx.version, reason=program.stop_reason
        )
    if program.near_fall_days_ago is not None:
        week = by_week[rx.current_week]
        services.session_log_create(
            prescription=rx,
            by=clinician,
            entry=services.SessionEntry(
                session_date=today - timedelta(days=program.near_fall_days_ago),
                minutes=4,
                speed_kmh=week.speed_kmh,
                incline_pct=week.incline_pct,
                pain_before=1,
                pain_after=2,
                effort=14,
                event="near_fall",
                rails="harness",
                note="Caught a heel on the belt edge in bout 1; held by the harness.",
            ),
        )


def seed(*, users, stdout) -> None:
    # Each patient's programs are made once: a clinic seeded by an earlier release gets only the new ones.
    seeded = set(Prescription.objects.values_list("patient__record_number", flat=True))
    programs = [program for program in DEMO_PROGRAMS if program.record not in seeded]
    if not programs:
        return
    today = timezone.localdate()
    for program in programs:
        _build(program, today)
    preferences_update(user=users["clinician2"], speed_unit="mph")
    preferences_update(user=users["patient2"], speed_unit="mph")
    for username in SPANISH_ACCOUNTS:
        preferences_update(user=users[username], speed_unit="kmh", language="es")
    # The demo patient has session reminders on (Monday, Wednesday, Friday at 08:00) and the demo clinician
    # the daily digest: under `make run` they print to the console.
    services.reminder_settings_update(
        user=users["patient"], data={"session_reminders": True, "session_time": time(8), "session_days": [1, 3, 5]}
    )
    services.reminder_settings_update(user=users["clinician"], data={"digest": True, "digest_time": time(7, 30)})
    logs = SessionLog.objects.filter(prescription__patient__record_number__in={p.record for p in programs}).count()
    stdout.write(
        f"  {len(programs)} demo programs with {logs} session logs "
        "(a completed program, a pain spike, a near fall, a review waiting)"
    )
