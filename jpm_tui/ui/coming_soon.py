"""Placeholder screen the CLI opens until the board is wired to the cache (see ``jpm_tui.session.open_board``)."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Static


class ComingSoonApp(App[None]):
    BINDINGS = [("q", "quit", "Quit")]
    CSS = "Screen { align: center middle; } Static { width: auto; text-align: center; }"

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        s = self.session
        yield Static(f"jpm-tui — board coming soon\n\nprofile {s.profile_name} · tenant {s.tenant} · "
                     f"{s.environment}\n\npress q to quit", markup=False)


def run_coming_soon(session: Any) -> None:
    ComingSoonApp(session).run()
