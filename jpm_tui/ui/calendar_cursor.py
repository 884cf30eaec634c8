"""Where the calendar's cursor is and how the keys move it: over the lanes and their stacked sub-rows (day view),
the days of the week, the agenda's lines and the tray's tabs, and which display rows are on screen.

No Textual here (an import contract in pyproject.toml says so): the cursor moves over a ``CalendarLayout`` and says
which lines a move changed; the screen repaints them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .calendar_layout import CalendarLayout
from .calendar_model import MIN_LENGTH, Item, Lane

__all__ = ["CalendarCursor"]


def _distance(item: Item, anchor: datetime | None) -> float:
    """Seconds from ``anchor`` to ``item``'s time (0 when the anchor falls inside it)."""
    if anchor is None or item.start is None:
        return 0.0 if anchor is None else float("inf")
    end = item.end if item.end is not None and item.end > item.start else item.start + MIN_LENGTH
    if item.start <= anchor < end:
        return 0.0
    return min(abs((item.start - anchor).total_seconds()), abs((end - anchor).total_seconds()))


class CalendarCursor:
    """The selection on one layout (``sheet``): it follows its appointment to the next layout of the period."""

    def __init__(self, sheet: CalendarLayout) -> None:
        self.sheet = sheet
        self.lane_index = 0
        self.item_index = 0
        self.day_offset = 0
        """The cursor's day in the week view (0 = Monday)."""
        self.agenda_index = 0
        self.top = 0
        """The first display row on screen (the agenda's first line in the agenda view)."""
        self.tray_open = False
        self.tray_tab = 0
        self.tray_index = 0
        self.selected_id: int | None = None
        """The appointment the cursor keeps to across moves, relayouts and loads."""

    # ------------------------------------------------------------------ what is selected

    def current_lane(self) -> Lane | None:
        lanes = self.sheet.lanes
        return lanes[self.lane_index] if 0 <= self.lane_index < len(lanes) else None

    def current_slot(self) -> int:
        """The sub-row of the cursor's appointment in its lane (0 without one)."""
        lane = self.current_lane()
        if lane is None or not 0 <= self.item_index < len(lane.slots):
            return 0
        return lane.slots[self.item_index]

    def tray_items(self) -> list[Item]:
        return list(self.sheet.tray.values())[self.tray_tab]

    def selected_item(self) -> Item | None:
        if self.tray_open:
            items = self.tray_items()
            return items[self.tray_index] if 0 <= self.tray_index < len(items) else None
        view, agenda = self.sheet.view, self.sheet.agenda
        if view == "agenda":
            return agenda[self.agenda_index] if 0 <= self.agenda_index < len(agenda) else None
        if view == "day":
            lane = self.current_lane()
            if lane is not None and 0 <= self.item_index < len(lane.items):
                return lane.items[self.item_index]
        return None

    def remember(self) -> Item | None:
        """The selected appointment, kept as the one to come back to (the last one when nothing is selected)."""
        item = self.selected_item()
        self.selected_id = item.id if item is not None else self.selected_id
        return item

    # ------------------------------------------------------------------ a new layout

    def follow(self, sheet: CalendarLayout) -> None:
        """Move onto ``sheet`` (a new load or grouping), on the same appointment (in the same lane when it is still
        there)."""
        selected = self.selected_item()
        if selected is not None:
            self.selected_id = selected.id
        lanes = self.sheet.lanes
        lane_key = lanes[self.lane_index].key if lanes and self.lane_index < len(lanes) else None
        self.sheet = sheet
        self.lane_index = next((n for n, lane in enumerate(sheet.lanes) if lane.key == lane_key), self.lane_index)
        self.restore_selection()
        sheet.build_rows(self.lane_index)

    def restart(self) -> None:
        """Another period or view is coming: back to its top, nothing selected."""
        self.top = 0
        self.item_index = self.agenda_index = self.tray_index = 0
        self.selected_id = None

    def restore_selection(self) -> None:
        lanes = self.sheet.lanes
        self.lane_index = max(0, min(self.lane_index, len(lanes) - 1))
        self.skip_heading(1)
        target = self.selected_id
        if target is not None and lanes:
            lane = lanes[self.lane_index]
            index = next((n for n, item in enumerate(lane.items) if item.id == target), None)
            if index is None:
                for n, other in enumerate(lanes):
                    index = next((m for m, item in enumerate(other.items) if item.id == target), None)
                    if index is not None:
                        self.lane_index = n
                        break
            self.item_index = index if index is not None else self.item_index
            agenda_index = next((n for n, item in enumerate(self.sheet.agenda) if item.id == target), None)
            if agenda_index is not None:
                self.agenda_index = agenda_index
        self.clamp()

    def clamp(self) -> None:
        lane = self.current_lane()
        self.item_index = max(0, min(self.item_index, len(lane.items) - 1 if lane else 0))
        self.agenda_index = max(0, min(self.agenda_index, len(self.sheet.agenda) - 1))
        self.tray_index = max(0, min(self.tray_index, len(self.tray_items()) - 1))

    def select(self, appointment_id: int) -> bool:
        """Onto an appointment of the period (closing the tray); False when it is not shown."""
        self.tray_open = False
        self.selected_id = appointment_id
        self.restore_selection()
        item = self.selected_item()
        return item is not None and item.id == appointment_id

    # ------------------------------------------------------------------ moves

    def down(self, step: int) -> tuple[int, ...] | None:
        """j/k and the page keys: the tray's next line, the agenda's, or the next sub-row or lane. Returns the lanes
        (agenda lines) whose lines changed; None: every line (the tray)."""
        view = self.sheet.view
        before = self.agenda_index if view == "agenda" else self.lane_index
        if self.tray_open:
            self.tray_index = max(0, min(self.tray_index + step, len(self.tray_items()) - 1))
        elif view == "agenda":
            self.agenda_index = max(0, min(self.agenda_index + step, len(self.sheet.agenda) - 1))
        elif not (abs(step) == 1 and self._step_sub_row(step)):
            self.lane_index = max(0, min(self.lane_index + step, len(self.sheet.lanes) - 1))
            self.skip_heading(step)
            self._select_near_time(step)
        after = self.agenda_index if view == "agenda" else self.lane_index
        return None if self.tray_open else (before, after)

    def across(self, step: int) -> tuple[int, ...] | None:
        """h/l: the tray's next tab, the week's next day, the agenda's next line or the lane's next appointment.
        Returns the lanes (agenda lines) whose lines changed; None: every line (the tray)."""
        view = self.sheet.view
        before = self.agenda_index
        if self.tray_open:
            self.tray_tab = (self.tray_tab + step) % max(1, len(self.sheet.tray))
            self.tray_index = 0
        elif view == "week":
            self.day_offset = max(0, min(6, self.day_offset + step))
        elif view == "agenda":
            self.agenda_index = max(0, min(self.agenda_index + step, len(self.sheet.agenda) - 1))
        else:
            lane = self.current_lane()
            if lane is not None and lane.items:
                self.item_index = max(0, min(self.item_index + step, len(lane.items) - 1))
        if self.tray_open:
            return None
        return (before, self.agenda_index) if view == "agenda" else (self.lane_index,)

    def _anchor(self) -> datetime | None:
        """When the selected appointment starts (the time the cursor keeps when it moves up or down)."""
        data = self.sheet.data
        if data is None or self.selected_id is None:
            return None
        return next((i.start for i in data.items if i.id == self.selected_id), None)

    def _step_sub_row(self, step: int) -> bool:
        """Day view, j/k: to the next/previous sub-row of the lane (the appointment there nearest in time);
        False at the lane's first/last sub-row (the cursor goes on to the next lane)."""
        lane = self.current_lane()
        if (self.sheet.view != "day" or lane is None or lane.depth < 2
                or not 0 <= self.item_index < len(lane.items)):
            return False
        target = lane.slots[self.item_index] + step
        choices = [n for n, slot in enumerate(lane.slots) if slot == target]
        if not choices:
            return False
        anchor = lane.items[self.item_index].start
        self.item_index = min(choices, key=lambda n: (_distance(lane.items[n], anchor), n))
        return True

    def _select_near_time(self, step: int = 1) -> None:
        """Moving to another lane keeps the cursor near the same time of day. One lane down (j) lands on the
        top sub-row of stacked appointments and one up (k) on the bottom one, so j/k always move one line of
        blocks and pass every sub-row; a page lands on the appointment nearest in time."""
        lane = self.current_lane()
        if lane is None or not lane.items:
            self.item_index = 0
            return
        anchor = self._anchor()
        candidates: Sequence[int] = range(len(lane.items))
        if abs(step) == 1 and self.sheet.view == "day" and lane.depth > 1:
            slot = 0 if step > 0 else lane.depth - 1
            candidates = [n for n in candidates if lane.slots[n] == slot]
        if anchor is None:
            self.item_index = candidates[0]
            return
        self.item_index = min(candidates, key=lambda n: (_distance(lane.items[n], anchor), lane.slots[n], n))

    def skip_heading(self, step: int) -> None:
        lanes = self.sheet.lanes
        step = 1 if step >= 0 else -1
        n = self.lane_index
        while 0 <= n < len(lanes) and lanes[n].heading:
            n += step
        if not 0 <= n < len(lanes):
            n = self.lane_index
            while 0 <= n < len(lanes) and lanes[n].heading:
                n -= step
        self.lane_index = max(0, min(n, len(lanes) - 1))

    # ------------------------------------------------------------------ what is on screen

    def rows_changed(self) -> bool:
        """Rebuild the display rows when the move changed the lane whose sub-rows are all shown; True if it did."""
        if not self.sheet.rows_stale(self.lane_index):
            return False
        self.sheet.build_rows(self.lane_index)
        return True

    def scroll_into_view(self, height: int) -> None:
        """Move ``top`` as little as shows the cursor's lines in ``height`` rows."""
        height = max(1, height)
        lane_rows = self.sheet.lane_rows
        if self.sheet.view == "agenda":
            cursor_rows = (self.agenda_index, self.agenda_index)
        elif 0 <= self.lane_index < len(lane_rows):
            first, count = lane_rows[self.lane_index]
            cursor = first + (self.current_slot() if self.sheet.view == "day" else 0)
            cursor_rows = (first, first + count - 1)
            if count > height:  # a lane taller than the grid: its title if it fits with the cursor, else the cursor
                lo = first if cursor - first < height else cursor - height + 1
                cursor_rows = (lo, lo + height - 1)
        else:
            cursor_rows = (0, 0)
        if cursor_rows[0] < self.top:
            self.top = cursor_rows[0]
        elif cursor_rows[1] >= self.top + height:
            self.top = cursor_rows[1] - height + 1
        self.top = max(0, self.top)
