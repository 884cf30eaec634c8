"""`PATCH /v1/jobs/{jobId}`: "Update a job" with the rules of the reference (the seed).

Every field is optional: an omitted field keeps its value; `reference`, `personId` and `orderNumber` take null
to unset (a null `personId` puts the contact's primary person back); `plannedDuration`, `description` and
`customFields` cannot be null; a custom field's null value unsets it, and an empty or absent list keeps them all.
Answers: 204 with the change visible on the next read; 404 for an unknown job; 400 for a body that is not JSON,
not an object, has a wrong type, an unknown property or a null where none is allowed; 422 with an `errors` map
naming each field a rule refuses (nothing is applied then):
- the description or the person of a job that has been started or completed (a value equal to the current
  one is no change and passes);
- a missing order number (null or blank) on a job whose type requires one, when the body sets it;
- a person who is not one of the job's contact's people, a custom field definition that does not exist, a
  value a list field does not offer or a number field cannot read, a duration out of 1..10080 minutes.
Where the reference is silent (what "started" covers, duplicates of a reference) see the code's comments.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..http import Field, read_body
from ..state import iso, parse_iso
from .problems import VALIDATION_TITLE, Problem
from .state import DONE_STATUSES, WORK_STATUSES, BigChangeState

BODY = {
    "plannedDuration": Field("integer", nullable=False),
    "description": Field("string", nullable=False),
    "reference": Field("string"),  # "should usually be unique": not enforced, as the word "usually" says
    "personId": Field("string"),
    "orderNumber": Field("string"),
    "customFields": Field("array", nullable=False, items=Field("object", nullable=False, schema={
        "definitionId": Field("integer", required=True),
        "value": Field("string"),  # absent reads as null, as a .NET body binder leaves it
    })),
}
LOCKED = WORK_STATUSES | DONE_STATUSES  # "started or completed": a suspended job has been started
MAX_DURATION = 7 * 24 * 60


async def update_job(request: Request) -> Response:
    state: BigChangeState = request.app.state.sandbox
    job_id: int = request.path_params["job_id"]
    job = state.tables["jobs"].get(job_id)
    if job is None:
        raise Problem(404, "Not Found", f"Job {job_id} was not found.")
    state.received_patches.append((job_id, await request.body()))
    body = await read_body(request, BODY)
    if body.get("personId") is not None and not _is_uuid(body["personId"]):
        raise Problem(400, "Bad Request", f"personId: '{body['personId']}' is not a uuid.")
    person = _person(state, job, body)
    errors = _refusals(state, job, body, person)
    if errors:
        raise Problem(422, VALIDATION_TITLE, f"Job {job_id} cannot be updated as asked.", errors)
    _apply(state, job, body, person)
    return Response(status_code=204)


def _person(state: BigChangeState, job: dict, body: dict) -> dict | None:
    """The person the job would have after the update (None: the body leaves the person alone)."""
    if "personId" not in body:
        return None
    contact = state.tables["contacts"][job["contactId"]]
    wanted = body["personId"] if body["personId"] is not None else contact.get("primaryPersonId")
    return state.tables["persons"].get(wanted) or {"id": wanted, "contactId": None}


def _refusals(state: BigChangeState, job: dict, body: dict, person: dict | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    locked = job.get("status") in LOCKED
    duration = body.get("plannedDuration")
    if duration is not None and not 1 <= duration <= MAX_DURATION:
        errors["plannedDuration"] = [f"The planned duration must be between 1 and {MAX_DURATION} minutes."]
    if locked and "description" in body and body["description"] != job.get("description"):
        errors["description"] = ["The description cannot be updated once the job has been started or completed."]
    if person is not None:
        if person["contactId"] != job["contactId"]:
            errors["personId"] = [f"Person {person['id']} is not a person of contact {job['contactId']}."]
        elif locked and person["id"] != job.get("personId"):
            errors["personId"] = ["The person cannot be updated once the job has been started or completed."]
    if "orderNumber" in body and not (body["orderNumber"] or "").strip():
        job_type = state.tables["job_types"].get(job.get("typeId")) or {}
        if job_type.get("orderNumberRequired"):
            errors["orderNumber"] = [f"An order number is required for jobs of type '{job_type['name']}'."]
    for k, entry in enumerate(body.get("customFields") or []):
        definition = state.tables["custom_field_definitions"].get(entry["definitionId"])
        value = entry.get("value")
        if definition is None:
            errors[f"customFields[{k}].definitionId"] = [f"No custom field definition {entry['definitionId']}."]
        elif value is not None and definition["type"] == "list" and value not in definition["options"]:
            errors[f"customFields[{k}].value"] = [
                f"'{value}' is not an option of {definition['name']}: {', '.join(definition['options'])}."]
        elif value is not None and definition["type"] == "number" and not _is_number(value):
            errors[f"customFields[{k}].value"] = [f"{definition['name']} takes a number, not '{value}'."]
    return errors


def _apply(state: BigChangeState, job: dict, body: dict, person: dict | None) -> None:
    for name in ("description", "reference", "orderNumber"):
        if name in body:
            job[name] = body[name]
    if "plannedDuration" in body:
        job["plannedDuration"] = body["plannedDuration"]
        start = parse_iso(job["plannedStartAt"]) if job.get("plannedStartAt") else None
        if start is not None:
            job["plannedEndAt"] = iso(start + timedelta(minutes=body["plannedDuration"]))
    if person is not None:
        job["personId"], job["personName"] = person["id"], person.get("name")
    if body.get("customFields"):
        values: dict[int, Any] = {v["definitionId"]: v["value"] for v in job.get("customFields") or []}
        for entry in body["customFields"]:
            if entry.get("value") is None:
                values.pop(entry["definitionId"], None)
            else:
                values[entry["definitionId"]] = entry["value"]
        job["customFields"] = [{"definitionId": k, "value": v} for k, v in sorted(values.items())]


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True

