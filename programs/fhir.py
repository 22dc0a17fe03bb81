"""The record as FHIR R4 resources: one patient's Bundle, and the same resources for the bulk export.

``Record`` holds one patient's rows, loaded once; ``resources`` turns them into plain FHIR JSON (dicts):

- Patient; Condition (SNOMED CT where CLINICAL.md section 8 lists a verified code, text otherwise);
- per program a CarePlan and a ServiceRequest for exercise therapy (SNOMED CT 229065009) with the dose
  of the week in force as a structured Timing and every week's dose as patient instructions;
- an Observation per instrument result (LOINC only where section 8 lists a verified code: the TUG,
  89423-8; otherwise this product's own code system with the instrument's name), the comfortable gait
  speed (m/s) among them, and the GMFCS level;
- per session, Observations for pain before and after (LOINC 72514-3), effort (own code: Borg 6–20 is
  not LOINC 82289-0, which is the 0–10 scale), and a fall or near fall;
- Practitioners for authorship (who screened, prescribed and logged).

Ids are stable UUIDs (the rows' own public ids, else derived from them), so exporting twice gives the
same resources. ``reference`` says how one resource names another: ``urn:uuid:`` inside a Bundle,
``Type/id`` in the bulk export's NDJSON files.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from patients import outcomes

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# Verified codes only (CLINICAL.md section 8).
LOINC_TUG = ("89423-8", "Timed up and go test time [Time]")
LOINC_PAIN = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
SNOMED_EXERCISE_THERAPY = ("229065009", "Exercise therapy")
SNOMED_CONDITIONS = {
    "stroke": ("230690007", "Cerebrovascular accident"),
    "cerebral_palsy": ("128188000", "Cerebral palsy"),
}

# Each instrument's unit (UCUM); scores are dimensionless annotations.
_UCUM = {"s": ("s", "s"), "m/s": ("m/s", "m/s"), "%": ("%", "%"), "": ("{score}", "score")}
_STATUS = {"draft": "draft", "active": "active", "paused": "on-hold", "completed": "completed", "stopped": "revoked"}
_GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}
_NAMESPACE = uuid.UUID("6f1d2b1e-8c4a-4b0e-9d55-2f7a3c1e9b40")  # this product's, for ids derived from others


def system() -> str:
    """This product's own identifier and code systems (RETROWALK_FHIR_SYSTEM, a clinic may set its own)."""
    return settings.FHIR_SYSTEM


def own(code: str, display: str) -> dict:
    return {"system": f"{system()}/CodeSystem/retrowalk", "code": code, "display": display}


def derived_id(*parts) -> str:
    return str(uuid.uuid5(_NAMESPACE, ":".join(str(p) for p in parts)))


def bundle_reference(kind: str, id_: str) -> str:
    return f"urn:uuid:{id_}"


def relative_reference(kind: str, id_: str) -> str:
    return f"{kind}/{id_}"


@dataclass
class Record:
    """One patient's rows, loaded once (``load_records``)."""

    patient: object
    screenings: list = field(default_factory=list)
    programs: list = field(default_factory=list)  # each with .week_list and .log_list


def _user_id(user_id: int) -> str:
    return derived_id("user", user_id)


def _instant(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _day(value: date) -> str:
    return value.isoformat()


def practitioner(user) -> dict:
    name = {"text": user.get_full_name() or user.username}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    return {"resourceType": "Practitioner", "id": _user_id(user.pk), "name": [name]}


def resources(record: Record, reference: Callable[[str, str], str] = bundle_reference) -> Iterator[dict]:
    """Every resource of one patient's record (Practitioners apart: see ``practitioner``)."""
    patient = record.patient
    patient_id = str(patient.public_id)
    subject = {"reference": reference("Patient", patient_id)}
    patient_user_id = patient.user_id

    def author(user_id: int | None) -> dict:
        if user_id is not None and user_id == patient_user_id:
            return subject
        return {"reference": reference("Practitioner", _user_id(user_id))}

    yield {
        "resourceType": "Patient",
        "id": patient_id,
        "identifier": [{"system": f"{system()}/record-number", "value": patient.record_number}],
        "name": [{"family": patient.last_name, "given": [patient.first_name]}],
        "gender": _GENDER.get(patient.sex, "unknown"),
        "birthDate": _day(patient.date_of_birth),
    }
    condition_id = derived_id("condition", patient_id)
    code = {"text": patient.condition.name}
    if patient.condition.code in SNOMED_CONDITIONS:
        snomed, display = SNOMED_CONDITIONS[patient.condition.code]
        code["coding"] = [{"system": SNOMED, "code": snomed, "display": display}]
    yield {
        "resourceType": "Condition",
        "id": condition_id,
        "clinicalStatus": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]
        },
        "code": code,
        "subject": subject,
    }
    for screening in record.screenings:
        yield from _screening_observations(screening, subject, author)
    for program in record.programs:
        yield from _program_resources(program, subject, author, reference, condition_id)


def _instrument_code(key: str) -> dict:
    instrument = outcomes.INSTRUMENTS[key]
    coding = []
    if key == "tug":
        coding.append({"system": LOINC, "code": LOINC_TUG[0], "display": LOINC_TUG[1]})
    coding.append(own(key, str(instrument.name)))
    return {"coding": coding, "text": str(instrument.name)}


def _quantity(value: Decimal, unit: str) -> dict:
    code, shown = _UCUM[unit]
    return {"valueQuantity": {"value": float(value), "unit": shown, "system": UCUM, "code": code}}


def _observation(id_, code, subject, when, performer, *, value, category="exam", extra=None) -> dict:
    resource = {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": category}]}],
        "code": code,
        "subject": subject,
        "effectiveDateTime": when,
        **value,
    }
    if performer:
        resource["performer"] = [performer]
    if extra:
        resource.update(extra)
    return resource


def _screening_observations(screening, subject, author) -> Iterator[dict]:
    when = _day(screening.screened_on)
    performer = author(screening.screened_by_id)
    for key, name in outcomes.SCREENING_FIELDS.items():
        value = getattr(screening, name)
        if value is None:
            continue
        instrument = outcomes.INSTRUMENTS[key]
        yield _observation(
            derived_id(screening.public_id, key),
            _instrument_code(key),
            subject,
            when,
            performer,
            value=_quantity(Decimal(value), instrument.unit),
        )
    if screening.gmfcs is not None:
        yield _observation(
            derived_id(screening.public_id, "gmfcs"),
            {"coding": [own("gmfcs", "GMFCS level")], "text": "GMFCS level"},
            subject,
            when,
            performer,
            value={"valueInteger": screening.gmfcs},
        )


def _program_resources(program, subject, author, reference, condition_id) -> Iterator[dict]:
    rx_id = str(program.public_id)
    request_id = derived_id("service-request", rx_id)
    weeks = sorted(program.week_list, key=lambda w: w.week)
    status = _STATUS[program.status]
    period = {"start": _day(program.start_date)}
    if program.ended_on:
        period["end"] = _day(program.ended_on)
    in_force = next((w for w in weeks if w.week == program.current_week), weeks[0] if weeks else None)
    request = {
        "resourceType": "ServiceRequest",
        "id": request_id,
        "status": status,
        "intent": "order",
        "code": {
            "coding": [{"system": SNOMED, "code": SNOMED_EXERCISE_THERAPY[0], "display": SNOMED_EXERCISE_THERAPY[1]}],
            "text": "Backward (reverse) treadmill walking",
        },
        "subject": subject,
        "authoredOn": _instant(program.created_at),
        "requester": author(program.prescriber_id),
        "reasonReference": [{"reference": reference("Condition", condition_id)}],
        "patientInstruction": " ".join(_week_instruction(week) for week in weeks),
    }
    if in_force is not None:
        request["occurrenceTiming"] = {
            "repeat": {
                "boundsPeriod": period,
                "frequency": in_force.sessions,
                "period": 1,
                "periodUnit": "wk",
                "duration": in_force.session_minutes,
                "durationUnit": "min",
            }
        }
    yield request
    careplan = {
        "resourceType": "CarePlan",
        "id": rx_id,
        "status": status,
        "intent": "plan",
        "title": str(program.template.name),
        "subject": subject,
        "period": period,
        "created": _instant(program.created_at),
        "author": author(program.prescriber_id),
        "addresses": [{"reference": reference("Condition", condition_id)}],
        "activity": [{"reference": {"reference": reference("ServiceRequest", request_id)}}],
    }
    if program.closing_note:
        careplan["note"] = [{"text": program.closing_note}]
    yield careplan
    for log in program.log_list:
        yield from _session_observations(log, subject, author, reference(("CarePlan"), rx_id))


def _week_instruction(week) -> str:
    return (
        f"Week {week.week}: walk BACKWARD at {week.speed_kmh} km/h, incline {week.incline_pct} %, "
        f"{week.bouts} × {week.bout_minutes} min with {week.rest_minutes} min rest, "
        f"{week.sessions} sessions a week; support: {week.get_support_display()}."
    )


def _session_observations(log, subject, author, careplan) -> Iterator[dict]:
    when = _day(log.session_date)
    performer = author(log.entered_by_id)
    based_on = {"basedOn": [{"reference": careplan}]}
    pain = {"coding": [{"system": LOINC, "code": LOINC_PAIN[0], "display": LOINC_PAIN[1]}]}
    for moment, value in (("before", log.pain_before), ("after", log.pain_after)):
        yield _observation(
            derived_id(log.public_id, f"pain-{moment}"),
            {**pain, "text": f"Pain {moment} the session (0-10)"},
            subject,
            when,
            performer,
            value={"valueInteger": value},
            category="survey",
            extra={**based_on, "method": {"coding": [own(f"pain-{moment}-session", f"Pain {moment} the session")]}},
        )
    yield _observation(
        derived_id(log.public_id, "effort"),
        {"coding": [own("borg-rpe-6-20", "Borg rating of perceived exertion (6-20)")], "text": "Effort (Borg 6-20)"},
        subject,
        when,
        performer,
        value={"valueInteger": log.effort},
        category="survey",
        extra=based_on,
    )
    if log.event != "none":
        label = "Fall" if log.event == "fall" else "Near fall"
        yield _observation(
            derived_id(log.public_id, "event"),
            {"coding": [own("session-event", "Fall or near fall during the session")], "text": "Fall or near fall"},
            subject,
            when,
            performer,
            value={"valueCodeableConcept": {"coding": [own(log.event.replace("_", "-"), label)], "text": label}},
            extra=based_on,
        )


def bundle(record: Record, practitioners: list, *, at: datetime | None = None) -> dict:
    """One patient's record as a Bundle (type collection) with its authors."""
    entries = [*resources(record), *(practitioner(user) for user in practitioners)]
    return {
        "resourceType": "Bundle",
        "id": derived_id("bundle", record.patient.public_id, (at or timezone.now()).isoformat()),
        "type": "collection",
        "timestamp": _instant(at or timezone.now()),
        "entry": [{"fullUrl": f"urn:uuid:{entry['id']}", "resource": entry} for entry in entries],
    }
