"""Key-to-screen timing for the bench scripts that drive the board.

A key is sent as the terminal driver sends it and timed to the end of the first frame the compositor renders
once the key's result is in (``done()`` holds). Headless, so writing that frame to a terminal is not in it.
Pilot is not used: its press-and-wait adds ~65-85 ms of idle waits to every key, result or not.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.screen import Screen
from textual.worker import WorkerCancelled

CHARACTERS = {"space": " ", "greater_than_sign": ">", "left_square_bracket": "[", "right_square_bracket": "]"}


class KeyTimer:
    """Times keys on a running ``app`` (``with KeyTimer(app) as keys: await keys.press(...)``)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frames: list[float] = []
        self.timings: dict[str, list[float]] = {}
        self._render = Screen._compositor_refresh

    def __enter__(self) -> KeyTimer:
        render, frames = self._render, self.frames

        def recorded(screen: Screen) -> None:  # every frame the compositor renders, and when it ended
            render(screen)
            frames.append(time.perf_counter())

        Screen._compositor_refresh = recorded  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        Screen._compositor_refresh = self._render  # type: ignore[method-assign]

    async def press(self, label: str, key: str, done: Callable[[], bool], timeout: float = 5.0, *,
                    settle: bool = True) -> None:
        """Send ``key``; record under ``label`` the seconds until the end of the frame that shows ``done()``.
        ``settle``: then wait for the work the key started (prefetch, background walks) before the next key."""
        started = time.perf_counter()
        event = events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None))
        event.set_sender(self.app)
        self.app._driver.send_message(event)
        not_yet = started
        while not done():
            not_yet = time.perf_counter()
            await asyncio.sleep(0.0005)
            if not_yet - started > timeout:
                raise RuntimeError(f"{label}: no result after {timeout} s")
        while not self.frames or self.frames[-1] <= not_yet:  # the frame that painted it
            await asyncio.sleep(0.0005)
        self.timings.setdefault(label, []).append(next(f for f in self.frames if f > not_yet) - started)
        if settle:  # reads it started for later (prefetch, walks) are not the next key's
            await workers_done(self.app)

    def report(self) -> None:
        for label, values in self.timings.items():
            print(f"key: {label:<28} median {statistics.median(values) * 1000:6.1f} ms   "
                  f"p95 {p95(values) * 1000:6.1f} ms")


async def workers_done(app: Any) -> None:
    """Wait until no worker runs (one a newer one replaced, cancelled, counts as done)."""
    while True:
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
