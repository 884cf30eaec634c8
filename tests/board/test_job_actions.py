"""Every job action on the detail screen, end to end: keys on the demo board -> outbox -> the in-process
sandbox over HTTP (ASGI) -> the cache and the screen. And offline: queued, then replayed when the network is back."""

from __future__ import annotations

import re
from typing import Any

import pytest
from support.demo_board import Board

from jpm_tui.ui.screens.job_detail import JobDetailScreen
from jpm_tui.ui.screens.modals import PickerScreen, TextEntryScreen


def _open_job(board: Board) -> dict[str, Any]:
    return board.job_where(lambda j: j["jobStatus"] in ("Scheduled", "Dispatched") and board.open_appointments(j)
                           and not j.get("projectId"))


async def test_cancel_with_a_fuzzy_reason_then_remove_the_cancellation(board: Board) -> None:
    job = _open_job(board)
    reasons = sorted(board.sandbox["job_cancel_reasons"].values(), key=lambda r: r["id"])
    reason = next(r for r in reasons if r.get("active", True))
    await board.open(job)
    await board.pilot.press("c")
    assert isinstance(board.app.screen, PickerScreen)
    await board.pilot.press(*reason["name"][:6], "enter", *"called to cancel", "enter")
    await board.settled()
    assert board.sandbox_job(job)["jobStatus"] == "Canceled"
    assert board.store.job(job["id"]).status == "Canceled"
    log = [e for e in board.sandbox["job_canceled_logs"].values() if e["jobId"] == job["id"]]
    assert log and log[-1]["reasonId"] == reason["id"] and log[-1]["memo"] == "called to cancel"
    assert "Canceled" in board.shown() and "Cancel job: the job is already canceled" in board.shown()
    assert board.app.status.outbox == 0

    await board.pilot.press("c")  # refused: nothing opens
    assert isinstance(board.app.screen, JobDetailScreen)
    await board.pilot.press("u", "y")
    await board.settled()
    assert board.sandbox_job(job)["jobStatus"] != "Canceled"
    assert board.store.job(job["id"]).status != "Canceled"


async def test_hold_the_next_appointment_then_remove_the_hold(board: Board) -> None:
    job = _open_job(board)
    first = min(board.open_appointments(job), key=lambda a: (a["start"], a["id"]))
    await board.open(job)
    await board.pilot.press("h", "enter", *"parts on order", "enter")
    await board.settled()
    assert board.sandbox["appointments"].get(first["id"])["status"] == "Hold"
    assert board.store.appointment(first["id"]).status == "Hold"
    await board.pilot.press("H", "y")
    await board.settled()
    assert board.sandbox["appointments"].get(first["id"])["status"] != "Hold"
    assert board.store.appointment(first["id"]).status != "Hold"


async def test_add_a_pinned_note(board: Board) -> None:
    job = _open_job(board)
    await board.open(job)
    await board.pilot.press("n")
    assert isinstance(board.app.screen, TextEntryScreen)
    await board.pilot.press(*"Gate code 4411", "tab", "space", "ctrl+s")
    await board.settled()
    notes = [n for n in board.sandbox["job_notes"].values() if n.get("jobId") == job["id"]] or [
        n for bucket in board.sandbox["job_notes"].values() for n in bucket.get("notes", [])
        if bucket.get("jobId") == job["id"]]
    assert any(n["text"] == "Gate code 4411" and n.get("isPinned") for n in notes)
    await board.wait(lambda: "Gate code 4411" in board.shown(), "the note on screen")


async def test_edit_summary_priority_job_type_and_business_unit(board: Board) -> None:
    job = _open_job(board)
    job_type = next(t for t in sorted(board.sandbox["job_types"].values(), key=lambda t: t["name"])
                    if t["id"] != job["jobTypeId"] and t.get("active", True))
    unit = next(u for u in sorted(board.sandbox["business_units"].values(), key=lambda u: u["name"])
                if u["id"] != job["businessUnitId"] and u.get("active", True))
    await board.open(job)
    await board.pilot.press("e", "f7", *"No heat upstairs", "ctrl+s")
    await board.settled()
    await board.pilot.press("exclamation_mark", *"urg", "enter")
    await board.settled()
    await board.pilot.press("t", *job_type["name"], "enter")
    await board.settled()
    await board.pilot.press("b", *unit["name"], "enter")
    await board.settled()
    server = board.sandbox_job(job)
    assert (server["summary"], server["priority"]) == ("No heat upstairs", "Urgent")
    assert (server["jobTypeId"], server["businessUnitId"]) == (job_type["id"], unit["id"])
    cached = board.store.job(job["id"])
    assert (cached.summary, cached.priority, cached.job_type_id) == ("No heat upstairs", "Urgent", job_type["id"])
    shown = board.shown()
    assert "No heat upstairs" in shown and job_type["name"] in shown and unit["name"] in shown


async def test_editing_the_summary_types_on_from_its_end(board: Board) -> None:
    job = _open_job(board)
    before = job["summary"]
    await board.open(job)
    await board.pilot.press("e", *" (gate code 4417)", "ctrl+s")
    await board.settled()
    assert board.sandbox_job(job)["summary"] == before + " (gate code 4417)"


async def test_attach_to_a_project_of_the_customer_and_detach(board: Board) -> None:
    customers_with_projects = {p["customerId"] for p in board.sandbox["projects"].values()}
    job = board.job_where(lambda j: j["customerId"] in customers_with_projects and not j.get("projectId")
                          and j["jobStatus"] != "Canceled")
    await board.open(job)
    await board.pilot.press("A")
    picker = board.app.screen
    assert isinstance(picker, PickerScreen) and picker.shown
    project_id = picker.shown[0].value
    await board.pilot.press("enter")
    await board.settled()
    assert board.sandbox_job(job)["projectId"] == project_id
    assert job["id"] in board.sandbox["projects"].get(project_id)["jobIds"]
    assert board.store.job(job["id"]).project_id == project_id
    await board.pilot.press("D", "y")
    await board.settled()
    assert board.sandbox_job(job)["projectId"] is None
    assert board.store.job(job["id"]).project_id is None


async def test_a_refused_edit_shows_the_server_error_under_its_field_and_stays_in_the_outbox(board: Board) -> None:
    job = _open_job(board)
    gone = next(t for t in sorted(board.sandbox["job_types"].values(), key=lambda t: t["name"])
                if t["id"] != job["jobTypeId"])
    board.sandbox["job_types"].delete(gone["id"])  # deleted on the server after our last sync
    await board.open(job)
    await board.pilot.press("t", *gone["name"], "enter")
    await board.settled()
    assert board.sandbox_job(job)["jobTypeId"] == job["jobTypeId"]
    failed = board.app.live.outbox.entries(["failed"])
    assert len(failed) == 1
    (message,) = failed[0].field_errors["job_type_id"]
    shown = board.shown()
    assert "refused" in shown and f"✗ {message}" in shown
    assert board.app.status.outbox == 1


async def test_picking_again_after_a_refused_edit_replaces_it(board: Board) -> None:
    job = _open_job(board)
    gone, good = sorted((t for t in board.sandbox["job_types"].values()
                         if t["id"] != job["jobTypeId"] and t.get("active", True)), key=lambda t: t["name"])[:2]
    board.sandbox["job_types"].delete(gone["id"])  # deleted on the server after our last sync
    await board.open(job)
    await board.pilot.press("t", *gone["name"], "enter")
    await board.settled()
    outbox = board.app.live.outbox
    [refused] = outbox.entries(["failed"])
    (message,) = refused.field_errors["job_type_id"]
    await board.pilot.press("t")  # the picker says what it corrects; Esc keeps the refused write
    picker = board.app.screen
    assert isinstance(picker, PickerScreen) and picker.warning.startswith("Correcting the change refused ")
    await board.pilot.press("escape")
    await board.settled()
    assert outbox.entries(["failed"]) == [refused] and board.app.status.outbox == 1

    await board.pilot.press("t", *good["name"], "enter")
    await board.settled()
    assert board.sandbox_job(job)["jobTypeId"] == good["id"]
    assert outbox.pending_for("job", job["id"]) == [] and outbox.counts() == {"done": 1}
    assert board.app.status.outbox == 0 and f"✗ {message}" not in board.shown()


async def test_offline_actions_are_queued_then_replayed_when_the_network_is_back(board: Board) -> None:
    job = _open_job(board)
    board.network.up = False
    board.app.live.sync_now()
    await board.wait(lambda: not board.app.status.online, "the board to notice it is offline")
    await board.open(job)
    await board.pilot.press("n", *"Customer called back", "ctrl+s")
    await board.settled()
    await board.pilot.press("c", "enter", "enter")
    await board.settled()
    assert board.app.status.outbox == 2
    assert board.sandbox_job(job)["jobStatus"] != "Canceled"
    shown = board.shown()
    assert "Pending changes (2)" in shown and "(queued)" in shown and "queued  cancel job" in shown
    await board.pilot.press("escape", "slash", *job["jobNumber"], "enter")  # the list marks the job too
    queued_row = re.compile(rf"^ ?~ ?{job['jobNumber']} ", re.MULTILINE)
    await board.wait(lambda: queued_row.search(board.shown()), "the queued-write marker in the job list")

    board.network.up = True
    board.app.live.sync_now()
    await board.wait(lambda: board.app.status.outbox == 0 and board.app.status.online, "the replay", timeout=15)
    assert board.sandbox_job(job)["jobStatus"] == "Canceled"
    await board.wait(lambda: not queued_row.search(board.shown()), "the marker to go")
    await board.open(job)
    await board.wait(lambda: "Pending changes" not in board.shown(), "the detail to show it applied")
    assert board.store.job(job["id"]).status == "Canceled"



async def test_book_a_new_appointment_for_the_job(board: Board) -> None:
    from datetime import datetime, timedelta

    job = _open_job(board)
    before = {a["id"] for a in board.sandbox["appointments"].values() if a["jobId"] == job["id"]}
    await board.open(job)
    await board.pilot.press("N")
    await board.pilot.pause()
    await board.pilot.press("ctrl+s")  # the proposal: tomorrow 08:00-10:00 in the board's zone
    await board.settled()
    added = [a for a in board.sandbox["appointments"].values() if a["jobId"] == job["id"] and a["id"] not in before]
    assert len(added) == 1
    start = datetime.fromisoformat(added[0]["start"].replace("Z", "+00:00")).astimezone(board.app.tz)
    assert (start.hour, start.minute) == (8, 0)
    assert start.date() == (board.app.clock().astimezone(board.app.tz) + timedelta(days=1)).date()
    await board.wait(lambda: any(a.id == added[0]["id"] for a in board.store.appointments_for_job(job["id"])),
                     "the new appointment in the cache")
    await board.wait(lambda: added[0]["appointmentNumber"] in board.shown(), "the new appointment on screen")


async def test_the_detail_names_the_technicians_of_each_appointment(board: Board) -> None:
    """Read from the cache as the job list reads its technician column (the fake source of the UI tests hands
    the names over ready-made, so only the real store can show this)."""
    def crew(appointment: dict[str, Any]) -> list[str]:
        return sorted(board.sandbox["technicians"].get(a["technicianId"])["name"]
                      for a in board.sandbox["appointment_assignments"].values()
                      if a["appointmentId"] == appointment["id"] and a.get("active", True))

    job = board.job_where(lambda j: any(crew(a) for a in board.open_appointments(j)))
    appointment = next(a for a in board.open_appointments(job) if crew(a))
    await board.open(job)
    line = next(text for text in board.shown().splitlines() if text.startswith(appointment["appointmentNumber"]))
    assert ", ".join(crew(appointment)) in line and "unassigned" not in line, line


async def test_the_detail_shows_the_jobs_custom_fields(board: Board) -> None:
    """Kept in the cached payload only (no column holds them); the UI tests' fake job had them as an attribute."""
    job = board.job_where(lambda j: any(f.get("value") for f in j.get("customFields") or ()))
    filled = [f for f in job["customFields"] if f.get("value")]
    await board.open(job)
    shown = board.shown()
    assert f"Custom fields ({len(filled)})" in shown
    for f in filled:
        assert any(f["name"] in text and str(f["value"]) in text for text in shown.splitlines()), f

# Every job action offline: pick a job in the state the action needs, take the network down, act, see it queued,
# bring the network back, and see the sandbox changed. (job chooser, keys, what the sandbox shows afterwards)
def _held(board: Board, job: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in board.sandbox["appointments"].values() if a["jobId"] == job["id"] and a["status"] == "Hold"]


def _in_project(board: Board, job: dict[str, Any]) -> bool:
    return bool(job.get("projectId"))


def _has_project_to_join(board: Board, job: dict[str, Any]) -> bool:
    return any(p["customerId"] == job["customerId"] for p in board.sandbox["projects"].values())


OFFLINE_ACTIONS: dict[str, tuple[Any, tuple[str, ...], Any]] = {
    "cancel": (lambda b, j: j["jobStatus"] == "Scheduled", ("c", "enter", *"offline", "enter"),
               lambda b, j: b.sandbox_job(j)["jobStatus"] == "Canceled"),
    "remove cancellation": (lambda b, j: j["jobStatus"] == "Canceled", ("u", "y"),
                            lambda b, j: b.sandbox_job(j)["jobStatus"] != "Canceled"),
    "hold": (lambda b, j: j["jobStatus"] == "Scheduled" and b.open_appointments(j), ("h", "enter", "enter"),
             lambda b, j: bool(_held(b, j))),
    "remove hold": (lambda b, j: bool(_held(b, j)), ("H", "y"), lambda b, j: not _held(b, j)),
    "note": (lambda b, j: True, ("n", *"left a card", "ctrl+s"),
             lambda b, j: any(n.get("text") == "left a card" for n in b.sandbox["job_notes"].values())),
    "summary": (lambda b, j: True, ("e", "f7", *"Rewritten offline", "ctrl+s"),
                lambda b, j: b.sandbox_job(j)["summary"] == "Rewritten offline"),
    "priority": (lambda b, j: j["priority"] != "Urgent" and j["jobStatus"] != "Canceled",
                 ("exclamation_mark", *"urgent", "enter"), lambda b, j: b.sandbox_job(j)["priority"] == "Urgent"),
    "job type": (lambda b, j: j["jobStatus"] != "Canceled", ("t", "enter"),
                 lambda b, j: b.sandbox_job(j)["jobTypeId"] != j["jobTypeId"]),
    "business unit": (lambda b, j: j["jobStatus"] != "Canceled", ("b", "enter"),
                      lambda b, j: b.sandbox_job(j)["businessUnitId"] != j["businessUnitId"]),
    "attach": (lambda b, j: not _in_project(b, j) and _has_project_to_join(b, j), ("A", "enter"),
               lambda b, j: b.sandbox_job(j)["projectId"] is not None),
    "detach": (_in_project, ("D", "y"), lambda b, j: b.sandbox_job(j)["projectId"] is None),
    "new appointment": (lambda b, j: j["jobStatus"] == "Scheduled", ("N", "ctrl+s"),
                        lambda b, j: sum(a["jobId"] == j["id"] for a in b.sandbox["appointments"].values())
                        > j["appointmentCount"]),
}


@pytest.mark.parametrize("action", OFFLINE_ACTIONS)
async def test_every_action_offline_is_queued_then_replayed(board: Board, action: str) -> None:
    suitable, keys, applied = OFFLINE_ACTIONS[action]
    job = dict(board.job_where(lambda j: suitable(board, j)))  # a copy: the state before the action
    if action in ("job type", "business unit"):  # pick, by name, one that differs from the job's
        current = job["jobTypeId" if action == "job type" else "businessUnitId"]
        kind = "job_type" if action == "job type" else "business_unit"
        other = next(name for item_id, name in board.app.named(kind) if item_id != current)
        keys = (keys[0], *other, "enter")
    board.network.up = False
    board.app.live.sync_now()
    await board.wait(lambda: not board.app.status.online, "the board to notice it is offline")
    await board.open(job)
    await board.pilot.press(*keys)
    await board.settled()
    assert board.app.status.outbox == 1, f"{action}: not queued"
    assert not applied(board, job), f"{action}: reached the server while offline"
    assert "Pending changes (1)" in board.shown()

    board.network.up = True
    board.app.live.sync_now()
    await board.wait(lambda: board.app.status.outbox == 0 and board.app.status.online, f"{action}: the replay",
                     timeout=15)
    assert applied(board, job), f"{action}: not applied after the replay"
