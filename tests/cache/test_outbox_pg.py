"""The team's shared outbox on a real PostgreSQL (tests/support/postgres.py) against the sandbox over HTTP: ten
boards queuing writes on the same jobs at once and replaying together send each write exactly once, in the order
queued; a sender killed mid-send loses its claim (at once on its own machine, when its lease ends elsewhere) and
the row is sent once by another. The sandbox's write requests are counted at the server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from support.postgres import PostgresServer, fresh_database
from support.sync_world import make_client

import jpm_tui.cache.outbox as outbox_module
from jpm_tui.cache.outbox import LEASE, Outbox, OutboxState
from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.sync import SyncEngine
from jpm_tui.provider import domain as d
from jpm_tui.provider.servicetitan import ServiceTitanProvider
from jpm_tui.sandbox import build_state, create_app, running_server
from jpm_tui.sandbox.state import SandboxState

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and pid checks are POSIX")

WORKER = Path(__file__).parents[1] / "support" / "outbox_worker.py"
BOARDS = 10
T = TypeVar("T")


class CountingApp:
    """The sandbox app, counting the write requests it is sent: (method, path) -> how many."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.writes: Counter[tuple[str, str]] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in ("POST", "PATCH", "PUT", "DELETE") \
                and not scope["path"].endswith("/connect/token"):
            self.writes[(scope["method"], scope["path"])] += 1
        await self.app(scope, receive, send)


class World:
    """A sandbox served with its writes counted, and the team's database with the jobs synced into it."""

    def __init__(self, state: SandboxState, app: CountingApp, url: str, cache_url: str) -> None:
        self.state, self.app, self.url, self.cache_url = state, app, url, cache_url

    def note_posts(self, job_id: int) -> int:
        return sum(n for (method, path), n in self.app.writes.items()
                   if method == "POST" and path.endswith(f"/jobs/{job_id}/notes"))

    def notes(self, job_id: int, text: str) -> list[dict[str, Any]]:
        return [n for n in self.state["job_notes"].values() if n.get("jobId") == job_id and n["text"] == text]

    def board_notes(self, job_id: int) -> list[str]:
        """The texts of the boards' notes on the job, in the order the server made them."""
        made = sorted((n for n in self.state["job_notes"].values()
                       if n.get("jobId") == job_id and n["text"].startswith("board ")), key=lambda n: n["id"])
        return [n["text"] for n in made]

    def open_jobs(self, n: int) -> list[int]:
        return [j["id"] for j in self.state["jobs"].values() if j["jobStatus"] in ("Scheduled", "Dispatched")][:n]


@pytest.fixture
def world(postgres_server: PostgresServer) -> Iterator[World]:
    state = build_state(jobs=20, seed=7, now=datetime(2026, 11, 23, 15, tzinfo=UTC), frozen=True,
                        rate_limit=None)
    app = CountingApp(create_app(state))
    with running_server(app) as url, fresh_database(postgres_server) as cache_url:  # type: ignore[arg-type]
        asyncio.run(_sync_jobs(url, cache_url))
        app.writes.clear()
        yield World(state, app, url, cache_url)


async def _sync_jobs(url: str, cache_url: str) -> None:
    """The sync service's part: the jobs in the database, so that each write has a base to be checked against."""
    with PgStore(cache_url) as store:
        async with make_client(url) as client:
            async with SyncEngine(store, ServiceTitanProvider(client)) as engine:
                summary = await engine.run(["jobs"])
    assert summary.ok, summary.error_line()


async def _drain(outbox: Outbox, seconds: float = 60.0) -> list[Any]:
    """Replay until the shared outbox has nothing left to send (what a board's live loop does round after round);
    the reports."""
    reports = []
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        report = await outbox.replay()
        reports.append(report)
        assert not report.failed and not report.conflicts and report.stopped is None, report
        if report.remaining == 0:
            return reports
        assert asyncio.get_running_loop().time() < deadline, "the outbox did not drain"
        await asyncio.sleep(0.01)


def test_ten_boards_queuing_on_the_same_jobs_at_once_send_each_write_exactly_once(world: World) -> None:
    world.state.faults.latency_ms = 10  # each request takes a while, so that the boards' sends overlap
    jobs = world.open_jobs(3)
    stores = [PgStore(world.cache_url) for _ in range(BOARDS)]  # a board each: its own connections
    try:
        # every board queues a note on each of the same three jobs, all at the same moment
        start = threading.Barrier(BOARDS)

        def queue(board: int) -> list[int]:
            outbox = Outbox(stores[board], author=f"dispatcher {board}")
            start.wait()
            return [outbox.enqueue(d.AddJobNote(job_id=job, text=f"board {board} on job {job}")).id for job in jobs]

        with ThreadPoolExecutor(BOARDS) as pool:
            queued = sorted(i for ids in pool.map(queue, range(BOARDS)) for i in ids)
        assert len(queued) == BOARDS * len(jobs)

        async def replay_all() -> list[Any]:
            clients = [make_client(world.url) for _ in range(BOARDS)]
            try:
                outboxes = [Outbox(store, ServiceTitanProvider(client), author=f"dispatcher {board}")
                            for board, (store, client) in enumerate(zip(stores, clients, strict=True))]
                drained = await asyncio.gather(*(_drain(outbox) for outbox in outboxes))
                return [report for reports in drained for report in reports]
            finally:
                for client in clients:
                    await client.aclose()

        reports = asyncio.run(replay_all())
        entries = Outbox(stores[0]).entries()
    finally:
        for store in stores:
            store.close()

    # each write sent once: one POST per queued note, one note on the server, each row done on its first claim
    assert sorted(i for r in reports for i in r.done) == queued
    assert [(e.state, e.attempts) for e in entries] == [(OutboxState.DONE, 1)] * len(queued)
    for job in jobs:
        assert world.note_posts(job) == BOARDS
        for board in range(BOARDS):
            assert len(world.notes(job, f"board {board} on job {job}")) == 1
        # a job's notes reached the server in the order they were queued, whichever board sent them
        texts = [e.payload["text"] for e in entries if e.target_id == job]
        assert world.board_notes(job) == texts
    assert sum(world.app.writes.values()) == len(queued)
    # the boards met: some found a row (or an earlier one on its job) taken by another (else this proved little)
    assert sum(len(r.busy) for r in reports) > 0


async def _board(world: World, act: Callable[[Outbox], Awaitable[T]], **options: Any) -> T:
    """``act(outbox)`` on a board of its own (its connections, its client); ``options`` for its ``Outbox``."""
    async with make_client(world.url) as client:
        with PgStore(world.cache_url) as store:
            return await act(Outbox(store, ServiceTitanProvider(client), **options))


def _worker(cache_url: str, url: str, now: datetime, kill: str) -> None:
    """A board's sender in its own process, killed by SIGKILL around its send (tests/support/outbox_worker.py)."""
    done = subprocess.run([sys.executable, str(WORKER), cache_url, url, now.isoformat(), "--kill", kill],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == -9, done.stderr


@pytest.mark.parametrize("kill", ["before", "after"], ids=["before-the-request-left", "after-the-server-applied"])
def test_a_sender_killed_mid_send_loses_its_lease_and_the_write_is_sent_once(
        world: World, kill: str, monkeypatch: pytest.MonkeyPatch) -> None:
    now = world.state.now()
    (job,) = world.open_jobs(1)
    text = f"killed {kill} sending this"
    with PgStore(world.cache_url) as store:
        entry = Outbox(store, clock=lambda: now).enqueue(d.AddJobNote(job_id=job, text=text))
    _worker(world.cache_url, world.url, now, kill)
    assert world.note_posts(job) == (1 if kill == "after" else 0)

    async def take_over(outbox: Outbox) -> Any:
        return await outbox.replay(), outbox.get(entry.id)

    # a board on another machine cannot see the sender's pid: its claim holds until the lease ends...
    monkeypatch.setattr(outbox_module, "_host", lambda: "another-board#1")
    report, row = asyncio.run(_board(world, take_over, clock=lambda: now + LEASE / 2))
    assert report.busy == [entry.id] and row.state == OutboxState.SENDING and row.sent_at is not None
    # ... then the write is taken over: looked for first (the request may have left), sent only if not found
    report, row = asyncio.run(_board(world, take_over, clock=lambda: now + LEASE * 1.5))
    assert report.done == [entry.id] and row.state == OutboxState.DONE and row.attempts == 2
    if kill == "after":  # found on the server, not made again
        assert row.answer["detail"] == {"found": True}
    assert world.note_posts(job) == 1 and len(world.notes(job, text)) == 1


def test_a_change_made_on_the_backend_after_a_write_was_queued_holds_it_as_a_conflict(world: World) -> None:
    """The conflict check, kept on the shared outbox: a job edited in the backend since a board queued its edit is
    held (nothing sent) until its author confirms it, then sent once."""
    (job,) = world.open_jobs(1)
    record = world.state["jobs"].get(job)

    with PgStore(world.cache_url) as store:
        entry = Outbox(store, author="Ann").enqueue(d.EditJob(job_id=job, changes={"summary": "Ann's summary"}))
    record["summary"] = "changed in the backend"
    world.state.advance(60)
    world.state["jobs"].touch(record)

    report = asyncio.run(_board(world, Outbox.replay, author="Bob"))
    assert report.conflicts == [entry.id] and world.app.writes == Counter()
    with PgStore(world.cache_url) as store:
        assert [e.id for e in Outbox(store, author="Ann").listing()] == [entry.id]
        assert Outbox(store).get(entry.id).author == "Ann"

    confirmed = asyncio.run(_board(world, lambda outbox: outbox.confirm(entry.id), author="Ann"))
    assert confirmed.state == OutboxState.DONE
    assert sum(world.app.writes.values()) == 1 and world.state["jobs"].get(job)["summary"] == "Ann's summary"
