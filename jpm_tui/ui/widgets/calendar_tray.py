"""The calendar's tray: tabs of the period's appointments still to deal with (the workflow's sections: unassigned,
unconfirmed, on hold, canceled), one line each. It binds no keys: the calendar screen moves the cursor over it
(``CalendarCursor.tray_*``) and opens or closes it (``shown``)."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, ClassVar

from rich.segment import Segment
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from ...provider.workflow import Workflow
from ..calendar_cursor import CalendarCursor
from ..calendar_model import item_signals, marks
from ..css import widget_css
from ..format import Clock, local
from ..text import clean
from .calendar_grid import fit

__all__ = ["CalendarTray"]


class CalendarTray(Widget, can_focus=True):
    """Tab titles with their counts, a line of key hints, then the current tab's appointments."""

    DEFAULT_CSS = widget_css(__file__)
    COMPONENT_CLASSES: ClassVar[set[str]] = {"tray--tab", "tray--tab-current", "tray--cursor", "tray--muted"}

    shown: reactive[bool] = reactive(False)
    """Open (beside the grid, or over it when narrow) or closed."""

    def __init__(self, cursor: CalendarCursor, *, clock: Clock, tz: tzinfo | None, workflow: Workflow,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cursor = cursor
        self.clock = clock
        self.tz = tz
        self.workflow = workflow

    def watch_shown(self, shown: bool) -> None:
        self.display = shown

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        cursor, tray = self.cursor, self.cursor.sheet.tray
        muted = self.get_component_rich_style("tray--muted", partial=False)
        plain_style = self.rich_style
        if y == 0:
            segments: list[Segment] = []
            used = 0
            for n, name in enumerate(tray):
                words = f" {name} {len(tray[name])} "
                style = self.get_component_rich_style("tray--tab-current" if n == cursor.tray_tab else "tray--tab",
                                                      partial=False)
                segments.append(Segment(words, style))
                used += len(words)
            line = Strip(segments).crop(0, width)
            return line.extend_cell_length(width, plain_style) if used < width else line
        if y == 1:
            return Strip([Segment(fit(" h/l tabs · j/k move · Esc close", width), muted)], width)
        items = cursor.tray_items()
        height = self.size.height - 2
        first = max(0, cursor.tray_index - height + 1)
        index = first + y - 2
        if index >= len(items):
            if index == 0:
                return Strip([Segment(fit(" Nothing here for this period.", width), muted)], width)
            return Strip.blank(width, plain_style)
        item = items[index]
        when = local(item.start, self.tz).strftime("%a %H:%M") if item.start else "--"
        text = fit(clean(f" {when} {marks(item_signals(item, self.clock(), self.workflow))} {item.label}"), width)
        style = self.get_component_rich_style("tray--cursor", partial=False) if index == cursor.tray_index else plain_style
        return Strip([Segment(text, style)], width)
