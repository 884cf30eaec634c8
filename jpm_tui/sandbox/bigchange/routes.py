"""The BigChange sandbox's API under `/v1`: paged collections (`pageNumber` 1..2147483, `pageSize` 1..1000,
answered as `{"items": [...]}`), jobs, a job's status history, contacts and their people, resources, job types
and custom field definitions, and "Update a job" (`update.py`).

The reference documents the paging, the status history's sort and "Update a job"; the job list's filters and the
other paths are the ones the client chose (`jpm_tui.api.bigchange.client.PATHS`, `JobFilter`), read here from
the same words without sharing its code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..http import datetime_param, enum_param, ids_param, int_param, invalid
from ..state import parse_iso
from .data import STATUS_PATHS
from .problems import Problem
from .state import BigChangeState
from .update import update_job

MAX_PAGE_SIZE = 1000
MAX_PAGE_NUMBER = 2_147_483
DEFAULT_PAGE_SIZE = 100
DIRECTIONS = ("ascending", "descending")
JOB_SORTS = ("id", "plannedStartAt", "createdAt")
VISIBLE_STATUSES = tuple(STATUS_PATHS)

Record = dict[str, Any]


def _state(request: Request) -> BigChangeState:
    return request.app.state.sandbox


def _page(request: Request, rows: list[Record], shape: Callable[[Record], Record] = dict) -> JSONResponse:
    number = int_param(request, "pageNumber") or 1
    size = int_param(request, "pageSize") or DEFAULT_PAGE_SIZE
    if not 1 <= number <= MAX_PAGE_NUMBER:
        raise invalid("pageNumber", f"The page number must be between 1 and {MAX_PAGE_NUMBER}.")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid("pageSize", f"The page size must be between 1 and {MAX_PAGE_SIZE}.")
    start = (number - 1) * size
    return JSONResponse({"items": [shape(row) for row in rows[start:start + size]]})


def _sorted(rows: Iterable[Record], request: Request, sorts: tuple[str, ...]) -> list[Record]:
    """By `sortBy` (the first of `sorts` by default), then id; missing values last either way."""
    key = enum_param(request, "sortBy", sorts) or sorts[0]
    descending = (enum_param(request, "direction", DIRECTIONS) or "ascending") == "descending"
    present = sorted((r for r in rows if r.get(key) is not None), key=lambda r: (_sort_value(r[key]), r["id"]),
                     reverse=descending)
    return present + sorted((r for r in rows if r.get(key) is None), key=lambda r: r["id"])


def _sort_value(value: Any) -> Any:
    return (parse_iso(value) or value) if isinstance(value, str) else value


def _get(request: Request, table: str, what: str, key: str) -> Record:
    record = _state(request).tables[table].get(request.path_params[key])
    if record is None:
        raise Problem(404, "Not Found", f"{what} {request.path_params[key]} was not found.")
    return record


# --------------------------------------------------------------------------------------------------- jobs


def _statuses(request: Request) -> set[str]:
    wanted = {p.strip() for v in request.query_params.getlist("status") for p in v.split(",") if p.strip()}
    unknown = sorted(wanted - set(VISIBLE_STATUSES))
    if unknown:
        raise invalid("status", f"The value '{unknown[0]}' is not valid. Values: {', '.join(VISIBLE_STATUSES)}.")
    return wanted


def _job_matches(request: Request) -> Callable[[Record], bool]:
    by_id = {name: set(ids_param(request, name) or ()) for name in ("jobId", "typeId", "contactId", "resourceId")}
    statuses = _statuses(request)
    start_from = datetime_param(request, "plannedStartFrom")
    start_to = datetime_param(request, "plannedStartTo")

    def matches(job: Record) -> bool:
        field = {"jobId": "id"}
        if any(ids and job.get(field.get(name, name)) not in ids for name, ids in by_id.items()):
            return False
        if statuses and job.get("status") not in statuses:
            return False
        if start_from or start_to:
            start: datetime | None = parse_iso(job["plannedStartAt"]) if job.get("plannedStartAt") else None
            if start is None or (start_from and start < start_from) or (start_to and start >= start_to):
                return False
        return True

    return matches


async def list_jobs(request: Request) -> JSONResponse:
    matches = _job_matches(request)
    jobs = [job for job in _state(request).tables["jobs"].values() if matches(job)]
    return _page(request, _sorted(jobs, request, JOB_SORTS))


async def get_job(request: Request) -> JSONResponse:
    return JSONResponse(_get(request, "jobs", "Job", "job_id"))


def _status_change(row: Record) -> Record:
    return {"id": row["id"], "status": row["status"], "createdAt": row["createdAt"], "comment": row.get("comment")}


async def job_status_history(request: Request) -> JSONResponse:
    job = _get(request, "jobs", "Job", "job_id")
    rows = _sorted(_state(request).history_of(job["id"]), request, ("createdAt",))
    return _page(request, rows, _status_change)


# ------------------------------------------------------------------------------------ contacts and the rest


def _listing(table: str, id_filter: str | None = None) -> Callable[[Request], Any]:
    async def handler(request: Request) -> JSONResponse:
        ids = set(ids_param(request, id_filter) or ()) if id_filter else set()
        rows = [r for r in _state(request).tables[table].values() if not ids or r["id"] in ids]
        return _page(request, sorted(rows, key=lambda r: r["id"]))

    return handler


async def get_contact(request: Request) -> JSONResponse:
    return JSONResponse(_get(request, "contacts", "Contact", "contact_id"))


async def contact_persons(request: Request) -> JSONResponse:
    contact = _get(request, "contacts", "Contact", "contact_id")
    people = [p for p in _state(request).tables["persons"].values() if p["contactId"] == contact["id"]]
    return _page(request, sorted(people, key=lambda p: (not p["isPrimary"], p["name"])))


def routes() -> list[Route]:
    return [
        Route("/jobs", list_jobs, methods=["GET"]),
        Route("/jobs/{job_id:int}", get_job, methods=["GET"]),
        Route("/jobs/{job_id:int}", update_job, methods=["PATCH"]),
        Route("/jobs/{job_id:int}/status-history", job_status_history, methods=["GET"]),
        Route("/contacts", _listing("contacts", "contactId"), methods=["GET"]),
        Route("/contacts/{contact_id:int}", get_contact, methods=["GET"]),
        Route("/contacts/{contact_id:int}/persons", contact_persons, methods=["GET"]),
        Route("/resources", _listing("resources", "resourceId"), methods=["GET"]),
        Route("/job-types", _listing("job_types"), methods=["GET"]),
        Route("/custom-field-definitions", _listing("custom_field_definitions"), methods=["GET"]),
    ]
