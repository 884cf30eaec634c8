"""BigChange's provider against its sandbox over loopback HTTP: the feeds' rows (jobs with their planned windows
and resources, contacts, resources, job types) and what they cost, the edit command's exact PATCH bodies, each
refusal as an outcome with its field errors under the form's names, fetch_record and the status history."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jpm_tui.provider.base import Outcome
from jpm_tui.provider.bigchange.commands import EditJobFields, custom_field_name
from jpm_tui.provider.bigchange.provider import BigChangeProvider
from jpm_tui.provider.domain import parse_datetime


async def _rows(feed) -> tuple[list[Any], dict[str, list[Any]]]:
    rows: list[Any] = []
    also: dict[str, list[Any]] = {}
    async for page in feed.pages(None):
        rows += page.rows
        for table, more in page.also:
            also.setdefault(table, []).extend(more)
    return rows, also


def _job(state, test) -> dict[str, Any]:
    return next(j for j in sorted(state.tables["jobs"].values(), key=lambda j: j["id"]) if test(j))


async def test_feeds_fill_jobs_windows_resources_and_contacts(bc) -> None:
    feeds = {f.name: f for f in BigChangeProvider(bc.client).feeds()}
    assert list(feeds) == ["job_types", "resources", "contacts", "custom_field_definitions", "jobs"]
    jobs, also = await _rows(feeds["jobs"])
    assert len(jobs) == len(bc.state.tables["jobs"]) == 60 and {j.id for j in jobs} == set(bc.state.tables["jobs"])
    # One request per 1,000 jobs: the sweep's whole cost here (and one for the definitions, their own feed).
    assert [e.url.path for e in bc.wire.api("GET")] == ["/v1/jobs"]
    planned = [j for j in bc.state.tables["jobs"].values() if j["plannedStartAt"]]
    resourced = [j for j in planned if j["resourceId"]]
    assert len(also["appointments"]) == len(planned) and len(also["appointment_assignments"]) == len(resourced)
    started = _job(bc.state, lambda j: j["status"] == "started")
    job = next(j for j in jobs if j.id == started["id"])
    assert job.status == "started" and job.status.rank == 8
    assert job.modified_on == parse_datetime(started["realStartAt"])  # its version stamp: the latest of its stamps
    filled = _job(bc.state, lambda j: len(j["customFields"]) > 1)
    assert next(j for j in jobs if j.id == filled["id"]).raw == filled  # as received
    definitions, _ = await _rows(feeds["custom_field_definitions"])
    served = bc.state.tables["custom_field_definitions"]
    assert [(f.id, f.name, f.type, list(f.options)) for f in definitions] \
        == [(f["id"], f["name"], f["type"], f["options"]) for f in served.values()]
    assert any(f.type == "list" and f.options for f in definitions)
    window = next(a for a in also["appointments"] if a.job_id == started["id"])
    assert window.id == started["id"] and window.raw["realStartAt"] == started["realStartAt"]
    assignment = next(a for a in also["appointment_assignments"] if a.job_id == started["id"])
    assert assignment.technician_id == started["resourceId"]
    customers, more = await _rows(feeds["contacts"])
    assert len(customers) == len(more["locations"]) == len(bc.state.tables["contacts"])
    assert {c.type for c in more["contacts"]} == {"Phone", "Email"}
    technicians, _ = await _rows(feeds["resources"])
    assert sorted(t.name for t in technicians) == sorted(r["name"] for r in bc.state.tables["resources"].values())


@pytest.mark.parametrize(("changes", "cleared", "body"), [
    ({}, ("reference",), {"reference": None}),
    ({"plannedDuration": "75"}, (), {"plannedDuration": 75}),
    ({"reference": "PBS-X", "orderNumber": "PO-1"}, ("personId",),
     {"reference": "PBS-X", "orderNumber": "PO-1", "personId": None}),
], ids=["clear-reference", "only-duration", "set-and-clear"])
async def test_edit_sends_exactly_the_changed_and_cleared_fields(bc, changes, cleared, body) -> None:
    job = _job(bc.state, lambda j: j["status"] == "scheduled" and not j["customFields"])
    result = await BigChangeProvider(bc.client).execute(EditJobFields(job["id"], changes, cleared))
    assert result.outcome is Outcome.DONE and result.refresh == (("job", job["id"]),)
    [patch] = bc.wire.api("PATCH")
    assert patch.json() == body


async def test_custom_fields_set_and_unset_in_one_list(bc) -> None:
    job = _job(bc.state, lambda j: j["status"] not in ("started", "completedOk") and j["customFields"])
    kept = job["customFields"][0]["definitionId"]
    text = next(d for d in bc.state.tables["custom_field_definitions"].values() if d["type"] == "text")
    command = EditJobFields(job["id"], {custom_field_name(text["id"]): "AT-1"}, (custom_field_name(kept),))
    assert (await BigChangeProvider(bc.client).execute(command)).ok
    [patch] = bc.wire.api("PATCH")
    assert patch.json() == {"customFields": [{"definitionId": text["id"], "value": "AT-1"},
                                             {"definitionId": kept, "value": None}]}


async def test_refusals_come_back_under_the_form_names(bc) -> None:
    provider = BigChangeProvider(bc.client)
    started = _job(bc.state, lambda j: j["status"] == "started")
    result = await provider.execute(EditJobFields(started["id"], {"description": "new words"}))
    assert result.outcome is Outcome.REJECTED and result.detail["status"] == 422
    assert list(result.field_errors) == ["description"]
    numbers = next(d for d in bc.state.tables["custom_field_definitions"].values() if d["type"] == "number")
    result = await provider.execute(EditJobFields(started["id"], {custom_field_name(numbers["id"]): "lots"}))
    assert list(result.field_errors) == [custom_field_name(numbers["id"])]
    assert (await provider.execute(EditJobFields(999, {"reference": "x"}))).outcome is Outcome.NOT_FOUND


async def test_fetch_record_and_status_history(bc) -> None:
    provider = BigChangeProvider(bc.client)
    done = _job(bc.state, lambda j: j["status"] == "completedOk")
    record = await provider.fetch_record("job", done["id"])
    assert record["status"] == "completedOk"
    assert parse_datetime(record["modified_on"]) == parse_datetime(done["realEndAt"])
    assert json.dumps(record["raw"]) and record["completed_on"] is not None
    assert (await provider.fetch_record("appointment", done["id"]))["job_id"] == done["id"]
    assert await provider.fetch_record("job", 999) is None
    history = await provider.status_history(done["id"])
    assert [h.event for h in history][-3:] == ["On the way", "Started", "Completed OK"]
    assert [h.at for h in history] == sorted(h.at for h in history)
