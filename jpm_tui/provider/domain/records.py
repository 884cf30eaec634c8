"""The domain's records: one frozen, slotted dataclass per kind of row the board shows, filters and sorts on.

Every record carries ``raw``: the payload exactly as the backend sent it (nothing dropped, unknown fields included),
excluded from equality and hashing. ``tag_ids`` and ``custom_fields`` are the two places the domain reads into
``raw`` (no record field holds them). Datetimes are aware UTC ``datetime`` objects. Identifiers are integers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import Any, Literal

from .open_enums import AppointmentStatus, AssignmentStatus, ContactType, JobStatus, Priority

__all__ = [
    "Appointment",
    "ArrivalWindow",
    "Assignment",
    "BookedLogEntry",
    "BusinessHours",
    "BusinessUnit",
    "CanceledLogEntry",
    "Contact",
    "Customer",
    "CustomFieldDefinition",
    "Employee",
    "HistoryEntry",
    "Job",
    "JobType",
    "Location",
    "Note",
    "Person",
    "Project",
    "ProjectStatus",
    "ProjectType",
    "Reason",
    "Shift",
    "TagType",
    "Team",
    "Technician",
    "Zone",
    "custom_fields",
    "linked_assets",
    "tag_ids",
]


def _raw() -> Any:
    return field(default_factory=dict, compare=False, hash=False, repr=False)


_TAG_KEYS = ("tagTypeIds", "tag_type_ids")
"""Where a record's payload keeps the ids of its tag types (``TagType``). Jobs, customers and locations carry tags;
the cache keeps them only in the raw payload (as it does custom fields: these two are where the domain looks into
``raw``)."""
_CUSTOM_FIELD_KEYS = ("customFields", "custom_fields")


def _payload_list(record: Any, keys: tuple[str, ...]) -> Sequence[Any]:
    """The first list under one of ``keys`` in a record's raw payload (or in a payload given as such); empty when
    there is none, or no record."""
    raw = getattr(record, "raw", None) if not isinstance(record, Mapping) else record
    if isinstance(raw, Mapping):
        for key in keys:
            items = raw.get(key)
            if isinstance(items, (list, tuple)):
                return items
    return ()


def tag_ids(record: Any) -> tuple[int, ...]:
    """The tag type ids on a job, customer or location (empty when it has none or is None); ids that are not
    integers are skipped, duplicates dropped, order kept."""
    ids = _payload_list(record, _TAG_KEYS)
    return tuple(dict.fromkeys(i for i in ids if isinstance(i, int) and not isinstance(i, bool)))


def custom_fields(record: Any, names: Mapping[int, str] | None = None) -> tuple[tuple[str, str], ...]:
    """The filled-in custom fields of a job or project as (name, value), in the payload's order; an entry without
    a value is left out, one without a name is named by its definition in ``names`` (definition id -> name: the
    cached ``CustomFieldDefinition``s, for a payload that carries only ``definitionId``), else by its type id."""
    known: Mapping[Any, str] = names or {}
    return tuple((str(e.get("name") or known.get(e.get("definitionId")) or
                      f"field {e.get('typeId', e.get('definitionId', '?'))}"), str(e["value"]))
                 for e in _payload_list(record, _CUSTOM_FIELD_KEYS)
                 if isinstance(e, Mapping) and e.get("value") not in (None, ""))


def linked_assets(record: Any) -> tuple[Mapping[str, Any], ...] | None:
    """The assets linked to a job (a backend that links them: each with ``asset_id``, ``asset_tag``,
    ``asset_name``, ``relationship_type``...), or those at a location; None when the payload never carried them
    (not read yet)."""
    raw = getattr(record, "raw", None) if not isinstance(record, Mapping) else record
    links = raw.get("assets") if isinstance(raw, Mapping) else None
    return tuple(a for a in links if isinstance(a, Mapping)) if isinstance(links, list) else None


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    number: str
    status: JobStatus
    priority: Priority
    job_type_id: int | None
    business_unit_id: int | None
    customer_id: int | None
    location_id: int | None
    project_id: int | None = None
    summary: str = ""
    created_on: datetime | None = None
    modified_on: datetime | None = None
    completed_on: datetime | None = None
    active: bool = True
    raw: dict[str, Any] = _raw()
    received_json: InitVar[str | None] = None
    raw_json: str | None = field(default=None, init=False, compare=False, hash=False, repr=False)
    """``raw``'s JSON text exactly as received (``received_json``), when the provider had it (a row of the jobs
    feed): the cache stores it rather than encoding ``raw`` again. None otherwise (a job read back from the cache,
    too). Not an init field, so ``dataclasses.replace`` never carries it to a job whose ``raw`` may differ."""

    def __post_init__(self, received_json: str | None) -> None:
        if received_json is not None:
            object.__setattr__(self, "raw_json", received_json)


@dataclass(frozen=True, slots=True)
class Appointment:
    id: int
    job_id: int
    number: str = ""
    start: datetime | None = None
    end: datetime | None = None
    arrival_window_start: datetime | None = None
    arrival_window_end: datetime | None = None
    status: AppointmentStatus = AppointmentStatus.SCHEDULED
    confirmed: bool = False
    special_instructions: str = ""
    modified_on: datetime | None = None
    active: bool = True
    customer_id: int | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class Assignment:
    """A technician on an appointment."""

    id: int
    appointment_id: int
    job_id: int | None
    technician_id: int
    status: AssignmentStatus = AssignmentStatus.SCHEDULED
    assigned_on: datetime | None = None
    active: bool = True
    technician_name: str = ""
    """The name as the assignment carried it (the technicians table wins when it has one)."""
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class Technician:
    id: int
    name: str
    phone: str = ""
    email: str = ""
    business_unit_id: int | None = None
    team: str = ""
    zone_ids: tuple[int, ...] = ()
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    name: str
    kind: str = ""
    """Residential / Commercial / whatever the backend says."""
    street: str = ""
    unit: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    active: bool = True
    do_not_service: bool = False
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class Location:
    id: int
    customer_id: int | None
    name: str = ""
    street: str = ""
    unit: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    lat: float | None = None
    lon: float | None = None
    zone_id: int | None = None
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()

    @property
    def short_address(self) -> str:
        """``street, city`` (what the job list shows)."""
        return ", ".join(part for part in (self.street, self.city) if part)


ContactOwner = Literal["customer", "location"]


@dataclass(frozen=True, slots=True)
class Contact:
    """A phone number, email, ... of a customer or a location. Keyed by (owner_kind, id)."""

    id: int
    owner_kind: ContactOwner
    owner_id: int
    type: ContactType
    value: str
    memo: str = ""
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    number: str
    name: str = ""
    summary: str = ""
    status: str = ""
    status_id: int | None = None
    sub_status: str = ""
    project_type_id: int | None = None
    customer_id: int | None = None
    location_id: int | None = None
    business_unit_ids: tuple[int, ...] = ()
    job_ids: tuple[int, ...] = ()
    start_date: datetime | None = None
    target_completion_date: datetime | None = None
    actual_completion_date: datetime | None = None
    created_on: datetime | None = None
    modified_on: datetime | None = None
    active: bool = True
    raw: dict[str, Any] = _raw()


NoteOwner = Literal["job", "project"]


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    owner_kind: NoteOwner
    owner_id: int
    text: str
    pinned: bool = False
    created_by_id: int | None = None
    created_on: datetime | None = None
    modified_on: datetime | None = None
    active: bool = True
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One event in a job's history (booked, dispatched, rescheduled, ...)."""

    id: int
    job_id: int
    event: str
    at: datetime | None = None
    employee_id: int | None = None
    memo: str = ""
    scheduling_tool: str = ""
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class CanceledLogEntry:
    id: int
    job_id: int
    reason_id: int | None = None
    memo: str = ""
    created_on: datetime | None = None
    created_by_id: int | None = None
    active: bool = True
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class BookedLogEntry:
    """Who booked a job, when, and the appointment booked with it (``start`` and its arrival window)."""

    id: int
    job_id: int
    appointment_id: int | None = None
    start: datetime | None = None
    arrival_window_start: datetime | None = None
    arrival_window_end: datetime | None = None
    created_on: datetime | None = None
    created_by_id: int | None = None
    active: bool = True
    raw: dict[str, Any] = _raw()


ReasonKind = Literal["cancel", "hold"]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a job was canceled or work put on hold."""

    id: int
    kind: ReasonKind
    name: str
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class JobType:
    id: int
    name: str
    business_unit_ids: tuple[int, ...] = ()
    priority: Priority = Priority.NORMAL
    duration_minutes: int | None = None
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class BusinessUnit:
    id: int
    name: str
    official_name: str = ""
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class Employee:
    id: int
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""
    business_unit_id: int | None = None
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class Shift:
    """A technician's working (or on-call, or time-off) period."""

    id: int
    technician_id: int
    kind: str = ""
    title: str = ""
    note: str = ""
    start: datetime | None = None
    end: datetime | None = None
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class Zone:
    id: int
    name: str
    zips: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    technician_ids: tuple[int, ...] = ()
    business_unit_ids: tuple[int, ...] = ()
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class Team:
    id: int
    name: str
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class ArrivalWindow:
    """An arrival window the company offers customers ("08:00-12:00"): a time of day and a length, in the
    company's local time. Times are minutes after local midnight (the wire's TimeSpan text ``07:00:00``)."""

    id: int
    start_minutes: int
    """Minutes after local midnight the window opens (``07:00:00`` -> 420)."""
    duration_minutes: int
    """How long the window is open, in minutes (it closes at ``start_minutes + duration_minutes``)."""
    business_unit_ids: tuple[int, ...] = ()
    active: bool = True
    raw: dict[str, Any] = _raw()

    @property
    def end_minutes(self) -> int:
        return self.start_minutes + self.duration_minutes

    @property
    def label(self) -> str:
        """``07:00-09:00`` (an end past midnight reads ``+1d``)."""
        def hm(minutes: int) -> str:
            days, rest = divmod(minutes, 1440)
            return f"{rest // 60:02d}:{rest % 60:02d}" + (f"+{days}d" if days else "")

        return f"{hm(self.start_minutes)}-{hm(self.end_minutes)}"


HourRanges = tuple[tuple[int, int], ...]
"""Business hours of one day: (from hour, to hour) pairs in local time (``((7, 18),)``)."""


def _hour_ranges(value: Any) -> HourRanges:
    return tuple((int(a), int(b)) for a, b in (value or ()))


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """The company's business hours as the backend shapes them: one set of hour ranges for every weekday
    (Monday-Friday), one for Saturday, one for Sunday (local time, whole hours; empty = closed). There is one
    per tenant: the cache keeps it as the row with ``id`` 1."""

    id: int = 1
    weekdays: HourRanges = ()
    saturday: HourRanges = ()
    sunday: HourRanges = ()
    active: bool = True
    raw: dict[str, Any] = _raw()

    def __post_init__(self) -> None:  # JSON gives lists back: keep tuples (hashable, equal after a round trip)
        for name in ("weekdays", "saturday", "sunday"):
            object.__setattr__(self, name, _hour_ranges(getattr(self, name)))

    def for_weekday(self, weekday: int) -> HourRanges:
        """The ranges of a day by ``date.weekday()`` (0 = Monday ... 6 = Sunday)."""
        if weekday == 5:
            return self.saturday
        if weekday == 6:
            return self.sunday
        return self.weekdays

    def span(self, weekday: int) -> tuple[int, int] | None:
        """(first hour, last hour) open on that day, or None when closed (no ranges)."""
        ranges = [r for r in self.for_weekday(weekday) if r[1] > r[0]]
        if not ranges:
            return None
        return min(a for a, _ in ranges), max(b for _, b in ranges)


@dataclass(frozen=True, slots=True)
class CustomFieldDefinition:
    """A custom field a job may carry (BigChange's definitions): a job's entry names it by id (``definitionId``).
    ``type`` as the backend says it (text, number, date, list); ``options``: the values a list field takes."""

    id: int
    name: str
    type: str = ""
    options: tuple[str, ...] = ()
    active: bool = True
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class Person:
    """One of a customer's people, one a job's point of contact can be (BigChange's contact persons, whose ids are
    uuids: the one kind of row not keyed by an integer)."""

    id: str
    customer_id: int
    name: str
    email: str = ""
    phone: str = ""
    primary: bool = False
    active: bool = True
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class TagType:
    id: int
    name: str
    color: str = ""
    code: str = ""
    importance: str = ""
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class ProjectStatus:
    id: int
    name: str
    order: int = 0
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()


@dataclass(frozen=True, slots=True)
class ProjectType:
    id: int
    name: str
    description: str = ""
    active: bool = True
    modified_on: datetime | None = None
    raw: dict[str, Any] = _raw()
