"""Why jobs are canceled and work is put on hold: the two reason lists, and the check a cancel or a hold makes
of the reason it names."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from .._common import CREATED_MODIFIED, Record, Shape, coll, f_active, list_route
from .checks import bad
from .lists import BASIC_SORT

REASON = Shape("id", "name", "active", "createdOn", "modifiedOn")
REASON_FILTERS = [f_active(default="Any"), *CREATED_MODIFIED]  # reasons list inactive ones too by default


def active_reason(request: Request, collection: str, reason_id: int, what: str) -> Record:
    record = coll(request, collection).get(reason_id)
    if record is None or record.get("active") is False:
        raise bad("reasonId", f"{what} with ID {reason_id} does not exist or is inactive.", f"Invalid reasonId {reason_id}")
    return record


def routes() -> list[Route]:
    return [
        list_route("/job-cancel-reasons", "job_cancel_reasons", REASON, REASON_FILTERS, sort=BASIC_SORT),
        list_route("/job-hold-reasons", "job_hold_reasons", REASON, REASON_FILTERS, sort=BASIC_SORT),
    ]
