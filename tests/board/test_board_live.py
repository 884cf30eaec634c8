"""The open board keeps up with the server without a key press: offline within 3 s of the API going away (a refused
port, a server that accepts connections and never answers), online within 3 s of its return, a write queued meanwhile
counted at once, and a change made on the server shown while the cursor stays on its job. The demo board (Pilot)
against real sockets on loopback, or the in-process sandbox with faster cadences injected."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from support.dead_ports import refused_socket, silent_socket, url_of
from support.demo_board import Board

from jpm_tui.cache.live import CADENCES, Cadence
from jpm_tui.cache.sync import SyncEngine
from jpm_tui.provider import domain as d
from jpm_tui.provider.servicetitan import ServiceTitanProvider
from jpm_tui.sandbox import running_server
from jpm_tui.sandbox import state as sandbox_state
from jpm_tui.ui.widgets.job_table import JobTable
from jpm_tui.ui.widgets.status_line import StatusLine

WITHIN_3_S = 3.0


def _client(url: str | None, board: Board) -> Any:
    """A client of the demo sandbox: over HTTP at ``url``, else in process."""
    from jpm_tui.api.client import ServiceTitanClient

    return ServiceTitanClient(
        api_url=url or board.session.api_url, auth_url=url or board.session.api_url, tenant=sandbox_state.TENANT,
        client_id=sandbox_state.CLIENT_ID, client_secret=sandbox_state.CLIENT_SECRET, app_key=sandbox_state.APP_KEY,
        rate_limit=None, transport=None if url else httpx.ASGITransport(app=board.session.sandbox_app))


def _header(board: Board) -> str:
    return str(board.app.screen.query_one(StatusLine).render())


async def _seconds_until(board: Board, condition: Callable[[], bool], what: str, limit: float) -> float:
    """Waits (in Pilot pauses of 0.05 s, at most ``limit`` seconds of them) until ``condition``; the seconds waited."""
    steps = 0
    while not condition():
        if steps * 0.05 >= limit:
            raise AssertionError(f"{what}: not within {limit} s; the header says {_header(board)!r}")
        await board.pilot.pause(0.05)
        steps += 1
    return steps * 0.05


@pytest.fixture
def new_board(tmp_path) -> Iterator[Board]:
    """The demo board, not started, on an empty cache."""
    board = Board(tmp_path)
    yield board
    board.app.live.close()  # its worker was cancelled, not awaited: no commit may run on as the store closes
    board.store.close()


@pytest.mark.parametrize("dead", [refused_socket, silent_socket], ids=["refused", "silent"])
async def test_the_board_says_offline_within_3_s_and_online_within_3_s_of_the_servers_return(
        dead: Callable[[], Any], new_board: Board) -> None:
    board = new_board
    with dead() as sock:
        board.session.client_factory = lambda: _client(url_of(sock), board)
        async with board.app.run_test(size=(120, 40)) as pilot:
            board.pilot = pilot
            await _seconds_until(board, lambda: not board.app.status.online, "offline", WITHIN_3_S)
            reason = "connection refused" if dead is refused_socket else "timed out"
            assert board.app.status.offline_reason == f"Could not reach 127.0.0.1: {reason}"
            assert "○ offline: Could not reach 127.0.0" in _header(board)  # as much as the line has room for
            await pilot.press("S")  # the sync screen says it whole
            await _seconds_until(board, lambda: f"Offline: Could not reach 127.0.0.1: {reason}" in board.shown(),
                                 "the reason on the sync screen", 2)
            with running_server(board.session.sandbox_app, sock=sock):  # the same port answers again
                await _seconds_until(board, lambda: board.app.status.online, "online again", WITHIN_3_S)
                assert "● online" in _header(board) and "offline" not in _header(board)
                await _seconds_until(board, lambda: "Offline:" not in board.shown(), "the sync screen online", 2)
                board.app.switch_mode("jobs")
                await pilot.pause(0.1)
                table = board.app.screen.query_one(JobTable)
                await _seconds_until(board, lambda: table.row_count == 120, "the jobs on screen", 20)


async def test_a_note_written_while_the_first_round_hangs_is_counted_at_once(new_board: Board) -> None:
    board = new_board
    async with _client(None, board) as client, SyncEngine(board.store, ServiceTitanProvider(client)) as engine:
        assert (await engine.run()).ok  # a cache from yesterday
    job = board.job_where(lambda j: True)
    with silent_socket() as sock:
        board.session.client_factory = lambda: _client(url_of(sock), board)
        async with board.app.run_test(size=(120, 40)) as pilot:
            board.pilot = pilot
            await pilot.pause(0.2)
            assert board.app.status.online  # still believed: the first round waits on the silent server ...
            assert "○ connecting…" in _header(board) and "online" not in _header(board)  # ... but not said
            board.app.submit(d.AddJobNote(job["id"], "from the van", False))
            took = await _seconds_until(board, lambda: board.app.status.outbox == 1, "outbox 1", 0.5)
            assert "outbox 1" in _header(board) and took < 0.5
            await _seconds_until(board, lambda: not board.app.status.online, "offline", WITHIN_3_S)
            assert "outbox 1" in _header(board)


async def test_the_demo_says_connecting_until_the_server_answers_then_online(new_board: Board) -> None:
    board = new_board
    async with board.app.run_test(size=(80, 24)) as pilot:
        board.pilot = pilot
        assert "○ connecting…" in _header(board) and "online" not in _header(board)  # the first frame
        await board.wait(lambda: not board.app.status.connecting, "the server's first answer")
        assert "● online" in _header(board) and "connecting" not in _header(board)
        await board.wait(lambda: board.app.status.last_sync is not None, "the first sync", timeout=30)
        assert "● online" in _header(board)


async def test_a_change_on_the_server_shows_on_the_open_board_with_the_cursor_on_its_job(new_board: Board) -> None:
    board = new_board
    # the real cadence shows a change within 8 s (tests/cache/test_live.py, on virtual time); here 10x faster
    board.app.live.cadences = {tier: Cadence(c.every / 10, c.idle / 10, c.backoff) for tier, c in CADENCES.items()}
    async with board.app.run_test(size=(120, 40)) as pilot:
        board.pilot = pilot
        table = board.app.screen.query_one(JobTable)
        await board.wait(lambda: board.app.status.last_sync is not None and table.row_count == 120, "the first sync")
        await pilot.press(*["down"] * 5)
        await board.wait(lambda: table.cursor == 5 and table.cursor_job_id is not None, "the cursor on row 5")
        watched = board.sandbox["jobs"].get(table.cursor_job_id)
        first = board.sandbox["jobs"].get(table.row_at(0).id)
        # on the server: the job under the cursor gets a new summary, the first row's job goes inactive
        watched["summary"] = "Office edit"
        board.sandbox["jobs"].touch(watched)
        first["active"] = False
        board.sandbox["jobs"].touch(first)
        took = await _seconds_until(board, lambda: "Office edit" in board.shown(), "the change", 3.0)
        await board.wait(lambda: table.row_count == 119, "the inactive job gone")
        assert table.cursor_job_id == watched["id"] and table.cursor == 4  # followed its job up one row
        assert took <= CADENCES["fast"].idle / 10 + 1.0
