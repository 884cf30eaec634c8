"""The Jobs API v1 operations, client against sandbox over HTTP: list (filters, paging), get, create, update
(fields and asset syncing). Expectations are worked out from the sandbox's records, not from its code."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from support.fsm_world import FROZEN_NOW, JOBS

from jpm_tui.api.errors import NotFoundError, ValidationError
from jpm_tui.api.fsm_navigator import JobChanges, NewJob


def _created(job: dict) -> datetime:
    return datetime.fromisoformat(job["created_at"].replace("Z", "+00:00"))


# ------------------------------------------------------------------------------------------------ list


async def test_iterating_to_the_end_returns_every_job_once(fsm, fsm_state):
    pages = [page async for page in fsm.jobs.pages(per_page=7)]
    assert [p.pagination.page for p in pages] == [1, 2, 3, 4, 5]
    assert all((p.pagination.per_page, p.pagination.total, p.pagination.total_pages) == (7, JOBS, 5) for p in pages)
    assert [len(p.items) for p in pages] == [7, 7, 7, 7, 2]
    ids = [job.job_id for page in pages for job in page.items]
    assert ids == sorted(fsm_state.jobs) and len(set(ids)) == JOBS
    assert all(job.assets is None for page in pages for job in page.items)  # the list has no assets array


async def test_paging_defaults_and_limits(fsm_server):
    async with fsm_server.http() as http:
        default = (await http.get("/jobs")).json()
        capped = (await http.get("/jobs", params={"per_page": 150})).json()
        past_the_end = (await http.get("/jobs", params={"page": 9, "per_page": 10})).json()
        zero = await http.get("/jobs", params={"per_page": 0})
    assert default["pagination"] == {"page": 1, "per_page": 50, "total": JOBS, "total_pages": 1}
    assert set(default) == {"data", "pagination", "request_id"}
    assert capped["pagination"]["per_page"] == 100  # above the maximum: capped, and said so
    assert past_the_end["data"] == [] and past_the_end["pagination"]["total_pages"] == 3
    assert zero.status_code == 400 and zero.json()["error"] == "validation_failed" and "per_page" in zero.json()["errors"]


async def test_the_client_never_asks_for_more_than_100_a_page(fsm):
    with pytest.raises(ValueError, match="per_page"):
        [job async for job in fsm.jobs.all(per_page=101)]


@pytest.mark.parametrize(("name", "field", "value"), [
    ("status", "job_status", "Closed"),
    ("priority", "job_priority", "High"),
    ("assigned_technician_id", "assigned_technician_id", 12),
])
async def test_each_filter_returns_exactly_the_matching_jobs(fsm, fsm_state, name, field, value):
    expected = [j["job_id"] for j in fsm_state.jobs.values() if j[field] == value]
    assert expected, "the seeded data should hold such jobs"
    assert [job.job_id async for job in fsm.jobs.all(**{name: value}, per_page=4)] == expected


async def test_location_filter_and_filters_combined(fsm, fsm_state):
    location = fsm_state.jobs[10002]["customer_location_id"]
    at_location = [j["job_id"] for j in fsm_state.jobs.values() if j["customer_location_id"] == location]
    assert [j.job_id async for j in fsm.jobs.all(customer_location_id=location)] == at_location
    status = fsm_state.jobs[10002]["job_status"]
    both = [j.job_id async for j in fsm.jobs.all(customer_location_id=location, status=status)]
    assert 10002 in both and all(fsm_state.jobs[i]["job_status"] == status for i in both)


async def test_created_after_and_before_are_inclusive(fsm, fsm_state):
    times = sorted({_created(j) for j in fsm_state.jobs.values()})
    low, high = times[5], times[-5]
    expected = sorted(i for i, j in fsm_state.jobs.items() if low <= _created(j) <= high)
    got = [j.job_id async for j in fsm.jobs.all(created_after=low, created_before=high)]
    assert got == expected
    assert low in {j.created_at for j in await _all(fsm, created_after=low, created_before=low)}


async def test_a_bare_date_as_upper_bound_reaches_the_end_of_that_day(fsm, fsm_state):
    day = FROZEN_NOW.date() - timedelta(days=1)
    expected = sorted(i for i, j in fsm_state.jobs.items() if _created(j).date() <= day)
    assert [j.job_id async for j in fsm.jobs.all(created_before=day)] == expected
    assert [j.job_id async for j in fsm.jobs.all(created_after=date(2030, 1, 1))] == []


@pytest.mark.parametrize(("name", "value"), [("status", "Done"), ("priority", "urgent"),
                                             ("created_after", "last tuesday"), ("assigned_technician_id", "x")])
async def test_a_bad_filter_is_validation_failed_naming_it(fsm, name, value):
    with pytest.raises(ValidationError) as refused:
        await _all(fsm, **{name: value})
    assert refused.value.type == "validation_failed" and refused.value.field_errors(name)


async def _all(fsm, **filters) -> list:
    return [job async for job in fsm.jobs.all(**filters)]


# ------------------------------------------------------------------------------------------------- get


async def test_get_returns_the_job_with_its_linked_assets(fsm, fsm_state):
    linked = next(i for i, j in fsm_state.jobs.items() if j["assets"])
    job = await fsm.jobs.get(linked)
    record = fsm_state.jobs[linked]
    assert (job.job_id, job.job_title, job.job_status, job.customer_name) == (
        linked, record["job_title"], record["job_status"], record["customer_name"])
    asset = fsm_state.records["assets"][record["assets"][0]["asset_id"]]
    assert [(a.asset_id, a.asset_tag, a.asset_name) for a in job.assets] == [
        (asset["asset_id"], asset["asset_tag"], asset["asset_name"])]
    assert job.assets[0].relationship_type == record["assets"][0]["relationship_type"]
    assert job.to_payload()["job_id"] == linked


async def test_get_of_an_unknown_job_is_not_found(fsm):
    with pytest.raises(NotFoundError) as missing:
        await fsm.jobs.get(99999)
    assert (missing.value.status, missing.value.type) == (404, "not_found")
    assert "99999" in missing.value.title and missing.value.trace_id


# ---------------------------------------------------------------------------------------------- create


async def test_create_answers_201_and_the_job_is_there(fsm_server, fsm, fsm_state):
    body = {"job_title": "AC unit repair", "customer_location_id": 501, "job_priority": "High",
            "assigned_technician_id": 11, "scheduled_start": "2026-11-25T09:00:00Z",
            "scheduled_end": "2026-11-25T11:00:00Z", "asset_ids": [1001, 424242]}
    async with fsm_server.http() as http:
        answer = await http.post("/jobs", json=body)
    assert answer.status_code == 201
    envelope = answer.json()
    assert (envelope["success"], envelope["message"]) == (True, "Job created successfully")
    assert set(envelope["data"]) >= {"job_id", "job_title", "job_status", "created_at"} and envelope["request_id"]
    job = await fsm.jobs.get(envelope["data"]["job_id"])
    assert (job.job_status, job.job_priority, job.assigned_technician_name) == ("Pending", "High", "Mike Johnson")
    assert (job.customer_location_id, job.customer_id) == (501, 201)
    assert job.scheduled_start == datetime(2026, 11, 25, 9, tzinfo=UTC)
    assert job.created_at == job.updated_at == FROZEN_NOW
    assert [(a.asset_id, a.relationship_type) for a in job.assets] == [(1001, "serviced")]  # 424242 skipped


async def test_create_through_the_client_returns_the_new_id(fsm, fsm_state):
    created = await fsm.jobs.create(NewJob(job_title="Replace compressor on Unit #7", customer_location_id=502,
                                           asset_ids=[1002], asset_relationship_type="replaced"))
    assert created.data.job_id == max(fsm_state.jobs) and created.data.job_status == "Pending"
    assert created.message == "Job created successfully"
    job = await fsm.jobs.get(created.data.job_id)
    assert (job.job_priority, job.assigned_technician_id) == ("Medium", None)
    assert [(a.asset_id, a.relationship_type) for a in job.assets] == [(1002, "replaced")]


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"job_title", "customer_location_id"}),
    ({"job_title": "  ", "customer_location_id": 501}, {"job_title"}),
    ({"job_title": "x", "customer_location_id": 11}, {"customer_location_id"}),
    ({"job_title": "x", "customer_location_id": 501, "job_priority": "Critical"}, {"job_priority"}),
    ({"job_title": "x", "customer_location_id": 501, "assigned_technician_id": 18}, {"assigned_technician_id"}),
    ({"job_title": "x", "customer_location_id": 501, "scheduled_start": "2026-11-25T11:00:00Z",
      "scheduled_end": "2026-11-25T09:00:00Z"}, {"scheduled_end"}),
    ({"job_title": "x", "customer_location_id": 501, "job_status": "Assigned", "colour": "red"},
     {"job_status", "colour"}),
])
async def test_create_refuses_bad_bodies_naming_every_field(fsm_server, fsm_state, body, fields):
    async with fsm_server.http() as http:
        answer = await http.post("/jobs", json=body)
    assert answer.status_code == 400
    error = answer.json()
    assert (error["success"], error["error"]) == (False, "validation_failed")
    assert set(error["errors"]) == fields and error["message"] and error["request_id"]
    assert len(fsm_state.jobs) == JOBS


async def test_a_typo_in_a_new_job_fails_before_the_network():
    with pytest.raises(ValueError):
        NewJob(job_title="x", customer_location_id=501, job_priorty="High")


# ---------------------------------------------------------------------------------------------- update


async def test_update_changes_the_fields_sent_and_moves_updated_at(fsm, fsm_state):
    fsm_state.advance(3600)
    answer = await fsm.jobs.update(10002, JobChanges(job_priority="Urgent", job_description="Escalated",
                                                     assigned_technician_id=None, customer_location_id=503))
    assert answer.message == "Job updated successfully" and answer.data.job_id == 10002
    job = await fsm.jobs.get(10002)
    assert (job.job_priority, job.job_description) == ("Urgent", "Escalated")
    assert (job.assigned_technician_id, job.assigned_technician_name) == (None, None)
    assert (job.customer_location_id, job.customer_id, job.customer_name) == (503, 201, "Maple Ridge Dental")
    assert job.job_status == fsm_state.jobs[10002]["job_status"]  # a PUT never moves the status
    assert job.updated_at == FROZEN_NOW + timedelta(hours=1)


async def test_an_update_that_changes_nothing_leaves_updated_at(fsm, fsm_state):
    before = fsm_state.jobs[10002]["updated_at"]
    fsm_state.advance(3600)
    await fsm.jobs.update(10002, JobChanges(job_title=fsm_state.jobs[10002]["job_title"]))
    assert fsm_state.jobs[10002]["updated_at"] == before


async def test_update_refuses_job_status_and_unknown_jobs(fsm_server, fsm):
    async with fsm_server.http() as http:
        answer = await http.put("/jobs", params={"id": 10002}, json={"job_status": "Completed"})
        no_id = await http.put("/jobs", json={"job_title": "x"})
    assert answer.status_code == 400 and "PATCH" in answer.json()["errors"]["job_status"][0]
    assert no_id.status_code == 400 and "id" in no_id.json()["errors"]
    with pytest.raises(NotFoundError):
        await fsm.jobs.update(99999, JobChanges(job_title="x"))


async def test_asset_ids_replace_every_link_and_skip_unknown_ids(fsm, fsm_state):
    job_id = 10003
    await fsm.jobs.update(job_id, JobChanges(asset_ids=[1001, 1002], asset_relationship_type="inspected"))
    await fsm.jobs.update(job_id, JobChanges(asset_ids=[1002, 1003, 1003, 777777]))
    job = await fsm.jobs.get(job_id)
    assert [(a.asset_id, a.relationship_type) for a in job.assets] == [(1002, "inspected"), (1003, "serviced")]
    fsm_state.advance(60)
    await fsm.jobs.update(job_id, JobChanges(asset_ids=[]))
    job = await fsm.jobs.get(job_id)
    assert job.assets == [] and job.updated_at == FROZEN_NOW + timedelta(seconds=60)


async def test_a_put_without_asset_ids_keeps_the_links(fsm, fsm_state):
    linked = next(i for i, j in fsm_state.jobs.items() if j["assets"])
    before = [a.asset_id for a in (await fsm.jobs.get(linked)).assets]
    await fsm.jobs.update(linked, JobChanges(job_title="Renamed"))
    assert [a.asset_id for a in (await fsm.jobs.get(linked)).assets] == before
