"""The read side of FSM Navigator's other resources: customers (with their locations), technicians and
assets, as their API pages describe them. The sandbox serves reads only; their POST/PUT/PATCH (documented
for customers, locations and assets) answer 405, since the board never writes them.

The location object is not shown in the stored reference (only the create body: `location_name`,
`street`, `city`, `state`, `zip`); the sandbox answers with those plus `location_id`, `customer_id`,
`is_primary`, `notes`, `created_at` and `updated_at`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from .http import choice_param, created_between, int_param, listing, not_found, read_answer, wants_one
from .state import FsmState
from .workflow import ASSET_STATUSES, AVAILABILITY, TECHNICIAN_STATUSES

Row = dict[str, Any]


def _same(row: Row) -> Row:
    return row


def _one(state: FsmState, kind: str, what: str, id: int) -> Row:
    row = state.records[kind].get(id)
    if row is None:
        raise not_found(what, id)
    return row


def _searched(request: Request, *fields: str) -> Callable[[Row], bool]:
    text = (request.query_params.get("search") or "").casefold()
    return lambda row: not text or any(text in str(row.get(f) or "").casefold() for f in fields)


async def customers_endpoint(request: Request) -> JSONResponse:
    """`?id=` a customer (`&include=locations` embeds them), `?id=&locations=1` its locations (paged),
    else the list (`search`, `created_after`, `created_before`, `has_locations`)."""
    state: FsmState = request.app.state.fsm
    customer_id = wants_one(request)
    locations = state.records["locations"].values()
    if customer_id is not None:
        customer = _one(state, "customers", "Customer", customer_id)
        mine = [loc for loc in locations if loc["customer_id"] == customer_id]
        if request.query_params.get("locations") == "1":
            return listing(request, mine, _same)
        if request.query_params.get("include") == "locations":
            return read_answer(request, {**customer, "locations": mine})
        return read_answer(request, customer)
    with_locations = {loc["customer_id"] for loc in locations}
    has = choice_param(request, "has_locations", ("0", "1"))
    search, dated = _searched(request, "customer_name", "customer_email", "customer_phone"), created_between(request)
    rows = [row for row in state.records["customers"].values()
            if search(row) and dated(row) and (has is None or (row["customer_id"] in with_locations) == (has == "1"))]
    return listing(request, rows, _same)


async def technicians_endpoint(request: Request) -> JSONResponse:
    """`?id=` one technician, else the list (`status`, `availability_status`)."""
    state: FsmState = request.app.state.fsm
    technician_id = wants_one(request)
    if technician_id is not None:
        return read_answer(request, _one(state, "technicians", "Technician", technician_id))
    status = choice_param(request, "status", TECHNICIAN_STATUSES)
    availability = choice_param(request, "availability_status", AVAILABILITY)
    rows = [row for row in state.records["technicians"].values()
            if status in (None, row["status"]) and availability in (None, row["availability_status"])]
    return listing(request, rows, _same)


async def assets_endpoint(request: Request) -> JSONResponse:
    """`?id=` one asset, else the list (`status`, `location_id`, `search`, `created_after`, `created_before`;
    the documented `asset_type_id`, `condition` and `ownership_type` filters are not modelled)."""
    state: FsmState = request.app.state.fsm
    asset_id = wants_one(request)
    if asset_id is not None:
        return read_answer(request, _one(state, "assets", "Asset", asset_id))
    status = choice_param(request, "status", ASSET_STATUSES)
    location_id = int_param(request, "location_id")
    search, dated = _searched(request, "asset_name", "asset_tag", "serial_number"), created_between(request)
    rows = [row for row in state.records["assets"].values()
            if status in (None, row["asset_status"]) and location_id in (None, row["location_id"])
            and search(row) and dated(row)]
    return listing(request, rows, _same)
