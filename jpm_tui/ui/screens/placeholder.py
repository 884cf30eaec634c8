"""Stand-ins for the screens that come later, so their keys work and say what is coming."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.widgets import Static

from .base import BoardScreen

__all__ = ["ProjectsScreen", "SyncScreen"]


class _Placeholder(BoardScreen):
    CSS_PATH = "placeholder.tcss"
    HEADING = ""
    COMING = ""

    def compose_body(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(Text(self.HEADING, style="bold"), classes="placeholder--heading")
            yield Static(Text(self.COMING), classes="placeholder--body")


class ProjectsScreen(_Placeholder):
    HELP_TITLE = "Projects"
    HEADING = "Projects"
    COMING = ("Not built yet. This screen will list projects with their status, jobs and notes. "
              "Press J to return to the jobs.")


class SyncScreen(_Placeholder):
    HELP_TITLE = "Sync"
    HEADING = "Sync"
    COMING = ("Not built yet. This screen will show each feed's last sync, progress and errors, "
              "and the outbox of changes waiting to be sent. Press J to return to the jobs.")
