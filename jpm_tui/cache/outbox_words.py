"""A queued write in the dispatcher's words, for lists and confirmations: records by the names the cache knows,
statuses and fields by the labels the backend's workflow declares, times in the board's zone as its detail views
write them. Nothing here names a backend's statuses or fields: the workflow says them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from jpm_tui.provider import domain as d
from jpm_tui.provider.workflow import NameLookup, Workflow

__all__ = ["Names", "describe"]

Names = NameLookup
"""(kind, id) -> the name a dispatcher knows it by, or None; kinds: job, appointment, project, technician,
cancel_reason, hold_reason, job_type, business_unit, custom_field (and any other: then the kind and the id)."""


def _no_names(_kind: str, _id: int) -> None:
    return None


def _local(value: datetime, tz: tzinfo | None) -> datetime:
    """``value`` in the board's zone (None: the machine's), a naive one taken as UTC, as the board reads times."""
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(tz)


def _when(value: datetime | None, tz: tzinfo | None) -> str:
    """As the board's detail views write a time: '2026-12-05 09:00 (Sat)', in the board's zone."""
    if value is None:
        return "?"
    return _local(value, tz).strftime("%Y-%m-%d %H:%M (%a)")


def _span(start: datetime | None, end: datetime | None, tz: tzinfo | None) -> str:
    """From ``start`` to ``end``; the end's time alone when it falls on the start's local day."""
    if start is not None and end is not None and _local(start, tz).date() == _local(end, tz).date():
        return f"{_when(start, tz)} – {_local(end, tz).strftime('%H:%M')}"
    return f"{_when(start, tz)} – {_when(end, tz)}"


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 1]}…"'


def describe(command: d.Command, names: Names = _no_names, *, tz: tzinfo | None = None,
             workflow: Workflow | None = None) -> str:
    """The command in words: ``cancel job 123 (reason 4)``, or with ``names`` ``cancel job J-1001 (Customer
    changed mind)``. Times in ``tz``, the board's zone (None: the machine's), as the dispatcher typed them;
    statuses and edited fields by ``workflow``'s labels (without one, as the backend sends them)."""
    c: Any = command

    def name(kind: str, item_id: int | None) -> str:
        known = names(kind, item_id) if item_id is not None else None
        return known or f"{kind.replace('_', ' ')} {item_id}"

    def reason(kind: str, item_id: int) -> str:
        known = names(kind, item_id)
        return f"({known})" if known else f"(reason {item_id})"

    def techs(ids: Sequence[int]) -> str:
        return ", ".join(name("technician", i) for i in ids)

    def assets(ids: Sequence[int]) -> str:
        return ", ".join(name("asset", i) for i in ids)

    def status(value: str) -> str:
        known = workflow.job_status(value) if workflow is not None else None
        return known.label if known is not None else value

    def field(key: str) -> str:
        return (workflow.field_label(key, names) if workflow is not None else None) or key

    memo = f": {_quote(c.memo)}" if getattr(c, "memo", "") else ""
    match command.kind:
        case "cancel_job":
            return f"cancel {name('job', c.job_id)} {reason('cancel_reason', c.reason_id)}{memo}"
        case "remove_cancellation":
            return f"remove the cancellation of {name('job', c.job_id)}"
        case "hold_appointment":
            return f"put {name('appointment', c.appointment_id)} on hold {reason('hold_reason', c.reason_id)}{memo}"
        case "remove_appointment_hold":
            return f"remove the hold on {name('appointment', c.appointment_id)}"
        case "confirm_appointment":
            return f"confirm {name('appointment', c.appointment_id)}"
        case "unconfirm_appointment":
            return f"unconfirm {name('appointment', c.appointment_id)}"
        case "reschedule_appointment":
            window = (f", arriving {_span(c.arrival_window_start, c.arrival_window_end, tz)}"
                      if c.arrival_window_start is not None else
                      ", no arrival window" if workflow is not None and workflow.capabilities.arrival_windows else "")
            return f"reschedule {name('appointment', c.appointment_id)} to {_span(c.start, c.end, tz)}{window}"
        case "assign_technicians":
            return f"assign {techs(c.technician_ids)} to {name('appointment', c.appointment_id)}"
        case "unassign_technicians":
            return f"unassign {techs(c.technician_ids)} from {name('appointment', c.appointment_id)}"
        case "add_job_note":
            return f"add a note to {name('job', c.job_id)}: {_quote(c.text)}" + (" (pinned)" if c.pin_to_top else "")
        case "add_project_note":
            return (f"add a note to {name('project', c.project_id)}: {_quote(c.text)}"
                    + (" (pinned)" if c.pin_to_top else ""))
        case "set_special_instructions":
            return f"set the special instructions of {name('appointment', c.appointment_id)}: {_quote(c.text)}"
        case "edit_job":
            changes = ", ".join(_change(k, v, name) for k, v in sorted(c.changes.items())) or "nothing"
            return f"edit {name('job', c.job_id)}: {changes}"
        case "attach_job_to_project":
            return f"attach {name('job', c.job_id)} to {name('project', c.project_id)}"
        case "detach_job_from_project":
            return f"detach {name('job', c.job_id)} from its project"
        case "create_appointment":
            extra = f" with {techs(c.technician_ids)}" if c.technician_ids else ""
            return f"create an appointment for {name('job', c.job_id)} at {_span(c.start, c.end, tz)}{extra}"
        case "delete_appointment":
            return f"delete {name('appointment', c.appointment_id)}"
        case "edit_job_fields":
            fields = [*(f"{field(key)} = {_quote(str(value))}" for key, value in c.changes.items()),
                      *(f"{field(key)} cleared" for key in c.cleared)]
            return f"edit {name('job', c.job_id)}: {', '.join(fields)}"
        case "set_job_status":
            return f"move {name('job', c.job_id)} to {status(c.status)}"
        case "assign_job_technician":
            if c.technician_id is None:
                return f"take the technician off {name('job', c.job_id)}"
            return f"assign {name('technician', c.technician_id)} to {name('job', c.job_id)}"
        case "reschedule_job":
            return f"reschedule {name('job', c.job_id)} to {_span(c.start, c.end, tz)}"
        case "link_assets":
            kind = f" as {_quote(c.relationship_type)}" if c.relationship_type else ""
            return f"link {assets(c.asset_ids)} to {name('job', c.job_id)}{kind}"
        case "unlink_assets":
            return f"unlink {assets(c.asset_ids)} from {name('job', c.job_id)}"
        case "create_job":
            who = f" for {name('technician', c.technician_id)}" if c.technician_id is not None else ""
            at = f" at {_span(c.start, c.end, tz)}" if c.start is not None else ""
            return f"create the job {_quote(c.title)} at {name('location', c.location_id)}{who}{at}"
    # a command added without its words (tests/cache/test_outbox_words.py walks them all): its record at least
    return f"a change to {name(command.target, command.target_id)}"


def _change(key: str, value: Any, name: Callable[[str, int | None], str]) -> str:
    if key in ("job_type_id", "business_unit_id") and value is not None:
        return f"{key.removesuffix('_id').replace('_', ' ')} = {name(key.removesuffix('_id'), value)}"
    if key in ("summary", "description"):
        return f"{key} = {_quote(value)}"
    return f"{key.replace('_', ' ')} = {value}"
