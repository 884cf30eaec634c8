"""ServiceTitan behind the provider boundary.

Two halves:

* Pure mapping functions, wire payload (a dict in the OpenAPI documents' camelCase shape) -> domain row:
  ``job_from_wire``, ``appointment_from_wire``, ... They are tolerant: optional fields may be missing or
  null, enum values may be unknown (they become ``UNKNOWN`` pseudo-members keeping the text), unknown fields
  are ignored here and kept in ``raw`` (the payload itself, never copied into a smaller dict). Only a missing
  or non-integer ``id`` (or owner id) is an error: ``MappingError``.
* ``ServiceTitanProvider(client)``: feeds (export feeds and small lists through ``jpm_tui.api`` resource
  methods) and command execution (domain command -> request model -> resource method), with API failures
  translated into ``CommandResult`` outcomes. Nothing ServiceTitan-shaped leaves this module.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from jpm_tui.provider import domain as d
from jpm_tui.provider.base import CommandResult, Feed, FeedPage, Outcome

__all__ = [
    "MappingError",
    "ServiceTitanProvider",
    "appointment_from_wire",
    "arrival_window_from_wire",
    "assignment_from_wire",
    "booked_log_from_wire",
    "business_hours_from_wire",
    "business_unit_from_wire",
    "canceled_log_from_wire",
    "contact_from_wire",
    "customer_from_wire",
    "employee_from_wire",
    "history_from_wire",
    "job_from_wire",
    "job_type_from_wire",
    "location_from_wire",
    "note_from_wire",
    "project_from_wire",
    "project_status_from_wire",
    "project_type_from_wire",
    "reason_from_wire",
    "shift_from_wire",
    "tag_type_from_wire",
    "team_from_wire",
    "technician_from_wire",
    "zone_from_wire",
]

log = logging.getLogger(__name__)


class MappingError(ValueError):
    """A payload that cannot become a domain row (no usable id)."""


# ------------------------------------------------------------------------------------------ helpers


def _id(p: Mapping[str, Any], key: str = "id") -> int:
    value = p.get(key)
    if isinstance(value, bool) or value is None:
        raise MappingError(f"payload has no {key!r}: {_preview(p)}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise MappingError(f"payload {key!r} is not an integer: {value!r}") from None


def _preview(p: Mapping[str, Any]) -> str:
    text = repr(dict(p))
    return text if len(text) < 200 else text[:197] + "..."


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _str(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _bool(value: Any, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _ints(value: Any) -> tuple[int, ...]:
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(i for i in (_int(v) for v in value) if i is not None)


def _strs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(_str(v) for v in value if v is not None)


_dt = d.parse_datetime


def _address(p: Mapping[str, Any]) -> Mapping[str, Any]:
    addr = p.get("address")
    return addr if isinstance(addr, Mapping) else {}


# ------------------------------------------------------------------------------------ wire -> domain


def job_from_wire(p: Mapping[str, Any], received_json: str | None = None) -> d.Job:
    """``received_json``: the payload's JSON text as received, when there is one (an export page's row)."""
    return d.Job(
        id=_id(p),
        number=_str(p.get("jobNumber")) or str(_id(p)),
        status=d.JobStatus.parse(_str(p.get("jobStatus")) or "Unknown"),
        priority=d.Priority.parse(_str(p.get("priority")) or "Normal"),
        job_type_id=_int(p.get("jobTypeId")),
        business_unit_id=_int(p.get("businessUnitId")),
        customer_id=_int(p.get("customerId")),
        location_id=_int(p.get("locationId")),
        project_id=_int(p.get("projectId")),
        summary=_str(p.get("summary")),
        created_on=_dt(p.get("createdOn")),
        modified_on=_dt(p.get("modifiedOn")),
        completed_on=_dt(p.get("completedOn")),
        active=_bool(p.get("active"), True),
        raw=_raw(p),
        received_json=received_json,
    )


def appointment_from_wire(p: Mapping[str, Any]) -> d.Appointment:
    return d.Appointment(
        id=_id(p),
        job_id=_id(p, "jobId"),
        number=_str(p.get("appointmentNumber")),
        start=_dt(p.get("start")),
        end=_dt(p.get("end")),
        arrival_window_start=_dt(p.get("arrivalWindowStart")),
        arrival_window_end=_dt(p.get("arrivalWindowEnd")),
        status=d.AppointmentStatus.parse(_str(p.get("status")) or "Unknown"),
        confirmed=_bool(p.get("isConfirmed")),
        special_instructions=_str(p.get("specialInstructions")),
        modified_on=_dt(p.get("modifiedOn")),
        active=_bool(p.get("active"), True),
        customer_id=_int(p.get("customerId")),
        raw=_raw(p),
    )


def assignment_from_wire(p: Mapping[str, Any]) -> d.Assignment:
    return d.Assignment(
        id=_id(p),
        appointment_id=_id(p, "appointmentId"),
        job_id=_int(p.get("jobId")),
        technician_id=_id(p, "technicianId"),
        status=d.AssignmentStatus.parse(_str(p.get("status")) or "Unknown"),
        assigned_on=_dt(p.get("assignedOn")),
        active=_bool(p.get("active"), True),
        technician_name=_str(p.get("technicianName")),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def technician_from_wire(p: Mapping[str, Any]) -> d.Technician:
    return d.Technician(
        id=_id(p),
        name=_str(p.get("name")),
        phone=_str(p.get("phoneNumber")),
        email=_str(p.get("email")),
        business_unit_id=_int(p.get("businessUnitId")),
        team=_str(p.get("team")),
        zone_ids=_ints(p.get("zoneIds")),
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def customer_from_wire(p: Mapping[str, Any]) -> d.Customer:
    a = _address(p)
    return d.Customer(
        id=_id(p),
        name=_str(p.get("name")),
        kind=_str(p.get("type")),
        street=_str(a.get("street")),
        unit=_str(a.get("unit")),
        city=_str(a.get("city")),
        state=_str(a.get("state")),
        zip=_str(a.get("zip")),
        active=_bool(p.get("active"), True),
        do_not_service=_bool(p.get("doNotService")),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def location_from_wire(p: Mapping[str, Any]) -> d.Location:
    a = _address(p)
    return d.Location(
        id=_id(p),
        customer_id=_int(p.get("customerId")),
        name=_str(p.get("name")),
        street=_str(a.get("street")),
        unit=_str(a.get("unit")),
        city=_str(a.get("city")),
        state=_str(a.get("state")),
        zip=_str(a.get("zip")),
        lat=_float(a.get("latitude")),
        lon=_float(a.get("longitude")),
        zone_id=_int(p.get("zoneId")),
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def contact_from_wire(p: Mapping[str, Any], owner_kind: str | None = None, owner_id: int | None = None) -> d.Contact:
    """A customer or location contact. The export rows name their owner (``customerId`` / ``locationId``);
    rows of the per-owner lists do not, so pass ``owner_kind`` and ``owner_id`` for those."""
    if owner_kind is None:
        owner_kind = "customer" if p.get("customerId") is not None else "location"
    if owner_kind not in ("customer", "location"):
        raise MappingError(f"contact owner must be customer or location, not {owner_kind!r}")
    if owner_id is None:
        owner_id = _id(p, "customerId" if owner_kind == "customer" else "locationId")
    return d.Contact(
        id=_id(p),
        owner_kind=owner_kind,  # type: ignore[arg-type]
        owner_id=owner_id,
        type=d.ContactType.parse(_str(p.get("type")) or "Unknown"),
        value=_str(p.get("value")),
        memo=_str(p.get("memo")),
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def project_from_wire(p: Mapping[str, Any]) -> d.Project:
    return d.Project(
        id=_id(p),
        number=_str(p.get("number")) or str(_id(p)),
        name=_str(p.get("name")),
        summary=_str(p.get("summary")),
        status=_str(p.get("status")),
        status_id=_int(p.get("statusId")),
        sub_status=_str(p.get("subStatus")),
        project_type_id=_int(p.get("projectTypeId")),
        customer_id=_int(p.get("customerId")),
        location_id=_int(p.get("locationId")),
        business_unit_ids=_ints(p.get("businessUnitIds")),
        job_ids=_ints(p.get("jobIds")),
        start_date=_dt(p.get("startDate")),
        target_completion_date=_dt(p.get("targetCompletionDate")),
        actual_completion_date=_dt(p.get("actualCompletionDate")),
        created_on=_dt(p.get("createdOn")),
        modified_on=_dt(p.get("modifiedOn")),
        active=_bool(p.get("active"), True),
        raw=_raw(p),
    )


def note_from_wire(p: Mapping[str, Any], owner_kind: str | None = None, owner_id: int | None = None) -> d.Note:
    """A job or project note (export rows carry ``jobId`` / ``projectId`` and an ``id``)."""
    if owner_kind is None:
        owner_kind = "job" if p.get("jobId") is not None else "project"
    if owner_id is None:
        owner_id = _id(p, "jobId" if owner_kind == "job" else "projectId")
    return d.Note(
        id=_id(p),
        owner_kind=owner_kind,  # type: ignore[arg-type]
        owner_id=owner_id,
        text=_str(p.get("text")),
        pinned=_bool(p.get("isPinned")),
        created_by_id=_int(p.get("createdById")),
        created_on=_dt(p.get("createdOn")),
        modified_on=_dt(p.get("modifiedOn")),
        active=_bool(p.get("active"), True),
        raw=_raw(p),
    )


def history_from_wire(p: Mapping[str, Any], job_id: int | None = None) -> list[d.HistoryEntry]:
    """Rows of ``export/job-history`` are ``{jobId, history: [entries]}``: one domain row per entry; each
    entry's ``raw`` is the entry itself plus ``jobId``. A bare entry with ``job_id`` given works too."""
    if "history" in p and isinstance(p.get("history"), list):
        owner = _id(p, "jobId") if job_id is None else job_id
        entries = [e for e in p["history"] if isinstance(e, Mapping)]
    else:
        owner = _id(p, "jobId") if job_id is None else job_id
        entries = [p]
    out = []
    for e in entries:
        raw = dict(e)
        raw.setdefault("jobId", owner)
        out.append(
            d.HistoryEntry(
                id=_id(e),
                job_id=owner,
                event=_str(e.get("eventType")),
                at=_dt(e.get("date")),
                employee_id=_int(e.get("employeeId")),
                memo=_str(e.get("memo")),
                scheduling_tool=_str(e.get("usedSchedulingTool")),
                raw=raw,
            )
        )
    return out


def canceled_log_from_wire(p: Mapping[str, Any]) -> d.CanceledLogEntry:
    return d.CanceledLogEntry(
        id=_id(p),
        job_id=_id(p, "jobId"),
        reason_id=_int(p.get("reasonId")),
        memo=_str(p.get("memo")),
        created_on=_dt(p.get("createdOn")),
        created_by_id=_int(p.get("createdById")),
        active=_bool(p.get("active"), True),
        raw=_raw(p),
    )


def booked_log_from_wire(p: Mapping[str, Any]) -> d.BookedLogEntry:
    return d.BookedLogEntry(
        id=_id(p),
        job_id=_id(p, "jobId"),
        appointment_id=_int(p.get("jobAppointmentId")),
        start=_dt(p.get("start")),
        arrival_window_start=_dt(p.get("arrivalWindowStart")),
        arrival_window_end=_dt(p.get("arrivalWindowEnd")),
        created_on=_dt(p.get("createdOn")),
        created_by_id=_int(p.get("createdById")),
        active=_bool(p.get("active"), True),
        raw=_raw(p),
    )


def reason_from_wire(p: Mapping[str, Any], kind: str) -> d.Reason:
    if kind not in ("cancel", "hold"):
        raise MappingError(f"reason kind must be cancel or hold, not {kind!r}")
    return d.Reason(
        id=_id(p),
        kind=kind,  # type: ignore[arg-type]
        name=_str(p.get("name")),
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def job_type_from_wire(p: Mapping[str, Any]) -> d.JobType:
    seconds = _int(p.get("duration"))
    return d.JobType(
        id=_id(p),
        name=_str(p.get("name")),
        business_unit_ids=_ints(p.get("businessUnitIds")),
        priority=d.Priority.parse(_str(p.get("priority")) or "Normal"),
        duration_minutes=None if seconds is None else seconds // 60,
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def business_unit_from_wire(p: Mapping[str, Any]) -> d.BusinessUnit:
    return d.BusinessUnit(
        id=_id(p),
        name=_str(p.get("name")),
        official_name=_str(p.get("officialName")),
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def employee_from_wire(p: Mapping[str, Any]) -> d.Employee:
    return d.Employee(
        id=_id(p),
        name=_str(p.get("name")),
        role=_str(p.get("role")),
        email=_str(p.get("email")),
        phone=_str(p.get("phoneNumber")),
        business_unit_id=_int(p.get("businessUnitId")),
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def shift_from_wire(p: Mapping[str, Any]) -> d.Shift:
    return d.Shift(
        id=_id(p),
        technician_id=_id(p, "technicianId"),
        kind=_str(p.get("shiftType")),
        title=_str(p.get("title")),
        note=_str(p.get("note")),
        start=_dt(p.get("start")),
        end=_dt(p.get("end")),
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def zone_from_wire(p: Mapping[str, Any]) -> d.Zone:
    return d.Zone(
        id=_id(p),
        name=_str(p.get("name")),
        zips=_strs(p.get("zips")),
        cities=_strs(p.get("cities")),
        technician_ids=_ints(p.get("technicians")),
        business_unit_ids=_ints(p.get("businessUnits")),
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def team_from_wire(p: Mapping[str, Any]) -> d.Team:
    return d.Team(
        id=_id(p),
        name=_str(p.get("name")),
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def _minutes(value: Any, what: str) -> int:
    """TimeSpan text (``07:00:00``, ``1.02:00:00``; ISO ``PT7H`` tolerated) -> whole minutes."""
    from jpm_tui.api.models.base import parse_timespan

    try:
        return int(parse_timespan(value).total_seconds() // 60)
    except (TypeError, ValueError):
        raise MappingError(f"arrival window {what} is not a TimeSpan: {value!r}") from None


def arrival_window_from_wire(p: Mapping[str, Any]) -> d.ArrivalWindow:
    return d.ArrivalWindow(
        id=_id(p),
        start_minutes=_minutes(p.get("start"), "start"),
        duration_minutes=_minutes(p.get("duration"), "duration"),
        business_unit_ids=_ints(p.get("businessUnitIds")),
        active=_bool(p.get("active"), True),
        raw=_raw(p),
    )


def _ranges(value: Any) -> tuple[tuple[int, int], ...]:
    out = []
    for r in value if isinstance(value, (list, tuple)) else ():
        if not isinstance(r, Mapping):
            continue
        lo, hi = _int(r.get("fromHour")), _int(r.get("toHour"))
        if lo is not None and hi is not None:
            out.append((lo, hi))
    return tuple(out)


def business_hours_from_wire(p: Mapping[str, Any]) -> d.BusinessHours:
    """The tenant's one business-hours object; always the row with id 1 (the wire object has no id)."""
    return d.BusinessHours(
        id=1,
        weekdays=_ranges(p.get("weekdays")),
        saturday=_ranges(p.get("saturday")),
        sunday=_ranges(p.get("sunday")),
        raw=_raw(p),
    )


def tag_type_from_wire(p: Mapping[str, Any]) -> d.TagType:
    return d.TagType(
        id=_id(p),
        name=_str(p.get("name")),
        color=_str(p.get("color")),
        code=_str(p.get("code")),
        importance=_str(p.get("importance")),
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def project_status_from_wire(p: Mapping[str, Any]) -> d.ProjectStatus:
    return d.ProjectStatus(
        id=_id(p),
        name=_str(p.get("name")),
        order=_int(p.get("order")) or 0,
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def project_type_from_wire(p: Mapping[str, Any]) -> d.ProjectType:
    return d.ProjectType(
        id=_id(p),
        name=_str(p.get("name")),
        description=_str(p.get("description")),
        active=_bool(p.get("active"), True),
        modified_on=_dt(p.get("modifiedOn")),
        raw=_raw(p),
    )


def _raw(p: Mapping[str, Any]) -> dict[str, Any]:
    return p if isinstance(p, dict) else dict(p)


def map_rows(mapper: Callable[..., Any], payloads: Iterable[Any], texts: Sequence[str] | None = None) -> list[Any]:
    """Map a page of wire rows; a row that cannot be mapped is logged and skipped (one bad record must
    not stall a feed forever). The feeds run it on a worker thread: ~12 ms for 1,000 jobs, kept off the event loop
    (the board's). Mappers returning lists (job history) are flattened. ``texts``: each payload's
    JSON text as received, handed to the mapper after the payload."""
    out: list[Any] = []
    for i, payload in enumerate(payloads):
        if not isinstance(payload, Mapping):
            payload = _wire(payload)
        try:
            row = mapper(payload) if texts is None else mapper(payload, texts[i])
        except MappingError as exc:
            log.warning("skipping unmappable row: %s", exc)
            continue
        if isinstance(row, list):
            out.extend(row)
        else:
            out.append(row)
    return out


def _wire(item: Any) -> dict[str, Any]:
    """A wire dict from a parsed api model (``list_*`` answers) or a dict."""
    if isinstance(item, Mapping):
        return dict(item)
    dump = getattr(item, "model_dump", None)
    if dump is not None:
        return dump(mode="json", by_alias=True, exclude_unset=True)
    raise MappingError(f"not a wire row: {type(item).__name__}")


# --------------------------------------------------------------------------------------- the provider

_FOUND = "already on the server (an earlier attempt reached it)"

_RECORD_GETTERS: dict[str, tuple[str, str, Callable[[Mapping[str, Any]], Any]]] = {
    "job": ("jpm", "get_job", job_from_wire),
    "appointment": ("jpm", "get_appointment", appointment_from_wire),
    "project": ("jpm", "get_project", project_from_wire),
    "technician": ("settings", "get_technician", technician_from_wire),
    "customer": ("crm", "get_customer", customer_from_wire),
    "location": ("crm", "get_location", location_from_wire),
}


class ServiceTitanProvider:
    """``Provider`` over a ``jpm_tui.api.ServiceTitanClient``."""

    name = "servicetitan"

    def __init__(self, client: Any, *, list_page_size: int = 500, include_recent_changes: bool = True) -> None:
        self.client = client
        self.list_page_size = list_page_size
        self.include_recent_changes = include_recent_changes

    # -- feeds ------------------------------------------------------------------------------------

    def feeds(self) -> list[Feed]:
        """In the order the sync engine should run them: small lookups first (so names resolve when jobs
        arrive), then people and places, then jobs and what hangs off them."""
        c = self.client
        L, X = self._list_feed, self._export_feed
        return [
            L("job_types", "job_types", lambda **kw: c.jpm.list_job_types(active="Any", **kw), job_type_from_wire),
            L("cancel_reasons", "cancel_reasons", lambda **kw: c.jpm.list_job_cancel_reasons(active="Any", **kw),
              lambda p: reason_from_wire(p, "cancel")),
            L("hold_reasons", "hold_reasons", lambda **kw: c.jpm.list_job_hold_reasons(active="Any", **kw),
              lambda p: reason_from_wire(p, "hold")),
            L("project_statuses", "project_statuses", lambda **kw: c.jpm.list_project_statuses(**kw),
              project_status_from_wire),
            L("project_types", "project_types", lambda **kw: c.jpm.list_project_types(**kw), project_type_from_wire),
            L("zones", "zones", lambda **kw: c.dispatch.list_zones(active="Any", **kw), zone_from_wire),
            L("teams", "teams", lambda **kw: c.dispatch.list_teams(include_inactive=True, **kw), team_from_wire),
            L("arrival_windows", "arrival_windows",
              lambda **kw: c.dispatch.list_arrival_windows(active="Any", **kw), arrival_window_from_wire),
            self._single_feed("business_hours", "business_hours", lambda: c.dispatch.get_business_hours(),
                              business_hours_from_wire),
            X("business_units", "business_units", c.settings.export_business_units, business_unit_from_wire),
            X("tag_types", "tag_types", c.settings.export_tag_types, tag_type_from_wire),
            X("employees", "employees", c.settings.export_employees, employee_from_wire),
            X("technicians", "technicians", c.settings.export_technicians, technician_from_wire),
            L("shifts", "shifts", lambda **kw: c.dispatch.list_technician_shifts(active="Any", **kw), shift_from_wire),
            X("customers", "customers", c.crm.export_customers, customer_from_wire),
            X("locations", "locations", c.crm.export_locations, location_from_wire),
            X("customer_contacts", "contacts", c.crm.export_customer_contacts,
              lambda p: contact_from_wire(p, "customer")),
            X("location_contacts", "contacts", c.crm.export_location_contacts,
              lambda p: contact_from_wire(p, "location")),
            X("projects", "projects", c.jpm.export_projects, project_from_wire),
            X("jobs", "jobs", c.jpm.export_jobs, job_from_wire, texts=True),
            X("appointments", "appointments", c.jpm.export_appointments, appointment_from_wire),
            X("appointment_assignments", "appointment_assignments", c.dispatch.export_appointment_assignments,
              assignment_from_wire),
            X("job_notes", "job_notes", c.jpm.export_job_notes, lambda p: note_from_wire(p, "job")),
            X("project_notes", "project_notes", c.jpm.export_project_notes, lambda p: note_from_wire(p, "project")),
            X("job_history", "job_history", c.jpm.export_job_history, history_from_wire),
            X("job_canceled_logs", "job_canceled_logs", c.jpm.export_job_canceled_logs, canceled_log_from_wire),
        ]

    def _export_feed(self, name: str, table: str, method: Callable[..., AsyncIterator[Any]],
                     mapper: Callable[..., Any], *, texts: bool = False) -> Feed:
        """``texts``: the mapper takes each row's JSON text too (``job_from_wire``: the jobs feed is the one
        whose size makes encoding every payload again worth avoiding)."""
        recent = self.include_recent_changes

        async def pages(token: str | None) -> AsyncIterator[FeedPage]:
            async for page in method(from_token=token, include_recent_changes=recent):
                rows = await asyncio.to_thread(map_rows, mapper, page.data, page.texts if texts else None)
                yield FeedPage(rows, page.continue_from, page.has_more)

        return Feed(name=name, table=table, kind="export", pages=pages)

    def _list_feed(self, name: str, table: str, method: Callable[..., Any],
                   mapper: Callable[[Mapping[str, Any]], Any]) -> Feed:
        size = self.list_page_size

        async def pages(token: str | None = None) -> AsyncIterator[FeedPage]:
            page_no = 1
            while True:
                paged = await method(page=page_no, page_size=size)
                yield FeedPage(await asyncio.to_thread(map_rows, mapper, paged.data), None, bool(paged.has_more))
                if not paged.has_more:
                    return
                page_no += 1

        return Feed(name=name, table=table, kind="list", pages=pages)

    @staticmethod
    def _single_feed(name: str, table: str, method: Callable[[], Any],
                     mapper: Callable[[Mapping[str, Any]], Any]) -> Feed:
        """A list feed over an endpoint answering one object (business hours): one page of one row."""

        async def pages(token: str | None = None) -> AsyncIterator[FeedPage]:
            yield FeedPage(map_rows(mapper, [await method()]), None, False)

        return Feed(name=name, table=table, kind="list", pages=pages)

    # -- conflict checks ---------------------------------------------------------------------------

    async def fetch_record(self, kind: str, id: int) -> dict[str, Any] | None:
        getter = _RECORD_GETTERS.get(kind)
        if getter is None:
            raise ValueError(f"unknown record kind {kind!r}; known: {sorted(_RECORD_GETTERS)}")
        api, method, mapper = getter
        try:
            model = await getattr(getattr(self.client, api), method)(id)
        except Exception as exc:  # noqa: BLE001 - translated below
            if _status_of(exc) == 404:
                return None
            raise
        row = mapper(_wire(model))
        return record_to_dict(row)

    # -- reachability ------------------------------------------------------------------------------

    async def ping(self) -> None:
        """Returns when ServiceTitan's API host answers; raises (``TransportError``) when it cannot be reached or
        is silent for a couple of seconds. Not an API call: it counts against no rate limit."""
        await self.client.ping()

    # -- per-job reads without a feed -------------------------------------------------------------

    async def booked_log(self, job_id: int) -> d.BookedLogEntry | None:
        """The job's booked log (who booked it, when, the appointment booked), or None when the job has
        none (404). Other failures raise (the caller decides: the board logs them and keeps its cache)."""
        try:
            model = await self.client.jpm.get_job_booked_log(job_id)
        except Exception as exc:  # noqa: BLE001 - only "not found" is an answer
            if _status_of(exc) == 404:
                return None
            raise
        return booked_log_from_wire(_wire(model))

    # -- did a lost attempt reach the server? ------------------------------------------------------

    async def find_applied(self, command: d.Command, since: datetime) -> CommandResult | None:
        """See ``Provider.find_applied``. A note: one read of the record's notes per 500 (the note lists have no
        date filter). An appointment: one read of the job's appointments created since ``since``, plus one of
        their technician assignments when the command names technicians."""
        match command:
            case d.AddJobNote():
                notes = self.client.jpm.iter_job_notes(command.job_id)
            case d.AddProjectNote():
                notes = self.client.jpm.iter_project_notes(command.project_id)
            case d.CreateAppointment():
                return await self._appointment_applied(command, since)
            case _:
                return None
        text = command.text.strip()
        async for note in notes:
            if note.text.strip() == text and note.created_on >= since:
                return CommandResult(Outcome.DONE, _FOUND, refresh=((command.target, command.target_id),),
                                     detail={"found": True})
        return None

    async def _appointment_applied(self, c: d.CreateAppointment, since: datetime) -> CommandResult | None:
        made = [a async for a in self.client.jpm.iter_appointments(job_id=c.job_id, created_on_or_after=since)
                if a.start == c.start and a.end == c.end]
        if made and c.technician_ids:
            assigned: dict[int, set[int]] = {}
            async for row in self.client.dispatch.iter_appointment_assignments(appointment_ids=[a.id for a in made]):
                assigned.setdefault(row.appointment_id, set()).add(row.technician_id)
            made = [a for a in made if set(c.technician_ids) <= assigned.get(a.id, set())]
        if not made:
            return None
        return CommandResult(Outcome.DONE, _FOUND, created_id=made[0].id,
                             refresh=(("job", c.job_id), ("appointment", made[0].id)), detail={"found": True})

    # -- commands ----------------------------------------------------------------------------------

    async def execute(self, command: d.Command) -> CommandResult:
        handler = getattr(self, f"_do_{command.kind}", None)
        if handler is None:
            return CommandResult(Outcome.REJECTED, f"ServiceTitan cannot do {command.kind!r}")
        try:
            result = await handler(command)
        except Exception as exc:  # noqa: BLE001 - every API failure becomes an outcome
            return _result_from_error(exc, command)
        if isinstance(result, CommandResult):
            return result
        refresh: tuple[tuple[str, int], ...] = ()
        if command.target_id is not None:
            refresh = ((command.target, command.target_id),)
        return CommandResult(Outcome.DONE, refresh=refresh)

    # Each handler builds the request model lazily (import inside) so mapping stays importable without
    # the api package's optional pieces.

    async def _do_cancel_job(self, c: d.CancelJob) -> None:
        from jpm_tui.api.models.jpm import CancelJobRequest

        await self.client.jpm.cancel_job(c.job_id, CancelJobRequest(reason_id=c.reason_id, memo=c.memo))

    async def _do_remove_cancellation(self, c: d.RemoveCancellation) -> None:
        await self.client.jpm.remove_job_cancellation(c.job_id)

    async def _do_hold_appointment(self, c: d.HoldAppointment) -> None:
        from jpm_tui.api.models.jpm import HoldAppointmentRequest

        await self.client.jpm.hold_appointment(
            c.appointment_id, HoldAppointmentRequest(reason_id=c.reason_id, memo=c.memo)
        )

    async def _do_remove_appointment_hold(self, c: d.RemoveAppointmentHold) -> None:
        await self.client.jpm.remove_appointment_hold(c.appointment_id)

    async def _do_confirm_appointment(self, c: d.ConfirmAppointment) -> None:
        await self.client.jpm.confirm_appointment(c.appointment_id)

    async def _do_unconfirm_appointment(self, c: d.UnconfirmAppointment) -> None:
        await self.client.jpm.remove_appointment_confirmation(c.appointment_id)

    async def _do_reschedule_appointment(self, c: d.RescheduleAppointment) -> None:
        from jpm_tui.api.models.jpm import RescheduleAppointmentRequest

        fields: dict[str, Any] = {"start": c.start, "end": c.end}
        if c.arrival_window_start is not None:
            fields["arrival_window_start"] = c.arrival_window_start
        if c.arrival_window_end is not None:
            fields["arrival_window_end"] = c.arrival_window_end
        await self.client.jpm.reschedule_appointment(c.appointment_id, RescheduleAppointmentRequest(**fields))

    async def _do_assign_technicians(self, c: d.AssignTechnicians) -> None:
        from jpm_tui.api.models.dispatch import AssignTechniciansRequest

        await self.client.dispatch.assign_technicians(
            AssignTechniciansRequest(job_appointment_id=c.appointment_id, technician_ids=list(c.technician_ids))
        )

    async def _do_unassign_technicians(self, c: d.UnassignTechnicians) -> None:
        from jpm_tui.api.models.dispatch import UnassignTechniciansRequest

        await self.client.dispatch.unassign_technicians(
            UnassignTechniciansRequest(job_appointment_id=c.appointment_id, technician_ids=list(c.technician_ids))
        )

    async def _do_add_job_note(self, c: d.AddJobNote) -> None:
        from jpm_tui.api.models.jpm import CreateNoteRequest

        await self.client.jpm.create_job_note(c.job_id, CreateNoteRequest(text=c.text, pin_to_top=c.pin_to_top))

    async def _do_add_project_note(self, c: d.AddProjectNote) -> None:
        from jpm_tui.api.models.jpm import CreateNoteRequest

        await self.client.jpm.create_project_note(
            c.project_id, CreateNoteRequest(text=c.text, pin_to_top=c.pin_to_top)
        )

    async def _do_set_special_instructions(self, c: d.SetSpecialInstructions) -> None:
        from jpm_tui.api.models.jpm import UpdateSpecialInstructionsRequest

        await self.client.jpm.update_appointment_special_instructions(
            c.appointment_id, UpdateSpecialInstructionsRequest(special_instructions=c.text)
        )

    async def _do_edit_job(self, c: d.EditJob) -> None:
        from jpm_tui.api.models.jpm import UpdateJobRequest

        fields = {k: v for k, v in c.changes.items() if k in d.EDITABLE_JOB_FIELDS}
        if "priority" in fields and fields["priority"] is not None:
            fields["priority"] = str(fields["priority"])
        await self.client.jpm.update_job(c.job_id, UpdateJobRequest(**fields))

    async def _do_attach_job_to_project(self, c: d.AttachJobToProject) -> CommandResult:
        await self.client.jpm.attach_job_to_project(c.project_id, c.job_id)
        return CommandResult(Outcome.DONE, refresh=(("job", c.job_id), ("project", c.project_id)))

    async def _do_detach_job_from_project(self, c: d.DetachJobFromProject) -> None:
        await self.client.jpm.detach_job_from_project(c.job_id)

    async def _do_create_appointment(self, c: d.CreateAppointment) -> CommandResult:
        from jpm_tui.api.models.jpm import AddAppointmentRequest

        fields: dict[str, Any] = {"job_id": c.job_id, "start": c.start, "end": c.end}
        if c.arrival_window_start is not None:
            fields["arrival_window_start"] = c.arrival_window_start
        if c.arrival_window_end is not None:
            fields["arrival_window_end"] = c.arrival_window_end
        if c.technician_ids:
            fields["technician_ids"] = list(c.technician_ids)
        if c.special_instructions:
            fields["special_instructions"] = c.special_instructions
        created = await self.client.jpm.add_appointment(AddAppointmentRequest(**fields))
        created_id = _int(getattr(created, "id", None)) if created is not None else None
        refresh: list[tuple[str, int]] = [("job", c.job_id)]
        if created_id is not None:
            refresh.append(("appointment", created_id))
        return CommandResult(Outcome.DONE, created_id=created_id, refresh=tuple(refresh))

    async def _do_delete_appointment(self, c: d.DeleteAppointment) -> None:
        await self.client.jpm.delete_appointment(c.appointment_id)

    # -- workflow (declared in its own module, which the board loads without this one and its HTTP client) -------

    from .servicetitan_workflow import WORKFLOW as workflow  # the class attribute ``Provider.workflow``


# ------------------------------------------------------------------------------------- translations

_FIELD_NAMES = {
    # ServiceTitan request field -> domain field (what the dispatcher's form calls it)
    "reasonId": "reason_id", "memo": "memo", "start": "start", "end": "end",
    "arrivalWindowStart": "arrival_window_start", "arrivalWindowEnd": "arrival_window_end",
    "technicianIds": "technician_ids", "jobAppointmentId": "appointment_id", "text": "text",
    "pinToTop": "pin_to_top", "specialInstructions": "text", "summary": "summary", "priority": "priority",
    "jobTypeId": "job_type_id", "businessUnitId": "business_unit_id", "jobId": "job_id",
}


def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status", None)
    if status is None:
        status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _result_from_error(exc: Exception, command: d.Command) -> CommandResult:
    """API failure -> outcome, by status code and class name (duck-typed: the api errors module is its
    own layer). Programming errors (TypeError, pydantic validation of our own request) are rejections
    carrying the message, so a bad command lands in the outbox as failed rather than retried forever."""
    name = type(exc).__name__
    status = _status_of(exc)
    title = getattr(exc, "title", None) or str(exc) or name
    raw_errors = getattr(exc, "errors", None)
    field_errors: dict[str, list[str]] = {}
    if isinstance(raw_errors, Mapping):
        for key, messages in raw_errors.items():
            msgs = [str(m) for m in messages] if isinstance(messages, (list, tuple)) else [str(messages)]
            field_errors[_FIELD_NAMES.get(str(key), str(key))] = msgs
    detail: dict[str, Any] = {"error": name}
    if status is not None:
        detail["status"] = status
    trace = getattr(exc, "trace_id", None)
    if trace:
        detail["trace_id"] = trace
    retry_after = getattr(exc, "retry_after", None)
    if name == "TransportError" or status in (429, 502, 503, 504) or (status is not None and status >= 500):
        outcome = Outcome.RETRY
    elif name == "AuthError" or status in (401, 403):
        outcome = Outcome.AUTH
    elif status == 404 or name == "NotFoundError":
        outcome = Outcome.NOT_FOUND
    elif status == 409 or name == "ConflictError":
        outcome = Outcome.CONFLICT
    else:
        outcome = Outcome.REJECTED
    return CommandResult(
        outcome,
        message=str(title),
        field_errors=field_errors,
        retry_after=float(retry_after) if isinstance(retry_after, (int, float)) else None,
        detail=detail,
    )


def record_to_dict(row: Any) -> dict[str, Any]:
    """A domain row as a JSON-ready dict of domain field names (datetimes as ISO-8601 UTC text, enums as
    their text, tuples as lists); ``raw`` included."""
    from dataclasses import fields as dc_fields

    out: dict[str, Any] = {}
    for f in dc_fields(row):
        value = getattr(row, f.name)
        if isinstance(value, datetime):
            value = d.format_datetime(value)
        elif isinstance(value, d.OpenEnum):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


WEB_APPS: dict[str, str] = {
    "production": "https://go.servicetitan.com",
    "integration": "https://integration.servicetitan.com",
}
"""ServiceTitan's web app per environment (the sandbox and custom hosts have none)."""


def record_link(environment: str, kind: str, record_id: int) -> str | None:
    """The page of a record in ServiceTitan's web app, or None where there is none."""
    web = WEB_APPS.get(environment)
    if web is None or kind != "job":
        return None
    return f"{web}/#/Job/Index/{int(record_id)}"
