"""A write queued on a team board is sent by the team's sync service within a second or two, not at its next
round: the service listens for the outbox's changes. The board says honestly who sends it (not "offline")."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from support.team_boards import open_boards, sync_service, until

from jpm_tui.cache.live import CADENCES, Cadence
from jpm_tui.cache.opening import CacheLocation, open_store
from jpm_tui.provider import domain as d

SENT_WITHIN = 2.0
"""Seconds from the board's queueing to the sandbox holding the note."""
RARE_ROUNDS = {**CADENCES, "fast": Cadence(every=60.0, idle=60.0)}
"""A service whose rounds are a minute apart: only hearing of the write can send it within ``SENT_WITHIN``."""


async def test_a_note_queued_on_a_team_board_reaches_the_backend_within_2_s_exactly_once(
        sandbox_server: Any, postgres_url: str, tmp_path: Path) -> None:
    state = sandbox_server.state
    service_store = open_store(CacheLocation(tmp_path / "service.sqlite3", url=postgres_url))
    assert service_store is not None
    location = CacheLocation(tmp_path / "board.sqlite3", url=postgres_url)

    def notes(text: str) -> int:
        return sum(1 for n in state["job_notes"].values() if n["text"] == text)

    try:
        async with open_boards(location, 1) as (board,):
            job_id = min(int(j["id"]) for j in state["jobs"].values())  # not in the cache yet: no service ran

            # no service runs yet: queued, and said to be the service's to send (the board is not offline)
            assert await board.app.queue(d.AddJobNote(job_id, "Gate code 4417", False)) is None
            await until(lambda: any(n.message.startswith("Queued: ") for n in board.app._notifications),
                        "the board said it is queued", 2)
            (said,) = [n for n in board.app._notifications if n.message.startswith("Queued: ")]
            assert said.title == "Queued" and said.message.endswith("The team's sync service sends it (within "
                                                                    "seconds while the service runs).")
            assert board.app.status.online

            async with sync_service(service_store, sandbox_server.base_url, listen=location.listener,
                                    cadences=RARE_ROUNDS):
                await until(lambda: notes("Gate code 4417") == 1, "the first write sent by the first round", 5)

                # the service's next round is a minute away: hearing of the write sends it
                assert await board.app.queue(d.AddJobNote(job_id, "Ring the bell twice", False)) is None
                took = await until(lambda: notes("Ring the bell twice") == 1, "the note on the backend", SENT_WITHIN)
                assert took < SENT_WITHIN
                await asyncio.sleep(1.0)  # the service's own outbox writes wake it again: nothing more is sent
            assert notes("Gate code 4417") == notes("Ring the bell twice") == 1
    finally:
        service_store.close()



WORKER = Path(__file__).parents[1] / "support" / "outbox_worker.py"


async def test_the_author_hears_how_each_write_the_service_sent_ended(
        sandbox_server: Any, postgres_url: str, tmp_path: Path) -> None:
    # the board said "Queued" (the service sends it): once another process has sent it, the board says "Done", or
    # the server's refusal as a write sent from the board itself would have (not only a row in the outbox)
    state = sandbox_server.state
    location = CacheLocation(tmp_path / "board.sqlite3", url=postgres_url)
    job_id = min(int(j["id"]) for j in state["jobs"].values())

    def said(title: str, start: str) -> list[str]:
        return [n.message for n in board.app._notifications if n.title == title and n.message.startswith(start)]

    async def send_queued() -> None:  # the team's service, in its own process
        worker = await asyncio.create_subprocess_exec(
            sys.executable, str(WORKER), postgres_url, sandbox_server.base_url, state.now().isoformat(),
            stdout=asyncio.subprocess.DEVNULL)
        assert await asyncio.wait_for(worker.wait(), 60) == 0

    async with open_boards(location, 1) as (board,):
        assert await board.app.queue(d.AddJobNote(job_id, "Gate code 4417", False)) is None
        await until(lambda: said("Queued", "Queued: "), "the board said it is queued", 5)
        assert not said("", "Done: ")
        await send_queued()
        await until(lambda: said("", "Done: "), "the board said it is done", 5)
        assert said("", "Done: ") == ['Done: add a note to job 20000001: "Gate code 4417"']

        assert await board.app.queue(d.AddJobNote(999_999_999, "Nobody's job", False)) is None
        await send_queued()
        await until(lambda: said("Refused by the server", ""), "the board said it was refused", 5)
        (refused,) = said("Refused by the server", "")
        assert "999999999" in refused
        await asyncio.sleep(0.5)  # the outbox's later changes say nothing more of either
        assert len(said("", "Done: ")) == 1 and len(said("Refused by the server", "")) == 1
