"""The BigChange client's reads against the sandbox: sign-in and headers, paging to the end, the job object,
the job list's filters, status history, contacts and their people, resources, job types, custom field
definitions, and tolerance of what the client does not know."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl

import pytest

from jpm_tui.api.bigchange import JobFilter
from jpm_tui.api.errors import NotFoundError

# The reference's JobStatus values a job can show, and the ones it calls internal ("should not be visible").
VISIBLE = {"new", "scheduled", "unscheduled", "sent", "read", "accepted", "refused", "onTheWay", "started",
           "suspended", "completedOk", "completedWithIssues", "cancelled"}
INTERNAL = {"lateStart", "lateFinish", "rescheduled"}


async def collect(items) -> list:
    return [item async for item in items]


def a_job(state, status: str) -> dict:
    return next(j for j in state.tables["jobs"].values() if j["status"] == status)


async def test_one_token_then_bearer_and_customer_id_on_every_request(bc):
    await collect(bc.client.list_job_types())
    await collect(bc.client.list_resources())
    (token,) = bc.wire.tokens()
    assert token.method == "POST" and token.url.path == "/auth/token"
    assert dict(parse_qsl(token.body.decode())) == {"grant_type": "client_credentials", "client_id": bc.state.client_id,
                                            "client_secret": bc.state.client_secret}
    assert token.status == 200
    for exchange in bc.wire.api():
        assert exchange.headers["customer-id"] == str(bc.state.customer_id)
        assert exchange.headers["authorization"].startswith("Bearer ")
        assert exchange.status == 200


async def test_paging_reaches_the_end_and_returns_each_job_once(bc):
    jobs = await collect(bc.client.list_jobs(page_size=7))
    ids = [job.id for job in jobs]
    assert len(ids) == len(set(ids)) == len(bc.state.tables["jobs"]) == 60
    assert set(ids) == set(bc.state.tables["jobs"]) and ids == sorted(ids)
    pages = bc.wire.api("GET")
    assert [int(e.url.params["pageNumber"]) for e in pages] == list(range(1, 10))  # 8 full pages and a short one
    assert {e.url.params["pageSize"] for e in pages} == {"7"}


async def test_a_collection_that_fills_its_last_page_costs_one_empty_page_more(bc):
    pages = await collect(bc.client.job_pages(page_size=10))
    assert [len(page.items) for page in pages] == [10, 10, 10, 10, 10, 10, 0]
    assert len(bc.wire.api("GET")) == 7


async def test_paging_from_a_later_page_asks_for_that_page_first(bc):
    """A sweep resumed: the pages from the one after the last stored, the same jobs those pages hold."""
    ids = sorted(bc.state.tables["jobs"])
    pages = await collect(bc.client.job_pages(page_size=10, first_page=4))
    assert [[j["id"] for j in page.items] for page in pages] == [ids[30:40], ids[40:50], ids[50:60], []]
    assert [e.url.params["pageNumber"] for e in bc.wire.api("GET")] == ["4", "5", "6", "7"]
    with pytest.raises(ValueError, match="first_page"):
        await collect(bc.client.job_pages(first_page=0))
    assert len(bc.wire.api("GET")) == 4  # refused before sending


async def test_page_size_outside_the_reference_range_is_refused_before_sending(bc):
    with pytest.raises(ValueError, match="1..1000"):
        await collect(bc.client.list_jobs(page_size=1001))
    assert bc.wire.exchanges == []


async def test_every_visible_status_is_listed_and_no_internal_one(bc):
    statuses = {job.status async for job in bc.client.list_jobs()}
    assert statuses == VISIBLE and not statuses & INTERNAL


async def test_a_started_job_reads_with_its_contact_site_and_planned_and_real_times(bc):
    raw = a_job(bc.state, "started")
    job = await bc.client.get_job(raw["id"])
    assert job.status == "started" and job.type_id == raw["typeId"] and job.type_name
    assert job.contact_id == raw["contactId"] and job.contact_name and job.contact_address
    assert isinstance(job.contact_location.latitude, float) and isinstance(job.contact_location.longitude, float)
    assert job.resource_id is not None and job.resource_name
    assert job.planned_start_at.utcoffset() == timedelta(0)
    assert job.planned_end_at - job.planned_start_at == timedelta(minutes=job.planned_duration)
    assert job.real_start_at is not None and job.real_end_at is None


async def test_a_completed_job_has_both_real_times_and_a_new_one_no_resource(bc):
    done = await bc.client.get_job(a_job(bc.state, "completedOk")["id"])
    assert done.real_start_at < done.real_end_at
    fresh = await bc.client.get_job(a_job(bc.state, "new")["id"])
    assert fresh.resource_id is None and fresh.real_start_at is None


async def test_get_an_unknown_job_is_a_404_problem(bc):
    with pytest.raises(NotFoundError) as raised:
        await bc.client.get_job(1)
    assert raised.value.status == 404 and raised.value.detail


async def test_job_list_filters(bc):
    jobs = bc.state.tables["jobs"].values()
    working = {j["id"] for j in jobs if j["status"] in ("started", "suspended")}
    found = await collect(bc.client.list_jobs(JobFilter(statuses=["started", "suspended"])))
    assert {j.id for j in found} == working and working
    (listed,) = [e for e in bc.wire.api("GET")]
    assert listed.url.params.get_list("status") == ["started", "suspended"]  # repeated, as an array binds

    resource_id = next(j["resourceId"] for j in jobs if j["resourceId"])
    by_resource = await collect(bc.client.list_jobs(JobFilter(resource_ids=[resource_id])))
    assert {j.id for j in by_resource} == {j["id"] for j in jobs if j["resourceId"] == resource_id}

    picked = sorted(bc.state.tables["jobs"])[3:6]
    assert [j.id for j in await collect(bc.client.list_jobs(JobFilter(job_ids=picked)))] == picked

    contact_id = next(iter(jobs))["contactId"]
    by_contact = await collect(bc.client.list_jobs(JobFilter(contact_ids=[contact_id])))
    assert {j.contact_id for j in by_contact} == {contact_id}


async def test_planned_window_and_sorting(bc):
    day = bc.state.now().replace(hour=0)  # the pinned instant the world was generated at: 2026-11-23 15:00 UTC
    window = JobFilter(planned_start_from=day, planned_start_to=day + timedelta(days=1), sort_by="plannedStartAt",
                       direction="descending")
    today = await collect(bc.client.list_jobs(window))
    expected = {j["id"] for j in bc.state.tables["jobs"].values()
                if day.isoformat()[:10] == j["plannedStartAt"][:10]}
    assert {j.id for j in today} == expected and expected
    starts = [j.planned_start_at for j in today]
    assert starts == sorted(starts, reverse=True)
    sent = bc.wire.api("GET")[0].url.params
    assert sent["plannedStartFrom"] == "2026-11-23T00:00:00Z" and sent["sortBy"] == "plannedStartAt"


async def test_status_history_starts_new_ends_at_the_status_and_leaves_internal_alerts_out(bc):
    raw = a_job(bc.state, "completedOk")
    history = await collect(bc.client.status_history(raw["id"]))
    assert history[0].status == "new" and history[-1].status == "completedOk"  # "All Jobs start with a New status"
    assert [h.created_at for h in history] == sorted(h.created_at for h in history)
    sent = bc.wire.api("GET")[0].url.params
    assert sent["sortBy"] == "createdAt" and sent["direction"] == "ascending"

    alert = bc.state.set_job_status(raw["id"], "lateFinish")  # what the reference says never to show
    later = await collect(bc.client.status_history(raw["id"]))
    assert [h.id for h in later] == [h.id for h in history] and alert["id"] not in {h.id for h in later}


async def test_status_history_records_a_status_change(bc):
    raw = a_job(bc.state, "accepted")
    bc.state.advance(600)
    bc.state.set_job_status(raw["id"], "onTheWay")
    newest_first = await collect(bc.client.status_history(raw["id"], direction="descending"))
    assert newest_first[0].status == "onTheWay" and newest_first[1].status == "accepted"
    assert (await bc.client.get_job(raw["id"])).status == "onTheWay"


async def test_contacts_their_people_resources_job_types_and_custom_field_definitions(bc):
    contacts = await collect(bc.client.list_contacts())
    assert len(contacts) == len(bc.state.tables["contacts"]) and all(c.location for c in contacts)
    one = await bc.client.get_contact(contacts[0].id)
    assert one.name == contacts[0].name and one.address
    people = await collect(bc.client.list_contact_persons(one.id))
    assert people[0].is_primary and people[0].id == one.primary_person_id
    assert len(await collect(bc.client.list_contacts(contact_ids=[one.id]))) == 1

    resources = await collect(bc.client.list_resources())
    assert len(resources) == len(bc.state.tables["resources"]) >= 6 and all(r.name for r in resources)

    types = await collect(bc.client.list_job_types())
    assert any(t.order_number_required for t in types) and any(not t.order_number_required for t in types)

    definitions = await collect(bc.client.list_custom_field_definitions())
    assert {d.id for d in definitions} >= {f["definitionId"] for j in bc.state.tables["jobs"].values()
                                           for f in j["customFields"]}
    assert any(d.type == "list" and d.options for d in definitions)


async def test_unknown_fields_are_kept_and_an_unknown_status_stays_text(bc):
    raw = a_job(bc.state, "scheduled")
    raw["status"] = "awaitingParts"
    raw["vehicleRegistration"] = "YK21 ABC"
    job = await bc.client.get_job(raw["id"])
    assert job.status == "awaitingParts" and job.model_extra == {"vehicleRegistration": "YK21 ABC"}
    raw["status"] = "lateStart"
    assert (await bc.client.get_job(raw["id"])).status is None  # an internal status is no status
