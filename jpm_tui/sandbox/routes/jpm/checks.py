"""What JPM's handlers check and normalise: the records a path or a body names exist (and are active),
priorities are documented ones, dates are stored as the sandbox writes them, a window ends after it starts;
and the 400 / 409 answers they refuse with (the title repeats the message, as ServiceTitan's JPM answers do)."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request

from jpm_tui.sandbox.http import ProblemError
from jpm_tui.sandbox.state import iso, parse_iso

from .._common import Record, bad_request, coll, conflict, path_id, require

PRIORITIES = ("Low", "Normal", "High", "Urgent")


def bad(field: str, message: str, title: str | None = None) -> ProblemError:
    """A 400 naming `field`; its title is the message unless one is given."""
    return bad_request(title or message, {field: [message]})


def status_conflict(message: str) -> ProblemError:
    """A 409 for a state change the record's status refuses."""
    return conflict(message, {"status": [message]})


def path_job(request: Request, name: str = "id") -> Record:
    """The job the path names (404 when unknown)."""
    return require(request, "jobs", path_id(request, name), "Job")


def referenced(request: Request, collection: str, id: int | None, field: str, what: str,
               active_only: bool = True) -> Record | None:
    """A referenced record named in a body; 400 naming the field when unknown (or inactive)."""
    if id is None:
        return None
    record = coll(request, collection).get(id)
    if record is None or (active_only and record.get("active", record.get("isActive", True)) is False):
        raise bad(field, f"{what} with ID {id} does not exist or is inactive.", f"Invalid {field}")
    return record


def referenced_ids(request: Request, collection: str, ids: Iterable[int] | None, field: str, what: str) -> list[int]:
    ids = list(ids or [])
    for i in ids:
        referenced(request, collection, i, field, what)
    return ids


def stored_date(value: str | None) -> str | None:
    """Dates are stored as the sandbox writes them (UTC, Z), whatever offset the client sent."""
    return None if value is None else iso(parse_iso(value))  # type: ignore[arg-type]


def priority(value: str | None, field: str = "priority") -> str | None:
    if value is None:
        return None
    canonical = {p.lower(): p for p in PRIORITIES}.get(value.lower())
    if canonical is None:
        raise bad(field, f"The priority '{value}' is not supported. Supported: {', '.join(PRIORITIES)}.")
    return canonical


def check_window(start: str | None, end: str | None, start_field: str, end_field: str) -> None:
    if start is not None and end is not None and parse_iso(end) <= parse_iso(start):  # type: ignore[operator]
        raise bad(end_field, f"{end_field} must be later than {start_field}.")
