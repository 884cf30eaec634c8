"""Outbox claims against the sandbox over real HTTP, in one process: a row another (live) process holds is left
alone while unrelated rows go; a claim whose process is gone, or whose lease ran out, is taken over through the
check that finds a create the lost attempt made; an answer lost after the request left is found rather than sent
again; `drop` refuses a row a live process is sending; a v11 cache upgrades with its rows' claims.

Claims of "other processes" are written into the cache as such a process would have left them. The sandbox's
clock and the outboxes' are pinned at the same instant (2026-11-23T15:00:00Z).
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta
from typing import Any

import pytest
from support.sync_world import RawApi, make_client

from jpm_tui.cache.outbox import LEASE, Outbox, OutboxError, OutboxState
from jpm_tui.cache.schema import LATEST
from jpm_tui.cache.store import CacheStore
from jpm_tui.provider import domain as d
from jpm_tui.provider.base import CommandResult, Outcome
from jpm_tui.provider.servicetitan import ServiceTitanProvider


@pytest.fixture
async def world(sandbox_server):
    """(provider, sandbox state, the pinned now)."""
    async with make_client(sandbox_server.base_url, max_retries=1) as client:
        yield ServiceTitanProvider(client), sandbox_server.state, sandbox_server.state.now()


def _jobs(state: Any, n: int) -> list[int]:
    return [j["id"] for j in state["jobs"].values() if j["jobStatus"] in ("Scheduled", "Dispatched")][:n]


def _notes(state: Any, job_id: int, text: str) -> int:
    return sum(1 for n in state["job_notes"].values() if n.get("jobId") == job_id and n["text"] == text)


def _claim_as(store: CacheStore, entry_id: int, claimed_by: str | None, lease_until: datetime | None,
              sent_at: datetime | None = None) -> None:
    """Leave the row as another process sending it would have."""
    with store.transaction() as conn:
        conn.execute("UPDATE outbox SET state = 'sending', claimed_by = ?, lease_until = ?, sent_at = ? WHERE id = ?",
                     (claimed_by, d.format_datetime(lease_until), d.format_datetime(sent_at), entry_id))


def _gone_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


async def test_a_row_a_live_process_holds_is_left_and_taken_over_at_once_when_it_dies(world, store):
    provider, state, now = world
    a, b = _jobs(state, 2)
    outbox = Outbox(store, provider, clock=lambda: now)
    held = outbox.enqueue(d.AddJobNote(job_id=a, text="held by the other board"))
    behind = outbox.enqueue(d.AddJobNote(job_id=a, text="queued behind it"))
    other = outbox.enqueue(d.AddJobNote(job_id=b, text="another job"))
    host = outbox.claimant.split("|")[0]
    _claim_as(store, held.id, f"{host}|{os.getpid()}|other-board", now + LEASE)  # a live process on this host

    report = await outbox.replay()
    assert (report.busy, report.done, report.held) == ([held.id, behind.id], [other.id], [])
    assert report.remaining == 2 and report.ok
    assert _notes(state, a, "held by the other board") == 0 and _notes(state, a, "queued behind it") == 0
    assert _notes(state, b, "another job") == 1
    # the board shows it as being sent; nobody may drop it from under its sender
    assert outbox.pending_ids("job") == {a: "sending"}
    assert outbox.overlay("job", a) == {"notes_added": ["held by the other board", "queued behind it"]}
    with pytest.raises(OutboxError, match=f"being sent by process {os.getpid()} on this machine"):
        outbox.drop(held.id)
    assert outbox.get(held.id).claimed_by == f"{host}|{os.getpid()}|other-board"

    # its process is gone (the lease has not run out): taken over at once; nothing had left, so it is sent
    _claim_as(store, held.id, f"{host}|{_gone_pid()}|other-board", now + LEASE)
    report = await outbox.replay()
    assert (report.done, report.busy, report.remaining) == ([held.id, behind.id], [], 0)
    assert _notes(state, a, "held by the other board") == 1 and _notes(state, a, "queued behind it") == 1
    assert [(e.state, e.attempts, e.claimed_by) for e in (outbox.get(held.id), outbox.get(behind.id))] == [
        ("done", 1, None), ("done", 1, None)]


async def test_a_claim_from_another_host_is_taken_over_when_its_lease_runs_out(world, store, sandbox_server):
    provider, state, now = world
    a, b = _jobs(state, 2)
    outbox = Outbox(store, provider, clock=lambda: now)
    note = outbox.enqueue(d.AddJobNote(job_id=a, text="sent from the other host"))
    start = now + timedelta(days=2)
    appointment = outbox.enqueue(d.CreateAppointment(job_id=b, start=start, end=start + timedelta(hours=1)))
    # a process on another host sent both (the requests reached the server), then its host went away
    with RawApi(sandbox_server.base_url) as api:
        api.call("POST", "jpm", f"jobs/{a}/notes", json={"text": "sent from the other host"})
        made = api.call("POST", "jpm", "appointments", json={
            "jobId": b, "start": d.format_datetime(start), "end": d.format_datetime(start + timedelta(hours=1))})
    for entry in (note, appointment):
        _claim_as(store, entry.id, "elsewhere#1|4242|gone-host", now + LEASE, sent_at=now)

    report = await outbox.replay()  # the lease still runs: the pid means nothing here (another host)
    assert report.busy == [note.id, appointment.id] and report.done == []

    later = Outbox(store, provider, clock=lambda: now + LEASE + timedelta(seconds=1))
    report = await later.replay()
    assert report.done == [note.id, appointment.id]
    assert _notes(state, a, "sent from the other host") == 1  # found, not made again
    assert sum(1 for x in state["appointments"].values() if x["jobId"] == b
               and d.parse_datetime(x["start"]) == start) == 1
    found = later.get(appointment.id)
    assert found.answer["detail"] == {"found": True} and found.answer["created_id"] == made["id"]
    assert later.get(note.id).answer["message"].startswith("already on the server")
    assert store.appointment(made["id"]) is not None  # the found appointment was read into the cache


class _AnswerLost:
    """The real provider, but the answer to each command is lost after the request reached the server (a read
    timeout on a POST): the outbox hears 'retry'."""

    def __init__(self, inner: ServiceTitanProvider) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def execute(self, command: d.Command) -> CommandResult:
        await self.inner.execute(command)
        return CommandResult(Outcome.RETRY, "timed out waiting for the answer", detail={"error": "TransportError"})


async def test_an_answer_lost_after_the_request_left_is_found_rather_than_sent_again(world, store):
    provider, state, now = world
    a, b = _jobs(state, 2)
    note = Outbox(store, _AnswerLost(provider), clock=lambda: now)  # type: ignore[arg-type]
    entry = await note.submit(d.AddJobNote(job_id=a, text="did it arrive?"))
    assert entry.state == OutboxState.PENDING and entry.sent_at == now and entry.claimed_by is None
    assert _notes(state, a, "did it arrive?") == 1

    outbox = Outbox(store, provider, clock=lambda: now)
    report = await outbox.replay()
    assert report.done == [entry.id] and _notes(state, a, "did it arrive?") == 1
    assert outbox.get(entry.id).answer["detail"] == {"found": True}

    # a refusal says the server did not apply it: nothing to look for when it is retried
    refused = await outbox.submit(d.CancelJob(job_id=b, reason_id=987654321, memo="x"))
    assert refused.state == OutboxState.FAILED and refused.sent_at is None


def test_a_v11_outbox_upgrades_with_its_sending_rows_claimable_and_marked_as_maybe_sent(tmp_path):
    path = tmp_path / "v11.sqlite3"
    old = CacheStore(path, target_version=11)
    try:
        assert "claimed_by" not in {r[1] for r in old.conn.execute("PRAGMA table_info(outbox)")}
        rows = [("sending", 1), ("pending", 2), ("pending", 0), ("done", 1), ("failed", 1)]
        with old.transaction() as conn:
            for i, (state, attempts) in enumerate(rows):
                conn.execute(
                    "INSERT INTO outbox (created_at, updated_at, kind, payload, state, target_kind, target_id, "
                    "attempts) VALUES (?, '2026-11-23T15:00:00.000000+00:00', 'add_job_note', ?, ?, 'job', ?, ?)",
                    (f"2026-11-23T14:5{i}:00.000000+00:00", f'{{"kind":"add_job_note","job_id":{i},"text":"t"}}',
                     state, i, attempts))
    finally:
        old.close()

    new = CacheStore(path)
    try:
        assert new.schema_version == LATEST
        entries = Outbox(new).entries()
        assert [(e.state, e.attempts, e.claimed_by, d.format_datetime(e.sent_at)) for e in entries] == [
            ("sending", 1, None, "2026-11-23T14:50:00.000000+00:00"),  # an older version's crash: may have left
            ("pending", 2, None, "2026-11-23T14:51:00.000000+00:00"),  # attempted: may have left
            ("pending", 0, None, None), ("done", 1, None, None), ("failed", 1, None, None)]
        # no claimant, so no live sender: the 'sending' row may be dropped (or taken over by a replay)
        assert Outbox(new).drop(entries[0].id).state == OutboxState.SENDING
    finally:
        new.close()
