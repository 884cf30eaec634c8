"""Custom fields of jobs and projects: the field types (`jobs/custom-fields`, `projects/custom-fields`) and
how a write's `{typeId, value}` items merge into a record's `customFields`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from jpm_tui.sandbox.http import Field

from .._common import CREATED_MODIFIED, Record, Shape, list_route
from .body_fields import REQ_INT, REQ_STR, STR
from .checks import referenced
from .lists import BASIC_SORT

CUSTOM_FIELD = Shape("typeId", "name", "value")
CUSTOM_FIELD_TYPE = Shape("id", "name", "dataType", "dataTypeOptions", "createdOn", "modifiedOn")

CUSTOM_FIELDS = Field("array", items=Field("object", schema={"typeId": REQ_INT, "value": STR}))
CUSTOM_FIELDS_STRICT = Field("array", items=Field("object", schema={"typeId": REQ_INT, "value": REQ_STR}))


def merged_custom_fields(request: Request, types: str, given: list[Record] | None,
                         current: list[Record]) -> list[Record]:
    """Merge {typeId, value} items into a record's customFields; a null value removes the field."""
    if not given:
        return current
    merged = {f["typeId"]: f for f in current}
    for item in given:
        kind = referenced(request, types, item["typeId"], "customFields", "Custom field type", active_only=False)
        if item.get("value") is None:
            merged.pop(item["typeId"], None)
        else:
            merged[item["typeId"]] = {"typeId": item["typeId"], "name": kind["name"], "value": item["value"]}
    return list(merged.values())


def routes() -> list[Route]:
    return [
        list_route("/jobs/custom-fields", "job_custom_field_types", CUSTOM_FIELD_TYPE, CREATED_MODIFIED,
                   sort=BASIC_SORT),
        list_route("/projects/custom-fields", "project_custom_field_types", CUSTOM_FIELD_TYPE, CREATED_MODIFIED,
                   sort=BASIC_SORT),
    ]
