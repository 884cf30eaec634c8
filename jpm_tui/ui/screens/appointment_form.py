"""The appointment times form: start, end and arrival window, typed as local date and time.

Used by the calendar to reschedule and to create an appointment. Returns ``Times`` (UTC datetimes) through
``dismiss``, or None when backed out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Label, Static

from ..format import local
from ..text import plain
from .modals import _Dialog

__all__ = ["Times", "TimesFormScreen", "parse_local"]

FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class Times:
    start: datetime
    end: datetime
    window_start: datetime | None = None
    window_end: datetime | None = None


def _zone(tz: tzinfo | None) -> tzinfo:
    return tz or datetime.now().astimezone().tzinfo or timezone.utc


def parse_local(text: str, tz: tzinfo | None, *, day: datetime | None = None) -> datetime:
    """'2025-05-14 09:30', or '09:30' on ``day``'s date (local), as an aware UTC datetime."""
    text = " ".join(text.split())
    if day is not None and len(text) <= 5 and ":" in text:
        text = f"{local(day, tz).strftime('%Y-%m-%d')} {text}"
    value = datetime.strptime(text, FORMAT)
    return value.replace(tzinfo=_zone(tz)).astimezone(timezone.utc)


def _shown(value: datetime | None, tz: tzinfo | None, fmt: str = FORMAT) -> str:
    return local(value, tz).strftime(fmt) if value is not None else ""


class TimesFormScreen(_Dialog):
    """Four fields; Enter in the last one (or Ctrl+S anywhere) sends."""

    CSS_PATH = ["modals.tcss", "appointment_form.tcss"]
    HELP_TITLE = "Appointment times"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "send", "Send", id="send")]

    def __init__(self, title: str, times: Times, tz: tzinfo | None) -> None:
        super().__init__(title, "Tab next field · Enter/Ctrl+S send · Esc cancel · times are local, HH:MM")
        self.times = times
        self.tz = tz

    def compose_dialog(self) -> ComposeResult:
        t, tz = self.times, self.tz
        yield Label(plain("Start (YYYY-MM-DD HH:MM)"), classes="dialog-label")
        yield Input(_shown(t.start, tz), id="form-start")
        yield Label(plain("End (YYYY-MM-DD HH:MM, or HH:MM on the start's day)"), classes="dialog-label")
        yield Input(_shown(t.end, tz), id="form-end")
        yield Label(plain("Arrival window from / to (as above; empty for none)"), classes="dialog-label")
        yield Input(_shown(t.window_start, tz), id="form-window-start")
        yield Input(_shown(t.window_end, tz), id="form-window-end")
        yield Static("", id="dialog-error")

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
            end = parse_local(value["end"], self.tz, day=start)
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
                window = [parse_local(value["window-start"], self.tz, day=start),
                          parse_local(value["window-end"], self.tz, day=start)]
            except ValueError:
                self._error("Arrival window: write the times as YYYY-MM-DD HH:MM or HH:MM.")
                return
            if window[1] <= window[0]:  # type: ignore[operator]
                self._error("The arrival window must end after it starts.")
                return
        self.dismiss(Times(start, end, window[0], window[1]))
