"""The appointment times form: start, end and arrival window, typed as local date and time.

Used by the calendar to reschedule and to create an appointment. Returns ``Times`` (UTC datetimes) through
``dismiss``, or None when backed out. When the company's arrival windows are cached, the form lists them and
Ctrl+O fills the arrival window with the next one (on the start's local day); the fields stay free text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Label, Static

from ..format import local
from ..text import plain
from .modals import _Dialog

__all__ = ["Times", "TimesFormScreen", "parse_local", "window_times"]

FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class Times:
    start: datetime
    end: datetime
    window_start: datetime | None = None
    window_end: datetime | None = None


def _zone(tz: tzinfo | None) -> tzinfo:
    return tz or datetime.now().astimezone().tzinfo or UTC


def parse_local(text: str, tz: tzinfo | None, *, day: datetime | None = None,
                after: datetime | None = None) -> datetime:
    """'2025-05-14 09:30', or '09:30' on ``day``'s date (local), as an aware UTC datetime. With ``after``
    instead of ``day``, '09:30' is the first such time after it: an end of 00:30 after a 22:00 start is the
    next day's (overnight work), not an end before the start."""
    text = " ".join(text.split())
    bare = len(text) <= 5 and ":" in text
    base = after if after is not None else day
    if base is not None and bare:
        text = f"{local(base, tz).strftime('%Y-%m-%d')} {text}"
    value = datetime.strptime(text, FORMAT).replace(tzinfo=_zone(tz))
    if after is not None and bare and value <= after:
        value += timedelta(days=1)  # the same wall-clock time a day later, whatever the zone's offset does
    return value.astimezone(UTC)


def _shown(value: datetime | None, tz: tzinfo | None, fmt: str = FORMAT) -> str:
    return local(value, tz).strftime(fmt) if value is not None else ""


def window_times(window: Any, day: datetime, tz: tzinfo | None) -> tuple[datetime, datetime]:
    """An arrival window (``domain.ArrivalWindow``: minutes after local midnight) on ``day``'s local date, as
    aware UTC datetimes."""
    midnight = local(day, tz).replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight + timedelta(minutes=window.start_minutes)
    end = midnight + timedelta(minutes=window.end_minutes)
    return start.astimezone(UTC), end.astimezone(UTC)


class TimesFormScreen(_Dialog):
    """Four fields; Enter in the last one (or Ctrl+S anywhere) sends. With cached arrival windows (``windows``),
    Ctrl+O puts the next one in the arrival window fields."""

    # as edit_form.py: mypy reads the base dialog's str as the type, where Textual accepts a list too
    CSS_PATH: ClassVar[list[str]] = ["modals.tcss", "appointment_form.tcss"]  # type: ignore[assignment]
    HELP_TITLE = "Appointment times"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="send"),
        Binding("ctrl+o", "next_window", "Next arrival window", id="next_arrival_window"),
    ]

    def __init__(self, title: str, times: Times, tz: tzinfo | None, windows: Sequence[Any] = ()) -> None:
        hint = "Tab next field · Enter/Ctrl+S send · Esc cancel · times are local, HH:MM"
        if windows:
            hint += " · Ctrl+O next arrival window"
        super().__init__(title, hint)
        self.times = times
        self.tz = tz
        self.windows = list(windows)
        self.window_index = -1
        """The window last filled in (-1: none yet)."""

    def compose_dialog(self) -> ComposeResult:
        t, tz = self.times, self.tz
        yield Label(plain("Start (YYYY-MM-DD HH:MM)"), classes="dialog-label")
        yield Input(_shown(t.start, tz), id="form-start")
        yield Label(plain("End (YYYY-MM-DD HH:MM, or HH:MM on the start's day)"), classes="dialog-label")
        yield Input(_shown(t.end, tz), id="form-end")
        yield Label(plain("Arrival window from / to (as above; empty for none)"), classes="dialog-label")
        yield Input(_shown(t.window_start, tz), id="form-window-start")
        yield Input(_shown(t.window_end, tz), id="form-window-end")
        if self.windows:
            yield Static(self._windows_text(), id="form-windows")
        yield Static("", id="dialog-error")

    def _windows_text(self) -> Any:
        labels = [f"[{w.label}]" if i == self.window_index else w.label for i, w in enumerate(self.windows)]
        return plain("Arrival windows (Ctrl+O): " + " · ".join(labels))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_window":
            return bool(self.windows)
        return True

    def action_next_window(self) -> None:
        """Fill the arrival window with the next cached window, on the start field's day (or the form's)."""
        if not self.windows:
            return
        self.window_index = (self.window_index + 1) % len(self.windows)
        try:
            day = parse_local(self.query_one("#form-start", Input).value.strip(), self.tz)
        except ValueError:
            day = self.times.start
        start, end = window_times(self.windows[self.window_index], day, self.tz)
        self.query_one("#form-window-start", Input).value = _shown(start, self.tz)
        self.query_one("#form-window-end", Input).value = _shown(end, self.tz)
        self.query_one("#form-windows", Static).update(self._windows_text())
        self._error("")

    def on_mount(self) -> None:
        self.query_one("#form-start", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "form-window-end":
            self.action_send()
        else:
            self.focus_next()

    def _error(self, message: str) -> None:
        self.query_one("#dialog-error", Static).update(plain(message))

    def action_send(self) -> None:
        value = {name: self.query_one(f"#form-{name}", Input).value.strip()
                 for name in ("start", "end", "window-start", "window-end")}
        try:
            start = parse_local(value["start"], self.tz)
        except ValueError:
            self._error("Start: write it as YYYY-MM-DD HH:MM.")
            return
        try:
            end = parse_local(value["end"], self.tz, after=start)
        except ValueError:
            self._error("End: write it as YYYY-MM-DD HH:MM or HH:MM.")
            return
        if end <= start:
            self._error("The end must be after the start.")
            return
        window: list[datetime | None] = [None, None]
        if bool(value["window-start"]) != bool(value["window-end"]):
            self._error("Give both ends of the arrival window, or neither.")
            return
        if value["window-start"]:
            try:
                window_start = parse_local(value["window-start"], self.tz, day=start)
                window = [window_start, parse_local(value["window-end"], self.tz, after=window_start)]
            except ValueError:
                self._error("Arrival window: write the times as YYYY-MM-DD HH:MM or HH:MM.")
                return
            if window[1] <= window[0]:  # type: ignore[operator]
                self._error("The arrival window must end after it starts.")
                return
        self.answer(Times(start, end, window[0], window[1]))
