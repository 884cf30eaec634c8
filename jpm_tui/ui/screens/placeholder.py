"""Stand-ins for the screens that come later, so their keys work and say what is coming."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.widgets import Static

from .base import BoardScreen

__all__ = ["CalendarScreen"]


class _Placeholder(BoardScreen):
    CSS_PATH = "placeholder.tcss"
    HEADING = ""
    COMING = ""

    def compose_body(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(Text(self.HEADING, style="bold"), classes="placeholder--heading")
            yield Static(Text(self.COMING), classes="placeholder--body")


class CalendarScreen(_Placeholder):
    HELP_TITLE = "Calendar"
    HEADING = "Calendar"
    COMING = ("Not built yet. This screen will show appointments by day and technician, "
              "with arrival windows, holds and reschedules. Press J to return to the jobs.")
