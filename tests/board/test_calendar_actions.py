"""Every calendar action, end to end: keys on the demo board's calendar -> outbox -> the in-process sandbox
(ASGI) -> the cache and the calendar. And offline: queued (shown as pending), then replayed."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from support.demo_board import Board, running
from support.pinned_times import at_awkward_times

from jpm_tui.provider.domain import parse_datetime
from jpm_tui.ui.calendar_model import Item
from jpm_tui.ui.format import ago
from jpm_tui.ui.screens.appointment_form import TimesFormScreen
from jpm_tui.ui.screens.calendar import CalendarScreen
from jpm_tui.ui.screens.modals import ConfirmScreen, PickerScreen, TextEntryScreen


async def calendar(board: Board, view: str = "a") -> CalendarScreen:
    await board.pilot.press("C")
    await board.wait(lambda: isinstance(board.app.screen, CalendarScreen) and board.app.screen.data is not None,
                     "the calendar")
    await board.pilot.press(view)
    await board.pilot.pause(0.1)
    return board.app.screen  # type: ignore[return-value]


async def select(board: Board, screen: CalendarScreen, item: Item) -> None:
    assert screen.select_appointment(item.id), f"appointment {item.id} is not on the calendar"
    await board.pilot.pause(0.05)


async def pick(board: Board, screen: CalendarScreen, test, days: int = 3) -> Item:  # noqa: ANN001
    """An appointment passing ``test`` on the day shown (today), else on one of the next ``days`` - 1 days: late
    in the day nothing of today is still open, and the demo world's unconfirmed call is booked for the next
    opening within a day."""
    for _ in range(days):
        assert screen.data is not None
        found = next((i for i in screen.data.items if test(i)), None)
        if found is not None:
            return found
        loads = screen.loads
        await board.pilot.press("right_square_bracket")
        await board.wait(lambda: screen.loads > loads, "the next day")
    raise AssertionError(f"no such appointment within {days} days of {screen.today()}")


def server(board: Board, item: Item) -> dict[str, Any]:
    return board.sandbox["appointments"].get(item.id)


def assigned(board: Board, item: Item) -> set[int]:
    return {a["technicianId"] for a in board.sandbox["appointment_assignments"].values()
            if a["appointmentId"] == item.id and a.get("active", True)}


def open_item(i: Item) -> bool:
    return i.status in ("Scheduled", "Dispatched") and not i.pending


def tech_name(board: Board, tech_id: int) -> str:
    return board.sandbox["technicians"].get(tech_id)["name"]


async def test_reschedule_by_form_then_quick_keys(board: Board) -> None:
    screen = await calendar(board)
    item = await pick(board, screen, lambda i: open_item(i) and i.start is not None)
    await select(board, screen, item)
    await board.pilot.press("r")
    assert isinstance(board.app.screen, TimesFormScreen)
    start = item.start + timedelta(hours=1)
    local_start = start.astimezone(board.app.tz)
    await board.pilot.press("home", "ctrl+k", *local_start.strftime("%Y-%m-%d %H:%M"), "tab",
                            "home", "ctrl+k", *(local_start + timedelta(hours=2)).strftime("%H:%M"), "tab",
                            "home", "ctrl+k", *local_start.strftime("%H:%M"), "tab",
                            "home", "ctrl+k", *(local_start + timedelta(hours=1)).strftime("%H:%M"), "enter")
    await board.settled()
    record = server(board, item)
    assert parse_datetime(record["start"]) == start
    assert parse_datetime(record["end"]) == start + timedelta(hours=2)
    assert parse_datetime(record["arrivalWindowEnd"]) == start + timedelta(hours=1)
    assert board.store.appointment(item.id).start == start
    assert screen.select_appointment(item.id) and screen.cursor.selected_item().start == start

    await board.pilot.press("plus")
    await board.settled()
    assert parse_datetime(server(board, item)["start"]) == start + timedelta(minutes=15)
    await board.pilot.press("minus", "minus")
    await board.settled()
    assert parse_datetime(server(board, item)["start"]) == start - timedelta(minutes=15)
    await board.pilot.press("n")
    await board.settled()
    assert parse_datetime(server(board, item)["start"]) == start + timedelta(days=1, minutes=-15)
    assert board.store.appointment(item.id).start == start + timedelta(days=1, minutes=-15)
    await board.wait(lambda: item.id not in {i.id for i in screen.data.items}, "the appointment to leave the day")


async def test_emptying_the_arrival_window_fields_clears_the_window(board: Board) -> None:
    """The form says "empty for none": the reschedule sends the window as null (the API's nullable fields), so
    the server and the cache drop it instead of keeping the old one on the old day."""
    screen = await calendar(board)
    item = await pick(board, screen, lambda i: open_item(i) and i.start is not None and i.window_start is not None)
    await select(board, screen, item)
    await board.pilot.press("r")
    assert isinstance(board.app.screen, TimesFormScreen)
    await board.pilot.press("tab", "tab", "home", "ctrl+k", "tab", "home", "ctrl+k", "enter")
    await board.settled()
    record = server(board, item)
    assert (record["arrivalWindowStart"], record["arrivalWindowEnd"]) == (None, None)
    assert parse_datetime(record["start"]) == item.start
    cached = board.store.appointment(item.id)
    assert (cached.arrival_window_start, cached.arrival_window_end) == (None, None)
    # the confirmation says the times in the board's zone, as typed
    said = [n.message for n in board.app._notifications if n.message.startswith("Done: reschedule")]
    assert said and item.start.astimezone(board.app.tz).strftime("%Y-%m-%d %H:%M") in said[-1], said
    assert "UTC" not in said[-1]


async def test_reassign_assign_and_unassign_technicians(board: Board) -> None:
    screen = await calendar(board)
    item = await pick(board, screen, lambda i: open_item(i) and len(i.technician_ids) == 1)
    (old,) = item.technician_ids
    others = sorted((t for t in board.sandbox["technicians"].values() if t["active"] and t["id"] != old),
                    key=lambda t: t["name"])
    new, third = others[0], others[1]
    await select(board, screen, item)
    await board.pilot.press("R")
    assert isinstance(board.app.screen, PickerScreen)
    await board.pilot.press(*new["name"], "enter")
    await board.settled()
    assert assigned(board, item) == {new["id"]}
    await board.wait(lambda: screen.cursor.selected_item() is not None
                     and screen.cursor.selected_item().technician_ids == (new["id"],), "the calendar to show the new technician")
    assert new["name"] in board.shown()

    await board.pilot.press("A", *third["name"], "enter")
    await board.settled()
    assert assigned(board, item) == {new["id"], third["id"]}
    screen.select_appointment(item.id)
    await board.pilot.press("U")
    assert isinstance(board.app.screen, PickerScreen)  # two technicians: which one?
    await board.pilot.press(*new["name"], "enter", "y")
    await board.settled()
    assert assigned(board, item) == {third["id"]}
    cached = {a.technician_id for a in board.store.assignments_for_appointment(item.id)}
    assert cached == {third["id"]}


async def test_hold_with_a_reason_and_memo_then_remove_it(board: Board) -> None:
    screen = await calendar(board)
    item = await pick(board, screen, open_item)
    await select(board, screen, item)
    await board.pilot.press("o")
    assert isinstance(board.app.screen, PickerScreen)
    await board.pilot.press("enter", *"parts on order", "enter")
    await board.settled()
    assert server(board, item)["status"] == "Hold"
    assert server(board, item)["_hold"]["memo"] == "parts on order"
    assert board.store.appointment(item.id).status == "Hold"
    await board.wait(lambda: screen.select_appointment(item.id) and screen.cursor.selected_item().status == "Hold",
                     "the calendar to show the hold")
    assert item in screen.cursor.sheet.tray["Hold"] or item.id in {i.id for i in screen.cursor.sheet.tray["Hold"]}

    await board.pilot.press("o")  # refused: already on hold
    assert isinstance(board.app.screen, CalendarScreen)
    assert "already on hold" in screen.refusals["hold_appointment"]
    await board.pilot.press("O", "y")
    await board.settled()
    assert server(board, item)["status"] != "Hold"
    assert board.store.appointment(item.id).status != "Hold"


async def test_confirm_unconfirm_and_special_instructions(board: Board) -> None:
    screen = await calendar(board)
    item = await pick(board, screen, lambda i: open_item(i) and not i.confirmed)
    await select(board, screen, item)
    await board.pilot.press("c")
    await board.settled()
    assert server(board, item)["isConfirmed"] is True
    assert board.store.appointment(item.id).confirmed
    screen.select_appointment(item.id)
    assert "confirm" in screen.refusals  # already confirmed
    await board.pilot.press("u")
    await board.settled()
    assert server(board, item)["isConfirmed"] is False
    assert not board.store.appointment(item.id).confirmed

    screen.select_appointment(item.id)
    await board.pilot.press("i")
    assert isinstance(board.app.screen, TextEntryScreen)
    await board.pilot.press("ctrl+a", *"Gate code 4411", "ctrl+s")
    await board.settled()
    assert "Gate code 4411" in server(board, item)["specialInstructions"]
    assert "Gate code 4411" in board.store.appointment(item.id).special_instructions


async def test_create_an_appointment_for_the_job_then_delete_it(board: Board) -> None:
    screen = await calendar(board)
    item = await pick(board, screen,
                      lambda i: open_item(i) and i.job_status not in ("Canceled", "Completed") and i.end)
    before = {a["id"] for a in board.sandbox["appointments"].values() if a["jobId"] == item.job_id}
    await select(board, screen, item)
    await board.pilot.press("N")
    assert isinstance(board.app.screen, TimesFormScreen)
    await board.pilot.press("ctrl+s")  # the form proposes the same times the next day
    await board.settled()
    created = [a for a in board.sandbox["appointments"].values()
               if a["jobId"] == item.job_id and a["id"] not in before]
    assert len(created) == 1
    new = created[0]
    assert parse_datetime(new["start"]) == item.start + timedelta(days=1)
    assert board.store.appointment(new["id"]) is not None

    await board.pilot.press("right_square_bracket")  # the next day shows it
    await board.wait(lambda: new["id"] in {i.id for i in screen.data.items}, "the new appointment on the calendar")
    assert screen.select_appointment(new["id"])
    await board.pilot.press("X")
    assert isinstance(board.app.screen, ConfirmScreen)
    await board.pilot.press("y")
    await board.settled()
    assert board.sandbox["appointments"].get(new["id"])["active"] is False
    await board.wait(lambda: new["id"] not in {i.id for i in screen.data.items}, "the deleted appointment to go")


async def test_a_working_appointment_cannot_be_rescheduled_or_unassigned(board: Board) -> None:
    screen = await calendar(board)
    working = [i for i in screen.data.items if i.status == "Working" and i.technician_ids]
    if not working:  # the demo day may have none yet: make one on the server and sync it
        item = await pick(board, screen, lambda i: open_item(i) and i.technician_ids)
        record = server(board, item)
        record["status"] = "Working"
        board.sandbox["appointments"].touch(record)
        board.app.live.sync_now()
        await board.wait(lambda: any(i.id == item.id and i.status == "Working" for i in screen.data.items),
                         "the Working status to sync")
        working = [i for i in screen.data.items if i.id == item.id]
    item = working[0]
    start = server(board, item)["start"]
    await select(board, screen, item)
    await board.pilot.press("r")
    assert isinstance(board.app.screen, CalendarScreen)  # refused: no form
    await board.pilot.press("plus", "U")
    assert isinstance(board.app.screen, CalendarScreen)
    await board.pilot.pause(0.2)
    assert server(board, item)["start"] == start and board.app.live.outbox.entries() == []
    shown = board.shown()
    assert "Not now:" in shown and "a Working appointment cannot be rescheduled" in shown


async def test_offline_writes_are_shown_pending_then_replayed(board: Board) -> None:
    screen = await calendar(board)
    item = await pick(board, screen, lambda i: open_item(i) and not i.confirmed)
    board.network.up = False
    board.app.live.sync_now()
    await board.wait(lambda: not board.app.status.online, "the board to notice it is offline")
    await select(board, screen, item)
    await board.pilot.press("c")
    await board.settled()
    assert board.app.status.outbox == 1
    assert server(board, item)["isConfirmed"] is False
    await board.wait(lambda: screen.select_appointment(item.id) and screen.cursor.selected_item().pending,
                     "the calendar to show the queued write")
    assert screen.cursor.selected_item().confirmed  # the overlay: confirmed as far as the board knows
    assert "(queued)" in board.shown()

    board.network.up = True
    board.app.live.sync_now()
    await board.wait(lambda: board.app.status.outbox == 0 and board.app.status.online, "the replay", timeout=15)
    assert server(board, item)["isConfirmed"] is True
    await board.wait(lambda: screen.select_appointment(item.id) and not screen.cursor.selected_item().pending,
                     "the calendar to show it applied")
    assert board.store.appointment(item.id).confirmed


async def test_the_times_form_fills_the_arrival_window_from_the_cached_windows(board: Board) -> None:
    from textual.widgets import Input

    from jpm_tui.ui.screens.appointment_form import window_times

    screen = await calendar(board, "d")
    windows = board.store.arrival_windows()
    assert windows and screen.data is not None and screen.data.arrival_windows == windows
    hours = board.store.business_hours()
    assert hours is not None and screen.data.business_hours == hours
    span = hours.span(screen.day.weekday())
    if span is not None:  # the day view starts from the business hours (widened by shifts and appointments)
        assert screen.cursor.sheet.hours[0] <= span[0] and screen.cursor.sheet.hours[1] >= span[1]
    item = await pick(board, screen, lambda i: open_item(i) and i.start is not None)
    await select(board, screen, item)
    await board.pilot.press("r")
    form = board.app.screen
    assert isinstance(form, TimesFormScreen) and form.windows == windows
    await board.pilot.press("ctrl+o", "ctrl+o")
    first, second = (window_times(w, item.start, board.app.tz) for w in windows[:2])
    fields = [form.query_one(f"#form-window-{end}", Input).value for end in ("start", "end")]
    assert fields == [t.astimezone(board.app.tz).strftime("%Y-%m-%d %H:%M") for t in second]
    await board.pilot.press("ctrl+s")
    await board.settled()
    record = server(board, item)
    assert (parse_datetime(record["arrivalWindowStart"]), parse_datetime(record["arrivalWindowEnd"])) == second
    assert first != second


@at_awkward_times()
async def test_the_calendar_opens_on_the_local_today_and_confirms_at_any_hour(pinned_zone: str,
                                                                              tmp_path: Path) -> None:
    """The key flow at instants where reading the wall clock broke it: the board in the machine's (pinned) zone
    opens the calendar on that zone's today, and an unconfirmed appointment within a day gets confirmed."""
    async with running(Board(tmp_path, local_zone=True)) as board:
        assert ago(board.app.status.last_sync, board.app.clock()) == "just now"  # the header's words
        screen = await calendar(board)
        assert screen.day == datetime.now(ZoneInfo(pinned_zone)).date()
        item = await pick(board, screen, lambda i: open_item(i) and not i.confirmed)
        assert item.start is not None and item.start.astimezone(ZoneInfo(pinned_zone)).date() == screen.day
        await select(board, screen, item)
        await board.pilot.press("c")
        await board.settled()
        assert server(board, item)["isConfirmed"] is True
        await board.wait(lambda: screen.select_appointment(item.id) and screen.cursor.selected_item().confirmed
                         and not screen.cursor.selected_item().pending, "the calendar to show it confirmed")
