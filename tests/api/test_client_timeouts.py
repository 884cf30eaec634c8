"""How long the client waits, and how often it retries, before it says the server cannot be reached: a connect and a
read timeout of their own for small requests (the token too), the 100 s ServiceTitan allows only for export pages, one
quick retry of a connection that failed at once, none of a timeout; ``ping`` for "is the server there at all"."""

from __future__ import annotations

import socket

import httpx
import pytest
from support.dead_ports import refused_socket, silent_socket, url_of

from jpm_tui.api.client import (
    CONNECT_TIMEOUT,
    EXPORT_READ_TIMEOUT,
    READ_TIMEOUT,
    TRANSPORT_BACKOFF_MAX,
    ServiceTitanClient,
)
from jpm_tui.api.errors import ApiError, AuthError, TransportError, unavailable_reason


class Recorder:
    """A scripted server recording each request's timeouts; ``failures`` are raised for API requests, in order."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, float | None]]] = []
        self.failures: list[Exception] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path, dict(request.extensions.get("timeout", {}))))
        if request.url.path == "/connect/token":
            return httpx.Response(200, json={"access_token": "t", "token_type": "Bearer", "expires_in": 900})
        if self.failures:
            raise self.failures.pop(0)
        return httpx.Response(200, json={"hasMore": False, "continueFrom": "x", "data": []})


class Sleeps:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


def _client(recorder: Recorder, sleeps: Sleeps | None = None, **kwargs) -> ServiceTitanClient:
    return ServiceTitanClient(api_url="https://api.example.test", auth_url="https://auth.example.test", tenant=42,
                              client_id="cid", client_secret="secret", app_key="key", rate_limit=None,
                              transport=httpx.MockTransport(recorder.handler), sleep=sleeps or Sleeps(), **kwargs)


async def test_small_requests_and_the_token_wait_briefly_export_pages_wait_100_s():
    recorder = Recorder()
    async with _client(recorder) as client:
        await client.request("GET", "jpm", "job-types")
        [page async for page in client.jpm.export_jobs()]
    waits = {path: timeout for _, path, timeout in recorder.seen}
    small = {"connect": CONNECT_TIMEOUT, "read": READ_TIMEOUT, "write": READ_TIMEOUT, "pool": READ_TIMEOUT}
    assert waits["/connect/token"] == small  # httpx gives an auth flow's request no timeout of its own
    assert waits["/jpm/v2/tenant/42/job-types"] == small
    assert waits["/jpm/v2/tenant/42/export/jobs"] == {**small, "read": EXPORT_READ_TIMEOUT}
    assert (CONNECT_TIMEOUT, READ_TIMEOUT, EXPORT_READ_TIMEOUT) == (5.0, 15.0, 100.0)


@pytest.mark.parametrize("failure", [httpx.ConnectError("[Errno 111] Connection refused"),
                                     httpx.ConnectError("[Errno -2] Name or service not known")])
async def test_a_connection_failing_at_once_is_retried_once_after_a_short_wait(failure):
    recorder, sleeps = Recorder(), Sleeps()
    recorder.failures = [failure] * 5
    async with _client(recorder, sleeps, max_retries=4) as client:
        with pytest.raises(TransportError) as raised:
            await client.request("GET", "jpm", "job-types")
    assert [path for _, path, _ in recorder.seen].count("/jpm/v2/tenant/42/job-types") == 2
    assert len(sleeps.slept) == 1 and 0 <= sleeps.slept[0] <= TRANSPORT_BACKOFF_MAX
    assert unavailable_reason(raised.value) == str(raised.value)


async def test_a_timeout_is_not_retried():
    recorder, sleeps = Recorder(), Sleeps()
    recorder.failures = [httpx.ReadTimeout("no answer"), httpx.ConnectTimeout("no answer")]
    async with _client(recorder, sleeps, max_retries=4) as client:
        for _ in range(2):
            with pytest.raises(TransportError, match="timed out"):
                await client.request("GET", "jpm", "job-types")
    assert [path for _, path, _ in recorder.seen].count("/jpm/v2/tenant/42/job-types") == 2 and not sleeps.slept


async def test_refused_and_unknown_hosts_are_named_in_words():
    with refused_socket() as sock:
        async with ServiceTitanClient(api_url=url_of(sock), auth_url=url_of(sock), tenant=1, client_id="c",
                                      client_secret="s", app_key="k", transport_retries=0) as client:
            with pytest.raises(TransportError) as refused:
                await client.ping()
    assert str(refused.value) == "Could not reach 127.0.0.1: connection refused"
    # what anyio raises when resolving fails: the resolver's error is the cause of a vaguer one
    recorder = Recorder()
    try:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    except socket.gaierror as cause:
        unknown = httpx.ConnectError("All connection attempts failed")
        unknown.__cause__ = cause
    recorder.failures = [unknown]
    async with _client(recorder, transport_retries=0) as client:
        with pytest.raises(TransportError) as raised:
            await client.request("GET", "jpm", "job-types")
    assert str(raised.value) == "Could not reach api.example.test: host name not found"


async def test_a_server_that_accepts_and_never_answers_times_out_the_token_and_the_ping():
    with silent_socket() as sock:
        async with ServiceTitanClient(api_url=url_of(sock), auth_url=url_of(sock), tenant=1, client_id="c",
                                      client_secret="s", app_key="k", connect_timeout=0.2, read_timeout=0.2,
                                      max_retries=4) as client:
            with pytest.raises(TransportError, match="127.0.0.1: timed out"):
                await client.request("GET", "jpm", "job-types")  # its token request waited for ever before
            with pytest.raises(TransportError, match="127.0.0.1: timed out"):
                await client.ping(timeout=0.2)


async def test_ping_asks_the_api_host_without_signing_in(sandbox_server):
    recorder = Recorder()
    async with _client(recorder) as client:
        await client.ping()
    assert recorder.seen == [("HEAD", "/", {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0})]
    async with ServiceTitanClient(api_url=sandbox_server.url, auth_url=sandbox_server.url, tenant=1, client_id="c",
                                  client_secret="wrong", app_key="k") as client:
        await client.ping()  # any answer will do, even with credentials the server refuses


def test_what_makes_the_api_unavailable_as_a_whole():
    assert unavailable_reason(TransportError("Could not reach h: timed out", host="h")) == "Could not reach h: timed out"
    assert unavailable_reason(TransportError("h sent a malformed JSON answer", host="h", answered=True)) is None
    assert unavailable_reason(AuthError(401, "Unauthorized")) == "sign-in refused (401): Unauthorized"
    assert unavailable_reason(AuthError(403, "Forbidden")) is None  # one endpoint's permission
    assert unavailable_reason(ApiError(503, "Unavailable")) is None
