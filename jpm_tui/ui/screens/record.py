"""What the screens about one record (a job, a project) share. Apart from ``base``: the job list, painted first,
does not need the outbox that ``pending_lines`` describes."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text

from ..format import when
from ..pending import pending_lines
from ..text import plain
from .base import BoardScreen

__all__ = ["RecordScreen"]


class RecordScreen(BoardScreen):
    """A screen about one record (a job, a project): headed sections, and the writes on it not sent yet
    (``detail.pending``). Its look comes from component classes named ``<STYLE>--heading``, ``--muted``,
    ``--pending``, ``--error`` and the others it declares."""

    STYLE: ClassVar[str] = ""
    detail: Any = None

    def _style(self, name: str) -> Any:
        # partial: only what the component class sets (its colour), not the screen's background
        return self.get_component_rich_style(name, partial=True)

    def _heading(self, title: str, count: int | None = None) -> Text:
        text = Text(end="")
        text.append(f"\n{title}", self._style(f"{self.STYLE}--heading"))
        if count is not None:
            text.append(f" ({count})", self._style(f"{self.STYLE}--muted"))
        return text

    def _note_entry(self, note: Any) -> list[Text]:
        """A note as both screens show it: when, who and whether pinned on one line, its text below."""
        head = Text(end="")
        head.append(when(note.created_on, self.board.tz), self._style(f"{self.STYLE}--label"))
        author = self.board.person_name(note.created_by_id)
        if author:
            head.append("  ")
            head.append_text(plain(author, self._style(f"{self.STYLE}--muted")))
        if note.pinned:
            head.append("  pinned", self._style(f"{self.STYLE}--muted"))
        return [head, plain(note.text, multiline=True)]

    def _pending_lines(self) -> list[Any]:
        """The writes on this record that are not done yet, with the server's answer for refused ones."""
        pending = self.detail.pending if self.detail is not None else ()
        if not pending:
            return []
        return [self._heading("Pending changes", len(pending)),
                *pending_lines(pending, self.board.describe, queued=self._style(f"{self.STYLE}--pending"),
                               error=self._style(f"{self.STYLE}--error"),
                               me=self.board.live.outbox.author if self.board.live is not None else None)]
