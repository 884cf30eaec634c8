"""The team's sync service's heartbeat (cache/service_heartbeat.py): the service beats in the team's database with
what it sees of the backend and when its last successful round was, and its last beat says when it stopped cleanly;
a board's watch of it says "no sync service" at once after such a beat, or once the latest beat is 15 s old (a
crash), by its own clock, without asking the database again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.dead_ports import refused_socket, url_of
from support.team_boards import sync_service, until

from jpm_tui.cache import service_heartbeat
from jpm_tui.cache.live import LiveState
from jpm_tui.cache.opening import CacheLocation, open_store
from jpm_tui.cache.pg.heartbeat import Beat, read_beat, write_beat, write_stopped
from jpm_tui.cache.service_heartbeat import BACKEND_OFFLINE, LOOKING, NO_SERVICE, SERVICE_CONNECTING, ServiceWatch

NOW = datetime(2026, 12, 4, 19, 0, tzinfo=UTC)


async def test_a_board_s_watch_says_no_service_once_the_latest_beat_is_15_s_old() -> None:
    clock = [100.0]
    beats: list[Beat | None] = [None, Beat(age=2.0, online=True, reason=None, round_age=4.0)]
    watch = ServiceWatch(lambda: beats.pop(0), clock=lambda: clock[0], now=lambda: NOW)
    assert watch.notice() == LOOKING and watch.last_round() is None  # not read yet: nothing known
    watch.refresh()
    assert watch.notice() == NO_SERVICE and watch.last_round() is None  # no service ever beat
    watch.refresh()
    assert watch.notice() is None and watch.last_round() == NOW - timedelta(seconds=4)

    told: list[str | None] = []
    slept: list[float] = []

    async def sleep(seconds: float) -> None:  # the clock moves on as the watch waits
        slept.append(seconds)
        clock[0] += seconds
        if len(slept) == 4:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await watch.watch(lambda: told.append(watch.notice()), every=5.0, sleep=sleep)
    assert told == [NO_SERVICE]  # once, when the beat (2 s old when read) passed 15 s: 15 s after the read
    assert watch.last_round() == NOW - timedelta(seconds=24)


async def test_the_service_beats_with_its_last_round_and_the_backend_offline_with_why(
        sandbox_server: Any, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_heartbeat, "BEAT_EVERY", 0.1)
    store = open_store(CacheLocation(tmp_path / "no-file.sqlite3", url=postgres_url))
    assert store is not None
    try:
        async with sync_service(store, sandbox_server.base_url):
            await until(lambda: (b := read_beat(store.db)) is not None and b.round_age is not None, "a beat", 2)
            beat = read_beat(store.db)
            assert beat is not None and beat.online and beat.reason is None and beat.age < 1
            assert beat.round_age is not None and beat.round_age < 5 and not beat.stopped
        last = read_beat(store.db)  # stopped (sync_service's stop(), as SIGTERM): its last beat says so
        assert last is not None and last.stopped and last.age < 1
        with refused_socket() as dead:
            async with sync_service(store, url_of(dead)) as lines:
                assert lines[0].startswith("offline: ")
                await until(lambda: (b := read_beat(store.db)) is not None and not b.online, "an offline beat", 2)
                beat = read_beat(store.db)
                assert beat is not None and beat.reason == "Could not reach 127.0.0.1: connection refused"
    finally:
        store.close()
    watch = ServiceWatch(lambda: beat)
    watch.refresh()
    assert watch.notice() == f"{BACKEND_OFFLINE}: {beat.reason}"


async def test_a_stopped_service_s_last_beat_says_no_service_at_once_and_a_crashed_one_s_ages_into_it(
        postgres_url: str, tmp_path: Path) -> None:
    store = open_store(CacheLocation(tmp_path / "no-file.sqlite3", url=postgres_url))
    assert store is not None
    try:
        state = LiveState(online=True, connecting=False)
        stopping = asyncio.Event()
        beating = asyncio.create_task(service_heartbeat.beat(store, state, every=0.05, until=stopping))
        await until(lambda: read_beat(store.db) is not None, "a beat", 2)
        stopping.set()  # a clean stop: a last beat, saying so
        await asyncio.wait_for(beating, 2)
        stopped = read_beat(store.db)
        assert stopped is not None and stopped.stopped and stopped.age < 1
        watch = ServiceWatch(lambda: stopped)
        watch.refresh()
        assert watch.notice() == NO_SERVICE  # however young the beat

        crashing = asyncio.create_task(service_heartbeat.beat(store, state, every=0.05))
        await until(lambda: not read_beat(store.db).stopped, "a new service's beat", 2)
        crashing.cancel()  # as a crash ends it: no last beat
        await asyncio.sleep(0.2)
        crashed = read_beat(store.db)
        assert crashed is not None and not crashed.stopped
        clock = [0.0]
        watch = ServiceWatch(lambda: crashed, clock=lambda: clock[0])
        watch.refresh()
        assert watch.notice() is None  # still running, as far as a board can tell ...
        clock[0] += 15.0
        assert watch.notice() == NO_SERVICE  # ... until the beat is 15 s old

        write_beat(store.db, "office-2|77", True, None, None)  # another service beat since: its stop is not ours
        write_stopped(store.db, "office-1|42")
        latest = read_beat(store.db)
        assert latest is not None and latest.sender == "office-2|77" and not latest.stopped
    finally:
        store.close()


async def test_a_service_that_has_not_heard_from_the_backend_yet_is_said_to_connect_not_to_sync(
        postgres_url: str, tmp_path: Path) -> None:
    store = open_store(CacheLocation(tmp_path / "no-file.sqlite3", url=postgres_url))
    assert store is not None
    try:
        state = LiveState(online=True, connecting=True)  # started; the backend has not answered yet
        stopping, changed = asyncio.Event(), asyncio.Event()
        beating = asyncio.create_task(service_heartbeat.beat(store, state, every=60, until=stopping, changed=changed))
        await until(lambda: (b := read_beat(store.db)) is not None and b.connecting, "a connecting beat", 2)
        watch = ServiceWatch.on(store)
        watch.refresh()
        assert watch.notice() == SERVICE_CONNECTING  # not "online": nothing is synced yet
        state.connecting = False  # the backend answered: the service beats at once, not a beat (here 60 s) later
        changed.set()
        await until(lambda: not read_beat(store.db).connecting, "a beat at once", 2)
        watch.refresh()
        assert watch.notice() is None
        stopping.set()
        await asyncio.wait_for(beating, 2)
    finally:
        store.close()
