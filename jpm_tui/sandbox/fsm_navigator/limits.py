"""Rate limiting as FSM Navigator's rate-limit page describes it: per API key over a rolling window, the
`X-RateLimit-Limit`, `-Remaining` and `-Reset` (Unix time) headers on every answer, and a 429 with
`Retry-After` and a `retry_after` body field once the window is full. The page gives tiers but no numbers,
so the sandbox has one window per key whose size is a setting (off unless asked for)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from .http import ApiFailure

RATE_LIMITED = "Too many requests. Please try again later."


def rate_limited(wait: int, headers: dict[str, str] | None = None) -> ApiFailure:
    return ApiFailure(429, "rate_limit_exceeded", RATE_LIMITED, retry_after=wait,
                      headers={**(headers or {}), "Retry-After": str(wait)})


class KeyRateLimiter:
    """A sliding window of request times per key (monotonic clock); the Reset header is wall-clock Unix time,
    as the reference defines it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._wall = wall
        self._windows: dict[str, deque[float]] = {}

    def check(self, key: str, limit: int | None, window: float) -> dict[str, str]:
        """Count one request and return the headers to send, or raise the 429 (that request not counted)."""
        if not limit:
            return {}
        now = self._clock()
        starts = self._windows.setdefault(key, deque())
        while starts and starts[0] <= now - window:
            starts.popleft()
        full = len(starts) >= limit
        if not full:
            starts.append(now)
        reset_in = starts[0] + window - now
        headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(limit - len(starts)),
                   "X-RateLimit-Reset": str(math.ceil(self._wall() + reset_in))}
        if full:
            raise rate_limited(max(1, math.ceil(reset_in)), headers)
        return headers

    def clear(self) -> None:
        self._windows.clear()
