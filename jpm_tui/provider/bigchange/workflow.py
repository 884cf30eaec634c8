"""BigChange's workflow, declared for the board: the thirteen job statuses its API shows (the internal alert
statuses never reach a job), one planned window and one resource per job, and one action: the edit form of
"Update a job" (description, reference, order number, planned duration, contact person, custom fields). No HTTP:
the board loads it before the network stack.

Categories: sent, read and accepted are the job on its way to the resource's device, still ahead of the
technician (scheduled); refused and unscheduled wait for the office again (open); suspended is work paused (held).
The reference lets no one change a started or completed job's description or person: the form refuses those
fields up front for the categories working, held (suspended) and done.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..timestamps import parse_datetime
from ..workflow import (
    Action,
    Capabilities,
    EditForm,
    FormContext,
    FormField,
    JobTimes,
    ListColumn,
    NameLookup,
    Priority,
    PriorityLevel,
    Status,
    TraySection,
    Workflow,
)
from ..workflow import (
    StatusCategory as C,
)
from .commands import EditJobFields, custom_field_name, definition_id

__all__ = ["EDIT_ACTION", "FIELD_LABELS", "LOCKED_CATEGORIES", "WORKFLOW", "edit_fields", "field_label", "job_times"]

JOB_STATUSES = (
    Status("new", "New", C.OPEN),
    Status("unscheduled", "Unscheduled", C.OPEN),
    Status("refused", "Refused", C.OPEN),
    Status("scheduled", "Scheduled", C.SCHEDULED),
    Status("sent", "Sent", C.SCHEDULED),
    Status("read", "Read", C.SCHEDULED),
    Status("accepted", "Accepted", C.SCHEDULED),
    Status("onTheWay", "On the way", C.DISPATCHED),
    Status("started", "Started", C.WORKING),
    Status("suspended", "Suspended", C.HELD),
    Status("completedOk", "Completed OK", C.DONE),
    Status("completedWithIssues", "Completed with issues", C.DONE),
    Status("cancelled", "Cancelled", C.CANCELED),
)

PRIORITIES = (Priority("Normal", "Normal", 0, PriorityLevel.NORMAL),)
"""BigChange's job has no priority: every job reads as normal."""

EDIT_ACTION = "edit_job_fields"

LOCKED_CATEGORIES = frozenset({C.WORKING, C.HELD, C.DONE})
"""A job in these has "been started or completed": its description and person cannot change."""
_LOCKED = "the job has been started or completed: BigChange keeps its {what}"


FIELD_LABELS = {
    "description": "Description",
    "reference": "Reference",
    "orderNumber": "Order number",
    "plannedDuration": "Planned minutes",
    "personId": "Contact person",
}
"""The form's label of each job field it edits (a custom field's is its definition's name)."""


def edit_fields(job: Any, category: C | None, context: FormContext) -> tuple[FormField, ...]:
    """The form of "Update a job" for ``job`` (a domain Job; its raw payload holds the values): the five job fields
    (the contact person picked from the customer's cached people), then every custom field defined (the cached definitions, by name; a list field is a picker of its options),
    each with the job's value or none yet, then any the job has whose definition is not cached."""
    raw: Mapping[str, Any] = getattr(job, "raw", None) or {}
    locked = category in LOCKED_CATEGORIES
    duration = raw.get("plannedDuration")
    fields = [
        FormField("description", FIELD_LABELS["description"], _text(raw.get("description")), clearable=False,
                  refused=_LOCKED.format(what="description") if locked else None),
        FormField("reference", FIELD_LABELS["reference"], _text(raw.get("reference"))),
        FormField("orderNumber", FIELD_LABELS["orderNumber"], _text(raw.get("orderNumber"))),
        FormField("plannedDuration", FIELD_LABELS["plannedDuration"], None if duration is None else str(duration),
                  kind="minutes", clearable=False),
        _person_field(raw, context, _LOCKED.format(what="person") if locked else None),
    ]
    values = {e["definitionId"]: _text(e.get("value")) for e in raw.get("customFields") or ()
              if isinstance(e, Mapping) and isinstance(e.get("definitionId"), int)}
    defined = [d for d in context.custom_field_definitions if d.active or d.id in values]
    fields += [_custom_field(d.id, d.name or f"field {d.id}", values.get(d.id), d.options if d.type == "list" else ())
               for d in defined]
    known = {d.id for d in defined}
    fields += [_custom_field(i, f"field {i}", value, ()) for i, value in values.items() if i not in known]
    return tuple(fields)


def _person_field(raw: Mapping[str, Any], context: FormContext, refused: str | None) -> FormField:
    """The contact person: a picker of the customer's people by name (stored by their uuid) once they are cached;
    until then the uuid as text, the person's name beside it."""
    current, name = _text(raw.get("personId")), _text(raw.get("personName")) or ""
    if not context.people:
        return FormField("personId", FIELD_LABELS["personId"], current, note=name, refused=refused)
    choices = tuple((p.id, f"{p.name} (primary)" if p.primary else p.name) for p in context.people)
    if current is not None and current not in {value for value, _ in choices}:
        choices = ((current, name or current), *choices)
    return FormField("personId", FIELD_LABELS["personId"], current, kind="choice", choices=choices, refused=refused,
                     note="" if refused else "(none) puts the customer's primary person back")


def _custom_field(definition_id: int, label: str, value: str | None, options: tuple[str, ...]) -> FormField:
    if not options:
        return FormField(custom_field_name(definition_id), label, value)
    offered = options if value is None or value in options else (value, *options)
    return FormField(custom_field_name(definition_id), label, value, kind="choice",
                     choices=tuple((option, option) for option in offered))


def field_label(name: str, names: NameLookup) -> str | None:
    """The form's label of ``name``: a job field's, or a custom field's definition name (``field <id>`` when its
    definition is not cached, as the form says it); None for a name the form does not have."""
    custom = definition_id(name)
    if custom is None:
        return FIELD_LABELS.get(name)
    return names("custom_field", custom) or f"field {custom}"


def job_times(job: Any) -> JobTimes:
    """The job's planned window and its real start and end, as the job object carries them (the resource's device
    stamps the real ones)."""
    raw: Mapping[str, Any] = getattr(job, "raw", None) or {}
    return JobTimes(*(parse_datetime(raw.get(key)) for key in ("plannedStartAt", "plannedEndAt", "realStartAt",
                                                               "realEndAt")))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _command(job_id: int, changes: Mapping[str, str], cleared: tuple[str, ...]) -> EditJobFields:
    return EditJobFields(job_id, dict(changes), tuple(cleared))


def _recall(command: Any) -> tuple[dict[str, str], tuple[str, ...]] | None:
    """What the dispatcher had typed in the form that made ``command`` (an edit of this form; None for another)."""
    if not isinstance(command, EditJobFields):
        return None
    return {name: str(value) for name, value in command.changes.items()}, tuple(command.cleared)


WORKFLOW = Workflow(
    backend="bigchange",
    job_statuses=JOB_STATUSES,
    appointment_statuses=(),
    transitions=None,
    priorities=PRIORITIES,
    actions=(Action(EDIT_ACTION, "Edit job", "E", "form", "job"),),
    capabilities=Capabilities(appointments=False, several_technicians=False, holds=False, projects=False,
                              arrival_windows=False, confirmation=False, notes=False, cancel_reasons=False,
                              booked_log=False, shifts=False),
    status_after={},
    follow_up={},
    tray=(TraySection("unassigned", "Unresourced"), TraySection("held", "Suspended"),
          TraySection("canceled", "Cancelled")),
    # Nine-digit job ids; a type but no priority or business unit; a contact, one planned window, one resource.
    # Status at 12: "Completed OK" whole, "Completed w…" beside it (at 10 both read "Completed…").
    job_columns=(ListColumn("number", "Job #", width=9), ListColumn("status", "Status", width=12),
                 ListColumn("job_type", "Job type"), ListColumn("customer", "Contact / address"),
                 ListColumn("next_appointment", "Planned"), ListColumn("technicians", "Resource"),
                 ListColumn("summary", "Description"), ListColumn("modified", "Modified")),
    account_word="customer",
    forms={EDIT_ACTION: EditForm(edit_fields, _command, field_label, _recall)},
    job_times=job_times,
)
