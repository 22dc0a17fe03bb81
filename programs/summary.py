"""A program's discharge and progress summary: what was planned and done, how it felt, what changed.

``program_summary`` loads a program's rows once (``selectors.program_rows``) and the patient's outcome
trends up to the program's end (``patients.selectors.outcome_trends``) and works out the summary the
screen, the printed page, the PDF and the copy-as-text version all show.

Pain is compared week by week: the mean of each walked session's higher pain (before or after) in the
first walked week against the last. A fall of at least 2 points or 30 % is clinically important for the
0–10 pain scale (CLINICAL.md section 8, [M18][M19]).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from patients import outcomes
from patients.selectors import outcome_trends
from programs import charts, selectors
from programs.models import SessionEvent

PAIN_MCID_POINTS = Decimal(2)  # CLINICAL.md s8 [M18][M19]
PAIN_MCID_FRACTION = Decimal("0.30")  # CLINICAL.md s8 [M18][M19]


@dataclass(frozen=True)
class Dose:
    on: date
    speed_kmh: Decimal
    minutes: int
    incline_pct: Decimal


@dataclass(frozen=True)
class PainChange:
    first: Decimal
    last: Decimal

    @property
    def amount(self) -> Decimal:
        return self.last - self.first

    @property
    def important(self) -> bool:
        """A fall of at least 2 points or at least 30 % of the first week's pain [M18][M19]."""
        fall = self.first - self.last
        return fall > 0 and (fall >= PAIN_MCID_POINTS or fall >= self.first * PAIN_MCID_FRACTION)


@dataclass(frozen=True)
class OutcomeChange:
    instrument: outcomes.Instrument
    before: outcomes.Row
    after: outcomes.Row | None
    change: outcomes.Change | None


@dataclass(frozen=True)
class Summary:
    prescription: object
    start: date
    end: date
    ended: bool
    weeks: list[charts.ChartWeek]
    planned_sessions: int
    done_sessions: int
    first_dose: Dose | None
    last_dose: Dose | None
    pain: PainChange | None
    falls: list[date]
    near_falls: list[date]
    early_stops: int
    outcome_changes: list[OutcomeChange] = field(default_factory=list)
    gmfcs_events: list[outcomes.LevelChange] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)

    @property
    def adherence_pct(self) -> int | None:
        if not self.planned_sessions:
            return None
        return int((Decimal(100 * self.done_sessions) / self.planned_sessions).quantize(0, ROUND_HALF_UP))


def _mean(values) -> Decimal:
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _outcome_changes(trends: outcomes.Outcomes, since: date) -> list[OutcomeChange]:
    """Each instrument from the program's baseline (the last result on or before the screening that
    authorised it, else the first after) to its last result up to the program's end."""
    changes = []
    for trend in trends.trends:
        before = [row for row in trend.rows if row.point.on <= since] or trend.rows[:1]
        base = before[-1]
        last = trend.rows[-1]
        if last.point.on > base.point.on:
            changes.append(
                OutcomeChange(
                    trend.instrument, base, last, outcomes.change(trend.instrument, base.point, last.point, trend.group)
                )
            )
        else:
            changes.append(OutcomeChange(trend.instrument, base, None, None))
    return changes


def program_summary(*, prescription, today: date) -> Summary:
    rows = selectors.program_rows(prescription)
    logs = sorted(rows.logs, key=lambda log: (log.session_date, log.created_at))
    end = prescription.ended_on or today
    series = [
        week
        for week in charts.progress_series(
            prescription=prescription, weeks=rows.weeks, logs=logs, decisions=rows.decisions, today=today
        )
        if not week.future
    ]
    walked = [log for log in logs if log.minutes > 0]
    by_week = [
        [log for log in walked if week.starts <= log.session_date < week.starts + timedelta(days=7)] for week in series
    ]
    walked_weeks = [these for these in by_week if these]
    pain = None
    if walked_weeks:
        pain = PainChange(
            _mean([max(log.pain_before, log.pain_after) for log in walked_weeks[0]]),
            _mean([max(log.pain_before, log.pain_after) for log in walked_weeks[-1]]),
        )

    def dose(log) -> Dose:
        return Dose(log.session_date, log.speed_kmh, log.minutes, log.incline_pct)

    trends = outcome_trends(patient=prescription.patient, until=end)
    changes = _outcome_changes(trends, prescription.screening.screened_on)
    return Summary(
        prescription=prescription,
        start=prescription.start_date,
        end=end,
        ended=prescription.ended_on is not None,
        weeks=series,
        planned_sessions=sum(week.planned_sessions for week in series),
        done_sessions=len(walked),
        first_dose=dose(walked[0]) if walked else None,
        last_dose=dose(walked[-1]) if walked else None,
        pain=pain,
        falls=[log.session_date for log in logs if log.event == SessionEvent.FALL],
        near_falls=[log.session_date for log in logs if log.event == SessionEvent.NEAR_FALL],
        early_stops=sum(1 for log in logs if log.stopped_early),
        outcome_changes=changes,
        gmfcs_events=[e for e in trends.gmfcs_events if prescription.screening.screened_on < e.on <= end],
        sources=outcomes.sources_of(change.change for change in changes),
    )
