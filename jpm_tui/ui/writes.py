"""The writes a screen makes on the record it shows (a job, an appointment, a project): which of its action keys
are offered, and how a key becomes commands in the outbox.

An action the backend lacks (not in its workflow) has no key: footer, help and palette leave it out. One the
record's state forbids is greyed, and the screen says why (its refusals). A key with a dialog queues the commands
built from the answer before the dialog closes, and the dialog stays open, with the reason, when they cannot be
stored (a full disk); a key without one sends its command at once. Either way the app says how each write ended
(``JpmApp.queue``, ``JpmApp.submit``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..provider import domain as d
from .screens.modals import Choice, ask

if TYPE_CHECKING:
    from .app import JpmApp
    from .screens.modals import _Dialog

__all__ = ["Writes"]


class Writes:
    """The write actions of one screen (``actions``: their names), asked through ``board``."""

    def __init__(self, board: JpmApp, actions: Iterable[str]) -> None:
        self.board = board
        self.actions = frozenset(actions)

    def check(self, action: str, refusals: Mapping[str, str] | None) -> bool | None:
        """For the screen's ``check_action``: False hides an action the backend lacks, None greys one refused now
        (every one while ``refusals`` is None: the record is still being read), True shows it. Actions that are
        not writes are True."""
        if action not in self.actions:
            return True
        if not self.board.workflow.supports(action):
            return False  # hidden: footer, help and palette leave it out
        return None if refusals is None or action in refusals else True

    def ask(self, dialog: _Dialog, build: Callable[[Any], d.Command | Sequence[d.Command]], *,
            replaces: int | None = None) -> None:
        """Open ``dialog``; ``build(answer)`` is queued before it closes (it stays open when that fails).
        ``replaces``: the refused write the dialog corrects (it leaves the outbox as the answer is queued; closing
        the dialog without one keeps it)."""

        def keep(answer: Any) -> Awaitable[str | None]:
            commands = build(answer)
            return self.board.queue(*(commands if isinstance(commands, Sequence) else (commands,)), replaces=replaces)

        ask(self.board, dialog, keep)

    def send(self, *commands: d.Command) -> None:
        """Queue commands no dialog asked for, in turn; the app says how each ended, or why it was not saved."""
        for command in commands:
            self.board.submit(command)

    def choices(self, kind: str, exclude: Sequence[int] = ()) -> list[Choice]:
        """Every cached record of a reference kind (``JpmApp.named``), by name, to pick from."""
        return [Choice(item_id, name) for item_id, name in self.board.named(kind) if item_id not in exclude]
