"""Job Planning & Management routes (`/jpm/v2/tenant/{tenant}/...`), shaped after jpm-v2.json.

Every operation of the 2026 list (seed 000) plus the document's `PUT jobs/{id}/hold`, `PUT jobs/{id}/
complete` and the message endpoints. Writes change real state the way ServiceTitan does: cancelling a job
cancels its open appointments, writes a canceled-log row and a history entry, and touches everything it
changed so the export feeds hand the rows out again.

Status codes follow the document operation by operation: a refused state change is a 409 where the
document lists 409 (appointments, job completion) and a 400 where it does not (job cancel, job hold).

The work-breakdown-structure (BudgetCodes) operations and `POST appointments/{id}/summaries` are newer
than the document; their shapes are modelled loosely on the 2026 reference pages.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import (
    Field,
    ProblemError,
    bool_param,
    datetime_param,
    enum_param,
    ids_param,
    int_param,
    json_response,
    paged,
    read_body,
    unknown_id_is_400,
    read_body_list,
)
from jpm_tui.sandbox.state import SandboxState, iso, parse_iso

from ._common import (
    CREATED_MODIFIED,
    Filter,
    Predicate,
    Record,
    Shape,
    apply_filters,
    export_route,
    f_active,
    f_bool,
    f_contains,
    f_dt,
    f_enum,
    f_ids,
    f_int,
    get_route,
    no_content,
)

JOB_STATUSES = ("Scheduled", "Dispatched", "InProgress", "Hold", "Completed", "Canceled")
APPOINTMENT_STATUSES = ("Scheduled", "Dispatched", "Working", "Hold", "Done", "Canceled")
PRIORITIES = ("Low", "Normal", "High", "Urgent")
CLOSED_APPOINTMENT = ("Done", "Canceled")

# ------------------------------------------------------------------------------------ response shapes

CUSTOM_FIELD = Shape("typeId", "name", "value")
LEAD_SOURCE = Shape("jobId", "employeeId")
APPOINTMENT = Shape(
    "id", "jobId", "appointmentNumber", "start", "end", "arrivalWindowStart", "arrivalWindowEnd", "status",
    "specialInstructions", "createdOn", "modifiedOn", "customerId", "unused", "createdById", "isConfirmed",
)
JOB = Shape(
    "id", "jobNumber", "projectId", "customerId", "locationId", "jobStatus", "completedOn", "businessUnitId",
    "jobTypeId", "priority", "campaignId", "summary", "customFields", "appointmentCount", "firstAppointmentId",
    "lastAppointmentId", "recallForId", "warrantyId", "jobGeneratedLeadSource", "noCharge",
    "notificationsEnabled", "createdOn", "createdById", "modifiedOn", "tagTypeIds", "leadCallId", "bookingId",
    "soldById", "externalData", "customerPo", "invoiceId", "membershipId", "total",
    customFields=CUSTOM_FIELD, jobGeneratedLeadSource=LEAD_SOURCE,
)
PROJECT = Shape(
    "id", "number", "name", "summary", "status", "statusId", "subStatus", "subStatusId", "customerId",
    "locationId", "projectTypeId", "projectManagerIds", "businessUnitIds", "startDate", "targetCompletionDate",
    "actualCompletionDate", "modifiedOn", "createdOn", "customFields", "externalData", "jobIds",
    customFields=CUSTOM_FIELD,
)
JOB_TYPE = Shape(
    "id", "name", "businessUnitIds", "skills", "tagTypeIds", "priority", "duration", "soldThreshold", "class",
    "summary", "noCharge", "enforceRecurringServiceEventSelection", "invoiceSignaturesRequired", "modifiedOn",
    "createdOn", "externalData", "active",
)
CANCELED_LOG = Shape("id", "jobId", "reasonId", "memo", "createdOn", "createdById", "active")
BOOKED_LOG = Shape(
    "id", "jobId", "jobAppointmentId", "start", "arrivalWindowStart", "arrivalWindowEnd", "createdOn",
    "createdById", "active",
)
NOTE = Shape("text", "isPinned", "createdById", "createdOn", "modifiedOn")
EXPORT_JOB_NOTE = Shape("id", "active", "text", "isPinned", "createdById", "createdOn", "modifiedOn", "jobId")
EXPORT_PROJECT_NOTE = EXPORT_JOB_NOTE.minus("jobId").plus("projectId")
HISTORY_ITEM = Shape("id", "employeeId", "eventType", "date", "usedSchedulingTool", "memo")
EXPORT_JOB_HISTORY = Shape("jobId", history=HISTORY_ITEM.minus("memo"))
REASON = Shape("id", "name", "active", "createdOn", "modifiedOn")
CANCEL_REASON = Shape("jobId", "reasonId", "name", "text")
CUSTOM_FIELD_TYPE = Shape("id", "name", "dataType", "dataTypeOptions", "createdOn", "modifiedOn")
PROJECT_STATUS = Shape("id", "name", "order", "modifiedOn")
PROJECT_SUBSTATUS = Shape("id", "name", "statusId", "order", "modifiedOn", "active")
PROJECT_TYPE = Shape("id", "name", "description", "createdById")
# Loose (2026, not in the May 2025 document).
SEGMENT = Shape("id", "name", "type", "structure", "isActive", "isRequired")
SEGMENT_ITEM = Shape("id", "parentId", "code", "description", "path", "costCategory", "isActive")
BUDGET_CODE = Shape(
    "id", "code", "description", segments=Shape("segmentId", "segmentItemId", "code", "description", "path")
)
APPOINTMENT_SUMMARY = Shape("id", "appointmentId", "technicianId", "notes", "createdOn")


def with_external_data(shape: Shape) -> Callable[[Request], Callable[[Record], Record]]:
    """External data belongs to an application: entries written with an applicationGuid show only when
    `externalDataApplicationGuid` names it; entries without one (seed data) always show."""

    def for_request(request: Request) -> Callable[[Record], Record]:
        return for_guid((request.query_params.get("externalDataApplicationGuid") or "").lower() or None)

    @functools.lru_cache(maxsize=64)
    def for_guid(guid: str | None) -> Callable[[Record], Record]:
        # one projector per GUID, so that export feeds find the rows they serialised with it (Collection.encoded)
        def project(record: Record) -> Record:
            out = shape(record)
            out["externalData"] = [
                {"key": e["key"], "value": e["value"]}
                for e in record.get("externalData") or []
                if e.get("_app") is None or e.get("_app") == guid
            ]
            return out

        return project

    return for_request


JOB_OUT = with_external_data(JOB)
EXPORT_JOB_OUT = with_external_data(JOB.plus("active"))
PROJECT_OUT = with_external_data(PROJECT)
EXPORT_PROJECT_OUT = with_external_data(PROJECT.plus("active"))
JOB_TYPE_OUT = with_external_data(JOB_TYPE)

# ------------------------------------------------------------------------------------- request bodies

INT, INT_OPT, STR = Field("integer", nullable=False), Field("integer"), Field("string")
REQ_INT, REQ_STR = Field("integer", required=True), Field("string", required=True)
DATE = Field("date-time", nullable=False)
DATE_OPT = Field("date-time")
BOOL = Field("boolean", nullable=False)
IDS = Field("array", items=Field("integer", nullable=False))
IDS_STRICT = Field("array", nullable=False, items=Field("integer", nullable=False))

REASON_MEMO = {"reasonId": REQ_INT, "memo": REQ_STR}
NOTE_BODY = {"text": REQ_STR, "pinToTop": Field("boolean")}
MESSAGE_BODY = {
    "body": REQ_STR, "recipientIds": IDS, "parentMessageId": INT_OPT,
    "addParentMessageSenderToRecipients": Field("boolean"), "createdByEmployeeId": REQ_INT,
}
LEAD_SOURCE_BODY = Field("object", schema={"jobId": INT_OPT, "employeeId": INT_OPT})
EXTERNAL_CREATE = Field("object", schema={
    "applicationGuid": REQ_STR,
    "externalData": Field("array", required=True, items=Field("object", schema={"key": REQ_STR, "value": REQ_STR})),
})
EXTERNAL_UPDATE = Field("object", schema={
    "patchMode": Field("string", enum=["Replace", "Merge"]),
    "applicationGuid": REQ_STR,
    "externalData": Field("array", required=True, items=Field("object", schema={"key": REQ_STR, "value": STR})),
})
CUSTOM_FIELDS = Field("array", items=Field("object", schema={"typeId": REQ_INT, "value": STR}))
CUSTOM_FIELDS_STRICT = Field("array", items=Field("object", schema={"typeId": REQ_INT, "value": REQ_STR}))
WINDOW = {"arrivalWindowStart": DATE_OPT, "arrivalWindowEnd": DATE_OPT}
APPOINTMENT_INFO = {
    "start": Field("date-time", required=True), "end": Field("date-time", required=True), **WINDOW, "technicianIds": IDS,
}
APPOINTMENT_ADD = {"jobId": REQ_INT, **APPOINTMENT_INFO, "specialInstructions": STR}
RESCHEDULE = {"start": DATE, "end": DATE, **WINDOW}
SPECIAL_INSTRUCTIONS = {"specialInstructions": REQ_STR}
SUMMARY_BODY = {"notes": REQ_STR, "technicianId": REQ_INT}  # loose: 2026 preview
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
JOB_TYPE_FIELDS = {
    "businessUnitIds": IDS, "skills": Field("array", items=Field("string", nullable=False)), "tagTypeIds": IDS,
    "priority": STR, "duration": INT_OPT, "soldThreshold": Field("number"), "class": STR,
    "summary": STR, "noCharge": Field("boolean"), "enforceRecurringServiceEventSelection": Field("boolean"),
    "invoiceSignaturesRequired": Field("boolean"),
}
JOB_TYPE_CREATE = {"name": REQ_STR, **JOB_TYPE_FIELDS, "externalData": EXTERNAL_CREATE}
JOB_TYPE_UPDATE = {  # the response requires these, so null cannot clear them
    **{k: Field(v.type, nullable=False, items=v.items) for k, v in JOB_TYPE_FIELDS.items() if k != "soldThreshold"},
    "soldThreshold": Field("number"), "name": Field("string", nullable=False), "externalData": EXTERNAL_UPDATE,
}
PROJECT_FIELDS = {
    "projectManagerIds": IDS, "name": STR, "summary": STR, "statusId": INT_OPT, "subStatusId": INT_OPT,
    "projectTypeId": INT_OPT, "startDate": DATE_OPT, "targetCompletionDate": DATE_OPT,
    "actualCompletionDate": DATE_OPT, "customFields": CUSTOM_FIELDS_STRICT,
}
PROJECT_CREATE = {"locationId": REQ_INT, "customerId": INT_OPT, **PROJECT_FIELDS, "externalData": EXTERNAL_CREATE}
PROJECT_UPDATE = {
    **PROJECT_FIELDS, "projectManagerIds": IDS_STRICT, "jobIds": IDS_STRICT, "statusId": INT, "subStatusId": INT,
    "startDate": DATE, "targetCompletionDate": DATE, "actualCompletionDate": DATE, "externalData": EXTERNAL_UPDATE,
}
BUDGET_CODE_FULL = {"segmentItemIds": Field("array", required=True, items=Field("integer", nullable=False))}
BUDGET_CODE_PARTIAL = {
    "segments": Field("array", required=True, items=Field("object", nullable=False, schema={
        "segmentId": REQ_INT, "segmentItemId": INT_OPT,
    })),
}

# ------------------------------------------------------------------------------------------- helpers


def _state(request: Request) -> SandboxState:
    return request.app.state.sandbox


def _now(request: Request) -> str:
    return iso(_state(request).now())


def _user(request: Request) -> int:
    return _state(request).user_id


def _id(request: Request, name: str = "id") -> int:
    return int(request.path_params[name])


def _require(request: Request, collection: str, what: str, name: str = "id") -> Record:
    return _state(request)[collection].require(_id(request, name), what)


def _appointment(request: Request) -> Record:
    """An appointment that still exists: deleted ones stay in the export feed (active false) only."""
    record = _require(request, "appointments", "Appointment")
    if record.get("active") is False:
        raise ProblemError(404, f"Appointment with ID {record['id']} not found",
                           {"id": [f"Appointment with ID {record['id']} not found."]})
    return record


def _bad(field: str, message: str, title: str | None = None) -> ProblemError:
    return ProblemError(400, title or message, {field: [message]})


def _conflict(message: str) -> ProblemError:
    return ProblemError(409, message, {"status": [message]})


def _ref(request: Request, collection: str, id: int | None, field: str, what: str, active_only: bool = True) -> Record | None:
    """A referenced record named in a body; 400 naming the field when unknown (or inactive)."""
    if id is None:
        return None
    record = _state(request)[collection].get(id)
    if record is None or (active_only and record.get("active", record.get("isActive", True)) is False):
        raise _bad(field, f"{what} with ID {id} does not exist or is inactive.", f"Invalid {field}")
    return record


def _refs(request: Request, collection: str, ids: Iterable[int] | None, field: str, what: str) -> list[int]:
    ids = list(ids or [])
    for i in ids:
        _ref(request, collection, i, field, what)
    return ids


def _booked_tags(request: Request, job_type: Record, ids: Iterable[int] | None) -> list[int]:
    """The tags asked for, then the job type's own (JobType.tagTypeIds: "Tags here will automatically be
    applied to jobs booked")."""
    tags = _refs(request, "tag_types", ids, "tagTypeIds", "Tag type")
    return tags + [t for t in job_type.get("tagTypeIds") or [] if t not in tags]


def _date(value: str | None) -> str | None:
    """Dates are stored as the sandbox writes them (UTC, Z), whatever offset the client sent."""
    return None if value is None else iso(parse_iso(value))  # type: ignore[arg-type]


def _priority(value: str | None, field: str = "priority") -> str | None:
    if value is None:
        return None
    canonical = {p.lower(): p for p in PRIORITIES}.get(value.lower())
    if canonical is None:
        raise _bad(field, f"The priority '{value}' is not supported. Supported: {', '.join(PRIORITIES)}.")
    return canonical


def _touch(request: Request, collection: str, record: Record) -> Record:
    return _state(request)[collection].touch(record)


def _insert(request: Request, collection: str, record: Record) -> Record:
    return _state(request)[collection].insert(record)


def _job_appointments(request: Request, job_id: int, *, active: bool = True) -> list[Record]:
    return [a for a in _state(request)["appointments"].values()
            if a.get("jobId") == job_id and (not active or a.get("active", True))]


def _assignments(request: Request, appointment_ids: Iterable[int]) -> list[Record]:
    wanted = set(appointment_ids)
    return [a for a in _state(request)["appointment_assignments"].values()
            if a.get("appointmentId") in wanted and a.get("active", True)]


def _history_record(request: Request, job_id: int) -> Record | None:
    """The job's history row; keyed by the job id when the sandbox made it, else found by jobId."""
    history = _state(request)["job_history"]
    record = history.get(job_id)
    if record is not None and record.get("jobId") == job_id:
        return record
    return next((h for h in history.values() if h.get("jobId") == job_id), None)


def _history(request: Request, job_id: int, event: str, memo: str = "") -> None:
    """Append to the job's history (one row per job, as the export feed shows it) and touch it."""
    history = _state(request)["job_history"]
    record = _history_record(request, job_id)
    entry = {"id": _state(request).next_id(), "employeeId": _user(request), "eventType": event,
             "date": _now(request), "usedSchedulingTool": "Manual", "memo": memo}
    if record is None:
        history.insert({"id": job_id if history.get(job_id) is None else None, "jobId": job_id, "history": [entry]})
    else:
        record.setdefault("history", []).append(entry)
        history.touch(record)


def _refresh_job(request: Request, job: Record) -> None:
    """Recompute what a job derives from its appointments (count, first/last, status); touch it when
    anything changed. Canceled and Completed jobs keep their status."""
    appointments = sorted(_job_appointments(request, job["id"]), key=lambda a: (a.get("start") or "", a["id"]))
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
        _touch(request, "jobs", job)


def _external_entries(request: Request, body: Record | None, current: list[Record], *, update: bool) -> list[Record]:
    """Apply an ExternalData create/update request to a record's entries (tagged with the app guid)."""
    if body is None:
        return current
    app = body["applicationGuid"].lower()
    mine = {e["key"]: e["value"] for e in current if e.get("_app") == app}
    others = [e for e in current if e.get("_app") != app]
    if not update or body.get("patchMode", "Replace") == "Replace":
        mine = {}
    for item in body["externalData"]:
        if item.get("value") is None:
            mine.pop(item["key"], None)
        else:
            mine[item["key"]] = item["value"]
    return others + [{"key": k, "value": v, "_app": app} for k, v in mine.items()]


def _custom_fields(request: Request, types: str, given: list[Record] | None, current: list[Record]) -> list[Record]:
    """Merge {typeId, value} items into a record's customFields; a null value removes the field."""
    if not given:
        return current
    merged = {f["typeId"]: f for f in current}
    for item in given:
        kind = _ref(request, types, item["typeId"], "customFields", "Custom field type", active_only=False)
        if item.get("value") is None:
            merged.pop(item["typeId"], None)
        else:
            merged[item["typeId"]] = {"typeId": item["typeId"], "name": kind["name"], "value": item["value"]}
    return list(merged.values())


def _check_window(start: str | None, end: str | None, start_field: str, end_field: str) -> None:
    if start is not None and end is not None and parse_iso(end) <= parse_iso(start):  # type: ignore[operator]
        raise _bad(end_field, f"{end_field} must be later than {start_field}.")


# --------------------------------------------------------------------------------------- lists & sort


def _sort(request: Request, rows: list[Record], fields: dict[str, Callable[[Record], Any]]) -> list[Record]:
    """`?sort=+Field` / `?sort=-Field` over the fields an operation documents; others are a 400."""
    raw = (request.query_params.get("sort") or "").strip()
    if not raw:
        return rows
    name = raw.lstrip("+- ")
    key = {k.lower(): v for k, v in fields.items()}.get(name.lower())
    if key is None:
        raise _bad("sort", f"Sorting by '{name}' is not supported. Available fields are: {', '.join(fields)}.")
    return sorted(rows, key=lambda r: (key(r) is None, key(r) if key(r) is not None else 0), reverse=raw.startswith("-"))


def _by(field: str) -> Callable[[Record], Any]:
    return lambda r: r.get(field)


def _by_date(field: str) -> Callable[[Record], Any]:
    return lambda r: parse_iso(r[field]) if r.get(field) else None


BASIC_SORT = {"Id": _by("id"), "ModifiedOn": _by_date("modifiedOn"), "CreatedOn": _by_date("createdOn")}


def list_route(
    path: str,
    collection: str,
    shape: Any,
    filters: Sequence[Filter] = (),
    sort: dict[str, Callable[[Record], Any]] | None = BASIC_SORT,
    visible: Callable[[Record], bool] | None = None,
) -> Route:
    """GET list: visibility, documented filters, documented sort, then paging."""

    async def handler(request: Request) -> Response:
        records = [r for r in _state(request)[collection].values() if visible is None or visible(r)]
        rows = apply_filters(request, records, filters)
        if sort is not None:
            rows = _sort(request, rows, sort)
        return paged(request, rows, shape(request) if not isinstance(shape, Shape) else shape)

    return Route(path, handler, methods=["GET"])


def child_list_route(path: str, parent: str, what: str, collection: str, key: str, shape: Shape,
                     order: Callable[[Record], Any] | None = None) -> Route:
    """GET {parent}/{id}/{children}: 404 for an unknown parent, then its active children paged."""

    async def handler(request: Request) -> Response:
        owner = _require(request, parent, what)
        rows = [r for r in _state(request)[collection].values()
                if r.get(key) == owner["id"] and r.get("active", True)]
        return paged(request, sorted(rows, key=order) if order else rows, shape)

    return Route(path, handler, methods=["GET"])


def _is_active(record: Record) -> bool:
    return record.get("active", True) is not False


def _any_of(name: str, field: str) -> Filter:
    """`?name=1,2`: the record's list field shares at least one id."""

    def build(request: Request) -> Predicate | None:
        wanted = ids_param(request, name)
        return None if wanted is None else (lambda r: bool(set(r.get(field) or []) & set(wanted)))

    return build


def _equals_text(name: str, field: str) -> Filter:
    def build(request: Request) -> Predicate | None:
        value = request.query_params.get(name)
        return None if not value else (lambda r: str(r.get(field) or "").lower() == value.lower())

    return build


def _appointments_by_job(request: Request) -> dict[int, list[Record]]:
    grouped: dict[int, list[Record]] = defaultdict(list)
    for a in _state(request)["appointments"].values():
        if _is_active(a):
            grouped[a["jobId"]].append(a)
    return grouped


def _technicians_by_appointment(request: Request) -> dict[int, set[int]]:
    grouped: dict[int, set[int]] = defaultdict(set)
    for a in _state(request)["appointment_assignments"].values():
        if _is_active(a):
            grouped[a.get("appointmentId")].add(a.get("technicianId"))
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


def _technician_filter(job_id_of: Callable[[Record], Iterable[int]]) -> Filter:
    """`technicianId`: the technician is assigned to an appointment of the record's job(s)."""

    def build(request: Request) -> Predicate | None:
        tech = int_param(request, "technicianId")
        if tech is None:
            return None
        jobs = {a.get("jobId") for a in _state(request)["appointment_assignments"].values()
                if _is_active(a) and a.get("technicianId") == tech}
        return lambda r: any(j in jobs for j in job_id_of(r))

    return build


def _first_appointment(op: str) -> Filter:
    name = "firstAppointmentStartsOnOrAfter" if op == ">=" else "firstAppointmentStartsBefore"
    test = _starts(op)

    def build(request: Request) -> Predicate | None:
        bound = datetime_param(request, name)
        if bound is None:
            return None
        appointments = _state(request)["appointments"]

        def pred(job: Record) -> bool:
            first = appointments.get(job.get("firstAppointmentId") or 0)
            return first is not None and test(first, bound, request)

        return pred

    return build


def _external_lookup(request: Request) -> Predicate | None:
    """`externalDataKey` + `externalDataValues` (both or neither, as documented)."""
    key = request.query_params.get("externalDataKey")
    values = request.query_params.get("externalDataValues")
    if not key and not values:
        return None
    if not key or not values:
        missing = "externalDataValues" if key else "externalDataKey"
        raise _bad(missing, "externalDataKey and externalDataValues must be provided together.")
    wanted = {v.strip() for v in values.split(",") if v.strip()}
    guid = (request.query_params.get("externalDataApplicationGuid") or "").lower() or None
    return lambda r: any(e["key"] == key and e["value"] in wanted and e.get("_app") in (None, guid)
                         for e in r.get("externalData") or [])


def _enum(values: Sequence[str]) -> Callable[[Request, str], Any]:
    return lambda request, param: enum_param(request, param, values)


JOB_FILTERS: list[Filter] = [
    f_ids(), _equals_text("number", "jobNumber"), f_int("projectId"), f_int("bookingId"),
    f_enum("jobStatus", JOB_STATUSES), _equals_text("priority", "priority"),
    _job_has_appointment("appointmentStatus", _enum(APPOINTMENT_STATUSES),
                         lambda a, status, _: a.get("status") == status),
    _first_appointment(">="), _first_appointment("<"),
    _job_has_appointment("appointmentStartsOnOrAfter", datetime_param, _starts(">=")),
    _job_has_appointment("appointmentStartsBefore", datetime_param, _starts("<")),
    _job_has_appointment("hasUnusedAppointments", bool_param, lambda a, want, _: not want or bool(a.get("unused"))),
    _technician_filter(lambda job: [job["id"]]),
    f_int("customerId"), f_int("locationId"), f_int("soldById"), f_int("jobTypeId"), f_int("campaignId"),
    f_int("businessUnitId"), f_int("invoiceId"), *CREATED_MODIFIED,
    f_dt("completedOnOrAfter", "completedOn", ">="), f_dt("completedBefore", "completedOn", "<"),
    _any_of("tagTypeIds", "tagTypeIds"), _external_lookup,
]


def _appointment_project(request: Request) -> Predicate | None:
    project = int_param(request, "projectId")
    if project is None:
        return None
    jobs = {j["id"] for j in _state(request)["jobs"].values() if j.get("projectId") == project}
    return lambda a: a.get("jobId") in jobs


def _appointment_technician(request: Request) -> Predicate | None:
    tech = int_param(request, "technicianId")
    if tech is None:
        return None
    by_appointment = _technicians_by_appointment(request)
    return lambda a: tech in by_appointment.get(a["id"], set())


APPOINTMENT_FILTERS: list[Filter] = [
    f_ids(), f_int("jobId"), _appointment_project, _equals_text("number", "appointmentNumber"),
    f_enum("status", APPOINTMENT_STATUSES), f_dt("startsOnOrAfter", "start", ">="), f_dt("startsBefore", "start", "<"),
    _appointment_technician, f_int("customerId"),
    f_bool("unused"),
    *CREATED_MODIFIED,
]


def _project_statuses(request: Request) -> Predicate | None:
    """`status=Name1,Name2`; "None" matches projects without a status."""
    raw = request.query_params.get("status")
    if not raw:
        return None
    names = {s.strip().lower() for s in raw.split(",") if s.strip()}
    return lambda p: (p.get("status") or "none").lower() in names


def _project_contains(name: str, job_ids_for: Callable[[Request, int], set[int]]) -> Filter:
    """Project filters answered through its jobs (jobId, appointmentId, invoiceId)."""

    def build(request: Request) -> Predicate | None:
        value = int_param(request, name)
        if value is None:
            return None
        jobs = job_ids_for(request, value)
        return lambda p: bool(jobs & set(p.get("jobIds") or []))

    return build


PROJECT_FILTERS: list[Filter] = [
    f_ids(), f_int("customerId"), f_int("locationId"), f_int("projectTypeId"),
    _project_contains("jobId", lambda request, v: {v}),
    _project_contains("appointmentId", lambda request, v: {
        a["jobId"] for a in [_state(request)["appointments"].get(v)] if a is not None}),
    _project_contains("invoiceId", lambda request, v: {
        j["id"] for j in _state(request)["jobs"].values() if j.get("invoiceId") == v}),
    _technician_filter(lambda p: p.get("jobIds") or []),
    _any_of("projectManagerIds", "projectManagerIds"), _any_of("businessUnitIds", "businessUnitIds"),
    *CREATED_MODIFIED,
    f_dt("startsBefore", "startDate", "<"), f_dt("startsOnOrAfter", "startDate", ">="),
    f_dt("completedBefore", "actualCompletionDate", "<"), f_dt("completedOnOrAfter", "actualCompletionDate", ">="),
    f_dt("targetCompletionDateBefore", "targetCompletionDate", "<"),
    f_dt("targetCompletionDateOnOrAfter", "targetCompletionDate", ">="),
    _project_statuses, _external_lookup,
]


def _duration_bound(name: str, op: str) -> Filter:
    def build(request: Request) -> Predicate | None:
        bound = int_param(request, name)
        if bound is None:
            return None
        return (lambda t: (t.get("duration") or 0) >= bound) if op == ">=" else (lambda t: (t.get("duration") or 0) <= bound)

    return build


JOB_TYPE_FILTERS: list[Filter] = [
    f_contains("name"), _duration_bound("minDuration", ">="), _duration_bound("maxDuration", "<="),
    _equals_text("priority", "priority"), f_ids(), f_active(), *CREATED_MODIFIED,
]


async def job_types_list(request: Request) -> Response:
    """Job types order with `orderBy` + `orderByDirection` instead of `sort` (as documented)."""
    rows = apply_filters(request, _state(request)["job_types"].values(), JOB_TYPE_FILTERS)
    field = (request.query_params.get("orderBy") or "").strip()
    if field:
        key = {"id": _by("id"), "modifiedon": _by_date("modifiedOn"), "createdon": _by_date("createdOn")}.get(field.lower())
        if key is None:
            raise _bad("orderBy", f"Ordering by '{field}' is not supported. Supported: id, modifiedOn, createdOn.")
        direction = (request.query_params.get("orderByDirection") or "asc").lower()
        if direction not in ("asc", "ascending", "desc", "descending"):
            raise _bad("orderByDirection", f"The direction '{direction}' is not supported. Use asc or desc.")
        rows = sorted(rows, key=key, reverse=direction.startswith("desc"))
    return paged(request, rows, JOB_TYPE_OUT(request))


# -------------------------------------------------------------------------------------------- jobs


def _job(request: Request, name: str = "id") -> Record:
    return _require(request, "jobs", "Job", name)


async def create_job(request: Request) -> Response:
    body = await read_body(request, JOB_CREATE)
    if not body["appointments"]:
        raise _bad("appointments", "A job needs at least one appointment.")
    for i, appt in enumerate(body["appointments"]):
        _check_window(appt["start"], appt["end"], f"appointments[{i}].start", f"appointments[{i}].end")
        _check_window(appt.get("arrivalWindowStart"), appt.get("arrivalWindowEnd"),
                      f"appointments[{i}].arrivalWindowStart", f"appointments[{i}].arrivalWindowEnd")
    location = _ref(request, "locations", body["locationId"], "locationId", "Location")
    _ref(request, "customers", body["customerId"], "customerId", "Customer")
    if location.get("customerId") not in (None, body["customerId"]):
        raise _bad("locationId", f"Location {location['id']} does not belong to customer {body['customerId']}.")
    _ref(request, "business_units", body["businessUnitId"], "businessUnitId", "Business unit")
    job_type = _ref(request, "job_types", body["jobTypeId"], "jobTypeId", "Job type")
    project = _ref(request, "projects", body.get("projectId"), "projectId", "Project")
    _ref(request, "technicians", body.get("soldById"), "soldById", "Technician")
    state = _state(request)
    job_id = state.next_id()
    job = {
        "id": job_id, "jobNumber": str(job_id), "projectId": body.get("projectId"),
        "customerId": body["customerId"], "locationId": body["locationId"], "jobStatus": "Scheduled",
        "completedOn": None, "businessUnitId": body["businessUnitId"], "jobTypeId": body["jobTypeId"],
        "priority": _priority(body["priority"]), "campaignId": body["campaignId"], "summary": body.get("summary"),
        "customFields": _custom_fields(request, "job_custom_field_types", body.get("customFields"), []),
        "appointmentCount": 0, "firstAppointmentId": 0, "lastAppointmentId": 0, "recallForId": None,
        "warrantyId": None, "jobGeneratedLeadSource": body.get("jobGeneratedLeadSource"),
        "noCharge": bool(job_type.get("noCharge")), "notificationsEnabled": True, "createdById": _user(request),
        "tagTypeIds": _booked_tags(request, job_type, body.get("tagTypeIds")),
        "leadCallId": None, "bookingId": None, "soldById": body.get("soldById"),
        "externalData": _external_entries(request, body.get("externalData"), [], update=False),
        "customerPo": body.get("customerPo") or "", "invoiceId": state.next_id(), "membershipId": None,
        "total": 0.0, "active": True,
    }
    _insert(request, "jobs", job)
    for info in body["appointments"]:
        _add_appointment(request, job, info, None)
    first = state["appointments"].get(job["firstAppointmentId"])
    _insert(request, "job_booked_logs", {
        "jobId": job_id, "jobAppointmentId": first["id"], "start": first["start"],
        "arrivalWindowStart": first["arrivalWindowStart"], "arrivalWindowEnd": first["arrivalWindowEnd"],
        "createdById": _user(request), "active": True,
    })
    if project is not None:
        project["jobIds"] = [*(project.get("jobIds") or []), job_id]
        _touch(request, "projects", project)
    _history(request, job_id, "Job Booked")
    return json_response(JOB_OUT(request)(job))


def _add_appointment(request: Request, job: Record, info: Record, instructions: str | None) -> Record:
    """Create one appointment (and its technician assignments) on a job, then refresh the job."""
    state = _state(request)
    number = len(_job_appointments(request, job["id"], active=False)) + 1
    appointment = _insert(request, "appointments", {
        "jobId": job["id"], "appointmentNumber": f"{job['jobNumber']}-{number}",
        "start": _date(info["start"]), "end": _date(info["end"]),
        "arrivalWindowStart": _date(info.get("arrivalWindowStart")),
        "arrivalWindowEnd": _date(info.get("arrivalWindowEnd")), "status": "Scheduled",
        "specialInstructions": instructions, "customerId": job["customerId"], "unused": False,
        "createdById": _user(request), "isConfirmed": False, "active": True,
    })
    for tech_id in info.get("technicianIds") or []:
        tech = _ref(request, "technicians", tech_id, "technicianIds", "Technician")
        state["appointment_assignments"].insert({
            "technicianId": tech_id, "technicianName": tech.get("name"), "assignedById": _user(request),
            "assignedOn": _now(request), "status": "Scheduled", "isPaused": False, "jobId": job["id"],
            "appointmentId": appointment["id"], "active": True,
        })
    _refresh_job(request, job)
    return appointment


async def update_job(request: Request) -> Response:
    body = await read_body(request, JOB_UPDATE)
    job = _job(request)
    for field, collection, what in (
        ("customerId", "customers", "Customer"), ("locationId", "locations", "Location"),
        ("businessUnitId", "business_units", "Business unit"), ("jobTypeId", "job_types", "Job type"),
        ("soldById", "technicians", "Technician"),
    ):
        if field in body:
            _ref(request, collection, body[field], field, what)
    changes = {k: v for k, v in body.items()
               if k not in ("customFields", "externalData", "shouldUpdateInvoiceItems", "priority", "tagTypeIds")}
    if "priority" in body:
        changes["priority"] = _priority(body["priority"]) or job.get("priority")
    if "tagTypeIds" in body:
        changes["tagTypeIds"] = _refs(request, "tag_types", body["tagTypeIds"], "tagTypeIds", "Tag type")
    if "customerPo" in body and body["customerPo"] is None:
        changes["customerPo"] = ""  # the response requires a string
    changes["customFields"] = _custom_fields(request, "job_custom_field_types", body.get("customFields"),
                                             job.get("customFields") or [])
    changes["externalData"] = _external_entries(request, body.get("externalData"), job.get("externalData") or [],
                                                update=True)
    job.update(changes)
    _touch(request, "jobs", job)
    _history(request, job["id"], "Job Edited")
    return json_response(JOB_OUT(request)(job))


def _reason(request: Request, collection: str, reason_id: int, what: str) -> Record:
    record = _state(request)[collection].get(reason_id)
    if record is None or record.get("active") is False:
        raise _bad("reasonId", f"{what} with ID {reason_id} does not exist or is inactive.", f"Invalid reasonId {reason_id}")
    return record


def _refuse_closed_job(job: Record, action: str) -> None:
    status = job.get("jobStatus")
    if status in ("Canceled", "Completed"):
        raise _bad("id", f"Job {job['id']} is {status.lower()} and cannot be {action}.",
                   f"A {status.lower()} job cannot be {action}.")


async def cancel_job(request: Request) -> Response:
    body = await read_body(request, REASON_MEMO)
    job = _job(request)
    _refuse_closed_job(job, "canceled")
    _reason(request, "job_cancel_reasons", body["reasonId"], "Job cancel reason")
    job["_statusBeforeCancel"] = job["jobStatus"]
    job["jobStatus"] = "Canceled"
    for appointment in _job_appointments(request, job["id"]):
        if appointment["status"] not in CLOSED_APPOINTMENT:
            appointment["_statusBeforeCancel"] = appointment["status"]
            appointment["status"] = "Canceled"
            _touch(request, "appointments", appointment)
    _insert(request, "job_canceled_logs", {
        "jobId": job["id"], "reasonId": body["reasonId"], "memo": body["memo"], "createdById": _user(request),
        "active": True,
    })
    _touch(request, "jobs", job)
    _history(request, job["id"], "Job Canceled", body["memo"])
    return no_content()


@unknown_id_is_400
async def remove_cancellation(request: Request) -> Response:
    job = _job(request)
    if job.get("jobStatus") != "Canceled":
        raise _bad("id", f"Job {job['id']} is not canceled.", f"Job {job['id']} is not canceled.")
    job["jobStatus"] = job.pop("_statusBeforeCancel", None) or "Scheduled"
    for appointment in _job_appointments(request, job["id"]):
        if "_statusBeforeCancel" in appointment:
            appointment["status"] = appointment.pop("_statusBeforeCancel")
            _touch(request, "appointments", appointment)
    for log in _state(request)["job_canceled_logs"].values():
        if log.get("jobId") == job["id"] and log.get("active", True):
            log["active"] = False
            _touch(request, "job_canceled_logs", log)
    _touch(request, "jobs", job)
    _history(request, job["id"], "Job Cancellation Removed")
    return no_content()


async def hold_job(request: Request) -> Response:
    body = await read_body(request, REASON_MEMO)
    job = _job(request)
    _refuse_closed_job(job, "put on hold")
    if job.get("jobStatus") == "Hold":
        raise _bad("id", f"Job {job['id']} is already on hold.")
    _reason(request, "job_hold_reasons", body["reasonId"], "Job hold reason")
    for appointment in _job_appointments(request, job["id"]):
        if appointment["status"] in ("Scheduled", "Dispatched"):
            _put_on_hold(request, appointment, body)
    job["jobStatus"] = "Hold"
    job["_hold"] = {"reasonId": body["reasonId"], "memo": body["memo"]}
    _touch(request, "jobs", job)
    _history(request, job["id"], "Job Put On Hold", body["memo"])
    return no_content()


async def complete_job(request: Request) -> Response:
    body = await read_body(request, COMPLETE)
    job = _job(request)
    if job.get("jobStatus") in ("Completed", "Canceled"):
        raise _conflict(f"Job {job['id']} is already {job['jobStatus'].lower()}.")
    appointments = _job_appointments(request, job["id"])
    assignments = _assignments(request, (a["id"] for a in appointments))
    if not assignments:
        raise _conflict(f"Job {job['id']} has no assigned technicians.")
    for appointment in appointments:
        if appointment["status"] != "Canceled":
            appointment["status"] = "Done"
            _touch(request, "appointments", appointment)
    for assignment in assignments:
        assignment["status"] = "Done"
        _touch(request, "appointment_assignments", assignment)
    job.update(jobStatus="Completed", completedOn=_date(body["completedOn"]))
    _touch(request, "jobs", job)
    _history(request, job["id"], "Job Completed")
    return no_content()


async def job_history(request: Request) -> Response:
    job = _job(request)
    record = _history_record(request, job["id"])
    return json_response({"history": [HISTORY_ITEM(e) for e in (record or {}).get("history") or []]})


async def job_booked_log(request: Request) -> Response:
    job = _job(request)
    logs = [b for b in _state(request)["job_booked_logs"].values() if b.get("jobId") == job["id"]]
    if not logs:
        raise ProblemError(404, f"Booked log for job with ID {job['id']} not found",
                           {"id": [f"Job {job['id']} has no booked log."]})
    return json_response(BOOKED_LOG(logs[-1]))


async def jobs_cancel_reasons(request: Request) -> Response:
    """Why each of the given (canceled) jobs was canceled: its latest active canceled-log row."""
    ids = ids_param(request, "ids")
    if not ids:  # required by the document, though the path template reads as optional
        raise _bad("ids", "The ids field is required.")
    if len(ids) > 50:
        raise _bad("ids", "No more than 50 ids may be requested at once.")
    state = _state(request)
    latest: dict[int, Record] = {}
    for log in state["job_canceled_logs"].values():
        if log.get("jobId") in ids and log.get("active", True):
            latest[log["jobId"]] = log
    rows = []
    for job_id in ids:
        log = latest.get(job_id)
        if log is not None:
            reason = state["job_cancel_reasons"].get(log["reasonId"]) or {}
            rows.append({"jobId": job_id, "reasonId": log["reasonId"], "name": reason.get("name", ""),
                         "text": log.get("memo") or ""})
    return paged(request, rows, CANCEL_REASON)


# -------------------------------------------------------------------------------- notes & messages


def note_route(path: str, parent: str, what: str, notes: str, key: str) -> Route:
    """POST {parent}/{id}/notes: a note (optionally pinned) that also enters the notes export feed."""

    async def handler(request: Request) -> Response:
        body = await read_body(request, NOTE_BODY)
        owner = _require(request, parent, what)
        note = _insert(request, notes, {
            key: owner["id"], "text": body["text"], "isPinned": bool(body.get("pinToTop")),
            "createdById": _user(request), "active": True,
        })
        return json_response(NOTE(note))

    return Route(path, handler, methods=["POST"])


def message_route(path: str, parent: str, what: str, key: str) -> Route:
    """POST {parent}/{id}/messages: answered with the new message id (kept in a `messages` collection)."""

    @unknown_id_is_400
    async def handler(request: Request) -> Response:
        body = await read_body(request, MESSAGE_BODY)
        owner = _require(request, parent, what)
        _ref(request, "employees", body["createdByEmployeeId"], "createdByEmployeeId", "Employee")
        message = _insert(request, "messages", {key: owner["id"], **body})
        return json_response({"id": message["id"]})

    return Route(path, handler, methods=["POST"])


def _pinned_first(note: Record) -> tuple:
    return (not note.get("isPinned"), note.get("createdOn") or "", note["id"])


# ------------------------------------------------------------------------------------ appointments


async def get_appointment(request: Request) -> Response:
    return json_response(APPOINTMENT(_appointment(request)))


async def add_appointment(request: Request) -> Response:
    body = await read_body(request, APPOINTMENT_ADD)
    _check_window(body["start"], body["end"], "start", "end")
    _check_window(body.get("arrivalWindowStart"), body.get("arrivalWindowEnd"), "arrivalWindowStart", "arrivalWindowEnd")
    job = _ref(request, "jobs", body["jobId"], "jobId", "Job")
    if job.get("jobStatus") in ("Canceled", "Completed"):
        raise _conflict(f"Job {job['id']} is {job['jobStatus'].lower()}; appointments cannot be added.")
    appointment = _add_appointment(request, job, body, body.get("specialInstructions"))
    _history(request, job["id"], "Appointment Added")
    return json_response(APPOINTMENT(appointment))


async def delete_appointment(request: Request) -> Response:
    appointment = _appointment(request)
    if appointment["status"] in ("Working", "Done"):
        raise _conflict(f"Appointment {appointment['id']} is {appointment['status']} and cannot be deleted.")
    job = _state(request)["jobs"].get(appointment["jobId"])
    if job is not None and len(_job_appointments(request, job["id"])) <= 1:
        raise _bad("id", f"Appointment {appointment['id']} is the only appointment of job {job['id']} and cannot be deleted.")
    appointment["active"] = False
    _touch(request, "appointments", appointment)
    for assignment in _assignments(request, [appointment["id"]]):
        assignment["active"] = False
        _touch(request, "appointment_assignments", assignment)
    if job is not None:
        _refresh_job(request, job)
        _history(request, job["id"], "Appointment Deleted")
    return no_content()


def confirmation_route(method: str, confirmed: bool) -> Route:
    """PUT (confirm) / DELETE (unconfirm) appointments/{id}/confirmation."""

    async def handler(request: Request) -> Response:
        appointment = _appointment(request)
        if appointment["status"] == "Canceled":
            raise _conflict(f"Appointment {appointment['id']} is canceled.")
        if appointment.get("isConfirmed") != confirmed:
            appointment["isConfirmed"] = confirmed
            _touch(request, "appointments", appointment)
        return no_content()

    return Route("/appointments/{id:int}/confirmation", handler, methods=[method])


def _put_on_hold(request: Request, appointment: Record, body: Record) -> None:
    appointment["_hold"] = {"reasonId": body["reasonId"], "memo": body["memo"], "previous": appointment["status"]}
    appointment["status"] = "Hold"
    _touch(request, "appointments", appointment)


async def hold_appointment(request: Request) -> Response:
    body = await read_body(request, REASON_MEMO)
    appointment = _appointment(request)
    if appointment["status"] in (*CLOSED_APPOINTMENT, "Hold"):
        raise _conflict(f"Appointment {appointment['id']} is {appointment['status']} and cannot be put on hold.")
    _reason(request, "job_hold_reasons", body["reasonId"], "Job hold reason")
    _put_on_hold(request, appointment, body)
    _after_appointment_change(request, appointment, "Appointment Put On Hold", body["memo"])
    return no_content()


async def remove_appointment_hold(request: Request) -> Response:
    appointment = _appointment(request)
    if appointment["status"] != "Hold":
        raise _conflict(f"Appointment {appointment['id']} is not on hold.")
    hold = appointment.pop("_hold", None) or {}
    appointment["status"] = hold.get("previous") or "Scheduled"
    _touch(request, "appointments", appointment)
    _after_appointment_change(request, appointment, "Appointment Hold Removed")
    return no_content()


def _after_appointment_change(request: Request, appointment: Record, event: str, memo: str = "") -> None:
    job = _state(request)["jobs"].get(appointment["jobId"])
    if job is not None:
        _refresh_job(request, job)
        _history(request, job["id"], event, memo)


async def reschedule_appointment(request: Request) -> Response:
    body = await read_body(request, RESCHEDULE)
    appointment = _appointment(request)
    if appointment["status"] in CLOSED_APPOINTMENT:
        raise _conflict(f"Appointment {appointment['id']} is {appointment['status']} and cannot be rescheduled.")
    merged = {k: _date(body[k]) if k in body else appointment.get(k) for k in RESCHEDULE}
    _check_window(merged["start"], merged["end"], "start", "end")
    _check_window(merged["arrivalWindowStart"], merged["arrivalWindowEnd"], "arrivalWindowStart", "arrivalWindowEnd")
    appointment.update(merged)
    _touch(request, "appointments", appointment)
    _after_appointment_change(request, appointment, "Appointment Rescheduled")
    return json_response(APPOINTMENT(appointment))


async def special_instructions(request: Request) -> Response:
    body = await read_body(request, SPECIAL_INSTRUCTIONS)
    appointment = _appointment(request)
    appointment["specialInstructions"] = body["specialInstructions"]
    _touch(request, "appointments", appointment)
    return json_response(APPOINTMENT(appointment))


async def add_summary(request: Request) -> Response:
    """Loose model of the 2026 preview: one technician's work-performed notes on an appointment."""
    body = await read_body(request, SUMMARY_BODY)
    appointment = _appointment(request)
    _ref(request, "technicians", body["technicianId"], "technicianId", "Technician")
    summary = _insert(request, "appointment_summaries", {
        "appointmentId": appointment["id"], "technicianId": body["technicianId"], "notes": body["notes"],
        "createdById": _user(request),
    })
    _touch(request, "appointments", appointment)
    return json_response(APPOINTMENT_SUMMARY(summary))


# ---------------------------------------------------------------------------------------- projects


def _project_status(request: Request, project: Record, status_id: int | None, sub_id: int | None) -> None:
    """Set statusId/subStatusId and the names the response repeats; a substatus must be of the status."""
    status = _ref(request, "project_statuses", status_id, "statusId", "Project status", active_only=False)
    sub = _ref(request, "project_substatuses", sub_id, "subStatusId", "Project substatus")
    if sub is not None and status is not None and sub.get("statusId") != status["id"]:
        raise _bad("subStatusId", f"Project substatus {sub['id']} does not belong to status {status['id']}.")
    if status is not None:
        project.update(statusId=status["id"], status=status["name"])
    if sub is not None:
        project.update(subStatusId=sub["id"], subStatus=sub["name"])
        if status is None:
            parent = _state(request)["project_statuses"].get(sub.get("statusId"))
            project.update(statusId=sub.get("statusId"), status=(parent or {}).get("name"))


def _project_fields(request: Request, project: Record, body: Record) -> None:
    """The fields create and update share: plain values, dates, references, custom fields."""
    for field in ("name", "summary"):
        if field in body:
            project[field] = body[field]
    for field in ("startDate", "targetCompletionDate", "actualCompletionDate"):
        if field in body:
            project[field] = _date(body[field])
    if "projectTypeId" in body:
        _ref(request, "project_types", body["projectTypeId"], "projectTypeId", "Project type", active_only=False)
        project["projectTypeId"] = body["projectTypeId"]
    if "projectManagerIds" in body:
        project["projectManagerIds"] = _refs(request, "employees", body["projectManagerIds"], "projectManagerIds",
                                             "Employee")
    _project_status(request, project, body.get("statusId"), body.get("subStatusId"))
    project["customFields"] = _custom_fields(request, "project_custom_field_types", body.get("customFields"),
                                             project.get("customFields") or [])


async def create_project(request: Request) -> Response:
    body = await read_body(request, PROJECT_CREATE)
    location = _ref(request, "locations", body["locationId"], "locationId", "Location")
    customer_id = body.get("customerId") or location.get("customerId")
    _ref(request, "customers", customer_id, "customerId", "Customer")
    if location.get("customerId") not in (None, customer_id):
        raise _bad("locationId", f"Location {location['id']} does not belong to customer {customer_id}.")
    state = _state(request)
    project_id = state.next_id()
    project: Record = {
        "id": project_id, "number": str(project_id), "name": None, "summary": None, "status": None,
        "statusId": None, "subStatus": None, "subStatusId": None, "customerId": customer_id,
        "locationId": location["id"], "projectTypeId": None, "projectManagerIds": [], "businessUnitIds": [],
        "startDate": None, "targetCompletionDate": None, "actualCompletionDate": None, "customFields": [],
        "externalData": _external_entries(request, body.get("externalData"), [], update=False), "jobIds": [],
        "active": True,
    }
    _project_fields(request, project, body)
    _insert(request, "projects", project)
    return json_response(PROJECT_OUT(request)(project))


async def update_project(request: Request) -> Response:
    body = await read_body(request, PROJECT_UPDATE)
    project = _require(request, "projects", "Project")
    _project_fields(request, project, body)
    if "jobIds" in body:
        _set_project_jobs(request, project, body["jobIds"])
    project["externalData"] = _external_entries(request, body.get("externalData"), project.get("externalData") or [],
                                                update=True)
    _touch(request, "projects", project)
    return json_response(PROJECT_OUT(request)(project))


def _set_project_jobs(request: Request, project: Record, job_ids: list[int]) -> None:
    jobs = [_ref(request, "jobs", i, "jobIds", "Job") for i in job_ids]
    for job in jobs:
        _refuse_other_project(job, project)
    for old in set(project.get("jobIds") or []) - set(job_ids):
        job = _state(request)["jobs"].get(old)
        if job is not None and job.get("projectId") == project["id"]:
            job["projectId"] = None
            _touch(request, "jobs", job)
    for job in jobs:
        if job.get("projectId") != project["id"]:
            job["projectId"] = project["id"]
            _touch(request, "jobs", job)
    project["jobIds"] = list(dict.fromkeys(job_ids))


def _refuse_other_project(job: Record, project: Record) -> None:
    if job.get("projectId") not in (None, project["id"]):
        raise _bad("jobId", f"Job {job['id']} already belongs to project {job['projectId']}.")
    if job.get("customerId") != project.get("customerId"):
        raise _bad("jobId", f"Job {job['id']} belongs to another customer than project {project['id']}.")


@unknown_id_is_400
async def attach_job(request: Request) -> Response:
    project = _require(request, "projects", "Project")
    job = _job(request, "jobId")
    _refuse_other_project(job, project)
    if job["id"] not in (project.get("jobIds") or []):
        job["projectId"] = project["id"]
        project["jobIds"] = [*(project.get("jobIds") or []), job["id"]]
        _touch(request, "jobs", job)
        _touch(request, "projects", project)
    return no_content()


@unknown_id_is_400
async def detach_job(request: Request) -> Response:
    job = _job(request, "jobId")
    project = _state(request)["projects"].get(job.get("projectId") or 0)
    if project is None:
        raise _bad("jobId", f"Job {job['id']} is not attached to a project.")
    job["projectId"] = None
    project["jobIds"] = [i for i in project.get("jobIds") or [] if i != job["id"]]
    _touch(request, "jobs", job)
    _touch(request, "projects", project)
    return no_content()


# --------------------------------------------------------------------------------------- job types


def _job_type_fields(request: Request, job_type: Record, body: Record) -> None:
    name = body.get("name")
    if name is not None:
        clash = next((t for t in _state(request)["job_types"].values()
                      if t["id"] != job_type.get("id") and str(t.get("name", "")).lower() == name.lower()), None)
        if clash is not None:
            raise _bad("name", f"A job type named '{name}' already exists.")
    if "businessUnitIds" in body:
        _refs(request, "business_units", body["businessUnitIds"], "businessUnitIds", "Business unit")
    if "tagTypeIds" in body:
        _refs(request, "tag_types", body["tagTypeIds"], "tagTypeIds", "Tag type")
    if body.get("priority") is not None:
        body = {**body, "priority": _priority(body["priority"])}
    if (body.get("duration") or 0) < 0:
        raise _bad("duration", "duration must not be negative.")
    job_type.update({k: v for k, v in body.items() if k != "externalData" and (v is not None or k == "soldThreshold")})


async def create_job_type(request: Request) -> Response:
    body = await read_body(request, JOB_TYPE_CREATE)
    job_type: Record = {
        "name": None, "businessUnitIds": [], "skills": [], "tagTypeIds": [], "priority": "Normal", "duration": 3600,
        "soldThreshold": None, "class": "", "summary": "", "noCharge": False,
        "enforceRecurringServiceEventSelection": False, "invoiceSignaturesRequired": False,
        "externalData": _external_entries(request, body.get("externalData"), [], update=False), "active": True,
    }
    _job_type_fields(request, job_type, body)
    _insert(request, "job_types", job_type)
    return json_response(JOB_TYPE_OUT(request)(job_type))


@unknown_id_is_400
async def update_job_type(request: Request) -> Response:
    body = await read_body(request, JOB_TYPE_UPDATE)
    job_type = _require(request, "job_types", "Job type")
    _job_type_fields(request, job_type, body)
    job_type["externalData"] = _external_entries(request, body.get("externalData"),
                                                 job_type.get("externalData") or [], update=True)
    _touch(request, "job_types", job_type)
    return json_response(JOB_TYPE_OUT(request)(job_type))


# ------------------------------------------------------------ work breakdown structure (loose, 2026)
# Not in the May 2025 document. Segments (cost code, cost type, ...) hold a tree of items; a budget code
# picks items of segments. Records may carry `projectId`: such items and codes belong to one project,
# the rest are company-wide and valid on every project.


def _for_project(request: Request) -> Callable[[Record], bool]:
    project_id = _id(request, "projectId") if "projectId" in request.path_params else None
    if project_id is not None:
        _require(request, "projects", "Project", "projectId")
    return lambda r: r.get("projectId") in (None, project_id)


async def list_segments(request: Request) -> Response:
    visible = _for_project(request)
    rows = [s for s in _state(request)["wbs_segments"].values() if visible(s)]
    return json_response({"data": [SEGMENT(s) for s in rows]})


def segment_items_route(path: str, *, children: bool) -> Route:
    """Items of a segment (company or project scope), or the children of one item."""

    async def handler(request: Request) -> Response:
        visible = _for_project(request)
        segment = _require(request, "wbs_segments", "Segment", "segmentId")
        items = _state(request)["wbs_segment_items"]
        parent = _require(request, "wbs_segment_items", "Segment item", "segmentItemId")["id"] if children else None
        rows = [i for i in items.values() if i.get("segmentId") == segment["id"] and visible(i)
                and (not children or i.get("parentId") == parent)]
        return paged(request, rows, SEGMENT_ITEM)

    return Route(path, handler, methods=["GET"])


async def list_budget_codes(request: Request) -> Response:
    visible = _for_project(request)
    return paged(request, [c for c in _state(request)["budget_codes"].values() if visible(c)], BUDGET_CODE)


async def match_budget_codes(request: Request) -> Response:
    """`codes=a,b`: for each code string, whether it is a valid budget code and which codes match."""
    raw = request.query_params.get("codes")
    if not raw:
        raise _bad("codes", "The codes parameter is required.")
    visible = _for_project(request)
    codes = [c for c in _state(request)["budget_codes"].values() if visible(c)]
    matches = []
    for wanted in (c.strip() for c in raw.split(",") if c.strip()):
        found = [BUDGET_CODE(c) for c in codes if str(c.get("code", "")).lower() == wanted.lower()]
        matches.append({"code": wanted, "isValid": bool(found), "budgetCodes": found})
    return json_response({"matches": matches})


def _budget_code(request: Request, bindings: list[tuple[int, int | None]], *, partial: bool) -> Record:
    """Build and insert a budget code from (segmentId, segmentItemId) pairs; a full code binds one item
    of every active segment, a partial one may leave segments open (item None)."""
    state = _state(request)
    segments = [s for s in state["wbs_segments"].values() if s.get("isActive", True)]
    by_segment: dict[int, int | None] = {}
    for segment_id, item_id in bindings:
        _ref(request, "wbs_segments", segment_id, "segments", "Segment")
        if segment_id in by_segment:
            raise _bad("segments", f"Segment {segment_id} appears twice.")
        if item_id is not None:
            item = _ref(request, "wbs_segment_items", item_id, "segmentItemIds", "Segment item")
            if item.get("segmentId") != segment_id:
                raise _bad("segmentItemIds", f"Segment item {item_id} is not an item of segment {segment_id}.")
        by_segment[segment_id] = item_id
    if not partial:
        missing = [s["id"] for s in segments if s["id"] not in by_segment]
        if missing:
            raise _bad("segmentItemIds", f"A budget code needs one item of every segment; missing segments {missing}.")
    parts = []
    for segment in segments:
        item = state["wbs_segment_items"].get(by_segment.get(segment["id"]) or 0)
        if segment["id"] in by_segment or not partial:
            parts.append({"segmentId": segment["id"], "segmentItemId": item["id"] if item else None,
                          "code": item.get("code") if item else None,
                          "description": item.get("description") if item else None,
                          "path": item.get("path") if item else None})
    return _insert(request, "budget_codes", {
        "code": "-".join(p["code"] or "*" for p in parts),
        "description": " / ".join(p["description"] or "Any" for p in parts),
        "segments": parts, "projectId": None,
    })


def _full_bindings(request: Request, body: Record) -> list[tuple[int, int | None]]:
    items = [_ref(request, "wbs_segment_items", i, "segmentItemIds", "Segment item") for i in body["segmentItemIds"]]
    return [(item.get("segmentId"), item["id"]) for item in items]


def _partial_bindings(request: Request, body: Record) -> list[tuple[int, int | None]]:
    return [(s["segmentId"], s.get("segmentItemId")) for s in body["segments"]]


def budget_code_route(path: str, schema: dict[str, Field], bindings: Callable, *, partial: bool, batch: bool) -> Route:
    """POST budget-codes[/partial][/batch]: `{"code": ...}` for one, `{"codes": [...]}` for a batch."""

    async def handler(request: Request) -> Response:
        bodies = await read_body_list(request, schema) if batch else [await read_body(request, schema)]
        codes = [BUDGET_CODE(_budget_code(request, bindings(request, b), partial=partial)) for b in bodies]
        return json_response({"codes": codes} if batch else {"code": codes[0]})

    return Route(path, handler, methods=["POST"])


# ------------------------------------------------------------------------------------------ routes

WBS = "/work-breakdown-structure"
PROJECT_SORT = {**BASIC_SORT, "Name": lambda r: (r.get("name") or "").lower(),
                "TargetCompletionDate": _by_date("targetCompletionDate")}
JOB_SORT = {**BASIC_SORT, "Priority": lambda r: PRIORITIES.index(r["priority"]) if r.get("priority") in PRIORITIES else -1}
STATUS_SORT = {"Id": _by("id"), "Name": lambda r: (r.get("name") or "").lower(), "Order": _by("order"),
               "ModifiedOn": _by_date("modifiedOn"), "CreatedOn": _by_date("createdOn")}
SUBSTATUS_SORT = {**STATUS_SORT, "StatusId": _by("statusId")}
REASON_FILTERS = [f_active(default="Any"), *CREATED_MODIFIED]  # reasons list inactive ones too by default


def routes() -> list[Route]:
    return [
        # export feeds
        export_route("/export/jobs", "jobs", EXPORT_JOB_OUT),
        export_route("/export/projects", "projects", EXPORT_PROJECT_OUT),
        export_route("/export/appointments", "appointments", APPOINTMENT.plus("active")),
        export_route("/export/job-canceled-logs", "job_canceled_logs", CANCELED_LOG),
        export_route("/export/job-notes", "job_notes", EXPORT_JOB_NOTE),
        export_route("/export/project-notes", "project_notes", EXPORT_PROJECT_NOTE),
        export_route("/export/job-history", "job_history", EXPORT_JOB_HISTORY),
        # appointments
        list_route("/appointments", "appointments", APPOINTMENT, APPOINTMENT_FILTERS, visible=_is_active),
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
        # reasons
        list_route("/job-cancel-reasons", "job_cancel_reasons", REASON, REASON_FILTERS),
        list_route("/job-hold-reasons", "job_hold_reasons", REASON, REASON_FILTERS),
        # jobs (fixed sub-paths first; the int converter keeps them apart from {id} anyway)
        list_route("/jobs", "jobs", JOB_OUT, JOB_FILTERS, JOB_SORT),
        Route("/jobs", create_job, methods=["POST"]),
        Route("/jobs/cancel-reasons", jobs_cancel_reasons, methods=["GET"]),
        list_route("/jobs/custom-fields", "job_custom_field_types", CUSTOM_FIELD_TYPE, CREATED_MODIFIED),
        get_route("/jobs/{id:int}", "jobs", JOB_OUT, "Job"),
        Route("/jobs/{id:int}", update_job, methods=["PATCH"]),
        Route("/jobs/{id:int}/cancel", cancel_job, methods=["PUT"]),
        Route("/jobs/{id:int}/remove-cancellation", remove_cancellation, methods=["PUT"]),
        Route("/jobs/{id:int}/hold", hold_job, methods=["PUT"]),
        Route("/jobs/{id:int}/complete", complete_job, methods=["PUT"]),
        Route("/jobs/{id:int}/history", job_history, methods=["GET"]),
        Route("/jobs/{id:int}/booked-log", job_booked_log, methods=["GET"]),
        child_list_route("/jobs/{id:int}/canceled-log", "jobs", "Job", "job_canceled_logs", "jobId", CANCELED_LOG),
        child_list_route("/jobs/{id:int}/notes", "jobs", "Job", "job_notes", "jobId", NOTE, _pinned_first),
        note_route("/jobs/{id:int}/notes", "jobs", "Job", "job_notes", "jobId"),
        message_route("/jobs/{id:int}/messages", "jobs", "Job", "jobId"),
        # job types
        Route("/job-types", job_types_list, methods=["GET"]),
        Route("/job-types", create_job_type, methods=["POST"]),
        get_route("/job-types/{id:int}", "job_types", JOB_TYPE_OUT, "Job type"),
        Route("/job-types/{id:int}", update_job_type, methods=["PATCH"]),
        # projects
        list_route("/projects", "projects", PROJECT_OUT, PROJECT_FILTERS, PROJECT_SORT),
        Route("/projects", create_project, methods=["POST"]),
        list_route("/projects/custom-fields", "project_custom_field_types", CUSTOM_FIELD_TYPE, CREATED_MODIFIED),
        Route("/projects/detach-job/{jobId:int}", detach_job, methods=["POST"]),
        get_route("/projects/{id:int}", "projects", PROJECT_OUT, "Project"),
        Route("/projects/{id:int}", update_project, methods=["PATCH"]),
        Route("/projects/{id:int}/attach-job/{jobId:int}", attach_job, methods=["POST"]),
        child_list_route("/projects/{id:int}/notes", "projects", "Project", "project_notes", "projectId", NOTE,
                         _pinned_first),
        note_route("/projects/{id:int}/notes", "projects", "Project", "project_notes", "projectId"),
        message_route("/projects/{id:int}/messages", "projects", "Project", "projectId"),
        # project statuses, substatuses, types
        list_route("/project-statuses", "project_statuses", PROJECT_STATUS,
                   [f_contains("name"), f_ids(), *CREATED_MODIFIED], STATUS_SORT),
        get_route("/project-statuses/{id:int}", "project_statuses", PROJECT_STATUS, "Project status"),
        list_route("/project-substatuses", "project_substatuses", PROJECT_SUBSTATUS,
                   [f_contains("name"), f_int("statusId"), f_ids(), *CREATED_MODIFIED, f_active()], SUBSTATUS_SORT),
        get_route("/project-substatuses/{id:int}", "project_substatuses", PROJECT_SUBSTATUS, "Project substatus"),
        list_route("/project-types", "project_types", PROJECT_TYPE, sort=None),
        get_route("/project-types/{id:int}", "project_types", PROJECT_TYPE, "Project type"),
        # work breakdown structure (loose, 2026)
        Route(f"{WBS}/segments", list_segments, methods=["GET"]),
        segment_items_route(f"{WBS}/segments/{{segmentId:int}}/items", children=False),
        segment_items_route(f"{WBS}/segments/{{segmentId:int}}/items/{{segmentItemId:int}}/children", children=True),
        Route(f"{WBS}/budget-codes", list_budget_codes, methods=["GET"]),
        Route(f"{WBS}/budget-codes/match", match_budget_codes, methods=["GET"]),
        budget_code_route(f"{WBS}/budget-codes", BUDGET_CODE_FULL, _full_bindings, partial=False, batch=False),
        budget_code_route(f"{WBS}/budget-codes/batch", BUDGET_CODE_FULL, _full_bindings, partial=False, batch=True),
        budget_code_route(f"{WBS}/budget-codes/partial", BUDGET_CODE_PARTIAL, _partial_bindings, partial=True,
                          batch=False),
        budget_code_route(f"{WBS}/budget-codes/partial/batch", BUDGET_CODE_PARTIAL, _partial_bindings, partial=True,
                          batch=True),
        Route(f"{WBS}/projects/{{projectId:int}}/budget-codes", list_budget_codes, methods=["GET"]),
        Route(f"{WBS}/projects/{{projectId:int}}/budget-codes/match", match_budget_codes, methods=["GET"]),
        Route(f"{WBS}/projects/{{projectId:int}}/segments", list_segments, methods=["GET"]),
        segment_items_route(f"{WBS}/projects/{{projectId:int}}/segments/{{segmentId:int}}/items", children=False),
    ]

