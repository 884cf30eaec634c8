"""Telling a slow answer from a dead server: while work waits on the backend, ask the backend whether it is there.

A request may rightly take long (ServiceTitan allows itself 100 s for a big export page), so a timeout alone cannot
say "offline" within seconds. ``watch(work, ping, on_down)`` awaits the work; once it has run ``stall_after``
seconds, it pings the backend (a cheap request of its own with a short timeout), and again after twice as long each
time the backend answers (at most every ``PING_MAX`` s). When a ping fails, ``on_down(reason)`` is called, once, and
the work is awaited still: the caller decides what ends it (the sync engine stops its run at once; a write in flight
is left to its own timeout, since abandoning it would not tell whether it reached the server).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["PING_MAX", "STALL_AFTER", "Ping", "watch"]

T = TypeVar("T")

Ping = Callable[[], Awaitable[None]]
"""Returns when the backend answers; raises when it cannot be reached (``Provider.ping``)."""

STALL_AFTER = 0.75
"""Seconds of waiting before the first ping: with the ping's own 2 s timeout, a server that accepts connections and
never answers is known within 3 s."""
PING_MAX = 30.0


async def watch(work: Awaitable[T], ping: Ping | None, on_down: Callable[[str], None], *,
                stall_after: float = STALL_AFTER) -> T:
    """``await work``, pinging the backend while it waits (see the module docstring). Without ``ping``: just
    ``await work``. Cancelling the watch cancels the work."""
    task = asyncio.ensure_future(work)
    try:
        wait = stall_after
        while ping is not None:
            done, _ = await asyncio.wait({task}, timeout=wait)
            if done:
                break
            probe = asyncio.ensure_future(ping())
            await asyncio.wait({task, probe}, return_when=asyncio.FIRST_COMPLETED)
            if not probe.done():  # the work ended first: its answer says enough
                probe.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await probe
                break
            failure = probe.exception()
            if failure is not None:
                on_down(str(failure) or type(failure).__name__)
                break
            wait = min(wait * 2, PING_MAX)
        return await task
    finally:
        if not task.done():
            task.cancel()
