"""Error answers against the documents: an unknown id is a 404 and an unknown body field a 400, each an
ApiErrorResponse that validates against the operation's documented error schema (see support/api_contract.py)."""

from __future__ import annotations

import re

import pytest
from support.api_contract import documents_present
from support.st_docs import REFERENCE

from jpm_tui.api.errors import NotFoundError, ValidationError
from jpm_tui.api.operations import OPERATIONS

UNKNOWN_ID = 987_654_321

READ_ONE = [op for op in OPERATIONS if op.kind == "get" and re.fullmatch(r"[\w/-]+/\{id\}", op.path)]
WRITES = [op for op in OPERATIONS if op.request is not None and op.http_method in ("POST", "PUT", "PATCH")]


@pytest.mark.parametrize("op", READ_ONE, ids=lambda op: f"{op.module}.{op.method_name}")
async def test_unknown_id_is_a_documented_404(st, contract, op):
    if not documents_present():  # the answer is checked against them: without them there is nothing to count
        pytest.skip(f"reference documents not found under {REFERENCE}")
    before = contract.checked["errors"] + contract.checked["undocumented"]
    with pytest.raises(NotFoundError) as raised:
        await getattr(getattr(st, op.module), op.method_name)(UNKNOWN_ID)
    assert raised.value.title and raised.value.trace_id
    assert contract.checked["errors"] + contract.checked["undocumented"] == before + 1


@pytest.mark.parametrize("op", WRITES, ids=lambda op: f"{op.module}.{op.method_name}")
async def test_unknown_body_field_is_a_400_naming_it(st, state, contract, op):
    path = op.path.format(**{name: _existing_id(state, op, name) for name in re.findall(r"\{(\w+)\}", op.path)})
    body: object = {"definitelyNotAField": 1}
    if op.path.endswith("batch"):
        body = [body]
    with pytest.raises(ValidationError) as raised:
        await st.client.request(op.http_method, op.module, path, json=body)
    assert raised.value.field_errors("definitelyNotAField") or any(
        "definitelyNotAField" in message for messages in raised.value.errors.values() for message in messages)


# The ids of records that exist, per path parameter and path, so the 400 is about the body, not a 404.
_COLLECTION_OF = {"jobs": "jobs", "appointments": "appointments", "projects": "projects",
                  "job-types": "job_types", "customers": "customers", "locations": "locations",
                  "technicians": "technicians", "employees": "employees", "business-units": "business_units",
                  "technician-shifts": "technician_shifts", "teams": "teams", "arrival-windows": "arrival_windows",
                  "non-job-appointments": "non_job_appointments", "leads": "leads"}


def _existing_id(state, op, name: str) -> int:
    if name == "jobId":
        collection = "jobs"
    else:
        collection = _COLLECTION_OF.get(op.path.split("/")[0], "jobs")
    return next(iter(state[collection].values()))["id"]
