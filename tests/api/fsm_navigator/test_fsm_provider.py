"""The FSM Navigator provider against its sandbox over loopback HTTP: the mapping (FSM's words kept, a job's window
and technician as its one appointment and assignment), the sync (a first fill, a cheap second run, a sweep that
finds a job gone; into each cache store), every command and its outcomes in the API's words, and the outbox's reads
(fetch_record, find_applied). The sandbox's clock is frozen at 2026-11-23T15:00Z; the provider reads the same
clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from support.fsm_world import FsmServer, Sleeps
from support.stores import both_stores

from jpm_tui.api.fsm_navigator import FsmNavigatorClient
from jpm_tui.cache.store.interface import Store
from jpm_tui.cache.sync import SyncEngine
from jpm_tui.provider import domain as d
from jpm_tui.provider.base import Outcome
from jpm_tui.provider.fsm_navigator.mapping import job_rows
from jpm_tui.provider.fsm_navigator.provider import FsmNavigatorProvider
from jpm_tui.sandbox.fsm_navigator import API_KEY, FsmState

UTC = UTC


class Requests:
    """Every request the client sends, as (method, path with query)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, request: httpx.Request) -> None:
        query = request.url.query.decode()
        self.seen.append((request.method, request.url.path + (f"?{query}" if query else "")))

    def jobs(self) -> list[tuple[str, str]]:
        return [r for r in self.seen if r[1].endswith("/jobs") or "/jobs?" in r[1]]


@pytest.fixture
def requests() -> Requests:
    return Requests()


@pytest.fixture
async def client(fsm_server: FsmServer, sleeps: Sleeps, requests: Requests) -> AsyncIterator[FsmNavigatorClient]:
    async with FsmNavigatorClient(api_url=fsm_server.api_url, api_key=API_KEY, rate_limit=None,
                                  sleep=sleeps) as c:
        c._http.event_hooks["request"].append(requests)
        yield c


@pytest.fixture
def provider(client: FsmNavigatorClient, store: Store, fsm_state: FsmState) -> FsmNavigatorProvider:
    return FsmNavigatorProvider(client, cached=store, clock=fsm_state.now)


async def _sync(store: Store, provider: FsmNavigatorProvider, feeds: list[str] | None = None):
    async with SyncEngine(store, provider) as engine:
        summary = await engine.run(feeds)
    assert summary.ok, summary.error_line()
    return {r.feed: r for r in summary.results}


# ------------------------------------------------------------------------------------------------ mapping


@both_stores
async def test_a_job_maps_to_its_row_its_window_and_its_technician_with_fsm_s_words(client, store, fsm_state):
    payload = (await client.jobs.get(10003)).to_payload()
    job, window, assignment = job_rows(payload)
    assert (job.id, job.number, job.status.value, job.priority.value) == (10003, "10003", "In Progress",
                                                                          payload["job_priority"])
    assert (job.summary, job.location_id, job.customer_id) == (payload["job_title"], 523, payload["customer_id"])
    assert job.modified_on == datetime.fromisoformat(payload["updated_at"])
    assert (window.id, window.job_id, window.start, window.status.value, window.active) == (
        10003, 10003, datetime(2026, 11, 23, 12, 30, tzinfo=UTC), "In Progress", True)  # 7:30 in Columbus, Ohio
    assert (assignment.appointment_id, assignment.technician_id, assignment.active) == (10003, 16, True)
    store.upsert("jobs", [job])  # the cache gives FSM's words back, not ServiceTitan's InProgress
    assert store.job(10003).status.value == "In Progress"
    pending = (await client.jobs.get(10019)).to_payload()  # Pending, nobody; without its window:
    unscheduled = job_rows(pending | {"scheduled_start": None, "scheduled_end": None})
    assert (unscheduled[1].active, unscheduled[2].active) == (False, False)


# --------------------------------------------------------------------------------------------------- sync


@both_stores
async def test_first_sync_fills_jobs_windows_technicians_and_places_with_assets(store, provider, requests):
    results = await _sync(store, provider)
    assert results["jobs"].records == 30 and results["locations"].complete
    assert store.counts()["jobs"] == 30
    assert [(a.id, a.start) for a in store.appointments_for_job(10001)] == [
        (10001, datetime(2026, 12, 5, 13, 30, tzinfo=UTC))]
    assert store.appointment_technicians(10002) == {10002: store.technician(11).name}
    assert store.appointment_technicians(10001) == {10001: ""}  # nobody yet
    links = d.linked_assets(store.job(10022))  # an open job read alone: its links and their relationship types
    assert links and all(link["relationship_type"] for link in links)
    assert d.linked_assets(store.job(10009)) is None  # a cancelled one is not read alone
    location = store.location(561)
    assert location is not None and d.linked_assets(location)  # the assets at a location, for the link picker
    # A sweep: one list page; a single read per open job (12 of them), nothing else on /jobs.
    listed = [r for r in requests.jobs() if "page=" in r[1]]
    assert len(listed) == 1
    assert len(requests.jobs()) == 1 + 12


@both_stores
async def test_a_second_sync_reads_the_recent_window_only_and_writes_what_changed(store, provider, requests,
                                                                                fsm_state):
    await _sync(store, provider)
    job = fsm_state.jobs[10001]
    fsm_state.advance(600)
    job["job_title"], job["updated_at"] = "Heat pump iced over again", fsm_state.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    fsm_state.changed()
    requests.seen.clear()
    results = await _sync(store, provider)
    assert results["jobs"].records == 1  # the other recent jobs did not move
    assert store.job(10001).summary == "Heat pump iced over again"
    # Within the hour: no directory read, no sweep; the recent window and the changed (open) job alone.
    assert requests.seen == [("GET", "/api/v1/jobs?created_after=2026-11-09&page=1&per_page=100"),
                               ("GET", "/api/v1/jobs?id=10001")]


@both_stores
async def test_the_hourly_sweep_marks_a_job_gone_from_the_server_inactive(store, provider, fsm_state):
    await _sync(store, provider)
    del fsm_state.jobs[10006]
    fsm_state.changed()
    fsm_state.advance(30 * 60)
    await _sync(store, provider, ["jobs"])
    assert store.job(10006).active  # a recent pass does not judge old jobs
    fsm_state.advance(31 * 60)
    results = await _sync(store, provider, ["jobs"])
    assert results["jobs"].records == 1
    assert not store.job(10006).active
    assert store.appointments_for_job(10006) == []
    assert store.job(10007).active


@both_stores
async def test_a_sweep_resumes_at_the_page_after_the_last_one_stored(store, provider, fsm_state, monkeypatch,
                                                                    requests):
    from jpm_tui.provider.fsm_navigator import feeds

    monkeypatch.setattr(feeds, "PER_PAGE", 10)
    pages = provider.jobs.pages(None)
    first = await anext(pages)
    await pages.aclose()  # stopped after one page (its token stored with it)
    assert first.has_more and len(first.rows) == 10
    requests.seen.clear()
    rest = [page async for page in provider.jobs.pages(first.token)]
    assert [len(p.rows) for p in rest] == [10, 10] and not rest[-1].has_more
    assert [r for r in requests.jobs() if "page=" in r[1]][0][1].endswith("page=2&per_page=10")


def _stored(store: Store) -> int:
    return next(s.rows_total for s in store.sync_states() if s.feed == "jobs")


def _active(store: Store) -> int:
    return sum(1 for _, active in store.job_versions(0, 2**62).values() if active)


async def test_stored_counts_the_jobs_listed_not_every_row_written(store, provider, fsm_state):
    await _sync(store, provider)
    assert _stored(store) == _active(store) == len(fsm_state.jobs) == 30
    assert (await provider.execute(d.SetJobStatus(10001, "Assigned"))).outcome is Outcome.DONE
    results = await _sync(store, provider, ["jobs"])  # the touched pass rewrites the job: not one more job
    assert results["jobs"].records == 1 and _stored(store) == 30
    del fsm_state.jobs[10006]
    fsm_state.changed()
    fsm_state.advance(61 * 60)
    await _sync(store, provider, ["jobs"])  # the sweep marks it inactive: one job fewer, not one more row
    assert _stored(store) == _active(store) == 29


async def test_a_job_deleted_at_a_page_edge_is_marked_gone_and_one_shifted_onto_the_page_before_is_kept(
        store, provider, fsm_state, monkeypatch, requests):
    from jpm_tui.provider.fsm_navigator import feeds

    monkeypatch.setattr(feeds, "PER_PAGE", 10)
    await _sync(store, provider)
    fsm_state.advance(61 * 60)  # the next run is a sweep
    pages = provider.jobs.pages(None)
    first = await anext(pages)  # jobs 10001-10010, stored with their token
    await pages.aclose()
    # Meanwhile, before page 2 is read: the first job it would list is deleted, and so is one of page 1, which
    # shifts 10012 onto page 1 (already read): page 2 now starts at 10013.
    for job_id in (10005, 10011):
        del fsm_state.jobs[job_id]
    fsm_state.changed()
    requests.seen.clear()
    second = await anext(provider.jobs.pages(first.token))
    assert ("GET", "/api/v1/jobs?id=10011") in requests.seen and ("GET", "/api/v1/jobs?id=10012") in requests.seen
    inactive = {row.id for row in second.rows if not row.active}
    assert inactive == {10011}  # gone; 10012 is on the server still (page 1 missed it), 10005 waits for page 1


# ----------------------------------------------------------------------------------------------- commands


async def test_status_moves_follow_the_api_s_table_and_a_refused_one_says_why(provider, fsm_state):
    assigned = await provider.execute(d.SetJobStatus(10001, "Assigned"))
    assert assigned.ok and fsm_state.jobs[10001]["job_status"] == "Assigned"
    assert assigned.refresh == (("job", 10001),)
    working = await provider.execute(d.SetJobStatus(10001, "In Progress"))
    assert working.ok and fsm_state.jobs[10001]["job_status"] == "In Progress"
    refused = await provider.execute(d.SetJobStatus(10019, "Completed"))
    assert refused.outcome is Outcome.REJECTED
    assert refused.message == ("Cannot change the job's status from Pending to Completed: "
                               "from Pending the job can go to Assigned, Cancelled")
    assert fsm_state.jobs[10019]["job_status"] == "Pending"


async def test_edits_assignments_windows_and_asset_links_are_puts(provider, fsm_state):
    job = fsm_state.jobs[10001]
    assert (await provider.execute(d.EditJob(10001, {"summary": "New title", "description": "More words",
                                                     "priority": "Urgent"}))).ok
    assert (job["job_title"], job["job_description"], job["job_priority"]) == ("New title", "More words", "Urgent")
    assert (await provider.execute(d.AssignJobTechnician(10001, 12))).ok and job["assigned_technician_id"] == 12
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert (await provider.execute(d.RescheduleJob(10001, start, start + timedelta(hours=2)))).ok
    assert (job["scheduled_start"], job["scheduled_end"]) == ("2026-11-30T09:00:00Z", "2026-11-30T11:00:00Z")
    # The calendar's moves of the job's one appointment (its id is the job's).
    assert (await provider.execute(d.AssignTechnicians(10001, (14,)))).ok and job["assigned_technician_id"] == 14
    assert (await provider.execute(d.UnassignTechnicians(10001, (14,)))).ok and job["assigned_technician_id"] is None
    assert (await provider.execute(d.RescheduleAppointment(10001, start, start + timedelta(hours=1)))).ok
    assert job["scheduled_end"] == "2026-11-30T10:00:00Z"
    here = [a for a in fsm_state.records["assets"].values() if a["location_id"] == job["customer_location_id"]]
    kept = fsm_state.jobs[10022]["assets"][0]["asset_id"]
    assert (await provider.execute(d.LinkAssets(10022, (here[0]["asset_id"] if here else kept,)))).ok
    assert kept in [link["asset_id"] for link in fsm_state.jobs[10022]["assets"]]  # the link it had stays
    assert (await provider.execute(d.UnlinkAssets(10022, (kept,)))).ok
    assert kept not in [link["asset_id"] for link in fsm_state.jobs[10022]["assets"]]


async def test_api_errors_come_back_in_its_words_with_domain_field_names(provider):
    bad = await provider.execute(d.EditJob(10001, {"summary": " "}))
    assert bad.outcome is Outcome.REJECTED and "job_title must be text" in bad.message
    assert list(bad.field_errors) == ["summary"]
    gone = await provider.execute(d.SetJobStatus(99999, "Assigned"))
    assert gone.outcome is Outcome.NOT_FOUND
    unknown = await provider.execute(d.CancelJob(10001, 1))
    assert unknown.outcome is Outcome.REJECTED and "cannot do" in unknown.message


async def test_create_job_answers_its_id_and_a_lost_answer_finds_it(provider, fsm_state):
    start = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    command = d.CreateJob(513, "Replace filter", description="Roof unit", priority="High", technician_id=11,
                          start=start, end=start + timedelta(hours=1))
    since = fsm_state.now() - timedelta(minutes=1)
    created = await provider.execute(command)
    assert created.ok and created.created_id == 10031
    job = fsm_state.jobs[10031]
    assert (job["job_title"], job["job_status"], job["assigned_technician_id"], job["scheduled_start"]) == (
        "Replace filter", "Pending", 11, "2026-11-25T08:00:00Z")
    found = await provider.find_applied(command, since)
    assert found is not None and found.created_id == 10031
    assert await provider.find_applied(d.CreateJob(513, "Another title"), since) is None
    assert await provider.find_applied(d.SetJobStatus(10001, "Assigned"), since) is None


async def test_fetch_record_gives_updated_at_as_modified_on(provider, fsm_state):
    record = await provider.fetch_record("job", 10003)
    assert record["modified_on"] == d.format_datetime(datetime.fromisoformat(fsm_state.jobs[10003]["updated_at"]))
    assert record["status"] == "In Progress"
    window = await provider.fetch_record("appointment", 10003)
    assert (window["id"], window["job_id"]) == (10003, 10003)
    assert await provider.fetch_record("job", 99999) is None


@both_stores
async def test_a_queued_move_the_server_made_invalid_is_held_then_refused_in_the_api_s_words(store, provider,
                                                                                           fsm_state):
    from jpm_tui.cache.outbox import Outbox, OutboxState

    await _sync(store, provider)
    outbox = Outbox(store, provider)
    queued = outbox.enqueue(d.SetJobStatus(10001, "Assigned"))  # offline, while Pending
    fsm_state.advance(60)  # meanwhile another dispatcher cancels the job
    job = fsm_state.jobs[10001]
    job["job_status"], job["updated_at"] = "Cancelled", fsm_state.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    fsm_state.changed()
    await outbox.replay()
    assert outbox.get(queued.id).state == OutboxState.CONFLICT  # the job moved on the server since it was queued
    refused = await outbox.confirm(queued.id)  # the dispatcher sends it anyway
    assert refused.state == OutboxState.FAILED and job["job_status"] == "Cancelled"
    assert refused.message == ("Cannot change the job's status from Cancelled to Assigned: "
                               "Cancelled is a terminal status")


@both_stores
async def test_a_poll_within_a_minute_of_the_last_recent_pass_sends_nothing(store, provider, requests, fsm_state):
    await _sync(store, provider)
    fsm_state.advance(120)
    await _sync(store, provider, ["jobs"])  # a recent pass
    requests.seen.clear()
    fsm_state.advance(30)
    await _sync(store, provider, ["jobs"])
    assert requests.seen == []
