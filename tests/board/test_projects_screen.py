"""The projects screens on the demo board, end to end: search the list, add a note, attach and detach a job."""

from __future__ import annotations

from typing import Any

from support.demo_board import Board

from jpm_tui.cache.store import ProjectQuery
from jpm_tui.ui.screens.job_detail import JobDetailScreen
from jpm_tui.ui.screens.modals import ConfirmScreen, PickerScreen, TextEntryScreen
from jpm_tui.ui.screens.projects import ProjectDetailScreen, ProjectsScreen
from jpm_tui.ui.widgets.job_table import JobTable
from jpm_tui.ui.widgets.project_table import ProjectTable


async def _projects(board: Board) -> ProjectsScreen:
    await board.pilot.press("P")
    await board.wait(lambda: isinstance(board.app.screen, ProjectsScreen)
                     and board.app.screen.table.row_count is not None, "the project list")
    return board.app.screen  # type: ignore[return-value]


async def _open_project(board: Board, project: dict[str, Any]) -> ProjectDetailScreen:
    screen = await _projects(board)
    await board.pilot.press("slash", *project["number"], "enter")
    table: ProjectTable = screen.table
    await board.wait(lambda: table.list_query.text == project["number"] and table.cursor_row is not None, "the search")
    while table.cursor_row.id != project["id"]:
        await board.pilot.press("down")
        await board.pilot.pause()
    await board.pilot.press("enter")
    await board.wait(lambda: isinstance(board.app.screen, ProjectDetailScreen) and board.app.screen.detail
                     is not None, "the project detail")
    detail: ProjectDetailScreen = board.app.screen  # type: ignore[assignment]
    await board.wait(lambda: detail.query_one("#project-jobs", JobTable).row_count is not None, "its jobs")
    await board.pilot.pause(0.1)
    return detail


async def test_search_the_project_list(board: Board) -> None:
    screen = await _projects(board)
    total = board.store.count_projects(ProjectQuery())
    assert screen.table.row_count == total == len([p for p in board.sandbox["projects"].values()
                                                    if p.get("active", True)])
    project = sorted(board.sandbox["projects"].values(), key=lambda p: p["id"])[0]
    word = project["name"].split()[0]
    await board.pilot.press("slash", *word, "enter")
    expected = board.store.count_projects(ProjectQuery(text=word))
    await board.wait(lambda: screen.table.list_query.text == word and screen.table.row_count == expected
                     and screen.table.loaded_rows(), "the search result")
    assert 1 <= expected < total
    assert all(word.lower() in (r.name + r.number).lower() for r in screen.table.loaded_rows())
    assert f"{expected} matching" in board.shown() and project["name"][:12] in board.shown()
    await board.pilot.press("slash", "escape")
    await board.wait(lambda: screen.table.row_count == total, "the search cleared")


async def test_add_a_note_to_a_project(board: Board) -> None:
    project = sorted(board.sandbox["projects"].values(), key=lambda p: p["id"])[0]
    await _open_project(board, project)
    await board.pilot.press("n")
    assert isinstance(board.app.screen, TextEntryScreen)
    await board.pilot.press(*"Crane booked for Tuesday", "ctrl+s")
    await board.settled()
    notes = [n for n in board.sandbox["project_notes"].values() if n.get("projectId") == project["id"]] or [
        n for bucket in board.sandbox["project_notes"].values() for n in bucket.get("notes", [])
        if bucket.get("projectId") == project["id"]]
    assert any(n["text"] == "Crane booked for Tuesday" for n in notes)
    await board.wait(lambda: "Crane booked for Tuesday" in board.shown(), "the note on screen")
    assert board.app.status.outbox == 0


async def test_attach_a_job_of_the_customer_then_detach_it(board: Board) -> None:
    jobs = board.sandbox["jobs"].values()
    project = next(p for p in sorted(board.sandbox["projects"].values(), key=lambda p: p["id"])
                   if any(j["customerId"] == p["customerId"] and j.get("projectId") != p["id"]
                          and j["jobStatus"] != "Canceled" for j in jobs))
    detail = await _open_project(board, project)
    table = detail.query_one("#project-jobs", JobTable)
    before = table.row_count
    await board.pilot.press("a")
    await board.wait(lambda: isinstance(board.app.screen, PickerScreen), "the job picker")
    picker: PickerScreen = board.app.screen  # type: ignore[assignment]
    job_id = int(picker.shown[0].value)
    assert board.sandbox["jobs"].get(job_id)["customerId"] == project["customerId"]
    await board.pilot.press("enter")
    await board.settled()
    assert board.sandbox["jobs"].get(job_id)["projectId"] == project["id"]
    assert board.store.job(job_id).project_id == project["id"]
    await board.wait(lambda: table.row_count == before + 1, "the attached job in the list")

    index = next(i for i in range(table.row_count) if table.row_at(i) and table.row_at(i).id == job_id)
    table.focus()
    table.cursor = index
    await board.pilot.press("enter")  # opens the job
    await board.wait(lambda: isinstance(board.app.screen, JobDetailScreen), "the job")
    assert board.app.screen.job_id == job_id
    await board.pilot.press("escape")
    # as a dispatcher sees it first: back on the project, the job under the cursor (the opened job's read from the
    # server reloads the project's list, and D waits for its row)
    await board.wait(lambda: isinstance(board.app.screen, ProjectDetailScreen) and table.row_at(table.cursor) is not None
                     and table.row_at(table.cursor).id == job_id, "the project with the job under the cursor")
    # and D offered (a reload for the job's server read can leave no row under the cursor for a moment)
    await board.wait(lambda: detail.check_action("detach_job", ()) is True, "D offered")
    await board.pilot.press("D")
    await board.wait(lambda: isinstance(board.app.screen, ConfirmScreen), "the confirmation")
    await board.pilot.press("y")
    await board.settled()
    assert board.sandbox["jobs"].get(job_id)["projectId"] is None
    await board.wait(lambda: table.row_count == before, "the detached job gone from the list")
