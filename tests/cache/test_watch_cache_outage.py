"""The team's sync service (cache/watch.py) when its PostgreSQL database goes away: restarted (``pg_ctl restart -m
fast``: every connection ends with AdminShutdown) or cut off (a proxy between the service and the server closes
every connection and refuses new ones). It says so once, keeps trying, and carries on when the database is back:
the feeds go on from their stored positions, a write a board queued meanwhile is sent exactly once, and ``stop()``
during the outage ends it at once. A write a board queues is sent within a second or two (the service listens
for the outbox's changes), not at its next due round."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from support.dead_ports import silent_socket, url_of
from support.postgres import PostgresServer, restart_server
from support.sync_world import make_client
from support.tcp_proxy import tcp_proxy
from support.team_boards import edit_summary, until

from jpm_tui.cache.opening import CacheLocation
from jpm_tui.cache.outbox import Outbox
from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.pg.db import PgDatabase
from jpm_tui.cache.watch import SyncService
from jpm_tui.provider import domain as d
from jpm_tui.provider.servicetitan import ServiceTitanProvider

UNREACHABLE = "cache database unreachable: "
BACK = "cache database reachable again"
SENT_WITHIN = 2.0
"""Seconds from a board's commit of a write to the sandbox holding it (the service hears the outbox change)."""


@contextlib.asynccontextmanager
async def _service(store: PgStore, base_url: str, url: str, tmp_path: Path,
                   **retry: float) -> AsyncIterator[tuple[SyncService, list[str]]]:
    """The service on ``store``, listening on the database at ``url``; yields it and its lines once its first
    round is done."""
    lines: list[str] = []
    location = CacheLocation(tmp_path / "unused.sqlite3", url=url)
    service = SyncService(store, lambda: ServiceTitanProvider(make_client(base_url)), say=lines.append,
                          listen=location.listener, **retry)
    serving = asyncio.create_task(service.serve())
    try:
        await until(lambda: bool(lines), "the service's first round", 30)
        yield service, lines
    finally:
        service.stop()
        await asyncio.wait_for(serving, 5)


def _notes(state: Any, job_id: int, text: str) -> int:
    return sum(1 for n in state["job_notes"].values() if n.get("jobId") == job_id and n["text"] == text)


async def _queue_note(url: str, job_id: int, text: str) -> int:
    """A board's write, queued in the shared outbox on a connection of its own; its id."""
    def queue() -> int:
        with PgStore(url) as board:
            return Outbox(board, author="Ann").enqueue(d.AddJobNote(job_id, text, False)).id

    return await asyncio.to_thread(queue)


def _said(lines: list[str], start: str) -> Callable[[], bool]:
    return lambda: any(line.startswith(start) for line in lines)


async def test_a_restarted_database_is_said_once_and_the_service_carries_on_sending_each_write_once(
        sandbox_server: Any, postgres_server: PostgresServer, postgres_url: str, tmp_path: Path) -> None:
    state = sandbox_server.state
    job_id = min(int(j["id"]) for j in state["jobs"].values())
    with PgStore(postgres_url) as store:
        async with _service(store, sandbox_server.base_url, postgres_url, tmp_path) as (service, lines):
            await asyncio.to_thread(restart_server, postgres_server)
            await until(_said(lines, BACK), f"back after the restart, not {lines}", 10)
            (down,) = [line for line in lines if line.startswith(UNREACHABLE)]
            assert down.endswith("; retrying") and "AdminShutdown" not in down
            assert "terminating connection due to administrator command" in down or "closed" in down, down

            # a board's write after the restart: heard and sent at once, exactly once
            entry = await _queue_note(postgres_url, job_id, "Call before coming")
            took = await until(lambda: _notes(state, job_id, "Call before coming") == 1, "the note sent",
                               SENT_WITHIN)
            assert took < SENT_WITHIN
            await until(lambda: Outbox(store).get(entry).state == "done", "the write marked done", 2)

            # the feeds go on
            edit_summary(state, job_id, "After the restart")
            await until(lambda: store.job(job_id).summary == "After the restart", "the change stored", 8)
            assert service.state.online
    assert _notes(state, job_id, "Call before coming") == 1
    assert len([line for line in lines if line.startswith(UNREACHABLE)]) == 1


async def test_a_database_cut_off_is_retried_its_writes_sent_once_back_and_stop_ends_the_outage_at_once(
        sandbox_server: Any, postgres_url: str, tmp_path: Path) -> None:
    state = sandbox_server.state
    job_id, other = sorted(int(j["id"]) for j in state["jobs"].values())[:2]  # a note on one, the other edited
    params = conninfo_to_dict(postgres_url)
    with tcp_proxy(str(params["host"]), int(params["port"])) as proxy:
        through = postgres_url.replace(f":{params['port']}/", f":{proxy.port}/")
        with PgStore(through) as store:
            async with _service(store, sandbox_server.base_url, through, tmp_path,
                                cache_retry=0.2, cache_retry_max=0.4) as (service, lines):
                proxy.cut()
                await until(_said(lines, UNREACHABLE), f"the outage said, not {lines}", 6)

                # meanwhile a board queues a write and the backend changes: neither reaches the cut-off service
                entry = await _queue_note(postgres_url, job_id, "Queued while cut off")
                edit_summary(state, other, "Changed while cut off")
                await asyncio.sleep(1.0)  # several attempts to reconnect, said once
                assert _notes(state, job_id, "Queued while cut off") == 0
                assert [line for line in lines if line.startswith(UNREACHABLE)] == [lines[-1]]

                proxy.restore()
                await until(_said(lines, BACK), "back once the database answers", 3)
                await until(lambda: _notes(state, job_id, "Queued while cut off") == 1, "the write sent", 3)
                await until(lambda: store.job(other).summary == "Changed while cut off", "the change stored", 8)
                await until(lambda: Outbox(store).get(entry).state == "done", "the write marked done", 2)

                # stopped during an outage: at once
                proxy.cut()
                await until(lambda: sum(line.startswith(UNREACHABLE) for line in lines) == 2, "cut again", 6)
                loop = asyncio.get_running_loop()
                started = loop.time()
                service.stop()
                assert service._serving is not None
                await asyncio.wait_for(service._serving, 2)
                assert loop.time() - started < 1.0
    assert _notes(state, job_id, "Queued while cut off") == 1


async def test_the_database_is_tried_again_after_1_2_4_seconds_and_so_on_at_most_30_apart(
        sandbox_server: Any, postgres_url: str) -> None:
    """The outage's waits, counted by the service's ``sleep`` (which waits none of them): seven attempts fail, the
    proxy is restored during the eighth wait, and the eighth attempt finds the database."""
    params = conninfo_to_dict(postgres_url)
    waits: list[float] = []
    with tcp_proxy(str(params["host"]), int(params["port"])) as proxy:
        through = postgres_url.replace(f":{params['port']}/", f":{proxy.port}/")

        async def counted(seconds: float) -> None:
            waits.append(seconds)
            if len(waits) == 8:
                proxy.restore()

        lines: list[str] = []
        with PgStore(through) as store:
            service = SyncService(store, lambda: ServiceTitanProvider(make_client(sandbox_server.base_url)),
                                  say=lines.append, sleep=counted)
            proxy.cut()
            error = await service._cache_error()
            assert error is not None
            await asyncio.wait_for(service._cache_outage(error), 10)
            assert store.job(1) is None  # the store answers again
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]
    assert lines == ["cache database unreachable: Connection refused; retrying", BACK]


def test_a_database_that_never_answers_is_given_up_within_seconds() -> None:
    """A server that takes the connection and says nothing (a dead network, a hung host): the store's connection
    fails after its connect timeout, so the service's next attempt comes (and SIGTERM ends it) in seconds."""
    with silent_socket() as sock:
        host_port = url_of(sock).split("//", 1)[1]
        db = PgDatabase(f"postgresql://jpm@{host_port}/office")
        started = time.monotonic()
        try:
            db.conn  # noqa: B018 - connecting is the point
        except psycopg.OperationalError as error:
            assert "timeout" in str(error).lower(), error
        else:
            raise AssertionError("a silent server was taken for a database")
        finally:
            db.close()
    assert time.monotonic() - started < 8
