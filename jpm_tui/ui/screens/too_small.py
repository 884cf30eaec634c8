"""Shown instead of the board while the terminal is below the minimum size."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["TooSmallScreen"]


class TooSmallScreen(ModalScreen[None]):
    CSS_PATH = "too_small.tcss"
    BINDINGS = [Binding("q,ctrl+q", "app.quit", "Quit")]

    def __init__(self, minimum: tuple[int, int]) -> None:
        super().__init__()
        self.minimum = minimum

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def on_mount(self) -> None:
        self._update()

    def on_resize(self) -> None:
        self._update()

    def _update(self) -> None:
        width, height = self.minimum
        size = self.app.size
        self.query_one("#too-small", Static).update(
            Text(f"Terminal too small: {size.width}x{size.height}.\n"
                 f"jpm-tui needs at least {width}x{height}.\nEnlarge the window, or press q to quit.")
        )
