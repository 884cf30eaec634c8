"""Jobs: the list and its filters, booking (a job with its appointments), editing, cancel and its removal,
hold, completion, one job, the export feed.

Cancelling a job cancels its open appointments and writes a canceled-log row and a history entry; a refused
cancel or hold is a 400 (the document lists no 409 for them), a refused completion a 409.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import (
    Field,
    bool_param,
    datetime_param,
    enum_param,
    json_response,
    read_body,
    unknown_id_is_400,
)
from jpm_tui.sandbox.state import parse_iso

from .._common import (
    CREATED_MODIFIED,
    Filter,
    Predicate,
    Record,
    Shape,
    coll,
    current_user_id,
    export_route,
    f_any_of,
    f_dt,
    f_enum,
    f_ids,
    f_int,
    f_same_text,
    get_route,
    insert,
    list_route,
    no_content,
    sandbox,
    touch,
)
from .appointments import (
    APPOINTMENT_INFO,
    APPOINTMENT_STATUSES,
    CLOSED_APPOINTMENT,
    active_assignments,
    add_to_job,
    f_technician_on_jobs,
    job_appointments,
    put_on_hold,
)
from .body_fields import BOOL, IDS, IDS_STRICT, INT, INT_OPT, REASON_MEMO, REQ_INT, REQ_STR, STR
from .checks import (
    PRIORITIES,
    bad,
    check_window,
    path_job,
    priority,
    referenced,
    referenced_ids,
    status_conflict,
    stored_date,
)
from .custom_fields import CUSTOM_FIELD, CUSTOM_FIELDS, merged_custom_fields
from .external_data import EXTERNAL_CREATE, EXTERNAL_UPDATE, external_entries, external_lookup, with_external_data
from .history import append_history
from .lists import BASIC_SORT_KEYS, documented_sort, is_active
from .reasons import active_reason

JOB_STATUSES = ("Scheduled", "Dispatched", "InProgress", "Hold", "Completed", "Canceled")

LEAD_SOURCE = Shape("jobId", "employeeId")
JOB = Shape(
    "id", "jobNumber", "projectId", "customerId", "locationId", "jobStatus", "completedOn", "businessUnitId",
    "jobTypeId", "priority", "campaignId", "summary", "customFields", "appointmentCount", "firstAppointmentId",
    "lastAppointmentId", "recallForId", "warrantyId", "jobGeneratedLeadSource", "noCharge",
    "notificationsEnabled", "createdOn", "createdById", "modifiedOn", "tagTypeIds", "leadCallId", "bookingId",
    "soldById", "externalData", "customerPo", "invoiceId", "membershipId", "total",
    customFields=CUSTOM_FIELD, jobGeneratedLeadSource=LEAD_SOURCE,
)
JOB_OUT = with_external_data(JOB)
EXPORT_JOB_OUT = with_external_data(JOB.plus("active"))

LEAD_SOURCE_BODY = Field("object", schema={"jobId": INT_OPT, "employeeId": INT_OPT})
JOB_CREATE = {
    "customerId": REQ_INT, "locationId": REQ_INT, "projectId": INT_OPT, "businessUnitId": REQ_INT,
    "jobGeneratedLeadSource": LEAD_SOURCE_BODY, "jobTypeId": REQ_INT, "priority": REQ_STR, "campaignId": REQ_INT,
    "appointments": Field("array", required=True, items=Field("object", nullable=False, schema=APPOINTMENT_INFO)),
    "summary": STR, "customFields": CUSTOM_FIELDS, "tagTypeIds": IDS, "externalData": EXTERNAL_CREATE,
    "invoiceSignatureIsRequired": Field("boolean"), "customerPo": STR, "soldById": INT_OPT,
}
# .NET binds JSON null to a string property (clearing it) but refuses it for a non-nullable number.
JOB_UPDATE = {
    "customerId": INT, "locationId": INT, "businessUnitId": INT, "jobGeneratedLeadSource": LEAD_SOURCE_BODY,
    "jobTypeId": INT, "priority": STR, "campaignId": INT, "summary": STR, "shouldUpdateInvoiceItems": BOOL,
    "customFields": CUSTOM_FIELDS, "tagTypeIds": IDS_STRICT, "externalData": EXTERNAL_UPDATE, "customerPo": STR,
    "soldById": INT_OPT,
}
COMPLETE = {"completedOn": Field("date-time", required=True)}

JOB_SORT = documented_sort({
    **BASIC_SORT_KEYS, "Priority": lambda r: PRIORITIES.index(r["priority"]) if r.get("priority") in PRIORITIES else -1,
})


# ------------------------------------------------------------------------------------------ filters


def _appointments_by_job(request: Request) -> dict[int, list[Record]]:
    # reads every appointment: in a world at scale, a list with one of these filters makes them all (slow, kept so)
    grouped: dict[int, list[Record]] = defaultdict(list)
    for a in coll(request, "appointments").values():
        if is_active(a):
            grouped[a["jobId"]].append(a)
    return grouped


def _job_has_appointment(param: str, read: Callable[[Request, str], Any],
                         test: Callable[[Record, Any, Request], bool]) -> Filter:
    """Jobs filters of the form "return a job if any of its appointments ..."."""

    def build(request: Request) -> Predicate | None:
        value = read(request, param)
        if value is None:
            return None
        by_job = _appointments_by_job(request)
        return lambda job: any(test(a, value, request) for a in by_job.get(job["id"], []))

    return build


def _starts(op: str) -> Callable[[Record, datetime, Request], bool]:
    if op == ">=":
        return lambda a, bound, _: parse_iso(a["start"]) >= bound
    return lambda a, bound, _: parse_iso(a["start"]) < bound


def _first_appointment(op: str) -> Filter:
    name = "firstAppointmentStartsOnOrAfter" if op == ">=" else "firstAppointmentStartsBefore"
    test = _starts(op)

    def build(request: Request) -> Predicate | None:
        bound = datetime_param(request, name)
        if bound is None:
            return None
        appointments = coll(request, "appointments")

        def pred(job: Record) -> bool:
            first = appointments.get(job.get("firstAppointmentId") or 0)
            return first is not None and test(first, bound, request)

        return pred

    return build


def _enum(values: tuple[str, ...]) -> Callable[[Request, str], Any]:
    return lambda request, param: enum_param(request, param, values)


JOB_FILTERS: list[Filter] = [
    f_ids(), f_same_text("number", "jobNumber"), f_int("projectId"), f_int("bookingId"),
    f_enum("jobStatus", JOB_STATUSES), f_same_text("priority", "priority"),
    _job_has_appointment("appointmentStatus", _enum(APPOINTMENT_STATUSES),
                         lambda a, status, _: a.get("status") == status),
    _first_appointment(">="), _first_appointment("<"),
    _job_has_appointment("appointmentStartsOnOrAfter", datetime_param, _starts(">=")),
    _job_has_appointment("appointmentStartsBefore", datetime_param, _starts("<")),
    _job_has_appointment("hasUnusedAppointments", bool_param, lambda a, want, _: not want or bool(a.get("unused"))),
    f_technician_on_jobs(lambda job: [job["id"]]),
    f_int("customerId"), f_int("locationId"), f_int("soldById"), f_int("jobTypeId"), f_int("campaignId"),
    f_int("businessUnitId"), f_int("invoiceId"), *CREATED_MODIFIED,
    f_dt("completedOnOrAfter", "completedOn", ">="), f_dt("completedBefore", "completedOn", "<"),
    f_any_of("tagTypeIds", "tagTypeIds"), external_lookup,
]


# ----------------------------------------------------------------------------------------- handlers


def _booked_tags(request: Request, job_type: Record, ids: Iterable[int] | None) -> list[int]:
    """The tags asked for, then the job type's own (JobType.tagTypeIds: "Tags here will automatically be
    applied to jobs booked")."""
    tags = referenced_ids(request, "tag_types", ids, "tagTypeIds", "Tag type")
    return tags + [t for t in job_type.get("tagTypeIds") or [] if t not in tags]


async def create_job(request: Request) -> Response:
    body = await read_body(request, JOB_CREATE)
    if not body["appointments"]:
        raise bad("appointments", "A job needs at least one appointment.")
    for i, appt in enumerate(body["appointments"]):
        check_window(appt["start"], appt["end"], f"appointments[{i}].start", f"appointments[{i}].end")
        check_window(appt.get("arrivalWindowStart"), appt.get("arrivalWindowEnd"),
                     f"appointments[{i}].arrivalWindowStart", f"appointments[{i}].arrivalWindowEnd")
    location = referenced(request, "locations", body["locationId"], "locationId", "Location")
    referenced(request, "customers", body["customerId"], "customerId", "Customer")
    if location.get("customerId") not in (None, body["customerId"]):
        raise bad("locationId", f"Location {location['id']} does not belong to customer {body['customerId']}.")
    referenced(request, "business_units", body["businessUnitId"], "businessUnitId", "Business unit")
    job_type = referenced(request, "job_types", body["jobTypeId"], "jobTypeId", "Job type")
    project = referenced(request, "projects", body.get("projectId"), "projectId", "Project")
    referenced(request, "technicians", body.get("soldById"), "soldById", "Technician")
    state = sandbox(request)
    job_id = state.next_id()
    job = {
        "id": job_id, "jobNumber": str(job_id), "projectId": body.get("projectId"),
        "customerId": body["customerId"], "locationId": body["locationId"], "jobStatus": "Scheduled",
        "completedOn": None, "businessUnitId": body["businessUnitId"], "jobTypeId": body["jobTypeId"],
        "priority": priority(body["priority"]), "campaignId": body["campaignId"], "summary": body.get("summary"),
        "customFields": merged_custom_fields(request, "job_custom_field_types", body.get("customFields"), []),
        "appointmentCount": 0, "firstAppointmentId": 0, "lastAppointmentId": 0, "recallForId": None,
        "warrantyId": None, "jobGeneratedLeadSource": body.get("jobGeneratedLeadSource"),
        "noCharge": bool(job_type.get("noCharge")), "notificationsEnabled": True,
        "createdById": current_user_id(request),
        "tagTypeIds": _booked_tags(request, job_type, body.get("tagTypeIds")),
        "leadCallId": None, "bookingId": None, "soldById": body.get("soldById"),
        "externalData": external_entries(request, body.get("externalData"), [], update=False),
        "customerPo": body.get("customerPo") or "", "invoiceId": state.next_id(), "membershipId": None,
        "total": 0.0, "active": True,
    }
    insert(request, "jobs", job)
    for info in body["appointments"]:
        add_to_job(request, job, info, None)
    first = state["appointments"].get(job["firstAppointmentId"])
    insert(request, "job_booked_logs", {
        "jobId": job_id, "jobAppointmentId": first["id"], "start": first["start"],
        "arrivalWindowStart": first["arrivalWindowStart"], "arrivalWindowEnd": first["arrivalWindowEnd"],
        "createdById": current_user_id(request), "active": True,
    })
    if project is not None:
        project["jobIds"] = [*(project.get("jobIds") or []), job_id]
        touch(request, "projects", project)
    append_history(request, job_id, "Job Booked")
    return json_response(JOB_OUT(request)(job))


async def update_job(request: Request) -> Response:
    body = await read_body(request, JOB_UPDATE)
    job = path_job(request)
    for field, collection, what in (
        ("customerId", "customers", "Customer"), ("locationId", "locations", "Location"),
        ("businessUnitId", "business_units", "Business unit"), ("jobTypeId", "job_types", "Job type"),
        ("soldById", "technicians", "Technician"),
    ):
        if field in body:
            referenced(request, collection, body[field], field, what)
    changes = {k: v for k, v in body.items()
               if k not in ("customFields", "externalData", "shouldUpdateInvoiceItems", "priority", "tagTypeIds")}
    if "priority" in body:
        changes["priority"] = priority(body["priority"]) or job.get("priority")
    if "tagTypeIds" in body:
        changes["tagTypeIds"] = referenced_ids(request, "tag_types", body["tagTypeIds"], "tagTypeIds", "Tag type")
    if "customerPo" in body and body["customerPo"] is None:
        changes["customerPo"] = ""  # the response requires a string
    changes["customFields"] = merged_custom_fields(request, "job_custom_field_types", body.get("customFields"),
                                                   job.get("customFields") or [])
    changes["externalData"] = external_entries(request, body.get("externalData"), job.get("externalData") or [],
                                               update=True)
    job.update(changes)
    touch(request, "jobs", job)
    append_history(request, job["id"], "Job Edited")
    return json_response(JOB_OUT(request)(job))


def _refuse_closed_job(job: Record, action: str) -> None:
    status = job.get("jobStatus")
    if status in ("Canceled", "Completed"):
        raise bad("id", f"Job {job['id']} is {status.lower()} and cannot be {action}.",
                  f"A {status.lower()} job cannot be {action}.")


async def cancel_job(request: Request) -> Response:
    body = await read_body(request, REASON_MEMO)
    job = path_job(request)
    _refuse_closed_job(job, "canceled")
    active_reason(request, "job_cancel_reasons", body["reasonId"], "Job cancel reason")
    job["_statusBeforeCancel"] = job["jobStatus"]
    job["jobStatus"] = "Canceled"
    for appointment in job_appointments(request, job["id"]):
        if appointment["status"] not in CLOSED_APPOINTMENT:
            appointment["_statusBeforeCancel"] = appointment["status"]
            appointment["status"] = "Canceled"
            touch(request, "appointments", appointment)
    insert(request, "job_canceled_logs", {
        "jobId": job["id"], "reasonId": body["reasonId"], "memo": body["memo"],
        "createdById": current_user_id(request), "active": True,
    })
    touch(request, "jobs", job)
    append_history(request, job["id"], "Job Canceled", body["memo"])
    return no_content()


@unknown_id_is_400
async def remove_cancellation(request: Request) -> Response:
    job = path_job(request)
    if job.get("jobStatus") != "Canceled":
        raise bad("id", f"Job {job['id']} is not canceled.", f"Job {job['id']} is not canceled.")
    job["jobStatus"] = job.pop("_statusBeforeCancel", None) or "Scheduled"
    for appointment in job_appointments(request, job["id"]):
        if "_statusBeforeCancel" in appointment:
            appointment["status"] = appointment.pop("_statusBeforeCancel")
            touch(request, "appointments", appointment)
    for log in coll(request, "job_canceled_logs").where("jobId", job["id"]):
        if log.get("active", True):
            log["active"] = False
            touch(request, "job_canceled_logs", log)
    touch(request, "jobs", job)
    append_history(request, job["id"], "Job Cancellation Removed")
    return no_content()


async def hold_job(request: Request) -> Response:
    body = await read_body(request, REASON_MEMO)
    job = path_job(request)
    _refuse_closed_job(job, "put on hold")
    if job.get("jobStatus") == "Hold":
        raise bad("id", f"Job {job['id']} is already on hold.")
    active_reason(request, "job_hold_reasons", body["reasonId"], "Job hold reason")
    for appointment in job_appointments(request, job["id"]):
        if appointment["status"] in ("Scheduled", "Dispatched"):
            put_on_hold(request, appointment, body)
    job["jobStatus"] = "Hold"
    job["_hold"] = {"reasonId": body["reasonId"], "memo": body["memo"]}
    touch(request, "jobs", job)
    append_history(request, job["id"], "Job Put On Hold", body["memo"])
    return no_content()


async def complete_job(request: Request) -> Response:
    body = await read_body(request, COMPLETE)
    job = path_job(request)
    if job.get("jobStatus") in ("Completed", "Canceled"):
        raise status_conflict(f"Job {job['id']} is already {job['jobStatus'].lower()}.")
    appointments = job_appointments(request, job["id"])
    assignments = active_assignments(request, (a["id"] for a in appointments))
    if not assignments:
        raise status_conflict(f"Job {job['id']} has no assigned technicians.")
    for appointment in appointments:
        if appointment["status"] != "Canceled":
            appointment["status"] = "Done"
            touch(request, "appointments", appointment)
    for assignment in assignments:
        assignment["status"] = "Done"
        touch(request, "appointment_assignments", assignment)
    job.update(jobStatus="Completed", completedOn=stored_date(body["completedOn"]))
    touch(request, "jobs", job)
    append_history(request, job["id"], "Job Completed")
    return no_content()


def routes() -> list[Route]:
    return [
        export_route("/export/jobs", "jobs", EXPORT_JOB_OUT),
        list_route("/jobs", "jobs", JOB_OUT, JOB_FILTERS, sort=JOB_SORT),
        Route("/jobs", create_job, methods=["POST"]),
        get_route("/jobs/{id:int}", "jobs", JOB_OUT, "Job"),
        Route("/jobs/{id:int}", update_job, methods=["PATCH"]),
        Route("/jobs/{id:int}/cancel", cancel_job, methods=["PUT"]),
        Route("/jobs/{id:int}/remove-cancellation", remove_cancellation, methods=["PUT"]),
        Route("/jobs/{id:int}/hold", hold_job, methods=["PUT"]),
        Route("/jobs/{id:int}/complete", complete_job, methods=["PUT"]),
    ]
