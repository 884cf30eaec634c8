"""What the calendar computes from the cache's rows before it draws: a period's appointments, technicians and
shifts read in one go (``load_calendar``, on the reader thread), then laid out once per load or regrouping
(``lay_out``): the lanes, the day view's hour axis, the week's cells, the agenda and the tray.

No Textual here (an import contract in pyproject.toml says so): the layout is plain data the calendar's widgets
draw from, unit-tested with a frozen clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from ..cache.outbox import Outbox
from ..provider.workflow import StatusCategory, Workflow
from .calendar_model import (
    STACK_SHOWN,
    CalendarData,
    Item,
    Lane,
    build_lanes,
    business_span,
    day_bounds,
    hours_span,
    items_from,
    local_day,
    tray_sections,
    week_bounds,
)
from .source import CalendarSource

__all__ = ["CalendarLayout", "VIEWS", "lay_out", "load_calendar", "period_bounds"]

VIEWS = ("day", "week", "agenda")


def period_bounds(view: str, day: date, tz: tzinfo | None) -> tuple[datetime, datetime]:
    """The period a view of ``day`` shows: its week (Monday on) in the week view, else the day."""
    if view == "week":
        _monday, start, end = week_bounds(day, tz)
        return start, end
    return day_bounds(day, tz)


def load_calendar(source: CalendarSource, start: datetime, end: datetime, outbox: Outbox | None = None) -> CalendarData:
    """Everything the calendar shows for [start, end) (runs on the reader thread: it is SQL)."""
    rows = source.calendar_appointments(start, end)
    assignments = source.calendar_assignments(start, end)
    overlays: dict[int, dict[str, Any]] = {}
    if outbox is not None:
        ids = {row[0].id for row in rows}
        for appointment_id in outbox.pending_ids("appointment"):
            if appointment_id in ids:
                overlays[appointment_id] = outbox.overlay("appointment", appointment_id) or {"pending": True}
    return CalendarData(
        start=start, end=end, items=items_from(rows, assignments, overlays),
        technicians=list(source.technicians()), shifts=list(source.shifts_between(start, end)),
        teams=list(source.teams()), zones=list(source.zones()), business_hours=source.business_hours(),
        arrival_windows=list(source.arrival_windows()))


@dataclass
class CalendarLayout:
    """One period laid out for a view: what every line of the grid, the agenda and the tray is drawn from."""

    view: str
    day: date
    tz: tzinfo | None
    data: CalendarData | None = None
    """None while the period is being read ("Loading…")."""
    lanes: list[Lane] = field(default_factory=list)
    hours: tuple[int, int] = (6, 20)
    """The day view's hour axis (local hours from midnight; the week and agenda views span the whole day)."""
    week_days: list[tuple[datetime, datetime]] = field(default_factory=list)
    """The week view's seven days, Monday first."""
    week_cells: dict[tuple[int, int], list[Item]] = field(default_factory=dict)
    """(lane index, day of the week) -> the lane's appointments that day."""
    agenda: list[Item] = field(default_factory=list)
    tray: dict[str, list[Item]] = field(default_factory=dict)
    """Tray section title -> its appointments, in the workflow's order."""
    rows: list[tuple[int, int]] = field(default_factory=list)
    """Display rows of the day/week view: (lane index, line of the lane). A day lane has one line per sub-row of
    stacked (overlapping) appointments, then its summary line (booked hours, arrival windows); a lane the cursor
    is not on shows at most ``STACK_SHOWN`` sub-rows ("+N more")."""
    lane_rows: list[tuple[int, int]] = field(default_factory=list)
    """Per lane: (its first row, how many rows)."""
    rows_lane: int = -1
    """The lane that was expanded (all its sub-rows) when ``rows`` was built."""

    @property
    def period(self) -> tuple[datetime, datetime]:
        return period_bounds(self.view, self.day, self.tz)

    @property
    def origin(self) -> datetime:
        """Where the day view's hour axis starts."""
        return self.period[0] + timedelta(hours=self.hours[0])

    @property
    def monday(self) -> date:
        return week_bounds(self.day, self.tz)[0]

    def shown_depth(self, lane_index: int, cursor_lane: int) -> int:
        """Sub-rows of appointments a day lane shows: all of them on the cursor's lane, else at most
        ``STACK_SHOWN``."""
        lane = self.lanes[lane_index]
        return lane.depth if lane_index == cursor_lane else min(lane.depth, STACK_SHOWN)

    def build_rows(self, cursor_lane: int) -> None:
        self.rows = []
        self.lane_rows = []
        for index, lane in enumerate(self.lanes):
            count = 1 if lane.heading or self.view != "day" else self.shown_depth(index, cursor_lane) + 1
            self.lane_rows.append((len(self.rows), count))
            self.rows.extend((index, line) for line in range(count))
        self.rows_lane = cursor_lane

    def rows_stale(self, cursor_lane: int) -> bool:
        """The cursor moved off or onto a lane whose sub-rows are capped: the rows change."""
        if self.view != "day" or self.rows_lane == cursor_lane:
            return False
        return any(0 <= n < len(self.lanes) and self.lanes[n].depth > STACK_SHOWN
                   for n in (self.rows_lane, cursor_lane))


def lay_out(data: CalendarData | None, workflow: Workflow, *, view: str, day: date, tz: tzinfo | None,
            grouping: str = "none", only: tuple[str, str] | None = None) -> CalendarLayout:
    """Lanes, hour axis, week cells, agenda and tray of ``data`` for ``view`` (rows are built by the cursor, which
    knows the lane it expands)."""
    if data is None:
        return CalendarLayout(view, day, tz, tray=tray_sections([], workflow))
    out = CalendarLayout(view, day, tz, data, build_lanes(data, workflow, grouping=grouping, only=only))
    start, end = out.period
    out.hours = (hours_span(out.lanes, start, tz, end, business_span(data.business_hours, day))
                 if view == "day" else (0, 24))
    if view == "week":
        monday = out.monday
        out.week_days = [day_bounds(monday + timedelta(days=n), tz) for n in range(7)]
        for index, lane in enumerate(out.lanes):
            for item in lane.items:
                if item.start is not None:
                    offset = (local_day(item.start, tz) - monday).days
                    out.week_cells.setdefault((index, offset), []).append(item)
    shown = {lane.technician_id for lane in out.lanes if lane.technician_id is not None}
    out.agenda = sorted(
        (i for i in data.items if workflow.appointment_category(i.status) != StatusCategory.CANCELED
         and not i.deleted and ((not i.technician_ids and only is None) or any(t in shown for t in i.technician_ids))),
        key=lambda i: (i.start is None, i.start or start, i.id))
    out.tray = tray_sections(data.items, workflow)
    return out
