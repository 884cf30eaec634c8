"""A board on a team's cache: ``TeamLive``, the ``LiveCache`` of a board whose data the team's sync service keeps
fresh (``sync --watch``, cache/watch.py). It never talks to the backend: it does not poll, and what its dispatcher
writes is queued in the shared outbox, under her name, for the service to send.

It hears of changes instead: a ``ChangeListener`` (pg/notify.py, its own connection and thread) tells it which tables
each commit changed, and it tells the board as a round would (``LiveState.changed_feeds``), so the board refetches
what it shows, keeping the cursor's row. ``online`` is the database's reachability: when the listener loses the
database the board says so at once (``last_error``), keeps what is on screen and refuses writes with the reason
(``refusal``); when the database is back, the board refetches everything (what changed meanwhile was not heard).
Whether the sync service runs, and reaches the backend, is its heartbeat's (cache/service_heartbeat.py):
``LiveState.service_notice``, and the sync time is that of the service's last successful round."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from jpm_tui.cache.live import LiveCache, LiveState
from jpm_tui.cache.pg.heartbeat_schema import TABLE as HEARTBEAT
from jpm_tui.cache.pg.reach import CacheUnreachable, forget_connections, is_unreachable, reason
from jpm_tui.cache.service_heartbeat import ServiceWatch
from jpm_tui.provider.base import Provider

if TYPE_CHECKING:
    from jpm_tui.cache.outbox import OutboxEntry
    from jpm_tui.cache.pg.notify import Listen
    from jpm_tui.cache.sync import SyncProgress
    from jpm_tui.provider.domain import Command
    from jpm_tui.provider.workflow import Workflow

EVERYTHING = frozenset({"*"})
"""What changed after the database came back: anything (the notifications of the outage were lost)."""
NO_DATA = frozenset({"sync_state", HEARTBEAT})
"""Commits that change no data a board shows (the feeds' positions, the service's heartbeat): nothing to refetch."""


def _no_provider() -> Provider:
    raise RuntimeError("a board on a team cache has no provider: the sync service talks to the backend")


class TeamLive(LiveCache):
    synced_by_service = True

    def __init__(self, store: Any, listen: Listen, *, workflow: Workflow | None = None,
                 author: str | None = None) -> None:
        """``listen(on_changes, on_reach)``: a ``ChangeListener`` on ``store``'s database."""
        super().__init__(store, _no_provider, workflow=workflow, author=author)
        self._listen = listen
        self.service = ServiceWatch.on(store)
        self.state.service_notice = self.service.notice()  # not "online" before the heartbeat is read

    def open(self) -> None:
        """Nothing to build: no provider, no sync engine (the outbox is made on first use, without a provider)."""

    @property
    def refusal(self) -> str | None:
        if self.state.online:
            return None
        return f"the team cache cannot be reached ({self.state.last_error}); nothing can be queued until it is back"

    @property
    def queued_words(self) -> tuple[str, str]:
        """This board sends nothing: the service does, within a second of hearing of it while it runs."""
        return "Queued", "The team's sync service sends it (within seconds while the service runs)."

    def lost_cache(self, error: BaseException) -> bool:
        """A read that met the database gone (before the listener said so, or since): said in the header now."""
        if not is_unreachable(error):
            return False
        self._reach(reason(error))
        return True

    async def enqueue(self, command: Command, replaces: int | None = None) -> OutboxEntry:
        """Queue a write in the shared outbox for the service to send. ``CacheUnreachable`` (a ``CacheFault``, which
        the board shows as "Not saved") while the database is unreachable, or when it goes away during the write."""
        refusal = self.refusal
        if refusal is not None:
            raise CacheUnreachable(refusal)
        try:
            return await super().enqueue(command, replaces)
        except Exception as error:
            if not is_unreachable(error):
                raise
            self._reach(reason(error))
            raise CacheUnreachable(f"the team cache went away while saving it: {self.state.last_error}") from None

    async def run(self, on_change: Callable[[LiveState], None],
                  on_progress: Callable[[SyncProgress], None] | None = None) -> None:
        """Until cancelled: tell ``on_change`` of every change the listener hears, and of the database going and
        coming back. ``on_progress`` is never called (no sync runs here)."""
        self._on_change = on_change
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[tuple[frozenset[str] | None, str | None]] = asyncio.Queue()

        def tell(event: tuple[frozenset[str] | None, str | None]) -> None:  # on the listener's thread
            with contextlib.suppress(RuntimeError):  # the board quit as it heard this: its loop is closed
                loop.call_soon_threadsafe(events.put_nowait, event)

        def changes(tables: frozenset[str]) -> None:
            tell((tables, None))

        def reach(why: str | None) -> None:
            tell((None, why))

        listener = self._listen(changes, reach)
        listener.start()
        ticking = asyncio.create_task(self.service.watch(self._heard_service))  # a beat aging into "no service"
        try:
            try:
                await self._outbox_changed()
            except Exception as error:  # gone since the board opened: said now, and the listener says its return
                if not self.lost_cache(error):
                    raise
            while True:
                tables, why = await events.get()
                if tables is None:
                    await self._reached(why)
                else:
                    await self._changed(tables)
        finally:
            ticking.cancel()
            listener.stop()

    async def _reached(self, why: str | None) -> None:
        if why is not None:
            self._reach(why)
            return
        back = not self.state.online
        self.state.online = True
        self.state.connecting = False
        self.state.last_error = None
        if back:
            await self._changed(EVERYTHING)
        else:  # the board's first connection: is a sync service there?
            await self._changed(frozenset({HEARTBEAT}))

    def _reach(self, why: str) -> None:
        if self.state.online:  # the store's connections died with the database: new ones once it is back
            forget_connections(self.store)
        self._went_offline(f"team cache unreachable: {why}")

    def _heard_service(self, tell: bool = True) -> None:
        """The header's words for the sync service, and its last round as the sync time."""
        self.state.service_notice = self.service.notice()
        self.state.last_sync = self.service.last_round() or self.state.last_sync
        if tell:
            self._on_change(self.state)

    async def _changed(self, tables: frozenset[str]) -> None:
        if not tables <= NO_DATA:
            self.state.changed_feeds = set(tables)
        try:
            if tables & {HEARTBEAT, "*"}:
                await asyncio.to_thread(self.service.refresh)
                self._heard_service(tell=False)
            if tables & {"outbox", "*"}:
                self.state.outbox = await self._open_writes()
        except Exception as error:  # gone again since: the listener says so too
            if not is_unreachable(error):
                raise
        self._on_change(self.state)
        self.state.changed_feeds = set()
