"""Rate limiting and fault injection, so clients can be tested against the failures they will meet.

The rate limit is a sliding one-second window per (app key, tenant), like ServiceTitan's per-app quota.
Faults come from `state.faults`: `fail_next` answers the next API requests with exact statuses (the
deterministic switch tests should prefer); the rates draw from the state's seeded RNG.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass

import httpx
from starlette.types import Message, Scope, Send

from .http import ProblemError
from .state import SandboxState

_ERROR_STATUSES = (500, 502, 503)
_ERROR_TITLES = {
    429: "Too many requests. Please retry after 1 seconds.",
    500: "An unexpected error occurred.",
    502: "Bad gateway.",
    503: "The service is temporarily unavailable. Please retry later.",
    504: "Gateway timeout.",
}


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised mid-response to drop the connection. Over real HTTP the server closes the socket; through
    httpx.ASGITransport the exception itself reaches the client, so it is an httpx transport error."""

    def __init__(self) -> None:
        super().__init__("sandbox fault: connection dropped before the response ended")


class RateLimiter:
    """Sliding one-second window of request times per key."""

    def __init__(self) -> None:
        self._windows: dict[tuple[str, int], deque[float]] = {}

    def check(self, key: tuple[str, int], per_second: float | None) -> None:
        """Count one request, or raise a 429 ProblemError (request not counted) when over the limit."""
        if per_second is None:
            return
        now = time.monotonic()
        window = self._windows.setdefault(key, deque())
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= per_second:
            wait = max(1, math.ceil(window[0] + 1.0 - now))
            raise ProblemError(429, f"Too many requests. Please retry after {wait} seconds.",
                               headers={"Retry-After": str(wait)})
        window.append(now)

    def clear(self) -> None:
        self._windows.clear()


@dataclass(frozen=True)
class Plan:
    """What to do to one request's response after the handler ran."""

    drop: bool = False
    malformed: bool = False


async def plan_request(state: SandboxState) -> Plan:
    """Raise a ProblemError for injected failures (the handler never runs), sleep for latency, and say
    whether the response must be dropped or mangled."""
    faults = state.faults
    if faults.fail_next:
        status = faults.fail_next.pop(0)
        raise injected(status)
    if faults.error_rate and state.rng.random() < faults.error_rate:
        raise injected(state.rng.choice(_ERROR_STATUSES))
    if faults.latency_ms:
        await asyncio.sleep(faults.latency_ms / 1000)
    drop = bool(faults.drop_rate) and state.rng.random() < faults.drop_rate
    malformed = not drop and bool(faults.malformed_rate) and state.rng.random() < faults.malformed_rate
    return Plan(drop=drop, malformed=malformed)


def injected(status: int) -> ProblemError:
    headers = {"Retry-After": "1"} if status in (429, 503) else None
    return ProblemError(status, _ERROR_TITLES.get(status, "Injected failure."), headers=headers)


def mangling_send(send: Send, plan: Plan) -> Send:
    """Wrap `send` to carry out a drop or malformed plan on the handler's response."""
    if plan.drop:
        return _dropping(send)
    if plan.malformed:
        return _truncating(send)
    return send


def _dropping(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.body":
            body = message.get("body", b"")
            await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
            raise ConnectionDropped()
        await send(message)

    return wrapped


def _truncating(send: Send) -> Send:
    """Buffer the whole response, then send it as a 200 whose JSON body stops halfway."""
    start: Message = {}
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        whole = b"".join(chunks)
        body = whole[: max(1, len(whole) // 2)] if len(whole) > 2 else b'{"data": ['
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length", b"content-type")]
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return wrapped


def is_api_path(scope: Scope) -> bool:
    """Admin and token endpoints are neither authenticated, rate limited nor faulted."""
    path: str = scope["path"]
    return not (path.startswith("/_sandbox/") or path == "/connect/token")

