"""FSM Navigator's workflow (Jobs API v1), declared for the board: nine job statuses, the transition table the API
enforces (word for word from the reference), its four priorities, the actions its API offers and what the outbox
expects of each write. No HTTP: the board loads it before the network stack.

Categories: Invoiced and Paid are billing states after the work is done, so they are ``closed`` with Closed (nothing
more happens on the board); Cancelled is ``canceled``. One scheduled window and one technician per job: the board's
calendar shows the window as the job's one appointment, with the job's status.
"""

from __future__ import annotations

from ..workflow import (
    Action,
    Capabilities,
    LinkType,
    ListColumn,
    Priority,
    PriorityLevel,
    Status,
    TraySection,
    Workflow,
)
from ..workflow import (
    StatusCategory as C,
)

__all__ = ["WORKFLOW"]

JOB_STATUSES = (
    Status("Pending", "Pending", C.OPEN),
    Status("Assigned", "Assigned", C.SCHEDULED),
    Status("In Progress", "In Progress", C.WORKING),
    Status("On Hold", "On Hold", C.HELD),
    Status("Completed", "Completed", C.DONE),
    Status("Invoiced", "Invoiced", C.CLOSED),
    Status("Paid", "Paid", C.CLOSED),
    Status("Closed", "Closed", C.CLOSED),
    Status("Cancelled", "Cancelled", C.CANCELED),
)

TRANSITIONS = {
    "Pending": frozenset({"Assigned", "Cancelled"}),
    "Assigned": frozenset({"In Progress", "Pending", "Cancelled", "On Hold"}),
    "In Progress": frozenset({"Completed", "Assigned", "On Hold", "Cancelled"}),
    "On Hold": frozenset({"In Progress", "Assigned", "Cancelled"}),
    "Completed": frozenset({"Invoiced"}),
    "Invoiced": frozenset({"Paid"}),
    "Paid": frozenset({"Closed"}),
    "Cancelled": frozenset(),
    "Closed": frozenset(),
}

LINK_TYPES = (
    LinkType("serviced", "Serviced", "general service or repair (the API's default)"),
    LinkType("installed", "Installed", "new asset installation"),
    LinkType("replaced", "Replaced", "asset being replaced"),
    LinkType("inspected", "Inspected", "routine inspection"),
    LinkType("maintenance", "Maintenance", "scheduled maintenance"),
    LinkType("meter_threshold", "Meter threshold", "triggered by a meter reading threshold"),
)
"""The reference's asset relationship types, word for word."""

PRIORITIES = (
    Priority("Urgent", "Urgent", 0, PriorityLevel.URGENT),
    Priority("High", "High", 1, PriorityLevel.HIGH),
    Priority("Medium", "Medium", 2, PriorityLevel.NORMAL),
    Priority("Low", "Low", 3, PriorityLevel.LOW),
)

ACTIONS = (
    Action("change_status", "Status", "s", "status", "job"),
    Action("edit_summary", "Edit title", "e", "text", "job"),
    Action("edit_description", "Description", "d", "text", "job"),
    Action("edit_priority", "Priority", "exclamation_mark", "choice", "job"),
    Action("assign_technician", "Technician", "T", "technicians", "job"),
    Action("reschedule_job", "Reschedule", "R", "time", "job"),
    Action("link_assets", "Link assets", "l", "choice", "job"),
    Action("unlink_assets", "Unlink assets", "L", "choice", "job"),
    Action("create_job", "New job", "N", "choice", "job"),
    # The calendar's moves of the one window per job (its appointment) and of its one technician.
    Action("reschedule", "Reschedule", "r", "time", "appointment"),
    Action("shift_time", "±15 min", "plus,minus", "none", "appointment"),
    Action("next_day", "Next day", "n", "none", "appointment"),
    Action("assign", "Assign", "A", "technicians", "appointment"),
    Action("reassign", "Reassign", "R", "technicians", "appointment"),
    Action("unassign", "Unassign", "U", "technicians", "appointment"),
)

WORKFLOW = Workflow(
    backend="fsm-navigator",
    job_statuses=JOB_STATUSES,
    appointment_statuses=(),
    transitions=TRANSITIONS,
    priorities=PRIORITIES,
    actions=ACTIONS,
    capabilities=Capabilities(appointments=False, several_technicians=False, holds=False, projects=False,
                              arrival_windows=False, confirmation=False, notes=False, cancel_reasons=False,
                              booked_log=False, shifts=False),
    status_after={},
    # The jobs feed's next run re-reads the jobs a write changed (their window and technician rows with them).
    follow_up={kind: ("jobs",) for kind in ("set_job_status", "edit_job", "assign_job_technician", "reschedule_job",
                                            "link_assets", "unlink_assets", "create_job", "reschedule_appointment",
                                            "assign_technicians", "unassign_technicians")},
    tray=(TraySection("unassigned", "Unassigned"), TraySection("held", "On Hold"),
          TraySection("canceled", "Cancelled")),
    # No job types or business units: a job has a title, a priority, a customer location and one window.
    job_columns=(ListColumn("number", "Job #"), ListColumn("status", "Status", width=11), ListColumn("priority", "Pri"),
                 ListColumn("customer", "Customer / location"), ListColumn("next_appointment", "Window"),
                 ListColumn("technicians", "Technician"), ListColumn("summary", "Title"),
                 ListColumn("modified", "Updated")),
    account_word="account",
    link_types=LINK_TYPES,
    # A link is a PUT of every linked asset id with one relationship type, which the API gives them all.
    link_type_warning="FSM Navigator gives every linked asset the type chosen: {linked} will take it too.",
)
