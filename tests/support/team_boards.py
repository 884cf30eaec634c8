"""Boards on a team's cache, for the tests of issue 21 (imported by name): boards made as ``session.board_app``
makes them for a profile with ``cache_url`` (each its own store and a ``TeamLive`` listening on the database), run
together under Pilot in this process; the team's sync service in this process; request counters on both sides of
the sandbox's HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from psycopg.conninfo import conninfo_to_dict

from jpm_tui.cache.opening import CacheLocation, open_store
from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.team_live import TeamLive
from jpm_tui.cache.watch import SyncService
from jpm_tui.provider.servicetitan import ServiceTitanProvider
from jpm_tui.ui.app import JpmApp
from jpm_tui.ui.widgets.job_table import JobTable
from jpm_tui.ui.widgets.status_line import BoardStatus, StatusLine
from support.sync_world import make_client
from support.tcp_proxy import TcpProxy, tcp_proxy


@dataclass
class TeamBoard:
    app: JpmApp
    store: PgStore
    pilot: Any = None
    table: JobTable = field(init=False)

    def shown(self) -> str:
        """What the screen shows, as text."""
        return "\n".join(strip.text for w in self.app.screen.query("*") if w.size.area
                         for strip in w.render_lines(w.size.region))

    def header(self) -> str:
        return str(self.app.screen.query_one(StatusLine).render())


def team_board(location: CacheLocation, author: str) -> TeamBoard:
    store = open_store(location)
    assert isinstance(store, PgStore)
    live = TeamLive(store, location.listener, author=author)
    status = BoardStatus(profile="office", service_notice=live.state.service_notice)  # as session.board_app
    return TeamBoard(JpmApp(store, status, live=live), store)


@contextlib.asynccontextmanager
async def open_boards(location: CacheLocation, count: int) -> AsyncIterator[list[TeamBoard]]:
    """``count`` boards running at once (each its own Textual app under Pilot), the first "Dispatcher 0"'s, ..."""
    boards = [team_board(location, f"Dispatcher {n}") for n in range(count)]
    async with contextlib.AsyncExitStack() as stack:
        for board in boards:
            stack.callback(board.store.close)  # after its app ended (callbacks run last in, first out)
            board.pilot = await stack.enter_async_context(board.app.run_test(size=(120, 30)))
            board.table = board.app.screen.query_one(JobTable)
        yield boards


async def until(condition: Callable[[], bool], what: str, limit: float) -> float:
    """Waits (steps of 20 ms) until ``condition``; the seconds it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not condition():
        assert loop.time() - started < limit, f"{what}: not within {limit} s"
        await asyncio.sleep(0.02)
    return loop.time() - started


@contextlib.asynccontextmanager
async def board_behind_proxy(sandbox_server: Any, postgres_url: str,
                             directory: Path) -> AsyncIterator[tuple[TeamBoard, TcpProxy, PgStore]]:
    """The team's sync service on the database at ``postgres_url`` and one board ("Dispatcher 0") reaching it through
    a proxy that can cut it off; yields the board (showing every job of the sandbox), the proxy and the service's
    store."""
    params = conninfo_to_dict(postgres_url)
    service_store = open_store(CacheLocation(directory / "service.sqlite3", url=postgres_url))
    assert isinstance(service_store, PgStore)
    try:
        with tcp_proxy(str(params["host"]), int(params["port"])) as proxy:
            through = postgres_url.replace(f":{params['port']}/", f":{proxy.port}/")
            location = CacheLocation(directory / "board.sqlite3", url=through)
            async with sync_service(service_store, sandbox_server.base_url), open_boards(location, 1) as (board,):
                jobs = len(sandbox_server.state["jobs"])
                await until(lambda: board.table.row_count == jobs, "the jobs on the board", 10)
                yield board, proxy, service_store
    finally:
        service_store.close()


@contextlib.asynccontextmanager
async def sync_service(store: Any, base_url: str, transport: httpx.AsyncBaseTransport | None = None,
                       **options: Any) -> AsyncIterator[list[str]]:
    """The team's sync service (``sync --watch``) on ``store``, in this process, its requests sent through
    ``transport``, made with ``SyncService``'s keyword ``options`` (``listen``, ...); yields its lines once its first
    round is done."""
    lines: list[str] = []
    service = SyncService(store, lambda: ServiceTitanProvider(make_client(base_url, transport=transport)),
                          say=lines.append, **options)
    serving = asyncio.create_task(service.serve())
    try:
        await until(lambda: bool(lines), "the service's first round", 30)
        yield lines
    finally:
        service.stop()
        await asyncio.wait_for(serving, 5)


class CountingTransport(httpx.AsyncBaseTransport):
    """A client's HTTP transport, counting the requests it sends."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class CountingApp:
    """An ASGI app (the sandbox's), counting the HTTP requests it is sent."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


def edit_summary(state: Any, job_id: int, summary: str) -> None:
    """A dispatcher's edit in the backend (the sandbox): the job's summary, its modification time moved on."""
    job = state["jobs"].get(job_id)
    job["summary"] = summary
    state.advance(1)
    state["jobs"].touch(job)


def until_stored(store: Any, job_id: int, summary: str) -> None:
    """Polls (every 10 ms, at most 10 s) until the service stored ``summary`` on the job: returns within 10 ms of
    its commit (run it off the event loop: ``asyncio.to_thread``)."""
    deadline = time.monotonic() + 10
    while store.job(job_id).summary != summary:
        assert time.monotonic() < deadline, f"the service did not store {summary!r} within 10 s"
        time.sleep(0.01)
