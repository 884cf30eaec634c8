"""The frame every board screen shares: status line on top, footer of keys at the bottom."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.screen import Screen

from ..widgets.board_footer import BoardFooter
from ..widgets.status_line import StatusLine

if TYPE_CHECKING:
    from ..app import JpmApp

__all__ = ["BoardScreen"]


class BoardScreen(Screen[None]):
    """Subclasses implement ``compose_body``."""

    HELP_TITLE: ClassVar[str] = ""

    @property
    def board(self) -> JpmApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield StatusLine()
        yield from self.compose_body()
        yield BoardFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def _compositor_refresh(self) -> None:
        # Textual renders the whole screen while the app starts inside its batch of updates, then drops that frame
        # unwritten (App._display returns during a batch): twice on the job list's start, ~5 ms before its first
        # frame. Asked again instead, it is rendered once, when the batch ends, and written.
        if self.app._batch_count:
            self.refresh()
            return
        super()._compositor_refresh()
