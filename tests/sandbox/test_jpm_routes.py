"""JPM routes over real HTTP with plain httpx: every write changes state (and the export feeds), every
business rule refuses like ServiceTitan, and responses match the shapes in jpm-v2.json."""

from __future__ import annotations

import httpx
import pytest
from support.sandbox_world import World
from support.st_docs import assert_problem, check_documented

M = "jpm"


@pytest.fixture
def world(sandbox_state) -> World:
    return World.build(sandbox_state)


@pytest.fixture
def api(sandbox_server):
    form = {"grant_type": "client_credentials", "client_id": sandbox_server.client_id,
            "client_secret": sandbox_server.client_secret}
    # Plain HTTP on loopback: verify=False only skips loading the CA bundle (0.2 s per client).
    with httpx.Client(base_url=sandbox_server.api_url(M), timeout=10, verify=False) as client:
        access = client.post(f"{sandbox_server.base_url}/connect/token", data=form).json()["access_token"]
        client.headers.update({"Authorization": f"Bearer {access}", "ST-App-Key": sandbox_server.app_key})
        yield client


@pytest.fixture
def job(api, world) -> dict:
    """A Scheduled job with two appointments, the first assigned to the world's technician."""
    body = world.job_body(appointments=2)
    body["appointments"][1].pop("technicianIds")
    response = api.post("jobs", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def ok(response: httpx.Response) -> dict | None:
    assert response.status_code == 200, response.text
    return response.json() if response.content else None


def history_events(state, job_id: int) -> list[str]:
    record = next(h for h in state["job_history"].values() if h["jobId"] == job_id)
    return [e["eventType"] for e in record["history"]]


def exported_ids(api, feed: str, start: str) -> list[int]:
    body = ok(api.get(f"export/{feed}", params={"from": start}))
    return [r.get("id", r.get("jobId")) for r in body["data"]]


def feed_end(api, feed: str) -> str:
    token = None
    while True:
        body = ok(api.get(f"export/{feed}", params={"from": token} if token else {}))
        token = body["continueFrom"]
        if not body["hasMore"]:
            return token


# ------------------------------------------------------------------------------------------------ jobs


def test_create_job_builds_appointments_logs_and_history(api, sandbox_state, world, job):
    check_documented(M, "post", "jobs", job)
    appointments = [a for a in sandbox_state["appointments"].values() if a["jobId"] == job["id"]]
    assert [a["appointmentNumber"] for a in appointments] == [f"{job['jobNumber']}-1", f"{job['jobNumber']}-2"]
    assert job["appointmentCount"] == 2 and job["firstAppointmentId"] == appointments[0]["id"]
    assignments = [a for a in sandbox_state["appointment_assignments"].values() if a["jobId"] == job["id"]]
    assert [(a["technicianId"], a["appointmentId"]) for a in assignments] == [(world.technician, appointments[0]["id"])]
    booked = ok(api.get(f"jobs/{job['id']}/booked-log"))
    check_documented(M, "get", "jobs/{id}/booked-log", booked)
    assert booked["jobAppointmentId"] == appointments[0]["id"]
    history = ok(api.get(f"jobs/{job['id']}/history"))
    check_documented(M, "get", "jobs/{id}/history", history)
    assert [h["eventType"] for h in history["history"]] == ["Job Booked"]
    assert ok(api.get(f"jobs/{job['id']}")) == job


@pytest.mark.parametrize(("change", "field"), [
    ({"priority": "Whenever"}, "priority"),
    ({"customerId": 10**9}, "customerId"),
    ({"appointments": []}, "appointments"),
    ({"appointments": [{"start": "2026-11-24T11:00:00Z", "end": "2026-11-24T09:00:00Z"}]}, "appointments[0].end"),
    ({"appointments": [{"start": "noon", "end": "2026-11-24T09:00:00Z"}]}, "appointments[0].start"),
    ({"jobTypeId": "7"}, "jobTypeId"),
    ({"wish": "fast"}, "wish"),
])
def test_create_job_validation(api, world, change, field):
    assert_problem(api.post("jobs", json={**world.job_body(), **change}), 400, field)


def test_create_job_requires_fields(api, world):
    body = world.job_body()
    del body["businessUnitId"]
    assert_problem(api.post("jobs", json=body), 400, "businessUnitId")
    other = {**world.job_body(), "locationId": world.other_location}
    assert_problem(api.post("jobs", json=other), 400, "locationId")


def test_unknown_ids_are_404(api, world):
    body = assert_problem(api.get("jobs/987654321"), 404)
    assert body["title"] == "Job with ID 987654321 not found"
    assert_problem(api.get("appointments/987654321"), 404)
    assert_problem(api.put("jobs/987654321/cancel", json={"reasonId": world.cancel_reason, "memo": "m"}), 404)
    assert_problem(api.get("jobs/abc"), 400, "id")  # a malformed id is a validation error, as in ASP.NET


def test_list_jobs_filters(api, sandbox_state, world, job):
    other = world.create_job(api, technicians=False)
    ok(api.put(f"jobs/{other['id']}/cancel", json={"reasonId": world.cancel_reason, "memo": "No longer needed"}))

    def ids(**params) -> set[int]:
        page = ok(api.get("jobs", params={"pageSize": 5000, **params}))
        check_documented(M, "get", "jobs", page)
        return {j["id"] for j in page["data"]}

    assert {job["id"], other["id"]} <= ids(customerId=world.customer)
    assert job["id"] in ids(jobStatus="scheduled") and other["id"] not in ids(jobStatus="Scheduled")
    assert ids(technicianId=world.technician) >= {job["id"]} and other["id"] not in ids(technicianId=world.technician)
    assert other["id"] in ids(appointmentStatus="Canceled") and job["id"] not in ids(appointmentStatus="Canceled")
    assert ids(ids=f"{job['id']},{other['id']}") == {job["id"], other["id"]}
    assert job["id"] in ids(appointmentStartsOnOrAfter="2026-11-25T00:00:00Z")
    assert job["id"] not in ids(firstAppointmentStartsOnOrAfter="2026-11-25T00:00:00Z")
    assert job["id"] in ids(number=job["jobNumber"], priority="normal")
    newest_first = ok(api.get("jobs", params={"sort": "-Id", "pageSize": 5000}))["data"]
    assert [j["id"] for j in newest_first] == sorted((j["id"] for j in newest_first), reverse=True)


def test_patch_job_omitted_fields_untouched_null_clears(api, sandbox_state, world, job):
    before = sandbox_state["jobs"].get(job["id"])["modifiedOn"]
    start = feed_end(api, "jobs")
    sandbox_state.advance(5)
    patched = ok(api.patch(f"jobs/{job['id']}", json={
        "summary": "Leaking valve", "priority": "urgent", "soldById": world.technician,
        "customFields": [{"typeId": world.custom_field_type, "value": "1234"}]}))
    check_documented(M, "patch", "jobs/{id}", patched)
    assert (patched["summary"], patched["priority"], patched["soldById"]) == ("Leaking valve", "Urgent", world.technician)
    assert patched["customFields"] == [{"typeId": world.custom_field_type, "name": "Gate code", "value": "1234"}]
    assert patched["modifiedOn"] != before
    cleared = ok(api.patch(f"jobs/{job['id']}", json={"soldById": None, "summary": None}))
    assert cleared["soldById"] is None and cleared["summary"] is None and cleared["priority"] == "Urgent"
    assert exported_ids(api, "jobs", start) == [job["id"]]
    assert_problem(api.patch(f"jobs/{job['id']}", json={"jobTypeId": None}), 400, "jobTypeId")
    assert_problem(api.patch(f"jobs/{job['id']}", json={"businessUnitId": 10**9}), 400, "businessUnitId")


def test_cancel_job_and_remove_cancellation(api, sandbox_state, world, job):
    logs_start = feed_end(api, "job-canceled-logs")
    ok(api.put(f"jobs/{job['id']}/cancel", json={"reasonId": world.cancel_reason, "memo": "Customer called"}))
    stored = sandbox_state["jobs"].get(job["id"])
    assert stored["jobStatus"] == "Canceled"
    statuses = {a["status"] for a in sandbox_state["appointments"].values() if a["jobId"] == job["id"]}
    assert statuses == {"Canceled"}
    logs = ok(api.get(f"jobs/{job['id']}/canceled-log"))
    check_documented(M, "get", "jobs/{id}/canceled-log", logs)
    assert [(log["reasonId"], log["memo"]) for log in logs["data"]] == [(world.cancel_reason, "Customer called")]
    assert exported_ids(api, "job-canceled-logs", logs_start) == [logs["data"][0]["id"]]
    why = ok(api.get("jobs/cancel-reasons", params={"ids": job["id"]}))
    check_documented(M, "get", "jobs/cancel-reasons", why)
    assert why["data"] == [{"jobId": job["id"], "reasonId": world.cancel_reason, "name": "Customer canceled",
                            "text": "Customer called"}]
    assert history_events(sandbox_state, job["id"])[-1] == "Job Canceled"

    again = assert_problem(api.put(f"jobs/{job['id']}/cancel", json={"reasonId": world.cancel_reason, "memo": "x"}), 400)
    assert "canceled" in again["title"]
    assert_problem(api.put(f"jobs/{job['id']}/hold", json={"reasonId": world.hold_reason, "memo": "x"}), 400)

    ok(api.put(f"jobs/{job['id']}/remove-cancellation"))
    assert stored["jobStatus"] == "Scheduled"
    assert {a["status"] for a in sandbox_state["appointments"].values() if a["jobId"] == job["id"]} == {"Scheduled"}
    assert ok(api.get(f"jobs/{job['id']}/canceled-log"))["data"] == []
    assert_problem(api.put(f"jobs/{job['id']}/remove-cancellation"), 400)


@pytest.mark.parametrize("reason", ["inactive", "unknown"])
def test_cancel_needs_an_active_reason(api, world, job, reason):
    reason_id = world.inactive_cancel_reason if reason == "inactive" else 10**9
    body = assert_problem(api.put(f"jobs/{job['id']}/cancel", json={"reasonId": reason_id, "memo": "m"}), 400, "reasonId")
    assert "reasonId" in body["title"]


def test_hold_job(api, sandbox_state, world, job):
    assert_problem(api.put(f"jobs/{job['id']}/hold", json={"reasonId": world.cancel_reason + 10**9, "memo": "m"}),
                   400, "reasonId")
    ok(api.put(f"jobs/{job['id']}/hold", json={"reasonId": world.hold_reason, "memo": "Waiting on permit"}))
    assert sandbox_state["jobs"].get(job["id"])["jobStatus"] == "Hold"
    assert {a["status"] for a in sandbox_state["appointments"].values() if a["jobId"] == job["id"]} == {"Hold"}
    assert_problem(api.put(f"jobs/{job['id']}/hold", json={"reasonId": world.hold_reason, "memo": "again"}), 400)


def test_complete_job(api, sandbox_state, world, job):
    unassigned = world.create_job(api, technicians=False)
    assert_problem(api.put(f"jobs/{unassigned['id']}/complete", json={"completedOn": "2026-11-24T12:00:00Z"}), 409)
    ok(api.put(f"jobs/{job['id']}/complete", json={"completedOn": "2026-11-24T12:00:00+01:00"}))
    stored = sandbox_state["jobs"].get(job["id"])
    assert (stored["jobStatus"], stored["completedOn"]) == ("Completed", "2026-11-24T11:00:00Z")
    assert_problem(api.put(f"jobs/{job['id']}/complete", json={"completedOn": "2026-11-24T12:00:00Z"}), 409)
    assert_problem(api.put(f"jobs/{job['id']}/cancel", json={"reasonId": world.cancel_reason, "memo": "m"}), 400)


@pytest.mark.parametrize(("parent", "feed", "key"), [("jobs", "job-notes", "jobId"), ("projects", "project-notes", "projectId")])
def test_notes_pin_and_export(api, sandbox_state, world, job, parent, feed, key):
    owner = job["id"] if parent == "jobs" else ok(api.post("projects", json={"locationId": world.location}))["id"]
    start = feed_end(api, feed)
    plain = ok(api.post(f"{parent}/{owner}/notes", json={"text": "Bring a ladder"}))
    pinned = ok(api.post(f"{parent}/{owner}/notes", json={"text": "Dog in yard", "pinToTop": True}))
    check_documented(M, "post", f"{parent}/{{id}}/notes", pinned)
    assert (plain["isPinned"], pinned["isPinned"]) == (False, True)
    listed = ok(api.get(f"{parent}/{owner}/notes", params={"includeTotal": "true"}))
    check_documented(M, "get", f"{parent}/{{id}}/notes", listed)
    assert [n["text"] for n in listed["data"]] == ["Dog in yard", "Bring a ladder"] and listed["totalCount"] == 2
    rows = ok(api.get(f"export/{feed}", params={"from": start}))["data"]
    check_documented(M, "get", f"export/{feed}", {"hasMore": False, "continueFrom": "t", "data": rows})
    assert [(r[key], r["text"]) for r in rows] == [(owner, "Bring a ladder"), (owner, "Dog in yard")]
    assert_problem(api.post(f"{parent}/{owner}/notes", json={"text": "x", "pin": True}), 400, "pin")
    assert_problem(api.post(f"{parent}/987654321/notes", json={"text": "x"}), 404)


@pytest.mark.parametrize("parent", ["jobs", "projects"])
def test_messages(api, world, job, parent):
    owner = job["id"] if parent == "jobs" else ok(api.post("projects", json={"locationId": world.location}))["id"]
    message = ok(api.post(f"{parent}/{owner}/messages", json={"body": "Call ahead", "createdByEmployeeId": world.employee}))
    assert isinstance(message["id"], int)
    assert_problem(api.post(f"{parent}/{owner}/messages", json={"body": "x"}), 400, "createdByEmployeeId")


def test_job_lookups(api, world):
    fields = ok(api.get("jobs/custom-fields"))
    check_documented(M, "get", "jobs/custom-fields", fields)
    assert world.custom_field_type in {f["id"] for f in fields["data"]}
    reasons = ok(api.get("job-cancel-reasons", params={"pageSize": 5000}))
    check_documented(M, "get", "job-cancel-reasons", reasons)
    # The document: cancel and hold reasons list inactive ones too unless `active` says otherwise.
    assert world.inactive_cancel_reason in {r["id"] for r in reasons["data"]}
    active = ok(api.get("job-cancel-reasons", params={"active": "True", "pageSize": 5000}))["data"]
    assert world.inactive_cancel_reason not in {r["id"] for r in active}
    check_documented(M, "get", "job-hold-reasons", ok(api.get("job-hold-reasons")))


# ---------------------------------------------------------------------------------------- appointments


def appointment_ids(state, job_id: int) -> list[int]:
    return [a["id"] for a in state["appointments"].values() if a["jobId"] == job_id and a.get("active", True)]


def test_add_and_delete_appointment(api, sandbox_state, world, job):
    start = feed_end(api, "appointments")
    added = ok(api.post("appointments", json={"jobId": job["id"], "start": "2026-12-01T08:00:00-05:00",
                                              "end": "2026-12-01T10:00:00-05:00", "specialInstructions": "Gate 4",
                                              "technicianIds": [world.technician]}))
    check_documented(M, "post", "appointments", added)
    assert (added["start"], added["specialInstructions"], added["status"]) == ("2026-12-01T13:00:00Z", "Gate 4", "Scheduled")
    assert sandbox_state["jobs"].get(job["id"])["appointmentCount"] == 3
    assert_problem(api.post("appointments", json={"jobId": 10**9, "start": "2026-12-01T08:00:00Z",
                                                  "end": "2026-12-01T09:00:00Z"}), 400, "jobId")

    ok(api.delete(f"appointments/{added['id']}"))
    assert_problem(api.get(f"appointments/{added['id']}"), 404)
    exported = ok(api.get("export/appointments", params={"from": start}))["data"]
    check_documented(M, "get", "export/appointments", {"hasMore": False, "continueFrom": "t", "data": exported})
    assert [(a["id"], a["active"]) for a in exported if a["id"] == added["id"]] == [(added["id"], False)]
    assert sandbox_state["jobs"].get(job["id"])["appointmentCount"] == 2
    assert not [a for a in sandbox_state["appointment_assignments"].values()
                if a["appointmentId"] == added["id"] and a["active"]]

    first, second = appointment_ids(sandbox_state, job["id"])
    sandbox_state["appointments"].get(first)["status"] = "Working"
    assert_problem(api.delete(f"appointments/{first}"), 409)
    ok(api.delete(f"appointments/{second}"))
    sandbox_state["appointments"].get(first)["status"] = "Scheduled"
    only = assert_problem(api.delete(f"appointments/{first}"), 400)
    assert "only appointment" in only["errors"]["id"][0]


def test_add_appointment_to_a_canceled_job_conflicts(api, world, job):
    ok(api.put(f"jobs/{job['id']}/cancel", json={"reasonId": world.cancel_reason, "memo": "m"}))
    assert_problem(api.post("appointments", json={"jobId": job["id"], "start": "2026-12-01T08:00:00Z",
                                                  "end": "2026-12-01T09:00:00Z"}), 409)


def test_reschedule(api, sandbox_state, job):
    first = appointment_ids(sandbox_state, job["id"])[0]
    moved = ok(api.patch(f"appointments/{first}/reschedule", json={
        "start": "2026-11-30T13:00:00Z", "end": "2026-11-30T15:00:00Z",
        "arrivalWindowStart": "2026-11-30T12:00:00Z", "arrivalWindowEnd": "2026-11-30T14:00:00Z"}))
    check_documented(M, "patch", "appointments/{id}/reschedule", moved)
    assert (moved["start"], moved["end"], moved["arrivalWindowStart"]) == (
        "2026-11-30T13:00:00Z", "2026-11-30T15:00:00Z", "2026-11-30T12:00:00Z")
    # The job's first appointment is now the other one, which starts earlier.
    assert sandbox_state["jobs"].get(job["id"])["firstAppointmentId"] != first
    later = ok(api.patch(f"appointments/{first}/reschedule", json={"end": "2026-11-30T16:00:00Z", "arrivalWindowStart": None}))
    assert (later["start"], later["end"], later["arrivalWindowStart"]) == ("2026-11-30T13:00:00Z", "2026-11-30T16:00:00Z", None)
    assert_problem(api.patch(f"appointments/{first}/reschedule", json={"end": "2026-11-30T12:00:00Z"}), 400, "end")
    assert_problem(api.patch(f"appointments/{first}/reschedule", json={"start": None}), 400, "start")
    sandbox_state["appointments"].get(first)["status"] = "Done"
    assert_problem(api.patch(f"appointments/{first}/reschedule", json={"start": "2026-11-30T14:00:00Z"}), 409)


def test_confirmation_and_special_instructions(api, sandbox_state, job):
    first = appointment_ids(sandbox_state, job["id"])[0]
    record = sandbox_state["appointments"].get(first)
    ok(api.put(f"appointments/{first}/confirmation"))
    assert record["isConfirmed"] is True
    ok(api.delete(f"appointments/{first}/confirmation"))
    assert record["isConfirmed"] is False
    updated = ok(api.put(f"appointments/{first}/special-instructions", json={"specialInstructions": "Side door"}))
    check_documented(M, "put", "appointments/{id}/special-instructions", updated)
    assert record["specialInstructions"] == "Side door" == updated["specialInstructions"]
    assert_problem(api.put(f"appointments/{first}/special-instructions", json={}), 400, "specialInstructions")


def test_appointment_hold_and_removal(api, sandbox_state, world, job):
    first, second = appointment_ids(sandbox_state, job["id"])
    sandbox_state["appointments"].get(first)["status"] = "Dispatched"
    ok(api.put(f"appointments/{first}/hold", json={"reasonId": world.hold_reason, "memo": "Parts on order"}))
    assert sandbox_state["appointments"].get(first)["status"] == "Hold"
    assert sandbox_state["jobs"].get(job["id"])["jobStatus"] == "Scheduled"  # the other one is still open
    ok(api.put(f"appointments/{second}/hold", json={"reasonId": world.hold_reason, "memo": "Same"}))
    assert sandbox_state["jobs"].get(job["id"])["jobStatus"] == "Hold"
    assert_problem(api.put(f"appointments/{first}/hold", json={"reasonId": world.hold_reason, "memo": "x"}), 409)
    ok(api.delete(f"appointments/{first}/hold"))
    assert sandbox_state["appointments"].get(first)["status"] == "Dispatched"
    assert sandbox_state["jobs"].get(job["id"])["jobStatus"] == "Dispatched"
    assert_problem(api.delete(f"appointments/{first}/hold"), 409)
    assert history_events(sandbox_state, job["id"])[-3:] == [
        "Appointment Put On Hold", "Appointment Put On Hold", "Appointment Hold Removed"]
    assert_problem(api.put(f"appointments/{second}/hold", json={"reasonId": world.cancel_reason, "memo": "x"}), 409)
    sandbox_state["appointments"].get(first)["status"] = "Done"
    assert_problem(api.put(f"appointments/{first}/hold", json={"reasonId": world.hold_reason, "memo": "x"}), 409)


def test_appointment_summaries(api, sandbox_state, world, job):
    first = appointment_ids(sandbox_state, job["id"])[0]
    summary = ok(api.post(f"appointments/{first}/summaries", json={"notes": "Replaced igniter", "technicianId": world.technician}))
    assert (summary["appointmentId"], summary["notes"]) == (first, "Replaced igniter")
    assert sandbox_state["appointment_summaries"].get(summary["id"])["technicianId"] == world.technician
    assert_problem(api.post(f"appointments/{first}/summaries", json={"notes": "x", "technicianId": 10**9}), 400,
                   "technicianId")


def test_list_appointments(api, sandbox_state, world, job):
    page = ok(api.get("appointments", params={"jobId": job["id"], "includeTotal": "true"}))
    check_documented(M, "get", "appointments", page)
    assert page["totalCount"] == 2
    mine = ok(api.get("appointments", params={"technicianId": world.technician, "pageSize": 5000}))["data"]
    assert [a["jobId"] for a in mine if a["jobId"] == job["id"]] == [job["id"]]
    early = ok(api.get("appointments", params={"jobId": job["id"], "startsBefore": "2026-11-25T00:00:00Z"}))["data"]
    assert len(early) == 1
    assert_problem(api.get("appointments", params={"status": "Napping"}), 400, "status")


# -------------------------------------------------------------------------------------------- projects


def test_projects_create_patch_attach_detach(api, sandbox_state, world, job):
    created = ok(api.post("projects", json={
        "locationId": world.location, "name": "Basement", "statusId": world.project_status,
        "subStatusId": world.project_substatus, "projectTypeId": world.project_type,
        "startDate": "2026-12-01T00:00:00Z"}))
    check_documented(M, "post", "projects", created)
    assert (created["customerId"], created["status"], created["subStatus"]) == (world.customer, "In progress", "Permits")
    patched = ok(api.patch(f"projects/{created['id']}", json={"summary": "Phase 1", "projectTypeId": None}))
    check_documented(M, "patch", "projects/{id}", patched)
    assert (patched["summary"], patched["name"], patched["projectTypeId"]) == ("Phase 1", "Basement", None)
    assert_problem(api.patch(f"projects/{created['id']}", json={"startDate": None}), 400, "startDate")

    ok(api.post(f"projects/{created['id']}/attach-job/{job['id']}"))
    assert sandbox_state["jobs"].get(job["id"])["projectId"] == created["id"]
    assert ok(api.get(f"projects/{created['id']}"))["jobIds"] == [job["id"]]
    assert job["id"] in {j["id"] for j in ok(api.get("jobs", params={"projectId": created["id"]}))["data"]}
    assert created["id"] in {p["id"] for p in ok(api.get("projects", params={"jobId": job["id"]}))["data"]}
    assert ok(api.get("appointments", params={"projectId": created["id"]}))["data"]
    second = ok(api.post("projects", json={"locationId": world.location}))
    assert_problem(api.post(f"projects/{second['id']}/attach-job/{job['id']}"), 400, "jobId")
    ok(api.post(f"projects/detach-job/{job['id']}"))
    assert sandbox_state["jobs"].get(job["id"])["projectId"] is None
    assert sandbox_state["projects"].get(created["id"])["jobIds"] == []
    assert_problem(api.post(f"projects/detach-job/{job['id']}"), 400, "jobId")
    foreign = ok(api.post("projects", json={"locationId": world.other_location}))
    assert_problem(api.post(f"projects/{foreign['id']}/attach-job/{job['id']}"), 400, "jobId")


def test_project_validation_and_lookups(api, world):
    assert_problem(api.post("projects", json={"name": "No location"}), 400, "locationId")
    assert_problem(api.post("projects", json={"locationId": world.location, "subStatusId": world.project_substatus,
                                              "statusId": world.project_status + 10**6}), 400, "statusId")
    for path in ("project-statuses", "project-substatuses", "project-types", "projects/custom-fields", "projects"):
        check_documented(M, "get", path, ok(api.get(path)))
    assert ok(api.get(f"project-statuses/{world.project_status}"))["name"] == "In progress"
    subs = ok(api.get("project-substatuses", params={"statusId": world.project_status}))["data"]
    assert [s["id"] for s in subs] == [world.project_substatus]
    assert ok(api.get(f"project-types/{world.project_type}"))["description"] == "Whole-house work"


# ------------------------------------------------------------------------------------------- job types


def test_job_types(api, sandbox_state, world):
    created = ok(api.post("job-types", json={"name": "Zeolite Tune-up", "duration": 5400, "class": "Maintenance",
                                             "priority": "high", "businessUnitIds": [world.business_unit]}))
    check_documented(M, "post", "job-types", created)
    assert (created["priority"], created["duration"], created["active"]) == ("High", 5400, True)
    patched = ok(api.patch(f"job-types/{created['id']}", json={"name": "Zeolite Tune-up (2h)", "duration": 7200}))
    assert (patched["name"], patched["duration"], patched["class"]) == ("Zeolite Tune-up (2h)", 7200, "Maintenance")
    assert ok(api.get(f"job-types/{created['id']}")) == patched
    assert_problem(api.post("job-types", json={"name": "zeolite tune-UP (2h)"}), 400, "name")
    assert_problem(api.patch(f"job-types/{created['id']}", json={"name": None}), 400, "name")
    listed = ok(api.get("job-types", params={"orderBy": "id", "orderByDirection": "desc", "name": "zeolite"}))
    check_documented(M, "get", "job-types", listed)
    assert [t["id"] for t in listed["data"]] == [created["id"]]
    sandbox_state["job_types"].get(created["id"])["active"] = False
    assert created["id"] not in {t["id"] for t in ok(api.get("job-types", params={"pageSize": 5000}))["data"]}
    assert created["id"] in {t["id"] for t in ok(api.get("job-types", params={"active": "Any", "pageSize": 5000}))["data"]}
    assert_problem(api.get("job-types", params={"orderBy": "color"}), 400, "orderBy")


# -------------------------------------------------------------------------------------- export feeds


@pytest.mark.parametrize("feed", ["jobs", "projects", "appointments", "job-canceled-logs", "job-notes",
                                  "project-notes", "job-history"])
def test_export_feeds_are_documented_shapes(api, world, job, feed):
    ok(api.put(f"jobs/{job['id']}/cancel", json={"reasonId": world.cancel_reason, "memo": "m"}))
    ok(api.post(f"jobs/{job['id']}/notes", json={"text": "n"}))
    project = ok(api.post("projects", json={"locationId": world.location}))
    ok(api.post(f"projects/{project['id']}/notes", json={"text": "n"}))
    body = ok(api.get(f"export/{feed}"))
    check_documented(M, "get", f"export/{feed}", body)
    assert body["data"]


def test_job_history_feed_has_one_row_per_job(api, sandbox_state, world, job):
    start = feed_end(api, "job-history")
    ok(api.put(f"jobs/{job['id']}/hold", json={"reasonId": world.hold_reason, "memo": "m"}))
    rows = ok(api.get("export/job-history", params={"from": start}))["data"]
    assert [r["jobId"] for r in rows] == [job["id"]]
    assert [h["eventType"] for h in rows[0]["history"]] == ["Job Booked", "Job Put On Hold"]


# ---------------------------------------------------------------------------- work breakdown structure


def test_wbs_segments_and_items(api, world):
    segments = ok(api.get("work-breakdown-structure/segments"))["data"]
    assert set(world.segments) <= {s["id"] for s in segments}
    segment = world.segments[0]
    items = ok(api.get(f"work-breakdown-structure/segments/{segment}/items"))["data"]
    assert [i["id"] for i in items] == world.items[segment]
    children = ok(api.get(f"work-breakdown-structure/segments/{segment}/items/{world.items[segment][0]}/children"))
    assert [i["id"] for i in children["data"]] == [world.items[segment][1]]
    project = ok(api.post("projects", json={"locationId": world.location}))
    assert ok(api.get(f"work-breakdown-structure/projects/{project['id']}/segments"))["data"]
    assert ok(api.get(f"work-breakdown-structure/projects/{project['id']}/segments/{segment}/items"))["data"]
    assert_problem(api.get("work-breakdown-structure/projects/987654321/segments"), 404)
    assert_problem(api.get("work-breakdown-structure/segments/987654321/items"), 404)


def test_wbs_budget_codes(api, sandbox_state, world):
    # A full code binds every active segment: keep only the world's two active.
    for segment in sandbox_state["wbs_segments"].values():
        if segment["id"] not in world.segments:
            segment["isActive"] = False
    full = [world.items[s][0] for s in world.segments]
    created = ok(api.post("work-breakdown-structure/budget-codes", json={"segmentItemIds": full}))["code"]
    assert created["code"] == "S0A-S1A" and [s["segmentItemId"] for s in created["segments"]] == full
    assert_problem(api.post("work-breakdown-structure/budget-codes", json={"segmentItemIds": full[:1]}), 400,
                   "segmentItemIds")
    batch = ok(api.post("work-breakdown-structure/budget-codes/batch", json=[{"segmentItemIds": full}]))["codes"]
    assert len(batch) == 1
    assert_problem(api.post("work-breakdown-structure/budget-codes/batch", json=[{"segmentItemIds": "x"}]), 400, "[0]")
    partial = ok(api.post("work-breakdown-structure/budget-codes/partial",
                          json={"segments": [{"segmentId": world.segments[0], "segmentItemId": full[0]}]}))["code"]
    assert partial["code"] == "S0A"
    partial_batch = ok(api.post("work-breakdown-structure/budget-codes/partial/batch",
                                json=[{"segments": [{"segmentId": world.segments[1]}]}]))["codes"]
    assert partial_batch[0]["code"] == "*"
    listed = ok(api.get("work-breakdown-structure/budget-codes", params={"includeTotal": "true", "pageSize": 5000}))
    assert {created["id"], partial["id"]} <= {c["id"] for c in listed["data"]}
    match = ok(api.get("work-breakdown-structure/budget-codes/match", params={"codes": "S0A-S1A,nope"}))["matches"]
    assert [(m["code"], m["isValid"]) for m in match] == [("S0A-S1A", True), ("nope", False)]
    project = ok(api.post("projects", json={"locationId": world.location}))
    scoped = ok(api.get(f"work-breakdown-structure/projects/{project['id']}/budget-codes/match", params={"codes": "S0A"}))
    assert scoped["matches"][0]["isValid"] is True
    assert ok(api.get(f"work-breakdown-structure/projects/{project['id']}/budget-codes"))["data"]
    assert_problem(api.get("work-breakdown-structure/budget-codes/match"), 400, "codes")
