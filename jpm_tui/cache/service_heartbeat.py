"""The team's sync service's heartbeat, both ends. The service (cache/watch.py) beats every ``BEAT_EVERY`` seconds
with what it sees of the backend (online, or offline and why) and when its last successful round was, and when it
stops cleanly its last beat says so; a board on the team's cache (cache/team_live.py) reads the beat when it hears it
(the listener's notifications: no polling) and says what is true: the service syncs; there is none (it stopped, or
no beat for ``STALE_AFTER`` seconds after a crash: queued changes wait); or it finds the backend offline. Only a
team's PostgreSQL cache has a heartbeat (pg/heartbeat.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from jpm_tui.cache.pg.reach import is_unreachable

if TYPE_CHECKING:
    from jpm_tui.cache.live import LiveState
    from jpm_tui.cache.pg.heartbeat import Beat

BEAT_EVERY = 5.0
"""Seconds between the service's beats."""
STALE_AFTER = 15.0
"""Seconds without a beat after which a board says there is no sync service (three beats missed)."""
CHECK_EVERY = 5.0
"""Seconds between a board's checks of the latest beat's age (its own clock: no database access)."""
LAST_BEAT_WITHIN = 2.0
"""Seconds a stopping service waits for its last beat (a database out of reach: it stops without)."""

LOOKING = "looking for the sync service…"
"""Before a board's first read of the heartbeat (its database not answered yet)."""
NO_SERVICE = "no sync service: changes wait"
SERVICE_CONNECTING = "sync service connecting to the backend…"
"""The service runs but has not heard from the backend yet (starting, or its first request under way)."""
BACKEND_OFFLINE = "backend offline (seen by the sync service)"


async def beat(store: Any, state: LiveState, *, every: float = BEAT_EVERY,
               now: Callable[[], datetime] = lambda: datetime.now(UTC), until: asyncio.Event | None = None,
               changed: asyncio.Event | None = None) -> None:
    """Until ``until`` is set: beat on ``store`` (a team's ``PgStore``) every ``every`` seconds with the service's
    ``state``, and at once when ``changed`` is set (the state changed: boards hear it then, not at the next beat);
    then a last beat saying the service stopped. Cancelled instead (as a crash ends it) it leaves the
    last beat to age. A database that is gone meanwhile is tried again at the next beat (no board hears it anyway)."""
    from jpm_tui.cache.pg.heartbeat import write_beat, write_stopped

    sender = f"{socket.gethostname()}|{os.getpid()}"
    stopping = until or asyncio.Event()
    nudged = changed or asyncio.Event()
    while not stopping.is_set():
        nudged.clear()
        last = state.last_sync
        round_age = None if last is None else max(0.0, (now() - last).total_seconds())
        await _unless_unreachable(write_beat, store.db, sender, state.online,
                                  None if state.online else state.last_error, round_age,
                                  state.online and state.connecting)
        stop, nudge = asyncio.ensure_future(stopping.wait()), asyncio.ensure_future(nudged.wait())
        try:
            await asyncio.wait((stop, nudge), timeout=every, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            nudge.cancel()
    await _unless_unreachable(write_stopped, store.db, sender)


async def _unless_unreachable(write: Callable[..., None], *args: Any) -> None:
    """``write(*args)`` on a worker thread; a database out of reach skips it."""
    try:
        await asyncio.to_thread(write, *args)
    except Exception as error:
        if not is_unreachable(error):
            raise


class Beating:
    """The service's heartbeat, beating in a task until ``stop()``."""

    def __init__(self, store: Any, state: LiveState) -> None:
        self._stopping = asyncio.Event()
        self._changed = asyncio.Event()
        self._task = asyncio.create_task(beat(store, state, every=BEAT_EVERY, until=self._stopping,
                                              changed=self._changed))

    def nudge(self) -> None:
        """The service's state changed (online, offline, the backend's first answer): beat now."""
        self._changed.set()

    async def stop(self) -> None:
        """The last beat, saying the service stopped (boards say "no sync service" at once), written within
        ``LAST_BEAT_WITHIN`` seconds or not at all (the beat then ages, as after a crash)."""
        self._stopping.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._task, LAST_BEAT_WITHIN)


def start_beating(store: Any, state: LiveState) -> Beating | None:
    """The service's heartbeat when ``store`` is a team's cache; None on a SQLite file (no board reads it)."""
    from jpm_tui.cache.pg import PgStore

    return Beating(store, state) if isinstance(store, PgStore) else None


class ServiceWatch:
    """What a board knows of the team's sync service: the latest beat it read, and when (by its own clock)."""

    def __init__(self, read: Callable[[], Beat | None], *, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC), stale_after: float = STALE_AFTER) -> None:
        self._read = read
        self._clock = clock
        self._now = now
        self._stale_after = stale_after
        self._beat: Beat | None = None
        self._read_at: float | None = None

    @classmethod
    def on(cls, store: Any) -> ServiceWatch:
        """The watch of a team's ``PgStore``."""
        from jpm_tui.cache.pg.heartbeat import read_beat

        return cls(lambda: read_beat(store.db))

    def refresh(self) -> None:
        """Read the latest beat (on a worker thread: it asks the database)."""
        self._beat = self._read()
        self._read_at = self._clock()

    def notice(self) -> str | None:
        """What the service cannot do, in the header's words; None while it syncs."""
        beat, read_at = self._beat, self._read_at
        if read_at is None:
            return LOOKING
        if beat is None or beat.stopped or beat.age + self._clock() - read_at > self._stale_after:
            return NO_SERVICE
        if not beat.online:
            return f"{BACKEND_OFFLINE}: {beat.reason or 'no reason given'}"
        if beat.connecting:
            return SERVICE_CONNECTING
        return None

    def last_round(self) -> datetime | None:
        """When the service's last successful round was (None: it never told)."""
        beat, read_at = self._beat, self._read_at
        if beat is None or beat.round_age is None or read_at is None:
            return None
        return self._now() - timedelta(seconds=beat.round_age + self._clock() - read_at)

    async def watch(self, on_notice: Callable[[], None], *, every: float = CHECK_EVERY,
                    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """Until cancelled: ``on_notice()`` whenever ``notice()`` changes as the latest beat ages."""
        said = self.notice()
        while True:
            await sleep(every)
            notice = self.notice()
            if notice != said:
                said = notice
                on_notice()
