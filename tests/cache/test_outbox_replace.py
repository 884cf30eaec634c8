"""A refused (failed) write corrected by the dispatcher: ``Outbox.replace`` queues the correction and takes the
refused row out of the outbox in one transaction, and only while it is still failed: a row retried meanwhile
(pending, or being sent by another process), dropped, or on another record is not replaced, and nothing is
queued. On both stores: one dispatcher's SQLite file, and a team's PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.stores import STORES, open_store

from jpm_tui.cache.outbox import Outbox, OutboxError, OutboxState
from jpm_tui.provider import domain as d
from jpm_tui.provider.base import CommandResult, Outcome

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    with open_store(request, tmp_path) as opened:
        yield opened


class RefusesBlankSummaries:
    """A backend that refuses an empty summary (422 with the field's message) and applies anything else."""

    def __init__(self) -> None:
        self.applied: list[d.Command] = []

    async def fetch_record(self, kind: str, record_id: int) -> dict[str, Any] | None:
        return {"id": record_id, "modified_on": None}

    async def execute(self, command: d.Command) -> CommandResult:
        assert isinstance(command, d.EditJob)
        if not command.changes.get("summary"):
            return CommandResult(Outcome.REJECTED, "Validation failed", {"summary": ["A summary is required"]})
        self.applied.append(command)
        return CommandResult(Outcome.DONE)

    async def find_applied(self, command: d.Command, since: Any) -> CommandResult | None:
        return None


async def _refused(outbox: Outbox, job_id: int) -> int:
    entry = outbox.enqueue(d.EditJob(job_id, {"summary": ""}))
    assert (await outbox.replay()).failed == [entry.id]
    return entry.id


async def test_a_corrected_write_replaces_the_refused_one_and_is_sent_once(store: Any) -> None:
    backend = RefusesBlankSummaries()
    outbox = Outbox(store, backend, clock=lambda: NOW)  # type: ignore[arg-type]
    refused = await _refused(outbox, 7)
    assert outbox.pending_ids("job") == {7: "failed"}

    corrected = outbox.replace(refused, d.EditJob(7, {"summary": "Boiler service"}))
    assert corrected.state == OutboxState.PENDING and corrected.id != refused
    assert [e.id for e in outbox.pending_for("job", 7)] == [corrected.id]  # the refused row is out, at once
    assert outbox.pending_ids("job") == {7: "pending"} and OutboxState.FAILED not in outbox.counts()
    with pytest.raises(OutboxError):
        outbox.get(refused)

    assert (await outbox.replay()).done == [corrected.id]
    assert backend.applied == [d.EditJob(7, {"summary": "Boiler service"})]
    assert outbox.pending_for("job", 7) == [] and outbox.counts() == {"done": 1}


async def test_a_refused_write_retried_and_being_sent_is_not_replaced(store: Any) -> None:
    backend = RefusesBlankSummaries()
    board, other = (Outbox(store, backend, clock=lambda: NOW) for _ in range(2))  # type: ignore[arg-type]
    refused = await _refused(board, 7)
    other.retry(refused)  # another process put it back in the queue and is sending it now
    assert other._claim(refused)[1] is not None
    sending = board.get(refused)
    assert sending.state == OutboxState.SENDING

    with pytest.raises(OutboxError, match="changed while it was being replaced"):
        board.replace(refused, d.EditJob(7, {"summary": "Boiler service"}))
    assert board.entries() == [sending]  # nothing queued beside it; its sender keeps its claim

    dropped = await _refused(board, 8)
    board.drop(dropped)
    with pytest.raises(OutboxError):
        board.replace(dropped, d.EditJob(8, {"summary": "Boiler service"}))
    other_job = await _refused(board, 9)
    with pytest.raises(OutboxError, match="another record"):
        board.replace(other_job, d.EditJob(10, {"summary": "Boiler service"}))
    assert [e.state for e in board.pending_for("job", 9)] == [OutboxState.FAILED] and not board.pending_for("job", 10)
    assert backend.applied == []
