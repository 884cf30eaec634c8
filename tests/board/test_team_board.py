"""Boards on a team's cache (issue 21): they read the PostgreSQL database the team's sync service keeps fresh, poll
nothing themselves, and hear of every commit (LISTEN/NOTIFY): a change the service writes shows on each open board
within 2 s, without a key press, the cursor staying on its job. A write queued on one board goes to the shared
outbox under its dispatcher's name: every board marks the job, and its detail says by whom."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from support.team_boards import edit_summary, open_boards, sync_service, until, until_stored

from jpm_tui.cache.opening import CacheLocation, open_store
from jpm_tui.provider import domain as d

WITHIN_2_S = 2.0


async def test_boards_show_what_the_service_writes_within_2_s_and_say_who_queued_a_change(
        sandbox_server: Any, postgres_url: str, tmp_path: Path) -> None:
    location = CacheLocation(tmp_path / "no-file.sqlite3", url=postgres_url)
    service_store = open_store(location)
    assert service_store is not None
    state = sandbox_server.state
    try:
        async with sync_service(service_store, sandbox_server.base_url), open_boards(location, 2) as (ann, bob):
            jobs = len(state["jobs"])
            for board in (ann, bob):
                await until(lambda b=board: b.table.row_count == jobs, "the jobs on the board", 10)
            await bob.pilot.press("down", "down", "down")
            await until(lambda: bob.table.cursor == 3 and bob.table.cursor_job_id is not None, "bob's cursor", 2)
            watched = bob.table.cursor_job_id
            assert watched is not None and ann.table.cursor == 0
            versions = (ann.app.data_version, bob.app.data_version)

            edit_summary(state, watched, "Gate 4417")
            await asyncio.to_thread(until_stored, service_store, watched, "Gate 4417")
            took = await until(lambda: "Gate 4417" in ann.shown() and "Gate 4417" in bob.shown(),
                               "the change on both boards", WITHIN_2_S)
            assert took < WITHIN_2_S
            assert ann.app.data_version > versions[0] and bob.app.data_version > versions[1]
            assert (ann.table.cursor, bob.table.cursor, bob.table.cursor_job_id) == (0, 3, watched)
            assert not (tmp_path / "no-file.sqlite3").exists()  # the database is the cache

            # Ann queues a change on Bob's job (one the backend refuses, so it stays in the outbox): the shared
            # outbox keeps it under her name, and Bob's board marks the job and says by whom
            ann.app.submit(d.CancelJob(watched, reason_id=999_999))
            await until(lambda: bob.table.write_marks.get(watched) == "failed", "the refusal marked on bob's board", 10)
            assert bob.table.write_marks[watched].authors == ("Dispatcher 0",)
            assert ann.table.write_marks[watched].authors == ("Dispatcher 0",)
            await bob.pilot.press("enter")  # bob opens the job: its pending change says by whom
            await until(lambda: "· by Dispatcher 0" in bob.shown(), "by whom, on bob's detail", 2)
            await ann.pilot.press("down", "down", "down", "enter")  # on her own board it is hers: no name
            await until(lambda: "Pending changes" in ann.shown(), "ann's detail", 2)
            assert "· by " not in ann.shown()
    finally:
        service_store.close()

