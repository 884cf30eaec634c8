"""What the job list shows (``JobQuery``), one of its lines (``JobListRow``), and a query as a memo key."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class JobQuery:
    """What the job list shows. Empty tuples mean "any".

    ``text``: words matched (prefix, all must match) against job number, summary, notes, customer name,
    location address and customer/location phone numbers and emails.
    ``technician_ids``: technicians assigned to the job's next appointment.
    ``appointment_from`` / ``appointment_to``: the job's next appointment starts in [from, to).
    ``sort``: a key of ``JOB_SORT_COLUMNS`` (number, status, priority, job_type, business_unit, customer,
    next_appointment, technicians, summary, modified, created); ties broken by job id.
    """

    text: str = ""
    statuses: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    job_type_ids: tuple[int, ...] = ()
    business_unit_ids: tuple[int, ...] = ()
    technician_ids: tuple[int, ...] = ()
    appointment_from: datetime | None = None
    appointment_to: datetime | None = None
    sort: str = "number"
    descending: bool = False
    include_inactive: bool = False
    customer_id: int | None = None
    location_id: int | None = None
    project_id: int | None = None


@dataclass(frozen=True)
class JobListRow:
    id: int
    number: str
    status: str
    priority: str
    job_type: str
    business_unit: str
    customer: str
    location: str
    next_appointment: datetime | None
    technicians: str
    summary: str
    modified: datetime | None
    active: bool = True


QueryKey = tuple[Any, ...]


def query_key(q: JobQuery) -> QueryKey:
    """The query as a memo key: the same for the same filters given in another order."""
    return tuple(
        tuple(sorted(map(str, v))) if isinstance(v, (tuple, list)) else v
        for v in (getattr(q, f.name) for f in fields(q))
    )
