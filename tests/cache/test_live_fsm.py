"""The live loop on FSM Navigator, whose feeds skip their read when it is recent: a skipped read is no answer. With
the server gone the header says offline (never "online" again until it answers) and a queued write is not tried
again and again; with the API key refused it is offline with the reason; back, it is online and the write goes out.
On virtual time, over the in-process FSM sandbox behind a wire that can be cut."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from support.fsm_world import FROZEN_NOW, JOBS, SEED
from support.virtual_clock import VirtualClock, run_live_until

from jpm_tui.api.fsm_navigator import FsmNavigatorClient
from jpm_tui.cache.live import LiveCache, LiveState
from jpm_tui.cache.store import CacheStore
from jpm_tui.provider import domain as d
from jpm_tui.provider.fsm_navigator.provider import FsmNavigatorProvider
from jpm_tui.sandbox.fsm_navigator import API_KEY, build_state, create_app


class CutWire(httpx.AsyncBaseTransport):
    """The sandbox behind a wire that can be cut (connections refused), noting each request's virtual time."""

    def __init__(self, inner: httpx.AsyncBaseTransport, clock: VirtualClock) -> None:
        self.inner = inner
        self.clock = clock
        self.up = True
        self.refused: list[tuple[float, str]] = []
        """(time, "METHOD path?query") of each request made while cut: HEAD is a ping, anything else an API call."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            self.refused.append((self.clock(), f"{request.method} {request.url.path}?{request.url.query.decode()}"))
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return await self.inner.handle_async_request(request)


class FsmLive:
    def __init__(self, tmp_path: Path, *, api_key: str = API_KEY) -> None:
        self.clock = VirtualClock()
        self.app = create_app(build_state(jobs=JOBS, seed=SEED, now=FROZEN_NOW, frozen=True))
        self.wire = CutWire(httpx.ASGITransport(app=self.app), self.clock)
        self.store = CacheStore(tmp_path / "cache.sqlite3")
        self.states: list[tuple[float, LiveState]] = []
        self.api_key = api_key
        self.live = self.loop()

    def loop(self) -> LiveCache:
        def provider() -> FsmNavigatorProvider:
            client = FsmNavigatorClient(api_url="http://fsm/api/v1", api_key=self.api_key, transport=self.wire,
                                        rate_limit=None, max_retries=0, sleep=_no_wait)
            return FsmNavigatorProvider(client, cached=self.store, clock=self.now)

        return LiveCache(self.store, provider, clock=self.clock, sleep=self.clock.sleep)

    def now(self) -> datetime:
        """The feeds' clock: the virtual seconds after the sandbox's frozen instant."""
        return FROZEN_NOW + timedelta(seconds=self.clock())

    async def run_until(self, end: float) -> None:
        await run_live_until(self.live, self.clock, end, self.states)

    def submit_at(self, when: float, command: d.Command) -> None:
        def write() -> None:
            async def submit() -> None:
                try:
                    await self.live.submit(command)
                finally:
                    self.clock.held -= 1

            self.clock.held += 1  # the write takes no virtual time (it is stored on threads)
            asyncio.ensure_future(submit())

        self.clock.at(when, write)

    def between(self, start: float, end: float, condition: Callable[[LiveState], bool]) -> list[float]:
        return [t for t, state in self.states if start <= t < end and condition(state)]


async def _no_wait(_seconds: float) -> None:
    """The client's reconnect wait: none (virtual time is the loop's)."""


async def test_server_gone_with_a_write_queued_is_offline_until_it_answers_and_the_write_goes_out_once(
        tmp_path: Path) -> None:
    world = FsmLive(tmp_path)
    world.clock.at(20, lambda: setattr(world.wire, "up", False))
    world.submit_at(25, d.SetJobStatus(10001, "Assigned"))
    world.clock.at(60, lambda: setattr(world.wire, "up", True))
    try:
        await world.run_until(90)
    finally:
        world.store.close()
    assert world.between(0, 20, lambda s: not s.online) == []  # the first sweep and recent passes answered
    gone = world.between(20, 60, lambda s: not s.online)
    assert gone and 25 <= gone[0] <= 27  # the write (or the poll after it) found the server gone: a ping said so
    first = next(n for n, (_, state) in enumerate(world.states) if not state.online)
    offline = world.states[first][1]
    assert offline.last_error == "Could not reach fsm: connection refused" and offline.outbox == 1
    # no skipped read said "online" while the server was gone
    assert not any(state.online for t, state in world.states[first:] if t < 60)
    # the write was tried when it was made (by it, and by the round then), never again while cut: only pings (HEAD)
    tries = [(t, request) for t, request in world.wire.refused if not request.startswith("HEAD")]
    assert {request for _, request in tries} == {"GET /api/v1/jobs?id=10001"} and len(tries) <= 2
    assert {t for t, _ in tries} == {gone[0]}
    assert len([request for t, request in world.wire.refused if request.startswith("HEAD") and t < 40]) >= 8
    back = world.between(60, 90, lambda s: s.online)
    assert back and back[0] <= 62
    assert world.states[-1][1].outbox == 0
    assert world.app.state.fsm.jobs[10001]["job_status"] == "Assigned"


async def test_a_refused_api_key_is_offline_with_the_reason_even_when_every_read_is_recent(tmp_path: Path) -> None:
    world = FsmLive(tmp_path)
    try:
        await world.run_until(10)  # synced: the directory was read now, the jobs a moment ago
        assert world.states[-1][1].online
        world.api_key = "fsm_test_wrong"
        world.live = world.loop()
        world.states.clear()
        await world.run_until(20)
        refused = [state for _, state in world.states if not state.online]
        assert not any(state.online for _, state in world.states[1:])  # the first is the header's start
        assert refused and refused[-1].last_error is not None and "401" in refused[-1].last_error
        world.api_key = API_KEY  # the right key again: online at the next round
        world.live = world.loop()
        world.states.clear()
        await world.run_until(30)
        assert world.states[-1][1].online and world.states[-1][1].last_error is None
    finally:
        world.store.close()
