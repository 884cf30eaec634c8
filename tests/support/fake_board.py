"""What the UI tests share: the board on fixed data, and waiting for it to settle (imported as
``support.fake_board``; conftest.py only holds fixtures, so that no test imports a conftest module)."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widget import Widget

from jpm_tui.ui import BoardStatus, JpmApp
from jpm_tui.ui.source import BoardSource, Reader
from support.fake_sources import NOW, FakeSource, frozen_clock

STATUS = BoardStatus(profile="demo", tenant=1234567, environment="sandbox", online=True,
                     last_sync=NOW - timedelta(seconds=12), outbox=2)


def make_app(source: BoardSource | None = None, *, inline: bool = False, **options: Any) -> JpmApp:
    """The board on fixed data and a frozen clock. ``inline`` reads on the event loop (snapshots)."""
    options.setdefault("export_dir", Path.cwd())
    options.setdefault("clock", frozen_clock)
    return JpmApp(source if source is not None else FakeSource(200), STATUS, tz=UTC,
                  reader=Reader(inline=inline), **options)


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    """Let counts, window fetches and the repaint they trigger finish (not the live loop: it never ends)."""
    for _ in range(rounds):
        await _workers_done(pilot)
        await pilot.pause()


async def _workers_done(pilot: Pilot) -> None:
    busy = [w for w in pilot.app.workers if w.group != "live"]
    if busy:  # (an empty list would mean "every worker")
        await pilot.app.workers.wait_for_complete(busy)


async def wait_until(pilot: Pilot, condition, timeout: float = 10.0, *, workers: bool = True) -> None:
    """Pause until ``condition()`` holds (debounces and workers finish later on a loaded machine). ``workers``:
    also let workers finish between looks (not while a test holds their reads)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
        if workers:
            await _workers_done(pilot)
    assert condition(), "condition not reached in time"


def widget_text(widget: Widget) -> str:
    """What ``widget`` draws on screen, as plain text lines (after markup/escape handling)."""
    region = widget.size.region
    return "\n".join(strip.text for strip in widget.render_lines(region))
