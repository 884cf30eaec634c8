"""A BigChange sync into a cache and its outbox, against its sandbox over loopback HTTP: what a later sweep does to
the rows an earlier one stored when a job changed on the server in between, and a queued write meeting a job that
changed after it was queued; a contact's people as the board reads them when a job is opened online. Each on every
cache store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from support.stores import both_stores

from jpm_tui.cache.outbox import Outbox, OutboxState
from jpm_tui.cache.store.interface import Store
from jpm_tui.cache.sync import SyncEngine
from jpm_tui.provider.bigchange.commands import EditJobFields
from jpm_tui.provider.bigchange.provider import BigChangeProvider


def _job(state: Any, test: Any) -> dict[str, Any]:
    return next(j for j in sorted(state.tables["jobs"].values(), key=lambda j: j["id"]) if test(j))


async def _sync(bc: Any, store: Store) -> None:
    async with SyncEngine(store, BigChangeProvider(bc.client)) as engine:
        summary = await engine.run()
    assert summary.ok, summary


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
