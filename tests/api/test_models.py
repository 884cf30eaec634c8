"""Wire models: round trips with unknown fields, open enums, omit vs null, UTC datetimes, strict requests."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from jpm_tui.api.models import (
    AddAppointmentRequest,
    Appointment,
    AppointmentAssignment,
    AppointmentStatus,
    AssignmentStatus,
    AssignTechniciansRequest,
    BudgetCode,
    CancelJobRequest,
    CreateBudgetCodeRequest,
    CreateJobRequest,
    CreateJobTypeRequest,
    Customer,
    CustomerContact,
    ExportAppointment,
    ExportJob,
    ExportJobHistory,
    ExportResponse,
    Job,
    JobStatus,
    JobType,
    Paged,
    Priority,
    RescheduleAppointmentRequest,
    SetAppointmentSummaryRequest,
    Technician,
    UpdateJobRequest,
    UpdateProjectRequest,
    parse_rows,
)
from jpm_tui.api.models.base import build_query, format_datetime

JOB = {
    "id": 5001,
    "jobNumber": "5001",
    "projectId": None,
    "customerId": 301,
    "locationId": 401,
    "jobStatus": "Scheduled",
    "completedOn": None,
    "businessUnitId": 11,
    "jobTypeId": 21,
    "priority": "High",
    "campaignId": 31,
    "summary": "<p>No heat upstairs</p>",
    "customFields": [{"typeId": 1, "name": "Gate code", "value": "1234", "colour": "red"}],
    "appointmentCount": 1,
    "firstAppointmentId": 7001,
    "lastAppointmentId": 7001,
    "recallForId": None,
    "warrantyId": None,
    "jobGeneratedLeadSource": {"jobId": None, "employeeId": 12, "channel": "phone"},
    "noCharge": False,
    "notificationsEnabled": True,
    "createdOn": "2025-05-01T13:30:00Z",
    "createdById": 1,
    "modifiedOn": "2025-05-02T08:15:30.25Z",
    "tagTypeIds": [3, 4],
    "leadCallId": None,
    "bookingId": None,
    "soldById": None,
    "externalData": [],
    "customerPo": "",
    "invoiceId": 9001,
    "membershipId": None,
    "total": 129.5,
    # 2026 fields
    "partnerLeadCallId": None,
    "estimateIds": [1],
    "equipmentIds": [],
    "isAutoDispatched": False,
    "summaryOfWork": None,
    # fields nobody knows yet
    "dispatchZoneHint": {"zoneId": 4, "confidence": 0.9},
    "futureFlag": True,
}

APPOINTMENT = {
    "id": 7001,
    "jobId": 5001,
    "appointmentNumber": "5001-1",
    "start": "2025-05-03T14:00:00Z",
    "end": "2025-05-03T16:00:00Z",
    "arrivalWindowStart": "2025-05-03T14:00:00Z",
    "arrivalWindowEnd": "2025-05-03T18:00:00Z",
    "status": "Scheduled",
    "specialInstructions": None,
    "createdOn": "2025-05-01T13:30:00Z",
    "modifiedOn": "2025-05-01T13:30:00Z",
    "customerId": 301,
    "unused": False,
    "createdById": 1,
    "isConfirmed": False,
    "active": True,
    "appointmentSummaries": [{"technicianId": 44, "notes": "Replaced igniter", "createdOn": "2026-01-01T00:00:00Z"}],
    "travelMinutes": 25,
}


# ------------------------------------------------------------------------------------ round trips


@pytest.mark.parametrize(
    ("model", "payload"),
    [
        (Job, JOB),
        (ExportJob, {**JOB, "active": True}),
        (Appointment, APPOINTMENT),
        (ExportAppointment, APPOINTMENT),
        (
            AppointmentAssignment,
            {
                "id": 1, "technicianId": 44, "technicianName": "Ada Lovelace", "assignedById": 1,
                "assignedOn": "2025-05-01T13:30:00Z", "status": "Dispatched", "isPaused": False, "jobId": 5001,
                "appointmentId": 7001, "modifiedOn": "2025-05-01T13:30:00Z", "active": True, "isLead": True,
            },
        ),
        (
            Customer,
            {
                "id": 301, "active": True, "name": "Grace Hopper", "type": "Residential",
                "address": {"street": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701",
                            "country": "USA", "latitude": 39.8, "longitude": -89.6, "plus4": "0001"},
                "customFields": [], "balance": 0.0, "tagTypeIds": [], "doNotMail": False, "doNotService": False,
                "createdOn": "2024-01-01T00:00:00Z", "createdById": 1, "modifiedOn": "2025-01-01T00:00:00Z",
                "externalData": [{"key": "crm", "value": "x"}], "preferredLanguage": "en",
            },
        ),
        (
            ExportJobHistory,
            {
                "jobId": 5001,
                "history": [{"id": 1, "employeeId": None, "eventType": "Job Booked", "date": "2025-05-01T13:30:00Z",
                             "usedSchedulingTool": "QuantumScheduler", "source": "api"}],
                "batch": 3,
            },
        ),
        (
            JobType,
            {
                "id": 21, "name": "No heat", "businessUnitIds": [11], "skills": [], "tagTypeIds": [],
                "priority": "Normal", "duration": 7200, "soldThreshold": None, "class": "Service",
                "summary": "", "noCharge": False, "enforceRecurringServiceEventSelection": None,
                "invoiceSignaturesRequired": False, "modifiedOn": "2025-01-01T00:00:00Z",
                "createdOn": "2025-01-01T00:00:00Z", "externalData": [], "active": True, "colour": "#f00",
            },
        ),
    ],
)
def test_round_trip_keeps_every_field(model, payload):
    original = copy.deepcopy(payload)
    parsed = model.model_validate(payload)
    assert parsed.model_dump(by_alias=True, exclude_unset=True) == original
    assert parsed.to_payload() == original
    # And through real JSON text, as the cache would store it.
    assert json.loads(parsed.model_dump_json(exclude_unset=True)) == original


def test_unknown_fields_are_reachable():
    job = Job.model_validate(JOB)
    assert job.model_extra["dispatchZoneHint"] == {"zoneId": 4, "confidence": 0.9}
    assert job.custom_fields[0].model_extra == {"colour": "red"}
    assert job.job_generated_lead_source.model_extra == {"channel": "phone"}
    appt = Appointment.model_validate(APPOINTMENT)
    assert appt.appointment_summaries[0].notes == "Replaced igniter"


def test_fields_by_python_name_and_2026_fields_optional():
    job = Job.model_validate(JOB)
    assert job.job_number == "5001" and job.business_unit_id == 11 and job.total == 129.5
    older = {k: v for k, v in JOB.items() if k not in {"partnerLeadCallId", "estimateIds", "equipmentIds",
                                                        "isAutoDispatched", "summaryOfWork"}}
    old_job = Job.model_validate(older)
    assert old_job.estimate_ids is None and "estimateIds" not in old_job.to_payload()


def test_required_response_fields_are_required():
    broken = dict(JOB)
    del broken["jobStatus"]
    with pytest.raises(ValidationError) as info:
        Job.model_validate(broken)
    assert "jobStatus" in str(info.value)


# ------------------------------------------------------------------------------------------ enums


def test_known_enum_values_become_members():
    job = Job.model_validate(JOB)
    assert job.job_status is JobStatus.SCHEDULED
    assert job.priority is Priority.HIGH
    assert Appointment.model_validate(APPOINTMENT).status is AppointmentStatus.SCHEDULED


@pytest.mark.parametrize(
    ("model", "payload", "field", "attr"),
    [
        (Job, {**JOB, "jobStatus": "AwaitingParts"}, "jobStatus", "job_status"),
        (Job, {**JOB, "priority": "Critical"}, "priority", "priority"),
        (Appointment, {**APPOINTMENT, "status": "EnRoute"}, "status", "status"),
    ],
)
def test_unknown_enum_value_never_fails(model, payload, field, attr):
    parsed = model.model_validate(payload)
    value = getattr(parsed, attr)
    assert value == payload[field]
    assert type(value) is str
    assert parsed.to_payload()[field] == payload[field]


def test_unknown_assignment_status_and_scheduling_tool():
    row = {
        "id": 1, "technicianId": 44, "technicianName": "A", "assignedById": 1,
        "assignedOn": "2025-05-01T13:30:00Z", "status": "Paused", "isPaused": True, "jobId": 1,
        "appointmentId": 2, "modifiedOn": "2025-05-01T13:30:00Z", "active": True,
    }
    assert AppointmentAssignment.model_validate(row).status == "Paused"
    assert AppointmentAssignment.model_validate({**row, "status": "Working"}).status is AssignmentStatus.WORKING
    history = ExportJobHistory.model_validate(
        {"jobId": 1, "history": [{"id": 1, "eventType": "x", "date": "2025-05-01T00:00:00Z", "usedSchedulingTool": "Manual"}]}
    )
    assert history.history[0].used_scheduling_tool == "Manual"


def test_status_enums_match_the_architecture():
    assert [s.value for s in JobStatus] == ["Scheduled", "Dispatched", "InProgress", "Hold", "Completed", "Canceled"]
    assert [s.value for s in AppointmentStatus] == ["Scheduled", "Dispatched", "Working", "Hold", "Done", "Canceled"]
    assert [s.value for s in AssignmentStatus] == ["Scheduled", "Dispatched", "Working", "Done"]


# -------------------------------------------------------------------------------------- datetimes


def test_datetimes_are_aware_utc():
    job = Job.model_validate(JOB)
    assert job.created_on == datetime(2025, 5, 1, 13, 30, tzinfo=UTC)
    assert job.created_on.utcoffset() == timedelta(0)
    assert job.modified_on.microsecond == 250000


def test_offsets_are_converted_and_naive_means_utc():
    appt = Appointment.model_validate({**APPOINTMENT, "start": "2025-05-03T10:00:00-04:00", "end": "2025-05-03T16:00:00"})
    assert appt.start == datetime(2025, 5, 3, 14, 0, tzinfo=UTC)
    assert appt.start.tzinfo == UTC
    assert appt.end.tzinfo == UTC and appt.end.hour == 16
    assert appt.to_payload()["start"] == "2025-05-03T14:00:00Z"


def test_dotnet_seven_digit_fractions_parse():
    job = Job.model_validate({**JOB, "modifiedOn": "2025-05-02T08:15:30.1234567Z"})
    assert job.modified_on.microsecond == 123456


def test_format_datetime():
    assert format_datetime(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2025-01-02T03:04:05Z"
    assert format_datetime(datetime(2025, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)) == "2025-01-02T03:04:05.12Z"
    tz = timezone(timedelta(hours=2))
    assert format_datetime(datetime(2025, 1, 2, 3, 4, 5, tzinfo=tz)) == "2025-01-02T01:04:05Z"


# --------------------------------------------------------------------------------------- requests


def test_update_request_omit_vs_null():
    assert UpdateJobRequest().to_body() == {}
    assert UpdateJobRequest(summary=None).to_body() == {"summary": None}
    assert UpdateJobRequest(summary="Fixed", job_type_id=4).to_body() == {"summary": "Fixed", "jobTypeId": 4}
    assert UpdateJobRequest(sold_by_id=None, priority=Priority.URGENT).to_body() == {"soldById": None, "priority": "Urgent"}
    assert UpdateJobRequest.model_validate({"businessUnitId": 3}).to_body() == {"businessUnitId": 3}
    assert UpdateProjectRequest(start_date=None).to_body() == {"startDate": None}


def test_request_bodies_use_wire_names_and_utc():
    body = AddAppointmentRequest(
        job_id=5001,
        start=datetime(2025, 5, 3, 10, 0, tzinfo=timezone(timedelta(hours=-4))),
        end=datetime(2025, 5, 3, 16, 0),
        technician_ids=[44],
    ).to_body()
    assert body == {"jobId": 5001, "start": "2025-05-03T14:00:00Z", "end": "2025-05-03T16:00:00Z", "technicianIds": [44]}
    assert json.dumps(body)  # JSON-ready as is
    assert RescheduleAppointmentRequest(arrival_window_start=None).to_body() == {"arrivalWindowStart": None}
    assert CreateJobTypeRequest(name="Tune-up", class_="Maintenance").to_body() == {"name": "Tune-up", "class": "Maintenance"}
    assert CreateJobTypeRequest.model_validate({"name": "x", "class": "y"}).class_ == "y"


def test_nested_request_bodies():
    body = CreateJobRequest(
        customer_id=1, location_id=2, business_unit_id=3, job_type_id=4, priority="Normal", campaign_id=5,
        appointments=[{"start": "2025-05-03T14:00:00Z", "end": "2025-05-03T16:00:00Z"}],
    ).to_body()
    assert body["appointments"] == [{"start": "2025-05-03T14:00:00Z", "end": "2025-05-03T16:00:00Z"}]
    assert "summary" not in body


@pytest.mark.parametrize(
    ("model", "data", "bad"),
    [
        (CancelJobRequest, {"reasonId": 1, "memo": "x", "reason": "typo"}, "reason"),
        (UpdateJobRequest, {"sumary": "typo"}, "sumary"),
        (AssignTechniciansRequest, {"jobAppointmentId": 1, "technicianIds": [2], "technicianId": 2}, "technicianId"),
        (CreateJobRequest, {
            "customerId": 1, "locationId": 2, "businessUnitId": 3, "jobTypeId": 4, "priority": "Normal",
            "campaignId": 5, "appointments": [{"start": "2025-05-03T14:00:00Z", "end": "2025-05-03T16:00:00Z",
                                               "tech": 1}],
        }, "tech"),
    ],
)
def test_requests_reject_unknown_fields_before_the_network(model, data, bad):
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    assert bad in str(info.value)
    assert info.value.errors()[0]["type"] == "extra_forbidden"


def test_requests_reject_unknown_keyword_and_missing_required():
    with pytest.raises(ValidationError):
        CancelJobRequest(reason_id=1, memo="x", memoo="y")
    with pytest.raises(ValidationError):
        CancelJobRequest(reason_id=1)


def test_2026_requests_are_loose():
    body = SetAppointmentSummaryRequest(notes="Done", technician_id=44, visibility="internal").to_body()
    assert body == {"notes": "Done", "technicianId": 44, "visibility": "internal"}
    assert CreateBudgetCodeRequest(segment_item_ids=[1, 2]).to_body() == {"segmentItemIds": [1, 2]}
    assert BudgetCode.model_validate({"id": 1, "code": "01-100", "newThing": 1}).to_payload() == {
        "id": 1, "code": "01-100", "newThing": 1,
    }


# ---------------------------------------------------------------------------------- pages, exports


def test_paged_and_export_generics():
    page = Paged[Appointment].model_validate(
        {"page": 2, "pageSize": 1, "hasMore": True, "totalCount": None, "data": [APPOINTMENT], "nextHint": 3}
    )
    assert page.page == 2 and page.has_more and page.total_count is None
    assert isinstance(page.data[0], Appointment)
    assert page.model_extra == {"nextHint": 3}
    feed = ExportResponse[ExportAppointment].model_validate(
        {"hasMore": False, "continueFrom": "abc", "data": [APPOINTMENT]}
    )
    assert feed.continue_from == "abc" and feed.data[0].active is True


def test_parse_rows_on_demand():
    rows = [APPOINTMENT, {**APPOINTMENT, "id": 7002, "status": "Teleported"}]
    parsed = parse_rows(ExportAppointment, rows)
    assert [a.id for a in parsed] == [7001, 7002]
    assert parsed[1].status == "Teleported"


def test_technician_and_contact_models():
    tech = Technician.model_validate({
        "id": 44, "userId": 4, "name": "Ada", "createdOn": "2025-01-01T00:00:00Z",
        "modifiedOn": "2025-01-01T00:00:00Z", "dailyGoal": 0, "isManagedTech": False, "active": True,
        "burdenRate": 0, "jobFilter": "SomethingNew", "home": None,
    })
    assert tech.job_filter == "SomethingNew"
    contact = CustomerContact.model_validate({
        "id": 1, "type": "Email", "value": "a@example.com", "modifiedOn": "2025-01-01T00:00:00Z",
        "phoneSettings": None, "createdOn": "2025-01-01T00:00:00Z",
    })
    assert contact.type == "Email" and contact.phone_settings is None


# ------------------------------------------------------------------------------------ query params


def test_build_query():
    params = build_query(
        None,
        ids=[1, 2, 3],
        job_status=JobStatus.IN_PROGRESS,
        modified_on_or_after=datetime(2025, 5, 1, tzinfo=UTC),
        has_unused_appointments=True,
        active=False,
        technician_id=None,
    )
    assert params == {
        "ids": "1,2,3",
        "jobStatus": "InProgress",
        "modifiedOnOrAfter": "2025-05-01T00:00:00Z",
        "hasUnusedAppointments": "true",
        "active": "False",
    }


def test_build_query_rejects_unknown_filter():
    with pytest.raises(TypeError, match="job_stauts"):
        build_query({"job_status"}, job_stauts="Hold")


# ------------------------------------------------------------------------------------ TimeSpans


@pytest.mark.parametrize(("wire", "span"), [
    ("07:00:00", timedelta(hours=7)),            # what ServiceTitan (.NET TimeSpan) sends
    ("09:00", timedelta(hours=9)),               # the document's own example
    ("1.02:30:00", timedelta(days=1, hours=2, minutes=30)),
    ("00:00:01.5000000", timedelta(seconds=1.5)),
    ("PT7H", timedelta(hours=7)),                # what the documents' `format: duration` names, tolerated
    ("PT2H30M", timedelta(hours=2, minutes=30)),
    ("P1DT2H", timedelta(days=1, hours=2)),
])
def test_arrival_window_reads_timespan_text_and_iso_durations(wire, span):
    from jpm_tui.api.models.dispatch import ArrivalWindow

    window = ArrivalWindow.model_validate({"id": 1, "start": wire, "duration": wire, "businessUnitIds": [],
                                           "active": True})
    assert window.start == span and window.duration == span


def test_arrival_window_writes_timespan_text():
    from jpm_tui.api.models.dispatch import ArrivalWindow

    payload = {"id": 1, "start": "07:00:00", "duration": "1.02:00:00", "businessUnitIds": [3], "active": True}
    assert ArrivalWindow.model_validate(payload).model_dump(mode="json") == payload
    iso = ArrivalWindow.model_validate({**payload, "start": "PT7H30M"})
    assert iso.model_dump(mode="json")["start"] == "07:30:00"


@pytest.mark.parametrize("wire", ["25:00:00", "07:61", "soon", "", "P", "PT", 7])
def test_arrival_window_refuses_what_is_not_a_timespan(wire):
    from pydantic import ValidationError

    from jpm_tui.api.models.dispatch import ArrivalWindow

    with pytest.raises(ValidationError):
        ArrivalWindow.model_validate({"id": 1, "start": wire, "duration": "02:00:00", "businessUnitIds": [],
                                      "active": True})
