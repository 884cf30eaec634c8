"""Domain commands -> ServiceTitan API calls: one function per command kind (``HANDLERS``), and ``find_applied``,
which looks for what a create whose answer was lost already made.

Each handler builds its request model lazily (import inside), so the provider stays importable without the api
package. A handler answers a ``CommandResult`` when the command changes more than its own record, None otherwise.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

from jpm_tui.provider import domain as d
from jpm_tui.provider.base import CommandResult, Outcome

from .mapping import _int

__all__ = ["HANDLERS", "Handler", "find_applied"]

Handler = Callable[[Any, Any], Awaitable[CommandResult | None]]
"""async (client, command) -> a result, or None for "done; re-read the command's own record"."""

_FOUND = "already on the server (an earlier attempt reached it)"


async def _cancel_job(client: Any, c: d.CancelJob) -> None:
    from jpm_tui.api.models.jpm import CancelJobRequest

    await client.jpm.cancel_job(c.job_id, CancelJobRequest(reason_id=c.reason_id, memo=c.memo))


async def _remove_cancellation(client: Any, c: d.RemoveCancellation) -> None:
    await client.jpm.remove_job_cancellation(c.job_id)


async def _hold_appointment(client: Any, c: d.HoldAppointment) -> None:
    from jpm_tui.api.models.jpm import HoldAppointmentRequest

    await client.jpm.hold_appointment(c.appointment_id, HoldAppointmentRequest(reason_id=c.reason_id, memo=c.memo))


async def _remove_appointment_hold(client: Any, c: d.RemoveAppointmentHold) -> None:
    await client.jpm.remove_appointment_hold(c.appointment_id)


async def _confirm_appointment(client: Any, c: d.ConfirmAppointment) -> None:
    await client.jpm.confirm_appointment(c.appointment_id)


async def _unconfirm_appointment(client: Any, c: d.UnconfirmAppointment) -> None:
    await client.jpm.remove_appointment_confirmation(c.appointment_id)


async def _reschedule_appointment(client: Any, c: d.RescheduleAppointment) -> None:
    from jpm_tui.api.models.jpm import RescheduleAppointmentRequest

    # the window is always sent: None goes as null (the API's nullable fields), which clears it; left out, the
    # server would keep the old window on the old day
    await client.jpm.reschedule_appointment(c.appointment_id, RescheduleAppointmentRequest(
        start=c.start, end=c.end, arrival_window_start=c.arrival_window_start,
        arrival_window_end=c.arrival_window_end))


async def _assign_technicians(client: Any, c: d.AssignTechnicians) -> None:
    from jpm_tui.api.models.dispatch import AssignTechniciansRequest

    await client.dispatch.assign_technicians(
        AssignTechniciansRequest(job_appointment_id=c.appointment_id, technician_ids=list(c.technician_ids))
    )


async def _unassign_technicians(client: Any, c: d.UnassignTechnicians) -> None:
    from jpm_tui.api.models.dispatch import UnassignTechniciansRequest

    await client.dispatch.unassign_technicians(
        UnassignTechniciansRequest(job_appointment_id=c.appointment_id, technician_ids=list(c.technician_ids))
    )


async def _add_job_note(client: Any, c: d.AddJobNote) -> None:
    from jpm_tui.api.models.jpm import CreateNoteRequest

    await client.jpm.create_job_note(c.job_id, CreateNoteRequest(text=c.text, pin_to_top=c.pin_to_top))


async def _add_project_note(client: Any, c: d.AddProjectNote) -> None:
    from jpm_tui.api.models.jpm import CreateNoteRequest

    await client.jpm.create_project_note(c.project_id, CreateNoteRequest(text=c.text, pin_to_top=c.pin_to_top))


async def _set_special_instructions(client: Any, c: d.SetSpecialInstructions) -> None:
    from jpm_tui.api.models.jpm import UpdateSpecialInstructionsRequest

    await client.jpm.update_appointment_special_instructions(
        c.appointment_id, UpdateSpecialInstructionsRequest(special_instructions=c.text)
    )


async def _edit_job(client: Any, c: d.EditJob) -> None:
    from jpm_tui.api.models.jpm import UpdateJobRequest

    fields = {k: v for k, v in c.changes.items() if k in d.EDITABLE_JOB_FIELDS}
    if "priority" in fields and fields["priority"] is not None:
        fields["priority"] = str(fields["priority"])
    await client.jpm.update_job(c.job_id, UpdateJobRequest(**fields))


async def _attach_job_to_project(client: Any, c: d.AttachJobToProject) -> CommandResult:
    await client.jpm.attach_job_to_project(c.project_id, c.job_id)
    return CommandResult(Outcome.DONE, refresh=(("job", c.job_id), ("project", c.project_id)))


async def _detach_job_from_project(client: Any, c: d.DetachJobFromProject) -> None:
    await client.jpm.detach_job_from_project(c.job_id)


async def _create_appointment(client: Any, c: d.CreateAppointment) -> CommandResult:
    from jpm_tui.api.models.jpm import AddAppointmentRequest

    fields: dict[str, Any] = {"job_id": c.job_id, "start": c.start, "end": c.end}
    if c.arrival_window_start is not None:
        fields["arrival_window_start"] = c.arrival_window_start
    if c.arrival_window_end is not None:
        fields["arrival_window_end"] = c.arrival_window_end
    if c.technician_ids:
        fields["technician_ids"] = list(c.technician_ids)
    if c.special_instructions:
        fields["special_instructions"] = c.special_instructions
    created = await client.jpm.add_appointment(AddAppointmentRequest(**fields))
    created_id = _int(getattr(created, "id", None)) if created is not None else None
    refresh: list[tuple[str, int]] = [("job", c.job_id)]
    if created_id is not None:
        refresh.append(("appointment", created_id))
    return CommandResult(Outcome.DONE, created_id=created_id, refresh=tuple(refresh))


async def _delete_appointment(client: Any, c: d.DeleteAppointment) -> None:
    await client.jpm.delete_appointment(c.appointment_id)


HANDLERS: dict[str, Handler] = {
    d.CancelJob.kind: _cancel_job,
    d.RemoveCancellation.kind: _remove_cancellation,
    d.HoldAppointment.kind: _hold_appointment,
    d.RemoveAppointmentHold.kind: _remove_appointment_hold,
    d.ConfirmAppointment.kind: _confirm_appointment,
    d.UnconfirmAppointment.kind: _unconfirm_appointment,
    d.RescheduleAppointment.kind: _reschedule_appointment,
    d.AssignTechnicians.kind: _assign_technicians,
    d.UnassignTechnicians.kind: _unassign_technicians,
    d.AddJobNote.kind: _add_job_note,
    d.AddProjectNote.kind: _add_project_note,
    d.SetSpecialInstructions.kind: _set_special_instructions,
    d.EditJob.kind: _edit_job,
    d.AttachJobToProject.kind: _attach_job_to_project,
    d.DetachJobFromProject.kind: _detach_job_from_project,
    d.CreateAppointment.kind: _create_appointment,
    d.DeleteAppointment.kind: _delete_appointment,
}
"""Command kind -> what ServiceTitan does for it; a kind not listed (FSM Navigator's one-window commands) is
refused."""


async def find_applied(client: Any, command: d.Command, since: datetime) -> CommandResult | None:
    """See ``Provider.find_applied``. A note: one read of the record's notes per 500 (the note lists have no date
    filter). An appointment: one read of the job's appointments created since ``since``, plus one of their technician
    assignments when the command names technicians."""
    notes: AsyncIterator[Any]
    match command:
        case d.AddJobNote():
            notes = client.jpm.iter_job_notes(command.job_id)
            text, record = command.text.strip(), ("job", command.job_id)
        case d.AddProjectNote():
            notes = client.jpm.iter_project_notes(command.project_id)
            text, record = command.text.strip(), ("project", command.project_id)
        case d.CreateAppointment():
            return await _appointment_applied(client, command, since)
        case _:
            return None
    async for note in notes:
        if note.text.strip() == text and note.created_on >= since:
            return CommandResult(Outcome.DONE, _FOUND, refresh=(record,), detail={"found": True})
    return None


async def _appointment_applied(client: Any, c: d.CreateAppointment, since: datetime) -> CommandResult | None:
    made = [a async for a in client.jpm.iter_appointments(job_id=c.job_id, created_on_or_after=since)
            if a.start == c.start and a.end == c.end]
    if made and c.technician_ids:
        assigned: dict[int, set[int]] = {}
        async for row in client.dispatch.iter_appointment_assignments(appointment_ids=[a.id for a in made]):
            assigned.setdefault(row.appointment_id, set()).add(row.technician_id)
        made = [a for a in made if set(c.technician_ids) <= assigned.get(a.id, set())]
    if not made:
        return None
    return CommandResult(Outcome.DONE, _FOUND, created_id=made[0].id,
                         refresh=(("job", c.job_id), ("appointment", made[0].id)), detail={"found": True})
