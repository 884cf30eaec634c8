"""Client-side rate limiter that mirrors ServiceTitan's limit (60 requests/second per app per tenant).

A sliding window, like the server's: at most `rate` requests start within any `window` seconds. A token
bucket would allow a burst of `rate` on top of the steady rate and trip the server's window.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class RateLimiter:
    def __init__(
        self,
        rate: float | None,
        *,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._limit = int(rate) if rate else 0
        # A small margin: requests leave here slightly before they reach the server's clock.
        self._window = window * 1.05
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        if not self._limit:
            return
        async with self._lock:
            while True:
                now = self._clock()
                while self._starts and now >= self._starts[0] + self._window:
                    self._starts.popleft()
                if len(self._starts) < self._limit:
                    self._starts.append(now)
                    return
                # At least a millisecond: float rounding must not leave us sleeping 1e-14 s forever.
                await self._sleep(max(self._starts[0] + self._window - now, 0.001))
