"""External data on jobs, projects and job types: key/value entries that belong to an application (its GUID).

Stored as `externalData` entries tagged `_app` with the writer's GUID (seed data has none); answered only to a
request naming that application in `externalDataApplicationGuid`; looked up with `externalDataKey` +
`externalDataValues`.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from jpm_tui.sandbox.http import Field

from .._common import Predicate, Record, Shape
from ..guid_projector import per_guid
from .body_fields import REQ_STR, STR
from .checks import bad

EXTERNAL_CREATE = Field("object", schema={
    "applicationGuid": REQ_STR,
    "externalData": Field("array", required=True, items=Field("object", schema={"key": REQ_STR, "value": REQ_STR})),
})
EXTERNAL_UPDATE = Field("object", schema={
    "patchMode": Field("string", enum=["Replace", "Merge"]),
    "applicationGuid": REQ_STR,
    "externalData": Field("array", required=True, items=Field("object", schema={"key": REQ_STR, "value": STR})),
})


def with_external_data(shape: Shape) -> Callable[[Request], Callable[[Record], Record]]:
    """External data belongs to an application: entries written with an applicationGuid show only when
    `externalDataApplicationGuid` names it; entries without one (seed data) always show."""
    return per_guid(shape, _entries_seen, _guid_asked)


def _guid_asked(request: Request) -> str | None:
    return (request.query_params.get("externalDataApplicationGuid") or "").lower() or None


def _entries_seen(record: Record, guid: str | None) -> list[Record]:
    return [{"key": e["key"], "value": e["value"]} for e in record.get("externalData") or []
            if e.get("_app") is None or e.get("_app") == guid]


def external_entries(request: Request, body: Record | None, current: list[Record], *, update: bool) -> list[Record]:
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


def external_lookup(request: Request) -> Predicate | None:
    """`externalDataKey` + `externalDataValues` (both or neither, as documented)."""
    key = request.query_params.get("externalDataKey")
    values = request.query_params.get("externalDataValues")
    if not key and not values:
        return None
    if not key or not values:
        missing = "externalDataValues" if key else "externalDataKey"
        raise bad(missing, "externalDataKey and externalDataValues must be provided together.")
    wanted = {v.strip() for v in values.split(",") if v.strip()}
    guid = (request.query_params.get("externalDataApplicationGuid") or "").lower() or None
    return lambda r: any(e["key"] == key and e["value"] in wanted and e.get("_app") in (None, guid)
                         for e in r.get("externalData") or [])
