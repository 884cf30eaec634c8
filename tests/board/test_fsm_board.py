"""The board on FSM Navigator, end to end: keys on the demo board (`--demo --backend fsm-navigator`) -> outbox ->
the in-process FSM sandbox over HTTP (ASGI) -> the cache and the screen. Status moves by the API's table, the
picker's refusal with its reason, a new job, and an offline status change sent when the network is back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.demo_board import Board, Network, running

from jpm_tui.cache.store import CacheStore
from jpm_tui.provider.backends import workflow_for
from jpm_tui.session import board_app, demo_session
from jpm_tui.ui.screens.jobs import JobsScreen
from jpm_tui.ui.screens.modals import PickerScreen
from jpm_tui.ui.widgets.job_table import JobTable
from jpm_tui.ui.widgets.status_line import StatusLine


class FsmBoard(Board):
    """The demo board on FSM Navigator's sandbox (60 jobs), behind the same network switch."""

    def __init__(self, tmp_path: Path) -> None:  # noqa: D107 - Board's attributes, FSM's session and client
        from jpm_tui.api.fsm_navigator import FsmNavigatorClient
        from jpm_tui.sandbox.fsm_navigator import API_KEY

        self.session = demo_session(tmp_path, jobs=60, backend="fsm-navigator")
        self.fsm = self.session.sandbox_app.state.fsm
        self.network = Network(httpx.ASGITransport(app=self.session.sandbox_app))
        self.session.client_factory = lambda: FsmNavigatorClient(
            api_url="http://127.0.0.1/api/v1", api_key=API_KEY, transport=self.network, rate_limit=None,
            max_retries=0)
        self.store = CacheStore(self.session.cache_file, workflow=workflow_for(self.session.backend))
        self.app = board_app(self.session, self.store)
        self.pilot = None

    def fsm_job(self, status: str) -> dict[str, Any]:
        return next(j for j in sorted(self.fsm.jobs.values(), key=lambda j: j["job_id"])
                    if j["job_status"] == status and j["scheduled_start"])

    async def open_fsm(self, job: dict[str, Any]) -> Any:
        return await self.open({"id": job["job_id"]})

    async def pick_status(self, status: str) -> None:
        await self.pilot.press("s")
        assert isinstance(self.app.screen, PickerScreen)
        await self.pilot.press(*status, "enter")
        await self.settled()


@pytest.fixture
async def fsm_board(tmp_path: Path) -> AsyncIterator[FsmBoard]:
    async with running(FsmBoard(tmp_path)) as opened:
        yield opened  # type: ignore[misc]


async def test_a_pending_job_goes_to_assigned_then_in_progress(fsm_board: FsmBoard) -> None:
    board = fsm_board
    job = board.fsm_job("Pending")
    await board.open_fsm(job)
    await board.pick_status("Assigned")
    assert job["job_status"] == "Assigned" and board.store.job(job["job_id"]).status.value == "Assigned"
    await board.pick_status("In Progress")
    assert job["job_status"] == "In Progress" and job["actual_start"]
    assert board.store.job(job["job_id"]).status.value == "In Progress"
    # The follow-up sync re-reads the job: its window (the calendar's block) takes the status too.
    await board.wait(lambda: board.store.appointment(job["job_id"]).status.value == "In Progress",
                     "the window's status")
    await board.wait(lambda: f"Job {job['job_id']}  In Progress" in board.shown(), "the detail's title")
    assert board.app.status.outbox == 0
    # the confirmation says the move by the workflow's label, not the command's name
    said = [n.message for n in board.app._notifications if n.message.startswith("Done:")]
    assert said[-1] == f"Done: move job {job['job_id']} to In Progress", said


async def test_the_picker_refuses_pending_to_completed_and_says_why(fsm_board: FsmBoard) -> None:
    board = fsm_board
    job = board.fsm_job("Pending")
    await board.open_fsm(job)
    await board.pilot.press("s", *"Completed", "enter")
    await board.pilot.pause(0.2)
    assert isinstance(board.app.screen, PickerScreen)  # still open, with the reason
    shown = " ".join(board.shown().split())  # the reason as one line, however the dialog wraps it
    assert "Pending cannot move to Completed (only to Assigned, Cancelled)" in shown
    assert job["job_status"] == "Pending" and board.app.status.outbox == 0
    await board.pilot.press("escape")


async def test_create_a_job_with_a_technician_and_a_window(fsm_board: FsmBoard) -> None:
    board = fsm_board
    location = min(board.fsm.records["locations"].values(), key=lambda loc: loc["location_id"])
    technician = min(board.fsm.records["technicians"].values(), key=lambda t: t["technician_id"])
    before = set(board.fsm.jobs)
    assert isinstance(board.app.screen, JobsScreen)
    await board.pilot.press("N")
    await board.wait(lambda: isinstance(board.app.screen, PickerScreen), "the location picker")
    await board.pilot.press(*location["location_name"], "enter")
    await board.pilot.press(*"Rooftop unit noisy", "enter")
    await board.pilot.press(*technician["first_name"], " ", *technician["last_name"], "enter")
    await board.pilot.press(*"Set a", "enter")
    await board.pilot.press("ctrl+s")  # tomorrow 08:00-10:00, as the form proposes
    await board.settled()
    (new_id,) = set(board.fsm.jobs) - before
    made = board.fsm.jobs[new_id]
    assert (made["job_title"], made["customer_location_id"], made["assigned_technician_id"]) == (
        "Rooftop unit noisy", location["location_id"], technician["technician_id"])
    assert made["scheduled_start"] and made["scheduled_end"]
    await board.wait(lambda: board.store.job(new_id) is not None, "the new job in the cache")
    await board.wait(lambda: board.store.appointment_technicians(new_id).get(new_id), "its technician's lane")


async def test_an_offline_status_change_is_queued_then_sent_when_the_network_is_back(fsm_board: FsmBoard) -> None:
    board = fsm_board
    job = board.fsm_job("Assigned")
    board.network.up = False
    board.app.live.sync_now()
    await board.wait(lambda: not board.app.status.online, "the board to notice it is offline")
    await board.open_fsm(job)
    await board.pick_status("On Hold")
    assert board.app.status.outbox == 1 and job["job_status"] == "Assigned"
    assert "Pending changes (1)" in board.shown() and "(queued)" in board.shown()
    board.network.up = True
    board.app.live.sync_now()
    await board.wait(lambda: board.app.status.outbox == 0 and board.app.status.online, "the replay", timeout=15)
    assert job["job_status"] == "On Hold"
    await board.wait(lambda: board.store.job(job["job_id"]).status.value == "On Hold", "the cache")


def _header(board: Board) -> str:
    return board.app.screen.query_one(JobTable).render_line(0).text


async def test_the_job_list_shows_the_columns_fsm_navigator_declares(fsm_board: FsmBoard) -> None:
    header = _header(fsm_board)
    assert "Job type" not in header and "Business" not in header  # FSM Navigator has neither
    assert [word in header for word in ("Pri", "Customer / location", "Window", "Technician", "Title")] == [True] * 5


async def test_the_header_names_the_account_in_fsm_navigator_s_word(fsm_board: FsmBoard) -> None:
    line = str(fsm_board.app.screen.query_one(StatusLine).render())
    assert f"account {fsm_board.session.tenant}" in line and "tenant" not in line


def test_a_sandbox_serve_profile_s_header_makes_up_no_account(tmp_path: Path) -> None:
    import tomllib

    from jpm_tui.config import parse_config
    from jpm_tui.sandbox.fsm_navigator.server import profile_text
    from jpm_tui.session import profile_session

    config = parse_config(tomllib.loads(profile_text("http://127.0.0.1:8765")))
    session = profile_session(config, config.profile(), tmp_path)
    assert session.tenant == "127.0.0.1_8765"  # the cache file's name needs one: the host
    store = CacheStore(session.cache_file, workflow=workflow_for(session.backend))
    try:
        app = board_app(session, store)
        assert app.status.profile == "fsm-sandbox" and app.status.tenant == ""  # the header names the profile alone
    finally:
        store.close()


async def test_sorting_by_status_follows_fsm_navigator_s_workflow_order(fsm_board: FsmBoard) -> None:
    from jpm_tui.provider.fsm_navigator.workflow import WORKFLOW

    table = fsm_board.app.screen.query_one(JobTable)
    await fsm_board.pilot.press("greater_than_sign")  # Job # -> Status
    await fsm_board.wait(lambda: table.list_query.sort == "status" and table.row_at(0) is not None, "the status sort")
    await fsm_board.wait(lambda: table.row_at(0).status == "Pending", "the first status of the workflow")
    order = [s.value for s in WORKFLOW.job_statuses]
    listed = [row.status for row in fsm_board.store.jobs_window(table.list_query, 0, 1000)]  # what the table reads
    assert "Completed" in listed and listed == sorted(listed, key=order.index)  # "Completed" in its place


async def test_the_detail_shows_only_the_sections_fsm_navigator_has(fsm_board: FsmBoard) -> None:
    board = fsm_board
    await board.open_fsm(board.fsm_job("Assigned"))
    shown = board.shown()
    assert "Linked assets" in shown and "Description" in shown and "History" in shown
    for absent in ("Notes (", "Booked", "Canceled log", "Job type", "Business unit", "Project"):
        assert absent not in shown, absent


async def test_a_saved_view_by_category_filters_fsm_navigator_s_jobs(fsm_board: FsmBoard) -> None:
    from jpm_tui.config import SavedView
    from jpm_tui.ui.views import views_from_config

    board = fsm_board
    board.app.views[:] = views_from_config([SavedView(name="Finished", filters={"categories": ["done", "closed"]})],
                                           None, board.app.workflow)  # the screen shows the app's list
    await board.pilot.press("1")
    table = board.app.screen.query_one(JobTable)
    finished = ("Completed", "Invoiced", "Paid", "Closed")  # FSM Navigator's done and closed statuses
    assert table.list_query.statuses == finished
    expected = sorted(j["job_id"] for j in board.fsm.jobs.values() if j["job_status"] in finished)
    await board.wait(lambda: table.row_count == len(expected), "the view's count")
    assert sorted(row.id for row in board.store.jobs_window(table.list_query, 0, 1000)) == expected
    assert "Finished" in board.shown()


def test_a_view_naming_an_unknown_category_says_which_are_known() -> None:
    from jpm_tui.ui.views import ViewError, view_from_filters

    with pytest.raises(ViewError, match=r"filters.categories: unknown finished \(known: open, scheduled,"):
        view_from_filters("x", {"categories": ["finished"]}, workflow=workflow_for("fsm-navigator"))


def _free_assets(board: FsmBoard) -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
    """(job) -> the assets at its location it does not link yet, by id."""
    assets = sorted(board.fsm.records["assets"].values(), key=lambda a: a["asset_id"])

    def free(job: dict[str, Any]) -> list[dict[str, Any]]:
        linked = {link["asset_id"] for link in job["assets"]}
        return [a for a in assets if a["location_id"] == job["customer_location_id"] and a["asset_id"] not in linked]
    return free


async def test_linking_an_asset_asks_how_from_fsm_navigator_s_relationship_types(fsm_board: FsmBoard) -> None:
    board = fsm_board
    free = _free_assets(board)
    job = next(j for j in sorted(board.fsm.jobs.values(), key=lambda j: j["job_id"])
               if j["job_status"] in ("Pending", "Assigned") and free(j))
    asset = free(job)[0]
    await board.open_fsm(job)
    await board.pilot.press("l")
    await board.wait(lambda: isinstance(board.app.screen, PickerScreen), "the asset picker")
    await board.pilot.press(*asset["asset_tag"], "enter")
    await board.wait(lambda: isinstance(board.app.screen, PickerScreen)
                     and board.app.screen.dialog_title.endswith(" as"), "the relationship type picker")
    assert [c.label for c in board.app.screen.choices] == [
        "Serviced", "Installed", "Replaced", "Inspected", "Maintenance", "Meter threshold"]
    await board.pilot.press(*"Installed", "enter")
    await board.settled()
    links = {link["asset_id"]: link["relationship_type"] for link in board.fsm.jobs[job["job_id"]]["assets"]}
    assert links.get(asset["asset_id"]) == "installed" and board.app.status.outbox == 0


async def test_the_link_type_picker_warns_that_the_type_goes_to_every_linked_asset(fsm_board: FsmBoard) -> None:
    board = fsm_board
    tags = {a["asset_id"]: a["asset_tag"] for a in board.fsm.records["assets"].values()}
    free = _free_assets(board)
    job = next(j for j in sorted(board.fsm.jobs.values(), key=lambda j: j["job_id"])
               if j["job_status"] in ("Pending", "Assigned") and j["assets"] and free(j))
    await board.open_fsm(job)
    await board.pilot.press("l")
    await board.wait(lambda: isinstance(board.app.screen, PickerScreen), "the asset picker")
    assert not board.app.screen.query("#picker-warning")  # picking the asset: nothing re-typed yet
    await board.pilot.press(*free(job)[0]["asset_tag"], "enter")
    await board.wait(lambda: isinstance(board.app.screen, PickerScreen)
                     and board.app.screen.dialog_title.endswith(" as"), "the relationship type picker")
    linked = ", ".join(tags[link["asset_id"]] for link in job["assets"])
    warning = " ".join(board.shown().split())
    assert f"gives every linked asset the type chosen: {linked} will take it too" in warning
