"""Every JpmApi operation against the sandbox over real HTTP, checking the sandbox's state after writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from support.api_live import active_ids, collect, drain, first

from jpm_tui.api.models import (
    AddAppointmentRequest,
    Appointment,
    AppointmentInformation,
    AppointmentStatus,
    BudgetCodeSegmentBinding,
    CancelJobRequest,
    CompleteJobRequest,
    CreateBudgetCodePartialRequest,
    CreateBudgetCodeRequest,
    CreateJobRequest,
    CreateJobTypeRequest,
    CreateMessageRequest,
    CreateNoteRequest,
    CreateProjectRequest,
    HoldAppointmentRequest,
    HoldJobRequest,
    Job,
    JobStatus,
    RescheduleAppointmentRequest,
    SetAppointmentSummaryRequest,
    UpdateJobRequest,
    UpdateJobTypeRequest,
    UpdateProjectRequest,
    UpdateSpecialInstructionsRequest,
    parse_rows,
)
from jpm_tui.api.operations import OPERATIONS

WHEN = datetime(2031, 3, 4, 14, 0, tzinfo=UTC)


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _job(state, status="Scheduled"):
    return first(state["jobs"].values(), "job", jobStatus=status)


def _appointment(state, status="Scheduled"):
    return first(state["appointments"].values(), "appointment", status=status)


def _reason(state, collection):
    return first((r for r in state[collection].values() if r.get("active", True)), collection)


def _employee_id(state) -> int:
    return next(iter(state["employees"].values()))["id"]


# ================================================================================= export feeds


@pytest.mark.parametrize(
    ("method", "collection", "key"),
    [
        ("export_jobs", "jobs", "id"),
        ("export_projects", "projects", "id"),
        ("export_appointments", "appointments", "id"),
        ("export_job_canceled_logs", "job_canceled_logs", "id"),
        ("export_job_notes", "job_notes", "id"),
        ("export_project_notes", "project_notes", "id"),
        ("export_job_history", "job_history", "jobId"),
    ],
)
async def test_export_feeds(st, state, method, collection, key):
    op = next(o for o in OPERATIONS if o.method_name == method)
    rows = await drain(getattr(st.jpm, method)())
    models = parse_rows(op.row, rows)
    assert {getattr(m, "job_id" if key == "jobId" else "id") for m in models} == {
        r[key] for r in state[collection].values()
    }
    if collection != "job_history":
        assert all(isinstance(m.active, bool) for m in models)


async def test_export_resumes_from_token(st, state):
    pages = [page async for page in st.jpm.export_jobs()]
    token = pages[-1].continue_from
    job = _job(state)
    await st.jpm.update_job(job["id"], UpdateJobRequest(summary="changed after the token"))
    later = await drain(st.jpm.export_jobs(from_token=token))
    assert [r["id"] for r in later] == [job["id"]]
    assert later[0]["summary"] == "changed after the token"


# ================================================================================= appointments


async def test_get_appointment(st, state):
    record = _appointment(state)
    appt = await st.jpm.get_appointment(record["id"])
    assert isinstance(appt, Appointment)
    assert appt.id == record["id"] and appt.job_id == record["jobId"]
    assert appt.status == AppointmentStatus.SCHEDULED


async def test_list_and_iter_appointments(st, state):
    record = _appointment(state)
    page = await st.jpm.list_appointments(job_id=record["jobId"], include_total=True)
    assert record["id"] in {a.id for a in page.data}
    assert all(a.job_id == record["jobId"] for a in page.data)
    assert page.total_count == len([a for a in state["appointments"].values() if a["jobId"] == record["jobId"]])
    scheduled = await st.jpm.list_appointments(status=AppointmentStatus.SCHEDULED, page_size=5)
    assert len(scheduled.data) <= 5 and all(a.status == "Scheduled" for a in scheduled.data)
    every = await collect(st.jpm.iter_appointments(page_size=37))
    assert {a.id for a in every} == {a["id"] for a in state["appointments"].values()}


async def test_add_appointment(st, state):
    job = _job(state)
    created = await st.jpm.add_appointment(
        AddAppointmentRequest(job_id=job["id"], start=WHEN, end=WHEN + timedelta(hours=2), special_instructions="Gate 4")
    )
    record = state["appointments"].get(created.id)
    assert record is not None and record["jobId"] == job["id"]
    assert record["start"] == _iso(WHEN) and record["specialInstructions"] == "Gate 4"


async def test_delete_appointment(st, state):
    record = _appointment(state)
    extra = await st.jpm.add_appointment(
        AddAppointmentRequest(job_id=record["jobId"], start=WHEN, end=WHEN + timedelta(hours=1))
    )
    await st.jpm.delete_appointment(extra.id)
    gone = state["appointments"].get(extra.id)
    assert gone is None or gone.get("active") is False


async def test_reschedule_appointment(st, state):
    record = _appointment(state)
    new_start = WHEN + timedelta(days=1)
    appt = await st.jpm.reschedule_appointment(
        record["id"], RescheduleAppointmentRequest(start=new_start, end=new_start + timedelta(hours=3))
    )
    assert appt.start == new_start
    assert state["appointments"].get(record["id"])["start"] == _iso(new_start)
    assert state["appointments"].get(record["id"])["end"] == _iso(new_start + timedelta(hours=3))


async def test_hold_and_remove_appointment_hold(st, state):
    record = _appointment(state)
    reason = _reason(state, "job_hold_reasons")
    await st.jpm.hold_appointment(record["id"], HoldAppointmentRequest(reason_id=reason["id"], memo="Parts on order"))
    assert state["appointments"].get(record["id"])["status"] == "Hold"
    await st.jpm.remove_appointment_hold(record["id"])
    assert state["appointments"].get(record["id"])["status"] != "Hold"


async def test_update_appointment_special_instructions(st, state):
    record = _appointment(state)
    appt = await st.jpm.update_appointment_special_instructions(
        record["id"], UpdateSpecialInstructionsRequest(special_instructions="Dog in yard")
    )
    assert appt.special_instructions == "Dog in yard"
    assert state["appointments"].get(record["id"])["specialInstructions"] == "Dog in yard"


async def test_confirm_and_remove_confirmation(st, state):
    record = first(state["appointments"].values(), "appointment", status="Scheduled", isConfirmed=False)
    await st.jpm.confirm_appointment(record["id"])
    assert state["appointments"].get(record["id"])["isConfirmed"] is True
    await st.jpm.remove_appointment_confirmation(record["id"])
    assert state["appointments"].get(record["id"])["isConfirmed"] is False


async def test_set_appointment_summary(st, state):
    record = _appointment(state)
    tech = first(state["technicians"].values(), "technician", active=True)
    await st.jpm.set_appointment_summary(
        record["id"], SetAppointmentSummaryRequest(notes="Replaced igniter", technician_id=tech["id"])
    )
    stored = [s for s in state["appointment_summaries"].values() if s.get("appointmentId") == record["id"]]
    stored += state["appointments"].get(record["id"]).get("appointmentSummaries") or []
    assert any(s.get("notes") == "Replaced igniter" and s.get("technicianId") == tech["id"] for s in stored)


# ========================================================================================= jobs


async def test_get_job(st, state):
    record = _job(state)
    job = await st.jpm.get_job(record["id"])
    assert isinstance(job, Job) and job.id == record["id"] and job.job_number == record["jobNumber"]
    assert job.to_payload() == record or job.job_status == record["jobStatus"]


async def test_list_and_iter_jobs(st, state):
    page = await st.jpm.list_jobs(job_status=JobStatus.SCHEDULED, page_size=10, include_total=True)
    expected = [j for j in state["jobs"].values() if j["jobStatus"] == "Scheduled"]
    assert page.total_count == len(expected)
    assert all(j.job_status is JobStatus.SCHEDULED for j in page.data)
    some = [j["id"] for j in list(state["jobs"].values())[:3]]
    by_ids = await st.jpm.list_jobs(ids=some)
    assert sorted(j.id for j in by_ids.data) == sorted(some)
    every = await collect(st.jpm.iter_jobs(page_size=45))
    assert {j.id for j in every} == {j["id"] for j in state["jobs"].values()}


async def test_create_job(st, state):
    template = _job(state)
    job = await st.jpm.create_job(
        CreateJobRequest(
            customer_id=template["customerId"], location_id=template["locationId"],
            business_unit_id=template["businessUnitId"], job_type_id=template["jobTypeId"], priority="Normal",
            campaign_id=template["campaignId"], summary="Created by the API test",
            appointments=[AppointmentInformation(start=WHEN, end=WHEN + timedelta(hours=2))],
        )
    )
    record = state["jobs"].get(job.id)
    assert record is not None and record["summary"] == "Created by the API test"
    assert record["appointmentCount"] == 1
    assert any(a["jobId"] == job.id for a in state["appointments"].values())


async def test_update_job_omit_vs_null(st, state):
    record = _job(state)
    seller = next(t for t in state["technicians"].values() if t["active"])["id"]
    job = await st.jpm.update_job(record["id"], UpdateJobRequest(summary="Updated", priority="Urgent",
                                                                 sold_by_id=seller))
    assert job.summary == "Updated"
    stored = state["jobs"].get(record["id"])
    assert (stored["summary"], stored["priority"], stored["soldById"]) == ("Updated", "Urgent", seller)
    # soldById is nullable in the document: null clears it; the omitted fields stay as they were.
    await st.jpm.update_job(record["id"], UpdateJobRequest(sold_by_id=None))
    stored = state["jobs"].get(record["id"])
    assert (stored["summary"], stored["priority"], stored["soldById"]) == ("Updated", "Urgent", None)


async def test_cancel_job_and_remove_cancellation(st, state):
    record = _job(state)
    reason = _reason(state, "job_cancel_reasons")
    await st.jpm.cancel_job(record["id"], CancelJobRequest(reason_id=reason["id"], memo="Customer called"))
    assert state["jobs"].get(record["id"])["jobStatus"] == "Canceled"

    why = await st.jpm.get_jobs_cancel_reasons([record["id"]])
    assert [(r.job_id, r.reason_id) for r in why.data] == [(record["id"], reason["id"])]
    logs = await st.jpm.list_job_canceled_logs(record["id"])
    assert any(log.reason_id == reason["id"] and log.memo == "Customer called" for log in logs.data)
    assert len(await collect(st.jpm.iter_job_canceled_logs(record["id"]))) == len(logs.data)

    await st.jpm.remove_job_cancellation(record["id"])
    assert state["jobs"].get(record["id"])["jobStatus"] != "Canceled"


async def test_hold_job(st, state):
    record = _job(state)
    reason = _reason(state, "job_hold_reasons")
    await st.jpm.hold_job(record["id"], HoldJobRequest(reason_id=reason["id"], memo="Waiting on permit"))
    assert state["jobs"].get(record["id"])["jobStatus"] == "Hold"


async def test_complete_job(st, state):
    record = _job(state, "InProgress") if any(
        j["jobStatus"] == "InProgress" for j in state["jobs"].values()
    ) else _job(state, "Dispatched")
    done = datetime(2030, 1, 2, 15, 30, tzinfo=UTC)
    await st.jpm.complete_job(record["id"], CompleteJobRequest(completed_on=done))
    stored = state["jobs"].get(record["id"])
    assert stored["jobStatus"] == "Completed" and stored["completedOn"] == _iso(done)


async def test_job_notes(st, state):
    record = _job(state)
    note = await st.jpm.create_job_note(record["id"], CreateNoteRequest(text="Bring a ladder", pin_to_top=True))
    assert note.text == "Bring a ladder" and note.is_pinned is True
    assert any(n["jobId"] == record["id"] and n["text"] == "Bring a ladder" for n in state["job_notes"].values())
    notes = await st.jpm.list_job_notes(record["id"], include_total=True)
    assert "Bring a ladder" in [n.text for n in notes.data]
    assert len(await collect(st.jpm.iter_job_notes(record["id"]))) == notes.total_count


async def test_get_job_history(st, state):
    record = first(state["job_history"].values(), "job history")
    history = await st.jpm.get_job_history(record["jobId"])
    assert len(history.history) == len(record["history"])


async def test_create_job_message(st, state):
    record = _job(state)
    message = await st.jpm.create_job_message(
        record["id"], CreateMessageRequest(body="Please call ahead", created_by_employee_id=_employee_id(state))
    )
    assert message.id > 0


async def test_get_job_booked_log(st, state):
    record = first(state["job_booked_logs"].values(), "booked log")
    log = await st.jpm.get_job_booked_log(record["jobId"])
    assert log.job_id == record["jobId"]


async def test_job_custom_field_types(st, state):
    page = await st.jpm.list_job_custom_field_types(include_total=True)
    assert {t.id for t in page.data} == {t["id"] for t in state["job_custom_field_types"].values()}
    assert len(await collect(st.jpm.iter_job_custom_field_types())) == page.total_count


# ============================================================================== reasons, job types


async def test_job_cancel_and_hold_reasons(st, state):
    cancel = await collect(st.jpm.iter_job_cancel_reasons(active="Any"))
    assert {r.id for r in cancel} == {r["id"] for r in state["job_cancel_reasons"].values()}
    hold = await st.jpm.list_job_hold_reasons(active=True, page_size=500)
    assert {r.id for r in hold.data} == active_ids(state["job_hold_reasons"].values())
    assert {r.id for r in await collect(st.jpm.iter_job_hold_reasons(active="Any"))} == {
        r["id"] for r in state["job_hold_reasons"].values()
    }
    page = await st.jpm.list_job_cancel_reasons(page_size=1)
    assert len(page.data) == 1


async def test_job_types(st, state):
    listed = await collect(st.jpm.iter_job_types(active="Any"))
    assert {t.id for t in listed} == {t["id"] for t in state["job_types"].values()}
    page = await st.jpm.list_job_types(page_size=2)
    assert len(page.data) <= 2

    created = await st.jpm.create_job_type(CreateJobTypeRequest(name="API tune-up", duration=3600, class_="Maintenance"))
    stored = state["job_types"].get(created.id)
    assert stored["name"] == "API tune-up" and stored["duration"] == 3600

    fetched = await st.jpm.get_job_type(created.id)
    assert fetched.name == "API tune-up"
    updated = await st.jpm.update_job_type(created.id, UpdateJobTypeRequest(name="API tune-up (2h)", duration=7200))
    assert updated.duration == 7200
    assert state["job_types"].get(created.id)["name"] == "API tune-up (2h)"


# ===================================================================================== projects


def _project(state):
    return first(state["projects"].values(), "project")


async def test_get_list_iter_projects(st, state):
    record = _project(state)
    project = await st.jpm.get_project(record["id"])
    assert project.id == record["id"] and project.number == record["number"]
    page = await st.jpm.list_projects(customer_id=record["customerId"])
    assert record["id"] in {p.id for p in page.data}
    every = await collect(st.jpm.iter_projects())
    assert {p.id for p in every} == {p["id"] for p in state["projects"].values()}


async def test_create_and_update_project(st, state):
    location = first(state["locations"].values(), "location")
    created = await st.jpm.create_project(
        CreateProjectRequest(location_id=location["id"], customer_id=location["customerId"], name="Basement remodel")
    )
    assert state["projects"].get(created.id)["name"] == "Basement remodel"
    updated = await st.jpm.update_project(created.id, UpdateProjectRequest(summary="Phase 1", name="Basement"))
    assert updated.name == "Basement"
    assert state["projects"].get(created.id)["summary"] == "Phase 1"


async def test_project_notes(st, state):
    record = _project(state)
    note = await st.jpm.create_project_note(record["id"], CreateNoteRequest(text="Permit approved"))
    assert note.text == "Permit approved"
    assert any(
        n["projectId"] == record["id"] and n["text"] == "Permit approved" for n in state["project_notes"].values()
    )
    notes = await st.jpm.list_project_notes(record["id"])
    assert "Permit approved" in [n.text for n in notes.data]
    assert "Permit approved" in [n.text for n in await collect(st.jpm.iter_project_notes(record["id"]))]


async def test_attach_and_detach_job(st, state):
    project = _project(state)
    free = [j for j in state["jobs"].values() if j.get("projectId") is None and j["jobStatus"] != "Canceled"]
    same_customer = [j for j in free if j["customerId"] == project["customerId"]]
    job = (same_customer or free or [None])[0]
    assert job is not None, "the sandbox seed has no job outside a project"
    await st.jpm.attach_job_to_project(project["id"], job["id"])
    assert state["jobs"].get(job["id"])["projectId"] == project["id"]
    assert job["id"] in state["projects"].get(project["id"])["jobIds"]
    await st.jpm.detach_job_from_project(job["id"])
    assert state["jobs"].get(job["id"])["projectId"] is None
    assert job["id"] not in state["projects"].get(project["id"])["jobIds"]


async def test_create_project_message(st, state):
    message = await st.jpm.create_project_message(
        _project(state)["id"], CreateMessageRequest(body="Kickoff Monday", created_by_employee_id=_employee_id(state))
    )
    assert message.id > 0


async def test_project_custom_field_types(st, state):
    page = await st.jpm.list_project_custom_field_types()
    assert {t.id for t in page.data} == {t["id"] for t in state["project_custom_field_types"].values()}
    assert len(await collect(st.jpm.iter_project_custom_field_types())) == len(page.data)


async def test_project_statuses_substatuses_types(st, state):
    statuses = await st.jpm.list_project_statuses()
    assert {s.id for s in statuses.data} == {s["id"] for s in state["project_statuses"].values()}
    assert len(await collect(st.jpm.iter_project_statuses())) == len(statuses.data)
    one = statuses.data[0]
    assert (await st.jpm.get_project_status(one.id)).name == one.name

    subs = await collect(st.jpm.iter_project_substatuses(active="Any"))
    assert {s.id for s in subs} == {s["id"] for s in state["project_substatuses"].values()}
    page = await st.jpm.list_project_substatuses(status_id=subs[0].status_id)
    assert page.data and all(s.status_id == subs[0].status_id for s in page.data)
    assert (await st.jpm.get_project_substatus(subs[0].id)).id == subs[0].id

    types = await st.jpm.list_project_types()
    assert {t.id for t in types.data} == {t["id"] for t in state["project_types"].values()}
    assert len(await collect(st.jpm.iter_project_types())) == len(types.data)
    assert (await st.jpm.get_project_type(types.data[0].id)).name == types.data[0].name


# ======================================================================= work breakdown structure


async def test_wbs_segments_and_items(st, state):
    segments = await st.jpm.list_segments()
    assert {s.id for s in segments.data} == {s["id"] for s in state["wbs_segments"].values()}
    project = _project(state)
    project_segments = await st.jpm.list_project_segments(project["id"])
    assert project_segments.data

    segment = segments.data[0]
    items = await st.jpm.list_segment_items(segment.id)
    expected = [i for i in state["wbs_segment_items"].values() if i.get("segmentId") == segment.id]
    assert {i.id for i in await collect(st.jpm.iter_segment_items(segment.id))} == {i["id"] for i in expected}
    assert items.data

    project_items = await st.jpm.list_project_segment_items(project["id"], project_segments.data[0].id)
    assert isinstance(project_items.data, list)
    await collect(st.jpm.iter_project_segment_items(project["id"], project_segments.data[0].id))

    parent = next((i for i in expected if any(c.get("parentId") == i["id"] for c in expected)), expected[0])
    children = await st.jpm.list_segment_item_children(segment.id, parent["id"])
    assert {c.id for c in children.data} == {c["id"] for c in expected if c.get("parentId") == parent["id"]}
    await collect(st.jpm.iter_segment_item_children(segment.id, parent["id"]))


async def test_wbs_budget_codes(st, state):
    page = await st.jpm.list_budget_codes(include_total=True)
    assert page.total_count == len(list(state["budget_codes"].values()))
    assert len(await collect(st.jpm.iter_budget_codes())) == page.total_count
    project = _project(state)
    project_codes = await st.jpm.list_project_budget_codes(project["id"])
    assert isinstance(project_codes.data, list)
    await collect(st.jpm.iter_project_budget_codes(project["id"]))

    known = page.data[0]
    match = await st.jpm.match_budget_codes([known.code, "no-such-code"])
    valid = {m.code: m.is_valid for m in match.matches}
    assert valid == {known.code: True, "no-such-code": False}
    project_match = await st.jpm.match_project_budget_codes(project["id"], [known.code])
    assert [m.code for m in project_match.matches] == [known.code]


async def test_wbs_create_budget_codes(st, state):
    segments = [s for s in state["wbs_segments"].values() if s.get("isActive", True)]
    items = {
        s["id"]: next(i for i in state["wbs_segment_items"].values() if i.get("segmentId") == s["id"])
        for s in segments
    }
    before = len(list(state["budget_codes"].values()))
    created = await st.jpm.create_budget_code(CreateBudgetCodeRequest(segment_item_ids=[i["id"] for i in items.values()]))
    assert state["budget_codes"].get(created.code.id) is not None

    first_segment = segments[0]
    partial = await st.jpm.create_budget_code_partial(
        CreateBudgetCodePartialRequest(
            segments=[BudgetCodeSegmentBinding(segment_id=first_segment["id"], segment_item_id=items[first_segment["id"]]["id"])]
        )
    )
    assert state["budget_codes"].get(partial.code.id) is not None

    batch = await st.jpm.create_budget_codes_batch([CreateBudgetCodeRequest(segment_item_ids=[i["id"] for i in items.values()])])
    partial_batch = await st.jpm.create_budget_codes_partial_batch(
        [CreateBudgetCodePartialRequest(segments=[BudgetCodeSegmentBinding(segment_id=first_segment["id"])])]
    )
    assert len(batch.codes) == 1 and len(partial_batch.codes) == 1
    assert len(list(state["budget_codes"].values())) >= before + 2
