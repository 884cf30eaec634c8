"""The cache kept live: a background loop that sends queued writes and pulls changes.

The board opens on the cache at once and hands a `LiveCache` to its worker. Each round replays the outbox
first (a dispatcher's action should reach the server before we pull), then syncs incrementally, then waits.
Going offline is not an error: the round records it and the next one tries again; nothing queued is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jpm_tui.cache.outbox import OPEN_STATES, Outbox, OutboxEntry
from jpm_tui.cache.sync import SyncEngine, SyncProgress, SyncSummary
from jpm_tui.provider.base import Provider
from jpm_tui.provider.domain import Command


@dataclass(slots=True)
class LiveState:
    """What the header shows about the connection, after each round."""

    online: bool = True
    syncing: bool = False
    last_sync: datetime | None = None
    last_error: str | None = None
    outbox: int = 0
    changed_feeds: set[str] = field(default_factory=set)


class LiveCache:
    def __init__(
        self,
        store: Any,
        provider_factory: Callable[[], Provider],
        *,
        interval: float = 120.0,
        retry_interval: float = 15.0,
    ) -> None:
        self.store = store
        self._provider_factory = provider_factory
        self.interval = interval
        self.retry_interval = retry_interval
        self.state = LiveState(last_sync=self._last_success())
        self.engine: SyncEngine | None = None
        # Usable before the loop starts: a write made offline is queued at once and sent by a later round.
        self.outbox = Outbox(store)
        self._wake = asyncio.Event()
        self._on_change: Callable[[LiveState], None] = lambda _state: None

    def _last_success(self) -> datetime | None:
        done = [s.last_success for s in self.store.sync_states() if s.last_success]
        return max(done) if done else None

    def open(self) -> None:
        """Build the provider, engine and outbox inside the running event loop (httpx binds to it)."""
        provider = self._provider_factory()
        self.engine = SyncEngine(self.store, provider)
        self.outbox.provider = provider
        self.outbox.sync_engine = self.engine
        self.state.outbox = self._open_writes()

    async def aclose(self) -> None:
        if self.engine is not None:
            await self.engine.aclose()

    def sync_now(self) -> None:
        """Ask the loop for a round now instead of at the end of its wait."""
        self._wake.set()

    async def run(self, on_change: Callable[[LiveState], None],
                  on_progress: Callable[[SyncProgress], None] | None = None) -> None:
        """Rounds until cancelled; `on_change` gets the state after every step worth showing."""
        if self.engine is None:
            self.open()
        assert self.engine is not None
        self._on_change = on_change
        if on_progress is not None:
            self.engine.add_listener(on_progress)
        while True:
            await self.round(on_change)
            wait = self.interval if self.state.online else self.retry_interval
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            except TimeoutError:
                pass

    async def submit(self, command: Command) -> OutboxEntry:
        """Queue one write (durable before this returns) and, when online, send it now.

        Offline it stays queued: sending it now would only wait out the client's retries, and the next round
        replays it. Returns the row as it ended up (done, pending, conflict or failed)."""
        entry = self.outbox.enqueue(command)
        if self.outbox.provider is not None and self.state.online:
            report = await self.outbox.replay()
            if report.stopped is not None:
                self.state.online = False
                self.state.last_error = report.stopped
            entry = self.outbox.get(entry.id)
        self.state.outbox = self._open_writes()
        self._on_change(self.state)
        return entry

    async def round(self, on_change: Callable[[LiveState], None]) -> SyncSummary | None:
        assert self.engine is not None
        report = await self.outbox.replay()
        self.state.outbox = self._open_writes()
        self.state.syncing = True
        on_change(self.state)
        summary = await self.engine.run()
        self.state.syncing = False
        self.state.online = report.stopped is None and summary.ok
        self.state.last_error = report.stopped or (None if summary.ok else summary.error_line())
        if summary.ok:
            self.state.last_sync = datetime.now(UTC)
        self.state.changed_feeds = {r.feed for r in summary.results if r.records}
        self.state.outbox = self._open_writes()
        on_change(self.state)
        return summary

    def _open_writes(self) -> int:
        counts = self.outbox.counts()
        return sum(counts.get(state.value, 0) for state in OPEN_STATES)
