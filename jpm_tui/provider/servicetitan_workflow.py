"""ServiceTitan's workflow (JPM v2 and Dispatch), declared for the board: the statuses and what they mean, the
actions the board can queue, and what the outbox expects of each write.

Apart from the ``provider/servicetitan/`` package so the board imports it without the HTTP client and its models.
ServiceTitan enforces no transition table (its endpoints refuse what they refuse: cancel, hold, ...).
"""

from __future__ import annotations

from .workflow import (
    Action,
    Capabilities,
    ListColumn,
    Priority,
    PriorityLevel,
    Status,
    TraySection,
    Workflow,
)
from .workflow import (
    StatusCategory as C,
)

__all__ = ["WORKFLOW"]

JOB_STATUSES = (
    Status("Scheduled", "Scheduled", C.SCHEDULED),
    Status("Dispatched", "Dispatched", C.DISPATCHED),
    Status("InProgress", "In Progress", C.WORKING),
    Status("Hold", "Hold", C.HELD),
    Status("Completed", "Completed", C.DONE),
    Status("Canceled", "Canceled", C.CANCELED),
)

APPOINTMENT_STATUSES = (
    Status("Scheduled", "Scheduled", C.SCHEDULED),
    Status("Dispatched", "Dispatched", C.DISPATCHED),
    Status("Working", "Working", C.WORKING),
    Status("Hold", "Hold", C.HELD),
    Status("Done", "Done", C.DONE),
    Status("Canceled", "Canceled", C.CANCELED),
)

PRIORITIES = (
    Priority("Urgent", "Urgent", 0, PriorityLevel.URGENT),
    Priority("High", "High", 1, PriorityLevel.HIGH),
    Priority("Normal", "Normal", 2, PriorityLevel.NORMAL),
    Priority("Low", "Low", 3, PriorityLevel.LOW),
)

ACTIONS = (
    Action("cancel_job", "Cancel job", "c", "reason", "job"),
    Action("remove_cancellation", "Remove cancellation", "u", "confirm", "job"),
    Action("hold", "Hold", "h", "reason", "job"),
    Action("remove_hold", "Remove hold", "H", "confirm", "job"),
    Action("add_note", "Note", "n", "text", "job"),
    Action("edit_summary", "Edit summary", "e", "text", "job"),
    Action("edit_priority", "Priority", "exclamation_mark", "choice", "job"),
    Action("edit_job_type", "Job type", "t", "choice", "job"),
    Action("edit_business_unit", "Business unit", "b", "choice", "job"),
    Action("attach_project", "Attach to project", "A", "project", "job"),
    Action("detach_project", "Detach from project", "D", "confirm", "job"),
    Action("new_appointment", "New appointment", "N", "time", "job"),
    Action("reschedule", "Reschedule", "r", "time", "appointment"),
    Action("shift_time", "±15 min", "plus,minus", "none", "appointment"),
    Action("next_day", "Next day", "n", "none", "appointment"),
    Action("assign", "Assign", "A", "technicians", "appointment"),
    Action("reassign", "Reassign", "R", "technicians", "appointment"),
    Action("unassign", "Unassign", "U", "technicians", "appointment"),
    Action("hold_appointment", "Hold", "o", "reason", "appointment"),
    Action("remove_appointment_hold", "Remove hold", "O", "confirm", "appointment"),
    Action("confirm", "Confirm", "c", "none", "appointment"),
    Action("unconfirm", "Unconfirm", "u", "none", "appointment"),
    Action("edit_instructions", "Instructions", "i", "text", "appointment"),
    Action("create_appointment", "New appointment", "N", "time", "appointment"),
    Action("delete_appointment", "Delete", "X,delete", "confirm", "appointment"),
)

WORKFLOW = Workflow(
    backend="servicetitan",
    job_statuses=JOB_STATUSES,
    appointment_statuses=APPOINTMENT_STATUSES,
    transitions=None,
    priorities=PRIORITIES,
    actions=ACTIONS,
    capabilities=Capabilities(appointments=True, several_technicians=True, holds=True, projects=True,
                              arrival_windows=True, confirmation=True, notes=True, cancel_reasons=True,
                              booked_log=True, shifts=True),
    # A cancel leaves the job Canceled and a hold the appointment on Hold; what a removal leads back to is the
    # server's to say (the record is re-read once it is done).
    status_after={"cancel_job": "Canceled", "hold_appointment": "Hold"},
    # What re-reading the command's own record misses: the rows the server changed beside it.
    follow_up={
        "cancel_job": ("appointments", "job_canceled_logs", "job_history"),
        "remove_cancellation": ("appointments", "job_canceled_logs", "job_history"),
        "assign_technicians": ("appointment_assignments",),
        "unassign_technicians": ("appointment_assignments",),
        "add_job_note": ("job_notes",),
        "add_project_note": ("project_notes",),
        "create_appointment": ("appointments", "appointment_assignments"),
        "delete_appointment": ("appointments", "appointment_assignments"),
        "attach_job_to_project": ("projects",),
        "detach_job_from_project": ("projects",),
        "hold_appointment": ("jobs",),
        "remove_appointment_hold": ("jobs",),
        "reschedule_appointment": ("jobs", "job_history"),
    },
    tray=(TraySection("unassigned", "Unassigned"), TraySection("unconfirmed", "Unconfirmed"),
          TraySection("held", "Hold"), TraySection("canceled", "Canceled")),
    job_columns=(ListColumn("number", "Job #"), ListColumn("status", "Status", width=11), ListColumn("priority", "Pri"),
                 ListColumn("job_type", "Job type"), ListColumn("business_unit", "Business unit"),
                 ListColumn("customer", "Customer / location"), ListColumn("next_appointment", "Next appt"),
                 ListColumn("technicians", "Technician"), ListColumn("summary", "Summary"),
                 ListColumn("modified", "Modified")),
    account_word="tenant",
)
