"""Commands: what the dispatcher asks the backend to do, as dataclasses.

Each command has a stable ``kind`` name (stored in the outbox) and a ``target`` (the record kind a conflict check
compares); ``to_dict()`` / ``command_from_dict()`` turn it into JSON and back for the outbox, each field read back by
its declared type (datetimes parsed, tuples from lists), so a new command needs no list of names edited.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from types import UnionType
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints

from ..timestamps import format_datetime, parse_datetime

__all__ = [
    "COMMAND_TYPES",
    "EDITABLE_JOB_FIELDS",
    "AddJobNote",
    "AddProjectNote",
    "AssignJobTechnician",
    "AssignTechnicians",
    "AttachJobToProject",
    "CancelJob",
    "Command",
    "ConfirmAppointment",
    "CreateAppointment",
    "CreateJob",
    "DeleteAppointment",
    "DetachJobFromProject",
    "EditJob",
    "HoldAppointment",
    "LinkAssets",
    "RemoveAppointmentHold",
    "RemoveCancellation",
    "RescheduleAppointment",
    "RescheduleJob",
    "SetJobStatus",
    "SetSpecialInstructions",
    "UnassignTechnicians",
    "UnlinkAssets",
    "UnconfirmAppointment",
    "command_from_dict",
]


_COMMANDS: dict[str, type[Command]] = {}


@dataclass(frozen=True, slots=True)
class Command:
    """Base of every command. Subclasses set ``kind`` (stable: stored in the outbox), ``target`` (the record kind
    whose ``modified_on`` a conflict check compares: ``"job"``, ``"appointment"``, ``"project"``) and
    ``target_field``, the field naming that record (None for a create whose record does not exist yet);
    ``target_id`` reads it."""

    kind: ClassVar[str] = ""
    target: ClassVar[str] = ""
    target_field: ClassVar[str | None]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # (no super(): dataclass(slots=True) re-creates the class, which breaks the zero-argument form)
        if cls.kind:
            if not hasattr(cls, "target_field"):  # a command without it would skip its conflict check unseen
                raise TypeError(f"command {cls.kind!r} declares no target_field")
            existing = _COMMANDS.get(cls.kind)
            if existing is not None and existing.__qualname__ != cls.__qualname__:
                raise TypeError(f"duplicate command kind {cls.kind!r}")
            _COMMANDS[cls.kind] = cls

    @property
    def target_id(self) -> int | None:
        if self.target_field is None:
            return None
        value: int | None = getattr(self, self.target_field)
        return value

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``{"kind": ..., <fields>}``; datetimes as ISO-8601 UTC text, tuples as lists."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in fields(self):
            out[f.name] = _to_json(getattr(self, f.name))
        return out


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


def command_from_dict(data: Mapping[str, Any]) -> Command:
    """Inverse of ``Command.to_dict``. Unknown kinds raise ``ValueError``; unknown keys are ignored (an
    older outbox row read by a newer version)."""
    kind = data.get("kind")
    cls = _COMMANDS.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown command kind {kind!r}")
    # mypy takes the class for an instance of the frozen dataclass (its __hash__ has a self); classes hash by identity
    decoders = _field_decoders(cls)  # type: ignore[arg-type]
    return cls(**{name: decode(data[name]) for name, decode in decoders if name in data})


_Decoder = Callable[[Any], Any]


@cache
def _field_decoders(cls: type[Command]) -> tuple[tuple[str, _Decoder], ...]:
    """Each field of a command class with the function that reads its JSON value back, chosen by the field's
    declared type (so a new command, or a new field, needs no list of names to be read back from the outbox)."""
    declared = get_type_hints(cls)
    return tuple((f.name, _decoder(declared[f.name])) for f in fields(cls))


def _decoder(declared: Any) -> _Decoder:
    """The inverse of ``_to_json`` for a value declared as ``declared``."""
    origin = get_origin(declared)
    if origin in (Union, UnionType):  # ``X | None``: None stays None, anything else is read as an X
        kinds = [arg for arg in get_args(declared) if arg is not type(None)]
        if len(kinds) != 1:
            raise TypeError(f"a command field cannot be declared {declared!r}: one type, or one type | None")
        inner = _decoder(kinds[0])
        return lambda value: None if value is None else inner(value)
    if declared is datetime:
        return parse_datetime
    if origin is tuple:  # ``tuple[X, ...]``, a list in JSON
        item = _decoder(get_args(declared)[0])
        return lambda value: tuple(item(v) for v in value or ())
    if origin is dict or declared is dict:
        return lambda value: dict(value or {})
    if isinstance(declared, type) and issubclass(declared, enum.Enum):
        return declared
    if declared is int:
        return int
    return _as_read  # str, bool, Any, Literal: JSON gives them back as they were


def _as_read(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class CancelJob(Command):
    kind: ClassVar[str] = "cancel_job"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = "job_id"
    job_id: int
    reason_id: int
    memo: str = ""


@dataclass(frozen=True, slots=True)
class RemoveCancellation(Command):
    kind: ClassVar[str] = "remove_cancellation"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = "job_id"
    job_id: int


@dataclass(frozen=True, slots=True)
class HoldAppointment(Command):
    kind: ClassVar[str] = "hold_appointment"
    target: ClassVar[str] = "appointment"
    target_field: ClassVar[str | None] = "appointment_id"
    appointment_id: int
    reason_id: int
    memo: str = ""


@dataclass(frozen=True, slots=True)
class RemoveAppointmentHold(Command):
    kind: ClassVar[str] = "remove_appointment_hold"
    target: ClassVar[str] = "appointment"
    target_field: ClassVar[str | None] = "appointment_id"
    appointment_id: int


@dataclass(frozen=True, slots=True)
class ConfirmAppointment(Command):
    kind: ClassVar[str] = "confirm_appointment"
    target: ClassVar[str] = "appointment"
    target_field: ClassVar[str | None] = "appointment_id"
    appointment_id: int


@dataclass(frozen=True, slots=True)
class UnconfirmAppointment(Command):
    kind: ClassVar[str] = "unconfirm_appointment"
    target: ClassVar[str] = "appointment"
    target_field: ClassVar[str | None] = "appointment_id"
    appointment_id: int


@dataclass(frozen=True, slots=True)
class RescheduleAppointment(Command):
    kind: ClassVar[str] = "reschedule_appointment"
    target: ClassVar[str] = "appointment"
    target_field: ClassVar[str | None] = "appointment_id"
    appointment_id: int
    start: datetime
    end: datetime
    arrival_window_start: datetime | None = None
    arrival_window_end: datetime | None = None


@dataclass(frozen=True, slots=True)
class AssignTechnicians(Command):
    kind: ClassVar[str] = "assign_technicians"
    target: ClassVar[str] = "appointment"
    target_field: ClassVar[str | None] = "appointment_id"
    appointment_id: int
    technician_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class UnassignTechnicians(Command):
    kind: ClassVar[str] = "unassign_technicians"
    target: ClassVar[str] = "appointment"
    target_field: ClassVar[str | None] = "appointment_id"
    appointment_id: int
    technician_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AddJobNote(Command):
    kind: ClassVar[str] = "add_job_note"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = "job_id"
    job_id: int
    text: str
    pin_to_top: bool = False


@dataclass(frozen=True, slots=True)
class AddProjectNote(Command):
    kind: ClassVar[str] = "add_project_note"
    target: ClassVar[str] = "project"
    target_field: ClassVar[str | None] = "project_id"
    project_id: int
    text: str
    pin_to_top: bool = False


@dataclass(frozen=True, slots=True)
class SetSpecialInstructions(Command):
    kind: ClassVar[str] = "set_special_instructions"
    target: ClassVar[str] = "appointment"
    target_field: ClassVar[str | None] = "appointment_id"
    appointment_id: int
    text: str


EDITABLE_JOB_FIELDS = frozenset({"summary", "priority", "job_type_id", "business_unit_id", "description"})
"""Keys ``EditJob.changes`` may carry (domain names; values JSON-ready: priority as text). Each backend takes those
its API has (ServiceTitan no description; FSM Navigator the summary as the job's title, no job type or unit)."""


@dataclass(frozen=True, slots=True)
class EditJob(Command):
    kind: ClassVar[str] = "edit_job"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = "job_id"
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
    target_field: ClassVar[str | None] = "job_id"
    job_id: int
    project_id: int


@dataclass(frozen=True, slots=True)
class DetachJobFromProject(Command):
    kind: ClassVar[str] = "detach_job_from_project"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = "job_id"
    job_id: int


@dataclass(frozen=True, slots=True)
class CreateAppointment(Command):
    kind: ClassVar[str] = "create_appointment"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = "job_id"
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
    target_field: ClassVar[str | None] = "appointment_id"
    appointment_id: int


@dataclass(frozen=True, slots=True)
class SetJobStatus(Command):
    """Move a job to ``status`` (a backend with a transition table refuses a move it does not allow)."""

    kind: ClassVar[str] = "set_job_status"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = "job_id"
    job_id: int
    status: str


@dataclass(frozen=True, slots=True)
class AssignJobTechnician(Command):
    """The one technician of a job (a backend with one technician per job); None takes the technician off."""

    kind: ClassVar[str] = "assign_job_technician"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = "job_id"
    job_id: int
    technician_id: int | None


@dataclass(frozen=True, slots=True)
class RescheduleJob(Command):
    """The scheduled window of a job (a backend with one window per job)."""

    kind: ClassVar[str] = "reschedule_job"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = "job_id"
    job_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class LinkAssets(Command):
    """Link assets to a job as ``relationship_type`` (links it already has stay as they are)."""

    kind: ClassVar[str] = "link_assets"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = "job_id"
    job_id: int
    asset_ids: tuple[int, ...]
    relationship_type: str = ""


@dataclass(frozen=True, slots=True)
class UnlinkAssets(Command):
    kind: ClassVar[str] = "unlink_assets"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = "job_id"
    job_id: int
    asset_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CreateJob(Command):
    """A new job at a service location, optionally with its technician and window. Its target is a job not made
    yet (no ``job_id``): nothing to compare before it is sent."""

    kind: ClassVar[str] = "create_job"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = None
    location_id: int
    title: str
    description: str = ""
    priority: str = ""
    technician_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None


COMMAND_TYPES: Mapping[str, type[Command]] = _COMMANDS
"""Every command class by ``kind``."""
