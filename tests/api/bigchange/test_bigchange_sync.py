"""A BigChange sync into a cache and its outbox, against its sandbox over loopback HTTP: what a later sweep does to
the rows an earlier one stored when a job changed or went on the server in between, a sweep cut midway resumed from
the page after the last one stored, and a queued write meeting a job that changed after it was queued; a contact's
people as the board reads them when a job is opened online. Each on every cache store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

from support.stores import both_stores

from jpm_tui.cache.outbox import Outbox, OutboxState
from jpm_tui.cache.store.interface import Store
from jpm_tui.cache.sync import SyncEngine
from jpm_tui.provider.bigchange.commands import EditJobFields
from jpm_tui.provider.bigchange.provider import BigChangeProvider


def _job(state: Any, test: Any) -> dict[str, Any]:
    return next(j for j in sorted(state.tables["jobs"].values(), key=lambda j: j["id"]) if test(j))


PAGE = 10
"""Jobs a sweep's page in the tests that count pages (60 jobs: six full pages, then an empty one)."""


async def _sync(bc: Any, store: Store, page_size: int = 1000) -> None:
    async with SyncEngine(store, BigChangeProvider(bc.client, cached=store, page_size=page_size)) as engine:
        summary = await engine.run()
    assert summary.ok, summary


def _job_requests(bc: Any) -> list[dict[str, list[str]]]:
    """The query of each job list request the sandbox answered, in order."""
    return [parse_qs(e.url.query.decode()) for e in bc.wire.api("GET") if e.url.path == "/v1/jobs"]


def _active(store: Store, job_id: int) -> bool:
    versions = store.job_versions(job_id, job_id)
    assert job_id in versions, f"job {job_id} not cached"
    return versions[job_id][1]


def _lane(store: Store, job: dict[str, Any]) -> list[int]:
    """The technicians whose calendar lane shows the job's window on its day."""
    window = store.appointment(job["id"])
    assert window is not None
    day = window.start.replace(hour=0, minute=0)
    return [tech for appt, tech, _ in store.calendar_assignments(day, day + timedelta(days=1)) if appt == job["id"]]


@both_stores
async def test_a_cleared_resource_deactivates_the_assignment_and_a_changed_one_moves_it(bc, store: Store) -> None:
    cleared = _job(bc.state, lambda j: j["status"] == "scheduled" and j["resourceId"])
    moved = _job(bc.state, lambda j: j["status"] == "accepted" and j["resourceId"])
    unplanned = _job(bc.state, lambda j: j["status"] == "sent" and j["resourceId"])
    other = next(r for r in bc.state.tables["resources"].values() if r["id"] != moved["resourceId"])
    await _sync(bc, store)
    assert _lane(store, cleared) == [cleared["resourceId"]] and _lane(store, moved) == [moved["resourceId"]]
    assert store.appointment_technicians(cleared["id"])[cleared["id"]] == cleared["resourceName"]
    server = bc.state.tables["jobs"]
    server[cleared["id"]].update(resourceId=None, resourceName=None, status="unscheduled")
    server[moved["id"]].update(resourceId=other["id"], resourceName=other["name"])
    server[unplanned["id"]].update(resourceId=None, resourceName=None, plannedStartAt=None, plannedEndAt=None,
                                   status="unscheduled")
    await _sync(bc, store)
    assert store.appointments_for_job(unplanned["id"]) == []  # its window is gone from the calendar
    row = store.job_list_row(unplanned["id"])
    assert row is not None and (row.next_appointment, row.technicians) == (None, "")
    assert _lane(store, cleared) == [] and store.appointment_technicians(cleared["id"])[cleared["id"]] == ""
    assert _lane(store, moved) == [other["id"]]
    row = store.job_list_row(cleared["id"])
    assert row is not None and row.technicians == ""  # the list's technician column
    row = store.job_list_row(moved["id"])
    assert row is not None and row.technicians == other["name"]
    server[cleared["id"]].update(resourceId=moved["resourceId"], resourceName=moved["resourceName"])
    await _sync(bc, store)
    assert _lane(store, cleared) == [moved["resourceId"]]


@both_stores
async def test_a_job_started_after_a_write_was_queued_is_a_conflict_not_an_overwrite(bc, store: Store) -> None:
    changed = _job(bc.state, lambda j: j["status"] == "accepted")
    untouched = _job(bc.state, lambda j: j["status"] == "scheduled")
    await _sync(bc, store)
    outbox = Outbox(store, BigChangeProvider(bc.client), clock=lambda: bc.state.now())
    held = outbox.enqueue(EditJobFields(changed["id"], {"description": "Fit the new valve"}))
    sent = outbox.enqueue(EditJobFields(untouched["id"], {"reference": "PBS-NEW"}))
    assert held.base_modified_on is not None
    bc.state.advance(600)
    bc.state.set_job_status(changed["id"], "started")  # the resource starts it meanwhile
    report = await outbox.replay()
    assert report.conflicts == [held.id] and report.done == [sent.id]
    entry = outbox.get(held.id)
    assert entry.state == OutboxState.CONFLICT and "changed on the server" in entry.answer["message"]
    assert [job_id for job_id, _ in bc.state.received_patches] == [untouched["id"]]
    assert bc.state.tables["jobs"][changed["id"]]["description"] == changed["description"]
    assert store.job(changed["id"]).status == "started"  # the conflict stored the server's copy


@both_stores
async def test_custom_field_definitions_are_cached_and_one_no_longer_listed_goes_inactive(bc, store: Store) -> None:
    served = bc.state.tables["custom_field_definitions"]
    await _sync(bc, store)
    assert sorted((f.id, f.name) for f in store.custom_field_definitions()) \
        == sorted((f["id"], f["name"]) for f in served.values())
    gone = min(served)
    del served[gone]
    await _sync(bc, store)
    assert gone not in {f.id for f in store.custom_field_definitions()}
    assert gone in {f.id for f in store.custom_field_definitions(include_inactive=True)}


@both_stores
async def test_a_contacts_people_are_read_and_one_no_longer_listed_goes_inactive(bc, store: Store) -> None:
    contact = next(c for c in bc.state.tables["contacts"].values()
                   if sum(p["contactId"] == c["id"] for p in bc.state.tables["persons"].values()) > 1)
    served = sorted((p for p in bc.state.tables["persons"].values() if p["contactId"] == contact["id"]),
                    key=lambda p: (not p["isPrimary"], p["name"]))
    provider = BigChangeProvider(bc.client)
    people = await provider.people(contact["id"])
    assert [(p.id, p.name, p.primary, p.customer_id) for p in people] \
        == [(p["id"], p["name"], p["isPrimary"], contact["id"]) for p in served]
    assert [e.url.path for e in bc.wire.api("GET")] == [f"/v1/contacts/{contact['id']}/persons"]
    store.save_people(contact["id"], people)
    assert [p.id for p in store.people_of(contact["id"])] == [p["id"] for p in served]
    del bc.state.tables["persons"][served[-1]["id"]]
    store.save_people(contact["id"], await provider.people(contact["id"]))
    assert [p.id for p in store.people_of(contact["id"])] == [p["id"] for p in served[:-1]]


@both_stores
async def test_a_sweep_cut_after_a_page_resumes_at_the_next_and_judges_only_what_it_listed(bc, store: Store) -> None:
    served = bc.state.tables["jobs"]
    ids = sorted(served)
    await _sync(bc, store, PAGE)  # a first complete sweep: every job cached
    bc.wire.exchanges.clear()
    bc.wire.cut = lambda r: r.url.path == "/v1/jobs" and r.url.params.get("pageNumber") == "3"
    async with SyncEngine(store, BigChangeProvider(bc.client, cached=store, page_size=PAGE)) as engine:
        cut = await engine.run(["jobs"])
    assert not cut.ok and [q["pageNumber"] for q in _job_requests(bc)] == [["1"], ["2"]]
    # Meanwhile on the server: a job of page 5 goes, one of page 1 (listed before the cut) goes too, so every later
    # job moves back one place and ids[20], the resumed page's first, now ends page 2; one of page 4 changes.
    del served[ids[45]], served[ids[3]]
    served[ids[35]]["description"] = "Changed while the sweep was cut"
    bc.wire.cut = lambda r: False
    bc.wire.exchanges.clear()
    await _sync(bc, store, PAGE)
    requests = _job_requests(bc)
    assert [q.get("pageNumber") for q in requests] == [["3"], ["1"], ["4"], ["5"], ["6"]]
    assert requests[1]["jobId"] == [str(ids[20])]  # the one cached job between page 2's last and page 3's first
    assert not _active(store, ids[45])  # gone from the server: inactive once the sweep is complete
    assert store.appointments_for_job(ids[45]) == []
    assert all(_active(store, i) for i in ids if i != ids[45])  # ids[3] was listed before the cut: kept
    assert store.job(ids[35]).raw["description"] == "Changed while the sweep was cut"
    assert store.token("jobs") is None  # complete: the next sweep starts at page 1
    [state] = [s for s in store.sync_states() if s.feed == "jobs"]
    # the sweep's counts, not the sum of every sweep's: the jobs it listed (ids[3] too, still active), its pages
    assert (state.rows_total, state.pages_total) == (sum(_active(store, i) for i in ids), 6) == (len(served) + 1, 6)
    bc.wire.exchanges.clear()
    await _sync(bc, store, PAGE)
    assert [q["pageNumber"] for q in _job_requests(bc)] == [["1"], ["2"], ["3"], ["4"], ["5"], ["6"]]
    assert not _active(store, ids[3])
    assert {i for i in ids if _active(store, i)} == set(served)


@both_stores
async def test_jobs_gone_from_the_server_go_inactive_within_a_page_and_between_two(bc, store: Store) -> None:
    served = bc.state.tables["jobs"]
    ids = sorted(served)
    planned = next(i for i in ids[12:19] if served[i]["plannedStartAt"] and served[i]["resourceId"])
    await _sync(bc, store, PAGE)
    assert store.appointments_for_job(planned) != []
    bc.wire.exchanges.clear()
    # ids[10] would start page 2: once gone, page 1 ends at ids[9] and page 2 starts at ids[11], so no page's span
    # holds it; the planned job goes from within page 2, the last job from the last page.
    del served[ids[10]], served[planned], served[ids[-1]]
    await _sync(bc, store, PAGE)
    assert {i for i in ids if _active(store, i)} == set(served)
    row = store.job_list_row(planned)
    assert store.appointments_for_job(planned) == [] and row is not None and not row.active
    requests = _job_requests(bc)
    assert [q.get("pageNumber") for q in requests] == [["1"], ["2"], ["1"], ["3"], ["4"], ["5"], ["6"]]
    assert requests[2]["jobId"] == [str(ids[10])]  # asked for by id: the sweep cannot tell it from a shifted job


@both_stores
async def test_a_token_not_of_this_sweep_starts_it_from_the_first_page(bc, store: Store) -> None:
    store.save_token("jobs", '{"sweep_page": 4}')  # another version's (or another backend's) position
    await _sync(bc, store, PAGE)
    assert [q["pageNumber"] for q in _job_requests(bc)] == [[str(n)] for n in range(1, 8)]
    assert {i for i in bc.state.tables["jobs"] if _active(store, i)} == set(bc.state.tables["jobs"])
