"""Domain commands -> FSM Navigator's Jobs API calls, and its errors -> outcomes in the API's own words.

A status change is a PATCH (the API enforces its transition table: a refused move comes back REJECTED with the
API's message); every other change is a PUT of the fields it sets (``asset_ids`` replaces every link, so linking
and unlinking read the job's links first); a new job is a POST. The calendar's commands on a job's one appointment
(its window: the appointment's id is the job's) are PUTs of the window or the technician.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ..api_errors import result_from_error as _translated_result
from ..base import CommandResult, Outcome
from ..domain import (
    AssignJobTechnician,
    AssignTechnicians,
    CreateJob,
    EditJob,
    LinkAssets,
    RescheduleAppointment,
    RescheduleJob,
    SetJobStatus,
    UnassignTechnicians,
    UnlinkAssets,
)

__all__ = ["FIELD_NAMES", "HANDLERS", "result_from_error"]

FIELD_NAMES: Mapping[str, str] = {
    "job_title": "summary", "job_description": "description", "job_priority": "priority",
    "customer_location_id": "location_id", "assigned_technician_id": "technician_id",
    "scheduled_start": "start", "scheduled_end": "end", "asset_ids": "asset_ids", "job_status": "status",
}
"""The API's field -> the domain's (what the board's forms call it)."""

_EDIT_FIELDS = {"summary": "job_title", "description": "job_description", "priority": "job_priority"}


def result_from_error(exc: Exception) -> CommandResult:
    """The outcome of a failed call (every backend's rules, ``provider/api_errors.py``), in the API's words, its
    field errors named as the domain names them."""
    return _translated_result(exc, FIELD_NAMES)


def _changes(**fields: Any) -> Any:
    from jpm_tui.api.fsm_navigator import JobChanges

    return JobChanges(**fields)


async def _put(client: Any, job_id: int, **fields: Any) -> CommandResult:
    written = await client.jobs.update(job_id, _changes(**fields))
    return CommandResult(Outcome.DONE, written.message, refresh=(("job", job_id),))


async def _set_status(client: Any, c: SetJobStatus) -> CommandResult:
    written = await client.jobs.set_status(c.job_id, c.status)
    return CommandResult(Outcome.DONE, written.message, refresh=(("job", c.job_id),))


async def _edit(client: Any, c: EditJob) -> CommandResult:
    unknown = sorted(set(c.changes) - set(_EDIT_FIELDS))
    if unknown:
        return CommandResult(Outcome.REJECTED, f"FSM Navigator jobs have no {', '.join(unknown)}")
    return await _put(client, c.job_id, **{_EDIT_FIELDS[name]: value for name, value in c.changes.items()})


async def _assign(client: Any, c: AssignJobTechnician) -> CommandResult:
    return await _put(client, c.job_id, assigned_technician_id=c.technician_id)


async def _reschedule(client: Any, c: RescheduleJob) -> CommandResult:
    return await _put(client, c.job_id, scheduled_start=c.start, scheduled_end=c.end)


async def _reschedule_window(client: Any, c: RescheduleAppointment) -> CommandResult:
    return await _put(client, c.appointment_id, scheduled_start=c.start, scheduled_end=c.end)


async def _assign_window(client: Any, c: AssignTechnicians) -> CommandResult:
    if len(c.technician_ids) != 1:
        return CommandResult(Outcome.REJECTED, "An FSM Navigator job has one technician: pick one")
    return await _put(client, c.appointment_id, assigned_technician_id=c.technician_ids[0])


async def _unassign_window(client: Any, c: UnassignTechnicians) -> CommandResult:
    return await _put(client, c.appointment_id, assigned_technician_id=None)


async def _linked(client: Any, job_id: int) -> list[int]:
    return [link.asset_id for link in (await client.jobs.get(job_id)).assets or ()]


async def _link(client: Any, c: LinkAssets) -> CommandResult:
    ids = list(dict.fromkeys([*await _linked(client, c.job_id), *c.asset_ids]))
    # The API applies a relationship type sent to every asset named, links it had included.
    typed = {"asset_relationship_type": c.relationship_type} if c.relationship_type else {}
    return await _put(client, c.job_id, asset_ids=ids, **typed)


async def _unlink(client: Any, c: UnlinkAssets) -> CommandResult:
    ids = [i for i in await _linked(client, c.job_id) if i not in set(c.asset_ids)]
    return await _put(client, c.job_id, asset_ids=ids)


async def _create(client: Any, c: CreateJob) -> CommandResult:
    from jpm_tui.api.fsm_navigator import NewJob

    fields: dict[str, Any] = {"job_title": c.title, "customer_location_id": c.location_id}
    if c.description:
        fields["job_description"] = c.description
    if c.priority:
        fields["job_priority"] = c.priority
    if c.technician_id is not None:
        fields["assigned_technician_id"] = c.technician_id
    if c.start is not None:
        fields.update(scheduled_start=c.start, scheduled_end=c.end or c.start)
    written = await client.jobs.create(NewJob(**fields))
    job_id = written.data.job_id
    return CommandResult(Outcome.DONE, written.message, created_id=job_id, refresh=(("job", job_id),))


Handler = Callable[[Any, Any], Awaitable[CommandResult]]

HANDLERS: Mapping[str, Handler] = {
    SetJobStatus.kind: _set_status,
    EditJob.kind: _edit,
    AssignJobTechnician.kind: _assign,
    RescheduleJob.kind: _reschedule,
    LinkAssets.kind: _link,
    UnlinkAssets.kind: _unlink,
    CreateJob.kind: _create,
    RescheduleAppointment.kind: _reschedule_window,
    AssignTechnicians.kind: _assign_window,
    UnassignTechnicians.kind: _unassign_window,
}
"""Command kind -> the call that performs it (kinds not listed are refused: FSM Navigator has no such thing)."""
