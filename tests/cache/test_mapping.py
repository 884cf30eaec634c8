"""ServiceTitan wire payloads -> domain rows, commands -> client calls, and the domain's own contracts."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from jpm_tui.api import errors as api_errors
from jpm_tui.provider import domain as d
from jpm_tui.provider import servicetitan as st
from jpm_tui.provider.base import Feed, FeedPage, Outcome, Provider, ProviderError
from jpm_tui.provider.bigchange.commands import EditJobFields
from jpm_tui.provider.domain import commands as commands_module

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "servicetitan"

JOB = {
    "id": 101, "jobNumber": "5001", "projectId": None, "customerId": 7, "locationId": 8, "jobStatus": "Scheduled",
    "completedOn": None, "businessUnitId": 3, "jobTypeId": 4, "priority": "High", "campaignId": 9,
    "summary": "AC not cooling", "customFields": [], "appointmentCount": 1, "firstAppointmentId": 11,
    "lastAppointmentId": 11, "noCharge": False, "notificationsEnabled": True,
    "createdOn": "2025-05-01T13:30:00.1234567Z", "createdById": 1, "modifiedOn": "2025-05-02T08:00:00Z",
    "tagTypeIds": [], "externalData": [], "customerPo": None, "invoiceId": 55, "active": True,
}


def test_job_from_wire_full() -> None:
    job = st.job_from_wire(JOB)
    assert job.id == 101 and job.number == "5001"
    assert job.status is d.JobStatus.SCHEDULED and job.priority is d.Priority.HIGH
    assert (job.customer_id, job.location_id, job.business_unit_id, job.job_type_id) == (7, 8, 3, 4)
    assert job.created_on == datetime(2025, 5, 1, 13, 30, 0, 123456, tzinfo=UTC)
    assert job.modified_on == datetime(2025, 5, 2, 8, tzinfo=UTC)
    assert job.active is True
    assert job.raw is JOB


def test_unknown_status_keeps_text_and_unknown_fields_stay_in_raw() -> None:
    payload = dict(JOB, jobStatus="Invoiced", priority="Medium", brandNewField={"x": 1})
    job = st.job_from_wire(payload)
    assert not job.status.known and job.status.name == "UNKNOWN" and job.status.value == "Invoiced"
    assert str(job.status) == "Invoiced" and job.status.rank == 99
    assert job.priority.value == "Medium" and not job.priority.known
    assert job.raw["brandNewField"] == {"x": 1}


def test_missing_optional_fields() -> None:
    job = st.job_from_wire({"id": 5})
    assert job.number == "5" and job.status.value == "Unknown" and job.summary == ""
    assert job.customer_id is None and job.created_on is None and job.active is True
    appt = st.appointment_from_wire({"id": 1, "jobId": 5, "status": "Teleported", "start": "not a date"})
    assert appt.start is None and appt.status.value == "Teleported" and appt.confirmed is False
    tech = st.technician_from_wire({"id": 3})
    assert tech.name == "" and tech.zone_ids == ()
    loc = st.location_from_wire({"id": 4, "address": None})
    assert loc.street == "" and loc.lat is None


def test_missing_id_is_a_mapping_error_and_feeds_skip_it() -> None:
    with pytest.raises(st.MappingError):
        st.job_from_wire({"jobNumber": "1"})
    with pytest.raises(st.MappingError):
        st.appointment_from_wire({"id": 1})  # no jobId
    rows = st.map_rows(st.job_from_wire, [{"id": 1}, {"jobNumber": "x"}, {"id": "2"}])
    assert [r.id for r in rows] == [1, 2]


def test_status_lookup_is_forgiving() -> None:
    assert d.JobStatus("in progress") is d.JobStatus.IN_PROGRESS
    assert d.AppointmentStatus("DONE") is d.AppointmentStatus.DONE
    assert d.JobStatus("Invoiced") is d.JobStatus("Invoiced")  # pseudo-members are cached


def test_other_mappers() -> None:
    appt = st.appointment_from_wire({
        "id": 11, "jobId": 101, "appointmentNumber": "5001-1", "start": "2025-05-03T14:00:00Z",
        "end": "2025-05-03T16:00:00Z", "arrivalWindowStart": "2025-05-03T13:00:00Z", "status": "Dispatched",
        "specialInstructions": "Gate 4", "isConfirmed": True, "active": False, "customerId": 7,
    })
    assert appt.status is d.AppointmentStatus.DISPATCHED and appt.confirmed and not appt.active
    assert appt.arrival_window_start == datetime(2025, 5, 3, 13, tzinfo=UTC) and appt.arrival_window_end is None
    a = st.assignment_from_wire({"id": 1, "technicianId": 2, "technicianName": "Bo", "appointmentId": 11,
                                 "jobId": 101, "status": "Working", "active": True})
    assert a.status is d.AssignmentStatus.WORKING and a.technician_name == "Bo"
    c = st.customer_from_wire({"id": 7, "name": "Acme", "type": "Commercial",
                               "address": {"street": "1 Main", "city": "Dallas", "zip": "75001"}})
    assert (c.name, c.kind, c.street, c.city, c.zip) == ("Acme", "Commercial", "1 Main", "Dallas", "75001")
    loc = st.location_from_wire({"id": 8, "customerId": 7, "address": {"street": "2 Oak", "unit": "B",
                                 "city": "Austin", "state": "TX", "zip": "78701", "latitude": 30.2,
                                 "longitude": -97.7}, "zoneId": 3})
    assert (loc.street, loc.unit, loc.lat, loc.lon, loc.zone_id) == ("2 Oak", "B", 30.2, -97.7, 3)
    assert loc.short_address == "2 Oak, Austin"
    cc = st.contact_from_wire({"id": 1, "customerId": 7, "type": "MobilePhone", "value": "555-0100", "active": True})
    assert cc.owner_kind == "customer" and cc.owner_id == 7 and cc.type is d.ContactType.MOBILE
    lc = st.contact_from_wire({"id": 1, "locationId": 8, "type": "Pager", "value": "x"})
    assert lc.owner_kind == "location" and lc.type.value == "Pager"
    hist = st.history_from_wire({"jobId": 101, "history": [
        {"id": 1, "eventType": "Job Booked", "date": "2025-05-01T00:00:00Z", "usedSchedulingTool": "Unknown"},
        {"id": 2, "eventType": "Dispatched", "date": "2025-05-02T00:00:00Z", "employeeId": 4}]})
    assert [(h.id, h.job_id, h.event) for h in hist] == [(1, 101, "Job Booked"), (2, 101, "Dispatched")]
    assert hist[0].raw["jobId"] == 101
    note = st.note_from_wire({"id": 9, "jobId": 101, "text": "hi", "isPinned": True, "active": True})
    assert note.owner_kind == "job" and note.pinned
    pn = st.note_from_wire({"id": 9, "projectId": 3, "text": "p"})
    assert pn.owner_kind == "project" and pn.owner_id == 3
    r = st.reason_from_wire({"id": 1, "name": "Customer cancel", "active": False}, "cancel")
    assert r.kind == "cancel" and not r.active
    jt = st.job_type_from_wire({"id": 4, "name": "Repair", "duration": 7200, "businessUnitIds": [1, 2]})
    assert jt.duration_minutes == 120 and jt.business_unit_ids == (1, 2)
    z = st.zone_from_wire({"id": 1, "name": "North", "zips": ["75001"], "technicians": [3], "active": True})
    assert z.zips == ("75001",) and z.technician_ids == (3,)
    sh = st.shift_from_wire({"id": 1, "technicianId": 3, "shiftType": "OnCall", "start": "2025-05-01T00:00:00Z"})
    assert sh.kind == "OnCall"
    p = st.project_from_wire({"id": 3, "number": "P-1", "status": "Open", "jobIds": [101], "active": True})
    assert p.job_ids == (101,) and p.status == "Open"


@pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference documents not found at {REFERENCE}")
def test_mappers_accept_document_examples_shapes() -> None:
    """Every property of the export schemas the mappers read is one the documents define."""
    jpm = json.loads((REFERENCE / "jpm-v2.json").read_text())["components"]["schemas"]
    job_props = set(jpm["Jpm.V2.ExportJobsResponse"]["properties"])
    assert {"id", "jobNumber", "jobStatus", "priority", "jobTypeId", "businessUnitId", "customerId", "locationId",
            "projectId", "summary", "createdOn", "modifiedOn", "completedOn", "active"} <= job_props
    appt_props = set(jpm["Jpm.V2.ExportAppointmentsResponse"]["properties"])
    assert {"id", "jobId", "appointmentNumber", "start", "end", "arrivalWindowStart", "arrivalWindowEnd",
            "status", "isConfirmed", "specialInstructions", "modifiedOn", "active"} <= appt_props
    dispatch = json.loads((REFERENCE / "dispatch-v2.json").read_text())["components"]["schemas"]
    assign = dispatch["Dispatch.V2.ExportAppointmentAssignmentsResponse"]
    assert {"id", "technicianId", "technicianName", "appointmentId", "jobId", "status", "assignedOn",
            "active"} <= set(assign["properties"])


# ------------------------------------------------------------------------------------------ commands

ALL_COMMANDS = [
    d.CancelJob(1, 2, "memo"), d.RemoveCancellation(1), d.HoldAppointment(3, 4, "wait"),
    d.RemoveAppointmentHold(3), d.ConfirmAppointment(3), d.UnconfirmAppointment(3),
    d.RescheduleAppointment(3, datetime(2025, 1, 1, 9, tzinfo=UTC), datetime(2025, 1, 1, 11, tzinfo=UTC),
                            datetime(2025, 1, 1, 8, tzinfo=UTC), None),
    d.AssignTechnicians(3, (5, 6)), d.UnassignTechnicians(3, (5,)), d.AddJobNote(1, "note", True),
    d.AddProjectNote(9, "pnote", True), d.SetSpecialInstructions(3, "gate"), d.EditJob(1, {"summary": "s", "priority": "High"}),
    d.AttachJobToProject(1, 9), d.DetachJobFromProject(1),
    d.RescheduleAppointment(3, datetime(2025, 1, 1, 9, tzinfo=UTC), datetime(2025, 1, 1, 11, tzinfo=UTC),
                            None, datetime(2025, 1, 1, 10, tzinfo=UTC)),
    d.CreateAppointment(1, datetime(2025, 1, 2, 9, tzinfo=UTC), datetime(2025, 1, 2, 10, tzinfo=UTC),
                        datetime(2025, 1, 2, 8, tzinfo=UTC), datetime(2025, 1, 2, 12, tzinfo=UTC),
                        technician_ids=(5, 6), special_instructions="gate code 12"),
    d.DeleteAppointment(3),
]
ONE_WINDOW_COMMANDS = [  # a backend with one window and one technician per job (FSM Navigator)
    d.SetJobStatus(1, "In Progress"), d.AssignJobTechnician(1, 5), d.AssignJobTechnician(1, None),
    d.RescheduleJob(1, datetime(2025, 1, 2, 9, tzinfo=UTC), datetime(2025, 1, 2, 10, tzinfo=UTC)),
    d.LinkAssets(1, (7, 8), "installed"), d.UnlinkAssets(1, (7,)),
    d.CreateJob(4, "Boiler service", "annual", "High", 5, datetime(2025, 1, 2, 9, tzinfo=UTC),
                datetime(2025, 1, 2, 10, tzinfo=UTC)),
]
FORM_COMMANDS = [  # a backend whose edit is a form of fields (BigChange): changed with values, emptied by name
    EditJobFields(1, {"reference": "PBS-1", "customFields.9001": "AT-1"}, ("orderNumber", "customFields.9002")),
]
CREATES = {"create_job"}
"""Commands making a record not there yet: no target id, nothing to compare before they are sent."""


@pytest.mark.parametrize("command", ALL_COMMANDS + ONE_WINDOW_COMMANDS + FORM_COMMANDS, ids=lambda c: c.kind)
def test_commands_round_trip_through_json(command: d.Command) -> None:
    data = json.loads(json.dumps(command.to_dict()))
    assert data["kind"] == command.kind
    assert d.command_from_dict(data) == command
    assert command.target in ("job", "appointment", "project")
    assert isinstance(command.target_id, int) or (command.kind in CREATES and command.target_id is None)


def test_command_cases_set_every_field_apart_from_its_default() -> None:
    # a field read back wrongly cannot hide behind its default in the round trip above
    for kind, cls in d.COMMAND_TYPES.items():
        cases = [c for c in ALL_COMMANDS + ONE_WINDOW_COMMANDS + FORM_COMMANDS if c.kind == kind]
        for f in dataclasses.fields(cls):
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            assert any(getattr(c, f.name) != default for c in cases), (kind, f.name)


def test_a_new_command_is_read_back_by_its_fields_types(monkeypatch: pytest.MonkeyPatch) -> None:
    # registered in a copy of the registry, which the test drops: the real one never sees it
    monkeypatch.setattr(commands_module, "_COMMANDS", dict(commands_module._COMMANDS))

    @dataclasses.dataclass(frozen=True)  # not slots: a local class re-made for slots would read as a second kind
    class RemindCustomer(d.Command):
        kind: ClassVar[str] = "remind_customer"
        target: ClassVar[str] = "job"
        target_field: ClassVar[str | None] = "job_id"
        job_id: int
        due: datetime
        window_end: datetime | None
        appointment_ids: tuple[int, ...]
        priority: d.Priority
        extra: dict[str, Any]

    reminder = RemindCustomer(1, datetime(2025, 1, 2, 9, tzinfo=UTC), None, (3, 4), d.Priority.HIGH, {"a": 1})
    assert d.command_from_dict(json.loads(json.dumps(reminder.to_dict()))) == reminder
    assert "remind_customer" not in d.COMMAND_TYPES


def test_each_command_names_its_target_by_a_declared_field(monkeypatch: pytest.MonkeyPatch) -> None:
    for cls in d.COMMAND_TYPES.values():
        declared = {f.name: f.type for f in dataclasses.fields(cls)}
        assert cls.target_field is None or declared.get(cls.target_field) in (int, "int"), cls
    assert d.CancelJob(7, 2).target_id == 7 and d.AddProjectNote(9, "x").target_id == 9
    assert d.CreateJob(location_id=3, title="new").target_id is None  # made by the command: nothing to compare
    monkeypatch.setattr(commands_module, "_COMMANDS", dict(commands_module._COMMANDS))
    with pytest.raises(TypeError, match="declares no target_field"):
        class Forgetful(d.Command):
            kind: ClassVar[str] = "forgetful"
            target: ClassVar[str] = "job"


def test_command_registry() -> None:
    assert {c.kind for c in ALL_COMMANDS + ONE_WINDOW_COMMANDS + FORM_COMMANDS} == set(d.COMMAND_TYPES)
    with pytest.raises(ValueError):
        d.command_from_dict({"kind": "launch_rocket"})
    with pytest.raises(ValueError):
        d.EditJob(1, {"customerPo": "x"})


class Recorder:
    """Stands in for ServiceTitanClient: every resource call is recorded."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.fail = fail

    def __getattr__(self, api: str) -> Any:
        recorder = self

        class Api:
            def __getattr__(self, method: str) -> Any:
                async def call(*args: Any, **kwargs: Any) -> Any:
                    recorder.calls.append((f"{api}.{method}", args))
                    if recorder.fail is not None:
                        raise recorder.fail
                    return SimpleNamespace(id=777)
                return call
        return Api()


async def test_execute_maps_commands_to_client_calls() -> None:
    client = Recorder()
    provider = st.ServiceTitanProvider(client)
    assert isinstance(provider, Provider)
    expected = {
        "cancel_job": "jpm.cancel_job", "remove_cancellation": "jpm.remove_job_cancellation",
        "hold_appointment": "jpm.hold_appointment", "remove_appointment_hold": "jpm.remove_appointment_hold",
        "confirm_appointment": "jpm.confirm_appointment",
        "unconfirm_appointment": "jpm.remove_appointment_confirmation",
        "reschedule_appointment": "jpm.reschedule_appointment", "assign_technicians": "dispatch.assign_technicians",
        "unassign_technicians": "dispatch.unassign_technicians", "add_job_note": "jpm.create_job_note",
        "add_project_note": "jpm.create_project_note",
        "set_special_instructions": "jpm.update_appointment_special_instructions", "edit_job": "jpm.update_job",
        "attach_job_to_project": "jpm.attach_job_to_project", "detach_job_from_project": "jpm.detach_job_from_project",
        "create_appointment": "jpm.add_appointment", "delete_appointment": "jpm.delete_appointment",
    }
    for command in ALL_COMMANDS:
        result = await provider.execute(command)
        assert result.outcome is Outcome.DONE, (command, result)
        assert client.calls[-1][0] == expected[command.kind]
    cancel = next(args for name, args in client.calls if name == "jpm.cancel_job")
    assert cancel[0] == 1 and cancel[1].to_body() == {"reasonId": 2, "memo": "memo"}
    assign = next(args for name, args in client.calls if name == "dispatch.assign_technicians")
    assert assign[0].to_body() == {"jobAppointmentId": 3, "technicianIds": [5, 6]}
    created = await provider.execute(ALL_COMMANDS[-2])
    assert created.created_id == 777 and ("appointment", 777) in created.refresh


@pytest.mark.parametrize(("error", "outcome"), [
    (api_errors.ApiError(400, "Bad", errors={"reasonId": ["required"]}), Outcome.REJECTED),
    (api_errors.NotFoundError(404, "Job not found"), Outcome.NOT_FOUND),
    (api_errors.ConflictError(409, "Conflict"), Outcome.CONFLICT),
    (api_errors.RateLimitedError(429, "Too many requests", retry_after=3), Outcome.RETRY),
    (api_errors.ApiError(503, "Service unavailable"), Outcome.RETRY),
    (api_errors.TransportError("host down"), Outcome.RETRY),
    (api_errors.AuthError(401, "Unauthorized"), Outcome.AUTH),
    (TypeError("a bug of ours"), Outcome.REJECTED),
])
async def test_execute_turns_failures_into_outcomes(error: Exception, outcome: Outcome) -> None:
    result = await st.ServiceTitanProvider(Recorder(fail=error)).execute(d.CancelJob(1, 2, "m"))
    assert result.outcome is outcome
    assert result.detail["error"] == type(error).__name__ and result.message
    if outcome is Outcome.REJECTED and isinstance(error, api_errors.ApiError):
        assert result.field_errors == {"reason_id": ["required"]} and result.message == "Bad"
    if isinstance(error, api_errors.RateLimitedError):
        assert result.retry_after == 3


JOB_TEXT = json.dumps(JOB, indent=1)  # as a server may write it


async def test_feeds_yield_domain_rows() -> None:
    class Page(SimpleNamespace):
        pass

    class Jpm:
        def export_jobs(self, from_token: str | None = None, include_recent_changes: bool = False):
            async def gen():
                assert from_token == "tok0"
                yield Page(data=[{"broken": True}, JOB], texts=['{"broken": true}', JOB_TEXT],
                           continue_from="tok1", has_more=True)
                yield Page(data=[], texts=[], continue_from="tok2", has_more=False)
            return gen()

        async def list_job_types(self, *, page: int, page_size: int, active: str):
            assert active == "Any"
            return SimpleNamespace(data=[{"id": page, "name": f"T{page}"}], has_more=page < 2)

    client = SimpleNamespace(jpm=Jpm(), dispatch=SimpleNamespace(), settings=SimpleNamespace(), crm=SimpleNamespace())

    def missing(*a: Any, **k: Any) -> None:  # feeds only bind methods; they are never called here
        raise AssertionError

    for api in (client.dispatch, client.settings, client.crm):
        for name in ("export_appointment_assignments", "export_business_units", "export_tag_types",
                     "export_employees", "export_technicians", "export_customers", "export_locations",
                     "export_customer_contacts", "export_location_contacts"):
            setattr(api, name, missing)
    for name in ("export_projects", "export_appointments", "export_job_notes", "export_project_notes",
                 "export_job_history", "export_job_canceled_logs"):
        setattr(client.jpm, name, missing)
    feeds = {f.name: f for f in st.ServiceTitanProvider(client).feeds()}
    assert all(isinstance(f, Feed) for f in feeds.values())
    assert feeds["jobs"].kind == "export" and feeds["jobs"].table == "jobs"
    assert feeds["customer_contacts"].table == feeds["location_contacts"].table == "contacts"
    pages = [p async for p in feeds["jobs"].pages("tok0")]
    assert all(isinstance(p, FeedPage) for p in pages)
    assert [r.id for r in pages[0].rows] == [101] and pages[0].token == "tok1" and pages[0].has_more
    assert pages[0].rows[0].raw_json == JOB_TEXT and pages[0].rows[0].raw is JOB  # each row with its own text
    assert pages[1].token == "tok2" and not pages[1].has_more
    types = [p async for p in feeds["job_types"].pages(None)]
    assert [[r.name for r in p.rows] for p in types] == [["T1"], ["T2"]] and types[-1].has_more is False
    names = list(feeds)
    assert names.index("job_types") < names.index("jobs") < names.index("appointments") < names.index(
        "appointment_assignments")


BOOKED_LOG = {
    "id": 900, "jobId": 101, "jobAppointmentId": 11, "start": "2025-05-03T15:00:00Z",
    "arrivalWindowStart": "2025-05-03T14:00:00Z", "arrivalWindowEnd": "2025-05-03T18:00:00Z",
    "createdOn": "2025-05-01T13:30:00Z", "createdById": 42, "active": True, "brandNew": 1,
}


def test_booked_log_from_wire() -> None:
    entry = st.booked_log_from_wire(BOOKED_LOG)
    assert (entry.id, entry.job_id, entry.appointment_id, entry.created_by_id) == (900, 101, 11, 42)
    assert entry.start == datetime(2025, 5, 3, 15, tzinfo=UTC)
    assert (entry.arrival_window_start, entry.arrival_window_end) == (
        datetime(2025, 5, 3, 14, tzinfo=UTC), datetime(2025, 5, 3, 18, tzinfo=UTC))
    assert entry.created_on == datetime(2025, 5, 1, 13, 30, tzinfo=UTC) and entry.active is True
    assert entry.raw is BOOKED_LOG
    bare = st.booked_log_from_wire({"id": 1, "jobId": 2})
    assert bare.start is None and bare.appointment_id is None and bare.created_by_id is None and bare.active
    with pytest.raises(st.MappingError):
        st.booked_log_from_wire({"id": 1})


class _BookedLogClient:
    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.asked: list[int] = []
        self.jpm = self

    async def get_job_booked_log(self, id: int) -> Any:
        self.asked.append(id)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


async def test_provider_booked_log_maps_the_answer_and_404_is_none() -> None:
    from jpm_tui.api.errors import NotFoundError, TransportError
    from jpm_tui.api.models import JobBookedLog

    client = _BookedLogClient(JobBookedLog.model_validate(BOOKED_LOG))
    entry = await st.ServiceTitanProvider(client).booked_log(101)
    assert client.asked == [101] and entry is not None
    assert entry.job_id == 101 and entry.created_by_id == 42 and entry.start == datetime(2025, 5, 3, 15, tzinfo=UTC)
    assert entry.raw["arrivalWindowEnd"].startswith("2025-05-03T18:00:00")

    missing = NotFoundError(404, "Booked log for job with ID 5 not found")
    assert await st.ServiceTitanProvider(_BookedLogClient(missing)).booked_log(5) is None
    with pytest.raises(ProviderError) as raised:  # the cache's terms, not the HTTP client's
        await st.ServiceTitanProvider(_BookedLogClient(TransportError("host unreachable"))).booked_log(5)
    assert raised.value.retryable and raised.value.unavailable == "host unreachable"
    assert isinstance(raised.value.__cause__, TransportError)


ARRIVAL_WINDOW = {"id": 31, "start": "07:00:00", "duration": "02:30:00", "businessUnitIds": [3, 4], "active": True,
                  "brandNew": "kept"}
BUSINESS_HOURS = {"weekdays": [{"fromHour": 7, "toHour": 12}, {"fromHour": 13, "toHour": 18}],
                  "saturday": [{"fromHour": 8, "toHour": 14}], "sunday": []}


def test_arrival_window_from_wire_reads_timespans_as_minutes() -> None:
    window = st.arrival_window_from_wire(ARRIVAL_WINDOW)
    assert (window.id, window.start_minutes, window.duration_minutes, window.end_minutes) == (31, 420, 150, 570)
    assert window.business_unit_ids == (3, 4) and window.active is True and window.raw is ARRIVAL_WINDOW
    assert window.label == "07:00-09:30"
    # ISO 8601 is tolerated, a day part counts, missing units / active default sensibly
    late = st.arrival_window_from_wire({"id": 2, "start": "PT22H", "duration": "0.04:00:00", "active": False})
    assert (late.start_minutes, late.duration_minutes, late.business_unit_ids, late.active) == (1320, 240, (), False)
    assert late.label == "22:00-02:00+1d"
    with pytest.raises(st.MappingError):
        st.arrival_window_from_wire({"id": 3, "start": "7 o'clock", "duration": "02:00:00"})
    with pytest.raises(st.MappingError):
        st.arrival_window_from_wire({"id": 4, "duration": "02:00:00"})


def test_business_hours_from_wire_keeps_the_documents_shape() -> None:
    hours = st.business_hours_from_wire(BUSINESS_HOURS)
    assert hours.id == 1 and hours.raw is BUSINESS_HOURS and hours.active
    assert hours.weekdays == ((7, 12), (13, 18)) and hours.saturday == ((8, 14),) and hours.sunday == ()
    assert [hours.span(day) for day in range(7)] == [(7, 18)] * 5 + [(8, 14), None]
    odd = st.business_hours_from_wire({"weekdays": [{"fromHour": 9}, "x", {"fromHour": 9, "toHour": 17}]})
    assert odd.weekdays == ((9, 17),) and odd.saturday == odd.sunday == ()


async def test_arrival_window_and_business_hours_feeds_are_list_feeds_of_domain_rows() -> None:
    from jpm_tui.api.models import ArrivalWindow, BusinessHours

    asked: list[dict[str, Any]] = []

    class Dispatch:
        def __getattr__(self, name: str) -> Any:
            return lambda *a, **k: None

        async def list_arrival_windows(self, **kw: Any):
            asked.append(kw)
            return SimpleNamespace(data=[ArrivalWindow.model_validate(ARRIVAL_WINDOW)], has_more=False)

        async def get_business_hours(self):
            return BusinessHours.model_validate(BUSINESS_HOURS)

    class Unused:  # the other feeds only bind methods; they are never called here
        def __getattr__(self, name: str) -> Any:
            return lambda *a, **k: None

    client = SimpleNamespace(dispatch=Dispatch(), jpm=Unused(), settings=Unused(), crm=Unused())
    feeds = {f.name: f for f in st.ServiceTitanProvider(client).feeds()}
    windows, hours = feeds["arrival_windows"], feeds["business_hours"]
    assert (windows.kind, windows.table, hours.kind, hours.table) == ("list", "arrival_windows", "list",
                                                                    "business_hours")
    pages = [p async for p in windows.pages(None)]
    assert asked[0]["active"] == "Any" and len(pages) == 1 and not pages[0].has_more
    (window,) = pages[0].rows
    assert isinstance(window, d.ArrivalWindow) and (window.start_minutes, window.duration_minutes) == (420, 150)
    assert window.raw["start"] == "07:00:00"  # TimeSpan text, as the wire has it
    pages = [p async for p in hours.pages(None)]
    assert len(pages) == 1 and pages[0].token is None and pages[0].has_more is False
    (row,) = pages[0].rows
    assert isinstance(row, d.BusinessHours) and row.id == 1 and row.weekdays == ((7, 12), (13, 18))
    names = list(feeds)
    assert names.index("arrival_windows") < names.index("jobs") and names.index("business_hours") < names.index("jobs")


def test_custom_fields_are_read_from_the_payload_with_names_and_values() -> None:
    job = st.job_from_wire({"id": 1, "jobNumber": "1", "customFields": [
        {"typeId": 3, "name": "Gate code", "value": "4411"}, {"typeId": 4, "name": "Unused", "value": None},
        {"typeId": 5, "value": 12}, "not a field"]})
    assert d.custom_fields(job) == (("Gate code", "4411"), ("field 5", "12"))
    assert d.custom_fields(st.job_from_wire({"id": 2})) == () and d.custom_fields(None) == ()
