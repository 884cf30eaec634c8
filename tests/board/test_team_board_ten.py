"""The test of issue 21: ten boards (``JpmApp`` driven by Pilot, in this process) on one team cache fed by one sync
service against the sandbox. A change made in the sandbox reaches all ten within 2 s of the service writing it,
every cursor staying on its job; the sandbox serves the service's requests and no others (the boards poll
nothing), so its request count is that of one sync, not ten; a write queued on one board is marked on all ten,
sent once by the service, and unmarked everywhere."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from support.team_boards import (
    CountingApp,
    CountingTransport,
    edit_summary,
    open_boards,
    sync_service,
    until,
    until_stored,
)

from jpm_tui.cache.opening import CacheLocation, open_store
from jpm_tui.provider import domain as d
from jpm_tui.sandbox import create_app, running_server

BOARDS = 10
WITHIN_2_S = 2.0


async def test_ten_boards_see_a_sandbox_change_within_2_s_of_the_service_writing_it_on_one_sync(
        sandbox_state: Any, postgres_url: str, tmp_path: Path) -> None:
    location = CacheLocation(tmp_path / "no-file.sqlite3", url=postgres_url)
    served = CountingApp(create_app(sandbox_state))  # every request the sandbox is sent, from anyone
    sent = CountingTransport()  # the service's own
    service_store = open_store(location)
    assert service_store is not None
    try:
        with running_server(served) as base_url:  # type: ignore[arg-type]  # any ASGI app serves
            async with sync_service(service_store, base_url, sent), open_boards(location, BOARDS) as boards:
                jobs = len(sandbox_state["jobs"])
                for n, board in enumerate(boards):  # each cursor on another job
                    await until(lambda b=board: b.table.row_count == jobs, "the jobs on every board", 10)
                    await board.pilot.press(*["down"] * n)
                    await until(lambda b=board, n=n: b.table.cursor == n and b.table.cursor_job_id is not None,
                                "the cursor", 2)
                cursors = [b.table.cursor_job_id for b in boards]
                before = served.requests

                edit_summary(sandbox_state, cursors[-1], "Gate 4417")
                await asyncio.to_thread(until_stored, service_store, cursors[-1], "Gate 4417")
                took = await until(lambda: all("Gate 4417" in b.shown() for b in boards),
                                   "the change on every board", WITHIN_2_S)
                assert took < WITHIN_2_S, f"the last board showed it {took:.2f} s after the service wrote it"
                assert [b.table.cursor_job_id for b in boards] == cursors

                boards[3].app.submit(d.AddJobNote(cursors[0], "Call before you come", False))
                await until(lambda: all(b.table.write_marks.get(cursors[0]) is not None for b in boards),
                            "the queued write marked on every board", WITHIN_2_S)
                assert {b.table.write_marks[cursors[0]].authors for b in boards} == {("Dispatcher 3",)}
                await until(lambda: all(cursors[0] not in b.table.write_marks for b in boards),
                            "sent by the service, and unmarked on every board", 10)
                assert [n["text"] for n in sandbox_state["job_notes"].values()].count("Call before you come") == 1

                # the boards asked the sandbox nothing: it was sent no request but the service's (counted as they
                # leave the service, and as they reach the sandbox: some may be on their way), a few per round
                assert served.requests <= sent.requests
                assert 0 < served.requests - before < 60
    finally:
        service_store.close()
