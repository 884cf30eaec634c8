"""A backend's workflow, in words the board and the cache reason with: the backend declares, the board renders.

Each backend describes its job (and appointment) statuses, each with a ``StatusCategory`` the board styles and
reasons with, the transitions it enforces, its priorities, the actions it supports and its capabilities, in one
``Workflow`` (``provider/servicetitan_workflow.py`` is ServiceTitan's). The board colours, filters, refuses
actions and lays out the calendar's signals and tray from it; the outbox takes the changes a queued command is
expected to make and the feeds to sync after it. Nothing here names a backend's status: the rules below are
written over categories, so a backend brings its own values and labels.

No HTTP, no pydantic: the board imports this before it paints from the cache.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "Action",
    "ActionNeeds",
    "Capabilities",
    "EditForm",
    "FormContext",
    "FormField",
    "JobTimes",
    "NameLookup",
    "FINISHED",
    "LinkType",
    "ListColumn",
    "NOT_STARTED",
    "OTHER",
    "Priority",
    "PriorityLevel",
    "RecordType",
    "Status",
    "StatusCategory",
    "TraySection",
    "Workflow",
    "style_key",
]


class StatusCategory(enum.StrEnum):
    """What a status means to the board, whatever the backend calls it. Each value names a theme variable
    (``$status-<value>``) and a style class (``job-table--status-<value>``, ``calendar--block-<value>``)."""

    OPEN = "open"
    """Booked, not scheduled yet (no time or no technician)."""
    SCHEDULED = "scheduled"
    DISPATCHED = "dispatched"
    """A technician is on the way."""
    WORKING = "working"
    HELD = "held"
    """Paused: on hold."""
    DONE = "done"
    CANCELED = "canceled"
    CLOSED = "closed"
    """Finished otherwise (closed out, invoiced, archived)."""


OTHER = "other"
"""The style key of a status the workflow does not list (a value the backend added later)."""

NOT_STARTED = frozenset({StatusCategory.OPEN, StatusCategory.SCHEDULED, StatusCategory.DISPATCHED})
"""Ahead of the technician: can be late, can wait for a confirmation."""
FINISHED = frozenset({StatusCategory.DONE, StatusCategory.CANCELED, StatusCategory.CLOSED})
"""Nothing more happens to it."""


class PriorityLevel(enum.StrEnum):
    """What a priority means to the board (style class ``job-table--priority-<value>``, the calendar's ▲)."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


RecordType = Literal["job", "appointment"]

ActionNeeds = Literal["none", "confirm", "text", "reason", "choice", "technicians", "time", "project", "status",
                      "form"]
"""What the board asks before it queues the action: nothing, a yes/no, a text, a reason from the backend's list
(with a memo), one of a list (priority, job type...), technicians, a time, a project, the next status, or a form
of several fields (``Workflow.forms``)."""


@dataclass(frozen=True, slots=True)
class Status:
    value: str
    """As the backend sends and takes it (what the cache stores and saved views filter on)."""
    label: str
    """As the dispatcher reads it."""
    category: StatusCategory


@dataclass(frozen=True, slots=True)
class Priority:
    value: str
    label: str
    rank: int
    """Order, most urgent first (0)."""
    level: PriorityLevel


@dataclass(frozen=True, slots=True)
class Action:
    """A write the backend supports. ``id`` is the board's action name (the binding's action, the key of a
    refusal); the board binds ``default_key`` to it unless the config's ``[keys]`` says otherwise."""

    id: str
    label: str
    default_key: str
    needs: ActionNeeds
    applies_to: RecordType


@dataclass(frozen=True, slots=True)
class Capabilities:
    appointments: bool
    """Separate appointment records per job (False: one scheduled window per job)."""
    several_technicians: bool
    """More than one technician on an appointment (or job)."""
    holds: bool
    projects: bool
    arrival_windows: bool
    confirmation: bool
    """An appointment is confirmed with the customer (the calendar then marks unconfirmed ones)."""
    notes: bool
    cancel_reasons: bool
    """A cancellation takes a reason from the backend's list (and the job keeps a log of them)."""
    booked_log: bool
    """The server keeps who booked a job and when (the detail's Booked section)."""
    shifts: bool
    """Technicians have working shifts (a calendar lane weighs its booked hours against them)."""


@dataclass(frozen=True, slots=True)
class ListColumn:
    """A job list column the backend has data for: the board's column ``key`` (what it shows and sorts by), the
    backend's word for it, and ``width`` where its values need more room than the board gives (a long id)."""

    key: str
    label: str
    width: int | None = None


@dataclass(frozen=True, slots=True)
class LinkType:
    """A kind of link between a job and an asset the backend records (what the job did to it)."""

    value: str
    """As the backend takes it."""
    label: str
    note: str = ""
    """What it means, beside the label in the picker."""


NameLookup = Callable[[str, int], "str | None"]
"""(kind, id) -> the name a dispatcher knows a record by (``CacheStore.name_of``), or None."""

FieldKind = Literal["text", "minutes", "choice"]
"""What a form field takes: a line of text, a whole number of minutes, or one of its ``choices`` (a picker)."""


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of an action's form, as the backend declares it for one record: the board shows ``label`` and
    ``value``, and says per field whether it will be sent (changed), kept (unchanged) or cleared (emptied)."""

    name: str
    """The backend's name of the field: the key of the command's changes, of a refusal's field errors."""
    label: str
    value: str | None
    """The record's current value (None: not set)."""
    kind: FieldKind = "text"
    clearable: bool = True
    """Emptying it sends a clear; False: emptying it keeps the value (the backend cannot unset it)."""
    note: str = ""
    """What the value stands for, when it is an id (the person's name beside a person id)."""
    refused: str | None = None
    """Why this record's field cannot change now (shown, the field read-only); None when it can."""
    choices: tuple[tuple[str, str], ...] = ()
    """A ``"choice"`` field's (value, label) pairs, in picker order: the label is shown, the value is sent."""


@dataclass(frozen=True, slots=True)
class FormContext:
    """What the board read from its cache for one record's form beyond the record itself (domain rows; empty
    when the cache has none): the backend's custom field definitions, the people of the record's customer."""

    custom_field_definitions: Sequence[Any] = ()
    people: Sequence[Any] = ()


@dataclass(frozen=True, slots=True)
class EditForm:
    """An action whose answer is a form: the backend lists a record's fields and makes the command from what the
    dispatcher changed (``changes``: name -> new value as typed) and emptied (``cleared``: names)."""

    fields: Callable[[Any, StatusCategory | None, FormContext], tuple[FormField, ...]]
    """(record, its status's category with queued writes laid over, what the cache adds) -> its fields, in form
    order."""
    command: Callable[[int, Mapping[str, str], tuple[str, ...]], Any]
    """(record id, changes, cleared) -> the command to queue."""
    label: Callable[[str, NameLookup], str | None] | None = None
    """(field name, the cache's names) -> the label the form shows for it, or None for a field it does not have:
    how a queued edit is said without its record at hand."""
    recall: Callable[[Any], tuple[Mapping[str, str], tuple[str, ...]] | None] | None = None
    """(a queued command) -> the (changes, cleared) it was made of, for a command this form makes (None for any
    other): how a refused write reopens in the form, as typed, to be corrected. None: the form cannot reopen one."""


@dataclass(frozen=True, slots=True)
class JobTimes:
    """When a job was planned to start and end, and when it really did (None: not planned, not started, not
    ended yet), for a backend that records both (``Workflow.job_times``)."""

    planned_start: datetime | None
    planned_end: datetime | None
    real_start: datetime | None
    real_end: datetime | None


TrayKind = Literal["unassigned", "unconfirmed", "held", "canceled"]


@dataclass(frozen=True, slots=True)
class TraySection:
    """A tab of the calendar's tray: the appointments of a kind the dispatcher still has to deal with."""

    kind: TrayKind
    title: str


def _fold(text: str) -> str:
    """How a status is matched: case, spaces and underscores ignored ("In Progress" finds "InProgress")."""
    return text.lower().replace(" ", "").replace("_", "")


def style_key(category: StatusCategory | None) -> str:
    """The style suffix of a category (``OTHER`` for a status the workflow does not list)."""
    return category.value if category is not None else OTHER


@dataclass(frozen=True)
class Workflow:
    """One backend's workflow. Statuses are listed in workflow order (the filter form's, the counts')."""

    backend: str
    job_statuses: tuple[Status, ...]
    appointment_statuses: tuple[Status, ...]
    """Empty when the backend has one scheduled window per job: the window then has the job's status."""
    transitions: Mapping[str, frozenset[str]] | None
    """Status value -> the values it may move to, where the backend enforces a table; None where it enforces none."""
    priorities: tuple[Priority, ...]
    actions: tuple[Action, ...]
    capabilities: Capabilities
    status_after: Mapping[str, str]
    """Command kind -> the status value its target is left in (the outbox shows it before the server answers)."""
    follow_up: Mapping[str, tuple[str, ...]]
    """Command kind -> the feeds worth an incremental sync once it is done (what re-reading its record misses)."""
    tray: tuple[TraySection, ...]
    job_columns: tuple[ListColumn, ...]
    """The job list's columns, in display order: the ones the backend fills."""
    account_word: str
    """What the backend calls the account a profile signs in to (the header's "tenant 1234567")."""
    forms: Mapping[str, EditForm] = field(default_factory=dict)
    """Action id -> its form (actions whose ``needs`` is ``"form"``)."""
    job_times: Callable[[Any], JobTimes] | None = None
    """(job) -> its planned and real times, where the backend records both (the detail's planned-vs-real line);
    None where it does not."""
    link_types: tuple[LinkType, ...] = ()
    """The kinds of asset link the backend records, its default first (empty: links have no kind)."""
    link_type_warning: str = ""
    """Said in the link type picker when the job already has linked assets (``{linked}``: them), where the backend
    applies the type chosen to every asset the link names (empty: a type is the new link's alone)."""
    _job_index: dict[str, Status] = field(init=False, repr=False, compare=False)
    _appointment_index: dict[str, Status] = field(init=False, repr=False, compare=False)
    _priority_index: dict[str, Priority] = field(init=False, repr=False, compare=False)
    _action_ids: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        appointment = self.appointment_statuses or self.job_statuses
        object.__setattr__(self, "_job_index", {_fold(s.value): s for s in self.job_statuses})
        object.__setattr__(self, "_appointment_index", {_fold(s.value): s for s in appointment})
        object.__setattr__(self, "_priority_index", {_fold(p.value): p for p in self.priorities})
        object.__setattr__(self, "_action_ids", frozenset(a.id for a in self.actions))

    # ------------------------------------------------------------------------------ vocabulary

    def job_status(self, value: Any) -> Status | None:
        return self._job_index.get(_fold(str(value or "")))

    def appointment_status(self, value: Any) -> Status | None:
        return self._appointment_index.get(_fold(str(value or "")))

    def category(self, value: Any) -> StatusCategory | None:
        """The category of a job status (None for one the workflow does not list). A project's status is read
        with the same words (a project "In Progress" is working)."""
        status = self.job_status(value)
        return status.category if status is not None else None

    def appointment_category(self, value: Any) -> StatusCategory | None:
        status = self.appointment_status(value)
        return status.category if status is not None else None

    def status_label(self, value: Any) -> str:
        """How a job status is shown: its label, or the value as given when the workflow does not list it."""
        status = self.job_status(value)
        return status.label if status is not None else str(value or "")

    def appointment_status_label(self, value: Any) -> str:
        status = self.appointment_status(value)
        return status.label if status is not None else str(value or "")

    def appointment_values(self, categories: frozenset[StatusCategory]) -> tuple[str, ...]:
        """The appointment status values of these categories (the job's statuses where one window per job)."""
        return tuple(s.value for s in self.appointment_statuses or self.job_statuses if s.category in categories)

    def open_job_statuses(self) -> tuple[str, ...]:
        """The job status values of jobs still to be done (every category but the finished ones), in workflow
        order: what a dispatcher calls the open jobs, wider than the ``OPEN`` category (booked, not scheduled)."""
        return tuple(s.value for s in self.job_statuses if s.category not in FINISHED)

    def status_rank(self, value: Any) -> int:
        """A job status's place in workflow order; values the workflow does not list come last."""
        status = self.job_status(value)
        return self.job_statuses.index(status) if status is not None else len(self.job_statuses)

    @property
    def priorities_by_rank(self) -> tuple[Priority, ...]:
        """Most urgent first."""
        return tuple(sorted(self.priorities, key=lambda p: p.rank))

    def priority(self, value: Any) -> Priority | None:
        return self._priority_index.get(_fold(str(value or "")))

    def priority_level(self, value: Any) -> PriorityLevel | None:
        priority = self.priority(value)
        return priority.level if priority is not None else None

    def job_column(self, key: str) -> ListColumn | None:
        """The backend's declaration of a job list column (None: it has no such data)."""
        return next((c for c in self.job_columns if c.key == key), None)

    def field_label(self, name: str, names: NameLookup) -> str | None:
        """The label a form of this workflow shows for field ``name`` (None: no form has it)."""
        labels = (form.label(name, names) for form in self.forms.values() if form.label is not None)
        return next((label for label in labels if label), None)

    def supports(self, action_id: str) -> bool:
        return action_id in self._action_ids

    def action_ids(self, applies_to: RecordType) -> tuple[str, ...]:
        return tuple(a.id for a in self.actions if a.applies_to == applies_to)

    def next_statuses(self, value: Any) -> tuple[Status, ...] | None:
        """The job statuses ``value`` may move to, in workflow order; None where the backend enforces no table."""
        if self.transitions is None:
            return None
        allowed = self.transitions.get(str(value or ""), frozenset())
        return tuple(s for s in self.job_statuses if s.value in allowed)

    def transition_refusal(self, current: Any, target: str) -> str | None:
        """Why a job cannot move from ``current`` to ``target`` (None when it can)."""
        allowed = self.next_statuses(current)
        if allowed is None or any(s.value == target for s in allowed):
            return None
        now, label = self.status_label(current), self.status_label(target)
        if not allowed:
            return f"{now} is final: it moves to no other status"
        return f"{now} cannot move to {label} (only to {', '.join(s.label for s in allowed)})"

    # ------------------------------------------------------------------------------ the outbox

    def expected_changes(self, command: Any) -> dict[str, Any]:
        """Domain fields of the target record ``command`` is expected to change, with their new values."""
        out = _field_changes(command)
        status = self.status_after.get(command.kind)
        if status is not None:
            out["status"] = status
        return out

    def follow_up_feeds(self, command_kind: str) -> tuple[str, ...]:
        return self.follow_up.get(command_kind, ())

    # ------------------------------------------------------------------------------ what a state allows

    def held_appointment(self, appointments: Sequence[Any], overlays: Mapping[int, Mapping[str, Any]]) -> Any | None:
        """The appointment a 'remove hold' takes off hold: the earliest one on hold."""
        held = [a for a in appointments
                if self.appointment_category(_appointment_status(a, overlays)) == StatusCategory.HELD]
        return min(held, key=_by_start, default=None)

    def holdable_appointment(self, appointments: Sequence[Any],
                             overlays: Mapping[int, Mapping[str, Any]]) -> Any | None:
        """The appointment a 'hold' puts on hold: the earliest one still ahead of the technician."""
        candidates = [a for a in appointments
                      if self.appointment_category(_appointment_status(a, overlays)) not in _NOT_HOLDABLE]
        return min(candidates, key=_by_start, default=None)

    def job_refusals(self, job: Any, overlay: Mapping[str, Any], appointments: Sequence[Any],
                     appointment_overlays: Mapping[int, Mapping[str, Any]], *, writable: str | None = None,
                     has_cancel_reasons: bool = True, has_hold_reasons: bool = True,
                     has_projects: bool = True) -> dict[str, str]:
        """Job action id -> why it is not possible now; allowed actions are absent. The state judged is the
        cached record with the queued writes laid over it (``Outbox.overlay``).

        ``writable``: why this board cannot write at all (None when it can)."""
        if writable is not None:
            return dict.fromkeys(self.action_ids("job"), writable)
        status = effective_status(job, overlay)
        category = self.category(status)
        words = _with_article(self.status_label(status))
        project_id = overlay["project_id"] if "project_id" in overlay else getattr(job, "project_id", None)
        out: dict[str, str] = {}
        if category == StatusCategory.CANCELED:
            out["cancel_job"] = "the job is already canceled"
        elif category in FINISHED:
            out["cancel_job"] = f"{words} job cannot be canceled"
        elif (refused := self._status_refusal(status, "cancel_job")) is not None:
            out["cancel_job"] = refused
        elif not has_cancel_reasons:
            out["cancel_job"] = "no cancel reasons are cached yet (sync first)"
        if category != StatusCategory.CANCELED:
            out["remove_cancellation"] = "the job is not canceled"
        if category in FINISHED:
            out["hold"] = f"the job is {words}"
            out["new_appointment"] = f"the job is {words}"
        elif self.holdable_appointment(appointments, appointment_overlays) is None:
            out["hold"] = "no appointment of this job is open to put on hold"
        elif not has_hold_reasons:
            out["hold"] = "no hold reasons are cached yet (sync first)"
        if self.held_appointment(appointments, appointment_overlays) is None:
            out["remove_hold"] = "no appointment of this job is on hold"
        if category == StatusCategory.CANCELED:
            for action in ("edit_job_type", "edit_business_unit", "edit_priority"):
                out[action] = "the job is canceled (remove the cancellation first)"
        if project_id:
            out["attach_project"] = "the job is already in a project (detach it first)"
        elif not has_projects:
            out["attach_project"] = "the customer has no project to attach it to"
        if not project_id:
            out["detach_project"] = "the job is not in a project"
        if self.transitions is not None and not self.next_statuses(status):
            out["change_status"] = f"{self.status_label(status)} is final: it moves to no other status"
        return out

    def _status_refusal(self, status: str, command_kind: str) -> str | None:
        target = self.status_after.get(command_kind)
        return self.transition_refusal(status, target) if target is not None else None

    def appointment_refusals(self, item: Any | None, *, writable: str | None = None, has_hold_reasons: bool = True,
                             has_technicians: bool = True) -> dict[str, str]:
        """Appointment action id -> why it is not possible now; allowed actions are absent.

        ``item`` is a ``ui.calendar_model.Item`` (queued writes already laid over it) or None when nothing is
        selected; ``writable``: why this board cannot write at all (None when it can)."""
        every = self.action_ids("appointment")
        if writable is not None:
            return dict.fromkeys(every, writable)
        if item is None:
            return dict.fromkeys(every, "no appointment is selected")
        if getattr(item, "deleted", False):
            return dict.fromkeys(every, "the appointment is queued for deletion")
        status = str(item.status)
        category = self.appointment_category(status)
        words = _with_article(self.appointment_status_label(status))
        out: dict[str, str] = {}
        closed = category in FINISHED
        if category == StatusCategory.WORKING or closed:
            for action in ("reschedule", "shift_time", "next_day"):
                out[action] = f"{words} appointment cannot be rescheduled"
            for action in ("unassign", "reassign"):
                out[action] = f"the technician cannot be taken off {words} appointment"
        if category in (StatusCategory.WORKING, StatusCategory.DONE, StatusCategory.CLOSED):
            out["delete_appointment"] = f"{words} appointment cannot be deleted"
        if closed:
            out["assign"] = f"{words} appointment cannot get a technician"
        elif not has_technicians:
            out["assign"] = "no technicians are cached yet (sync first)"
            out.setdefault("reassign", out["assign"])
        if not item.technician_ids:
            out.setdefault("unassign", "no technician is assigned")
            out.setdefault("reassign", "no technician is assigned (assign one)")
        if category == StatusCategory.HELD:
            out["hold_appointment"] = "the appointment is already on hold"
        elif closed:
            out["hold_appointment"] = f"{words} appointment cannot be put on hold"
        elif not has_hold_reasons:
            out["hold_appointment"] = "no hold reasons are cached yet (sync first)"
        if category != StatusCategory.HELD:
            out["remove_appointment_hold"] = "the appointment is not on hold"
        if category == StatusCategory.CANCELED:
            out["confirm"] = out["unconfirm"] = "the appointment is canceled"
        elif item.confirmed:
            out["confirm"] = "the appointment is already confirmed"
        else:
            out["unconfirm"] = "the appointment is not confirmed"
        job_status = str(getattr(item, "job_status", "") or "")
        if self.category(job_status) in FINISHED:
            out["create_appointment"] = f"the job is {self.status_label(job_status).lower()}"
        return out


_NOT_HOLDABLE = FINISHED | {StatusCategory.HELD}


def _with_article(label: str) -> str:
    """A status label as the backend says it, after "a" or "an" ("an In Progress", "a Working")."""
    return f"{'an' if label[:1].lower() in 'aeiou' else 'a'} {label}"


def effective_status(job: Any, overlay: Mapping[str, Any]) -> str:
    """A job's status with its queued writes laid over it."""
    return str(overlay.get("status") or getattr(job, "status", "") or "")


def _appointment_status(appointment: Any, overlays: Mapping[int, Mapping[str, Any]]) -> str:
    return str(overlays.get(appointment.id, {}).get("status") or appointment.status)


def _by_start(appointment: Any) -> tuple[bool, Any, int]:
    return (appointment.start is None, appointment.start or 0, appointment.id)


def _field_changes(command: Any) -> dict[str, Any]:
    """The fields a command sets on its target whatever the backend (statuses come from ``status_after``)."""
    c = command
    match command.kind:
        case "confirm_appointment":
            return {"confirmed": True}
        case "unconfirm_appointment":
            return {"confirmed": False}
        case "reschedule_appointment":
            return {"start": c.start, "end": c.end, "arrival_window_start": c.arrival_window_start,
                    "arrival_window_end": c.arrival_window_end}
        case "set_special_instructions":
            return {"special_instructions": c.text}
        case "edit_job":
            return dict(c.changes)
        case "set_job_status":
            return {"status": c.status}
        case "attach_job_to_project":
            return {"project_id": c.project_id}
        case "detach_job_from_project":
            return {"project_id": None}
        case "delete_appointment":
            return {"active": False}
        case "assign_technicians":
            return {"technician_ids_added": list(c.technician_ids)}
        case "unassign_technicians":
            return {"technician_ids_removed": list(c.technician_ids)}
        case "add_job_note" | "add_project_note":
            return {"notes_added": [c.text]}
        case "create_appointment":
            return {"appointments_added": [{"start": c.start, "end": c.end}]}
    return {}
