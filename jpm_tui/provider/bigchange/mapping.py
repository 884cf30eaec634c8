"""BigChange's wire rows -> the domain's: a job (its planned window as the job's one appointment, its resource as
that appointment's technician), a contact (the customer, its site as the location, its phone and email), a
resource (a technician), a job type, a custom field definition, a contact's person, a status change (a history
entry).

The job's ``raw`` is its payload as received: its custom fields name their definitions by id only (the cached
``CustomFieldDefinition``s name them on screen). A job has no modified stamp in BigChange: ``modified_on`` is the version stamp of
``job_version`` (what the outbox's conflict check compares).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..domain import (
    Appointment,
    AppointmentStatus,
    Assignment,
    Contact,
    ContactType,
    Customer,
    CustomFieldDefinition,
    HistoryEntry,
    Job,
    JobStatus,
    JobType,
    Location,
    Person,
    Priority,
    Technician,
    parse_datetime,
)
from .workflow import WORKFLOW

__all__ = [
    "JobRows", "contact_rows", "custom_field_definition", "history_entry", "job_rows", "job_type", "job_version",
    "person", "technician",
]

_RANK = {s.value: k for k, s in enumerate(WORKFLOW.job_statuses)}
_PHONE, _EMAIL = 1, 2
"""A contact's phone and email as contact rows: ids ``contact id * 10 + 1`` and ``+ 2`` (one of each per contact)."""


def _dt(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def job_version(payload: Mapping[str, Any]) -> datetime | None:
    """The job's version stamp, the outbox's conflict check compares it (as ``modified_on``): the latest of the
    stamps the job object carries, its creation and its real start and end.

    Why these: BigChange's REST job has no modified stamp and its job list no modified-since or status-date filter.
    The real start and end move exactly when a resource starts or completes the job, the changes after which a
    queued description or person edit no longer holds (the server then refuses them). The status history's
    latest entry would also see the moves in between (sent, on the way, cancelled), but a sweep would need one
    request per job to read it, and a base stamped otherwise than the re-read would take every job for changed.
    What this misses: a field edited in BigChange's own screens, which no stamp in the reference shows."""
    stamps = [stamp for key in ("createdAt", "realStartAt", "realEndAt") if (stamp := _dt(payload.get(key)))]
    return max(stamps, default=None)


class JobRows:
    """What one job payload fills: the job, and, when planned, its window (an appointment keyed by the job's id)
    and, when resourced, its technician (an assignment keyed by the job's id)."""

    __slots__ = ("appointment", "assignment", "job")

    def __init__(self, job: Job, appointment: Appointment | None, assignment: Assignment | None) -> None:
        self.job, self.appointment, self.assignment = job, appointment, assignment


def job_rows(payload: Mapping[str, Any]) -> JobRows:
    raw = dict(payload)
    job_id = int(raw["id"])
    status_text = _str(raw.get("status")) or "new"
    status = JobStatus.verbatim(status_text, _RANK.get(status_text))
    category = WORKFLOW.category(status_text)
    done = category is not None and category.value == "done"
    contact_id = _int(raw.get("contactId"))
    job = Job(
        id=job_id, number=str(job_id), status=status, priority=Priority.NORMAL, job_type_id=_int(raw.get("typeId")),
        business_unit_id=None, customer_id=contact_id, location_id=contact_id, summary=_str(raw.get("description")),
        created_on=_dt(raw.get("createdAt")), modified_on=job_version(raw),
        completed_on=_dt(raw.get("realEndAt")) if done else None, active=True, raw=raw,
    )
    start, end = _dt(raw.get("plannedStartAt")), _dt(raw.get("plannedEndAt"))
    appointment = None
    if start is not None:
        appointment = Appointment(
            id=job_id, job_id=job_id, number=_str(raw.get("reference")) or str(job_id), start=start, end=end or start,
            status=AppointmentStatus.verbatim(status_text, _RANK.get(status_text)), customer_id=contact_id,
            raw={"plannedStartAt": raw.get("plannedStartAt"), "plannedEndAt": raw.get("plannedEndAt"),
                 "realStartAt": raw.get("realStartAt"), "realEndAt": raw.get("realEndAt")},
        )
    resource_id = _int(raw.get("resourceId"))
    assignment = None
    if appointment is not None and resource_id is not None:
        assignment = Assignment(id=job_id, appointment_id=job_id, job_id=job_id, technician_id=resource_id,
                                technician_name=_str(raw.get("resourceName")),
                                raw={"resourceId": resource_id, "resourceName": raw.get("resourceName")})
    return JobRows(job, appointment, assignment)


def contact_rows(payload: Mapping[str, Any]) -> tuple[Customer, Location, list[Contact]]:
    """A contact as the customer, its site as the location (same id), its phone and email as contact rows."""
    contact_id = int(payload["id"])
    name = _str(payload.get("name"))
    site = payload.get("location")
    place: Mapping[str, Any] = site if isinstance(site, Mapping) else {}
    address, postcode = _str(payload.get("address")), _str(payload.get("postcode"))
    if postcode and postcode in address:
        postcode = ""  # the address already ends with it: shown once
    customer = Customer(id=contact_id, name=name, street=address, zip=postcode, raw=dict(payload))
    location = Location(id=contact_id, customer_id=contact_id, name=name, street=address, zip=postcode,
                        lat=place.get("latitude"), lon=place.get("longitude"), raw=dict(payload))
    contacts = [Contact(id=contact_id * 10 + offset, owner_kind="customer", owner_id=contact_id, type=kind,
                        value=_str(payload[key]), raw={key: payload[key]})
                for key, kind, offset in (("phone", ContactType.PHONE, _PHONE), ("email", ContactType.EMAIL, _EMAIL))
                if payload.get(key)]
    return customer, location, contacts


def person(payload: Mapping[str, Any], contact_id: int) -> Person:
    """One of a contact's people (its ``id``, a uuid, is what a job's ``personId`` takes)."""
    return Person(id=str(payload["id"]), customer_id=contact_id, name=_str(payload.get("name")),
                  email=_str(payload.get("email")), phone=_str(payload.get("phone")),
                  primary=payload.get("isPrimary") is True, raw=dict(payload))


def technician(payload: Mapping[str, Any]) -> Technician:
    return Technician(id=int(payload["id"]), name=_str(payload.get("name")), phone=_str(payload.get("phone")),
                      email=_str(payload.get("email")), team=_str(payload.get("groupName")), raw=dict(payload))


def job_type(payload: Mapping[str, Any]) -> JobType:
    return JobType(id=int(payload["id"]), name=_str(payload.get("name")),
                   duration_minutes=_int(payload.get("defaultDuration")), raw=dict(payload))


def custom_field_definition(payload: Mapping[str, Any]) -> CustomFieldDefinition:
    options = payload.get("options")
    return CustomFieldDefinition(id=int(payload["id"]), name=_str(payload.get("name")), type=_str(payload.get("type")),
                                 options=tuple(str(o) for o in options) if isinstance(options, list) else (),
                                 raw=dict(payload))


def history_entry(payload: Mapping[str, Any], job_id: int) -> HistoryEntry:
    """A status change as a history entry: its event is the status's label."""
    status = WORKFLOW.job_status(payload.get("status"))
    return HistoryEntry(id=int(payload["id"]), job_id=job_id,
                        event=status.label if status is not None else _str(payload.get("status")),
                        at=_dt(payload.get("createdAt")), memo=_str(payload.get("comment")), raw=dict(payload))
