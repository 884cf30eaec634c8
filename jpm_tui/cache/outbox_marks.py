"""What a list shows of the outbox without loading it: the states of its rows, and which records have a write not
applied yet (the job list's markers, read for its first frame; the outbox itself, with its sending and its
commands, loads with the live loop after that frame)."""

from __future__ import annotations

import enum
import sqlite3

__all__ = ["OPEN_STATES", "OutboxState", "pending_ids"]


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"
    CONFLICT = "conflict"


OPEN_STATES = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.CONFLICT, OutboxState.FAILED)
"""States the board shows as 'not applied yet' (failed rows stay visible until dropped or retried)."""

_URGENCY: dict[str, int] = {"conflict": 0, "failed": 1, "sending": 2, "pending": 3}
"""Which state a record's marker shows when it has several open rows: the lowest."""


def pending_ids(conn: sqlite3.Connection, target_kind: str) -> dict[int, str]:
    """Record id -> the most urgent state of its open rows (conflict > failed > sending > pending), for a marker in
    a list."""
    out: dict[int, str] = {}
    for rid, state in conn.execute(
        f"SELECT target_id, state FROM outbox WHERE target_kind = ? AND target_id IS NOT NULL AND state IN "
        f"({', '.join('?' for _ in OPEN_STATES)})",
        (target_kind, *[s.value for s in OPEN_STATES]),
    ):
        if rid not in out or _URGENCY.get(state, 9) < _URGENCY.get(out[rid], 9):
            out[int(rid)] = state
    return out
