"""What a job's state allows, in the dispatcher's words.

The board refuses an action up front (greyed key, the reason on screen) instead of sending a write the
server will reject. The state judged is the cached record with the queued writes laid over it
(``Outbox.overlay``), so a job canceled offline is treated as canceled before the server has heard of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..provider.domain import AppointmentStatus, JobStatus

__all__ = ["APPOINTMENT_ACTION_NAMES", "JOB_ACTION_NAMES", "appointment_refusals", "effective_status", "holdable_appointment", "held_appointment", "job_refusals"]

JOB_ACTION_NAMES = ("cancel_job", "remove_cancellation", "hold", "remove_hold", "add_note", "edit_summary",
                    "edit_priority", "edit_job_type", "edit_business_unit", "attach_project", "detach_project",
                    "new_appointment")

_CLOSED = (JobStatus.CANCELED, JobStatus.COMPLETED)


def effective_status(job: Any, overlay: Mapping[str, Any]) -> str:
    return str(overlay.get("status") or getattr(job, "status", "") or "")


def _appointment_status(appointment: Any, overlays: Mapping[int, Mapping[str, Any]]) -> str:
    return str(overlays.get(appointment.id, {}).get("status") or appointment.status)


def holdable_appointment(appointments: Sequence[Any], overlays: Mapping[int, Mapping[str, Any]]) -> Any | None:
    """The appointment a 'hold' puts on hold: the earliest one still ahead of the technician."""
    candidates = [a for a in appointments if _appointment_status(a, overlays) not in
                  (AppointmentStatus.DONE, AppointmentStatus.CANCELED, AppointmentStatus.HOLD)]
    return min(candidates, key=lambda a: (a.start is None, a.start or 0, a.id), default=None)


def held_appointment(appointments: Sequence[Any], overlays: Mapping[int, Mapping[str, Any]]) -> Any | None:
    held = [a for a in appointments if _appointment_status(a, overlays) == AppointmentStatus.HOLD]
    return min(held, key=lambda a: (a.start is None, a.start or 0, a.id), default=None)


def job_refusals(job: Any, overlay: Mapping[str, Any], appointments: Sequence[Any],
                 appointment_overlays: Mapping[int, Mapping[str, Any]], *, writable: str | None = None,
                 has_cancel_reasons: bool = True, has_hold_reasons: bool = True,
                 has_projects: bool = True) -> dict[str, str]:
    """Action name (``JOB_ACTION_NAMES``) -> why it is not possible now; allowed actions are absent.

    ``writable``: why this board cannot write at all (None when it can)."""
    if writable is not None:
        return dict.fromkeys(JOB_ACTION_NAMES, writable)
    status = effective_status(job, overlay)
    project_id = overlay["project_id"] if "project_id" in overlay else getattr(job, "project_id", None)
    out: dict[str, str] = {}
    if status == JobStatus.CANCELED:
        out["cancel_job"] = "the job is already canceled"
    elif status == JobStatus.COMPLETED:
        out["cancel_job"] = "a completed job cannot be canceled"
    elif not has_cancel_reasons:
        out["cancel_job"] = "no cancel reasons are cached yet (sync first)"
    if status != JobStatus.CANCELED:
        out["remove_cancellation"] = "the job is not canceled"
    if status in _CLOSED:
        out["hold"] = f"the job is {status.lower()}"
        out["new_appointment"] = f"the job is {status.lower()}"
    elif holdable_appointment(appointments, appointment_overlays) is None:
        out["hold"] = "no appointment of this job is open to put on hold"
    elif not has_hold_reasons:
        out["hold"] = "no hold reasons are cached yet (sync first)"
    if held_appointment(appointments, appointment_overlays) is None:
        out["remove_hold"] = "no appointment of this job is on hold"
    if status == JobStatus.CANCELED:
        for action in ("edit_job_type", "edit_business_unit", "edit_priority"):
            out[action] = "the job is canceled (remove the cancellation first)"
    if project_id:
        out["attach_project"] = "the job is already in a project (detach it first)"
    elif not has_projects:
        out["attach_project"] = "the customer has no project to attach it to"
    if not project_id:
        out["detach_project"] = "the job is not in a project"
    return out


# ------------------------------------------------------------------------------------- appointments

APPOINTMENT_ACTION_NAMES = ("reschedule", "shift_time", "next_day", "assign", "reassign", "unassign",
                            "hold_appointment", "remove_appointment_hold", "confirm", "unconfirm",
                            "edit_instructions", "create_appointment", "delete_appointment")
"""The calendar's writes on the selected appointment (action names of its bindings)."""


def appointment_refusals(item: Any | None, *, writable: str | None = None, has_hold_reasons: bool = True,
                         has_technicians: bool = True) -> dict[str, str]:
    """Action name (``APPOINTMENT_ACTION_NAMES``) -> why it is not possible now; allowed actions are absent.

    ``item`` is a ``ui.calendar_model.Item`` (queued writes already laid over it) or None when nothing is
    selected; ``writable``: why this board cannot write at all (None when it can)."""
    if writable is not None:
        return dict.fromkeys(APPOINTMENT_ACTION_NAMES, writable)
    if item is None:
        return dict.fromkeys(APPOINTMENT_ACTION_NAMES, "no appointment is selected")
    if getattr(item, "deleted", False):
        return dict.fromkeys(APPOINTMENT_ACTION_NAMES, "the appointment is queued for deletion")
    status = str(item.status)
    words = status.lower()
    out: dict[str, str] = {}
    closed = status in (AppointmentStatus.DONE, AppointmentStatus.CANCELED)
    if status == AppointmentStatus.WORKING or closed:
        for action in ("reschedule", "shift_time", "next_day"):
            out[action] = f"a {words} appointment cannot be rescheduled"
        for action in ("unassign", "reassign"):
            out[action] = f"the technician cannot be taken off a {words} appointment"
    if status in (AppointmentStatus.WORKING, AppointmentStatus.DONE):
        out["delete_appointment"] = f"a {words} appointment cannot be deleted"
    if closed:
        out["assign"] = f"a {words} appointment cannot get a technician"
    elif not has_technicians:
        out["assign"] = "no technicians are cached yet (sync first)"
        out.setdefault("reassign", out["assign"])
    if not item.technician_ids:
        out.setdefault("unassign", "no technician is assigned")
        out.setdefault("reassign", "no technician is assigned (assign one)")
    if status == AppointmentStatus.HOLD:
        out["hold_appointment"] = "the appointment is already on hold"
    elif closed:
        out["hold_appointment"] = f"a {words} appointment cannot be put on hold"
    elif not has_hold_reasons:
        out["hold_appointment"] = "no hold reasons are cached yet (sync first)"
    if status != AppointmentStatus.HOLD:
        out["remove_appointment_hold"] = "the appointment is not on hold"
    if status == AppointmentStatus.CANCELED:
        out["confirm"] = out["unconfirm"] = "the appointment is canceled"
    elif item.confirmed:
        out["confirm"] = "the appointment is already confirmed"
    else:
        out["unconfirm"] = "the appointment is not confirmed"
    job_status = str(getattr(item, "job_status", "") or "")
    if job_status in (JobStatus.CANCELED, JobStatus.COMPLETED):
        out["create_appointment"] = f"the job is {job_status.lower()}"
    return out
