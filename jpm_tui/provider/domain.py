"""The domain the board and the cache speak: dispatcher words, no backend shapes.

Every record is a frozen, slotted dataclass with the fields the board shows, filters and sorts on, plus
``raw``: the payload exactly as the backend sent it (nothing dropped, unknown fields included). ``raw`` is
excluded from equality and hashing.

Datetimes are aware UTC ``datetime`` objects. Identifiers are integers.

Statuses, priorities and similar vocabularies are *open* enums: a value the domain does not know becomes a
pseudo-member whose ``name`` is ``"UNKNOWN"`` and whose ``value`` is the text as received, so nothing is lost
and ``str(status)`` still shows what the backend said::

    >>> JobStatus("Invoiced")
    <JobStatus.UNKNOWN: 'Invoiced'>
    >>> JobStatus("Invoiced").known, JobStatus.HOLD.known
    (False, True)

Commands (what the dispatcher asks the backend to do) are dataclasses too, each with a stable ``kind``
name and ``to_dict()`` / ``command_from_dict()`` for the outbox, which stores them as JSON.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import InitVar, dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, Literal, TypeVar

from .timestamps import format_datetime, parse_datetime

__all__ = [
    "COMMAND_TYPES",
    "AddJobNote",
    "AddProjectNote",
    "Appointment",
    "AppointmentStatus",
    "ArrivalWindow",
    "Assignment",
    "AssignmentStatus",
    "AssignTechnicians",
    "AttachJobToProject",
    "BusinessUnit",
    "BookedLogEntry",
    "BusinessHours",
    "CancelJob",
    "CanceledLogEntry",
    "Command",
    "ConfirmAppointment",
    "Contact",
    "ContactType",
    "CreateAppointment",
    "Customer",
    "DeleteAppointment",
    "DetachJobFromProject",
    "EDITABLE_JOB_FIELDS",
    "EditJob",
    "Employee",
    "HistoryEntry",
    "HoldAppointment",
    "Job",
    "JobStatus",
    "JobType",
    "Location",
    "Note",
    "OpenEnum",
    "Priority",
    "Project",
    "ProjectStatus",
    "ProjectType",
    "Reason",
    "RemoveAppointmentHold",
    "RemoveCancellation",
    "RescheduleAppointment",
    "SetSpecialInstructions",
    "Shift",
    "TagType",
    "Team",
    "Technician",
    "UnassignTechnicians",
    "UnconfirmAppointment",
    "Zone",
    "command_from_dict",
    "parse_datetime",
    "format_datetime",
    "tag_ids",
]


# --------------------------------------------------------------------------------------- open enums


class OpenEnum(enum.StrEnum):
    """A ``StrEnum`` that accepts values it does not know.

    ``Cls("Whatever")`` returns a cached pseudo-member named ``UNKNOWN`` whose value is the text received.
    Lookup is exact first, then case- and separator-insensitive (``"in progress"`` finds ``IN_PROGRESS``).
    Every subclass must define ``UNKNOWN``.
    """

    @classmethod
    def _missing_(cls, value: object) -> OpenEnum:
        text = "" if value is None else str(value)
        folded = _fold(text)
        for member in cls:
            if member.name != "UNKNOWN" and (_fold(member.value) == folded or _fold(member.name) == folded):
                return member
        cache: dict[str, OpenEnum] = cls.__dict__.get("_unknown_cache_") or {}
        if "_unknown_cache_" not in cls.__dict__:
            type.__setattr__(cls, "_unknown_cache_", cache)
        pseudo = cache.get(text)
        if pseudo is None:
            pseudo = str.__new__(cls, text)
            pseudo._name_ = "UNKNOWN"
            pseudo._value_ = text
            pseudo._sort_order_ = len(cls.__members__)
            cache[text] = pseudo
        return pseudo

    @property
    def known(self) -> bool:
        return self._name_ != "UNKNOWN"

    @property
    def rank(self) -> int:
        """Position in the declared (workflow) order; unknown values sort last."""
        if not self.known:
            return 99
        return list(type(self).__members__).index(self._name_)

    @classmethod
    def parse(cls: type[E], value: Any) -> E:
        if isinstance(value, cls):
            return value
        if type(value) is str:  # a known value as sent: a dict lookup (Enum's call costs ~10x; a sync makes millions)
            member = cls._value2member_map_.get(value)
            if member is not None:
                return member  # type: ignore[return-value]
        return cls(value)


E = TypeVar("E", bound=OpenEnum)


def _fold(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


class JobStatus(OpenEnum):
    SCHEDULED = "Scheduled"
    DISPATCHED = "Dispatched"
    IN_PROGRESS = "InProgress"
    HOLD = "Hold"
    COMPLETED = "Completed"
    CANCELED = "Canceled"
    UNKNOWN = "Unknown"


class AppointmentStatus(OpenEnum):
    SCHEDULED = "Scheduled"
    DISPATCHED = "Dispatched"
    WORKING = "Working"
    HOLD = "Hold"
    DONE = "Done"
    CANCELED = "Canceled"
    UNKNOWN = "Unknown"

    @property
    def open(self) -> bool:
        """Still ahead of the technician (not done, not canceled)."""
        return self not in (AppointmentStatus.DONE, AppointmentStatus.CANCELED)


class AssignmentStatus(OpenEnum):
    SCHEDULED = "Scheduled"
    DISPATCHED = "Dispatched"
    WORKING = "Working"
    DONE = "Done"
    UNKNOWN = "Unknown"


class Priority(OpenEnum):
    LOW = "Low"
    NORMAL = "Normal"
    HIGH = "High"
    URGENT = "Urgent"
    UNKNOWN = "Unknown"


class ContactType(OpenEnum):
    PHONE = "Phone"
    MOBILE = "MobilePhone"
    EMAIL = "Email"
    FAX = "Fax"
    UNKNOWN = "Unknown"

    @property
    def is_phone(self) -> bool:
        return self in (ContactType.PHONE, ContactType.MOBILE, ContactType.FAX)


# ------------------------------------------------------------------------------------------ records

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


def custom_fields(record: Any) -> tuple[tuple[str, str], ...]:
    """The filled-in custom fields of a job or project as (name, value), in the payload's order; an entry without
    a value is left out, one without a name is named by its type id."""
    return tuple((str(e.get("name") or f"field {e.get('typeId', '?')}"), str(e["value"]))
                 for e in _payload_list(record, _CUSTOM_FIELD_KEYS)
                 if isinstance(e, Mapping) and e.get("value") not in (None, ""))


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


# ----------------------------------------------------------------------------------------- commands

_COMMANDS: dict[str, type[Command]] = {}


@dataclass(frozen=True, slots=True)
class Command:
    """Base of every command. Subclasses set ``kind`` (stable: stored in the outbox) and ``target``
    (the record kind whose ``modified_on`` a conflict check compares: ``"job"``, ``"appointment"``,
    ``"project"``); ``target_id`` names the record."""

    kind: ClassVar[str] = ""
    target: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # (no super(): dataclass(slots=True) re-creates the class, which breaks the zero-argument form)
        if cls.kind:
            existing = _COMMANDS.get(cls.kind)
            if existing is not None and existing.__qualname__ != cls.__qualname__:
                raise TypeError(f"duplicate command kind {cls.kind!r}")
            _COMMANDS[cls.kind] = cls

    @property
    def target_id(self) -> int | None:
        return getattr(self, f"{self.target}_id", None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``{"kind": ..., <fields>}``; datetimes as ISO-8601 UTC text, tuples as lists."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in fields(self):
            out[f.name] = _to_json(getattr(self, f.name))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Command:
        return command_from_dict(data)


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _to_json(v) for k, v in value.items()}
    return value


_DATETIME_FIELDS = {"start", "end", "arrival_window_start", "arrival_window_end"}


def command_from_dict(data: Mapping[str, Any]) -> Command:
    """Inverse of ``Command.to_dict``. Unknown kinds raise ``ValueError``; unknown keys are ignored (an
    older outbox row read by a newer version)."""
    kind = data.get("kind")
    cls = _COMMANDS.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown command kind {kind!r}")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in _DATETIME_FIELDS:
            value = parse_datetime(value)
        elif f.name == "technician_ids":
            value = tuple(int(v) for v in value or ())
        elif f.name == "changes":
            value = dict(value or {})
        kwargs[f.name] = value
    return cls(**kwargs)


@dataclass(frozen=True, slots=True)
class CancelJob(Command):
    kind: ClassVar[str] = "cancel_job"
    target: ClassVar[str] = "job"
    job_id: int
    reason_id: int
    memo: str = ""


@dataclass(frozen=True, slots=True)
class RemoveCancellation(Command):
    kind: ClassVar[str] = "remove_cancellation"
    target: ClassVar[str] = "job"
    job_id: int


@dataclass(frozen=True, slots=True)
class HoldAppointment(Command):
    kind: ClassVar[str] = "hold_appointment"
    target: ClassVar[str] = "appointment"
    appointment_id: int
    reason_id: int
    memo: str = ""


@dataclass(frozen=True, slots=True)
class RemoveAppointmentHold(Command):
    kind: ClassVar[str] = "remove_appointment_hold"
    target: ClassVar[str] = "appointment"
    appointment_id: int


@dataclass(frozen=True, slots=True)
class ConfirmAppointment(Command):
    kind: ClassVar[str] = "confirm_appointment"
    target: ClassVar[str] = "appointment"
    appointment_id: int


@dataclass(frozen=True, slots=True)
class UnconfirmAppointment(Command):
    kind: ClassVar[str] = "unconfirm_appointment"
    target: ClassVar[str] = "appointment"
    appointment_id: int


@dataclass(frozen=True, slots=True)
class RescheduleAppointment(Command):
    kind: ClassVar[str] = "reschedule_appointment"
    target: ClassVar[str] = "appointment"
    appointment_id: int
    start: datetime
    end: datetime
    arrival_window_start: datetime | None = None
    arrival_window_end: datetime | None = None


@dataclass(frozen=True, slots=True)
class AssignTechnicians(Command):
    kind: ClassVar[str] = "assign_technicians"
    target: ClassVar[str] = "appointment"
    appointment_id: int
    technician_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class UnassignTechnicians(Command):
    kind: ClassVar[str] = "unassign_technicians"
    target: ClassVar[str] = "appointment"
    appointment_id: int
    technician_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AddJobNote(Command):
    kind: ClassVar[str] = "add_job_note"
    target: ClassVar[str] = "job"
    job_id: int
    text: str
    pin_to_top: bool = False


@dataclass(frozen=True, slots=True)
class AddProjectNote(Command):
    kind: ClassVar[str] = "add_project_note"
    target: ClassVar[str] = "project"
    project_id: int
    text: str
    pin_to_top: bool = False


@dataclass(frozen=True, slots=True)
class SetSpecialInstructions(Command):
    kind: ClassVar[str] = "set_special_instructions"
    target: ClassVar[str] = "appointment"
    appointment_id: int
    text: str


EDITABLE_JOB_FIELDS = frozenset({"summary", "priority", "job_type_id", "business_unit_id"})
"""Keys ``EditJob.changes`` may carry (domain names; values JSON-ready: priority as text)."""


@dataclass(frozen=True, slots=True)
class EditJob(Command):
    kind: ClassVar[str] = "edit_job"
    target: ClassVar[str] = "job"
    job_id: int
    changes: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        unknown = set(self.changes) - EDITABLE_JOB_FIELDS
        if unknown:
            raise ValueError(f"EditJob cannot change {sorted(unknown)}; editable: {sorted(EDITABLE_JOB_FIELDS)}")


@dataclass(frozen=True, slots=True)
class AttachJobToProject(Command):
    kind: ClassVar[str] = "attach_job_to_project"
    target: ClassVar[str] = "job"
    job_id: int
    project_id: int


@dataclass(frozen=True, slots=True)
class DetachJobFromProject(Command):
    kind: ClassVar[str] = "detach_job_from_project"
    target: ClassVar[str] = "job"
    job_id: int


@dataclass(frozen=True, slots=True)
class CreateAppointment(Command):
    kind: ClassVar[str] = "create_appointment"
    target: ClassVar[str] = "job"
    job_id: int
    start: datetime
    end: datetime
    arrival_window_start: datetime | None = None
    arrival_window_end: datetime | None = None
    technician_ids: tuple[int, ...] = ()
    special_instructions: str = ""


@dataclass(frozen=True, slots=True)
class DeleteAppointment(Command):
    kind: ClassVar[str] = "delete_appointment"
    target: ClassVar[str] = "appointment"
    appointment_id: int


COMMAND_TYPES: Mapping[str, type[Command]] = _COMMANDS
"""Every command class by ``kind``."""
