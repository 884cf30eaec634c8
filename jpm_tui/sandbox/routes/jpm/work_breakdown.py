"""The work breakdown structure (loose, 2026): segments, their items, budget codes and matching codes.

Not in the May 2025 document; shapes are modelled loosely on the 2026 reference pages. Segments (cost code,
cost type, ...) hold a tree of items; a budget code picks items of segments. Records may carry `projectId`:
such items and codes belong to one project, the rest are company-wide and valid on every project.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import Field, json_response, paged, read_body, read_body_list

from .._common import Record, Shape, coll, insert, path_id, require
from .body_fields import INT_OPT, REQ_INT
from .checks import bad, referenced

SEGMENT = Shape("id", "name", "type", "structure", "isActive", "isRequired")
SEGMENT_ITEM = Shape("id", "parentId", "code", "description", "path", "costCategory", "isActive")
BUDGET_CODE = Shape(
    "id", "code", "description", segments=Shape("segmentId", "segmentItemId", "code", "description", "path")
)

BUDGET_CODE_FULL = {"segmentItemIds": Field("array", required=True, items=Field("integer", nullable=False))}
BUDGET_CODE_PARTIAL = {
    "segments": Field("array", required=True, items=Field("object", nullable=False, schema={
        "segmentId": REQ_INT, "segmentItemId": INT_OPT,
    })),
}

WBS = "/work-breakdown-structure"


def _for_project(request: Request) -> Callable[[Record], bool]:
    project_id = path_id(request, "projectId") if "projectId" in request.path_params else None
    if project_id is not None:
        require(request, "projects", project_id, "Project")
    return lambda r: r.get("projectId") in (None, project_id)


async def list_segments(request: Request) -> Response:
    visible = _for_project(request)
    rows = [s for s in coll(request, "wbs_segments").values() if visible(s)]
    return json_response({"data": [SEGMENT(s) for s in rows]})


def segment_items_route(path: str, *, children: bool) -> Route:
    """Items of a segment (company or project scope), or the children of one item."""

    async def handler(request: Request) -> Response:
        visible = _for_project(request)
        segment = require(request, "wbs_segments", path_id(request, "segmentId"), "Segment")
        items = coll(request, "wbs_segment_items")
        parent = (require(request, "wbs_segment_items", path_id(request, "segmentItemId"), "Segment item")["id"]
                  if children else None)
        rows = [i for i in items.values() if i.get("segmentId") == segment["id"] and visible(i)
                and (not children or i.get("parentId") == parent)]
        return paged(request, rows, SEGMENT_ITEM)

    return Route(path, handler, methods=["GET"])


async def list_budget_codes(request: Request) -> Response:
    visible = _for_project(request)
    return paged(request, [c for c in coll(request, "budget_codes").values() if visible(c)], BUDGET_CODE)


async def match_budget_codes(request: Request) -> Response:
    """`codes=a,b`: for each code string, whether it is a valid budget code and which codes match."""
    raw = request.query_params.get("codes")
    if not raw:
        raise bad("codes", "The codes parameter is required.")
    visible = _for_project(request)
    codes = [c for c in coll(request, "budget_codes").values() if visible(c)]
    matches = []
    for wanted in (c.strip() for c in raw.split(",") if c.strip()):
        found = [BUDGET_CODE(c) for c in codes if str(c.get("code", "")).lower() == wanted.lower()]
        matches.append({"code": wanted, "isValid": bool(found), "budgetCodes": found})
    return json_response({"matches": matches})


def _budget_code(request: Request, bindings: list[tuple[int, int | None]], *, partial: bool) -> Record:
    """Build and insert a budget code from (segmentId, segmentItemId) pairs; a full code binds one item
    of every active segment, a partial one may leave segments open (item None)."""
    segments = [s for s in coll(request, "wbs_segments").values() if s.get("isActive", True)]
    items = coll(request, "wbs_segment_items")
    by_segment: dict[int, int | None] = {}
    for segment_id, item_id in bindings:
        referenced(request, "wbs_segments", segment_id, "segments", "Segment")
        if segment_id in by_segment:
            raise bad("segments", f"Segment {segment_id} appears twice.")
        if item_id is not None:
            item = referenced(request, "wbs_segment_items", item_id, "segmentItemIds", "Segment item")
            if item.get("segmentId") != segment_id:
                raise bad("segmentItemIds", f"Segment item {item_id} is not an item of segment {segment_id}.")
        by_segment[segment_id] = item_id
    if not partial:
        missing = [s["id"] for s in segments if s["id"] not in by_segment]
        if missing:
            raise bad("segmentItemIds", f"A budget code needs one item of every segment; missing segments {missing}.")
    parts = []
    for segment in segments:
        item = items.get(by_segment.get(segment["id"]) or 0)
        if segment["id"] in by_segment or not partial:
            parts.append({"segmentId": segment["id"], "segmentItemId": item["id"] if item else None,
                          "code": item.get("code") if item else None,
                          "description": item.get("description") if item else None,
                          "path": item.get("path") if item else None})
    return insert(request, "budget_codes", {
        "code": "-".join(p["code"] or "*" for p in parts),
        "description": " / ".join(p["description"] or "Any" for p in parts),
        "segments": parts, "projectId": None,
    })


def _full_bindings(request: Request, body: Record) -> list[tuple[int, int | None]]:
    items = [referenced(request, "wbs_segment_items", i, "segmentItemIds", "Segment item")
             for i in body["segmentItemIds"]]
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


def routes() -> list[Route]:
    return [
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
