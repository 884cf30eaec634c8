"""The live loop's tests' virtual time (``LiveCache(clock=..., sleep=...)``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any


class VirtualClock:
    """The live loop's clock and sleep: a sleep moves the time on at once, running the actions ``at`` puts on the
    way (a server change, the network going down) at their time. A round takes no virtual time."""

    def __init__(self) -> None:
        self.now = 0.0
        self._actions: list[tuple[float, Callable[[], None]]] = []
        self.held = 0
        """While above 0, time waits: a test's own task (a write) works on threads in real time meanwhile."""

    def __call__(self) -> float:
        return self.now

    def at(self, when: float, action: Callable[[], None]) -> None:
        self._actions = sorted([*self._actions, (when, action)], key=lambda pair: pair[0])

    async def sleep(self, seconds: float) -> None:
        while self.held:
            await asyncio.sleep(0.001)
        end = self.now + seconds
        while self._actions and self._actions[0][0] <= end:
            when, action = self._actions.pop(0)
            self.now = max(self.now, when)
            action()
        self.now = end
        await asyncio.sleep(0)


async def run_live_until(live: Any, clock: VirtualClock, end: float, states: list[tuple[float, Any]]) -> None:
    """Run ``live`` (a ``LiveCache`` on ``clock``) until virtual time ``end``, appending each state the header is given
    to ``states`` with its time (what the loop does after ``end`` is not looked at)."""
    from jpm_tui.cache.live import LiveState

    def told(state: LiveState) -> None:
        states.append((clock(), LiveState(**{name: getattr(state, name) for name in LiveState.__dataclass_fields__})))

    done = asyncio.Event()
    clock.at(end, done.set)
    task = asyncio.create_task(live.run(told))
    try:
        waiting = asyncio.ensure_future(done.wait())
        await asyncio.wait({task, waiting}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        assert done.is_set(), task.exception() if task.done() else "the loop did not reach its end in 60 s"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await live.aclose()
