"""The patient's plan in plain words: the session to do next, who must be there, the cues and the stop rules.

Pure: it reads rows already loaded and touches no database, so the plan page,
the printed plan and the PDF say exactly the same thing. Every cue and rule is
CLINICAL.md's (section 1 for how to walk, section 6 for when to stop, section 4
for a fall); wording aimed at patients and caregivers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# CLINICAL.md s1 "Cues clinicians give" [S1][S2], in the order a session runs.
SAFETY_CUES = (
    gettext_lazy("Clip the safety key to your clothes before the belt starts. If you pull it, the belt stops."),
    gettext_lazy("Hold the handrails the way your therapist showed you, for the whole walk."),
    gettext_lazy("Reach back with your toes first, then roll down onto your heel."),
    gettext_lazy("Straighten your knee fully with every step."),
    gettext_lazy("Tighten the muscles at the front of your thigh as your knee straightens."),
    gettext_lazy(
        "Your therapist sets the speed. Do not change it yourself: "
        "reaching forward to the buttons can tip you off balance."
    ),
)

# CLINICAL.md s6 "Stopping a session (print on every plan)" [G4].
STOP_RULES_INTRO = gettext_lazy("Stop the belt at once and tell your therapist if you have:")
STOP_RULES = (
    gettext_lazy("chest pain or pressure"),
    gettext_lazy("dizziness, light-headedness or confusion"),
    gettext_lazy("unusual shortness of breath"),
    gettext_lazy("lost your balance, or had to grab the rails to stay up"),
    gettext_lazy("joint pain rising above 5 out of 10"),
    gettext_lazy("leg cramps"),
    gettext_lazy("any wish to stop: you may always stop"),
)
STOP_RULES_STAFF = gettext_lazy(
    "Clinic staff also stop when systolic pressure falls more than 10 mmHg as the work rises, or is above 250/115 mmHg."
)
# CLINICAL.md s4: a fall or near fall voids the screening and pauses the program.
AFTER_A_FALL = gettext_lazy(
    "If you fall or nearly fall: stop, log it, and do not walk backward on a treadmill again "
    "until your therapist has checked your balance."
)

# Scales on the log (the patient fills them in).
PAIN_SCALE = gettext_lazy("Pain: 0 = no pain, 10 = worst pain imaginable.")
EFFORT_SCALE = gettext_lazy(
    "Effort (Borg 6–20): 6 = no effort, 11 = light, 13 = somewhat hard, 15 = hard, 17 = very hard, 20 = maximal."
)


# Week supports that already say "both handrails" (programs.models.Support).
BOTH_HANDS = ("both_rails", "harness")


@dataclass(frozen=True)
class Targets:
    week: int
    weeks: int
    bouts: int
    bout_minutes: int
    rest_minutes: int
    speed_kmh: Decimal
    incline_pct: Decimal
    sessions: int
    support: str
    support_key: str
    note: str

    @property
    def minutes(self) -> int:
        return self.bouts * self.bout_minutes


@dataclass(frozen=True)
class NextSession:
    """What the top of the plan says: the session to do now, or why there is none."""

    heading: str
    lines: tuple[str, ...] = ()
    targets: Targets | None = None
    warm_up: str = ""
    support: tuple[str, ...] = ()
    present: tuple[str, ...] = ()
    done_this_week: int | None = None
    can_log: bool = False
    tone: str = "go"  # "go", "wait" or "stop": how the page colours the card
    extras: tuple[str, ...] = field(default=())


def targets_of(week_row, weeks: int) -> Targets:
    return Targets(
        week=week_row.week,
        weeks=weeks,
        bouts=week_row.bouts,
        bout_minutes=week_row.bout_minutes,
        rest_minutes=week_row.rest_minutes,
        speed_kmh=week_row.speed_kmh,
        incline_pct=week_row.incline_pct,
        sessions=week_row.sessions,
        support=week_row.get_support_display(),
        support_key=week_row.support,
        note=week_row.note,
    )


def support_of(prescription, targets: Targets | None) -> tuple[str, ...]:
    """The physical protection for every session: the week's support and the program's measures."""
    items = []
    if targets is not None:
        items.append(_("%(support)s.") % {"support": targets.support})
    if prescription.harness:
        items.append(_("Wear the overhead harness; your therapist fits it before the belt starts."))
    if prescription.both_rails and not (targets and targets.support_key in BOTH_HANDS):
        items.append(_("Hold both handrails the whole time."))
    if prescription.therapist_sets_speed:
        items.append(_("Only your therapist sets or changes the speed."))
    return tuple(items)


def present_of(prescription, *, child: bool) -> tuple[str, ...]:
    """Who must be there. Protected mode comes from the screening (CLINICAL.md s4); the rest is a
    product default for clinical review: nobody walks backward on a treadmill alone (s1)."""
    if prescription.one_to_one or prescription.clinic_only:
        items = []
        if prescription.clinic_only:
            items.append(_("In the clinic only, never at home or in a gym."))
        if prescription.one_to_one:
            items.append(_("Your therapist stays beside you, one-to-one, for the whole session."))
        return tuple(items)
    if child:
        return (_("An adult who knows this plan (parent, caregiver or therapist) stays beside the treadmill."),)
    return (_("Someone who can stop the belt stays close by. Do not walk backward on a treadmill alone."),)


def _long_date(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def _day(day: date) -> str:
    """A day with its weekday name, in the reader's language and order ("Monday 4 Mar 2026")."""
    return _("%(weekday)s %(date)s") % {"weekday": date_format(day, "l"), "date": date_format(day, "DATE_FORMAT")}


def _walked(logs: Sequence, start: date, end: date) -> list:
    return [log for log in logs if start <= log.session_date <= end and log.minutes > 0]


def next_session(*, prescription, week_row, weeks: int, logs: Sequence, today: date, child: bool) -> NextSession:
    """The session to do today (or next), in plain words, from the program's state and its logs."""
    status = prescription.status
    if status == "draft":
        return NextSession(heading=_("Your plan is not ready yet"), lines=(_("Your therapist is still preparing it."),))
    if status == "stopped":
        return NextSession(
            heading=_("This program was stopped"),
            lines=(
                _("Stopped on %(date)s.") % {"date": _long_date(prescription.ended_on)},
                _("Talk to your therapist before you walk backward on a treadmill again."),
            ),
            tone="stop",
        )
    if status == "completed":
        return NextSession(
            heading=_("You have finished this program"),
            lines=(_("Completed on %(date)s. Well done.") % {"date": _long_date(prescription.ended_on)},),
            tone="wait",
        )
    if status == "paused":
        lines = [prescription.pause_reason] if prescription.pause_reason else []
        lines.append(_("Do not walk backward on a treadmill until your therapist restarts your program."))
        return NextSession(heading=_("Your program is paused"), lines=tuple(lines), tone="stop")

    targets = targets_of(week_row, weeks) if week_row is not None else None
    common = {
        "targets": targets,
        "warm_up": prescription.template.warm_up,
        "support": support_of(prescription, targets),
        "present": present_of(prescription, child=child),
    }
    if prescription.start_date > today:
        return NextSession(
            heading=_("Your first session"),
            lines=(_("From %(day)s.") % {"day": _day(prescription.start_date)},),
            done_this_week=0,
            tone="wait",
            **common,
        )
    # The week in force runs in blocks of 7 days from the day it took effect.
    block_start = prescription.week_started_on + timedelta(days=7 * ((today - prescription.week_started_on).days // 7))
    done = len(_walked(logs, block_start, today))
    planned = targets.sessions if targets else 0
    logged_today = any(log.session_date == today for log in logs)
    if planned and done >= planned:
        return NextSession(
            heading=_("Your next session"),
            lines=(
                ngettext("This week's session is done.", "This week's %(planned)d sessions are done.", planned)
                % {"planned": planned},
                _("The next one is from %(day)s.") % {"day": _day(block_start + timedelta(days=7))},
            ),
            done_this_week=done,
            can_log=True,
            tone="wait",
            **common,
        )
    if logged_today:
        return NextSession(
            heading=_("Your next session"),
            lines=(
                _("Today's session is logged: %(done)d of %(planned)d done this week.")
                % {"done": done, "planned": planned},
            ),
            done_this_week=done,
            can_log=True,
            tone="wait",
            **common,
        )
    return NextSession(
        heading=_("Today's session"),
        lines=(_("%(done)d of %(planned)d sessions done this week.") % {"done": done, "planned": planned},),
        done_this_week=done,
        can_log=True,
        **common,
    )


def planned_end(prescription, weeks: int) -> date:
    """When the program ends if every week advances on time (a repeated week moves it later)."""
    if prescription.ended_on:
        return prescription.ended_on
    remaining = max(0, weeks - prescription.current_week + 1)
    start = max(prescription.week_started_on, prescription.start_date)
    return start + timedelta(days=7 * remaining - 1)


# --- The session timer: the week's session as timed steps ---

# How long the timer gives the warm-up. A product default for clinical review: no source gives a warm-up
# dose (CLINICAL.md s2 names stretching before, for cerebral palsy [C2]); the shipped warm-up texts say
# "a few minutes" (programs migration 0008). The patient can skip it.
WARM_UP_SECONDS = 3 * 60


@dataclass(frozen=True)
class TimerStep:
    """One step of the timer: the warm-up, a bout of backward walking, or a rest between bouts."""

    kind: str  # "warm_up", "walk" or "rest"
    seconds: int
    title: str
    say: str  # what the timer speaks as the step begins
    bout: int = 0  # 1-based number of a walk, 0 for the others


def timer_steps(targets: Targets, *, warm_up: bool = True) -> tuple[TimerStep, ...]:
    """The week's session in order: the warm-up, then each bout with a rest between (none after the last)."""
    steps = []
    if warm_up:
        steps.append(
            TimerStep(
                kind="warm_up",
                seconds=WARM_UP_SECONDS,
                title=_("Warm up"),
                say=_("Warm up. The backward walk starts after it."),
            )
        )
    rest_seconds = int(targets.rest_minutes * 60)
    for bout in range(1, targets.bouts + 1):
        steps.append(
            TimerStep(
                kind="walk",
                seconds=targets.bout_minutes * 60,
                title=_("Walk backward: %(bout)d of %(bouts)d") % {"bout": bout, "bouts": targets.bouts},
                say=ngettext(
                    "Walk backward now. Walk %(bout)d of %(bouts)d, %(minutes)d minute.",
                    "Walk backward now. Walk %(bout)d of %(bouts)d, %(minutes)d minutes.",
                    targets.bout_minutes,
                )
                % {"bout": bout, "bouts": targets.bouts, "minutes": targets.bout_minutes},
                bout=bout,
            )
        )
        if bout < targets.bouts and rest_seconds > 0:
            steps.append(
                TimerStep(
                    kind="rest",
                    seconds=rest_seconds,
                    title=_("Rest"),
                    say=_("Rest now, as your therapist showed you."),
                )
            )
    return tuple(steps)
