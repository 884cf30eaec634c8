"""Writes not applied yet, in words: the "Pending changes" lines the job and project details share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.style import Style
from rich.text import Text

from ..cache.outbox import OutboxEntry, OutboxState
from .text import plain

__all__ = ["STATE_WORDS", "pending_lines"]

STATE_WORDS: dict[str, str] = {  # keyed by OutboxEntry.state, a plain str
    OutboxState.PENDING: "queued",
    OutboxState.SENDING: "sending",
    OutboxState.CONFLICT: "held: changed on the server (S: confirm or drop)",
    OutboxState.FAILED: "refused",
}


def pending_lines(entries: Sequence[OutboxEntry], describe: Callable[[Any], str], *, queued: Style | str,
                  error: Style | str, me: str | None = None) -> list[Text]:
    """One line per entry (state, the change in words, who queued it when that is not ``me``: on a team's cache
    the others' writes show too), plus the server's answer under a refused or held one."""
    out: list[Text] = []
    for entry in entries:
        failed = entry.state in (OutboxState.FAILED, OutboxState.CONFLICT)
        line = Text(end="")
        line.append(f"{STATE_WORDS.get(entry.state, entry.state)}  ", error if failed else queued)
        command = entry.command
        line.append_text(plain(describe(command) if command is not None else entry.description))
        if entry.author and entry.author != me:
            line.append_text(plain(f"  · by {entry.author}"))
        if failed and entry.error_text:
            line.append("\n    ")
            line.append_text(plain(entry.error_text, error))
        out.append(line)
    return out
