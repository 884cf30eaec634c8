"""ServiceTitan's wire payloads -> domain rows.

Pure functions, wire payload (a dict in the OpenAPI documents' camelCase shape) -> domain row: ``job_from_wire``,
``appointment_from_wire``, ... They are tolerant: optional fields may be missing or null, enum values may be unknown
(they become ``UNKNOWN`` pseudo-members keeping the text), unknown fields are ignored here and kept in ``raw`` (the
payload itself, never copied into a smaller dict). Only a missing or non-integer ``id`` (or owner id) is an error:
``MappingError``. ``record_to_dict`` goes the other way for a conflict check: a domain row as a dict of domain names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from jpm_tui.provider import domain as d

__all__ = [
    "MappingError",
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
    "map_rows",
    "note_from_wire",
    "project_from_wire",
    "project_status_from_wire",
    "project_type_from_wire",
    "reason_from_wire",
    "record_to_dict",
    "shift_from_wire",
    "tag_type_from_wire",
    "team_from_wire",
    "technician_from_wire",
    "wire_dict",
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
            payload = wire_dict(payload)
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


def wire_dict(item: Any) -> dict[str, Any]:
    """A wire dict from a parsed api model (``list_*`` answers) or a dict."""
    if isinstance(item, Mapping):
        return dict(item)
    dump = getattr(item, "model_dump", None)
    if dump is not None:
        dumped: dict[str, Any] = dump(mode="json", by_alias=True, exclude_unset=True)
        return dumped
    raise MappingError(f"not a wire row: {type(item).__name__}")


def record_to_dict(row: Any) -> dict[str, Any]:
    """A domain row as a JSON-ready dict of domain field names (datetimes as ISO-8601 UTC text, enums as
    their text, tuples as lists); ``raw`` included."""
    out: dict[str, Any] = {}
    for f in fields(row):
        value = getattr(row, f.name)
        if isinstance(value, datetime):
            value = d.format_datetime(value)
        elif isinstance(value, d.OpenEnum):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out
