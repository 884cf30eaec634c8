"""Overlapping appointments in one lane: stacked in sub-rows (never drawn over each other), the cursor walks
them, a lane past ``STACK_SHOWN`` sub-rows is capped with "+N more" until the cursor is on it; and the day's
hour axis, its clipped appointments and the hours counted in the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from support.fake_board import make_app, settle
from support.fake_sources import OverlapSource

from jpm_tui.provider.servicetitan_workflow import WORKFLOW
from jpm_tui.ui.calendar_model import (
    STACK_SHOWN,
    CalendarData,
    Item,
    Lane,
    booked_hours,
    build_lanes,
    day_bounds,
    hours_span,
    place,
    stack,
)
from jpm_tui.ui.screens.calendar import CalendarScreen
from jpm_tui.ui.widgets.calendar_grid import CalendarGrid

UTC = UTC
DAY = datetime(2025, 5, 14, tzinfo=UTC)  # NOW's day (Wednesday)


def item(n: int, start_hour: float, hours: float | None, techs: tuple[int, ...] = (101,)) -> Item:
    start = DAY + timedelta(hours=start_hour)
    return Item(id=n, job_id=n, number=f"{n}-1", job_number=str(n), customer=f"Customer {n}", start=start,
                end=start + timedelta(hours=hours) if hours is not None else None, technician_ids=techs)


# ----------------------------------------------------------------------------------------------- model


def test_three_overlapping_appointments_take_three_sub_rows():
    items = [item(1, 9, 2), item(2, 9.5, 2.5), item(3, 10, 0.5), item(4, 13, 1)]
    assert stack(items) == [0, 1, 2, 0]  # the 13:00 one reuses the first free sub-row
    lane = Lane(key="tech:101", title="K. Okafor", technician_id=101, items=items)
    assert (lane.slots, lane.depth, lane.hidden(2)) == ([0, 1, 2, 0], 3, 1)


def test_stacking_back_to_back_and_without_an_end():
    # 09:00-10:00 then 10:00-11:00 share a sub-row; no end = half an hour, so 10:45 follows 10:15 on sub-row 1
    assert stack([item(1, 9, 1), item(2, 10, 1), item(3, 10.25, None), item(4, 10.75, None)]) == [0, 0, 1, 1]
    assert stack([item(1, 9, 1), item(2, 9, None), item(3, 9, 1)]) == [0, 1, 2]
    assert stack([]) == []


def test_lanes_from_build_lanes_are_stacked():
    data = CalendarData(DAY, DAY + timedelta(days=1), [item(1, 9, 2), item(2, 10, 2), item(3, 9, 1, ())],
                        technicians=[], shifts=[])
    (unassigned,) = build_lanes(data, WORKFLOW)
    assert (unassigned.title, unassigned.depth) == ("Unassigned", 1)
    data.technicians = [type("T", (), {"id": 101, "name": "K. Okafor", "active": True})()]
    okafor = build_lanes(data, WORKFLOW)[0]
    assert (okafor.title, okafor.slots, okafor.depth) == ("K. Okafor", [0, 1], 2)


def test_hour_axis_covers_shifts_and_appointments_of_the_day():
    start, end = day_bounds(DAY.date(), UTC)
    lane = Lane(key="tech:1", title="A", items=[item(1, 4.5, 1), item(2, 21, 1.5)])
    assert hours_span([lane], start, UTC, end) == (4, 23)
    late = Lane(key="tech:2", title="B", items=[item(3, 22, 5)])  # runs past midnight: the axis ends at 24
    assert hours_span([late], start, UTC, end) == (6, 24)
    moved = Lane(key="tech:3", title="C", items=[item(4, 30, 1)])  # a queued move to tomorrow: not widened
    assert hours_span([moved], start, UTC, end) == (6, 20)
    assert hours_span([], start, UTC, end) == (6, 20)


def test_booked_hours_count_only_the_part_in_the_day():
    start, end = day_bounds(DAY.date(), UTC)
    lane = Lane(key="tech:1", title="A", items=[item(1, 22, 5), item(2, 9, 2), item(3, 9, None)])
    assert booked_hours(lane, start, end) == 2 + 2  # 22:00-24:00 of the overnight one, 09-11; no end: none


def test_place_pins_and_marks_what_is_off_the_axis():
    origin = DAY + timedelta(hours=6)
    assert place(origin + timedelta(hours=1), origin + timedelta(hours=3), origin, 14, 140) == (10, 30, False, False)
    assert place(origin - timedelta(hours=1), origin + timedelta(hours=1), origin, 14, 140) == (0, 10, True, False)
    assert place(origin + timedelta(hours=13), origin + timedelta(hours=16), origin, 14, 140) == (130, 140, False, True)
    assert place(origin - timedelta(hours=3), origin - timedelta(hours=2), origin, 14, 140) == (0, 1, True, False)
    assert place(origin + timedelta(hours=20), None, origin, 14, 140) == (139, 140, False, True)
    assert place(None, None, origin, 14, 140) is None
    # back to back: the first ends where the second starts, no shared column
    first = place(origin + timedelta(minutes=7), origin + timedelta(minutes=67), origin, 14, 140)
    second = place(origin + timedelta(minutes=67), origin + timedelta(minutes=127), origin, 14, 140)
    assert first is not None and second is not None and first[1] == second[0]


# ---------------------------------------------------------------------------------------------- screen


def grid_text(screen: CalendarScreen) -> list[str]:
    grid = screen.query_one(CalendarGrid)
    return [strip.text for strip in grid.render_lines(grid.size.region)]


async def test_cursor_walks_stacked_sub_rows_and_every_label_is_drawn_whole():
    app = make_app(OverlapSource(200), inline=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CalendarScreen) and screen.view == "day"
        assert [lane.title for lane in screen.cursor.sheet.lanes] == ["D. Novak", "K. Okafor", "M. Chen", "R. Alvarez",
                                                         "Unassigned"]
        okafor = screen.cursor.sheet.lanes[1]
        assert okafor.depth == 3
        # three sub-rows and a summary line for K. Okafor; each overlapping appointment on its own line, whole
        lines = grid_text(screen)
        first = next(n for n, line in enumerate(lines) if line.startswith("K. Okafor"))
        for n, label in enumerate(("Overlap 0", "Overlap 1", "Overlap 2")):
            assert label in lines[first + n], (n, lines[first + n])
        assert lines[first].count("Overlap") == 2  # 14:00, after the first one: back on the first sub-row
        assert "booked" in lines[first + 3] or "no shift" in lines[first + 3]
        # the Unassigned lane is capped at STACK_SHOWN sub-rows while the cursor is elsewhere
        unassigned = next(n for n, line in enumerate(lines) if line.startswith("Unassigned"))
        assert "+1 more" in lines[unassigned + STACK_SHOWN - 1]

        # j walks down K. Okafor's sub-rows (the appointment there nearest in time), then on to M. Chen
        visited = []
        for _ in range(4):
            await pilot.press("j")
            await pilot.pause()
            selected = screen.cursor.selected_item()
            visited.append((screen.cursor.sheet.lanes[screen.cursor.lane_index].title, selected.customer if selected else None,
                            screen.cursor.current_slot()))
        assert visited == [("K. Okafor", "Overlap 0", 0), ("K. Okafor", "Overlap 1", 1), ("K. Okafor", "Overlap 2", 2),
                           ("M. Chen", "Overlap 4", 0)]
        # k comes back into the bottom sub-row, then up through the others to D. Novak
        await pilot.press("k")
        assert (screen.cursor.lane_index, screen.cursor.selected_item().customer) == (1, "Overlap 2")
        await pilot.press("k", "k")
        assert screen.cursor.selected_item().customer == "Overlap 0"
        # h/l visit every appointment of the lane in time order, whichever sub-row it is on
        seen = [screen.cursor.selected_item().customer]
        for _ in range(3):
            await pilot.press("l")
            seen.append(screen.cursor.selected_item().customer)
        assert seen == ["Overlap 0", "Overlap 1", "Overlap 2", "Overlap 3"]
        await pilot.press("l")
        assert screen.cursor.selected_item().customer == "Overlap 3"  # stays at the end
        await pilot.press("h", "h", "h")
        assert screen.cursor.selected_item().customer == "Overlap 0"

        # on the Unassigned lane all of its sub-rows show, and the cursor reaches the fourth
        screen.select_appointment(next(i.id for i in screen.data.items if i.customer == "Overlap 8"))
        await pilot.pause()
        assert screen.cursor.sheet.lanes[screen.cursor.lane_index].is_unassigned and screen.cursor.current_slot() == STACK_SHOWN
        lines = grid_text(screen)
        unassigned = next(n for n, line in enumerate(lines) if line.startswith("Unassigned"))
        assert not any("more" in line for line in lines)
        for n in range(STACK_SHOWN + 1):
            assert f"Overlap {5 + n}" in lines[unassigned + n]
        assert "4 appt" in lines[unassigned + STACK_SHOWN + 1]


async def test_a_label_cut_short_ends_in_an_ellipsis_and_the_legend_says_what_bars_are():
    import re

    from jpm_tui.ui.widgets.calendar_grid import legend

    assert legend(WORKFLOW).plain.startswith("├─┤ arrival window (under a lane)")  # first: the line is cut there
    app = make_app(OverlapSource(200), inline=True)
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        await pilot.press("d")  # the day view (80 columns open on the agenda)
        await settle(pilot)
        lines = grid_text(app.screen)
        first = next(n for n, line in enumerate(lines) if line.startswith("K. Okaf"))
        words = [w for line in lines[first:first + 3] for w in re.findall(r"\S*Ove\S*(?: \d+)?…?", line)]
        assert words and any(w.endswith("…") for w in words), lines[first:first + 3]
        # each label is whole ("Overlap 3") or says it is cut ("Overla…"), never bare letters running on
        assert all(re.fullmatch(r".*Overlap \d+|.*…", w) for w in words), words


async def test_the_now_mark_on_an_hour_label_leaves_the_hour_readable():
    on_the_hour = datetime(2025, 5, 14, 9, 0, tzinfo=UTC)  # right where the "09" label is drawn
    app = make_app(OverlapSource(200), inline=True, clock=lambda: on_the_hour)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        header = grid_text(app.screen)[0]
        assert " 08 " in header and " 09 " in header and "▼9" not in header, header
