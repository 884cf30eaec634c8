"""Dispatch (`dispatch/v2`) wire models, from `dispatch-v2.json` (May 2025)."""

from __future__ import annotations

import enum

from jpm_tui.api.models.base import ApiModel, ApiRequest, Open, TimeSpan, UtcDateTime
from jpm_tui.api.models.jpm import AppointmentStatus


class AssignmentStatus(enum.StrEnum):
    """`Dispatch.V2.JobAppointmentAssignmentStatus`."""

    SCHEDULED = "Scheduled"
    DISPATCHED = "Dispatched"
    WORKING = "Working"
    DONE = "Done"


class ShiftType(enum.StrEnum):
    NORMAL = "Normal"
    ON_CALL = "OnCall"
    TIME_OFF = "TimeOff"


class AppointmentAssignment(ApiModel):
    """`Dispatch.V2.AppointmentAssignmentResponse` (same shape as the export row)."""

    id: int
    technician_id: int
    technician_name: str
    assigned_by_id: int
    assigned_on: UtcDateTime
    status: Open[AssignmentStatus]
    is_paused: bool
    job_id: int
    appointment_id: int
    modified_on: UtcDateTime
    active: bool


ExportAppointmentAssignment = AppointmentAssignment


class DispatchAppointment(ApiModel):
    """`Dispatch.V2.AppointmentResponse`: the appointment as (un)assign-technicians answer it."""

    id: int
    job_id: int
    appointment_number: str | None = None
    start: UtcDateTime
    end: UtcDateTime
    arrival_window_start: UtcDateTime | None = None
    arrival_window_end: UtcDateTime | None = None
    status: Open[AppointmentStatus]
    special_instructions: str | None = None
    created_on: UtcDateTime
    modified_on: UtcDateTime


class AssignTechniciansRequest(ApiRequest):
    job_appointment_id: int
    technician_ids: list[int]


class UnassignTechniciansRequest(ApiRequest):
    job_appointment_id: int
    technician_ids: list[int]


class TechnicianShift(ApiModel):
    id: int
    shift_type: Open[ShiftType]
    title: str
    note: str | None = None
    active: bool
    technician_id: int
    start: UtcDateTime
    end: UtcDateTime
    timesheet_code_id: int | None = None
    created_on: UtcDateTime
    modified_on: UtcDateTime


class Zone(ApiModel):
    id: int
    active: bool
    name: str | None = None
    zips: list[str] | None = None
    cities: list[str] | None = None
    territory_numbers: list[str] | None = None
    locn_numbers: list[str] | None = None
    created_by: int
    """User id of the creator."""
    created_on: UtcDateTime
    modified_on: UtcDateTime
    service_days_enabled: bool
    service_days: list[str] | None = None
    business_units: list[int] | None = None
    """Business unit ids."""
    technicians: list[int] | None = None
    """Technician ids."""


class Team(ApiModel):
    id: int
    active: bool
    name: str | None = None
    created_by: int | None = None
    created_on: UtcDateTime
    modified_on: UtcDateTime


class ArrivalWindow(ApiModel):
    """`Dispatch.V2.ArrivalWindowResponse`. The document types `start` and `duration` as `format: duration`
    and describes them as TimeSpan text ("09:00"): ServiceTitan sends `07:00:00`. Both parse (an ISO 8601
    `PT7H` too) to a `timedelta` and dump back as TimeSpan text."""

    id: int
    start: TimeSpan
    """Time of day the window opens, as a span since midnight (`07:00:00`)."""
    duration: TimeSpan
    """How long the window is (`02:00:00`): the window closes at `start + duration`. (The document's request
    bodies describe it as "the end time ... I.e. \"11:00\"" while naming it duration; the name is taken.)"""
    business_unit_ids: list[int]
    active: bool


class TimeRange(ApiModel):
    from_hour: int
    to_hour: int


class BusinessHours(ApiModel):
    """`Dispatch.V2.BusinessHourModel`."""

    weekdays: list[TimeRange]
    saturday: list[TimeRange]
    sunday: list[TimeRange]
