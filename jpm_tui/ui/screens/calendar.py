"""The appointment calendar: technician lanes by day (time across), a week grid, an agenda list, and a tray of the
appointments still to deal with (unassigned, unconfirmed, on hold, canceled).

The screen holds what to show (view, day, grouping, filter), binds every key and keeps the pieces in step: the
period is read on the reader thread (``calendar_layout.load_calendar``) and laid out once per load or regrouping
(``calendar_layout.lay_out``); the keys move a ``CalendarCursor`` over that layout, and the screen tells the grid
(``widgets.calendar_grid``) which lines changed and opens or closes the tray (``widgets.calendar_tray``). The hour
axis starts from the company's cached business hours for that weekday (06-20 without) and covers the day's shifts
and appointments. Every write on the selected appointment goes through the outbox (``ui.writes``); what its state
forbids is refused up front with the reason on screen (``Workflow.appointment_refusals``); an action the backend
lacks (not in its workflow) has no key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Static

from ...provider import domain as d
from ..calendar_cursor import CalendarCursor
from ..calendar_layout import lay_out, load_calendar, period_bounds
from ..calendar_model import (
    GROUPINGS,
    SIGNALS,
    CalendarData,
    Item,
    item_signals,
    local_day,
    signal_words,
    week_bounds,
)
from ..format import local, when_time
from ..text import clean, plain
from ..widgets.calendar_grid import CalendarGrid, legend
from ..widgets.calendar_tray import CalendarTray
from ..writes import Writes
from .appointment_form import Times, TimesFormScreen
from .base import BoardScreen
from .modals import Choice, ConfirmScreen, Picked, PickerScreen, TextEntryScreen

__all__ = ["APPOINTMENT_ACTIONS", "CalendarScreen"]

AGENDA_BELOW = 100
"""Narrower than this (columns), the calendar opens on the agenda list."""

APPOINTMENT_ACTIONS = Binding.Group("Appointment")  # short, as NAVIGATION
_APPOINTMENT_ACTION_NAMES = frozenset({
    "reschedule", "shift_time", "next_day", "assign", "reassign", "unassign", "hold_appointment",
    "remove_appointment_hold", "confirm", "unconfirm", "edit_instructions", "create_appointment", "delete_appointment"})
"""The calendar's writes on the selected appointment (the actions of its APPOINTMENT_ACTIONS bindings)."""
NAVIGATION = Binding.Group("View")  # short: the 80-column footer must keep "? Help" whole


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
        self.cursor = CalendarCursor(lay_out(None, self.board.workflow, view="day", day=self.today(), tz=self.tz))
        """The selection, on the period's layout (``cursor.sheet``) the grid and the tray draw."""
        self.refusals: dict[str, str] | None = None
        self.loads = 0
        self.writes = Writes(self.board, _APPOINTMENT_ACTION_NAMES)

    # ------------------------------------------------------------------ composition and loading

    def compose_body(self) -> ComposeResult:
        board = self.board
        yield Static("", id="cal-title")
        with Horizontal(id="cal-body"):
            yield CalendarGrid(self.cursor, clock=board.clock, tz=board.tz, workflow=board.workflow,
                               technician_name=lambda tid: board.lookup_name("technician", tid), id="cal-grid")
            yield CalendarTray(self.cursor, clock=board.clock, tz=board.tz, workflow=board.workflow, id="cal-tray")
        yield Static("", id="cal-detail")
        yield Static("", id="cal-legend")

    @property
    def data(self) -> CalendarData | None:
        """The period as read (None while the first read runs)."""
        return self.cursor.sheet.data

    @property
    def now(self) -> datetime:
        return self.board.clock()

    @property
    def tz(self) -> tzinfo | None:
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
        return period_bounds(self.view, self.day, self.tz)

    async def _load(self) -> None:
        start, end = self.period()
        live = self.board.live
        read = await self.board.read_kept(load_calendar, self.board.source, start, end,
                                          live.outbox if live is not None else None)
        if read is None or not self._whole():  # the database gone (said); the screen being taken down
            return
        (data,) = read
        self.loads += 1
        self._layout(data)

    _PARTS = ("#cal-title", "#cal-grid", "#cal-tray", "#cal-detail", "#cal-legend")
    """What ``compose_body`` yields and a layout paints."""

    def _whole(self) -> bool:
        """Every part is still there: a screen taken down (the board quitting) loses them one by one, and a read
        that ends meanwhile must paint none (one missing title failed a layout as the app exited)."""
        return all(self.query(part) for part in self._PARTS)

    def _reload(self) -> None:
        load: Callable[[], Awaitable[None]] = self._load
        self.run_worker(load, exclusive=True, group="calendar-load")

    def _layout(self, data: CalendarData | None) -> None:
        """Lanes, rows, week cells, agenda and tray from ``data`` (once per load or regrouping)."""
        if data is None or self.day is None:
            return
        self.cursor.follow(lay_out(data, self.board.workflow, view=self.view, day=self.day, tz=self.tz,
                                   grouping=self.grouping, only=self.only))
        self._repaint()

    # ------------------------------------------------------------------ selection and repainting

    def select_appointment(self, appointment_id: int) -> bool:
        """Put the cursor on an appointment of the period (closing the tray); False when it is not shown."""
        shown = self.cursor.select(appointment_id)
        self._repaint()
        return shown

    def _repaint(self, *, styles: bool = False, lanes: tuple[int, ...] | None = None) -> None:
        """After the cursor moved or the data changed: refusals, the visible window, the panels.

        ``lanes``: only these lanes' lines changed (a cursor move that did not scroll)."""
        cursor = self.cursor
        item = cursor.remember()
        refusals = self.board.workflow.appointment_refusals(
            item, writable=self.board.read_only_reason, has_hold_reasons=bool(self.board.named("hold_reason")),
            has_technicians=bool(self.board.named("technician")))
        bindings_changed = self.refusals is None or set(refusals) != set(self.refusals)
        self.refusals = refusals
        if cursor.rows_changed():
            lanes = None
        top = cursor.top
        grid = self.query_one(CalendarGrid)
        cursor.scroll_into_view(grid.body_height)
        if lanes is not None and top == cursor.top and not styles and self.view != "agenda":
            grid.repaint_lanes(lanes, top)
        elif lanes is not None and top == cursor.top and self.view == "agenda":
            grid.forget_rows(n - top + 1 for n in lanes)
        else:
            grid.forget(styles=styles)
        tray = self.query_one(CalendarTray)
        tray.shown = cursor.tray_open
        if cursor.tray_open:
            tray.styles.width = "100%" if self.app.size.width < AGENDA_BELOW else 56
            tray.refresh()
        self._update("#cal-title", self._title())
        self._update("#cal-detail", self._detail())
        self._update("#cal-legend", legend(self.board.workflow))
        if bindings_changed:
            self.refresh_bindings()

    def _update(self, selector: str, text: Text) -> None:
        widget = self.query_one(selector, Static)
        key = (text.plain, tuple(text.spans))
        if getattr(widget, "_shown_key", None) != key:
            widget._shown_key = key  # type: ignore[attr-defined]  # what it shows, so an equal text is not sent again
            widget.update(text)

    def on_resize(self) -> None:
        self.call_after_refresh(self._repaint)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_tray":
            return self.cursor.tray_open
        return self.writes.check(action, self.refusals)

    # ------------------------------------------------------------------ the lines around the grid

    def _title(self) -> Text:
        """The long title, or the short one when the long does not fit: the counts stay in sight at 80 columns."""
        title = self._title_in(short=False)
        room = self.query_one("#cal-title").content_size.width
        return title if title.cell_len <= room else self._title_in(short=True)

    def _title_in(self, *, short: bool) -> Text:
        assert self.day is not None
        out = Text(end="")
        view = {"day": "Day", "week": "Week", "agenda": "Agenda"}[self.view]
        out.append(f"{view} · " if short else f"Calendar · {view} · ", "bold")
        if self.view == "week":
            monday = week_bounds(self.day, self.tz)[0]
            out.append(f"{monday:%d %b} – {monday + timedelta(days=6):%d %b}" if short else
                       f"{monday:%a %d %b} – {monday + timedelta(days=6):%a %d %b %Y}")
        else:
            out.append(f"{self.day:%a %d %b}" if short else f"{self.day:%A %d %B %Y}")
        if self.day == self.today():
            out.append(" (today)")
        sheet = self.cursor.sheet
        technicians = sum(1 for lane in sheet.lanes if lane.technician_id is not None)
        count = len([i for i in self.data.items if not i.deleted]) if self.data else 0
        out.append(f" · {technicians} technicians · {count} appointments")
        if self.grouping != "none":
            out.append(f" · by {self.grouping}")
        if self.only is not None:
            out.append(" · only ")
            out.append_text(plain(self.only[1]))
        if self.view != "agenda" and sheet.rows:
            top, height = self.cursor.top, self.query_one(CalendarGrid).body_height
            out.append(f" · rows {top + 1}–{min(len(sheet.rows), top + height)} of {len(sheet.rows)}")
        return out

    def _detail(self) -> Text:
        out = Text(end="", no_wrap=True, overflow="ellipsis")
        item = self.cursor.selected_item()
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
        # "no time" and "unassigned", not EMPTY: each is something the dispatcher still has to do, not a missing value
        out.append(f"  {local(item.start, tz):%a %d %b %H:%M}–{when_time(item.end, tz)}" if item.start else "  no time")
        if item.window_start:
            out.append(f"  arrive {when_time(item.window_start, tz)}–{when_time(item.window_end, tz)}")
        status = clean(self.board.workflow.appointment_status_label(item.status))
        out.append(f"  {status}{' · confirmed' if item.confirmed else ''}")
        workflow = self.board.workflow
        if item.priority and len(workflow.priorities) > 1:  # a backend with one level tells nothing apart
            priority = workflow.priority(item.priority)
            out.append_text(plain(f" · {priority.label if priority else item.priority} priority"))
        techs = ", ".join(self.board.lookup_name("technician", t) for t in item.technician_ids) or "unassigned"
        out.append("  ")
        out.append_text(plain(techs))
        signals = item_signals(item, self.now, workflow) - {"hold"}  # the hold is its status, said above
        words = [signal_words(name, workflow) for name in SIGNALS if name in signals]
        if words:
            out.append("  · " + "; ".join(words))
        refused = [(a, why) for a, why in (self.refusals or {}).items()]
        if refused and not self.board.read_only_reason:
            names = {b.action: b.description for b in self.BINDINGS if isinstance(b, Binding)}
            refused_words = "; ".join(f"{names.get(a, a)}: {why}" for a, why in refused
                                      if a in ("reschedule", "unassign", "hold_appointment", "delete_appointment",
                                               "assign", "create_appointment")
                                      and self.board.workflow.supports(a))  # not one the backend lacks
            if refused_words:
                out.append("\nNot now: ")
                out.append(refused_words)
        elif self.board.read_only_reason:
            out.append(f"\nActions: {self.board.read_only_reason}")
        return out


    # ------------------------------------------------------------------ navigation

    def action_lane(self, step: int) -> None:
        self._repaint(lanes=self.cursor.down(step))

    def action_across(self, step: int) -> None:
        self._repaint(lanes=self.cursor.across(step))

    async def _go(self, day: date) -> None:
        self.day = day
        self.cursor.restart()
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
            self.day = week_bounds(self.day, self.tz)[0] + timedelta(days=self.cursor.day_offset)
        elif view == "week":
            self.cursor.day_offset = self.day.weekday()
        self.view = view
        self.cursor.top = 0
        await self._load()

    def _regroup(self) -> None:
        self.cursor.top = 0
        self._layout(self.data)

    def action_cycle_grouping(self) -> None:
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        self._regroup()
        self.notify(f"Lanes grouped by {self.grouping}" if self.grouping != "none" else "Lanes not grouped",
                    markup=False)

    def action_filter(self) -> None:
        data = self.data
        if data is None:
            return
        choices = [Choice("", "All technicians")]
        teams = sorted({str(getattr(t, "team", "") or "") for t in data.technicians} - {""}, key=str.lower)
        choices += [Choice(f"team:{name}", name, "team") for name in teams]
        zones = sorted(data.zones, key=lambda z: str(z.name))
        choices += [Choice(f"zone:{z.name}", str(z.name), "zone") for z in zones]

        def picked(answer: Picked | None) -> None:
            if answer is None:
                return
            kind, _colon, name = str(answer.value).partition(":")
            self.only = (kind, name) if answer.value else None
            self._regroup()

        self.app.push_screen(PickerScreen("Show the lanes of", choices), picked)

    def action_tray(self) -> None:
        cursor = self.cursor
        cursor.tray_open = not cursor.tray_open
        cursor.clamp()
        if cursor.tray_open:
            self.query_one(CalendarTray).focus()
        else:
            self.query_one(CalendarGrid).focus()
        self._repaint()

    def action_close_tray(self) -> None:
        if self.cursor.tray_open:
            self.action_tray()

    async def action_open(self) -> None:
        if self.view == "week" and not self.cursor.tray_open:
            await self.action_view("day")
            return
        item = self.cursor.selected_item()
        if item is not None:
            self.board.open_job(item.job_id)

    # ------------------------------------------------------------------ writes (through the outbox)

    def _target(self) -> Item:
        item = self.cursor.selected_item()
        assert item is not None  # check_action refuses every write without a selection
        name = f"appointment {clean(item.number or item.id)} ({clean(item.label)})"
        self.board.remember_name("appointment", item.id, name)
        self.board.remember_name("job", item.job_id, f"job {clean(item.job_number or item.job_id)}")
        return item

    def _times(self, item: Item) -> Times:
        start = item.start or self.now
        return Times(start, item.end or start + timedelta(hours=1), item.window_start, item.window_end)

    def _windows(self) -> list[d.ArrivalWindow]:
        """The cached arrival windows the times form offers (active ones, earliest first)."""
        return list(self.data.arrival_windows) if self.data is not None else []

    def action_reschedule(self) -> None:
        item = self._target()
        self.writes.ask(TimesFormScreen(f"Reschedule {clean(item.label)}", self._times(item), self.tz, self._windows()),
                        lambda t: d.RescheduleAppointment(item.id, t.start, t.end, t.window_start, t.window_end))

    def _moved(self, item: Item, delta: timedelta) -> d.RescheduleAppointment:
        t = self._times(item)
        return d.RescheduleAppointment(item.id, t.start + delta, t.end + delta,
                                       t.window_start + delta if t.window_start else None,
                                       t.window_end + delta if t.window_end else None)

    def action_shift_time(self, minutes: int) -> None:
        self.writes.send(self._moved(self._target(), timedelta(minutes=minutes)))

    def action_next_day(self) -> None:
        self.writes.send(self._moved(self._target(), timedelta(days=1)))

    def action_assign(self) -> None:
        item = self._target()
        self.writes.ask(PickerScreen(f"Assign a technician to {clean(item.label)}",
                                     self.writes.choices("technician", exclude=item.technician_ids)),
                        lambda picked: d.AssignTechnicians(item.id, (int(picked.value),)))

    def _lane_technician(self, item: Item) -> int | None:
        lane = self.cursor.current_lane()
        if (not self.cursor.tray_open and self.view == "day" and lane is not None
                and lane.technician_id in item.technician_ids):
            return lane.technician_id
        return item.technician_ids[0] if len(item.technician_ids) == 1 else None

    def _which_technician(self, item: Item, title: str, then: Callable[[int], None]) -> None:
        current = self._lane_technician(item)
        if current is not None:
            then(current)
            return
        choices = [Choice(t, self.board.lookup_name("technician", t)) for t in item.technician_ids]

        def picked(answer: Picked | None) -> None:
            if answer is not None:
                then(int(answer.value))

        # a question leading to another dialog, not a write: answered once it has closed
        self.app.push_screen(PickerScreen(title, choices), picked)

    def action_reassign(self) -> None:
        item = self._target()

        def to_whom(old: int) -> None:
            self.writes.ask(PickerScreen(f"Reassign {clean(item.label)} from "
                                         f"{self.board.lookup_name('technician', old)} to",
                                         self.writes.choices("technician", exclude=item.technician_ids)),
                            lambda picked: (d.AssignTechnicians(item.id, (int(picked.value),)),
                                            d.UnassignTechnicians(item.id, (old,))))

        self._which_technician(item, f"Reassign {clean(item.label)}: which technician?", to_whom)

    def action_unassign(self) -> None:
        item = self._target()

        def confirm(old: int) -> None:
            self.writes.ask(ConfirmScreen("Unassign", f"Take {self.board.lookup_name('technician', old)} off "
                                                      f"{clean(item.label)}?"),
                            lambda _yes: d.UnassignTechnicians(item.id, (old,)))

        self._which_technician(item, f"Unassign from {clean(item.label)}: which technician?", confirm)

    def action_hold_appointment(self) -> None:
        item = self._target()
        self.writes.ask(PickerScreen(f"Hold {clean(item.label)}: why?", self.writes.choices("hold_reason"), memo="Memo",
                                     memo_required=True),
                        lambda picked: d.HoldAppointment(item.id, int(picked.value), picked.memo))

    def action_remove_appointment_hold(self) -> None:
        item = self._target()
        self.writes.ask(ConfirmScreen("Remove hold", f"Take {clean(item.label)} off hold?"),
                        lambda _yes: d.RemoveAppointmentHold(item.id))

    def action_confirm(self) -> None:
        self.writes.send(d.ConfirmAppointment(self._target().id))

    def action_unconfirm(self) -> None:
        self.writes.send(d.UnconfirmAppointment(self._target().id))

    def action_edit_instructions(self) -> None:
        item = self._target()
        self.writes.ask(TextEntryScreen(f"Special instructions for {clean(item.label)}", initial=item.instructions,
                                        multiline=True),
                        lambda written: d.SetSpecialInstructions(item.id, written.text))

    def action_create_appointment(self) -> None:
        item = self._target()
        t = self._times(item)
        day = timedelta(days=1)
        proposed = Times(t.start + day, t.end + day, t.window_start + day if t.window_start else None,
                         t.window_end + day if t.window_end else None)
        self.writes.ask(TimesFormScreen(f"New appointment for job {clean(item.job_number or item.job_id)}", proposed,
                                        self.tz, self._windows()),
                        lambda times: d.CreateAppointment(item.job_id, times.start, times.end, times.window_start,
                                                          times.window_end, technician_ids=item.technician_ids))

    def action_delete_appointment(self) -> None:
        item = self._target()
        self.writes.ask(ConfirmScreen("Delete appointment",
                                      f"Delete appointment {clean(item.number)} of {clean(item.label)}?"),
                        lambda _yes: d.DeleteAppointment(item.id))
