"""Projects: the list and its filters, creating and editing (status, substatus, managers, jobs, custom fields),
attaching and detaching jobs, one project, the export feed; and the project statuses, substatuses and types."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import int_param, json_response, read_body, unknown_id_is_400

from .._common import (
    CREATED_MODIFIED,
    Filter,
    Predicate,
    Record,
    Shape,
    coll,
    export_route,
    f_active,
    f_any_of,
    f_contains,
    f_dt,
    f_ids,
    f_int,
    get_route,
    insert,
    list_route,
    no_content,
    path_id,
    require,
    sandbox,
    touch,
)
from .appointments import f_technician_on_jobs
from .body_fields import DATE, DATE_OPT, IDS, IDS_STRICT, INT, INT_OPT, REQ_INT, STR
from .checks import bad, path_job, referenced, referenced_ids, stored_date
from .custom_fields import CUSTOM_FIELD, CUSTOM_FIELDS_STRICT, merged_custom_fields
from .external_data import EXTERNAL_CREATE, EXTERNAL_UPDATE, external_entries, external_lookup, with_external_data
from .lists import BASIC_SORT_KEYS, by, by_date, documented_sort

PROJECT = Shape(
    "id", "number", "name", "summary", "status", "statusId", "subStatus", "subStatusId", "customerId",
    "locationId", "projectTypeId", "projectManagerIds", "businessUnitIds", "startDate", "targetCompletionDate",
    "actualCompletionDate", "modifiedOn", "createdOn", "customFields", "externalData", "jobIds",
    customFields=CUSTOM_FIELD,
)
PROJECT_OUT = with_external_data(PROJECT)
EXPORT_PROJECT_OUT = with_external_data(PROJECT.plus("active"))
PROJECT_STATUS = Shape("id", "name", "order", "modifiedOn")
PROJECT_SUBSTATUS = Shape("id", "name", "statusId", "order", "modifiedOn", "active")
PROJECT_TYPE = Shape("id", "name", "description", "createdById")

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

PROJECT_SORT = documented_sort({**BASIC_SORT_KEYS, "Name": lambda r: (r.get("name") or "").lower(),
                                "TargetCompletionDate": by_date("targetCompletionDate")})
STATUS_SORT_KEYS = {"Id": by("id"), "Name": lambda r: (r.get("name") or "").lower(), "Order": by("order"),
                    "ModifiedOn": by_date("modifiedOn"), "CreatedOn": by_date("createdOn")}
STATUS_SORT = documented_sort(STATUS_SORT_KEYS)
SUBSTATUS_SORT = documented_sort({**STATUS_SORT_KEYS, "StatusId": by("statusId")})


# ------------------------------------------------------------------------------------------ filters


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
        a["jobId"] for a in [coll(request, "appointments").get(v)] if a is not None}),
    _project_contains("invoiceId", lambda request, v: {
        j["id"] for j in coll(request, "jobs").values() if j.get("invoiceId") == v}),
    f_technician_on_jobs(lambda p: p.get("jobIds") or []),
    f_any_of("projectManagerIds", "projectManagerIds"), f_any_of("businessUnitIds", "businessUnitIds"),
    *CREATED_MODIFIED,
    f_dt("startsBefore", "startDate", "<"), f_dt("startsOnOrAfter", "startDate", ">="),
    f_dt("completedBefore", "actualCompletionDate", "<"), f_dt("completedOnOrAfter", "actualCompletionDate", ">="),
    f_dt("targetCompletionDateBefore", "targetCompletionDate", "<"),
    f_dt("targetCompletionDateOnOrAfter", "targetCompletionDate", ">="),
    _project_statuses, external_lookup,
]


# ----------------------------------------------------------------------------------------- handlers


def _project_status(request: Request, project: Record, status_id: int | None, sub_id: int | None) -> None:
    """Set statusId/subStatusId and the names the response repeats; a substatus must be of the status."""
    status = referenced(request, "project_statuses", status_id, "statusId", "Project status", active_only=False)
    sub = referenced(request, "project_substatuses", sub_id, "subStatusId", "Project substatus")
    if sub is not None and status is not None and sub.get("statusId") != status["id"]:
        raise bad("subStatusId", f"Project substatus {sub['id']} does not belong to status {status['id']}.")
    if status is not None:
        project.update(statusId=status["id"], status=status["name"])
    if sub is not None:
        project.update(subStatusId=sub["id"], subStatus=sub["name"])
        if status is None:
            parent = coll(request, "project_statuses").get(sub.get("statusId"))
            project.update(statusId=sub.get("statusId"), status=(parent or {}).get("name"))


def _project_fields(request: Request, project: Record, body: Record) -> None:
    """The fields create and update share: plain values, dates, references, custom fields."""
    for field in ("name", "summary"):
        if field in body:
            project[field] = body[field]
    for field in ("startDate", "targetCompletionDate", "actualCompletionDate"):
        if field in body:
            project[field] = stored_date(body[field])
    if "projectTypeId" in body:
        referenced(request, "project_types", body["projectTypeId"], "projectTypeId", "Project type",
                   active_only=False)
        project["projectTypeId"] = body["projectTypeId"]
    if "projectManagerIds" in body:
        project["projectManagerIds"] = referenced_ids(request, "employees", body["projectManagerIds"],
                                                      "projectManagerIds", "Employee")
    _project_status(request, project, body.get("statusId"), body.get("subStatusId"))
    project["customFields"] = merged_custom_fields(request, "project_custom_field_types", body.get("customFields"),
                                                   project.get("customFields") or [])


async def create_project(request: Request) -> Response:
    body = await read_body(request, PROJECT_CREATE)
    location = referenced(request, "locations", body["locationId"], "locationId", "Location")
    customer_id = body.get("customerId") or location.get("customerId")
    referenced(request, "customers", customer_id, "customerId", "Customer")
    if location.get("customerId") not in (None, customer_id):
        raise bad("locationId", f"Location {location['id']} does not belong to customer {customer_id}.")
    project_id = sandbox(request).next_id()
    project: Record = {
        "id": project_id, "number": str(project_id), "name": None, "summary": None, "status": None,
        "statusId": None, "subStatus": None, "subStatusId": None, "customerId": customer_id,
        "locationId": location["id"], "projectTypeId": None, "projectManagerIds": [], "businessUnitIds": [],
        "startDate": None, "targetCompletionDate": None, "actualCompletionDate": None, "customFields": [],
        "externalData": external_entries(request, body.get("externalData"), [], update=False), "jobIds": [],
        "active": True,
    }
    _project_fields(request, project, body)
    insert(request, "projects", project)
    return json_response(PROJECT_OUT(request)(project))


async def update_project(request: Request) -> Response:
    body = await read_body(request, PROJECT_UPDATE)
    project = require(request, "projects", path_id(request), "Project")
    _project_fields(request, project, body)
    if "jobIds" in body:
        _set_project_jobs(request, project, body["jobIds"])
    project["externalData"] = external_entries(request, body.get("externalData"), project.get("externalData") or [],
                                               update=True)
    touch(request, "projects", project)
    return json_response(PROJECT_OUT(request)(project))


def _set_project_jobs(request: Request, project: Record, job_ids: list[int]) -> None:
    jobs = [referenced(request, "jobs", i, "jobIds", "Job") for i in job_ids]
    for job in jobs:
        _refuse_other_project(job, project)
    for old in set(project.get("jobIds") or []) - set(job_ids):
        job = coll(request, "jobs").get(old)
        if job is not None and job.get("projectId") == project["id"]:
            job["projectId"] = None
            touch(request, "jobs", job)
    for job in jobs:
        if job.get("projectId") != project["id"]:
            job["projectId"] = project["id"]
            touch(request, "jobs", job)
    project["jobIds"] = list(dict.fromkeys(job_ids))


def _refuse_other_project(job: Record, project: Record) -> None:
    if job.get("projectId") not in (None, project["id"]):
        raise bad("jobId", f"Job {job['id']} already belongs to project {job['projectId']}.")
    if job.get("customerId") != project.get("customerId"):
        raise bad("jobId", f"Job {job['id']} belongs to another customer than project {project['id']}.")


@unknown_id_is_400
async def attach_job(request: Request) -> Response:
    project = require(request, "projects", path_id(request), "Project")
    job = path_job(request, "jobId")
    _refuse_other_project(job, project)
    if job["id"] not in (project.get("jobIds") or []):
        job["projectId"] = project["id"]
        project["jobIds"] = [*(project.get("jobIds") or []), job["id"]]
        touch(request, "jobs", job)
        touch(request, "projects", project)
    return no_content()


@unknown_id_is_400
async def detach_job(request: Request) -> Response:
    job = path_job(request, "jobId")
    project = coll(request, "projects").get(job.get("projectId") or 0)
    if project is None:
        raise bad("jobId", f"Job {job['id']} is not attached to a project.")
    job["projectId"] = None
    project["jobIds"] = [i for i in project.get("jobIds") or [] if i != job["id"]]
    touch(request, "jobs", job)
    touch(request, "projects", project)
    return no_content()


def routes() -> list[Route]:
    return [
        export_route("/export/projects", "projects", EXPORT_PROJECT_OUT),
        list_route("/projects", "projects", PROJECT_OUT, PROJECT_FILTERS, sort=PROJECT_SORT),
        Route("/projects", create_project, methods=["POST"]),
        Route("/projects/detach-job/{jobId:int}", detach_job, methods=["POST"]),
        get_route("/projects/{id:int}", "projects", PROJECT_OUT, "Project"),
        Route("/projects/{id:int}", update_project, methods=["PATCH"]),
        Route("/projects/{id:int}/attach-job/{jobId:int}", attach_job, methods=["POST"]),
        # project statuses, substatuses, types
        list_route("/project-statuses", "project_statuses", PROJECT_STATUS,
                   [f_contains("name"), f_ids(), *CREATED_MODIFIED], sort=STATUS_SORT),
        get_route("/project-statuses/{id:int}", "project_statuses", PROJECT_STATUS, "Project status"),
        list_route("/project-substatuses", "project_substatuses", PROJECT_SUBSTATUS,
                   [f_contains("name"), f_int("statusId"), f_ids(), *CREATED_MODIFIED, f_active()],
                   sort=SUBSTATUS_SORT),
        get_route("/project-substatuses/{id:int}", "project_substatuses", PROJECT_SUBSTATUS, "Project substatus"),
        list_route("/project-types", "project_types", PROJECT_TYPE, sort=None),
        get_route("/project-types/{id:int}", "project_types", PROJECT_TYPE, "Project type"),
    ]
