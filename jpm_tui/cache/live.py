"""The cache kept live: a background loop that sends queued writes and pulls changes.

The board opens on the cache at once and hands a `LiveCache` to its worker. Each round replays the outbox
first (a dispatcher's action should reach the server before we pull), then runs the full resyncs asked for
(``resync(feed)``), then syncs incrementally, then waits. Going offline is not an error: the round records it
and the next one tries again; nothing queued is lost.

Some reads have no feed: a job's booked log is read one job at a time when the board opens the job online
(``refresh_booked_log``) and kept in the cache, so the detail shows it offline afterwards.

The sync screen drives it: ``sync_now()``, ``pause()`` / ``resume()``, ``resync(feed)``, ``progress`` (the
latest ``SyncProgress`` of each feed), and the outbox decisions ``retry`` / ``drop`` / ``confirm``, which keep
the header's outbox count current.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jpm_tui.cache.outbox import OPEN_STATES, Outbox, OutboxEntry
from jpm_tui.cache.sync import SyncEngine, SyncError, SyncProgress, SyncSummary
from jpm_tui.provider.base import Provider
from jpm_tui.provider.domain import Command
from jpm_tui.provider.workflow import Workflow

log = logging.getLogger(__name__)

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
        workflow: Workflow | None = None,
    ) -> None:
        """``workflow``: the backend's (the outbox lays queued writes over records with it before the provider,
        built inside the loop, exists); default: the default backend's."""
        self.store = store
        self._provider_factory = provider_factory
        self.interval = interval
        self.retry_interval = retry_interval
        self.state = LiveState(last_sync=self._last_success())
        self.engine: SyncEngine | None = None
        # Usable before the loop starts: a write made offline is queued at once and sent by a later round.
        self.outbox = Outbox(store, workflow=workflow)
        self._wake = asyncio.Event()
        self._on_change: Callable[[LiveState], None] = lambda _state: None
        self.progress: dict[str, SyncProgress] = {}
        """The latest progress event of each feed (this run's, or the last run's once it ended)."""
        self._full: list[str] = []
        self._paused = False
        self.provider: Provider | None = None
        """The provider ``open()`` built inside the running loop (None before)."""

    def _last_success(self) -> datetime | None:
        done = [s.last_success for s in self.store.sync_states() if s.last_success]
        return max(done) if done else None

    def open(self) -> None:
        """Build the provider, engine and outbox inside the running event loop (httpx binds to it)."""
        provider = self._provider_factory()
        self.provider = provider
        self.engine = SyncEngine(self.store, provider)
        self.engine.add_listener(self._remember_progress)
        if self._paused:
            self.engine.pause()
        self.outbox.provider = provider
        self.outbox.sync_engine = self.engine

    async def aclose(self) -> None:
        if self.engine is not None:
            await self.engine.aclose()

    def sync_now(self) -> None:
        """Ask the loop for a round now instead of at the end of its wait."""
        self._wake.set()

    async def refresh_booked_log(self, job_id: int) -> bool:
        """Read one job's booked log from the server into the cache (``CacheStore.save_booked_log``); True when
        the cache now holds the server's answer (an entry, or "the job has none").

        Does nothing (False) when offline or before the loop opened its provider: the cache keeps what it has.
        A failure (network, auth, server, mapping) is logged and answers False; it never raises."""
        provider = self.provider
        if provider is None or not self.state.online:
            return False
        read = getattr(provider, "booked_log", None)
        if read is None:
            return False
        try:
            entry = await read(job_id)
            await asyncio.to_thread(self.store.save_booked_log, job_id, entry)
            history = getattr(provider, "status_history", None)
            if history is not None:  # a backend whose job history no feed carries (BigChange's status history)
                await asyncio.to_thread(self.store.upsert, "job_history", await history(job_id))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the detail shows what the cache has; the log says why
            log.warning("could not read the booked log of job %s: %s", job_id, exc)
            return False
        return True

    # ------------------------------------------------------------------ sync control (the sync screen)

    def _remember_progress(self, event: SyncProgress) -> None:
        self.progress[event.feed] = event

    @property
    def running(self) -> bool:
        """A sync is in progress (possibly paused)."""
        return self.engine is not None and self.engine.running

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        """Stop asking for pages (the pages in flight are still stored); ``resume()`` goes on."""
        self._paused = True
        if self.engine is not None:
            self.engine.pause()

    def resume(self) -> None:
        self._paused = False
        if self.engine is not None:
            self.engine.resume()

    def feed_names(self) -> list[str]:
        """Every feed the sync runs, in the provider's order (before the loop opens: the feeds the cache
        has a state for)."""
        if self.engine is not None:
            return self.engine.feed_names()
        return [s.feed for s in self.store.sync_states()]

    @property
    def resync_requested(self) -> list[str]:
        """Feeds waiting for their full resync (it runs at the start of the next round)."""
        return list(self._full)

    def resync(self, feed: str) -> str:
        """Refetch ``feed`` from the beginning in the next round (asked for now); returns its name.
        Unknown names raise ``SyncError``. The rows stay until the refetch replaces them."""
        if self.engine is None:
            raise SyncError("the sync has not started yet")
        (name,) = [f.name for f in self.engine.select([feed])]
        if name not in self._full:
            self._full.append(name)
        self.sync_now()
        return name

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
            self._wake.clear()  # before the round: a sync_now() or resync() asked during it gets another
            await self.round(on_change)
            wait = self.interval if self.state.online else self.retry_interval
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            except TimeoutError:
                pass

    async def submit(self, command: Command) -> OutboxEntry:
        """Queue one write (durable before this returns) and, when online, send it now.

        Offline it stays queued: sending it now would only wait out the client's retries, and the next round
        replays it. Returns the row as it ended up (done, pending, conflict or failed)."""
        entry = await asyncio.to_thread(self.outbox.enqueue, command)
        await self._send_now()
        return await asyncio.to_thread(self.outbox.get, entry.id)

    async def _send_now(self) -> None:
        """Replay the outbox when online (offline, the next round does), then tell the header."""
        if self.outbox.provider is not None and self.state.online:
            report = await self.outbox.replay()
            if report.stopped is not None:
                self.state.online = False
                self.state.last_error = report.stopped
        await self._outbox_changed()

    async def _outbox_changed(self) -> None:
        self.state.outbox = await self._open_writes()
        self._on_change(self.state)

    async def retry(self, entry_id: int) -> OutboxEntry:
        """A failed write goes back to pending and is sent now when online (``OutboxError`` for a done or
        conflict row). Returns the row as it ended up."""
        await asyncio.to_thread(self.outbox.retry, entry_id)
        await self._send_now()
        return await asyncio.to_thread(self.outbox.get, entry_id)

    async def drop(self, entry_id: int) -> OutboxEntry:
        """Delete a write that is not done (the user decided); returns it as it was."""
        entry = await asyncio.to_thread(self.outbox.drop, entry_id)
        await self._outbox_changed()
        return entry

    async def confirm(self, entry_id: int) -> OutboxEntry:
        """Send a write held in conflict anyway (replayed now when the loop has opened the provider)."""
        entry = await self.outbox.confirm(entry_id)
        await self._outbox_changed()
        return entry

    async def round(self, on_change: Callable[[LiveState], None]) -> SyncSummary | None:
        assert self.engine is not None
        report = await self.outbox.replay()
        self.state.outbox = await self._open_writes()
        self.state.syncing = True
        on_change(self.state)
        full: SyncSummary | None = None
        rest: list[str] | None = None  # None: every feed
        if self._full:
            names, self._full = self._full, []
            full = await self._run_engine(names, full=True)
            rest = [n for n in self.engine.feed_names() if n not in names]  # the resync just read them
        summary = await self._run_engine(rest)
        if full is not None:
            summary.results = [*full.results, *summary.results]
            summary.cancelled = summary.cancelled or full.cancelled
        self.state.syncing = False
        self.state.online = report.stopped is None and summary.ok
        self.state.last_error = report.stopped or (None if summary.ok else summary.error_line())
        if summary.ok:
            self.state.last_sync = datetime.now(UTC)
        self.state.changed_feeds = {r.feed for r in summary.results if r.records}
        self.state.outbox = await self._open_writes()
        on_change(self.state)
        return summary

    async def _run_engine(self, feeds: list[str] | None, *, full: bool = False) -> SyncSummary:
        """``engine.run``, after any sync already running (the outbox's follow-up sync after a write) ends."""
        assert self.engine is not None
        while self.engine.running:
            await asyncio.sleep(0.05)
        return await self.engine.run(feeds, full=full)

    async def _open_writes(self) -> int:
        counts = await asyncio.to_thread(self.outbox.counts)  # SQL: off the event loop, which is the UI's
        return sum(counts.get(state.value, 0) for state in OPEN_STATES)
