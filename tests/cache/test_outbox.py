"""Outbox against the sandbox over real HTTP: queued while unreachable, replayed in order when it comes back,
conflicts held for the user, rejections kept with the server's messages, crashes mid-send never re-applied."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
import pytest
from support.sync_world import make_client

from jpm_tui.cache.outbox import Outbox, OutboxError, OutboxState, describe
from jpm_tui.cache.schema import LATEST
from jpm_tui.cache.store import CacheStore
from jpm_tui.cache.sync import SyncEngine
from jpm_tui.provider import domain as d
from jpm_tui.provider.base import CommandResult, Outcome, ProviderError
from jpm_tui.provider.servicetitan import ServiceTitanProvider


class Switch(httpx.AsyncBaseTransport):
    """Real HTTP to the sandbox, or (``offline = True``) a ConnectError as when the network is down."""

    def __init__(self) -> None:
        self.offline = False
        self.requests = 0
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.offline:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        self.requests += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def world(store, sandbox_server):
    """(outbox, switch, state) with the cache synced first; the sandbox clock runs (modifiedOn moves)."""
    state = sandbox_server.state
    state.set_clock(None)
    switch = Switch()
    client = make_client(sandbox_server.base_url, transport=switch, max_retries=1)
    provider = ServiceTitanProvider(client)
    async with SyncEngine(store, provider) as engine:
        summary = await engine.run()
        assert summary.ok, summary.error_line()
        yield Outbox(store, provider, sync_engine=engine), switch, state
    await client.aclose()


def _open_job(state: Any, exclude: set[int] = frozenset()) -> dict:  # type: ignore[assignment]
    return next(j for j in state["jobs"].values()
                if j["jobStatus"] in ("Scheduled", "Dispatched") and j["id"] not in exclude)


def _open_appointment(state: Any, exclude_jobs: set[int] = frozenset()) -> dict:  # type: ignore[assignment]
    return next(a for a in state["appointments"].values()
                if a["status"] == "Scheduled" and a["jobId"] not in exclude_jobs and a.get("active", True))


def _reason(state: Any) -> int:
    return next(r["id"] for r in state["job_cancel_reasons"].values() if r.get("active"))


async def test_queued_offline_then_replayed_in_order_when_back(world, store):
    outbox, switch, state = world
    job = _open_job(state)
    appt = _open_appointment(state, {job["id"]})
    switch.offline = True
    cancel = await outbox.submit(d.CancelJob(job_id=job["id"], reason_id=_reason(state), memo="rain"))
    note = await outbox.submit(d.AddJobNote(job_id=job["id"], text="call before arriving"))
    confirm = await outbox.submit(d.ConfirmAppointment(appointment_id=appt["id"]))
    for entry in (cancel, note, confirm):
        assert entry.state == OutboxState.PENDING
        assert entry.base_modified_on  # the cached record's modifiedOn, kept as the conflict-check base
    assert cancel.answer["outcome"] == "retry" and "could not reach" in cancel.message.lower()
    # stop on the first transport failure: the rows behind it were not even tried
    assert outbox.get(cancel.id).attempts == 3 and outbox.get(note.id).attempts == 0
    assert outbox.get(confirm.id).attempts == 0
    # the board shows what is pending
    assert outbox.overlay("job", job["id"]) == {"status": "Canceled", "notes_added": ["call before arriving"]}
    assert outbox.overlay("appointment", appt["id"]) == {"confirmed": True}
    assert outbox.pending_ids("job") == {job["id"]: "pending"}
    assert [e.id for e in outbox.pending_for("job", job["id"])] == [cancel.id, note.id]
    assert describe(cancel.command).startswith(f"cancel job {job['id']} (reason ")
    # nothing reached the server
    assert state["jobs"].get(job["id"])["jobStatus"] != "Canceled"
    assert store.job(job["id"]).status.value != "Canceled"

    switch.offline = False
    report = await outbox.replay()
    assert report.ok and report.done == [cancel.id, note.id, confirm.id] and report.remaining == 0
    # the server has it, in order, once
    assert state["jobs"].get(job["id"])["jobStatus"] == "Canceled"
    notes = [n for n in state["job_notes"].values() if n.get("jobId") == job["id"] and n["text"] == "call before arriving"]
    assert len(notes) == 1
    assert state["appointments"].get(appt["id"])["isConfirmed"] is True
    # ... and so does the cache (records re-read; follow-up feeds synced)
    assert store.job(job["id"]).status.value == "Canceled"
    assert store.appointment(appt["id"]).confirmed is True
    assert "call before arriving" in [n.text for n in store.notes_for_job(job["id"])]
    assert outbox.overlay("job", job["id"]) == {} and outbox.pending_ids("job") == {}
    done = outbox.get(cancel.id)
    assert done.state == OutboxState.DONE and done.answer["outcome"] == "done"
    assert outbox.counts() == {"done": 3}


async def test_change_on_the_server_since_queued_is_held_as_a_conflict(world, store):
    outbox, switch, state = world
    appt = _open_appointment(state)
    switch.offline = True
    mine = await outbox.submit(d.SetSpecialInstructions(appointment_id=appt["id"], text="gate code 1234"))
    behind = await outbox.submit(d.ConfirmAppointment(appointment_id=appt["id"]))
    other = _open_appointment(state, {appt["jobId"]})
    unrelated = await outbox.submit(d.ConfirmAppointment(appointment_id=other["id"]))
    # meanwhile the office edits the same appointment on the server
    record = state["appointments"].get(appt["id"])
    record["specialInstructions"] = "changed by the office"
    state["appointments"].touch(record)

    switch.offline = False
    report = await outbox.replay()
    assert report.conflicts == [mine.id] and report.held == [behind.id] and report.done == [unrelated.id]
    held = outbox.get(mine.id)
    assert held.state == OutboxState.CONFLICT and "changed on the server" in held.message
    assert held.answer["server_modified_on"] > held.answer["base_modified_on"]
    assert state["appointments"].get(appt["id"])["specialInstructions"] == "changed by the office"  # not applied
    assert store.appointment(appt["id"]).special_instructions == "changed by the office"  # cache shows the server's
    assert outbox.pending_ids("appointment")[appt["id"]] == "conflict"
    with pytest.raises(OutboxError, match="conflict"):
        outbox.retry(mine.id)

    confirmed = await outbox.confirm(mine.id)  # the dispatcher says: send it anyway
    assert confirmed.state == OutboxState.DONE
    # the row queued behind it saw the same stale record: it is released, checked, and held in turn
    # (each queued change is confirmed on its own, never applied blindly)
    assert outbox.get(behind.id).state == OutboxState.CONFLICT
    assert (await outbox.confirm(behind.id)).state == OutboxState.DONE
    assert state["appointments"].get(appt["id"])["isConfirmed"] is True
    assert state["appointments"].get(appt["id"])["specialInstructions"] == "gate code 1234"
    assert store.appointment(appt["id"]).special_instructions == "gate code 1234"

    # a second conflict, dropped this time: the server keeps its version
    switch.offline = True
    dropped = await outbox.submit(d.SetSpecialInstructions(appointment_id=appt["id"], text="never sent"))
    record = state["appointments"].get(appt["id"])
    record["specialInstructions"] = "office again"
    state["appointments"].touch(record)
    switch.offline = False
    assert (await outbox.replay()).conflicts == [dropped.id]
    assert outbox.drop(dropped.id).id == dropped.id
    with pytest.raises(OutboxError):
        outbox.get(dropped.id)
    assert state["appointments"].get(appt["id"])["specialInstructions"] == "office again"


async def test_rejections_keep_the_servers_title_and_field_errors(world, store):
    outbox, switch, state = world
    job = _open_job(state)
    entry = await outbox.submit(d.CancelJob(job_id=job["id"], reason_id=987654321, memo="x"))
    assert entry.state == OutboxState.FAILED
    assert entry.answer["outcome"] == "rejected" and entry.answer["detail"]["status"] == 400
    assert "987654321" in entry.message or "reason" in entry.message.lower()
    assert entry.field_errors.get("reason_id"), entry.field_errors  # the server's reasonId, in domain words
    assert "reason_id" in entry.error_text
    assert state["jobs"].get(job["id"])["jobStatus"] != "Canceled"
    # never dropped silently: still listed, shown on the record, retry puts it back (and it fails again)
    assert [e.id for e in outbox.entries(["failed"])] == [entry.id]
    assert outbox.pending_ids("job") == {job["id"]: "failed"}
    assert outbox.overlay("job", job["id"]) == {}  # a failed change is not shown as coming
    again = outbox.retry(entry.id)
    assert again.state == OutboxState.PENDING
    report = await outbox.replay()
    assert report.failed == [entry.id] and outbox.get(entry.id).attempts == 2
    # a record that does not exist: not found, kept with its message
    gone = await outbox.submit(d.ConfirmAppointment(appointment_id=999_999_999))
    assert gone.state == OutboxState.FAILED and gone.answer["outcome"] == "not_found"


async def test_5xx_keeps_it_queued_and_a_crash_mid_send_is_not_replayed_blindly(world, store):
    outbox, switch, state = world
    appt = _open_appointment(state)
    state.faults.fail_next = [503, 503, 503, 503]
    entry = await outbox.submit(d.ConfirmAppointment(appointment_id=appt["id"]))
    assert entry.state == OutboxState.PENDING and entry.answer["outcome"] == "retry"
    state.faults.fail_next = []
    assert (await outbox.replay()).done == [entry.id]

    # a row left 'sending' by a crash whose request did reach the server: the conflict check catches it
    other = _open_appointment(state, {appt["jobId"]})
    crashed = outbox.enqueue(d.SetSpecialInstructions(appointment_id=other["id"], text="sent before the crash"))
    with store.transaction() as conn:
        conn.execute("UPDATE outbox SET state = 'sending', attempts = 1 WHERE id = ?", (crashed.id,))
    record = state["appointments"].get(other["id"])
    record["specialInstructions"] = "sent before the crash"
    state["appointments"].touch(record)
    report = await outbox.replay()
    assert report.conflicts == [crashed.id] and report.done == []


async def test_every_command_kind_goes_through_and_reads_in_words(world, store):
    outbox, switch, state = world
    job, project = next((j, p["id"]) for p in state["projects"].values() for j in state["jobs"].values()
                        if j["customerId"] == p.get("customerId") and not j.get("projectId")
                        and j["jobStatus"] in ("Scheduled", "Dispatched"))
    appt = _open_appointment(state, {job["id"]})
    start = d.parse_datetime(appt["start"])
    from datetime import timedelta

    tech = next(t["id"] for t in state["technicians"].values() if t.get("active"))
    hold = next(r["id"] for r in state["job_hold_reasons"].values() if r.get("active"))
    commands = [
        d.RescheduleAppointment(appointment_id=appt["id"], start=start + timedelta(days=1),
                                end=start + timedelta(days=1, hours=2)),
        d.HoldAppointment(appointment_id=appt["id"], reason_id=hold, memo="parts"),
        d.RemoveAppointmentHold(appointment_id=appt["id"]),
        d.AssignTechnicians(appointment_id=appt["id"], technician_ids=(tech,)),
        d.EditJob(job_id=job["id"], changes={"summary": "edited offline"}),
        d.AttachJobToProject(job_id=job["id"], project_id=project),
        d.DetachJobFromProject(job_id=job["id"]),
        d.CreateAppointment(job_id=job["id"], start=start + timedelta(days=3), end=start + timedelta(days=3, hours=1)),
    ]
    switch.offline = True
    entries = [await outbox.submit(c) for c in commands]
    words = [e.description for e in entries]
    assert words[0].startswith(f"reschedule appointment {appt['id']} to ")
    assert words[3] == f"assign technician {tech} to appointment {appt['id']}"
    assert words[4] == f"edit job {job['id']}: summary = \"edited offline\""
    switch.offline = False
    report = await outbox.replay()
    bad = {e.id: e.error_text for e in outbox.entries(["failed", "conflict", "pending"])}
    assert report.done == [e.id for e in entries], bad
    assert state["jobs"].get(job["id"])["summary"] == "edited offline"
    assert store.job(job["id"]).summary == "edited offline"
    assert tech in {a.technician_id for a in store.assignments_for_appointment(appt["id"])}
    created = outbox.get(entries[-1].id).answer["created_id"]
    assert created and store.appointment(created) is not None


# ------------------------------------------------------------------------ answers: result and error columns


class _Scripted:
    """A provider whose answers are scripted: ``execute`` returns the next result; the record is the cached job."""

    def __init__(self, store: CacheStore, *results: CommandResult) -> None:
        self.store = store
        self.results = list(results)

    async def execute(self, command: d.Command) -> CommandResult:
        return self.results.pop(0)

    async def fetch_record(self, kind: str, id: int) -> dict[str, Any] | None:
        job = self.store.job(id)
        return None if job is None else {f.name: getattr(job, f.name) for f in dataclasses.fields(job)}


class _Failing(_Scripted):
    """A provider whose conflict-check read raises ``failure``."""

    def __init__(self, store: CacheStore, failure: BaseException) -> None:
        super().__init__(store)
        self.failure = failure

    async def fetch_record(self, kind: str, id: int) -> dict[str, Any] | None:
        raise self.failure


@pytest.mark.parametrize(("failure", "outcome", "detail"), [
    (ProviderError("Unauthorized (401)", retryable=False, auth=True, status=401, title="Unauthorized",
                   kind="AuthError"), "auth", {"error": "AuthError", "status": 401}),
    (ProviderError("Could not reach h: timed out", retryable=True, unavailable="Could not reach h: timed out",
                   kind="TransportError"), "retry", {"error": "TransportError"}),
    (ProviderError("Bad request (400)\nid: wrong", retryable=False, status=400), "rejected",
     {"error": "ProviderError", "status": 400}),
    (RuntimeError("a provider's bug"), "retry", {"error": "RuntimeError"}),  # kept: a row is never lost to a bug
])
async def test_a_read_that_raises_keeps_the_row_with_the_provider_errors_outcome(store, failure, outcome, detail):
    store.upsert("jobs", [d.Job(1, "1", d.JobStatus.SCHEDULED, d.Priority.NORMAL, None, None, None, None,
                                modified_on=d.parse_datetime("2025-05-01T12:00:00Z"))])
    outbox = Outbox(store, _Failing(store, failure))  # type: ignore[arg-type]
    entry = outbox.enqueue(d.CancelJob(job_id=1, reason_id=2, memo="m"))
    await outbox.replay()
    kept = outbox.get(entry.id)
    assert kept.state == OutboxState.PENDING
    assert (kept.answer["outcome"], kept.answer["detail"]) == (outcome, detail)
    said = failure.title if isinstance(failure, ProviderError) else str(failure)
    assert kept.message == said.splitlines()[0]  # the title, one line


def _columns(store: CacheStore, entry_id: int) -> tuple[Any, Any]:
    row = store.conn.execute("SELECT result, error FROM outbox WHERE id = ?", (entry_id,)).fetchone()
    return (json.loads(row[0]) if row[0] else None, json.loads(row[1]) if row[1] else None)


async def test_done_rows_keep_their_answer_in_result_and_failures_in_error(store):
    store.upsert("jobs", [d.Job(1, "1", d.JobStatus.SCHEDULED, d.Priority.NORMAL, None, None, None, None,
                                modified_on=d.parse_datetime("2025-05-01T12:00:00Z"))])
    provider = _Scripted(store, CommandResult(Outcome.REJECTED, "reason is inactive", {"reason_id": ["inactive"]}),
                         CommandResult(Outcome.DONE, "cancelled", detail={"status": 200}))
    outbox = Outbox(store, provider)  # type: ignore[arg-type]
    entry = outbox.enqueue(d.CancelJob(job_id=1, reason_id=2, memo="m"))
    assert _columns(store, entry.id) == (None, None)

    await outbox.replay()
    failed = outbox.get(entry.id)
    result, error = _columns(store, entry.id)
    assert failed.state == OutboxState.FAILED and result is None and error["outcome"] == "rejected"
    assert failed.answer == error and failed.error_text == "reason is inactive; reason_id: inactive"
    assert failed.to_dict()["error"] == error and failed.to_dict()["result"] is None

    outbox.retry(entry.id)
    await outbox.replay()
    done = outbox.get(entry.id)
    result, error = _columns(store, entry.id)
    assert done.state == OutboxState.DONE and error is None  # the earlier failure is cleared
    assert result["outcome"] == "done" and result["detail"] == {"status": 200}
    assert done.answer == result and done.message == "cancelled" and done.error_text == ""
    assert done.to_dict()["result"] == result and done.to_dict()["error"] is None and done.to_dict()["answer"] == result


def test_a_v3_outbox_upgrades_keeping_its_rows_and_moving_done_answers_to_result(tmp_path):
    path = tmp_path / "v3.sqlite3"
    old = CacheStore(path, target_version=3)
    try:
        assert "result" not in {r[1] for r in old.conn.execute("PRAGMA table_info(outbox)")}
        rows = [
            ("done", '{"outcome":"done","message":"ok","created_id":77}'),
            ("failed", '{"outcome":"rejected","message":"nope","field_errors":{"memo":["too long"]}}'),
            ("pending", None),
            ("conflict", '{"outcome":"conflict","message":"changed",'
                         '"server_modified_on":"2025-05-02T00:00:00.000000+00:00"}'),
            ("done", "not json"),
        ]
        with old.transaction() as conn:
            for state, error in rows:
                conn.execute(
                    "INSERT INTO outbox (created_at, updated_at, kind, payload, state, target_kind, target_id, error, "
                    "attempts) VALUES ('2025-05-01T00:00:00.000000+00:00', '2025-05-01T00:00:00.000000+00:00', "
                    "'cancel_job', ?, ?, 'job', 1, ?, 1)",
                    ('{"kind":"cancel_job","job_id":1,"reason_id":2,"memo":""}', state, error))
        ids = [r[0] for r in old.conn.execute("SELECT id FROM outbox ORDER BY id")]
    finally:
        old.close()

    new = CacheStore(path)
    try:
        assert new.schema_version == LATEST
        outbox = Outbox(new)
        def answer(text: str | None) -> dict:
            if text is None:
                return {}
            try:
                return json.loads(text)
            except ValueError:
                return {"message": text}

        # the same rows, each with the answer the v3 code read from its error column
        assert [(e.id, e.state, e.payload, e.answer) for e in outbox.entries()] == [
            (i, state, {"kind": "cancel_job", "job_id": 1, "reason_id": 2, "memo": ""}, answer(error))
            for i, (state, error) in zip(ids, rows, strict=True)]
        columns = new.conn.execute("SELECT state, result, error FROM outbox ORDER BY id").fetchall()
        assert [tuple(r) for r in columns] == [
            ("done", rows[0][1], None), ("failed", None, rows[1][1]), ("pending", None, None),
            ("conflict", None, rows[3][1]), ("done", "not json", None)]
        done = outbox.entries(["done"])
        assert done[0].answer == {"outcome": "done", "message": "ok", "created_id": 77}
        assert done[1].answer == {"message": "not json"}
        failed = outbox.entries(["failed"])[0]
        assert failed.error_text == "nope; memo: too long" and failed.to_dict()["result"] is None
        assert outbox.entries(["conflict"])[0].answer["server_modified_on"].startswith("2025-05-02")
    finally:
        new.close()
