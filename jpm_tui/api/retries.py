"""One API request sent with the house's retry policy, for a client that builds its own URLs (BigChange's).

GET/PUT/DELETE (idempotent) go again on 429, 502, 503, 504 and connection errors, with exponential backoff and
full jitter, honouring `Retry-After`; POST and PATCH go again only when the request provably never reached the
server (a connection never opened, a 429 refused before handling). ServiceTitan's client applies the same rules
in its own loop (`client.ServiceTitanClient._request`), which also retries malformed answers of its feeds.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from jpm_tui.api.client import IDEMPOTENT_METHODS, NEVER_SENT, RETRY_STATUSES, retry_after
from jpm_tui.api.errors import TransportError, error_from_response
from jpm_tui.api.limiter import RateLimiter


def full_jitter(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with full jitter, so many clients do not retry in step."""
    return random.uniform(0, min(cap, base * 2**attempt))


async def send_with_retries(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    params: Mapping[str, Any] | None,
    json: Any,
    limiter: RateLimiter,
    max_retries: int,
    backoff: Callable[[int], float],
    sleep: Callable[[float], Awaitable[None]],
) -> httpx.Response:
    """The successful answer; raises `TransportError` or the `ApiError` that matches an error answer."""
    method = method.upper()
    idempotent = method in IDEMPOTENT_METHODS
    attempt = 0
    while True:
        await limiter.acquire()
        try:
            response = await http.request(method, url, params=params, json=json)
        except httpx.TransportError as exc:
            if attempt < max_retries and (idempotent or isinstance(exc, NEVER_SENT)):
                attempt += 1
                await sleep(backoff(attempt))
                continue
            raise TransportError.from_httpx(exc) from exc
        if response.status_code in RETRY_STATUSES:
            wait = retry_after(response)
            # A 429 was refused before handling, so even a PATCH may go again; a 5xx may have run.
            if attempt < max_retries and (idempotent or response.status_code == 429):
                attempt += 1
                await sleep(wait if wait is not None else backoff(attempt))
                continue
            raise error_from_response(response, retry_after=wait)
        if response.is_error:
            raise error_from_response(response)
        return response
