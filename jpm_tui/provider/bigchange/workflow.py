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

from ..workflow import (
    Action, Capabilities, EditForm, FormField, ListColumn, Priority, PriorityLevel, Status, StatusCategory as C, TraySection,
    Workflow,
)
from .commands import EditJobFields, custom_field_name

__all__ = ["EDIT_ACTION", "LOCKED_CATEGORIES", "WORKFLOW", "edit_fields"]

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


def edit_fields(job: Any, category: C | None) -> tuple[FormField, ...]:
    """The form of "Update a job" for ``job`` (a domain Job; its raw payload holds the values): the five job fields,
    then each custom field the job has, named by its definition."""
    raw: Mapping[str, Any] = getattr(job, "raw", None) or {}
    locked = category in LOCKED_CATEGORIES
    duration = raw.get("plannedDuration")
    fields = [
        FormField("description", "Description", _text(raw.get("description")), clearable=False,
                  refused=_LOCKED.format(what="description") if locked else None),
        FormField("reference", "Reference", _text(raw.get("reference"))),
        FormField("orderNumber", "Order number", _text(raw.get("orderNumber"))),
        FormField("plannedDuration", "Planned minutes", None if duration is None else str(duration), kind="minutes",
                  clearable=False),
        FormField("personId", "Contact person", _text(raw.get("personId")),
                  note=_text(raw.get("personName")) or "", refused=_LOCKED.format(what="person") if locked else None),
    ]
    for entry in raw.get("customFields") or ():
        if isinstance(entry, Mapping) and isinstance(entry.get("definitionId"), int):
            name = entry.get("name") or f"field {entry['definitionId']}"
            fields.append(FormField(custom_field_name(entry["definitionId"]), str(name), _text(entry.get("value"))))
    return tuple(fields)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _command(job_id: int, changes: Mapping[str, str], cleared: tuple[str, ...]) -> EditJobFields:
    return EditJobFields(job_id, dict(changes), tuple(cleared))


WORKFLOW = Workflow(
    backend="bigchange",
    job_statuses=JOB_STATUSES,
    appointment_statuses=(),
    transitions=None,
    priorities=PRIORITIES,
    actions=(Action(EDIT_ACTION, "Edit job", "E", "form", "job"),),
    capabilities=Capabilities(appointments=False, several_technicians=False, holds=False, projects=False,
                              arrival_windows=False, confirmation=False, notes=False, cancel_reasons=False,
                              booked_log=False),
    status_after={},
    follow_up={},
    tray=(TraySection("unassigned", "Unresourced"), TraySection("held", "Suspended"),
          TraySection("canceled", "Cancelled")),
    # Nine-digit job ids; a type but no priority or business unit; a contact, one planned window, one resource.
    job_columns=(ListColumn("number", "Job #", width=9), ListColumn("status", "Status"),
                 ListColumn("job_type", "Job type"), ListColumn("customer", "Contact / address"),
                 ListColumn("next_appointment", "Planned"), ListColumn("technicians", "Resource"),
                 ListColumn("summary", "Description"), ListColumn("modified", "Modified")),
    account_word="customer",
    forms={EDIT_ACTION: EditForm(edit_fields, _command)},
)
