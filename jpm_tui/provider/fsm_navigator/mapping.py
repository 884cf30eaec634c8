"""FSM Navigator's wire records -> the domain's rows.

One FSM job is three rows of the cache: the job, its scheduled window as the job's one appointment (id = the job's
id: the appointments table has its own ids, and the calendar's commands on it name the job), and its technician
as that appointment's one assignment (id = the job's id too). A job without a window or a technician still
writes both rows, inactive, so a window or technician taken off leaves nothing behind in the calendar.

Statuses and priorities keep FSM's words exactly (``OpenEnum.verbatim``: "In Progress" is not ServiceTitan's
``InProgress``), ranked in FSM's order. Linked assets (with their relationship types) stay in the job's raw
payload under ``assets`` (only a single-job read carries them); a location's assets under ``assets`` of its raw
payload (what the link picker offers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..domain import (
    Appointment,
    AppointmentStatus,
    Assignment,
    Customer,
    Job,
    JobStatus,
    Location,
    Priority,
    Technician,
    parse_datetime,
)
from .workflow import WORKFLOW

__all__ = [
    "customer_from_wire", "job_rows", "location_from_wire", "technician_from_wire",
    "window_from_wire",
]

_STATUS_RANK = {s.value: 10 + i for i, s in enumerate(WORKFLOW.job_statuses)}
"""FSM's workflow order for its statuses, "Completed" too (a ranked value is FSM's own, not ServiceTitan's member;
a pseudo-member's rank is process-wide: past ServiceTitan's own, so a ServiceTitan cache in the same process sorts as
before)."""
_PRIORITY_RANK = {p.value: len(WORKFLOW.priorities) - 1 - p.rank for p in WORKFLOW.priorities}
"""The domain's priority ranks grow with urgency (Low 0 .. Urgent 3); the workflow's rank 0 is the most urgent."""


def _time(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def job_from_wire(p: Mapping[str, Any]) -> Job:
    status, priority = _text(p.get("job_status")), _text(p.get("job_priority"))
    return Job(
        id=int(p["job_id"]), number=str(p["job_id"]),
        status=JobStatus.verbatim(status, _STATUS_RANK.get(status, len(_STATUS_RANK))),
        priority=Priority.verbatim(priority, _PRIORITY_RANK.get(priority, -1)),
        job_type_id=None, business_unit_id=None, customer_id=_int(p.get("customer_id")),
        location_id=_int(p.get("customer_location_id")), summary=_text(p.get("job_title")),
        created_on=_time(p.get("created_at")), modified_on=_time(p.get("updated_at")),
        completed_on=_time(p.get("actual_end")), raw=dict(p),
    )


def window_from_wire(p: Mapping[str, Any]) -> Appointment:
    """The job's scheduled window as its one appointment, with the job's status (inactive without a window)."""
    start, end = _time(p.get("scheduled_start")), _time(p.get("scheduled_end"))
    status = _text(p.get("job_status"))
    job_id = int(p["job_id"])
    return Appointment(
        id=job_id, job_id=job_id, number=f"{job_id}-1", start=start, end=end or start,
        status=AppointmentStatus.verbatim(status, _STATUS_RANK.get(status, len(_STATUS_RANK))),
        confirmed=True, modified_on=_time(p.get("updated_at")), active=start is not None,
        customer_id=_int(p.get("customer_id")), raw={},
    )


def assignment_from_wire(p: Mapping[str, Any]) -> Assignment:
    """The job's technician as its appointment's one assignment (inactive without a technician or a window)."""
    job_id = int(p["job_id"])
    technician = _int(p.get("assigned_technician_id"))
    return Assignment(
        id=job_id, appointment_id=job_id, job_id=job_id, technician_id=technician or 0,
        active=technician is not None and bool(p.get("scheduled_start")),
        technician_name=_text(p.get("assigned_technician_name")), modified_on=_time(p.get("updated_at")), raw={},
    )


def job_rows(p: Mapping[str, Any]) -> tuple[Job, Appointment, Assignment]:
    """The three rows one FSM job fills."""
    return job_from_wire(p), window_from_wire(p), assignment_from_wire(p)


def technician_from_wire(p: Mapping[str, Any]) -> Technician:
    name = f"{_text(p.get('first_name'))} {_text(p.get('last_name'))}".strip()
    return Technician(id=int(p["technician_id"]), name=name or f"Technician {p['technician_id']}",
                      team=_text(p.get("vehicle_type")), active=p.get("status") != "Inactive",
                      modified_on=_time(p.get("updated_at")), raw=dict(p))


def customer_from_wire(p: Mapping[str, Any]) -> Customer:
    return Customer(id=int(p["customer_id"]), name=_text(p.get("customer_name")),
                    modified_on=_time(p.get("updated_at")), raw=dict(p))


def location_from_wire(p: Mapping[str, Any], assets: Sequence[Mapping[str, Any]] = ()) -> Location:
    """A service location; ``assets``: the assets at it (kept in its raw payload for the link picker)."""
    location_id = _int(p.get("location_id")) or int(p["id"])
    return Location(id=location_id, customer_id=_int(p.get("customer_id")), name=_text(p.get("location_name")),
                    street=_text(p.get("street")), city=_text(p.get("city")), state=_text(p.get("state")),
                    zip=_text(p.get("zip")), modified_on=_time(p.get("updated_at")),
                    raw={**p, "assets": [dict(a) for a in assets]})
