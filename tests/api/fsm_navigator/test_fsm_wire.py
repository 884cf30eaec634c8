"""The client's reading of answers the sandbox never sends: unknown fields and statuses, the other spellings
the reference's pages use, and error bodies of other shapes. No server: fixed bodies."""

from __future__ import annotations

import httpx
import pytest

from jpm_tui.api.errors import ApiError, AuthError, ValidationError
from jpm_tui.api.fsm_navigator import InvalidStatusTransitionError, Job, JobCreated
from jpm_tui.api.fsm_navigator.errors import error_from_response


def test_a_job_keeps_unknown_fields_and_statuses_as_text():
    wire = {"job_id": 7, "job_status": "Awaiting Parts", "job_priority": "Emergency", "sla_due": "soon",
            "scheduled_start": "2026-02-25T09:00:00Z", "actual_start": "", "created_at": "2026-02-24 14:30:00"}
    job = Job.model_validate(wire)
    assert (job.job_status, job.job_priority, job.actual_start) == ("Awaiting Parts", "Emergency", None)
    assert job.created_at is not None and job.created_at.tzinfo is not None
    assert job.to_payload()["sla_due"] == "soon"


def test_a_created_job_id_is_read_as_job_id_or_id():
    assert JobCreated.model_validate({"job_id": 123}).job_id == JobCreated.model_validate({"id": 123}).job_id == 123


def _answer(status: int, body: object, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers, request=httpx.Request("GET", "https://x/api/v1/jobs"))


@pytest.mark.parametrize(("status", "body", "cls", "code"), [
    (400, {"success": False, "error": "invalid_status_transition", "message": "no"}, InvalidStatusTransitionError,
     "invalid_status_transition"),
    (400, {"error": {"code": "validation_failed", "message": "bad", "errors": [{"field": "job_title",
                                                                                "message": "required"}]}},
     ValidationError, "validation_failed"),
    (403, {"success": False, "error": "insufficient_scope", "message": "needs jobs:write"}, AuthError,
     "insufficient_scope"),
    (418, {"message": "teapot"}, ApiError, ""),
])
def test_error_bodies_of_every_shape_become_typed_errors(status, body, cls, code):
    error = error_from_response(_answer(status, body, **{"X-Request-Id": "abc123"}))
    assert type(error) is cls and error.type == code and error.status == status
    assert error.trace_id == "abc123" and error.title in ("no", "bad", "needs jobs:write", "teapot")
    if code == "validation_failed":
        assert error.field_errors("job_title") == ["required"]


def test_an_error_without_a_json_body_keeps_the_http_reason():
    answer = httpx.Response(502, text="<html>bad gateway</html>", request=httpx.Request("GET", "https://x/"))
    error = error_from_response(answer)
    assert error.status == 502 and error.title == "Bad Gateway" and "bad gateway" in error.raw
