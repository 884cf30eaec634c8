"""The sync service (cache/watch.py, what `jpm-tui sync --watch` runs) on both stores, in this process against the
sandbox over HTTP: one person's SQLite file and a team's PostgreSQL database are kept a few seconds behind the
backend, each round that wrote something says so in one line, and ``stop()`` ends it at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.stores import STORES, open_store
from support.sync_world import make_client

from jpm_tui.cache.outbox import Outbox
from jpm_tui.cache.store import CacheStore
from jpm_tui.cache.watch import SyncService
from jpm_tui.provider import domain as d
from jpm_tui.provider.servicetitan import ServiceTitanProvider

REACHES_CACHE = 6.0
"""Seconds a change on the sandbox may take to be in the store (the fast tier is polled at most 3 s apart)."""


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    with open_store(request, tmp_path) as opened:
        yield opened


async def _until(check: Callable[[], Any], seconds: float, what: str) -> float:
    """Wait until ``check()`` (run off the loop: it reads the store) is true; the seconds it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not await asyncio.to_thread(check):
        assert loop.time() - started < seconds, f"{what} within {seconds} s"
        await asyncio.sleep(0.05)
    return loop.time() - started


async def test_the_service_keeps_the_store_seconds_behind_sends_the_outbox_and_stops_at_once(
        store: Any, sandbox_server: Any) -> None:
    state = sandbox_server.state
    lines: list[str] = []
    service = SyncService(store, lambda: ServiceTitanProvider(make_client(sandbox_server.base_url)), say=lines.append)
    serving = asyncio.create_task(service.serve())
    try:
        await _until(lambda: bool(lines), 30, "the first round")
        assert f"jobs +{len(state['jobs'])}" in lines[0]

        # a dispatcher's change on the backend, and a write a board queued in the store
        job = state["jobs"].get(min(j["id"] for j in state["jobs"].values()))
        job["summary"] = "Gate code changed to 4417"
        state.advance(1)
        state["jobs"].touch(job)
        other = max(j["id"] for j in state["jobs"].values())
        queued = await asyncio.to_thread(Outbox(store, author="Ann").enqueue,
                                         d.AddJobNote(job_id=other, text="Customer asked for a call first"))

        took = await _until(lambda: (store.job(job["id"]).summary == "Gate code changed to 4417"
                                     and Outbox(store).get(queued.id).state == "done"),
                            REACHES_CACHE, "the change in the store and the write sent")
        assert took < REACHES_CACHE
        assert [n for n in state["job_notes"].values()
                if n.get("jobId") == other and n["text"] == "Customer asked for a call first"] != []
        # said when its round ends, just after its last commit
        await _until(lambda: any("jobs +1" in line for line in lines[1:])
                     and any("outbox: 1 sent" in line for line in lines[1:]), 5, f"the rounds' lines, not {lines}")
    finally:
        service.stop()
        started = asyncio.get_running_loop().time()
        await asyncio.wait_for(serving, 5)
    assert asyncio.get_running_loop().time() - started < 5



async def test_a_service_told_to_stop_before_it_serves_ends_at_once(tmp_path: Path) -> None:
    """A SIGTERM during start-up: ``serve()`` builds no provider, sends no request, and returns."""
    built: list[str] = []

    def provider() -> ServiceTitanProvider:
        built.append("provider")
        return ServiceTitanProvider(make_client("http://127.0.0.1:9"))

    with CacheStore(tmp_path / "cache.sqlite3") as store:
        service = SyncService(store, provider, say=built.append)
        service.stop()
        await asyncio.wait_for(service.serve(), 5)
    assert built == []
