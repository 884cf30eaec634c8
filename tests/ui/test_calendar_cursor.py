"""The calendar's layout and cursor without an App: a period read from the fake source, laid out for each view,
and the cursor's moves, regroupings and scrolling over it."""

from __future__ import annotations

from datetime import UTC

from support.fake_sources import NOW, FakeSource

from jpm_tui.provider.servicetitan_workflow import WORKFLOW
from jpm_tui.ui.calendar_cursor import CalendarCursor
from jpm_tui.ui.calendar_layout import CalendarLayout, lay_out, load_calendar, period_bounds
from jpm_tui.ui.calendar_model import STACK_SHOWN, Item, Lane

UTC = UTC
DAY = NOW.date()


def laid_out(view: str = "day", grouping: str = "none") -> CalendarLayout:
    start, end = period_bounds(view, DAY, UTC)
    return lay_out(load_calendar(FakeSource(200), start, end), WORKFLOW, view=view, day=DAY, tz=UTC,
                   grouping=grouping)


def cursor_on(sheet: CalendarLayout) -> CalendarCursor:
    cursor = CalendarCursor(lay_out(None, WORKFLOW, view=sheet.view, day=DAY, tz=UTC))
    cursor.follow(sheet)
    return cursor


def test_a_period_not_read_yet_lays_out_empty_with_the_workflows_tray_sections() -> None:
    sheet = lay_out(None, WORKFLOW, view="day", day=DAY, tz=UTC)
    assert sheet.data is None and sheet.lanes == [] and sheet.hours == (6, 20)
    assert list(sheet.tray) == [section.title for section in WORKFLOW.tray]
    assert CalendarCursor(sheet).selected_item() is None


def test_each_view_lays_out_its_own_rows() -> None:
    day = laid_out("day")
    assert [lane.title for lane in day.lanes] == ["D. Novak", "K. Okafor", "M. Chen", "R. Alvarez", "Unassigned"]
    assert day.hours[0] <= 7 and day.hours[1] >= 17  # the shifts fit on the axis
    day.build_rows(cursor_lane=0)
    for index, (first, count) in enumerate(day.lane_rows):  # each sub-row shown, then the summary line
        assert count == day.shown_depth(index, 0) + 1
        assert day.rows[first:first + count] == [(index, line) for line in range(count)]
    assert all(i.status != "Canceled" and not i.deleted for i in day.agenda)
    starts = [i.start for i in day.agenda if i.start is not None]
    assert len(starts) == len(day.agenda) and starts == sorted(starts)

    week = laid_out("week")
    assert len(week.week_days) == 7 and week.hours == (0, 24)
    week.build_rows(cursor_lane=0)
    assert week.lane_rows == [(n, 1) for n in range(len(week.lanes))]  # one line a lane
    assert sum(map(len, week.week_cells.values())) == sum(len(lane.items) for lane in week.lanes)


def test_the_cursor_walks_lanes_and_appointments_and_says_which_lanes_to_repaint() -> None:
    sheet = laid_out("day")
    cursor = cursor_on(sheet)
    assert not sheet.lanes[0].items and cursor.selected_item() is None  # D. Novak is off on Wednesday
    assert cursor.down(1) == (0, 1)
    first = cursor.selected_item()
    assert first is not None and first.id == sheet.lanes[1].items[0].id
    assert cursor.across(1) == (1,) and cursor.selected_item() == sheet.lanes[1].items[1]
    lane = cursor.current_lane()
    while cursor.current_lane() is lane:  # j passes every sub-row of a lane, then the next lane
        changed = cursor.down(1)
        assert changed is not None and changed[0] <= changed[1]
    assert cursor.lane_index == 2
    cursor.tray_open = True
    assert cursor.down(1) is None and cursor.across(1) is None  # the tray: everything repaints
    assert cursor.tray_tab == 1 and cursor.tray_index == 0


def test_a_regrouping_keeps_the_cursor_on_its_appointment() -> None:
    cursor = cursor_on(laid_out("day"))
    cursor.down(1)
    cursor.down(1)
    chosen = cursor.remember()
    assert chosen is not None
    cursor.follow(laid_out("day", grouping="team"))
    lane = cursor.current_lane()
    assert cursor.selected_item() == chosen and lane is not None and not lane.heading
    assert any(lane.heading for lane in cursor.sheet.lanes)
    assert not cursor.select(-1)  # not in the period


def test_scrolling_keeps_the_cursors_lane_in_view() -> None:
    sheet = laid_out("day")
    stacked = Lane(key="tech:9", title="Stacked", technician_id=9,
                   items=[Item(id=900 + n, job_id=9, number=str(n), job_number=str(n), customer="Busy",
                               start=NOW, end=None) for n in range(STACK_SHOWN + 3)])
    sheet.lanes.insert(0, stacked)
    cursor = cursor_on(sheet)
    assert sheet.lane_rows[0] == (0, stacked.depth + 1)  # the cursor's lane shows every sub-row
    cursor.down(10)  # off the stacked lane: its sub-rows are capped again
    assert cursor.rows_changed() and sheet.lane_rows[0] == (0, STACK_SHOWN + 1)
    cursor.scroll_into_view(height=3)
    first, count = sheet.lane_rows[cursor.lane_index]
    assert cursor.top <= first and first + count - 1 < cursor.top + 3
