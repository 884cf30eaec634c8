"""One API request sent with the house's retry policy, for every backend's client (`http_client.HttpClient.send`).

GET/HEAD/OPTIONS/PUT/DELETE (idempotent) go again on 429, 502, 503, 504, on a malformed answer and on connection
errors, with exponential backoff and full jitter, honouring `Retry-After` (or a 429's title, "... N seconds");
POST and PATCH go again only when the request provably never reached the server (a connection never opened, a
429 refused before handling). How connection failures are retried is the client's choice (`RetryPolicy`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypeVar

import httpx

from jpm_tui.api.errors import ApiError, TransportError
from jpm_tui.api.limiter import RateLimiter

log = logging.getLogger("jpm_tui.api.http")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Errors raised before a byte of the request left: safe to retry even a POST.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
TRANSPORT_BACKOFF_MAX = 0.5
"""Longest wait before a quick reconnect (`RetryPolicy.reconnects`): a refused port or an unknown host fails in a
second, not after the growing waits (up to a minute in all) that 429 and 5xx answers get."""
PARSE_ON_A_THREAD = 128 * 1024
"""Answers of at least this many bytes are parsed on a worker thread: an export page of 1,000 jobs (~1 MB) takes
~10 ms to parse, which on the event loop (the board's) delayed every key pressed during a sync."""
_TITLE_SECONDS = re.compile(r"(\d+(?:\.\d+)?)\s*sec", re.IGNORECASE)

T = TypeVar("T")


class ErrorReader(Protocol):
    """A backend's reading of an error answer as the typed `ApiError` (each backend words its errors its own way)."""

    def __call__(self, response: httpx.Response, *, retry_after: float | None = None) -> ApiError: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 4
    """Retries of a 429 or 5xx answer and of a malformed one (and of failed connections, unless ``reconnects``)."""
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    reconnects: int | None = None
    """None: a failed connection, a timeout too, is retried like an error answer, within ``max_retries`` and after
    the same backoff. A number: at most that many quick retries (after up to ``TRANSPORT_BACKOFF_MAX``) of a
    connection that failed at once (refused, reset, unknown host), counted apart; a timeout is not retried, it has
    waited long enough."""

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter, so many clients do not retry in step."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * 2**attempt))


async def send_with_retries(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    what: str,
    params: Mapping[str, Any] | None,
    json: Any,
    parse: Callable[[httpx.Response], T],
    errors: ErrorReader,
    limiter: RateLimiter,
    policy: RetryPolicy,
    sleep: Callable[[float], Awaitable[None]],
    timeout: httpx.Timeout | None = None,
) -> T:
    """The successful answer read by ``parse`` (a ValueError from it is a malformed answer); raises
    `TransportError` or the `ApiError` ``errors`` reads from an error answer. ``what``: the request as logs and
    messages name it; ``timeout``: other than the HTTP client's."""
    method = method.upper()
    idempotent = method in IDEMPOTENT_METHODS
    attempt = 0  # retries of answers (429, 5xx, malformed), and of connections when they share the budget
    reconnects = 0  # quick retries of connections that failed at once, when counted apart
    while True:
        await limiter.acquire()
        started = time.perf_counter()
        try:
            response = await http.request(method, url, params=params, json=json,
                                          timeout=timeout or httpx.USE_CLIENT_DEFAULT)
        except httpx.TransportError as exc:
            if idempotent or isinstance(exc, NEVER_SENT):
                if policy.reconnects is None and attempt < policy.max_retries:
                    attempt += 1
                    await sleep(policy.backoff(attempt))
                    continue
                if (policy.reconnects is not None and reconnects < policy.reconnects
                        and not isinstance(exc, httpx.TimeoutException)):
                    reconnects += 1
                    await sleep(random.uniform(0, TRANSPORT_BACKOFF_MAX))
                    continue
            raise TransportError.from_httpx(exc) from exc
        log.debug("%s %s -> %s in %.0f ms (request %s)", method, what, response.status_code,
                  (time.perf_counter() - started) * 1000, response.headers.get("X-Request-Id", "-"))
        if response.status_code in RETRY_STATUSES:
            wait = retry_after(response)
            # A 429 was refused before handling, so even a POST may go again; a 5xx may have run.
            if attempt < policy.max_retries and (idempotent or response.status_code == 429):
                attempt += 1
                await sleep(wait if wait is not None else policy.backoff(attempt))
                continue
            raise errors(response, retry_after=wait)
        if response.is_error:
            raise errors(response)
        try:
            if len(response.content) < PARSE_ON_A_THREAD:
                return parse(response)
            return await asyncio.to_thread(parse, response)
        except ValueError as exc:
            if idempotent and attempt < policy.max_retries:
                attempt += 1
                await sleep(policy.backoff(attempt))
                continue
            host = response.request.url.host
            raise TransportError(f"{host} sent a malformed JSON answer to {method} {what}", host=host,
                                 answered=True) from exc


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or HTTP date), else from a 429's title."""
    header = response.headers.get("Retry-After")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                return max(0.0, (parsedate_to_datetime(header) - datetime.now(UTC)).total_seconds())
            except (TypeError, ValueError):
                pass
    if response.status_code == 429:
        try:
            match = _TITLE_SECONDS.search(str(response.json().get("title", "")))
        except ValueError:
            match = None
        if match:
            return float(match.group(1))
    return None
