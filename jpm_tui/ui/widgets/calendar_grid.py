"""The calendar's grid: technician lanes by day (time across), the week's cells, or the agenda list.

Only the visible lines are drawn (``render_line``), from the layout the cursor is on (``CalendarCursor.sheet``), and
each drawn line is kept until the screen says which changed, so a day of 200 technicians and 2,000 appointments
moves as fast as a small one. Appointments that overlap in a lane are on sub-rows; a lane the cursor is not on
shows at most ``STACK_SHOWN`` of them and counts the rest ("+N more"). What runs past the hour axis is clipped
and marked ◀ ▶. The grid binds no keys: the calendar screen moves the cursor and tells the grid what to repaint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from ...provider.workflow import Workflow
from ..calendar_cursor import CalendarCursor
from ..calendar_model import (
    BLOCK_CLASSES,
    SIGNALS,
    Lane,
    backend_signals,
    block_class,
    booked_hours,
    item_signals,
    marks,
    overlap_hours,
    place,
    signal_words,
    span_columns,
    working_hours,
)
from ..css import widget_css
from ..format import Clock, local
from ..text import clean

__all__ = ["CalendarGrid", "Painter", "fit", "hm", "legend"]


def fit(text: str, width: int) -> str:
    """``text`` cut (with an ellipsis) or padded to ``width`` characters."""
    if width <= 0:
        return ""
    return text[:width - 1] + "…" if len(text) > width else text.ljust(width)


def hm(value: datetime | None, tz: tzinfo | None) -> str:
    return local(value, tz).strftime("%H:%M") if value is not None else "--:--"


def legend(workflow: Workflow) -> Text:
    """What the grid's marks mean (the line under the calendar), those the backend has (``backend_signals``, and
    the arrival window's bar where it has windows). The bars first: the line is cut at the screen's width, and a
    bar under a lane reads as the job's length or the lane's booked hours unless it says otherwise."""
    out = Text(end="")
    if workflow.capabilities.arrival_windows:
        out.append("├─┤", "bold")
        out.append(" arrival window (under a lane)  ")
    out.append("│", "bold")
    out.append(" now  ")
    out.append("◀ ▶", "bold")
    out.append(" past the hours shown  │ ")
    for name in backend_signals(workflow):
        out.append(f"{SIGNALS[name][0]} ", "bold")
        out.append(signal_words(name, workflow).split(":")[0].split(",")[0] + "  ")
    out.rstrip()
    return out


def _label(painter: Painter, lo: int, text: str, hi: int) -> None:
    """A block's words in columns [lo, hi), with "…" where they are cut."""
    if hi > lo:
        painter.text(lo, fit(text, hi - lo).rstrip())


class Painter:
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
    """Draws the cursor's layout line by line: the day or week view's header and lanes, or the agenda."""

    DEFAULT_CSS = widget_css(__file__)
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "calendar--header", "calendar--label", "calendar--label-cursor", "calendar--heading",
        "calendar--on-shift", "calendar--off-shift", "calendar--window", "calendar--now", "calendar--cursor",
        "calendar--late", "calendar--over", "calendar--pending", "calendar--muted", "calendar--marks",
        *BLOCK_CLASSES,
    }

    def __init__(self, cursor: CalendarCursor, *, clock: Clock, tz: tzinfo | None, workflow: Workflow,
                 technician_name: Callable[[int], str], **kwargs: Any) -> None:
        """``cursor``: what to draw and where the cursor is (the screen moves it); ``technician_name``: the name
        the agenda shows for a technician id."""
        super().__init__(**kwargs)
        self.cursor = cursor
        self.clock = clock
        self.tz = tz
        self.workflow = workflow
        self.technician_name = technician_name
        self._styles: dict[str, Style] = {}
        self._lines: dict[tuple[int, int], Strip] = {}

    # ------------------------------------------------------------------ repainting

    @property
    def body_height(self) -> int:
        """Rows of lanes (or agenda lines) on screen: all but the header."""
        return max(1, self.size.height - 1)

    def style_of(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name, partial=False)
        return style

    def repaint_lanes(self, lanes: Iterable[int], top: int) -> None:
        """Only these lanes' lines changed (a cursor move that did not scroll from ``top``)."""
        lane_rows = self.cursor.sheet.lane_rows
        self.forget_rows(n - top + 1 for index in set(lanes) if 0 <= index < len(lane_rows)
                         for n in range(lane_rows[index][0], sum(lane_rows[index])))

    def forget_rows(self, ys: Iterable[int]) -> None:
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
            line = self._lines[key] = self._draw_line(y, width)
        return line

    # ------------------------------------------------------------------ drawing

    def _draw_line(self, y: int, width: int) -> Strip:
        sheet = self.cursor.sheet
        if sheet.data is None:
            return Strip([Segment(fit("Loading…" if y == 0 else "", width), self.style_of("calendar--muted"))], width)
        if sheet.view == "agenda":
            return self._agenda_line(y, width)
        if y == 0:
            return self._header_line(width)
        row = self.cursor.top + y - 1
        if row >= len(sheet.rows):
            if row == len(sheet.rows) and not sheet.lanes:
                return Strip([Segment(fit("No technicians in this filter.", width), self.style_of("calendar--muted"))],
                             width)
            return Strip.blank(width, self.style_of("calendar--off-shift"))
        lane_index, line = sheet.rows[row]
        lane = sheet.lanes[lane_index]
        if lane.heading:
            return Strip([Segment(fit(f"── {lane.title} ", width), self.style_of("calendar--heading"))], width)
        if sheet.view == "week":
            return self._week_line(lane_index, lane, width)
        return self._day_line(lane_index, lane, line, width)

    @staticmethod
    def _label_width(width: int) -> int:
        return 22 if width >= 110 else 16

    def _header_line(self, width: int) -> Strip:
        sheet = self.cursor.sheet
        label_width = self._label_width(width)
        header = self.style_of("calendar--header")
        painter = Painter(width, header)
        if sheet.view == "week":
            monday = sheet.monday
            today = local(self.clock(), self.tz).date()
            painter.text(0, fit(f"Week of {monday:%d %b}", label_width))
            cell = max(1, (width - label_width) // 7)
            for n in range(7):
                day = monday + timedelta(days=n)
                style = self.style_of("calendar--now") if day == today else header
                painter.text(label_width + n * cell, fit(f"{day:%a %d}", cell), style)
            return painter.strip()
        painter.text(0, fit(f"{sheet.day:%a %d %b}", label_width))
        first, last = sheet.hours
        timeline = width - label_width
        per_hour = timeline / max(1, last - first)
        origin = sheet.origin
        for hour in range(first, last):
            x = label_width + int((hour - first) * per_hour)
            if per_hour >= 4 or hour % 2 == 0:  # the local hour (a DST day has 23 or 25 of them)
                shown = local(origin + timedelta(hours=hour - first), self.tz).hour
                painter.text(x, f"{shown:02d}", limit=width)
        now_x = self._now_column(width)
        if now_x is not None:
            # on an hour's label the mark colours its digit rather than hiding it ("▼0" read as a wrong hour)
            mark = "▼" if now_x >= len(painter.chars) or painter.chars[now_x] == " " else None
            painter.fill(now_x, now_x + 1, self.style_of("calendar--now"), mark)
        return painter.strip()

    def _now_column(self, width: int) -> int | None:
        sheet = self.cursor.sheet
        label_width = self._label_width(width)
        now = self.clock()
        span = span_columns(now, now + timedelta(seconds=1), sheet.origin, sheet.hours[1] - sheet.hours[0],
                            width - label_width)
        return label_width + span[0] if span is not None else None

    def _day_line(self, lane_index: int, lane: Lane, line: int, width: int) -> Strip:
        """Line ``line`` of a day lane: sub-row ``line`` of its appointments (the first also names the lane),
        or, after the last sub-row shown, the summary line (booked hours, arrival windows)."""
        cursor, sheet, workflow = self.cursor, self.cursor.sheet, self.workflow
        label_width = self._label_width(width)
        timeline = width - label_width
        origin, hours = sheet.origin, sheet.hours[1] - sheet.hours[0]
        on_cursor = lane_index == cursor.lane_index and not cursor.tray_open
        off = self.style_of("calendar--off-shift")
        painter = Painter(width, off)
        start, end = sheet.period
        if lane.is_unassigned:
            painter.fill(label_width, width, self.style_of("calendar--on-shift"))
        for shift_start, shift_end in lane.shifts:
            span = span_columns(shift_start, shift_end, origin, hours, timeline)
            if span is not None:
                painter.fill(label_width + span[0], label_width + span[1], self.style_of("calendar--on-shift"))
        label_style = self.style_of("calendar--label-cursor" if on_cursor else "calendar--label")
        shown = sheet.shown_depth(lane_index, cursor.lane_index)
        if line < shown:
            hidden = lane.hidden(shown) if line == shown - 1 else 0
            if line == 0:
                painter.text(0, fit(clean(lane.title), label_width - 1), label_style)
            elif hidden:
                painter.text(0, fit(f" +{hidden} more", label_width - 1), self.style_of("calendar--marks"))
            else:
                painter.fill(0, label_width - 1, label_style)
            painter.fill(label_width - 1, label_width, label_style)
            now_x = self._now_column(width)
            if now_x is not None:
                painter.fill(now_x, now_x + 1, self.style_of("calendar--now"), "│")
            now = self.clock()
            placed = [(index, spot) for index, item in enumerate(lane.items) if lane.slots[index] == line
                      for spot in (place(item.start, item.end, origin, hours, timeline),) if spot is not None]
            starts = sorted(spot[0] for _index, spot in placed)
            for index, spot in placed:
                item = lane.items[index]
                lo, hi = label_width + spot[0], label_width + spot[1]
                # another block starts right where this one ends: keep a blank column between their words
                abutted = hi - lo >= 3 and spot[1] in starts
                signals = item_signals(item, now, workflow)
                if on_cursor and index == cursor.item_index:
                    style = self.style_of("calendar--cursor")
                elif "late" in signals:
                    style = self.style_of("calendar--late")
                elif "over" in signals:
                    style = self.style_of("calendar--over")
                else:
                    style = self.style_of(block_class(item, workflow))
                painter.fill(lo, hi, style, " ")
                text = clean(marks(signals) + item.label)
                if spot[2]:  # starts before the axis (or is entirely before it)
                    text = "◀" + text
                # a label cut short ends in "…", so it does not read on into the next block's
                if spot[3]:  # ends after the axis
                    _label(painter, lo, text, hi - 1)
                    painter.fill(hi - 1, hi, style, "▶")
                else:
                    _label(painter, lo, text, hi - 1 if abutted else hi)
        else:
            booked = booked_hours(lane, start, end)
            if lane.is_unassigned:
                words = f" {len(lane.items)} appt · {booked:.1f}h"
            else:
                work = working_hours(lane, start, end)
                wide = label_width >= 20
                if work:
                    words = f" {booked:.1f}/{work:.1f}h booked" if wide else f" {booked:.1f}/{work:.0f}h"
                elif workflow.capabilities.shifts:
                    words = f" {booked:.1f}h · no shift" if wide else f" {booked:.1f}h no shift"
                else:  # a backend without shifts: saying "no shift" would read as a day off
                    words = f" {booked:.1f}h booked" if wide else f" {booked:.1f}h"
            painter.text(0, fit(words, label_width - 1), self.style_of("calendar--muted"))
            painter.fill(label_width - 1, label_width, self.style_of("calendar--muted"))
            window_style = self.style_of("calendar--window")
            # the selected appointment's window last, so it is whole where windows overlap
            order = list(range(len(lane.items)))
            if on_cursor and 0 <= cursor.item_index < len(order):
                order.append(order.pop(cursor.item_index))
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

    def _week_line(self, lane_index: int, lane: Lane, width: int) -> Strip:
        cursor, sheet, workflow = self.cursor, self.cursor.sheet, self.workflow
        label_width = self._label_width(width)
        on_cursor = lane_index == cursor.lane_index and not cursor.tray_open
        painter = Painter(width, self.style_of("calendar--on-shift"))
        painter.text(0, fit(clean(lane.title), label_width - 1),
                     self.style_of("calendar--label-cursor" if on_cursor else "calendar--label"))
        painter.fill(label_width - 1, label_width, self.style_of("calendar--label"))
        cell = max(1, (width - label_width) // 7)
        now = self.clock()
        for n in range(7):
            items = sheet.week_cells.get((lane_index, n), [])
            x = label_width + n * cell
            if on_cursor and n == cursor.day_offset:
                style = self.style_of("calendar--cursor")
            elif any("late" in item_signals(i, now, workflow) for i in items):
                style = self.style_of("calendar--late")
            elif items:
                style = self.style_of(block_class(items[0], workflow))
            else:
                style = self.style_of("calendar--muted")
            day_start, day_end = sheet.week_days[n] if n < len(sheet.week_days) else (datetime.min, datetime.max)
            hours = sum(overlap_hours(i, day_start, day_end) for i in items)
            signals: set[str] = set().union(*(item_signals(i, now, workflow) for i in items)) if items else set()
            text = f"{len(items)}·{hours:.1f}h {marks(signals)}" if items else "·"
            painter.fill(x, x + cell - 1, style, " ")
            painter.text(x, text, limit=x + cell - 1)
        return painter.strip()

    def _agenda_line(self, y: int, width: int) -> Strip:
        cursor, sheet = self.cursor, self.cursor.sheet
        header = self.style_of("calendar--header")
        if y == 0:
            painter = Painter(width, header)
            arrival = "Arrival      " if self.workflow.capabilities.arrival_windows else ""
            painter.text(0, fit(f"    Time         {arrival}Status     Job · customer · technicians", width))
            return painter.strip()
        index = cursor.top + y - 1
        if index >= len(sheet.agenda):
            if index == 0:
                return Strip([Segment(fit("No appointments this day.", width), self.style_of("calendar--muted"))],
                             width)
            return Strip.blank(width, self.style_of("calendar--off-shift"))
        item = sheet.agenda[index]
        tz = self.tz
        signals = item_signals(item, self.clock(), self.workflow)
        selected = index == cursor.agenda_index and not cursor.tray_open
        base = self.style_of("calendar--cursor") if selected else self.style_of("calendar--off-shift")
        painter = Painter(width, base)
        status_style = base if selected else self.style_of(block_class(item, self.workflow))
        if "late" in signals and not selected:
            status_style = self.style_of("calendar--late")
        techs = ", ".join(self.technician_name(t) for t in item.technician_ids) or "unassigned"
        painter.text(0, f"{marks(signals):>3} ", base if selected else self.style_of("calendar--marks"))
        painter.text(4, f"{hm(item.start, tz)}–{hm(item.end, tz)} ")
        x = 16
        if self.workflow.capabilities.arrival_windows:  # else no column: a backend without windows leaves it empty
            window = f"{hm(item.window_start, tz)}–{hm(item.window_end, tz)}" if item.window_start else " " * 11
            painter.text(x, window + " ", base if selected else self.style_of("calendar--window"))
            x += 13
        status = f"{clean(self.workflow.appointment_status_label(item.status)):<10}"
        rest = clean(f"{item.label} · {techs}")
        painter.text(x, status, status_style)
        painter.text(x + 11, rest, limit=width)
        return painter.strip()
