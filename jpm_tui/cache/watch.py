"""The team's sync service (``jpm-tui sync --watch``): the one process that talks to the backend for a cache.

It is the board's live loop (``LiveCache``: replay the outbox, poll the feeds that are due, go offline and come
back) run headless, until it is told to stop. Only the cadence of the fast tier differs (``SERVICE_CADENCES``):
one process polls for the whole team instead of one per board, so it can afford to ask every couple of seconds
and keep a change a few seconds behind the backend.

It says one line per round that wrote something (records stored per feed, writes sent, failed, held in
conflict) and one when it goes offline or comes back; rounds that found nothing say nothing.

A team's database that goes away (restarted, the network cut) is an outage like the backend's: said once, then the
connection is tried again after 1 s, 2 s, 4 s ... at most 30 s apart, the provider and its API session kept; once
the database answers every feed is polled from its stored position (a page committed whole or not at all) and the
outbox goes on (a write whose "done" was lost keeps its claim, which its lease hands back; see cache/outbox.py).
On a team's database it also listens for the outbox's changes (``listen``): a write a board queues wakes it, so
it is sent within a second rather than at the next due round.

``stop()`` (the CLI calls it on SIGTERM / SIGINT) ends the run at once: the requests in flight are abandoned and
what was committed stays, since each page is committed with its feed position in one transaction; a write in
flight keeps its claim, which the next sender takes over (its process is gone, or its lease runs out; see
cache/outbox.py). On a team's cache its last heartbeat then says it stopped, so the boards say at once that no sync
service runs. A crash leaves the same state (but a heartbeat the boards find stale only 15 s later), so a restart
resumes from the saved positions.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from jpm_tui.cache.live import CADENCES, Cadence, LiveCache, LiveState
from jpm_tui.cache.pg.reach import forget_connections, is_unreachable, reason
from jpm_tui.cache.service_heartbeat import Beating, start_beating
from jpm_tui.provider.base import Provider
from jpm_tui.provider.workflow import Workflow

if TYPE_CHECKING:
    from jpm_tui.cache.outbox import ReplayReport
    from jpm_tui.cache.pg.notify import Listen
    from jpm_tui.cache.store.interface import Store
    from jpm_tui.cache.sync import SyncSummary

SERVICE_CADENCES: dict[str, Cadence] = {**CADENCES, "fast": Cadence(every=2.0, idle=3.0)}
"""The live loop's cadences with a faster fast tier: jobs, appointments and assignments at most 3 s apart (three
feeds, about one request a second: a sliver of the app's 60 requests/second, now spent once for the team)."""

STOPPED = "stopped"
"""The reason the service gives the sync engine when told to stop."""
CACHE_RETRY = 1.0
"""Seconds before the first attempt to reach a database that went away; doubled after each failed one."""
CACHE_RETRY_MAX = 30.0
"""The longest wait between attempts: a database back is found within half a minute."""


def round_line(summary: SyncSummary, replay: ReplayReport | None) -> str | None:
    """One line for a round that wrote something (``jobs +3, appointments +1; outbox: 2 sent, 1 failed``), None
    for a round that wrote nothing. Only the feeds read by change count: a list feed (the settings lists, shifts)
    is read whole every time, so its rows are not changes (every restart would say them all again)."""
    parts = [f"{r.feed} +{r.records}" for r in summary.results if r.records and r.kind != "list"]
    line = ", ".join(parts)
    if replay is not None:
        sent = [f"{len(ids)} {what}" for what, ids in
                (("sent", replay.done), ("failed", replay.failed), ("in conflict", replay.conflicts)) if ids]
        if sent:
            line = "; ".join([*([line] if line else []), "outbox: " + ", ".join(sent)])
    return line or None


def _plain(text: str | None) -> str:
    """A server's words on one line, without control characters (they end up in a journal or a terminal)."""
    return "".join(c for c in " ".join(str(text or "").split()) if c.isprintable())


class SyncService(LiveCache):
    """``LiveCache`` run as a service: ``serve()`` until ``stop()``, saying what each round wrote through ``say``."""

    def __init__(self, store: Store, provider_factory: Callable[[], Provider], *, say: Callable[[str], None],
                 workflow: Workflow | None = None, cadences: dict[str, Cadence] = SERVICE_CADENCES,
                 listen: Listen | None = None, cache_retry: float = CACHE_RETRY,
                 cache_retry_max: float = CACHE_RETRY_MAX,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """``listen``: a ``ChangeListener`` maker on a team's database (None for a SQLite file). ``cache_retry``,
        ``cache_retry_max``: the first and longest waits between attempts to reach a database that went away, waited
        with ``sleep`` (as every wait of the loop; tests pass one that counts)."""
        super().__init__(store, provider_factory, cadences=cadences, workflow=workflow, sleep=sleep)
        self._say = say
        self._listen = listen
        self.cache_retry = cache_retry
        self.cache_retry_max = cache_retry_max
        self._serving: asyncio.Task[None] | None = None
        self._was_online = True
        self._beating: Beating | None = None
        self.stopping = False

    async def round(self, on_change: Callable[[LiveState], None] | None = None,
                    feeds: list[str] | None = None) -> SyncSummary:
        from jpm_tui.cache.sync import SyncSummary

        try:
            summary = await super().round(on_change, feeds)
        except Exception as error:
            if not is_unreachable(error):
                raise
            self.state.syncing = False
            await self._cache_outage(error)
            return SyncSummary()
        lost = await self._cache_error() if summary.failed else None  # a feed's commit met the database gone?
        line = None if self.stopping else round_line(summary, self.last_replay)
        if line is not None:
            self._say(line)
        if lost is not None:
            await self._cache_outage(lost)
        return summary

    async def _cache_error(self) -> Exception | None:
        """The error a statement meets now when the database is out of reach, else None."""
        try:
            await asyncio.to_thread(self.store.sync_states)
        except Exception as error:
            if not is_unreachable(error):
                raise
            return error
        return None

    async def _cache_outage(self, error: Exception) -> None:
        """Said once; then wait, try the database, wait twice as long (at most ``cache_retry_max``) ... until it
        answers, and poll every feed at once (from their stored positions)."""
        if not self.stopping:
            self._say(f"cache database unreachable: {_plain(reason(error))}; retrying")
        wait = self.cache_retry
        while True:
            forget_connections(self.store)  # dead with the server: each thread makes a new one when it is back
            await self._sleep(wait)
            if await self._cache_error() is None:
                break
            wait = min(self.cache_retry_max, wait * 2)
        if not self.stopping:
            self._say("cache database reachable again")
        self.sync_now()

    def _changed(self, state: LiveState) -> None:
        """Say when the connection goes and comes back (once each way), not every ping; the boards hear of any change
        at once (a beat now)."""
        if self._beating is not None:
            self._beating.nudge()
        if state.online != self._was_online and not self.stopping:
            self._was_online = state.online
            self._say("online" if state.online else f"offline: {_plain(state.last_error)}; retrying")

    async def serve(self) -> None:
        """Rounds until ``stop()``; then the last heartbeat says the service stopped, the engine's threads end (a
        commit in flight finishes first) and the provider's client closes."""
        self._serving = asyncio.current_task()
        listener = None if self._listen is None else self._listen(self._heard(), lambda _why: None)
        beating = self._beating = start_beating(self.store, self.state)  # boards read it: is a service there, online
        try:
            if not self.stopping:  # told to stop before it started
                if listener is not None:
                    listener.start()
                await self.run(self._changed)
        except asyncio.CancelledError:
            if not self.stopping:
                raise
        finally:
            if listener is not None:
                listener.stop()
            if beating is not None:
                await beating.stop()
            await self.aclose()
            client = getattr(self.provider, "client", None)
            if client is not None:
                with contextlib.suppress(Exception):  # closing a connection pool: nothing left to lose
                    await client.aclose()

    def _heard(self) -> Callable[[frozenset[str]], None]:
        """What the listener calls (on its thread) with the tables a commit changed: a write queued (or decided)
        wakes the loop, whose next round replays the outbox. Its own writes to the outbox wake it once more, to
        a round that finds nothing to send."""
        loop = asyncio.get_running_loop()

        def heard(tables: frozenset[str]) -> None:
            if "outbox" in tables:
                with contextlib.suppress(RuntimeError):  # the service ended as it heard this: its loop is closed
                    loop.call_soon_threadsafe(self._wake.set)

        return heard

    def stop(self) -> None:
        """End ``serve()`` now (from the loop's thread, e.g. a signal handler): requests in flight are abandoned,
        what was committed stays."""
        if self.stopping:
            return
        self.stopping = True
        if self.engine is not None:
            self.engine.stop(STOPPED)
        if self._serving is not None:
            self._serving.cancel()
