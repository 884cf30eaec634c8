"""Job types: the list (ordered with `orderBy` + `orderByDirection` rather than `sort`, as documented),
creating and editing (names unique, referenced business units and tags checked), one job type."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import Field, int_param, json_response, paged, read_body, unknown_id_is_400

from .._common import (
    CREATED_MODIFIED,
    Filter,
    Predicate,
    Record,
    Shape,
    apply_filters,
    coll,
    f_active,
    f_contains,
    f_ids,
    f_same_text,
    get_route,
    insert,
    path_id,
    require,
    touch,
)
from .body_fields import IDS, INT_OPT, REQ_STR, STR
from .checks import bad, priority, referenced_ids
from .external_data import EXTERNAL_CREATE, EXTERNAL_UPDATE, external_entries, with_external_data
from .lists import by, by_date

JOB_TYPE = Shape(
    "id", "name", "businessUnitIds", "skills", "tagTypeIds", "priority", "duration", "soldThreshold", "class",
    "summary", "noCharge", "enforceRecurringServiceEventSelection", "invoiceSignaturesRequired", "modifiedOn",
    "createdOn", "externalData", "active",
)
JOB_TYPE_OUT = with_external_data(JOB_TYPE)

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


def _duration_bound(name: str, op: str) -> Filter:
    def build(request: Request) -> Predicate | None:
        bound = int_param(request, name)
        if bound is None:
            return None
        return (lambda t: (t.get("duration") or 0) >= bound) if op == ">=" else (lambda t: (t.get("duration") or 0) <= bound)

    return build


JOB_TYPE_FILTERS: list[Filter] = [
    f_contains("name"), _duration_bound("minDuration", ">="), _duration_bound("maxDuration", "<="),
    f_same_text("priority", "priority"), f_ids(), f_active(), *CREATED_MODIFIED,
]


async def job_types_list(request: Request) -> Response:
    """Job types order with `orderBy` + `orderByDirection` instead of `sort` (as documented)."""
    rows = apply_filters(request, coll(request, "job_types").values(), JOB_TYPE_FILTERS)
    field = (request.query_params.get("orderBy") or "").strip()
    if field:
        key = {"id": by("id"), "modifiedon": by_date("modifiedOn"), "createdon": by_date("createdOn")}.get(field.lower())
        if key is None:
            raise bad("orderBy", f"Ordering by '{field}' is not supported. Supported: id, modifiedOn, createdOn.")
        direction = (request.query_params.get("orderByDirection") or "asc").lower()
        if direction not in ("asc", "ascending", "desc", "descending"):
            raise bad("orderByDirection", f"The direction '{direction}' is not supported. Use asc or desc.")
        rows = sorted(rows, key=key, reverse=direction.startswith("desc"))
    return paged(request, rows, JOB_TYPE_OUT(request))


def _job_type_fields(request: Request, job_type: Record, body: Record) -> None:
    name = body.get("name")
    if name is not None:
        clash = next((t for t in coll(request, "job_types").values()
                      if t["id"] != job_type.get("id") and str(t.get("name", "")).lower() == name.lower()), None)
        if clash is not None:
            raise bad("name", f"A job type named '{name}' already exists.")
    if "businessUnitIds" in body:
        referenced_ids(request, "business_units", body["businessUnitIds"], "businessUnitIds", "Business unit")
    if "tagTypeIds" in body:
        referenced_ids(request, "tag_types", body["tagTypeIds"], "tagTypeIds", "Tag type")
    if body.get("priority") is not None:
        body = {**body, "priority": priority(body["priority"])}
    if (body.get("duration") or 0) < 0:
        raise bad("duration", "duration must not be negative.")
    job_type.update({k: v for k, v in body.items() if k != "externalData" and (v is not None or k == "soldThreshold")})


async def create_job_type(request: Request) -> Response:
    body = await read_body(request, JOB_TYPE_CREATE)
    job_type: Record = {
        "name": None, "businessUnitIds": [], "skills": [], "tagTypeIds": [], "priority": "Normal", "duration": 3600,
        "soldThreshold": None, "class": "", "summary": "", "noCharge": False,
        "enforceRecurringServiceEventSelection": False, "invoiceSignaturesRequired": False,
        "externalData": external_entries(request, body.get("externalData"), [], update=False), "active": True,
    }
    _job_type_fields(request, job_type, body)
    insert(request, "job_types", job_type)
    return json_response(JOB_TYPE_OUT(request)(job_type))


@unknown_id_is_400
async def update_job_type(request: Request) -> Response:
    body = await read_body(request, JOB_TYPE_UPDATE)
    job_type = require(request, "job_types", path_id(request), "Job type")
    _job_type_fields(request, job_type, body)
    job_type["externalData"] = external_entries(request, body.get("externalData"),
                                                job_type.get("externalData") or [], update=True)
    touch(request, "job_types", job_type)
    return json_response(JOB_TYPE_OUT(request)(job_type))


def routes() -> list[Route]:
    return [
        Route("/job-types", job_types_list, methods=["GET"]),
        Route("/job-types", create_job_type, methods=["POST"]),
        get_route("/job-types/{id:int}", "job_types", JOB_TYPE_OUT, "Job type"),
        Route("/job-types/{id:int}", update_job_type, methods=["PATCH"]),
    ]
