"""`/api/v1/jobs`: list (filters, paging), get (`?id=`, with linked assets), create (201), update (PUT,
`asset_ids` replacing every link) and status change (PATCH, the transition table enforced).

Where the reference is silent, the choices (each a careful API's) are:
- lists come in `job_id` order, so paging to the end sees every job once while new jobs arrive;
- unknown body fields are refused (400 naming them): `job_status` on POST/PUT points to PATCH;
- assigning a technician by PUT leaves the status alone (the reference's create example assigns one and
  answers Pending); only PATCH moves a status;
- an asset already linked and named again keeps its link (type, notes, linked_at) unless
  `asset_relationship_type` is sent, which then applies to every asset named; `asset_ids` entries that are
  not integers are a 400, integers naming no asset are skipped silently (documented);
- a PUT that changes nothing leaves `updated_at` alone; every real change moves it to the sandbox clock;
- PATCH to In Progress stamps `actual_start` (when empty), to Completed `actual_end`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..state import iso, parse_iso
from .http import (
    ApiFailure,
    choice_param,
    created_between,
    int_param,
    invalid,
    is_int,
    json_object,
    listing,
    not_found,
    read_answer,
    wants_one,
    write_answer,
)
from .state import FsmState
from .workflow import DEFAULT_PRIORITY, DEFAULT_RELATIONSHIP, PRIORITIES, RELATIONSHIP_TYPES, STATUSES, TRANSITIONS

EDITABLE = ("job_title", "job_description", "job_priority", "customer_location_id", "assigned_technician_id",
            "scheduled_start", "scheduled_end", "asset_ids", "asset_relationship_type")
MAX_TITLE = 255
MAX_DESCRIPTION = 10_000

Fail = Callable[[str, str], None]
"""Records one field's problem (name, message)."""


async def jobs_endpoint(request: Request) -> JSONResponse:
    state: FsmState = request.app.state.fsm
    job_id = wants_one(request)
    if request.method == "GET":
        return read_answer(request, _detail(state, _job(state, job_id))) if job_id else _list(request, state)
    if request.method == "POST":
        if job_id is not None:
            raise invalid("id", "POST creates a job and takes no id; use PUT to update one")
        return await _create(request, state)
    if job_id is None:
        raise invalid("id", f"{request.method} needs the job's id: /api/v1/jobs?id={{id}}")
    job = _job(state, job_id)
    return await (_update(request, state, job) if request.method == "PUT" else _set_status(request, state, job))


def _job(state: FsmState, job_id: int) -> dict[str, Any]:
    job = state.jobs.get(job_id)
    if job is None:
        raise not_found("Job", job_id)
    return job


# ------------------------------------------------------------------------------------------------ reads


def _list(request: Request, state: FsmState) -> JSONResponse:
    wanted = {
        "job_status": choice_param(request, "status", STATUSES),
        "job_priority": choice_param(request, "priority", PRIORITIES),
        "assigned_technician_id": int_param(request, "assigned_technician_id"),
        "customer_location_id": int_param(request, "customer_location_id"),
    }
    dates = (request.query_params.get("created_after"), request.query_params.get("created_before"))
    key = (state.version, tuple(wanted.items()), dates)
    rows = state.cache.get(key)
    if rows is None:  # 100,000 jobs: filter once per data version, not once per page
        fields = {name: value for name, value in wanted.items() if value is not None}
        in_range = created_between(request)
        rows = [job for job in state.jobs.values()
                if all(job[name] == value for name, value in fields.items()) and (dates == (None, None) or in_range(job))]
        state.cache.clear()
        state.cache[key] = rows
    return listing(request, rows, _summary)


def _summary(job: dict[str, Any]) -> dict[str, Any]:
    """A job as the list shows it: without the `assets` array (the reference's list example has none)."""
    return {name: value for name, value in job.items() if name != "assets"}


def _detail(state: FsmState, job: dict[str, Any]) -> dict[str, Any]:
    assets = state.records["assets"]
    links = [{"asset_id": link["asset_id"], "asset_tag": assets[link["asset_id"]]["asset_tag"],
              "asset_name": assets[link["asset_id"]]["asset_name"],
              "asset_status": assets[link["asset_id"]]["asset_status"], "relationship_type": link["relationship_type"],
              "relationship_notes": link["relationship_notes"], "linked_at": link["linked_at"]}
             for link in job["assets"] if link["asset_id"] in assets]
    return {**job, "assets": links}


# ----------------------------------------------------------------------------------------------- writes


async def _create(request: Request, state: FsmState) -> JSONResponse:
    body = await json_object(request)
    changes = _checked(state, body, None)
    now = iso(state.now())
    job: dict[str, Any] = {
        "job_id": state.next_job_id(), "job_title": "", "job_description": None, "job_status": "Pending",
        "job_priority": DEFAULT_PRIORITY, "assigned_technician_id": None, "assigned_technician_name": None,
        "customer_location_id": None, "customer_location_name": None, "customer_id": None, "customer_name": None,
        "scheduled_start": None, "scheduled_end": None, "actual_start": None, "actual_end": None,
        "created_at": now, "updated_at": now, "assets": [],
    }
    _apply(state, job, changes, now)
    state.jobs[job["job_id"]] = job
    state.changed()
    data = {name: job[name] for name in ("job_id", "job_title", "job_status", "created_at")}
    return write_answer(request, "Job created successfully", data, status=201)


async def _update(request: Request, state: FsmState, job: dict[str, Any]) -> JSONResponse:
    body = await json_object(request)
    if not body:
        raise invalid("body", "Send at least one field to update")
    changes = _checked(state, body, job)
    before = repr(job)
    _apply(state, job, changes, iso(state.now()))
    if repr(job) != before:
        job["updated_at"] = iso(state.now())
        state.changed()
    return write_answer(request, "Job updated successfully",
                        {name: job[name] for name in ("job_id", "job_title", "job_status")})


async def _set_status(request: Request, state: FsmState, job: dict[str, Any]) -> JSONResponse:
    body = await json_object(request)
    extra = sorted(set(body) - {"job_status"})
    if extra:
        raise ApiFailure(400, "validation_failed", "PATCH changes only job_status; use PUT for other fields",
                         errors={name: [f"{name} cannot be changed by PATCH"] for name in extra})
    target = body.get("job_status")
    if target not in STATUSES:
        raise invalid("job_status", f"job_status must be one of {', '.join(STATUSES)}; got {target!r}")
    current = job["job_status"]
    allowed = TRANSITIONS.get(current, ())
    if target not in allowed:
        reason = (f"{current} is a terminal status" if not allowed
                  else f"from {current} the job can go to {', '.join(allowed)}")
        raise ApiFailure(400, "invalid_status_transition",
                         f"Cannot change the job's status from {current} to {target}: {reason}",
                         current_status=current, requested_status=target, allowed_transitions=list(allowed))
    now = iso(state.now())
    job["job_status"] = target
    if target == "In Progress" and job["actual_start"] is None:
        job["actual_start"] = now
    if target == "Completed":
        job["actual_end"] = now
    job["updated_at"] = now
    state.changed()
    return write_answer(request, f"Job status updated to {target}",
                        {"job_id": job["job_id"], "job_status": target, "previous_status": current})


# ----------------------------------------------------------------------------------------- validation


def _checked(state: FsmState, body: dict[str, Any], job: dict[str, Any] | None) -> dict[str, Any]:
    """The body's fields, checked (`job` None: a create). Every problem is named, then one 400."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in body:
        if name == "job_status":
            fail(name, "job_status is changed with PATCH /api/v1/jobs?id={id}")
        elif name not in EDITABLE:
            fail(name, f"{name} is not a field a job accepts")
    for name in ("job_title", "customer_location_id"):
        if job is None and body.get(name) is None:
            fail(name, f"{name} is required")
    out = {name: value for name, value in body.items() if name in EDITABLE}
    if "job_title" in out and (not isinstance(out["job_title"], str) or not out["job_title"].strip()
                               or len(out["job_title"]) > MAX_TITLE):
        fail("job_title", f"job_title must be text of 1 to {MAX_TITLE} characters")
    description = out.get("job_description")
    if description is not None and (not isinstance(description, str) or len(description) > MAX_DESCRIPTION):
        fail("job_description", f"job_description must be text of at most {MAX_DESCRIPTION} characters")
    if "job_priority" in out and out["job_priority"] not in PRIORITIES:
        fail("job_priority", f"job_priority must be one of {', '.join(PRIORITIES)}")
    if "customer_location_id" in out and (not is_int(out["customer_location_id"])
                                          or out["customer_location_id"] not in state.records["locations"]):
        fail("customer_location_id", f"customer_location_id {out['customer_location_id']!r} is not a location")
    _check_technician(state, out, job, fail)
    _check_schedule(out, job, fail)
    _check_assets(out, fail)
    if errors:
        message = "; ".join(m for messages in errors.values() for m in messages)
        raise ApiFailure(400, "validation_failed", message, errors=errors)
    return out


def _check_technician(state: FsmState, out: dict[str, Any], job: dict[str, Any] | None, fail: Fail) -> None:
    if out.get("assigned_technician_id") is None:
        return
    tech_id = out["assigned_technician_id"]
    technician = state.records["technicians"].get(tech_id) if is_int(tech_id) else None
    if technician is None:
        fail("assigned_technician_id", f"assigned_technician_id {tech_id!r} is not a technician")
    elif technician["status"] != "Active" and (job is None or job["assigned_technician_id"] != tech_id):
        fail("assigned_technician_id", f"technician {tech_id} is inactive and cannot take new work")


def _check_schedule(out: dict[str, Any], job: dict[str, Any] | None, fail: Fail) -> None:
    window: dict[str, datetime | None] = {}
    for name in ("scheduled_start", "scheduled_end"):
        value = out[name] if name in out else (job or {}).get(name)
        parsed = parse_iso(value) if isinstance(value, str) else None
        if value is not None and parsed is None:
            fail(name, f"{name} must be an ISO 8601 date-time")
        window[name] = parsed
        if name in out and parsed is not None:
            out[name] = iso(parsed)
    start, end = window["scheduled_start"], window["scheduled_end"]
    if end is not None and start is None:
        fail("scheduled_end", "scheduled_end needs a scheduled_start")
    elif start is not None and end is not None and end <= start:
        fail("scheduled_end", "scheduled_end must be after scheduled_start")


def _check_assets(out: dict[str, Any], fail: Fail) -> None:
    ids = out.get("asset_ids")
    if "asset_ids" in out and (not isinstance(ids, list) or not all(is_int(i) for i in ids)):
        fail("asset_ids", "asset_ids must be an array of integers")
    kind = out.get("asset_relationship_type")
    if "asset_relationship_type" in out:
        if kind not in RELATIONSHIP_TYPES:
            fail("asset_relationship_type", f"asset_relationship_type must be one of {', '.join(RELATIONSHIP_TYPES)}")
        elif "asset_ids" not in out:
            fail("asset_relationship_type", "asset_relationship_type applies to the asset_ids sent with it")


def _apply(state: FsmState, job: dict[str, Any], changes: dict[str, Any], now: str) -> None:
    for name in ("job_title", "job_description", "job_priority", "scheduled_start", "scheduled_end"):
        if name in changes:
            job[name] = changes[name].strip() if name == "job_title" else changes[name]
    if "customer_location_id" in changes:
        location = state.records["locations"][changes["customer_location_id"]]
        job.update(customer_location_id=location["location_id"], customer_location_name=location["location_name"],
                   customer_id=location["customer_id"],
                   customer_name=state.records["customers"][location["customer_id"]]["customer_name"])
    if "assigned_technician_id" in changes:
        technician = state.records["technicians"].get(changes["assigned_technician_id"] or 0)
        job["assigned_technician_id"] = technician["technician_id"] if technician else None
        job["assigned_technician_name"] = f"{technician['first_name']} {technician['last_name']}" if technician else None
    if "asset_ids" in changes:
        job["assets"] = _links(state, job, changes["asset_ids"], changes.get("asset_relationship_type"), now)


def _links(state: FsmState, job: dict[str, Any], asset_ids: list[int], kind: str | None, now: str
           ) -> list[dict[str, Any]]:
    """The new set of links: every known asset named once, in the order named; unknown ids skipped."""
    old = {link["asset_id"]: link for link in job["assets"]}
    links = []
    for asset_id in dict.fromkeys(asset_ids):
        if asset_id not in state.records["assets"]:
            continue
        link = dict(old.get(asset_id) or {"asset_id": asset_id, "relationship_type": DEFAULT_RELATIONSHIP,
                                          "relationship_notes": None, "linked_at": now})
        if kind is not None:
            link["relationship_type"] = kind
        links.append(link)
    return links
