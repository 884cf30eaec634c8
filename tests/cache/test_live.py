"""LiveCache as the sync screen drives it: a full resync of one feed, pause/resume, and the outbox decisions
(retry, drop, confirm) that keep the header's count current. Against the in-process sandbox (ASGI)."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from support.virtual_clock import VirtualClock, run_live_until

from jpm_tui.cache.live import CADENCES, Cadence, LiveCache, LiveState
from jpm_tui.cache.outbox import OutboxError, OutboxState
from jpm_tui.cache.store import CacheStore
from jpm_tui.cache.sync import SyncError
from jpm_tui.provider import domain as d
from jpm_tui.provider.servicetitan import ServiceTitanProvider
from jpm_tui.sandbox import state as sandbox_state
from jpm_tui.sandbox.app import create_app


class World:
    def __init__(self, tmp_path: Any) -> None:
        from jpm_tui.api.client import ServiceTitanClient

        self.app = create_app(jobs=60, seed=3, rate_limit=None)
        self.sandbox = self.app.state.sandbox
        self.store = CacheStore(tmp_path / "cache.sqlite3")
        self.states: list[LiveState] = []

        def provider() -> ServiceTitanProvider:
            return ServiceTitanProvider(ServiceTitanClient(
                api_url="http://sandbox", auth_url="http://sandbox", tenant=sandbox_state.TENANT,
                client_id=sandbox_state.CLIENT_ID, client_secret=sandbox_state.CLIENT_SECRET,
                app_key=sandbox_state.APP_KEY, transport=httpx.ASGITransport(app=self.app), rate_limit=1000.0,
                max_retries=0))

        # no second round unless a test asks for one
        self.live = LiveCache(self.store, provider, cadences={tier: Cadence(3600, 3600) for tier in CADENCES},
                              probe=3600)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.live.run(lambda s: self.states.append(LiveState(**vars_of(s)))))
        # the first round's end: it says when it synced (the state is also told at its first page)
        await self.until(lambda: self.live.state.last_sync is not None and not self.live.state.syncing,
                         "the first round")

    async def until(self, condition: Any, what: str, timeout: float = 20.0) -> None:
        for _ in range(int(timeout / 0.02)):
            if condition():
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.live.aclose()
        self.store.close()


def vars_of(state: LiveState) -> dict[str, Any]:
    return {name: getattr(state, name) for name in LiveState.__dataclass_fields__}


@pytest.fixture
async def world(tmp_path):
    w = World(tmp_path)
    await w.start()
    yield w
    await w.stop()


def _rows(store: CacheStore, feed: str) -> int:
    return next(s.rows_total for s in store.sync_states() if s.feed == feed)


async def test_progress_is_kept_per_feed_and_feed_names_come_from_the_engine(world: World) -> None:
    names = world.live.feed_names()
    assert "jobs" in names and "projects" in names
    jobs = world.live.progress["jobs"]
    assert jobs.done and jobs.records == len(world.sandbox["jobs"])


async def test_full_resync_of_one_feed_refetches_only_that_feed(world: World) -> None:
    jobs_before, projects_before = _rows(world.store, "jobs"), _rows(world.store, "projects")
    assert world.live.resync("jobs") == "jobs"
    assert world.live.resync_requested == ["jobs"]
    await world.until(lambda: not world.live.resync_requested and not world.live.state.syncing
                      and world.live.progress["jobs"].done and world.live.progress["jobs"].records > 0
                      and _rows(world.store, "jobs") > jobs_before, "the resync")
    assert _rows(world.store, "jobs") == jobs_before + len(world.sandbox["jobs"])
    assert _rows(world.store, "projects") == projects_before  # incremental: nothing new
    with pytest.raises(SyncError):
        world.live.resync("no_such_feed")


async def test_pause_holds_the_next_sync_until_resumed(world: World) -> None:
    world.live.pause()
    assert world.live.paused and world.live.engine.paused
    job = next(iter(world.sandbox["jobs"].values()))
    job["summary"] = "changed while paused"
    world.sandbox["jobs"].touch(job)
    world.live.sync_now()
    await world.until(lambda: world.live.running, "the paused round to start")
    await asyncio.sleep(0.3)
    assert world.store.job(job["id"]).summary != "changed while paused"
    world.live.resume()
    await world.until(lambda: world.store.job(job["id"]).summary == "changed while paused", "the resumed sync")
    assert not world.live.paused


async def test_retry_drop_and_confirm_outbox_rows(world: World) -> None:
    live, sandbox = world.live, world.sandbox
    jobs = sorted((j for j in sandbox["jobs"].values() if j["jobStatus"] in ("Scheduled", "Dispatched")),
                  key=lambda j: j["id"])
    reason = next(r for r in sorted(sandbox["job_cancel_reasons"].values(), key=lambda r: r["id"])
                  if r.get("active", True))
    # refused: the reason is gone on the server
    sandbox["job_cancel_reasons"].delete(reason["id"])
    failed = await live.submit(d.CancelJob(jobs[0]["id"], reason["id"], "gone reason"))
    assert failed.state == OutboxState.FAILED and live.state.outbox == 1
    with pytest.raises(OutboxError):
        await live.confirm(failed.id)
    # fixed on the server, then retried: done
    sandbox["job_cancel_reasons"].insert(dict(reason))
    done = await live.retry(failed.id)
    assert done.state == OutboxState.DONE and sandbox["jobs"].get(jobs[0]["id"])["jobStatus"] == "Canceled"
    assert live.state.outbox == 0 and world.states[-1].outbox == 0

    # dropped: never sent
    sandbox["job_cancel_reasons"].delete(reason["id"])
    refused = await live.submit(d.CancelJob(jobs[1]["id"], reason["id"], ""))
    assert live.state.outbox == 1
    assert (await live.drop(refused.id)).id == refused.id
    assert live.state.outbox == 0 and all(e.id != refused.id for e in live.outbox.entries())
    assert sandbox["jobs"].get(jobs[1]["id"])["jobStatus"] != "Canceled"

    # conflict: changed on the server after it was queued; confirmed, it is sent
    target = jobs[2]
    live.state.online = False  # queue without sending
    entry = await live.submit(d.EditJob(target["id"], {"summary": "ours"}))
    target = sandbox["jobs"].get(target["id"])
    target["summary"] = "theirs"
    sandbox["jobs"].touch(target)
    live.state.online = True
    await live._send_now()
    assert live.outbox.get(entry.id).state == OutboxState.CONFLICT and live.state.outbox == 1
    confirmed = await live.confirm(entry.id)
    assert confirmed.state == OutboxState.DONE and sandbox["jobs"].get(target["id"])["summary"] == "ours"
    assert live.state.outbox == 0


async def test_read_opened_job_stores_the_booked_log_remembers_none_and_survives_errors(world: World, caplog) -> None:
    jobs = sorted(world.sandbox["jobs"].values(), key=lambda j: j["id"])
    job, bare = jobs[0], jobs[1]
    booked = next(b for b in world.sandbox["job_booked_logs"].values() if b["jobId"] == job["id"])
    assert world.live.reads_from_server  # what the job detail asks before it reads
    assert await world.live.read_opened_job(job["id"]) is True
    entry = world.store.booked_log_for_job(job["id"])
    assert entry is not None and entry.id == booked["id"] and entry.created_by_id == booked["createdById"]
    assert entry.raw["jobAppointmentId"] == booked["jobAppointmentId"]

    for b in [b for b in world.sandbox["job_booked_logs"].values() if b["jobId"] == bare["id"]]:
        world.sandbox["job_booked_logs"].delete(b["id"])
    assert await world.live.read_opened_job(bare["id"]) is True  # 404: "none", remembered as read
    assert world.store.booked_log_for_job(bare["id"]) is None and world.store.booked_log_read_on(bare["id"])

    world.sandbox.faults.fail_next = [500]
    assert await world.live.read_opened_job(job["id"]) is False  # logged, the cache keeps what it had
    assert world.store.booked_log_for_job(job["id"]) == entry
    assert "could not read the booked log" in caplog.text

    world.live.state.online = False
    assert not world.live.reads_from_server
    world.sandbox["job_booked_logs"].delete(booked["id"])
    assert await world.live.read_opened_job(job["id"]) is False  # offline: not even asked
    assert world.store.booked_log_for_job(job["id"]) == entry


async def test_read_opened_job_before_the_loop_opened_does_nothing(tmp_path) -> None:
    store = CacheStore(tmp_path / "cache.sqlite3")
    try:
        live = LiveCache(store, lambda: pytest.fail("no provider before open()"))
        assert not live.reads_from_server and await live.read_opened_job(1) is False
        assert store.booked_log_read_on(1) is None
    finally:
        store.close()


# ------------------------------------------------------------------ cadence, request rate, offline and back


class Wire(httpx.AsyncBaseTransport):
    """The in-process sandbox behind a wire that notes each request's virtual time, can be cut (connections refused)
    and can answer API requests 429 until a virtual time."""

    def __init__(self, inner: httpx.AsyncBaseTransport, clock: VirtualClock) -> None:
        self.inner = inner
        self.clock = clock
        self.up = True
        self.throttled_until = 0.0
        self.api: list[tuple[float, str]] = []
        """(time, path) of each API request (what ServiceTitan's rate limit counts)."""
        self.other: list[tuple[float, str]] = []
        """(time, path) of the token requests and pings."""
        self.refused: list[tuple[float, str]] = []
        """(time, path) of every request made while the wire was cut."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        now = self.clock()
        if not self.up:
            self.refused.append((now, path))
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if "/v2/tenant/" not in path:
            self.other.append((now, path))
            return await self.inner.handle_async_request(request)
        self.api.append((now, path))
        if now < self.throttled_until:
            wait = math.ceil(self.throttled_until - now)
            return httpx.Response(429, headers={"Retry-After": str(wait)}, json={
                "type": "", "title": f"Too many requests. Please retry after {wait} seconds.", "status": 429,
                "traceId": "t", "errors": {}, "data": {}})
        return await self.inner.handle_async_request(request)

    def times(self, feed_path: str) -> list[float]:
        return [t for t, path in self.api if path.endswith(feed_path)]


class Polled:
    """A LiveCache with the real cadences on virtual time, over the in-process sandbox behind a ``Wire``."""

    def __init__(self, tmp_path: Any, *, secret: str = sandbox_state.CLIENT_SECRET) -> None:
        from jpm_tui.api.client import ServiceTitanClient

        self.clock = VirtualClock()
        self.app = create_app(jobs=60, seed=3, rate_limit=None)
        self.sandbox = self.app.state.sandbox
        self.wire = Wire(httpx.ASGITransport(app=self.app), self.clock)
        self.store = CacheStore(tmp_path / "cache.sqlite3")
        self.states: list[tuple[float, LiveState]] = []
        """Every state the header was given, with its virtual time."""

        def provider() -> ServiceTitanProvider:
            return ServiceTitanProvider(ServiceTitanClient(
                api_url="http://sandbox", auth_url="http://sandbox", tenant=sandbox_state.TENANT,
                client_id=sandbox_state.CLIENT_ID, client_secret=secret, app_key=sandbox_state.APP_KEY,
                transport=self.wire, rate_limit=None, max_retries=0, transport_retries=0))

        self.live = LiveCache(self.store, provider, clock=self.clock, sleep=self.clock.sleep)

    async def run_until(self, end: float) -> None:
        """Run the loop until virtual time ``end`` (what it does after is not looked at)."""
        await run_live_until(self.live, self.clock, end, self.states)

    def first(self, condition: Callable[[LiveState], bool], after: float = 0.0,
              since: Callable[[LiveState], bool] = lambda _state: True) -> float:
        """The virtual time the header first showed a state meeting ``condition``, at or after ``after`` and not before
        the first state there meeting ``since``."""
        states = [(t, state) for t, state in self.states if t >= after]
        start = next(n for n, (_, state) in enumerate(states) if since(state))
        return next(t for t, state in states[start:] if condition(state))

    def close(self) -> None:
        self.store.close()


@pytest.fixture
def polled(tmp_path):
    p = Polled(tmp_path)
    yield p
    p.close()


def _gaps(times: list[float]) -> list[float]:
    return [round(b - a, 3) for a, b in zip(times, times[1:], strict=False)]


async def test_an_idle_board_backs_off_to_its_steady_request_rate(polled: Polled) -> None:
    await polled.run_until(900)
    wire = polled.wire
    # fast tier: 4 s after the first sync brought rows, then longer while nothing changes, at most 8 s
    assert _gaps(wire.times("/export/jobs"))[:5] == [4.0, 6.0, 8.0, 8.0, 8.0]
    assert set(_gaps(wire.times("/export/appointments"))[2:]) == {8.0}
    # medium: a minute, then twice as long each time, up to 4 minutes; slow: every 10 minutes
    assert _gaps(wire.times("/export/job-notes"))[:3] == [60.0, 120.0, 240.0]
    assert _gaps(wire.times("/job-types")) == [600.0]
    steady = [t for t, _ in wire.api if 300 <= t < 900]
    assert len(steady) / 600 <= 0.5  # docs/performance.md: ~0.45 request/s per idle board
    assert len([t for t, _ in wire.api if 0 < t < 900]) / 900 <= 1.0
    assert all(state.online and not state.last_error for _, state in polled.states)


async def test_a_change_on_the_server_shows_within_8_s_and_polling_speeds_up_again(polled: Polled) -> None:
    job = sorted(polled.sandbox["jobs"].values(), key=lambda j: j["id"])[5]

    def change() -> None:
        job["summary"] = "changed on the server"
        polled.sandbox["jobs"].touch(job)

    polled.clock.at(200, change)
    await polled.run_until(260)
    seen = polled.first(lambda s: "jobs" in s.changed_feeds, after=200)
    assert seen - 200 <= 8 and polled.store.job(job["id"]).summary == "changed on the server"
    after = [t for t in polled.wire.times("/export/jobs") if t >= seen]
    assert _gaps(after)[:2] == [4.0, 6.0]  # it brought rows: back to the fast cadence, then slower again


async def test_a_429_holds_every_feed_for_the_wait_the_server_asked(polled: Polled) -> None:
    def throttle() -> None:
        polled.wire.throttled_until = 100 + 30

    polled.clock.at(100, throttle)
    await polled.run_until(300)
    refused = [t for t, _ in polled.wire.api if 100 <= t < 130]
    assert refused and len(set(refused)) == 1  # one round was answered 429 ...
    asked = math.ceil(130 - refused[0])
    following = [t for t, _ in polled.wire.api if t > refused[0]]
    assert following and following[0] >= refused[0] + asked  # ... and nothing was asked before the wait it gave
    assert all(state.online for _, state in polled.states)  # the server answers: a 429 is not offline


async def test_offline_at_once_pinged_every_2_s_at_most_online_when_it_answers(polled: Polled) -> None:
    def cut() -> None:
        polled.wire.up = False

    def mend() -> None:
        polled.wire.up = True

    polled.clock.at(50, cut)
    polled.clock.at(71, mend)
    await polled.run_until(120)
    failed = polled.wire.refused[0][0]  # the first request that found the wire cut ...
    assert polled.first(lambda s: not s.online) == failed  # ... said offline at once
    offline = next(state for _, state in polled.states if not state.online)
    assert offline.last_error == "Could not reach sandbox: connection refused"
    pings = [t for t, path in polled.wire.refused if path == "/"]
    assert pings[0] == failed and set(_gaps(pings)[2:]) == {2.0} and _gaps(pings)[:2] == [1.0, 1.5]
    back = polled.first(lambda s: s.online, after=failed, since=lambda s: not s.online)
    assert 71 < back <= 71 + 2  # online at the first ping answered, in a round that committed a page


async def test_connecting_until_the_first_answer_then_online_and_never_connecting_again(polled: Polled) -> None:
    await polled.run_until(30)
    states = [state for _, state in polled.states]
    assert states[0].connecting and states[0].online  # told before the server said a word (the outbox's count)
    answered = next(n for n, state in enumerate(states) if not state.connecting)
    assert states[answered].online and not any(state.connecting for state in states[answered:])


async def test_a_server_out_of_reach_from_the_start_ends_connecting_offline(polled: Polled) -> None:
    polled.wire.up = False
    await polled.run_until(10)
    answered = next(state for _, state in polled.states if not state.connecting)
    assert not answered.online and answered.last_error == "Could not reach sandbox: connection refused"
    assert not any(state.online and not state.connecting for _, state in polled.states)  # never said online


async def test_a_write_made_offline_is_counted_at_once_and_sent_when_back(polled: Polled) -> None:
    job = next(j for j in sorted(polled.sandbox["jobs"].values(), key=lambda j: j["id"]))
    told: list[list[LiveState]] = []

    def cut() -> None:
        polled.wire.up = False

    def write() -> None:
        async def submit() -> None:
            try:
                before = len(polled.states)
                entry = await polled.live.submit(d.AddJobNote(job["id"], "written offline", False))
                assert entry.state == OutboxState.PENDING
                told.append([state for _, state in polled.states[before:]])
            finally:
                polled.clock.held -= 1

        polled.clock.held += 1  # the write takes no virtual time (it is stored and counted on threads)
        asyncio.ensure_future(submit())

    polled.clock.at(20, cut)
    polled.clock.at(40, write)
    polled.clock.at(60, lambda: setattr(polled.wire, "up", True))
    await polled.run_until(90)
    # the header was told before submit() returned, while offline (no round had brought the server back)
    assert (1, False) in [(state.outbox, state.online) for state in told[0]]
    assert not any(state.online for state in told[0])
    counted = polled.first(lambda s: s.outbox == 1)  # (virtual time runs on while the write is stored on a thread)
    sent = polled.first(lambda s: s.outbox == 0, after=counted)
    # sent by the round that found the server back: virtual time runs on while the outbox's SQL runs on worker
    # threads, so on a loaded machine that round may end a few virtual seconds late (once 8.5 s); the wall-clock
    # bound (back within 3 s) is tests/board/test_board_live.py's
    assert sent <= max(counted, 60) + 10
    notes = [n for n in polled.sandbox["job_notes"].values() if n["jobId"] == job["id"] and n["text"] == "written offline"]
    assert len(notes) == 1


async def test_sign_in_refused_is_offline_with_the_reason_and_tried_less_and_less_often(tmp_path) -> None:
    polled = Polled(tmp_path, secret="not-the-secret")
    try:
        await polled.run_until(600)
    finally:
        polled.close()
    reasons = {state.last_error for _, state in polled.states if not state.online}
    assert reasons == {"sign-in refused (400): ServiceTitan rejected the client credentials (invalid_client) at "
                       "sandbox: check client_id 'sandbox-client' and the client secret"}
    assert not any(state.online for t, state in polled.states if t > 0)
    tokens = sorted({t for t, path in polled.wire.other if path == "/connect/token"})  # a round: 1 per feed at once
    assert _gaps(tokens)[:7] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]  # never a token request a second
