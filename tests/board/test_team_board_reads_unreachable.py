"""Every screen of a team board opened for the first time while its database is cut off (a proxy between the board
and the PostgreSQL server closes every connection and refuses new ones): the calendar and its tray, the projects,
the sync screen and its outbox, a job's detail and a search. Each says the database is unreachable, keeps what it
shows, and the board goes on (no internal error); once the database is back each loads by itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.team_boards import TeamBoard, board_behind_proxy, until

from jpm_tui.ui.screens.calendar import CalendarScreen
from jpm_tui.ui.screens.projects import ProjectsScreen
from jpm_tui.ui.screens.sync import SyncScreen

BACK = 4.0
"""Seconds the board may take to be back once the database answers (it retries every second)."""


def _notices(board: TeamBoard) -> set[str]:
    """The notices on screen now (each once: a notice leaves when its time is up)."""
    return {n.identity for n in board.app._notifications}


async def _still_running(board: TeamBoard, before: set[str]) -> None:
    """A notice "Not read: team cache unreachable: ..." came (one not among ``before``), and the board goes on."""
    def said() -> bool:
        return any(n.identity not in before and n.message.startswith("Not read: team cache unreachable: ")
                   for n in board.app._notifications)

    await until(said, "the read refused, said", 3)
    assert board.app.is_running and board.app.failure is None
    assert not board.app.status.online


async def test_each_screen_opened_while_the_team_cache_is_cut_off_says_so_and_loads_once_it_is_back(
        sandbox_server: Any, postgres_url: str, tmp_path: Path) -> None:
    state = sandbox_server.state
    async with board_behind_proxy(sandbox_server, postgres_url, tmp_path) as (board, proxy, _service_store):
        jobs = len(state["jobs"])
        proxy.cut()
        await until(lambda: not board.app.status.online, "offline", 2)

        for key in ("C", "P", "S"):  # calendar (and its tray), projects, sync screen (and its outbox)
            said = _notices(board)
            await board.pilot.press(key)
            await _still_running(board, said)
        await board.pilot.pause(1.5)  # the sync screen refreshes twice a second: not each time said again
        assert len(_notices(board) - said) == 1
        await board.pilot.press("J")
        said = _notices(board)
        await board.pilot.press("enter")  # a job's detail
        await _still_running(board, said)
        await board.pilot.press("escape")
        said = _notices(board)
        await board.pilot.press("slash", "a", "b", "c")  # a search
        await _still_running(board, said)
        assert board.table.row_count == jobs  # the list shown stays

        proxy.restore()
        await until(lambda: board.app.status.online, "back", BACK)
        await board.pilot.press("escape")
        await until(lambda: board.table.row_count == jobs, "the job list again", 3)
        # each screen that could not load does once the database answers (the board refetches everything)
        await board.pilot.press("P")
        projects = board.app.screen
        assert isinstance(projects, ProjectsScreen)
        await until(lambda: "P3000" in board.shown() and bool(projects.statuses), "the projects", 3)
        await board.pilot.press("C")
        calendar = board.app.screen
        assert isinstance(calendar, CalendarScreen)
        await until(lambda: calendar.loads > 0, "the calendar", 3)
        await board.pilot.press("S")
        sync = board.app.screen
        assert isinstance(sync, SyncScreen)
        await until(lambda: bool(sync.lines), "the sync screen's feeds", 3)
        assert board.app.failure is None
