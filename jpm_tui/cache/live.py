"""The cache kept live: a background loop that sends queued writes, polls the feeds and watches the connection.

The board opens on the cache at once and hands a `LiveCache` to its worker, which runs until the board quits.

Online, it polls. Each round replays the outbox first (a dispatcher's action should reach the server before we
pull), then runs the full resyncs asked for (``resync(feed)``), then syncs the feeds that are due. How often a feed
is due depends on its tier (``FEED_TIERS`` -> ``CADENCES``): jobs, appointments and assignments every few seconds
(what a dispatcher watches change), notes, history, projects and people every minute or so, the settings lists every
ten minutes. A feed that brought nothing waits longer before the next poll (up to its tier's idle interval), one that
brought rows goes back to its tier's base interval, and a 429 holds every feed back for at least the wait the server
asked for. docs/performance.md ("Keeping the board live") states the request rate this makes.

It goes offline when a round finds the server unreachable or silent, or sign-in refused (``SyncSummary.stopped``),
or a ping fails while a write waits for its answer (``liveness.watch``); ``state.last_error`` says why. Offline, it
pings the server every ``probe`` seconds (a little longer each time, at most ``probe_max``); when the server answers,
a round runs and its first committed page says online again. A server that answers pings while rounds still fail
(sign-in refused) is tried less and less often, up to every ``retry_max`` seconds: never a token request a second.
Nothing queued is lost offline.

The header's outbox count follows the outbox as it changes (a write queued offline counts at once), not the rounds.

Some reads have no feed: what a dispatcher sees of a job only when opening it (its booked log; BigChange's status
history and the customer's people) is read one job at a time when the board opens the job online
(``read_opened_job``) and kept in the cache, so the detail shows it offline afterwards.

The sync screen drives it: ``sync_now()`` (every feed, now), ``pause()`` / ``resume()``, ``resync(feed)``,
``progress`` (the latest ``SyncProgress`` of each feed), and the outbox decisions ``retry`` / ``drop`` / ``confirm``,
which keep the header's outbox count current.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from jpm_tui.cache.liveness import watch
from jpm_tui.cache.outbox_marks import OPEN_STATES, pending_ids
from jpm_tui.provider.workflow import Workflow

if TYPE_CHECKING:  # the outbox, the sync engine and the provider (its commands and records) load after the board's
    # first frame, when first used
    from jpm_tui.cache.outbox import Outbox, OutboxEntry, ReplayReport
    from jpm_tui.cache.store.interface import Store
    from jpm_tui.cache.sync import SyncEngine, SyncProgress, SyncSummary
    from jpm_tui.provider.base import Provider
    from jpm_tui.provider.domain import Command

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class Cadence:
    """How often the feeds of one tier are polled while online: ``every`` seconds after a poll that brought rows,
    ``backoff`` times longer after each poll that brought none, at most ``idle`` seconds."""

    every: float
    idle: float
    backoff: float = 1.5


CADENCES: dict[str, Cadence] = {
    "fast": Cadence(every=4.0, idle=8.0),
    "medium": Cadence(every=60.0, idle=240.0, backoff=2.0),
    "slow": Cadence(every=600.0, idle=600.0),
}
"""The tiers' cadences. ``fast``'s idle interval keeps a change on the server on the board within 10 s."""

FEED_TIERS: dict[str, str] = {
    "jobs": "fast",
    "appointments": "fast",
    "appointment_assignments": "fast",
    "job_notes": "medium",
    "job_history": "medium",
    "job_canceled_logs": "medium",
    "projects": "medium",
    "project_notes": "medium",
    "customers": "medium",
    "locations": "medium",
    "customer_contacts": "medium",
    "location_contacts": "medium",
}
"""Each feed's tier; a feed not listed (the settings and reference lists) is ``slow``."""

PROBE = 1.0
"""Seconds between pings while offline, growing by half each time up to ``PROBE_MAX``."""
PROBE_MAX = 2.0
RETRY_MAX = 60.0
"""Longest wait between rounds while the server answers pings but rounds fail (sign-in refused)."""
QUEUED_OFFLINE = ("Offline", "It is sent when the server is reachable.")
"""What a board says of a write it queued and could not send (``LiveCache.queued_words``)."""
SHOW_SYNCING_AFTER = 1.0
"""A round that lasts longer than this shows "syncing…" in the header; the few-second polls do not flicker it."""


@dataclass(slots=True)
class LiveState:
    """What the header shows about the connection. ``last_error``: why it is offline (while online, what the last
    round could not do, if anything)."""

    online: bool = True
    """Not known to be offline: the loop sends and polls (``connecting`` says whether the server answered yet)."""
    connecting: bool = True
    """The server has not answered yet (the header says so, not "online"): until the first page stored or round
    done, or the first failure to reach it (offline)."""
    syncing: bool = False
    last_sync: datetime | None = None
    last_error: str | None = None
    outbox: int = 0
    changed_feeds: set[str] = field(default_factory=set)
    service_notice: str | None = None
    """A board on a team's cache: what the team's sync service cannot do (cache/service_heartbeat.py)."""


class LiveCache:
    synced_by_service = False
    """A board on a team's cache (``TeamLive``): the team's sync service syncs, not this board."""

    def __init__(
        self,
        store: Store,
        provider_factory: Callable[[], Provider],
        *,
        cadences: Mapping[str, Cadence] = CADENCES,
        probe: float = PROBE,
        probe_max: float = PROBE_MAX,
        retry_max: float = RETRY_MAX,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        workflow: Workflow | None = None,
        author: str | None = None,
    ) -> None:
        """``cadences`` (by tier, see ``FEED_TIERS``), ``probe``, ``probe_max`` and ``retry_max`` in seconds of
        ``clock``, waited with ``sleep`` (tests pass a virtual clock and sleep). ``workflow``: the backend's (the
        outbox lays queued writes over records with it before the provider, built inside the loop, exists);
        default: the default backend's. ``author``: the dispatcher the outbox queues writes for (default: the OS
        user)."""
        self.store = store
        self._provider_factory = provider_factory
        self.cadences = dict(cadences)
        self.probe = probe
        self.probe_max = probe_max
        self.retry_max = retry_max
        self._clock = clock
        self._sleep = sleep
        self.state = LiveState(last_sync=self._last_success())
        self.engine: SyncEngine | None = None
        self._workflow = workflow
        self._author = author
        self._outbox: Outbox | None = None
        self._wake = asyncio.Event()
        self._on_change: Callable[[LiveState], None] = lambda _state: None
        self.progress: dict[str, SyncProgress] = {}
        """The latest progress event of each feed (this run's, or the last run's once it ended)."""
        self._full: list[str] = []
        self._paused = False
        self._everything = True
        """The next round polls every feed, due or not (the first one, and after ``sync_now``)."""
        self._due: dict[str, float] = {}
        """When each feed is next polled (``clock`` time); a feed not in it is due."""
        self._waits: dict[str, float] = {}
        """Each feed's current interval between polls (its tier's ``every``, grown while it brings nothing)."""
        self._failed_rounds = 0
        self.provider: Provider | None = None
        """The provider ``open()`` built inside the running loop (None before)."""
        self.last_replay: ReplayReport | None = None
        """What the latest replay of the outbox did (the sync service says it)."""

    def _last_success(self) -> datetime | None:
        done = [s.last_success for s in self.store.sync_states() if s.last_success]
        return max(done) if done else None

    def open(self) -> None:
        """Build the provider, engine and outbox inside the running event loop (httpx binds to it)."""
        from jpm_tui.cache.sync import SyncEngine

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

    def close(self) -> None:
        """Stop the sync engine's threads once the commit in flight is done. For when the loop is gone: Textual
        cancels the board's worker at quit without waiting for it, and the store must not close under a commit."""
        if self.engine is not None:
            self.engine.close()

    def sync_now(self) -> None:
        """Ask the loop for a round of every feed now, instead of the due ones at the end of its wait (offline too:
        it tries now)."""
        self._everything = True
        self._wake.set()

    @property
    def reads_from_server(self) -> bool:
        """A job opened now can have what no feed carries read from the server (``read_opened_job``): online, with
        the provider open (never on a team cache, whose boards leave the backend to the sync service)."""
        return self.provider is not None and self.state.online

    async def read_opened_job(self, job_id: int) -> bool:
        """Read what no feed carries of a job a dispatcher opens, from the server into the cache: its booked log
        (``CacheStore.save_booked_log``) and, for a backend that has them, its status history and its customer's
        people. True when the cache now holds the server's answer (a booked log entry, or "the job has none").

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
            await self._refresh_people(provider, job_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the detail shows what the cache has; the log says why
            log.warning("could not read the booked log of job %s: %s", job_id, exc)
            return False
        return True

    async def _refresh_people(self, provider: Any, job_id: int) -> None:
        """The job's customer's people, for a backend whose people no feed carries (BigChange's contact persons:
        the edit form offers them as the job's contact person)."""
        people = getattr(provider, "people", None)
        job = await asyncio.to_thread(self.store.job, job_id) if people is not None else None
        if people is not None and job is not None and job.customer_id is not None:
            await asyncio.to_thread(self.store.save_people, job.customer_id, await people(job.customer_id))

    # ------------------------------------------------------------------ sync control (the sync screen)

    def _remember_progress(self, event: SyncProgress) -> None:
        self.progress[event.feed] = event
        # A page committed is the server's answer (a feed that skipped its read commits none): back, sign-in works.
        if event.pages and (self.state.connecting or not self.state.online):
            self.state.online = True
            self.state.connecting = False
            self.state.last_error = None
            self._on_change(self.state)

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

    def write_marks(self, target_kind: str) -> dict[int, str]:
        """Record id -> the state of its write not applied yet, for a list's marker: one query, without building
        the outbox (the job list reads it for its first frame)."""
        marks: dict[int, str] = dict(pending_ids(self.store.conn, target_kind))  # each a PendingMark (who queued)
        return marks

    @property
    def outbox(self) -> Outbox:
        """Usable before the loop starts (a write made offline is queued at once and sent by a later round); built
        on first use, so the board paints its first frame without loading it."""
        if self._outbox is None:
            from jpm_tui.cache.outbox import Outbox

            self._outbox = Outbox(self.store, workflow=self._workflow, author=self._author)
        return self._outbox

    @property
    def resync_requested(self) -> list[str]:
        """Feeds waiting for their full resync (it runs at the start of the next round)."""
        return list(self._full)

    def resync(self, feed: str) -> str:
        """Refetch ``feed`` from the beginning in the next round (asked for now); returns its name.
        Unknown names raise ``SyncError``. The rows stay until the refetch replaces them."""
        from jpm_tui.cache.sync import SyncError

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
            await self.round(on_change, None if self._everything else self._due_feeds())
            if self.state.online:
                self._failed_rounds = 0
                await self._nap(self._until_due())
            if not self.state.online:  # the round found the server gone, or a write did while the loop waited
                self._wake.clear()  # (that write's wake-up: what is due now is finding the server, not a round)
                await self._until_back()
                self._everything = True  # back: catch up with every feed (the first page says online)

    # ------------------------------------------------------------------ schedule

    def _cadence(self, feed: str) -> Cadence:
        return self.cadences[FEED_TIERS.get(feed, "slow")]

    def _due_feeds(self) -> list[str]:
        now = self._clock()
        return [name for name in self.feed_names() if self._due.get(name, now) <= now]

    def _until_due(self) -> float:
        """Seconds until the next feed is due (0 when one is)."""
        now = self._clock()
        soonest = min((self._due.get(name, now) for name in self.feed_names()), default=now + self.cadences["slow"].idle)
        return max(0.0, soonest - now)

    def _schedule(self, summary: SyncSummary) -> None:
        """Each polled feed's next poll: soon after rows came, later after nothing did, and nothing before the wait
        a 429 asked for."""
        now = self._clock()
        hold = max((r.retry_after for r in summary.results if r.retry_after is not None), default=0.0)
        for result in summary.results:
            if result.cancelled:
                continue  # stopped before its answer: due again as soon as the server is
            cadence = self._cadence(result.feed)
            if result.records:
                wait = cadence.every
            else:  # nothing new, a failure or a 429: wait longer
                wait = min(cadence.idle, self._waits.get(result.feed, cadence.every) * cadence.backoff)
            self._waits[result.feed] = wait
            self._due[result.feed] = now + wait
        if hold:
            for name in self.feed_names():
                self._due[name] = max(self._due.get(name, now), now + hold)

    async def _nap(self, seconds: float) -> None:
        """Wait ``seconds``, or less when ``sync_now()`` asks."""
        if seconds <= 0 or self._wake.is_set():
            return
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()

    # ------------------------------------------------------------------ connection

    async def _answers(self) -> bool:
        """Whether the server answers a ping now (True without a way to ping: let a round find out)."""
        ping = self._ping()
        if ping is None:
            return True
        try:
            await ping()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - unreachable: that is the answer
            self._went_offline(str(exc) or type(exc).__name__)
            return False
        return True

    async def _until_back(self) -> None:
        """Offline: wait until a round is worth trying. A server that answers pings (so the round failed for another
        reason: sign-in refused) is tried again after a wait that doubles each time; one that does not is pinged
        every ``probe`` seconds (then half as long again each time, at most ``probe_max``), counted from the start
        of the last ping: pings of a silent server, which wait out their timeout, follow each other at once."""
        interval = self.probe
        first = True
        while True:
            started = self._clock()
            if await self._answers():
                if first:
                    self._failed_rounds += 1
                    await self._nap(min(self.retry_max, self.probe * 2 ** self._failed_rounds))
                return
            first = False
            await self._nap(interval - (self._clock() - started))
            if self._wake.is_set():
                return
            interval = min(self.probe_max, interval * 1.5)

    def _went_offline(self, reason: str) -> None:
        if self.state.online:
            self._wake.set()  # a wait for the next round ends: the loop waits for the server instead
        if self.state.online or self.state.last_error != reason:
            self.state.online = False
            self.state.connecting = False
            self.state.last_error = reason
            self._on_change(self.state)

    def _ping(self) -> Callable[[], Awaitable[None]] | None:
        return getattr(self.provider, "ping", None)

    @property
    def refusal(self) -> str | None:
        """Why no write can be queued now, or None (this board's own file takes them offline too)."""
        return None

    @property
    def queued_words(self) -> tuple[str, str]:
        """What the board says of a write it queued that is not sent yet: (title, why). Here: offline, a later
        round sends it."""
        return QUEUED_OFFLINE

    def lost_cache(self, error: BaseException) -> bool:
        """Whether ``error`` (raised by a read of the board's) is the cache being out of reach, which the board
        survives (a team's database; never this board's own file)."""
        return False

    async def enqueue(self, command: Command, replaces: int | None = None) -> OutboxEntry:
        """Queue one write, durable when this returns, and count it in the header at once (before any send, which
        may wait on a silent server). ``CacheFault`` when it cannot be stored. ``replaces``: a refused (failed)
        write it corrects, taken out as it is queued (``Outbox.replace``; ``OutboxError`` when that one moved)."""
        if replaces is None:
            entry = await asyncio.to_thread(self.outbox.enqueue, command)
        else:
            entry = await asyncio.to_thread(self.outbox.replace, replaces, command)
        await self._outbox_changed()
        return entry

    async def submit(self, command: Command) -> OutboxEntry:
        """Queue one write (``enqueue``) and, when online, send it now.

        Offline it stays queued: sending it now would only wait out the client's retries, and the next round
        replays it. Returns the row as it ended up (done, pending, conflict or failed)."""
        entry = await self.enqueue(command)
        if self.state.online:
            await self._send_now()
        return await asyncio.to_thread(self.outbox.get, entry.id)

    async def _send_now(self) -> None:
        """Replay the outbox when online (offline, the next round does), then tell the header."""
        if self.outbox.provider is not None and self.state.online:
            await self._replay()
        await self._outbox_changed()

    async def _replay(self) -> None:
        """Replay the outbox; offline when the server stops answering meanwhile, or when replay stopped and a ping
        finds the server gone (a write refused or failed by a server that answers leaves it online)."""
        report = await watch(self.outbox.replay(), self._ping(), self._went_offline)
        self.last_replay = report
        if report.stopped is not None and self.state.online:
            await self._answers()

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

    async def round(self, on_change: Callable[[LiveState], None] | None = None,
                    feeds: list[str] | None = None) -> SyncSummary:
        """Replay the outbox, run the full resyncs asked for, then sync ``feeds`` (None: every feed)."""
        assert self.engine is not None
        if on_change is not None:
            self._on_change = on_change
        self._everything = False
        slow = asyncio.get_running_loop().call_later(SHOW_SYNCING_AFTER, self._show_syncing)
        try:
            await self._replay()
            await self._outbox_changed()
            full: SyncSummary | None = None
            rest = feeds
            if self._full:
                names, self._full = self._full, []
                full = await self._run_engine(names, full=True)
                rest = [n for n in (feeds if feeds is not None else self.engine.feed_names()) if n not in names]
            summary = await self._run_engine(rest) if rest is None or rest else _nothing_synced()
            if full is not None:
                summary.results = [*full.results, *summary.results]
                summary.cancelled = summary.cancelled or full.cancelled
                summary.stopped = summary.stopped or full.stopped
        finally:
            slow.cancel()
        self._schedule(summary)
        self.state.syncing = False
        self.state.connecting = False  # the round's end is an answer (or went offline on the way)
        if summary.stopped is not None:
            self._went_offline(summary.stopped)
        elif self.state.online:
            self.state.last_error = None if summary.ok else summary.error_line()
        elif summary.failed:  # the server answers (no page said online) but the round failed: that is why
            self.state.last_error = summary.error_line()
        if summary.ok and summary.asked:  # a round whose feeds all read a moment ago synced nothing now
            self.state.last_sync = datetime.now(UTC)
        self.state.changed_feeds = {r.feed for r in summary.results if r.records}
        self.state.outbox = await self._open_writes()
        self._on_change(self.state)
        self.state.changed_feeds = set()  # told once
        return summary

    def _show_syncing(self) -> None:
        self.state.syncing = True
        self._on_change(self.state)

    async def _run_engine(self, feeds: list[str] | None, *, full: bool = False) -> SyncSummary:
        """``engine.run``, after any sync already running (the outbox's follow-up sync after a write) ends."""
        assert self.engine is not None
        while self.engine.running:
            await asyncio.sleep(0.05)
        return await self.engine.run(feeds, full=full)

    async def _open_writes(self) -> int:
        counts = await asyncio.to_thread(self.outbox.counts)  # SQL: off the event loop, which is the UI's
        return sum(counts.get(state.value, 0) for state in OPEN_STATES)


def _nothing_synced() -> SyncSummary:
    from jpm_tui.cache.sync import SyncSummary

    return SyncSummary()
