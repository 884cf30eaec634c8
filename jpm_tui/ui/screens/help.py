"""'?': every key of the screen it was opened from, generated from that screen's active bindings."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from ..commands import binding_help

__all__ = ["HelpScreen"]

TEXTUAL_ONLY: frozenset[tuple[str, str]] = frozenset({
    ("scroll_left", "Scroll Left"), ("scroll_right", "Scroll Right"),
    ("page_left", "Page Left"), ("page_right", "Page Right"),
    ("screen.copy_text", "Copy selected text"),
})
"""(action, description) of Textual's own keys that mean nothing on a dispatch board (nothing scrolls sideways,
there is no mouse selection to copy): left out of help."""
FRAME = 6
"""Columns around the keys: the border (2), the padding (2) and the scrollbar (2)."""


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    HELP_TITLE = "Help"
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", id="close"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="up"),
    ]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        title = getattr(self.for_screen, "HELP_TITLE", "") or type(self.for_screen).__name__
        with VerticalScroll(id="help-body") as body:
            body.border_title = f"Keys · {title}"
            body.border_subtitle = "esc closes"
            keys = self._table()
            # as wide as the longest line (Textual's auto width measures the grid too narrow), wrapped below 90%
            body.styles.width = Measurement.get(self.app.console, self.app.console.options.update_width(1000), keys).maximum + FRAME
            yield Static(keys, id="help-keys")

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style="bold", no_wrap=True)
        table.add_column()
        entries = [e for e in binding_help(self.for_screen) if (e.action, e.description) not in TEXTUAL_ONLY]
        for scope, group in groupby(entries, key=lambda e: e.scope):
            if table.row_count:
                table.add_row("", "")
            table.add_row("", Text(scope, style="underline"))
            for entry in group:
                description = f"{entry.group}: {entry.description}" if entry.group else entry.description
                table.add_row(Text(" ".join(entry.keys)), Text(description, style="" if entry.enabled else "dim"))
        return table

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        (body.scroll_down if direction == "down" else body.scroll_up)(animate=False)
