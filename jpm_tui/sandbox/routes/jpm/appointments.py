"""Appointments: the list, one appointment, adding and deleting, confirmation, hold, rescheduling, special
instructions, technicians' summaries, the export feed; and what an appointment change does to its job
(a job derives its appointment count, first and last appointment and its status from its appointments)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import Field, int_param, json_response, read_body

from .._common import (
    CREATED_MODIFIED,
    Filter,
    Predicate,
    Record,
    Shape,
    coll,
    current_user_id,
    export_route,
    f_bool,
    f_dt,
    f_enum,
    f_ids,
    f_int,
    f_same_text,
    insert,
    list_route,
    no_content,
    not_found,
    now_iso,
    path_id,
    require,
    touch,
)
from .body_fields import DATE, DATE_OPT, IDS, REASON_MEMO, REQ_INT, REQ_STR, STR
from .checks import bad, check_window, referenced, status_conflict, stored_date
from .history import append_history
from .lists import BASIC_SORT, is_active
from .reasons import active_reason

APPOINTMENT_STATUSES = ("Scheduled", "Dispatched", "Working", "Hold", "Done", "Canceled")
CLOSED_APPOINTMENT = ("Done", "Canceled")

APPOINTMENT = Shape(
    "id", "jobId", "appointmentNumber", "start", "end", "arrivalWindowStart", "arrivalWindowEnd", "status",
    "specialInstructions", "createdOn", "modifiedOn", "customerId", "unused", "createdById", "isConfirmed",
)
# Loose (2026, not in the May 2025 document).
APPOINTMENT_SUMMARY = Shape("id", "appointmentId", "technicianId", "notes", "createdOn")

WINDOW = {"arrivalWindowStart": DATE_OPT, "arrivalWindowEnd": DATE_OPT}
APPOINTMENT_INFO = {
    "start": Field("date-time", required=True), "end": Field("date-time", required=True), **WINDOW, "technicianIds": IDS,
}
APPOINTMENT_ADD = {"jobId": REQ_INT, **APPOINTMENT_INFO, "specialInstructions": STR}
RESCHEDULE = {"start": DATE, "end": DATE, **WINDOW}
SPECIAL_INSTRUCTIONS = {"specialInstructions": REQ_STR}
SUMMARY_BODY = {"notes": REQ_STR, "technicianId": REQ_INT}  # loose: 2026 preview


# ---------------------------------------------------------------------------------- the job's side


def job_appointments(request: Request, job_id: int, *, active: bool = True) -> list[Record]:
    return [a for a in coll(request, "appointments").where("jobId", job_id) if not active or a.get("active", True)]


def active_assignments(request: Request, appointment_ids: Iterable[int]) -> list[Record]:
    return [a for a in coll(request, "appointment_assignments").where("appointmentId", *appointment_ids)
            if a.get("active", True)]


def refresh_job(request: Request, job: Record) -> None:
    """Recompute what a job derives from its appointments (count, first/last, status); touch it when
    anything changed. Canceled and Completed jobs keep their status."""
    appointments = sorted(job_appointments(request, job["id"]), key=lambda a: (a.get("start") or "", a["id"]))
    derived = {
        "appointmentCount": len(appointments),
        "firstAppointmentId": appointments[0]["id"] if appointments else 0,
        "lastAppointmentId": appointments[-1]["id"] if appointments else 0,
    }
    open_statuses = [a["status"] for a in appointments if a.get("status") not in CLOSED_APPOINTMENT]
    if job.get("jobStatus") not in ("Canceled", "Completed") and open_statuses:
        derived["jobStatus"] = (
            "Hold" if all(s == "Hold" for s in open_statuses)
            else "InProgress" if "Working" in open_statuses
            else "Dispatched" if "Dispatched" in open_statuses
            else "Scheduled"
        )
    if any(job.get(k) != v for k, v in derived.items()):
        job.update(derived)
        touch(request, "jobs", job)


def add_to_job(request: Request, job: Record, info: Record, instructions: str | None) -> Record:
    """Create one appointment (and its technician assignments) on a job, then refresh the job."""
    number = len(job_appointments(request, job["id"], active=False)) + 1
    appointment = insert(request, "appointments", {
        "jobId": job["id"], "appointmentNumber": f"{job['jobNumber']}-{number}",
        "start": stored_date(info["start"]), "end": stored_date(info["end"]),
        "arrivalWindowStart": stored_date(info.get("arrivalWindowStart")),
        "arrivalWindowEnd": stored_date(info.get("arrivalWindowEnd")), "status": "Scheduled",
        "specialInstructions": instructions, "customerId": job["customerId"], "unused": False,
        "createdById": current_user_id(request), "isConfirmed": False, "active": True,
    })
    for tech_id in info.get("technicianIds") or []:
        tech = referenced(request, "technicians", tech_id, "technicianIds", "Technician")
        insert(request, "appointment_assignments", {
            "technicianId": tech_id, "technicianName": tech.get("name"), "assignedById": current_user_id(request),
            "assignedOn": now_iso(request), "status": "Scheduled", "isPaused": False, "jobId": job["id"],
            "appointmentId": appointment["id"], "active": True,
        })
    refresh_job(request, job)
    return appointment


def put_on_hold(request: Request, appointment: Record, body: Record) -> None:
    appointment["_hold"] = {"reasonId": body["reasonId"], "memo": body["memo"], "previous": appointment["status"]}
    appointment["status"] = "Hold"
    touch(request, "appointments", appointment)


def _after_appointment_change(request: Request, appointment: Record, event: str, memo: str = "") -> None:
    job = coll(request, "jobs").get(appointment["jobId"])
    if job is not None:
        refresh_job(request, job)
        append_history(request, job["id"], event, memo)


# ------------------------------------------------------------------------------------------ filters


def f_technician_on_jobs(job_ids_of: Callable[[Record], Iterable[int]]) -> Filter:
    """`technicianId`: the technician is assigned to an appointment of the record's job(s)."""

    def build(request: Request) -> Predicate | None:
        tech = int_param(request, "technicianId")
        if tech is None:
            return None
        jobs = {a.get("jobId") for a in coll(request, "appointment_assignments").values()
                if is_active(a) and a.get("technicianId") == tech}
        return lambda r: any(j in jobs for j in job_ids_of(r))

    return build


def _technicians_by_appointment(request: Request) -> dict[int, set[int]]:
    grouped: dict[int, set[int]] = defaultdict(set)
    for a in coll(request, "appointment_assignments").values():
        if is_active(a):
            grouped[a.get("appointmentId")].add(a.get("technicianId"))
    return grouped


def _appointment_project(request: Request) -> Predicate | None:
    project = int_param(request, "projectId")
    if project is None:
        return None
    jobs = {j["id"] for j in coll(request, "jobs").values() if j.get("projectId") == project}
    return lambda a: a.get("jobId") in jobs


def _appointment_technician(request: Request) -> Predicate | None:
    tech = int_param(request, "technicianId")
    if tech is None:
        return None
    by_appointment = _technicians_by_appointment(request)
    return lambda a: tech in by_appointment.get(a["id"], set())


APPOINTMENT_FILTERS: list[Filter] = [
    f_ids(), f_int("jobId"), _appointment_project, f_same_text("number", "appointmentNumber"),
    f_enum("status", APPOINTMENT_STATUSES), f_dt("startsOnOrAfter", "start", ">="), f_dt("startsBefore", "start", "<"),
    _appointment_technician, f_int("customerId"),
    f_bool("unused"),
    *CREATED_MODIFIED,
]


# ----------------------------------------------------------------------------------------- handlers


def _appointment(request: Request) -> Record:
    """An appointment that still exists: deleted ones stay in the export feed (active false) only."""
    record = require(request, "appointments", path_id(request), "Appointment")
    if record.get("active") is False:
        raise not_found(f"Appointment with ID {record['id']} not found",
                        {"id": [f"Appointment with ID {record['id']} not found."]})
    return record


async def get_appointment(request: Request) -> Response:
    return json_response(APPOINTMENT(_appointment(request)))


async def add_appointment(request: Request) -> Response:
    body = await read_body(request, APPOINTMENT_ADD)
    check_window(body["start"], body["end"], "start", "end")
    check_window(body.get("arrivalWindowStart"), body.get("arrivalWindowEnd"), "arrivalWindowStart", "arrivalWindowEnd")
    job = referenced(request, "jobs", body["jobId"], "jobId", "Job")
    if job.get("jobStatus") in ("Canceled", "Completed"):
        raise status_conflict(f"Job {job['id']} is {job['jobStatus'].lower()}; appointments cannot be added.")
    appointment = add_to_job(request, job, body, body.get("specialInstructions"))
    append_history(request, job["id"], "Appointment Added")
    return json_response(APPOINTMENT(appointment))


async def delete_appointment(request: Request) -> Response:
    appointment = _appointment(request)
    if appointment["status"] in ("Working", "Done"):
        raise status_conflict(f"Appointment {appointment['id']} is {appointment['status']} and cannot be deleted.")
    job = coll(request, "jobs").get(appointment["jobId"])
    if job is not None and len(job_appointments(request, job["id"])) <= 1:
        raise bad("id", f"Appointment {appointment['id']} is the only appointment of job {job['id']} and cannot be deleted.")
    appointment["active"] = False
    touch(request, "appointments", appointment)
    for assignment in active_assignments(request, [appointment["id"]]):
        assignment["active"] = False
        touch(request, "appointment_assignments", assignment)
    if job is not None:
        refresh_job(request, job)
        append_history(request, job["id"], "Appointment Deleted")
    return no_content()


def confirmation_route(method: str, confirmed: bool) -> Route:
    """PUT (confirm) / DELETE (unconfirm) appointments/{id}/confirmation."""

    async def handler(request: Request) -> Response:
        appointment = _appointment(request)
        if appointment["status"] == "Canceled":
            raise status_conflict(f"Appointment {appointment['id']} is canceled.")
        if appointment.get("isConfirmed") != confirmed:
            appointment["isConfirmed"] = confirmed
            touch(request, "appointments", appointment)
        return no_content()

    return Route("/appointments/{id:int}/confirmation", handler, methods=[method])


async def hold_appointment(request: Request) -> Response:
    body = await read_body(request, REASON_MEMO)
    appointment = _appointment(request)
    if appointment["status"] in (*CLOSED_APPOINTMENT, "Hold"):
        raise status_conflict(f"Appointment {appointment['id']} is {appointment['status']} and cannot be put on hold.")
    active_reason(request, "job_hold_reasons", body["reasonId"], "Job hold reason")
    put_on_hold(request, appointment, body)
    _after_appointment_change(request, appointment, "Appointment Put On Hold", body["memo"])
    return no_content()


async def remove_appointment_hold(request: Request) -> Response:
    appointment = _appointment(request)
    if appointment["status"] != "Hold":
        raise status_conflict(f"Appointment {appointment['id']} is not on hold.")
    hold = appointment.pop("_hold", None) or {}
    appointment["status"] = hold.get("previous") or "Scheduled"
    touch(request, "appointments", appointment)
    _after_appointment_change(request, appointment, "Appointment Hold Removed")
    return no_content()


async def reschedule_appointment(request: Request) -> Response:
    body = await read_body(request, RESCHEDULE)
    appointment = _appointment(request)
    if appointment["status"] in CLOSED_APPOINTMENT:
        raise status_conflict(f"Appointment {appointment['id']} is {appointment['status']} and cannot be rescheduled.")
    merged = {k: stored_date(body[k]) if k in body else appointment.get(k) for k in RESCHEDULE}
    check_window(merged["start"], merged["end"], "start", "end")
    check_window(merged["arrivalWindowStart"], merged["arrivalWindowEnd"], "arrivalWindowStart", "arrivalWindowEnd")
    appointment.update(merged)
    touch(request, "appointments", appointment)
    _after_appointment_change(request, appointment, "Appointment Rescheduled")
    return json_response(APPOINTMENT(appointment))


async def special_instructions(request: Request) -> Response:
    body = await read_body(request, SPECIAL_INSTRUCTIONS)
    appointment = _appointment(request)
    appointment["specialInstructions"] = body["specialInstructions"]
    touch(request, "appointments", appointment)
    return json_response(APPOINTMENT(appointment))


async def add_summary(request: Request) -> Response:
    """Loose model of the 2026 preview: one technician's work-performed notes on an appointment."""
    body = await read_body(request, SUMMARY_BODY)
    appointment = _appointment(request)
    referenced(request, "technicians", body["technicianId"], "technicianId", "Technician")
    summary = insert(request, "appointment_summaries", {
        "appointmentId": appointment["id"], "technicianId": body["technicianId"], "notes": body["notes"],
        "createdById": current_user_id(request),
    })
    touch(request, "appointments", appointment)
    return json_response(APPOINTMENT_SUMMARY(summary))


def _existing_only(request: Request) -> Predicate:
    return is_active


def routes() -> list[Route]:
    return [
        export_route("/export/appointments", "appointments", APPOINTMENT.plus("active")),
        list_route("/appointments", "appointments", APPOINTMENT, APPOINTMENT_FILTERS, sort=BASIC_SORT,
                   scope=_existing_only),
        Route("/appointments", add_appointment, methods=["POST"]),
        Route("/appointments/{id:int}", get_appointment, methods=["GET"]),
        Route("/appointments/{id:int}", delete_appointment, methods=["DELETE"]),
        confirmation_route("PUT", True),
        confirmation_route("DELETE", False),
        Route("/appointments/{id:int}/hold", hold_appointment, methods=["PUT"]),
        Route("/appointments/{id:int}/hold", remove_appointment_hold, methods=["DELETE"]),
        Route("/appointments/{id:int}/reschedule", reschedule_appointment, methods=["PATCH"]),
        Route("/appointments/{id:int}/special-instructions", special_instructions, methods=["PUT"]),
        Route("/appointments/{id:int}/summaries", add_summary, methods=["POST"]),
    ]
