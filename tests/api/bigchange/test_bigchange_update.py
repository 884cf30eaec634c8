"""'Update a job' (the seed): the exact bodies the client sends (a field omitted is absent, a field cleared is
null, a value is as given) and every response code the seed documents: 204, 400, 403, 404, 422, 500."""

from __future__ import annotations

from datetime import timedelta

import pydantic
import pytest

from jpm_tui.api.bigchange import CustomFieldValue, JobUpdate
from jpm_tui.api.errors import ApiError, AuthError, NotFoundError, ValidationError

SEED_CODES = {204, 400, 403, 404, 422, 500}
STARTED_OR_COMPLETED = ("started", "suspended", "completedOk", "completedWithIssues")


def open_job(state, **want) -> dict:
    """A job not started, with a reference, at least two custom fields and whatever `want` asks for."""
    return next(j for j in state.tables["jobs"].values()
                if j["status"] in ("new", "scheduled", "sent", "accepted") and j["reference"]
                and len(j["customFields"]) >= 2 and all(j.get(k) == v for k, v in want.items()))


def job_in(state, status: str) -> dict:
    return next(j for j in state.tables["jobs"].values() if j["status"] == status)


def the_patch(bc) -> tuple[dict, bytes]:
    """The one PATCH the client sent (parsed, raw), checked against what the sandbox received."""
    (patch,) = bc.wire.api("PATCH")
    assert bc.state.received_patches[-1][1] == patch.body
    assert patch.headers["content-type"] == "application/json"
    return patch.json(), patch.body


async def unchanged_apart_from(bc, job_id: int, before: dict, *fields: str) -> dict:
    after = (await bc.client.get_job(job_id)).to_payload()
    assert {k: v for k, v in after.items() if k not in fields} == {k: v for k, v in before.items() if k not in fields}
    return after


async def test_clearing_the_reference_sends_null_and_nothing_else(bc):
    job = open_job(bc.state)
    before = (await bc.client.get_job(job["id"])).to_payload()
    await bc.client.update_job(job["id"], {"reference": None})
    body, raw = the_patch(bc)
    assert body == {"reference": None} and b"null" in raw
    assert bc.wire.api("PATCH")[0].status == 204
    after = await unchanged_apart_from(bc, job["id"], before, "reference")
    assert after["reference"] is None


async def test_changing_only_the_planned_duration_sends_only_it(bc):
    job = open_job(bc.state)
    before = (await bc.client.get_job(job["id"])).to_payload()
    await bc.client.update_job(job["id"], JobUpdate(planned_duration=95))
    assert the_patch(bc)[0] == {"plannedDuration": 95}
    after = await bc.client.get_job(job["id"])
    assert after.planned_duration == 95
    assert after.planned_end_at - after.planned_start_at == timedelta(minutes=95)
    await unchanged_apart_from(bc, job["id"], before, "plannedDuration", "plannedEndAt")


async def test_a_custom_field_is_set_and_another_unset(bc):
    job = open_job(bc.state)
    kept, cleared = job["customFields"][0], job["customFields"][1]
    text_field = next(d for d in bc.state.tables["custom_field_definitions"].values() if d["type"] == "text"
                      and d["id"] not in (kept["definitionId"], cleared["definitionId"]))
    await bc.client.update_job(job["id"], JobUpdate(custom_fields=[
        CustomFieldValue(definition_id=text_field["id"], value="Gate code 1970"),
        CustomFieldValue(definition_id=cleared["definitionId"], value=None)]))
    assert the_patch(bc)[0] == {"customFields": [{"definitionId": text_field["id"], "value": "Gate code 1970"},
                                                 {"definitionId": cleared["definitionId"], "value": None}]}
    values = {f.definition_id: f.value for f in (await bc.client.get_job(job["id"])).custom_fields}
    assert values[text_field["id"]] == "Gate code 1970" and values[kept["definitionId"]] == kept["value"]
    assert cleared["definitionId"] not in values


async def test_an_empty_custom_field_list_keeps_them_all(bc):
    job = open_job(bc.state)
    before = (await bc.client.get_job(job["id"])).to_payload()
    await bc.client.update_job(job["id"], {"customFields": []})
    assert the_patch(bc)[0] == {"customFields": []}
    await unchanged_apart_from(bc, job["id"], before)


async def test_values_go_as_given_under_their_wire_names(bc):
    people: dict[int, list[dict]] = {}
    for person in bc.state.tables["persons"].values():
        people.setdefault(person["contactId"], []).append(person)
    job = next(j for j in bc.state.tables["jobs"].values() if j["status"] == "scheduled"
               and len(people[j["contactId"]]) > 1)
    other = next(p for p in people[job["contactId"]] if p["id"] != job["personId"])
    await bc.client.update_job(job["id"], {"description": "Boiler leaking from the pressure relief valve.",
                                           "order_number": "PO-55120", "person_id": other["id"]})
    assert the_patch(bc)[0] == {"description": "Boiler leaking from the pressure relief valve.",
                                "orderNumber": "PO-55120", "personId": other["id"]}
    after = await bc.client.get_job(job["id"])
    assert (after.description, after.order_number) == ("Boiler leaking from the pressure relief valve.", "PO-55120")
    assert (after.person_id, after.person_name) == (other["id"], other["name"])


async def test_a_null_person_puts_the_contacts_primary_person_back(bc):
    job = open_job(bc.state)
    primary = bc.state.tables["contacts"][job["contactId"]]["primaryPersonId"]
    job["personId"] = "00000000-0000-4000-8000-000000000000"  # someone else as it stands
    await bc.client.update_job(job["id"], {"personId": None})
    assert the_patch(bc)[0] == {"personId": None}
    assert (await bc.client.get_job(job["id"])).person_id == primary


async def test_the_client_refuses_null_where_the_seed_only_allows_omitting(bc):
    for field in ("description", "planned_duration", "custom_fields"):
        with pytest.raises(pydantic.ValidationError, match="cannot be null"):
            JobUpdate(**{field: None})
    with pytest.raises(pydantic.ValidationError):
        await bc.client.update_job(1, {"colour": "red"})  # not a field of the body
    assert bc.wire.exchanges == []


# -------------------------------------------------------------------------------------------- the codes


async def test_400_for_a_body_the_seed_does_not_describe(bc):
    job = open_job(bc.state)
    for body, named in (({"plannedDuration": "ninety"}, "plannedDuration"), ({"colour": "red"}, "colour"),
                        ({"description": None}, "description"), ([1, 2], "$")):
        with pytest.raises(ValidationError) as raised:
            await bc.client.request("PATCH", f"jobs/{job['id']}", json=body)
        assert raised.value.status == 400 and named in raised.value.detail
    assert [e.status for e in bc.wire.api("PATCH")] == [400, 400, 400, 400]
    assert bc.state.tables["jobs"][job["id"]]["description"] == job["description"]


async def test_403_for_another_customer(connect, bc_state):
    other = connect(customer_id=99)
    job = open_job(bc_state)
    with pytest.raises(AuthError) as raised:
        await other.client.update_job(job["id"], {"reference": "X-1"})
    assert raised.value.status == 403 and "99" in raised.value.detail
    assert [e.headers["customer-id"] for e in other.wire.api()] == ["99"]
    assert bc_state.tables["jobs"][job["id"]]["reference"] == job["reference"]


async def test_404_for_an_unknown_job(bc):
    with pytest.raises(NotFoundError) as raised:
        await bc.client.update_job(42, {"reference": None})
    problem = raised.value.raw
    assert raised.value.status == 404 and set(problem) >= {"type", "title", "status", "detail", "instance"}
    assert problem["instance"] == "/v1/jobs/42"


@pytest.mark.parametrize("status", STARTED_OR_COMPLETED)
async def test_422_names_the_description_of_a_started_or_completed_job_and_applies_nothing(bc, status):
    job = job_in(bc.state, status)
    with pytest.raises(ValidationError) as raised:
        await bc.client.update_job(job["id"], {"description": "New words", "reference": "R-1"})
    error = raised.value
    assert error.status == 422 and error.field_errors("description") and not error.field_errors("reference")
    stored = bc.state.tables["jobs"][job["id"]]
    assert (stored["description"], stored["reference"]) == (job["description"], job["reference"])


async def test_422_names_the_person_of_a_completed_job(bc):
    job = job_in(bc.state, "completedOk")
    other = next(p for p in bc.state.tables["persons"].values() if p["contactId"] != job["contactId"])
    mine = [p for p in bc.state.tables["persons"].values() if p["contactId"] == job["contactId"]]
    target = next((p for p in mine if p["id"] != job["personId"]), other)
    with pytest.raises(ValidationError) as raised:
        await bc.client.update_job(job["id"], {"personId": target["id"]})
    assert raised.value.status == 422 and raised.value.field_errors("personId")


async def test_a_started_job_still_takes_what_the_seed_does_not_lock(bc):
    job = job_in(bc.state, "started")
    await bc.client.update_job(job["id"], {"reference": "PBS-X", "plannedDuration": 150,
                                           "description": job["description"]})  # the same words: no change
    assert [e.status for e in bc.wire.api("PATCH")] == [204]
    assert (await bc.client.get_job(job["id"])).reference == "PBS-X"


async def test_422_once_a_job_is_started_after_it_was_open(bc):
    job = open_job(bc.state)
    await bc.client.update_job(job["id"], {"description": "Before the visit."})
    bc.state.set_job_status(job["id"], "started")
    with pytest.raises(ValidationError) as raised:
        await bc.client.update_job(job["id"], {"description": "After the visit began."})
    assert raised.value.field_errors("description")
    assert (await bc.client.get_job(job["id"])).description == "Before the visit."


async def test_422_for_an_order_number_cleared_on_a_type_that_requires_one(bc):
    requiring = {t["id"] for t in bc.state.tables["job_types"].values() if t["orderNumberRequired"]}
    job = next(j for j in bc.state.tables["jobs"].values() if j["typeId"] in requiring and j["status"] == "scheduled")
    for cleared in (None, "  "):
        with pytest.raises(ValidationError) as raised:
            await bc.client.update_job(job["id"], {"orderNumber": cleared})
        assert raised.value.status == 422 and raised.value.field_errors("orderNumber")
    assert bc.state.tables["jobs"][job["id"]]["orderNumber"] == job["orderNumber"]
    free = next(j for j in bc.state.tables["jobs"].values()
                if j["typeId"] not in requiring and j["status"] == "scheduled")
    await bc.client.update_job(free["id"], {"orderNumber": None})
    assert (await bc.client.get_job(free["id"])).order_number is None


async def test_422_for_an_unknown_custom_field_or_a_value_a_list_does_not_offer(bc):
    job = open_job(bc.state)
    choice = next(d for d in bc.state.tables["custom_field_definitions"].values() if d["type"] == "list")
    with pytest.raises(ValidationError) as raised:
        await bc.client.update_job(job["id"], {"customFields": [{"definitionId": 1, "value": "x"},
                                                                {"definitionId": choice["id"], "value": "Maybe"}]})
    assert set(raised.value.errors) == {"customFields[0].definitionId", "customFields[1].value"}


async def test_500_is_a_problem_and_a_patch_is_not_sent_twice(bc):
    job = open_job(bc.state)
    bc.state.faults.fail_next = [500]
    with pytest.raises(ApiError) as raised:
        await bc.client.update_job(job["id"], {"reference": "R-500"})
    assert raised.value.status == 500 and raised.value.raw["status"] == 500
    assert [e.status for e in bc.wire.api("PATCH")] == [500]
    assert bc.state.tables["jobs"][job["id"]]["reference"] == job["reference"]


async def test_every_code_of_the_seed_was_answered(bc, connect):
    """The codes above, once more in one place: what the sandbox answers to PATCH is what the seed lists."""
    job = open_job(bc.state)
    started = job_in(bc.state, "started")
    stranger = connect(customer_id=1)
    await bc.client.update_job(job["id"], {"reference": "R-1"})
    for call in (lambda: bc.client.request("PATCH", f"jobs/{job['id']}", json={"plannedDuration": "x"}),
                 lambda: stranger.client.update_job(job["id"], {}),
                 lambda: bc.client.update_job(7, {}),
                 lambda: bc.client.update_job(started["id"], {"description": "x"})):
        with pytest.raises(ApiError):
            await call()
    bc.state.faults.fail_next = [500]
    with pytest.raises(ApiError):
        await bc.client.update_job(job["id"], {})
    answered = [e.status for e in bc.wire.api("PATCH") + stranger.wire.api("PATCH")]
    assert sorted(answered) == sorted(SEED_CODES)
