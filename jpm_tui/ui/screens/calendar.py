"""The appointment calendar: technician lanes by day (time across), a week grid, an agenda list, and a tray
of the appointments still to deal with (unassigned, unconfirmed, on hold, canceled).

Only the visible lines are drawn (``render_line``), from lanes laid out once per load, so a day of 200
technicians and 2,000 appointments moves as fast as a small one. Appointments that overlap in a lane are
stacked on sub-rows (``calendar_model.stack``): j/k walk the sub-rows and then the lanes, h/l go by time; a
lane the cursor is not on shows at most ``STACK_SHOWN`` sub-rows and counts the rest ("+N more"). The hour
axis starts from the company's cached business hours for that weekday (06-20 without) and covers the day's
shifts and appointments; what runs past it is clipped and marked ◀ ▶. Every write on the selected appointment goes
through the outbox (``JpmApp.submit``); what its state forbids is refused up front with the reason on screen
(``Workflow.appointment_refusals``); an action the backend lacks (not in its workflow) has no key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from ...cache.outbox import Outbox
from ...provider import domain as d
from ...provider.workflow import StatusCategory
from ..calendar_model import (
    BLOCK_CLASSES, GROUPINGS, MIN_LENGTH, SIGNALS, STACK_SHOWN, CalendarData, Item, Lane, block_class,
    booked_hours, build_lanes, business_span, day_bounds, hours_span, item_signals, items_from, local_day, marks,
    overlap_hours, place, span_columns, tray_sections, week_bounds, working_hours,
)
from ..format import local
from ..text import clean, plain
from .appointment_form import Times, TimesFormScreen
from .base import BoardScreen
from .modals import Choice, ConfirmScreen, PickerScreen, TextEntryScreen, ask

__all__ = ["APPOINTMENT_ACTIONS", "CalendarGrid", "CalendarScreen", "TrayPanel", "load_calendar"]

AGENDA_BELOW = 100
"""Narrower than this (columns), the calendar opens on the agenda list."""

APPOINTMENT_ACTIONS = Binding.Group("Appointment actions")
_APPOINTMENT_ACTION_NAMES = frozenset({
    "reschedule", "shift_time", "next_day", "assign", "reassign", "unassign", "hold_appointment",
    "remove_appointment_hold", "confirm", "unconfirm", "edit_instructions", "create_appointment", "delete_appointment"})
"""The calendar's writes on the selected appointment (the actions of its APPOINTMENT_ACTIONS bindings)."""
NAVIGATION = Binding.Group("Calendar")



def load_calendar(source: Any, start: datetime, end: datetime, outbox: Outbox | None = None) -> CalendarData:
    """Everything the calendar shows for [start, end) (runs on the reader thread: it is SQL)."""
    rows = source.calendar_appointments(start, end)
    assignments = source.calendar_assignments(start, end)
    overlays: dict[int, dict[str, Any]] = {}
    if outbox is not None:
        ids = {row[0].id for row in rows}
        for appointment_id in outbox.pending_ids("appointment"):
            if appointment_id in ids:
                overlays[appointment_id] = outbox.overlay("appointment", appointment_id) or {"pending": True}
    read = lambda name: list(getattr(source, name)()) if hasattr(source, name) else []  # noqa: E731
    hours = source.business_hours() if hasattr(source, "business_hours") else None
    return CalendarData(start=start, end=end, items=items_from(rows, assignments, overlays),
                        technicians=read("technicians"), shifts=list(source.shifts_between(start, end)),
                        teams=read("teams"), zones=read("zones"), business_hours=hours,
                        arrival_windows=read("arrival_windows"))


def _fit(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text[:width - 1] + "…" if len(text) > width else text.ljust(width)


def _distance(item: Item, anchor: datetime | None) -> float:
    """Seconds from ``anchor`` to ``item``'s time (0 when the anchor falls inside it)."""
    if anchor is None or item.start is None:
        return 0.0 if anchor is None else float("inf")
    end = item.end if item.end is not None and item.end > item.start else item.start + MIN_LENGTH
    if item.start <= anchor < end:
        return 0.0
    return min(abs((item.start - anchor).total_seconds()), abs((end - anchor).total_seconds()))


def _hm(value: datetime | None, tz: Any) -> str:
    return local(value, tz).strftime("%H:%M") if value is not None else "--:--"


class _Painter:
    """A line of cells: characters with styles, turned into a Strip with one segment per run."""

    __slots__ = ("chars", "styles")

    def __init__(self, width: int, style: Style) -> None:
        self.chars = [" "] * width
        self.styles = [style] * width

    def fill(self, lo: int, hi: int, style: Style, char: str | None = None) -> None:
        for x in range(max(0, lo), min(hi, len(self.chars))):
            self.styles[x] = style
            if char is not None:
                self.chars[x] = char

    def text(self, x: int, text: str, style: Style | None = None, limit: int | None = None) -> None:
        end = min(len(self.chars), x + len(text), limit if limit is not None else len(self.chars))
        for i in range(max(0, x), end):
            self.chars[i] = text[i - x]
            if style is not None:
                self.styles[i] = style

    def strip(self) -> Strip:
        segments: list[Segment] = []
        if not self.chars:
            return Strip([])
        run, style = [self.chars[0]], self.styles[0]
        for char, next_style in zip(self.chars[1:], self.styles[1:]):
            if next_style is style:
                run.append(char)
            else:
                segments.append(Segment("".join(run), style))
                run, style = [char], next_style
        segments.append(Segment("".join(run), style))
        return Strip(segments, len(self.chars))


class CalendarGrid(Widget, can_focus=True):
    """Draws the screen's current view line by line; it keeps no data of its own."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "calendar--header", "calendar--label", "calendar--label-cursor", "calendar--heading",
        "calendar--on-shift", "calendar--off-shift", "calendar--window", "calendar--now", "calendar--cursor",
        "calendar--late", "calendar--over", "calendar--pending", "calendar--muted", "calendar--marks",
        *BLOCK_CLASSES,
    }
    DEFAULT_CSS = ""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._styles: dict[str, Style] = {}
        self._lines: dict[tuple[int, int], Strip] = {}

    @property
    def calendar(self) -> CalendarScreen:
        return self.screen  # type: ignore[return-value]

    def style_of(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name, partial=False)
        return style

    def forget_rows(self, ys: Any) -> None:
        """Drop the drawn lines at these viewport rows only, and repaint them."""
        height = self.size.height
        for y in ys:
            if 0 <= y < height:
                self._lines.pop((y, self.size.width), None)
                self.refresh(Region(0, y, self.size.width, 1))

    def forget(self, *, styles: bool = False) -> None:
        """Drop the drawn lines (and the resolved styles), then repaint."""
        self._lines.clear()
        if styles:
            self._styles.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._lines.clear()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        key = (y, width)
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = self.calendar.draw_line(self, y, width)
        return line


class TrayPanel(Widget, can_focus=True):
    """The tray: tabs of the period's unassigned, unconfirmed, on-hold and canceled appointments."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"tray--tab", "tray--tab-current", "tray--cursor", "tray--muted"}

    @property
    def calendar(self) -> CalendarScreen:
        return self.screen  # type: ignore[return-value]

    def render_line(self, y: int) -> Strip:
        return self.calendar.draw_tray_line(self, y, self.size.width)


class CalendarScreen(BoardScreen):
    HELP_TITLE = "Calendar"
    CSS_PATH = "calendar.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "lane(1)", "Down: next sub-row or lane", show=False, group=NAVIGATION, id="down"),
        Binding("k,up", "lane(-1)", "Up: previous sub-row or lane", show=False, group=NAVIGATION, id="up"),
        Binding("pagedown,ctrl+d", "lane(10)", "Page down", show=False, group=NAVIGATION, id="page-down"),
        Binding("pageup,ctrl+u", "lane(-10)", "Page up", show=False, group=NAVIGATION, id="page-up"),
        Binding("l,right", "across(1)", "Next appointment (by time)", show=False, group=NAVIGATION, id="right"),
        Binding("h,left", "across(-1)", "Previous appointment (by time)", show=False, group=NAVIGATION, id="left"),
        Binding("t", "today", "Today", group=NAVIGATION, id="today"),
        Binding("left_square_bracket", "period(-1)", "Previous day/week", show=False, group=NAVIGATION,
                id="previous-period"),
        Binding("right_square_bracket", "period(1)", "Next day/week", show=False, group=NAVIGATION,
                id="next-period"),
        Binding("d", "view('day')", "Day", group=NAVIGATION, id="day-view"),
        Binding("w", "view('week')", "Week", group=NAVIGATION, id="week-view"),
        Binding("a", "view('agenda')", "Agenda", group=NAVIGATION, id="agenda-view"),
        Binding("g", "cycle_grouping", "Group lanes", show=False, group=NAVIGATION, id="group"),
        Binding("f", "filter", "Filter lanes", show=False, group=NAVIGATION, id="filter"),
        Binding("T", "tray", "Tray", group=NAVIGATION, id="tray"),
        Binding("enter", "open", "Open job", group=NAVIGATION, id="open"),
        Binding("escape", "close_tray", "Close tray", show=False, group=NAVIGATION, id="close"),
        Binding("r", "reschedule", "Reschedule", group=APPOINTMENT_ACTIONS, id="reschedule"),
        Binding("plus,equals_sign", "shift_time(15)", "+15 min", show=False, group=APPOINTMENT_ACTIONS,
                id="later"),
        Binding("minus", "shift_time(-15)", "-15 min", show=False, group=APPOINTMENT_ACTIONS, id="earlier"),
        Binding("n", "next_day", "Next day", show=False, group=APPOINTMENT_ACTIONS, id="next-day"),
        Binding("A", "assign", "Assign", group=APPOINTMENT_ACTIONS, id="assign"),
        Binding("R", "reassign", "Reassign", show=False, group=APPOINTMENT_ACTIONS, id="reassign"),
        Binding("U", "unassign", "Unassign", show=False, group=APPOINTMENT_ACTIONS, id="unassign"),
        Binding("o", "hold_appointment", "Hold", show=False, group=APPOINTMENT_ACTIONS, id="hold"),
        Binding("O", "remove_appointment_hold", "Remove hold", show=False, group=APPOINTMENT_ACTIONS,
                id="remove-hold"),
        Binding("c", "confirm", "Confirm", group=APPOINTMENT_ACTIONS, id="confirm"),
        Binding("u", "unconfirm", "Unconfirm", show=False, group=APPOINTMENT_ACTIONS, id="unconfirm"),
        Binding("i", "edit_instructions", "Instructions", show=False, group=APPOINTMENT_ACTIONS,
                id="instructions"),
        Binding("N", "create_appointment", "New appointment", show=False, group=APPOINTMENT_ACTIONS,
                id="new-appointment"),
        Binding("X,delete", "delete_appointment", "Delete", show=False, group=APPOINTMENT_ACTIONS,
                id="delete-appointment"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = ""  # chosen on mount from the width
        self.day: date | None = None
        self.grouping = "none"
        self.only: tuple[str, str] | None = None
        self.data: CalendarData | None = None
        self.lanes: list[Lane] = []
        self.rows: list[tuple[int, int]] = []
        """Display rows of the day/week view: (lane index, line of the lane). A day lane has one line per
        sub-row of stacked (overlapping) appointments, then its summary line (booked hours, arrival windows);
        a lane the cursor is not on shows at most ``STACK_SHOWN`` sub-rows ("+N more")."""
        self._lane_rows: list[tuple[int, int]] = []
        """Per lane: (its first row, how many rows)."""
        self._rows_lane = -1
        """The lane that was expanded (all its sub-rows) when ``rows`` was built."""
        self.lane_index = 0
        self.item_index = 0
        self.day_offset = 0
        """The cursor's day in the week view (0 = Monday)."""
        self.agenda: list[Item] = []
        self.agenda_index = 0
        self.top = 0
        self.tray_open = False
        self.tray_tab = 0
        self.tray_index = 0
        self.tray: dict[str, list[Item]] = tray_sections([], self.board.workflow)
        """Tray section title -> its appointments, in the workflow's order."""
        self.refusals: dict[str, str] | None = None
        self.loads = 0
        self._week_cells: dict[tuple[int, int], list[Item]] = {}
        self._week_days: list[tuple[datetime, datetime]] = []
        self._hours = (6, 20)
        self._selected_id: int | None = None

    # ------------------------------------------------------------------ composition and loading

    def compose_body(self) -> ComposeResult:
        yield Static("", id="cal-title")
        with Horizontal(id="cal-body"):
            yield CalendarGrid(id="cal-grid")
            yield TrayPanel(id="cal-tray")
        yield Static("", id="cal-detail")
        yield Static("", id="cal-legend")

    @property
    def now(self) -> datetime:
        return self.board.clock()

    @property
    def tz(self) -> Any:
        return self.board.tz

    def today(self) -> date:
        return local_day(self.now, self.tz)

    async def on_mount(self) -> None:
        self.view = "agenda" if self.app.size.width < AGENDA_BELOW else "day"
        self.day = self.today()
        self.query_one(CalendarGrid).focus()
        await self._load()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._repaint(styles=True))
        self.watch(self.app, "data_version", lambda _version: self._reload(), init=False)

    def period(self) -> tuple[datetime, datetime]:
        assert self.day is not None
        if self.view == "week":
            _monday, start, end = week_bounds(self.day, self.tz)
            return start, end
        return day_bounds(self.day, self.tz)

    async def _load(self) -> None:
        start, end = self.period()
        live = self.board.live
        self.data = await self.board.reader(load_calendar, self.board.source, start, end,
                                            live.outbox if live is not None else None)
        self.loads += 1
        self._layout()

    def _reload(self) -> None:
        self.run_worker(self._load, exclusive=True, group="calendar-load")

    def _layout(self) -> None:
        """Lanes, rows, week cells, agenda and tray from ``data`` (once per load or regrouping)."""
        selected = self.selected_item()
        if selected is not None:
            self._selected_id = selected.id
        data = self.data
        if data is None:
            return
        lane_key = self.lanes[self.lane_index].key if self.lanes and self.lane_index < len(self.lanes) else None
        self.lanes = build_lanes(data, self.board.workflow, grouping=self.grouping, only=self.only)
        self._rows_lane = -1
        start, end = self.period()
        self._hours = (hours_span(self.lanes, start, self.tz, end, business_span(data.business_hours, self.day))
                       if self.view == "day" and self.day is not None else (0, 24))
        self._week_cells = {}
        self._week_days = []
        if self.view == "week":
            monday = week_bounds(self.day, self.tz)[0]  # type: ignore[arg-type]
            self._week_days = [day_bounds(monday + timedelta(days=n), self.tz) for n in range(7)]
            for index, lane in enumerate(self.lanes):
                for item in lane.items:
                    if item.start is not None:
                        offset = (local_day(item.start, self.tz) - monday).days
                        self._week_cells.setdefault((index, offset), []).append(item)
        shown = {lane.technician_id for lane in self.lanes if lane.technician_id is not None}
        workflow = self.board.workflow
        self.agenda = sorted(
            (i for i in data.items if workflow.appointment_category(i.status) != StatusCategory.CANCELED
             and not i.deleted and ((not i.technician_ids and self.only is None) or any(t in shown for t in i.technician_ids))),
            key=lambda i: (i.start is None, i.start or start, i.id))
        self.tray = tray_sections(data.items, self.board.workflow)
        # Put the cursor back on the same appointment (same lane when it is still there).
        self.lane_index = next((n for n, lane in enumerate(self.lanes) if lane.key == lane_key), self.lane_index)
        self._restore_selection()
        self._build_rows()
        self._repaint()

    def shown_depth(self, lane_index: int, lane: Lane) -> int:
        """Sub-rows of appointments a day lane shows: all of them on the cursor's lane, else at most
        ``STACK_SHOWN``."""
        return lane.depth if lane_index == self.lane_index else min(lane.depth, STACK_SHOWN)

    def _build_rows(self) -> None:
        self.rows = []
        self._lane_rows = []
        for index, lane in enumerate(self.lanes):
            count = 1 if lane.heading or self.view != "day" else self.shown_depth(index, lane) + 1
            self._lane_rows.append((len(self.rows), count))
            self.rows.extend((index, line) for line in range(count))
        self._rows_lane = self.lane_index

    def _rows_stale(self) -> bool:
        """The cursor moved off or onto a lane whose sub-rows are capped: the rows change."""
        if self.view != "day" or self._rows_lane == self.lane_index:
            return False
        return any(0 <= n < len(self.lanes) and self.lanes[n].depth > STACK_SHOWN
                   for n in (self._rows_lane, self.lane_index))

    def _restore_selection(self) -> None:
        self.lane_index = max(0, min(self.lane_index, len(self.lanes) - 1))
        self._skip_heading(1)
        target = self._selected_id
        if target is not None and self.lanes:
            lane = self.lanes[self.lane_index]
            index = next((n for n, item in enumerate(lane.items) if item.id == target), None)
            if index is None:
                for n, other in enumerate(self.lanes):
                    index = next((m for m, item in enumerate(other.items) if item.id == target), None)
                    if index is not None:
                        self.lane_index = n
                        break
            self.item_index = index if index is not None else self.item_index
            agenda_index = next((n for n, item in enumerate(self.agenda) if item.id == target), None)
            if agenda_index is not None:
                self.agenda_index = agenda_index
        self._clamp()

    def _clamp(self) -> None:
        lane = self.current_lane()
        self.item_index = max(0, min(self.item_index, len(lane.items) - 1 if lane else 0))
        self.agenda_index = max(0, min(self.agenda_index, len(self.agenda) - 1))
        items = self.tray_items()
        self.tray_index = max(0, min(self.tray_index, len(items) - 1))

    # ------------------------------------------------------------------ selection

    def select_appointment(self, appointment_id: int) -> bool:
        """Put the cursor on an appointment of the period (closing the tray); False when it is not shown."""
        self.tray_open = False
        self._selected_id = appointment_id
        self._restore_selection()
        self._repaint()
        item = self.selected_item()
        return item is not None and item.id == appointment_id

    def current_slot(self) -> int:
        """The sub-row of the cursor's appointment in its lane (0 without one)."""
        lane = self.current_lane()
        if lane is None or not 0 <= self.item_index < len(lane.slots):
            return 0
        return lane.slots[self.item_index]

    def current_lane(self) -> Lane | None:
        return self.lanes[self.lane_index] if 0 <= self.lane_index < len(self.lanes) else None

    def tray_items(self) -> list[Item]:
        return list(self.tray.values())[self.tray_tab]

    def selected_item(self) -> Item | None:
        if self.tray_open:
            items = self.tray_items()
            return items[self.tray_index] if 0 <= self.tray_index < len(items) else None
        if self.view == "agenda":
            return self.agenda[self.agenda_index] if 0 <= self.agenda_index < len(self.agenda) else None
        if self.view == "day":
            lane = self.current_lane()
            if lane is not None and 0 <= self.item_index < len(lane.items):
                return lane.items[self.item_index]
        return None

    def _skip_heading(self, step: int) -> None:
        step = 1 if step >= 0 else -1
        n = self.lane_index
        while 0 <= n < len(self.lanes) and self.lanes[n].heading:
            n += step
        if not 0 <= n < len(self.lanes):
            n = self.lane_index
            while 0 <= n < len(self.lanes) and self.lanes[n].heading:
                n -= step
        self.lane_index = max(0, min(n, len(self.lanes) - 1))

    def _repaint(self, *, styles: bool = False, lanes: tuple[int, ...] | None = None) -> None:
        """After the cursor moved or the data changed: refusals, the visible window, the panels.

        ``lanes``: only these lanes' lines changed (a cursor move that did not scroll)."""
        item = self.selected_item()
        self._selected_id = item.id if item is not None else self._selected_id
        refusals = self.board.workflow.appointment_refusals(
            item, writable=self.board.read_only_reason, has_hold_reasons=bool(self.board.named("hold_reason")),
            has_technicians=bool(self.board.named("technician")))
        bindings_changed = self.refusals is None or set(refusals) != set(self.refusals)
        self.refusals = refusals
        if self._rows_stale():
            self._build_rows()
            lanes = None
        top = self.top
        self._scroll_into_view()
        grid = self.query_one(CalendarGrid)
        if lanes is not None and top == self.top and not styles and self.view != "agenda":
            grid.forget_rows(n - top + 1 for index in set(lanes) if 0 <= index < len(self._lane_rows)
                             for n in range(self._lane_rows[index][0], sum(self._lane_rows[index])))
        elif lanes is not None and top == self.top and self.view == "agenda":
            grid.forget_rows(n - top + 1 for n in lanes)
        else:
            grid.forget(styles=styles)
        tray = self.query_one(TrayPanel)
        if tray.display != self.tray_open:
            tray.display = self.tray_open
        if self.tray_open:
            tray.styles.width = "100%" if self.app.size.width < AGENDA_BELOW else 56
            tray.refresh()
        self._update("#cal-title", self._title())
        self._update("#cal-detail", self._detail())
        self._update("#cal-legend", self._legend())
        if bindings_changed:
            self.refresh_bindings()

    def _update(self, selector: str, text: Text) -> None:
        widget = self.query_one(selector, Static)
        key = (text.plain, tuple(text.spans))
        if getattr(widget, "_shown_key", None) != key:
            widget._shown_key = key  # type: ignore[attr-defined]
            widget.update(text)

    def _scroll_into_view(self) -> None:
        height = max(1, self.query_one(CalendarGrid).size.height - 1)
        if self.view == "agenda":
            cursor_rows = (self.agenda_index, self.agenda_index)
        elif 0 <= self.lane_index < len(self._lane_rows):
            first, count = self._lane_rows[self.lane_index]
            cursor = first + (self.current_slot() if self.view == "day" else 0)
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

    def on_resize(self) -> None:
        self.call_after_refresh(self._repaint)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _APPOINTMENT_ACTION_NAMES:
            if not self.board.workflow.supports(action):
                return False  # hidden: footer, help and palette leave it out
            return None if self.refusals is None or action in self.refusals else True
        if action == "close_tray":
            return self.tray_open
        return True

    # ------------------------------------------------------------------ drawing: the grid

    def draw_line(self, grid: CalendarGrid, y: int, width: int) -> Strip:
        if self.data is None:
            return Strip([Segment(_fit("Loading…" if y == 0 else "", width), grid.style_of("calendar--muted"))],
                         width)
        if self.view == "agenda":
            return self._agenda_line(grid, y, width)
        if y == 0:
            return self._header_line(grid, width)
        row = self.top + y - 1
        if row >= len(self.rows):
            if row == len(self.rows) and not self.lanes:
                return Strip([Segment(_fit("No technicians in this filter.", width),
                                      grid.style_of("calendar--muted"))], width)
            return Strip.blank(width, grid.style_of("calendar--off-shift"))
        lane_index, line = self.rows[row]
        lane = self.lanes[lane_index]
        if lane.heading:
            return Strip([Segment(_fit(f"── {lane.title} ", width), grid.style_of("calendar--heading"))], width)
        if self.view == "week":
            return self._week_line(grid, lane_index, lane, width)
        return self._day_line(grid, lane_index, lane, line, width)

    def _label_width(self, width: int) -> int:
        return 22 if width >= 110 else 16

    def _header_line(self, grid: CalendarGrid, width: int) -> Strip:
        label_width = self._label_width(width)
        header = grid.style_of("calendar--header")
        painter = _Painter(width, header)
        assert self.day is not None
        if self.view == "week":
            monday = week_bounds(self.day, self.tz)[0]
            painter.text(0, _fit(f"Week of {monday:%d %b}", label_width))
            cell = max(1, (width - label_width) // 7)
            for n in range(7):
                day = monday + timedelta(days=n)
                style = grid.style_of("calendar--now") if day == self.today() else header
                painter.text(label_width + n * cell, _fit(f"{day:%a %d}", cell), style)
            return painter.strip()
        painter.text(0, _fit(f"{self.day:%a %d %b}", label_width))
        first, last = self._hours
        timeline = width - label_width
        per_hour = timeline / max(1, last - first)
        origin = self._origin()
        for hour in range(first, last):
            x = label_width + int((hour - first) * per_hour)
            if per_hour >= 4 or hour % 2 == 0:  # the local hour (a DST day has 23 or 25 of them)
                shown = local(origin + timedelta(hours=hour - first), self.tz).hour
                painter.text(x, f"{shown:02d}", limit=width)
        now_x = self._now_column(width)
        if now_x is not None:
            painter.fill(now_x, now_x + 1, grid.style_of("calendar--now"), "▼")
        return painter.strip()

    def _origin(self) -> datetime:
        start, _end = self.period()
        return start + timedelta(hours=self._hours[0])

    def _now_column(self, width: int) -> int | None:
        label_width = self._label_width(width)
        span = span_columns(self.now, self.now + timedelta(seconds=1), self._origin(),
                            self._hours[1] - self._hours[0], width - label_width)
        return label_width + span[0] if span is not None else None

    def _day_line(self, grid: CalendarGrid, lane_index: int, lane: Lane, line: int, width: int) -> Strip:
        """Line ``line`` of a day lane: sub-row ``line`` of its appointments (the first also names the lane),
        or, after the last sub-row shown, the summary line (booked hours, arrival windows)."""
        label_width = self._label_width(width)
        timeline = width - label_width
        origin, hours = self._origin(), self._hours[1] - self._hours[0]
        on_cursor = lane_index == self.lane_index and not self.tray_open
        off = grid.style_of("calendar--off-shift")
        painter = _Painter(width, off)
        start, end = self.period()
        if lane.is_unassigned:
            painter.fill(label_width, width, grid.style_of("calendar--on-shift"))
        for shift_start, shift_end in lane.shifts:
            span = span_columns(shift_start, shift_end, origin, hours, timeline)
            if span is not None:
                painter.fill(label_width + span[0], label_width + span[1], grid.style_of("calendar--on-shift"))
        label_style = grid.style_of("calendar--label-cursor" if on_cursor else "calendar--label")
        shown = self.shown_depth(lane_index, lane)
        if line < shown:
            hidden = lane.hidden(shown) if line == shown - 1 else 0
            if line == 0:
                painter.text(0, _fit(clean(lane.title), label_width - 1), label_style)
            elif hidden:
                painter.text(0, _fit(f" +{hidden} more", label_width - 1), grid.style_of("calendar--marks"))
            else:
                painter.fill(0, label_width - 1, label_style)
            painter.fill(label_width - 1, label_width, label_style)
            now_x = self._now_column(width)
            if now_x is not None:
                painter.fill(now_x, now_x + 1, grid.style_of("calendar--now"), "│")
            now, workflow = self.now, self.board.workflow
            placed = [(index, spot) for index, item in enumerate(lane.items) if lane.slots[index] == line
                      for spot in (place(item.start, item.end, origin, hours, timeline),) if spot is not None]
            starts = sorted(spot[0] for _index, spot in placed)
            for index, spot in placed:
                item = lane.items[index]
                lo, hi = label_width + spot[0], label_width + spot[1]
                # another block starts right where this one ends: keep a blank column between their words
                abutted = hi - lo >= 3 and spot[1] in starts
                signals = item_signals(item, now, workflow)
                if on_cursor and index == self.item_index:
                    style = grid.style_of("calendar--cursor")
                elif "late" in signals:
                    style = grid.style_of("calendar--late")
                elif "over" in signals:
                    style = grid.style_of("calendar--over")
                else:
                    style = grid.style_of(block_class(item, self.board.workflow))
                painter.fill(lo, hi, style, " ")
                text = clean(marks(signals) + item.label)
                if spot[2]:  # starts before the axis (or is entirely before it)
                    text = "◀" + text
                if spot[3]:  # ends after the axis
                    painter.text(lo, text, limit=hi - 1)
                    painter.fill(hi - 1, hi, style, "▶")
                else:
                    painter.text(lo, text, limit=hi - 1 if abutted else hi)
        else:
            booked = booked_hours(lane, start, end)
            if lane.is_unassigned:
                words = f" {len(lane.items)} appt · {booked:.1f}h"
            else:
                work = working_hours(lane, start, end)
                wide = label_width >= 20
                words = (f" {booked:.1f}/{work:.1f}h booked" if wide else f" {booked:.1f}/{work:.0f}h") if work else (
                    f" {booked:.1f}h · no shift" if wide else f" {booked:.1f}h no shift")
            painter.text(0, _fit(words, label_width - 1), grid.style_of("calendar--muted"))
            painter.fill(label_width - 1, label_width, grid.style_of("calendar--muted"))
            window_style = grid.style_of("calendar--window")
            # the selected appointment's window last, so it is whole where windows overlap
            order = list(range(len(lane.items)))
            if on_cursor and 0 <= self.item_index < len(order):
                order.append(order.pop(self.item_index))
            for index in order:
                item = lane.items[index]
                span = span_columns(item.window_start, item.window_end, origin, hours, timeline)
                if span is None or item.window_start is None:
                    continue
                lo, hi = label_width + span[0], label_width + span[1]
                painter.fill(lo, hi, window_style, "─")
                painter.fill(lo, lo + 1, window_style, "├")
                painter.fill(hi - 1, hi, window_style, "┤" if hi - lo > 1 else "│")
        return painter.strip()

    def _week_line(self, grid: CalendarGrid, lane_index: int, lane: Lane, width: int) -> Strip:
        label_width = self._label_width(width)
        on_cursor = lane_index == self.lane_index and not self.tray_open
        painter = _Painter(width, grid.style_of("calendar--on-shift"))
        painter.text(0, _fit(clean(lane.title), label_width - 1),
                     grid.style_of("calendar--label-cursor" if on_cursor else "calendar--label"))
        painter.fill(label_width - 1, label_width, grid.style_of("calendar--label"))
        cell = max(1, (width - label_width) // 7)
        now, workflow = self.now, self.board.workflow
        for n in range(7):
            items = self._week_cells.get((lane_index, n), [])
            x = label_width + n * cell
            if on_cursor and n == self.day_offset:
                style = grid.style_of("calendar--cursor")
            elif any("late" in item_signals(i, now, workflow) for i in items):
                style = grid.style_of("calendar--late")
            elif items:
                style = grid.style_of(block_class(items[0], workflow))
            else:
                style = grid.style_of("calendar--muted")
            day_start, day_end = self._week_days[n] if n < len(self._week_days) else (datetime.min, datetime.max)
            hours = sum(overlap_hours(i, day_start, day_end) for i in items)
            signals = set().union(*(item_signals(i, now, workflow) for i in items)) if items else set()
            text = f"{len(items)}·{hours:.1f}h {marks(signals)}" if items else "·"
            painter.fill(x, x + cell - 1, style, " ")
            painter.text(x, text, limit=x + cell - 1)
        return painter.strip()

    def _agenda_line(self, grid: CalendarGrid, y: int, width: int) -> Strip:
        header = grid.style_of("calendar--header")
        if y == 0:
            painter = _Painter(width, header)
            painter.text(0, _fit("    Time         Arrival      Status     Job · customer · technicians", width))
            return painter.strip()
        index = self.top + y - 1
        if index >= len(self.agenda):
            if index == 0:
                return Strip([Segment(_fit("No appointments this day.", width), grid.style_of("calendar--muted"))],
                             width)
            return Strip.blank(width, grid.style_of("calendar--off-shift"))
        item = self.agenda[index]
        tz = self.tz
        signals = item_signals(item, self.now, self.board.workflow)
        selected = index == self.agenda_index and not self.tray_open
        base = grid.style_of("calendar--cursor") if selected else grid.style_of("calendar--off-shift")
        painter = _Painter(width, base)
        status_style = base if selected else grid.style_of(block_class(item, self.board.workflow))
        if "late" in signals and not selected:
            status_style = grid.style_of("calendar--late")
        window = f"{_hm(item.window_start, tz)}–{_hm(item.window_end, tz)}" if item.window_start else " " * 11
        techs = ", ".join(self.board.lookup_name("technician", t) for t in item.technician_ids) or "unassigned"
        painter.text(0, f"{marks(signals):>3} ", base if selected else grid.style_of("calendar--marks"))
        painter.text(4, f"{_hm(item.start, tz)}–{_hm(item.end, tz)} ")
        painter.text(16, window + " ", base if selected else grid.style_of("calendar--window"))
        status = f"{item.status:<10}"
        rest = clean(f"{item.label} · {techs}")
        painter.text(29, status, status_style)
        painter.text(40, rest, limit=width)
        return painter.strip()

    # ------------------------------------------------------------------ drawing: the tray

    def draw_tray_line(self, tray: TrayPanel, y: int, width: int) -> Strip:
        muted = tray.get_component_rich_style("tray--muted", partial=False)
        plain_style = tray.rich_style
        if y == 0:
            segments: list[Segment] = []
            used = 0
            for n, name in enumerate(self.tray):
                words = f" {name} {len(self.tray[name])} "
                style = tray.get_component_rich_style("tray--tab-current" if n == self.tray_tab else "tray--tab",
                                                      partial=False)
                segments.append(Segment(words, style))
                used += len(words)
            line = Strip(segments).crop(0, width)
            return line.extend_cell_length(width, plain_style) if used < width else line
        if y == 1:
            return Strip([Segment(_fit(" h/l tabs · j/k move · Esc close", width), muted)], width)
        items = self.tray_items()
        height = tray.size.height - 2
        first = max(0, self.tray_index - height + 1)
        index = first + y - 2
        if index >= len(items):
            if index == 0:
                return Strip([Segment(_fit(" Nothing here for this period.", width), muted)], width)
            return Strip.blank(width, plain_style)
        item = items[index]
        tz = self.tz
        when = local(item.start, tz).strftime("%a %H:%M") if item.start else "--"
        text = _fit(clean(f" {when} {marks(item_signals(item, self.now, self.board.workflow))} {item.label}"), width)
        style = tray.get_component_rich_style("tray--cursor", partial=False) if index == self.tray_index else plain_style
        return Strip([Segment(text, style)], width)

    # ------------------------------------------------------------------ the lines around the grid

    def _title(self) -> Text:
        assert self.day is not None
        out = Text(end="")
        view = {"day": "Day", "week": "Week", "agenda": "Agenda"}[self.view]
        out.append(f"Calendar · {view} · ", "bold")
        if self.view == "week":
            monday = week_bounds(self.day, self.tz)[0]
            out.append(f"{monday:%a %d %b} – {monday + timedelta(days=6):%a %d %b %Y}")
        else:
            out.append(f"{self.day:%A %d %B %Y}")
        if self.day == self.today():
            out.append(" (today)")
        technicians = sum(1 for lane in self.lanes if lane.technician_id is not None)
        count = len([i for i in self.data.items if not i.deleted]) if self.data else 0
        out.append(f" · {technicians} technicians · {count} appointments")
        if self.grouping != "none":
            out.append(f" · by {self.grouping}")
        if self.only is not None:
            out.append(" · only ")
            out.append_text(plain(self.only[1]))
        if self.view != "agenda" and self.rows:
            height = max(1, self.query_one(CalendarGrid).size.height - 1)
            out.append(f" · rows {self.top + 1}–{min(len(self.rows), self.top + height)} of {len(self.rows)}")
        return out

    def _detail(self) -> Text:
        out = Text(end="", no_wrap=True, overflow="ellipsis")
        item = self.selected_item()
        if item is None:
            if self.view == "week":
                out.append("Week view: d shows the day under the cursor; actions work in the day and agenda views.")
            else:
                out.append("No appointment selected.")
            return out
        tz = self.tz
        out.append_text(plain(item.label, "bold"))
        if item.pending:
            out.append(" (queued)", "italic")
        out.append(f"  {local(item.start, tz):%a %d %b %H:%M}–{_hm(item.end, tz)}" if item.start else "  no time")
        if item.window_start:
            out.append(f"  arrive {_hm(item.window_start, tz)}–{_hm(item.window_end, tz)}")
        out.append(f"  {item.status}{' · confirmed' if item.confirmed else ''}")
        if item.priority:
            out.append_text(plain(f" · {item.priority} priority"))
        techs = ", ".join(self.board.lookup_name("technician", t) for t in item.technician_ids) or "unassigned"
        out.append("  ")
        out.append_text(plain(techs))
        words = [SIGNALS[name][1] for name in SIGNALS if name in item_signals(item, self.now, self.board.workflow)]
        if words:
            out.append("  · " + "; ".join(words))
        refused = [(a, why) for a, why in (self.refusals or {}).items()]
        if refused and not self.board.read_only_reason:
            keys = {b.action: b.key.split(",")[0] for b in self.BINDINGS if isinstance(b, Binding)}
            names = {b.action: b.description for b in self.BINDINGS if isinstance(b, Binding)}
            refused_words = "; ".join(f"{names.get(a, a)}: {why}" for a, why in refused
                                      if a in ("reschedule", "unassign", "hold_appointment", "delete_appointment",
                                               "assign", "create_appointment") and keys)
            if refused_words:
                out.append("\nNot now: ")
                out.append(refused_words)
        elif self.board.read_only_reason:
            out.append(f"\nActions: {self.board.read_only_reason}")
        return out

    def _legend(self) -> Text:
        out = Text(end="")
        for _name, (mark, words) in SIGNALS.items():
            out.append(f"{mark} ", "bold")
            out.append(words.split(":")[0].split(",")[0] + "  ")
        out.append("│ blocks coloured by status; ├─┤ arrival window; │ now; ◀ ▶ runs past the hours shown")
        return out

    # ------------------------------------------------------------------ navigation

    def action_lane(self, step: int) -> None:
        before = self.agenda_index if self.view == "agenda" else self.lane_index
        if self.tray_open:
            self.tray_index = max(0, min(self.tray_index + step, len(self.tray_items()) - 1))
        elif self.view == "agenda":
            self.agenda_index = max(0, min(self.agenda_index + step, len(self.agenda) - 1))
        elif not (abs(step) == 1 and self._step_sub_row(step)):
            self.lane_index = max(0, min(self.lane_index + step, len(self.lanes) - 1))
            self._skip_heading(step)
            self._select_near_time(step)
        after = self.agenda_index if self.view == "agenda" else self.lane_index
        self._repaint(lanes=None if self.tray_open else (before, after))

    def _anchor(self) -> datetime | None:
        """When the selected appointment starts (the time the cursor keeps when it moves up or down)."""
        if self.data is None or self._selected_id is None:
            return None
        return next((i.start for i in self.data.items if i.id == self._selected_id), None)

    def _step_sub_row(self, step: int) -> bool:
        """Day view, j/k: to the next/previous sub-row of the lane (the appointment there nearest in time);
        False at the lane's first/last sub-row (the cursor goes on to the next lane)."""
        lane = self.current_lane()
        if self.view != "day" or lane is None or lane.depth < 2 or not 0 <= self.item_index < len(lane.items):
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
        candidates = range(len(lane.items))
        if abs(step) == 1 and self.view == "day" and lane.depth > 1:
            slot = 0 if step > 0 else lane.depth - 1
            candidates = [n for n in candidates if lane.slots[n] == slot]
        if anchor is None:
            self.item_index = candidates[0]
            return
        self.item_index = min(candidates, key=lambda n: (_distance(lane.items[n], anchor), lane.slots[n], n))

    def action_across(self, step: int) -> None:
        before = self.agenda_index
        if self.tray_open:
            self.tray_tab = (self.tray_tab + step) % max(1, len(self.tray))
            self.tray_index = 0
        elif self.view == "week":
            self.day_offset = max(0, min(6, self.day_offset + step))
        elif self.view == "agenda":
            self.agenda_index = max(0, min(self.agenda_index + step, len(self.agenda) - 1))
        else:
            lane = self.current_lane()
            if lane is not None and lane.items:
                self.item_index = max(0, min(self.item_index + step, len(lane.items) - 1))
        if self.tray_open:
            self._repaint()
        else:
            self._repaint(lanes=(before, self.agenda_index) if self.view == "agenda" else (self.lane_index,))

    async def _go(self, day: date) -> None:
        self.day = day
        self.top = 0
        self.item_index = self.agenda_index = self.tray_index = 0
        self._selected_id = None
        await self._load()

    async def action_today(self) -> None:
        await self._go(self.today())

    async def action_period(self, step: int) -> None:
        assert self.day is not None
        await self._go(self.day + timedelta(days=7 * step if self.view == "week" else step))

    async def action_view(self, view: str) -> None:
        assert self.day is not None
        if view == self.view:
            return
        if self.view == "week" and view == "day":
            self.day = week_bounds(self.day, self.tz)[0] + timedelta(days=self.day_offset)
        elif view == "week":
            self.day_offset = self.day.weekday()
        self.view = view
        self.top = 0
        await self._load()

    def action_cycle_grouping(self) -> None:
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        self.top = 0
        self._layout()
        self.notify(f"Lanes grouped by {self.grouping}" if self.grouping != "none" else "Lanes not grouped",
                    markup=False)

    def action_filter(self) -> None:
        data = self.data
        if data is None:
            return
        choices = [Choice("", "All technicians")]
        teams = sorted({str(getattr(t, "team", "") or "") for t in data.technicians} - {""}, key=str.lower)
        choices += [Choice(f"team:{name}", name, "team") for name in teams]
        choices += [Choice(f"zone:{z.name}", str(z.name), "zone") for z in sorted(data.zones, key=lambda z: str(z.name))]

        def picked(answer: Any) -> None:
            value = str(answer.value)
            self.only = tuple(value.split(":", 1)) if value else None  # type: ignore[assignment]
            self.top = 0
            self._layout()

        self.app.push_screen(PickerScreen("Show the lanes of", choices),
                             lambda answer: picked(answer) if answer is not None else None)

    def action_tray(self) -> None:
        self.tray_open = not self.tray_open
        self._clamp()
        if self.tray_open:
            self.query_one(TrayPanel).focus()
        else:
            self.query_one(CalendarGrid).focus()
        self._repaint()

    def action_close_tray(self) -> None:
        if self.tray_open:
            self.action_tray()

    async def action_open(self) -> None:
        if self.view == "week" and not self.tray_open:
            await self.action_view("day")
            return
        item = self.selected_item()
        if item is not None:
            self.board.open_job(item.job_id)

    # ------------------------------------------------------------------ writes (through the outbox)

    def _target(self) -> Item:
        item = self.selected_item()
        assert item is not None  # check_action refuses every write without a selection
        name = f"appointment {clean(item.number or item.id)} ({clean(item.label)})"
        self.board.remember_name("appointment", item.id, name)
        self.board.remember_name("job", item.job_id, f"job {clean(item.job_number or item.job_id)}")
        return item

    def _ask(self, screen: Any, then: Any) -> None:
        ask(self.app, screen, then)

    def _send(self, *commands: d.Command) -> None:
        for command in commands:
            self.board.submit(command)

    def _queue(self, *commands: d.Command) -> Awaitable[str | None]:
        """Queue ``commands`` for a dialog's answer (the dialog stays open when they cannot be stored)."""
        return self.board.queue(*commands)

    def _times(self, item: Item) -> Times:
        start = item.start or self.now
        return Times(start, item.end or start + timedelta(hours=1), item.window_start, item.window_end)

    def _windows(self) -> list[Any]:
        """The cached arrival windows the times form offers (active ones, earliest first)."""
        return list(self.data.arrival_windows) if self.data is not None else []

    def action_reschedule(self) -> None:
        item = self._target()
        self._ask(TimesFormScreen(f"Reschedule {clean(item.label)}", self._times(item), self.tz, self._windows()),
                  lambda t: self._queue(d.RescheduleAppointment(item.id, t.start, t.end, t.window_start, t.window_end)))

    def _moved(self, item: Item, delta: timedelta) -> d.RescheduleAppointment:
        t = self._times(item)
        return d.RescheduleAppointment(item.id, t.start + delta, t.end + delta,
                                       t.window_start + delta if t.window_start else None,
                                       t.window_end + delta if t.window_end else None)

    def action_shift_time(self, minutes: int) -> None:
        self._send(self._moved(self._target(), timedelta(minutes=minutes)))

    def action_next_day(self) -> None:
        self._send(self._moved(self._target(), timedelta(days=1)))

    def _technicians(self, exclude: Sequence[int] = ()) -> list[Choice]:
        return [Choice(tid, name) for tid, name in self.board.named("technician") if tid not in exclude]

    def action_assign(self) -> None:
        item = self._target()
        self._ask(PickerScreen(f"Assign a technician to {clean(item.label)}", self._technicians(item.technician_ids)),
                  lambda picked: self._queue(d.AssignTechnicians(item.id, (int(picked.value),))))

    def _lane_technician(self, item: Item) -> int | None:
        lane = self.current_lane()
        if not self.tray_open and self.view == "day" and lane is not None and lane.technician_id in item.technician_ids:
            return lane.technician_id
        return item.technician_ids[0] if len(item.technician_ids) == 1 else None

    def _which_technician(self, item: Item, title: str, then: Any) -> None:
        current = self._lane_technician(item)
        if current is not None:
            then(current)
            return
        choices = [Choice(t, self.board.lookup_name("technician", t)) for t in item.technician_ids]
        # a question leading to another dialog, not a write: answered once it has closed
        self.app.push_screen(PickerScreen(title, choices), lambda picked: then(int(picked.value)) if picked else None)

    def action_reassign(self) -> None:
        item = self._target()

        def to_whom(old: int) -> None:
            self._ask(PickerScreen(f"Reassign {clean(item.label)} from {self.board.lookup_name('technician', old)} to",
                                   self._technicians(item.technician_ids)),
                      lambda picked: self._queue(d.AssignTechnicians(item.id, (int(picked.value),)),
                                                d.UnassignTechnicians(item.id, (old,))))

        self._which_technician(item, f"Reassign {clean(item.label)}: which technician?", to_whom)

    def action_unassign(self) -> None:
        item = self._target()

        def confirm(old: int) -> None:
            self._ask(ConfirmScreen("Unassign", f"Take {self.board.lookup_name('technician', old)} off "
                                                f"{clean(item.label)}?"),
                      lambda _yes: self._queue(d.UnassignTechnicians(item.id, (old,))))

        self._which_technician(item, f"Unassign from {clean(item.label)}: which technician?", confirm)

    def action_hold_appointment(self) -> None:
        item = self._target()
        reasons = [Choice(rid, name) for rid, name in self.board.named("hold_reason")]
        self._ask(PickerScreen(f"Hold {clean(item.label)}: why?", reasons, memo="Memo", memo_required=True),
                  lambda picked: self._queue(d.HoldAppointment(item.id, int(picked.value), picked.memo)))

    def action_remove_appointment_hold(self) -> None:
        item = self._target()
        self._ask(ConfirmScreen("Remove hold", f"Take {clean(item.label)} off hold?"),
                  lambda _yes: self._queue(d.RemoveAppointmentHold(item.id)))

    def action_confirm(self) -> None:
        self._send(d.ConfirmAppointment(self._target().id))

    def action_unconfirm(self) -> None:
        self._send(d.UnconfirmAppointment(self._target().id))

    def action_edit_instructions(self) -> None:
        item = self._target()
        self._ask(TextEntryScreen(f"Special instructions for {clean(item.label)}", initial=item.instructions,
                                  multiline=True),
                  lambda written: self._queue(d.SetSpecialInstructions(item.id, written.text)))

    def action_create_appointment(self) -> None:
        item = self._target()
        t = self._times(item)
        day = timedelta(days=1)
        proposed = Times(t.start + day, t.end + day, t.window_start + day if t.window_start else None,
                         t.window_end + day if t.window_end else None)
        self._ask(TimesFormScreen(f"New appointment for job {clean(item.job_number or item.job_id)}", proposed,
                                  self.tz, self._windows()),
                  lambda times: self._queue(d.CreateAppointment(item.job_id, times.start, times.end, times.window_start,
                                                               times.window_end, technician_ids=item.technician_ids)))

    def action_delete_appointment(self) -> None:
        item = self._target()
        self._ask(ConfirmScreen("Delete appointment", f"Delete appointment {clean(item.number)} of {clean(item.label)}?"),
                  lambda _yes: self._queue(d.DeleteAppointment(item.id)))
