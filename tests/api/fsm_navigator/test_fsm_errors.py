"""Auth, error bodies, retries and the rate limit: the client against the sandbox over HTTP."""

from __future__ import annotations

import time

import pytest

from jpm_tui.api.errors import ApiError, AuthError, RateLimitedError, TransportError
from jpm_tui.api.fsm_navigator import FsmNavigatorClient, JobChanges, NewJob
from jpm_tui.sandbox.fsm_navigator import API_KEY

ERROR_KEYS = {"success", "error", "message", "request_id"}


@pytest.mark.parametrize(("key", "words"), [(None, "Missing API key"), ("fsm_test_wrong", "Invalid API key")])
async def test_a_missing_or_wrong_key_is_refused_with_401(fsm_server, key, words):
    async with fsm_server.http(api_key=key) as http:
        answer = await http.get("/jobs")
    assert answer.status_code == 401
    body = answer.json()
    assert set(body) == ERROR_KEYS and (body["success"], body["error"]) == (False, "unauthorized")
    assert words in body["message"] and body["request_id"] == answer.headers["X-Request-Id"]


async def test_the_client_raises_auth_error_in_the_apis_words(fsm_server, sleeps):
    async with FsmNavigatorClient(api_url=fsm_server.api_url, api_key="fsm_test_wrong", rate_limit=None,
                                  sleep=sleeps) as client:
        with pytest.raises(AuthError) as refused:
            await client.jobs.get(10001)
    assert (refused.value.status, refused.value.type, refused.value.title) == (401, "unauthorized", "Invalid API key")
    assert sleeps.waits == []  # a refused key is not retried
    assert "fsm_test_wrong" not in repr(client) and API_KEY not in repr(client._http.auth)


def test_an_empty_key_is_refused_before_any_request():
    with pytest.raises(ValueError, match="empty"):
        FsmNavigatorClient(api_key=" ")


def test_plain_http_is_for_loopback_only():
    with pytest.raises(ValueError, match="https"):
        FsmNavigatorClient(api_url="http://fsmnavigator.com/api/v1", api_key=API_KEY)


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("GET", "/jobs?id=99999", 404, "not_found"),
    ("GET", "/jobs?id=abc", 400, "validation_failed"),
    ("DELETE", "/jobs?id=10001", 405, "method_not_allowed"),
    ("GET", "/invoices", 404, "not_found"),
    ("POST", "/customers", 405, "method_not_allowed"),
])
async def test_every_error_body_has_the_documented_shape(fsm_server, method, path, status, code):
    async with fsm_server.http() as http:
        answer = await http.request(method, path)
    assert answer.status_code == status
    body = answer.json()
    assert ERROR_KEYS <= set(body) and (body["success"], body["error"]) == (False, code) and body["message"]


async def test_injected_429_is_retried_after_retry_after_even_for_a_post(fsm, fsm_state, sleeps):
    fsm_state.fail_next = [429, 429]
    created = await fsm.jobs.create(NewJob(job_title="Thermostat replacement", customer_location_id=501))
    assert sleeps.waits == [1.0, 1.0]  # the Retry-After header, not a guess
    assert created.data.job_id in fsm_state.jobs and len(fsm_state.jobs) == 31  # created once


async def test_a_429_past_the_retries_is_rate_limited_error_with_the_wait(fsm_server, fsm_state, sleeps):
    fsm_state.fail_next = [429] * 3
    async with FsmNavigatorClient(api_url=fsm_server.api_url, api_key=API_KEY, rate_limit=None, max_retries=2,
                                  sleep=sleeps) as client:
        with pytest.raises(RateLimitedError) as limited:
            await client.jobs.get(10001)
    assert (limited.value.type, limited.value.retry_after) == ("rate_limit_exceeded", 1.0)
    assert limited.value.data["retry_after"] == 1


async def test_5xx_is_retried_for_reads_and_puts_never_for_posts_or_patches(fsm, fsm_state, sleeps):
    fsm_state.fail_next = [503, 502]
    assert (await fsm.jobs.get(10001)).job_id == 10001
    fsm_state.fail_next = [502]
    await fsm.jobs.update(10001, JobChanges(job_priority="High"))
    assert fsm_state.jobs[10001]["job_priority"] == "High"
    fsm_state.fail_next = [502]
    with pytest.raises(ApiError) as failed:
        await fsm.jobs.set_status(10001, "Assigned")
    assert (failed.value.status, failed.value.type) == (502, "bad_gateway")
    assert fsm_state.jobs[10001]["job_status"] == "Pending"
    fsm_state.fail_next = [500]
    with pytest.raises(ApiError):
        await fsm.jobs.create(NewJob(job_title="x", customer_location_id=501))
    assert len(fsm_state.jobs) == 30
    assert len(sleeps.waits) == 3  # 503 and 502 on the GET, 502 on the PUT


async def test_the_sandbox_rate_limit_sends_the_documented_headers_and_429(fsm_server, fsm_state):
    fsm_state.rate_limit, fsm_state.rate_window = 2, 30.0
    async with fsm_server.http() as http:
        first = await http.get("/technicians")
        second = await http.get("/technicians")
        third = await http.get("/technicians")
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("2", "1")
    assert second.headers["X-RateLimit-Remaining"] == "0"
    assert third.status_code == 429
    assert third.headers["Retry-After"] == str(third.json()["retry_after"]) and 1 <= third.json()["retry_after"] <= 30
    assert third.json()["error"] == "rate_limit_exceeded"
    assert int(third.headers["X-RateLimit-Reset"]) >= int(time.time())


async def test_the_client_waits_out_a_real_rate_limit(fsm_server, fsm_state):
    fsm_state.rate_limit, fsm_state.rate_window = 2, 0.5
    async with FsmNavigatorClient(api_url=fsm_server.api_url, api_key=API_KEY, rate_limit=None) as client:
        started = time.monotonic()
        names = [(await client.technicians.get(tech)).first_name for tech in (11, 12, 13)]
    assert names == ["Mike", "Dana", "Luis"]
    assert time.monotonic() - started >= 0.9  # the third waited Retry-After (1 s) and went through


async def test_a_dead_server_is_a_transport_error(sleeps):
    async with FsmNavigatorClient(api_url="http://127.0.0.1:9/api/v1", api_key=API_KEY, rate_limit=None,
                                  max_retries=1, sleep=sleeps) as client:
        with pytest.raises(TransportError, match="127.0.0.1"):
            await client.jobs.get(1)
    assert len(sleeps.waits) == 1
