"""A board on a team's cache whose database becomes unreachable (a proxy between the board and the PostgreSQL server
cuts every connection and refuses new ones): the header says so at once, the jobs on screen stay, a write is refused
with the reason and nothing is queued; when the database is back the board recovers by itself, shows what the sync
service wrote meanwhile (without a key press) and takes writes again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from support.team_boards import board_behind_proxy, edit_summary, until, until_stored

from jpm_tui.cache.outbox import Outbox
from jpm_tui.provider import domain as d

AT_ONCE = 2.0
"""Seconds the header may take to say the database is gone (the listener's connection ends with it)."""
BACK = 4.0
"""Seconds the board may take to be back once the database answers (it retries every second)."""


async def test_an_unreachable_team_cache_is_said_at_once_keeps_the_screen_refuses_writes_and_recovers(
        sandbox_server: Any, postgres_url: str, tmp_path: Path) -> None:
    state = sandbox_server.state
    async with board_behind_proxy(sandbox_server, postgres_url, tmp_path) as (board, proxy, service_store):
        jobs = len(state["jobs"])
        await board.pilot.press("down", "down")
        job_id = board.table.cursor_job_id
        assert job_id is not None
        shown = board.shown()

        proxy.cut()
        took = await until(lambda: not board.app.status.online, "offline", AT_ONCE)
        assert took < AT_ONCE
        assert board.app.status.offline_reason is not None
        assert board.app.status.offline_reason.startswith("team cache unreachable: ")
        await board.pilot.pause(0.1)
        assert "○ offline: team cache unreachable" in board.header()
        assert board.shown().split("\n")[2:] == shown.split("\n")[2:]  # the jobs stay (the header changed)
        assert board.table.row_count == jobs and board.table.cursor_job_id == job_id

        # a write is refused, with the reason, and nothing is queued that could be lost
        reason = board.app.read_only_reason
        assert reason is not None and reason.startswith("the team cache cannot be reached (")
        assert await board.app.queue(d.AddJobNote(job_id, "Refused while down", False)) == reason
        assert Outbox(service_store).counts() == {}

        # a read while it is gone (a job opened): said, and the board goes on
        await board.pilot.press("enter")
        await until(lambda: any(n.message.startswith("Not read: team cache unreachable: ")
                                for n in board.app._notifications), "the read refused, said", 2)
        assert board.app.is_running and board.app.failure is None
        await board.pilot.press("escape")

        # the service writes on, unheard by the board
        edit_summary(state, job_id, "Back to 4417")
        await asyncio.to_thread(until_stored, service_store, job_id, "Back to 4417")
        await board.pilot.pause(0.5)
        assert "Back to 4417" not in board.shown() and not board.app.status.online

        proxy.restore()
        took = await until(lambda: board.app.status.online and "Back to 4417" in board.shown(),
                           "back, with the change made meanwhile", BACK)
        assert "● online" in board.header() and board.table.cursor_job_id == job_id
        assert board.app.read_only_reason is None
        assert await board.app.queue(d.AddJobNote(job_id, "Queued once back", False)) is None
        # the one write queued: the one refused while down left nothing behind
        assert [e.author for e in Outbox(service_store).entries()] == ["Dispatcher 0"]
