"""The client's machinery: auth flow, retries and backoff, 429, faults, RFC 7807 mapping, paging, limits.

Precise behaviour is pinned with small fake servers (httpx.MockTransport) and recorded sleeps; the same
paths are then exercised over real loopback HTTP against the sandbox's rate limiter and fault switches.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from jpm_tui.api.client import ServiceTitanClient, check_base_url, encode_params, split_export_body
from jpm_tui.api.errors import (
    ApiError,
    AuthError,
    NotFoundError,
    RateLimitedError,
    TransportError,
    ValidationError,
)
from jpm_tui.api.limiter import RateLimiter

SECRET = "s3cr3t-value"
API = "https://api.example.test"
AUTH = "https://auth.example.test"


class FakeServiceTitan:
    """A tiny scripted ServiceTitan: a token endpoint and whatever answers a test queues for the API."""

    def __init__(self, lifetime: int = 900) -> None:
        self.lifetime = lifetime
        self.tokens_issued = 0
        self.answers: list[httpx.Response | Exception] = []
        self.api_requests: list[httpx.Request] = []
        self.revoked: set[str] = set()

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/connect/token":
            form = dict(httpx.QueryParams(request.content.decode()))
            if form.get("client_secret") != SECRET:
                return httpx.Response(400, json={"error": "invalid_client"})
            self.tokens_issued += 1
            return httpx.Response(200, json={"access_token": f"token-{self.tokens_issued}",
                                             "token_type": "Bearer", "expires_in": self.lifetime})
        self.api_requests.append(request)
        if request.headers.get("Authorization", "").removeprefix("Bearer ") in self.revoked:
            return httpx.Response(401, json=problem(401, "Token expired"))
        answer = self.answers.pop(0) if self.answers else httpx.Response(200, json={"ok": True})
        if isinstance(answer, Exception):
            raise answer
        return answer


def problem(status: int, title: str, errors: dict | None = None) -> dict:
    return {"type": "https://tools.ietf.org/html/rfc7231", "title": title, "status": status,
            "traceId": "abc123", "errors": errors or {}, "data": {}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def make_client(fake: FakeServiceTitan, clock: Clock | None = None, **kwargs) -> ServiceTitanClient:
    clock = clock or Clock()
    options = dict(rate_limit=None, max_retries=3, backoff_base=0.01)
    options.update(kwargs)
    return ServiceTitanClient(api_url=API, auth_url=AUTH, tenant=42, client_id="cid", client_secret=SECRET,
                              app_key="app-key-1", transport=httpx.MockTransport(fake.handler),
                              sleep=clock.sleep, clock=clock, **options)


# ---------------------------------------------------------------------------------------------- auth


async def test_one_token_for_concurrent_requests_and_app_key_on_each():
    fake = FakeServiceTitan()
    async with make_client(fake) as client:
        await asyncio.gather(*(client.request("GET", "jpm", "jobs") for _ in range(10)))
    assert fake.tokens_issued == 1
    assert all(r.headers["ST-App-Key"] == "app-key-1" for r in fake.api_requests)
    assert {r.headers["Authorization"] for r in fake.api_requests} == {"Bearer token-1"}
    assert str(fake.api_requests[0].url) == f"{API}/jpm/v2/tenant/42/jobs"


async def test_token_is_renewed_before_it_expires():
    fake, clock = FakeServiceTitan(lifetime=900), Clock()
    async with make_client(fake, clock) as client:
        await client.request("GET", "jpm", "jobs")
        clock.now += 850  # inside the last minute before expiry
        await client.request("GET", "jpm", "jobs")
        await client.request("GET", "jpm", "jobs")
    assert fake.tokens_issued == 2
    assert [r.headers["Authorization"] for r in fake.api_requests] == ["Bearer token-1", "Bearer token-2",
                                                                       "Bearer token-2"]


async def test_a_401_gets_one_retry_with_a_fresh_token():
    fake = FakeServiceTitan()
    async with make_client(fake) as client:
        await client.request("GET", "jpm", "jobs")
        fake.revoked.add("token-1")
        assert await client.request("GET", "jpm", "jobs") == {"ok": True}
    assert fake.tokens_issued == 2 and len(fake.api_requests) == 3


async def test_a_second_401_is_an_auth_error_not_a_loop():
    fake = FakeServiceTitan()
    fake.answers = [httpx.Response(401, json=problem(401, "Unauthorized"))] * 2
    async with make_client(fake) as client:
        with pytest.raises(AuthError) as raised:
            await client.request("GET", "jpm", "jobs")
    assert raised.value.status == 401 and len(fake.api_requests) == 2


async def test_refused_credentials_name_the_client_id_never_the_secret(caplog):
    fake = FakeServiceTitan()
    caplog.set_level(logging.DEBUG)
    client = ServiceTitanClient(api_url=API, auth_url=AUTH, tenant=42, client_id="cid", client_secret="wrong",
                                app_key="app-key-1", transport=httpx.MockTransport(fake.handler))
    async with client:
        with pytest.raises(AuthError) as raised:
            await client.request("GET", "jpm", "jobs")
    message = str(raised.value)
    assert "ServiceTitan rejected the client credentials (invalid_client)" in message and "'cid'" in message
    for text in (message, repr(client), repr(client._http.auth), caplog.text):
        assert "wrong" not in text and SECRET not in text and "app-key-1" not in text


async def test_debug_log_never_shows_the_token(caplog):
    caplog.set_level(logging.DEBUG, logger="jpm_tui.api")
    fake = FakeServiceTitan()
    async with make_client(fake) as client:
        await client.request("GET", "jpm", "jobs")
    assert "GET jpm/jobs -> 200" in caplog.text
    assert "token-1" not in caplog.text and SECRET not in caplog.text


# ------------------------------------------------------------------------------------------- retries


async def test_429_waits_as_retry_after_says():
    fake, clock = FakeServiceTitan(), Clock()
    fake.answers = [httpx.Response(429, headers={"Retry-After": "3"}, json=problem(429, "Too many requests"))]
    async with make_client(fake, clock) as client:
        assert await client.request("GET", "jpm", "jobs") == {"ok": True}
    assert clock.slept == [3.0]


async def test_429_without_header_waits_the_seconds_in_its_title():
    fake, clock = FakeServiceTitan(), Clock()
    fake.answers = [httpx.Response(429, json=problem(429, "Rate limit exceeded. Please retry after 2 seconds."))]
    async with make_client(fake, clock) as client:
        await client.request("POST", "jpm", "jobs/1/notes", json={"text": "x"})  # refused before handling
    assert clock.slept == [2.0] and len(fake.api_requests) == 2


async def test_retry_after_as_an_http_date():
    fake, clock = FakeServiceTitan(), Clock()
    when = (datetime.now(UTC) + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    fake.answers = [httpx.Response(503, headers={"Retry-After": when}, json=problem(503, "Maintenance"))]
    async with make_client(fake, clock) as client:
        await client.request("GET", "jpm", "jobs")
    assert 25 <= clock.slept[0] <= 31


async def test_get_is_retried_on_503_with_growing_jittered_backoff():
    fake, clock = FakeServiceTitan(), Clock()
    fake.answers = [httpx.Response(503, json=problem(503, "Unavailable"))] * 3
    async with make_client(fake, clock, backoff_base=1.0, max_retries=3) as client:
        assert await client.request("GET", "jpm", "jobs") == {"ok": True}
    assert len(clock.slept) == 3
    assert all(0 <= wait <= 2 ** (n + 1) for n, wait in enumerate(clock.slept))


async def test_post_is_not_retried_once_it_may_have_reached_the_server():
    for failure in (httpx.ReadError("reset"), httpx.Response(503, json=problem(503, "Unavailable"))):
        fake = FakeServiceTitan()
        fake.answers = [failure]
        async with make_client(fake) as client:
            with pytest.raises((TransportError, ApiError)):
                await client.request("POST", "jpm", "jobs/1/notes", json={"text": "x"})
        assert len(fake.api_requests) == 1


async def test_post_is_retried_when_the_connection_never_opened():
    fake = FakeServiceTitan()
    fake.answers = [httpx.ConnectError("connection refused")]
    async with make_client(fake) as client:
        assert await client.request("POST", "jpm", "jobs/1/notes", json={"text": "x"}) == {"ok": True}
    assert len(fake.api_requests) == 2


async def test_retries_exhausted_raise_the_last_answer():
    fake = FakeServiceTitan()
    fake.answers = [httpx.Response(429, headers={"Retry-After": "1"}, json=problem(429, "Slow down"))] * 5
    async with make_client(fake, max_retries=2) as client:
        with pytest.raises(RateLimitedError) as raised:
            await client.request("GET", "jpm", "jobs")
    assert raised.value.retry_after == 1.0 and len(fake.api_requests) == 3


async def test_unreachable_host_is_a_transport_error_naming_it():
    fake = FakeServiceTitan()
    fake.answers = [httpx.ConnectError("[Errno 111] Connection refused")] * 4
    async with make_client(fake, max_retries=3) as client:
        with pytest.raises(TransportError) as raised:
            await client.request("GET", "jpm", "jobs")
    assert str(raised.value) == "Could not reach api.example.test: connection refused"


async def test_malformed_json_in_a_200_is_retried_for_get_then_named():
    fake = FakeServiceTitan()
    fake.answers = [httpx.Response(200, content=b'{"data": [')] * 2
    async with make_client(fake, max_retries=1) as client:
        with pytest.raises(TransportError, match="api.example.test sent a malformed JSON answer"):
            await client.request("GET", "jpm", "jobs")
    assert len(fake.api_requests) == 2


# ------------------------------------------------------------------------------------------- errors


async def test_rfc7807_maps_to_a_typed_error_with_field_errors():
    fake = FakeServiceTitan()
    fake.answers = [httpx.Response(400, json=problem(400, "One or more validation errors occurred.",
                                                     {"ReasonId": ["The reasonId field is required."]}))]
    async with make_client(fake) as client:
        with pytest.raises(ValidationError) as raised:
            await client.request("PUT", "jpm", "jobs/1/cancel", json={"memo": "m"})
    error = raised.value
    assert (error.status, error.trace_id) == (400, "abc123")
    assert error.field_errors("reasonId") == ["The reasonId field is required."]
    assert str(error) == "One or more validation errors occurred. (400)\nReasonId: The reasonId field is required."


async def test_a_proxy_error_page_still_gives_a_useful_error():
    fake = FakeServiceTitan()
    fake.answers = [httpx.Response(404, text="<html>Not Found</html>")]
    async with make_client(fake) as client:
        with pytest.raises(NotFoundError) as raised:
            await client.request("GET", "jpm", "jobs/9")
    assert raised.value.title == "Not Found" and raised.value.errors == {}


# -------------------------------------------------------------------------------- paging and export


async def test_paginate_follows_has_more_with_page_size_and_total():
    fake = FakeServiceTitan()
    fake.answers = [httpx.Response(200, json={"page": 1, "pageSize": 2, "hasMore": True, "totalCount": 3,
                                              "data": [{"id": 1}, {"id": 2}]}),
                    httpx.Response(200, json={"page": 2, "pageSize": 2, "hasMore": False, "totalCount": 3,
                                              "data": [{"id": 3}]})]
    async with make_client(fake) as client:
        pages = [p async for p in client.paginate("jpm", "jobs", params={"jobStatus": "Hold"}, page_size=2,
                                                  include_total=True)]
    assert [row["id"] for p in pages for row in p.data] == [1, 2, 3] and pages[0].total_count == 3
    assert [dict(r.url.params) for r in fake.api_requests] == [
        {"jobStatus": "Hold", "page": "1", "pageSize": "2", "includeTotal": "true"},
        {"jobStatus": "Hold", "page": "2", "pageSize": "2", "includeTotal": "true"}]
    with pytest.raises(ValueError):
        [p async for p in client.paginate("jpm", "jobs", page_size=5001)]


async def test_export_hands_back_each_page_with_its_token():
    fake = FakeServiceTitan()
    fake.answers = [httpx.Response(200, json={"hasMore": True, "continueFrom": "t1", "data": [{"id": 1}]}),
                    httpx.Response(200, json={"hasMore": False, "continueFrom": "t2", "data": [{"id": 2}]})]
    async with make_client(fake) as client:
        pages = [p async for p in client.export("jpm", "export/jobs", from_token="t0", include_recent_changes=True)]
    assert [(p.continue_from, p.has_more) for p in pages] == [("t1", True), ("t2", False)]
    assert [dict(r.url.params) for r in fake.api_requests] == [
        {"from": "t0", "includeRecentChanges": "true"}, {"from": "t1", "includeRecentChanges": "true"}]


async def test_export_rows_come_with_their_text_as_sent_and_a_malformed_page_is_retried():
    rows = [{"id": 1, "summary": "Leak \u00e9 \\ \"quoted\"", "tags": [1, 2]}, {"id": 2, "nested": {"a": [None, True]}}]
    spaced = ('{\n  "data": [\n    ' + json.dumps(rows[0], indent=2) + ' ,\n  ' + json.dumps(rows[1]) + '\n  ],\n'
              '  "continueFrom": "t1", "hasMore": false\n}\n')
    fake = FakeServiceTitan()
    fake.answers = [httpx.Response(200, content=b'{"hasMore": true, "continueFrom": "t1", "data": [{"id": 1},'),
                    httpx.Response(200, content=spaced.encode())]
    async with make_client(fake) as client:
        pages = [p async for p in client.export("jpm", "export/jobs")]
    assert len(fake.api_requests) == 2 and [(p.continue_from, p.has_more) for p in pages] == [("t1", False)]
    assert pages[0].data == rows and pages[0].texts == [json.dumps(rows[0], indent=2), json.dumps(rows[1])]


@pytest.mark.parametrize("body", [
    '{"hasMore":true,"continueFrom":"x","data":[{"id":1},{"id":2,"s":"\u65e5\u672c \\\\ \\u00e9"}]}',
    '{"data":[{"id":1}],"hasMore":false,"data":[{"id":3}]}',  # a repeated key: the last one, as json.loads
    '{"data":null,"hasMore":false}', '{"data":[],"x":{"data":[1]}}', '{}', ' \r\n{ "data" : [ [1] , "a" , 2 ] } ',
    '\ufeff{"data":[{"id":1}]}',
])
def test_an_export_body_reads_as_json_loads_reads_it(body: str):
    expected = json.loads(body.encode())
    head, rows, texts = split_export_body(body.encode())
    assert {**head, "data": rows} == {**expected, "data": expected.get("data") or []}
    assert [json.loads(t) for t in texts] == rows and all(t in body for t in texts)


@pytest.mark.parametrize("body", [
    "", "[]", '{"data":[1,]}', '{"data":[1],}', '{"data":[1] "x":1}', '{"data":[1]', '{"data":[{"id":1}', '{"data":1}',
    '{"data":[1]} x', '{1:2}', '{"a" 1}', '{"data":[1 2]}', '{"data":[01]}',
])
def test_a_malformed_export_body_is_a_value_error(body: str):
    with pytest.raises(ValueError):
        split_export_body(body.encode())


def test_query_values_are_encoded_the_way_servicetitan_reads_them():
    phoenix = timezone(timedelta(hours=-7))
    assert encode_params({"active": True, "ids": [1, 2], "skip": None,
                          "modifiedOnOrAfter": datetime(2026, 11, 23, 8, 0, tzinfo=phoenix),
                          "naive": datetime(2026, 11, 23, 15, 0)}) == {
        "active": "true", "ids": "1,2", "modifiedOnOrAfter": "2026-11-23T15:00:00Z", "naive": "2026-11-23T15:00:00Z"}


def test_only_https_leaves_the_machine():
    assert check_base_url("https://api.servicetitan.io/", what="api_url") == "https://api.servicetitan.io"
    assert check_base_url("http://127.0.0.1:8765", what="api_url") == "http://127.0.0.1:8765"
    assert check_base_url("http://localhost:8765", what="api_url") == "http://localhost:8765"
    with pytest.raises(ValueError, match="api_url must be an https:// URL"):
        check_base_url("http://api.servicetitan.io", what="api_url")


async def test_limiter_keeps_a_sliding_window():
    clock = Clock()
    limiter = RateLimiter(5, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        await limiter.acquire()
    assert clock.slept == []
    await limiter.acquire()
    assert len(clock.slept) == 1 and clock.slept[0] == pytest.approx(1.05)
    assert clock.now >= 1000.0 + 1.05


# --------------------------------------------------------------- over loopback against the sandbox


def sandbox_client(server, **kwargs) -> ServiceTitanClient:
    options = dict(rate_limit=None, max_retries=3, backoff_base=0.01, timeout=10)
    options.update(kwargs)
    return ServiceTitanClient(api_url=server.url, auth_url=server.url, tenant=server.tenant,
                              client_id=server.client_id, client_secret=server.client_secret,
                              app_key=server.app_key, **options)


async def test_sandbox_rate_limit_429_is_absorbed_by_retry_after(sandbox_server, sandbox_state):
    sandbox_state.rate_limit = 5
    async with sandbox_client(sandbox_server) as client:
        results = await asyncio.gather(*(client.request("GET", "jpm", "job-types") for _ in range(8)))
    assert all("data" in r for r in results)


async def test_sandbox_token_expiry_means_a_refresh(sandbox_server, sandbox_state):
    sandbox_state.token_lifetime = 1
    async with sandbox_client(sandbox_server) as client:
        await client.request("GET", "jpm", "job-types")
        first = client._http.auth._token
        await asyncio.sleep(1.1)
        await client.request("GET", "jpm", "job-types")
        assert client._http.auth._token != first


async def test_sandbox_faults_retried_for_reads_never_duplicated_for_writes(sandbox_server, sandbox_state):
    job = next(iter(sandbox_state["jobs"].values()))
    notes_before = sum(1 for n in sandbox_state["job_notes"].values() if n.get("jobId") == job["id"])
    async with sandbox_client(sandbox_server) as client:
        sandbox_state.faults.fail_next = [503, 502]
        assert (await client.request("GET", "jpm", f"jobs/{job['id']}"))["id"] == job["id"]
        sandbox_state.faults.fail_next = [503]
        with pytest.raises(ApiError) as raised:
            await client.request("POST", "jpm", f"jobs/{job['id']}/notes", json={"text": "once"})
        assert raised.value.status == 503
        sandbox_state.faults.malformed_rate = 1.0
        with pytest.raises(TransportError, match="malformed JSON"):
            await client.request("GET", "jpm", f"jobs/{job['id']}")
        sandbox_state.faults.malformed_rate = 0.0
        sandbox_state.faults.drop_rate = 1.0
        with pytest.raises(TransportError, match="closed mid-response|Could not reach"):
            await client.request("POST", "jpm", f"jobs/{job['id']}/notes", json={"text": "dropped"})
        sandbox_state.faults.drop_rate = 0.0
    notes_after = sum(1 for n in sandbox_state["job_notes"].values() if n.get("jobId") == job["id"])
    assert notes_after - notes_before <= 1  # the dropped POST may have landed once; never twice


async def test_sandbox_latency_past_the_timeout_is_a_clear_transport_error(sandbox_server, sandbox_state):
    sandbox_state.faults.latency_ms = 800
    async with sandbox_client(sandbox_server, read_timeout=0.2, max_retries=0) as client:
        with pytest.raises(TransportError, match="timed out"):
            await client.request("GET", "jpm", "job-types")
