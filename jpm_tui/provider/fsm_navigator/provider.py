"""``FsmNavigatorProvider``: FSM Navigator behind the ``Provider`` boundary (feeds, commands, fresh reads)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ..api_errors import translated
from ..base import CommandResult, Feed, Outcome
from ..domain import BookedLogEntry, Command, CreateJob
from ..servicetitan import record_to_dict
from .commands import HANDLERS, result_from_error
from .feeds import JobsFeed, directory_feeds, utc_now
from .mapping import customer_from_wire, job_from_wire, technician_from_wire, window_from_wire
from .workflow import WORKFLOW

__all__ = ["FsmNavigatorProvider"]

_FOUND = "already on the server (an earlier attempt reached it)"


class FsmNavigatorProvider:
    """``Provider`` over a ``jpm_tui.api.fsm_navigator.FsmNavigatorClient``; ``cached``: the cache store the jobs
    feed compares its pages with (None: every listed job is written)."""

    name = "fsm-navigator"
    workflow = WORKFLOW

    def __init__(self, client: Any, *, cached: Any | None = None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.client = client
        self.clock = clock
        self.jobs = JobsFeed(client, cached, clock=clock)

    def feeds(self) -> Sequence[Feed]:
        return [*directory_feeds(self.client, self.clock), self.jobs.feed()]

    async def ping(self) -> None:
        """Returns when FSM Navigator's host answers (``HEAD {api_url}/``: not an API call, no rate limit); raises a
        ``ProviderError`` when it cannot be reached. The live loop asks it after a write fails, and while offline."""
        with translated():
            await self.client.ping()

    async def execute(self, command: Command) -> CommandResult:
        handler = HANDLERS.get(command.kind)
        if handler is None:
            return CommandResult(Outcome.REJECTED, f"FSM Navigator cannot do {command.kind!r}")
        try:
            result = await handler(self.client, command)
        except Exception as exc:  # noqa: BLE001 - every API failure becomes an outcome
            return result_from_error(exc)
        for kind, record_id in result.refresh:
            if kind == "job":  # its window and technician rows come with the jobs feed's next (follow-up) run
                self.jobs.touch(record_id)
        return result

    async def fetch_record(self, kind: str, id: int) -> dict[str, Any] | None:
        """A job (``updated_at`` as ``modified_on``), a job's window as its appointment, a technician or a customer.
        A location is read with its customer only: not fetched here (None)."""
        from jpm_tui.api.errors import NotFoundError

        readers = {"job": (self.client.jobs.get, job_from_wire),
                   "appointment": (self.client.jobs.get, window_from_wire),
                   "technician": (self.client.technicians.get, technician_from_wire),
                   "customer": (self.client.customers.get, customer_from_wire)}
        reader = readers.get(kind)
        if reader is None:
            if kind in ("project", "location"):
                return None
            raise ValueError(f"unknown record kind {kind!r}; known: {sorted(readers)}")
        get, mapper = reader
        with translated():
            try:
                model = await get(id)
            except NotFoundError:
                return None
        return record_to_dict(mapper(model.to_payload()))

    async def booked_log(self, job_id: int) -> BookedLogEntry | None:
        return None  # FSM Navigator keeps no booked log

    async def find_applied(self, command: Command, since: datetime) -> CommandResult | None:
        """A job with the same title at the same location created at or after ``since`` (one list read of the
        location's jobs created since that day)."""
        if not isinstance(command, CreateJob):
            return None
        with translated():
            async for job in self.client.jobs.all(customer_location_id=command.location_id,
                                                  created_after=since.date()):
                if job.job_title == command.title and job.created_at is not None and job.created_at >= since:
                    return CommandResult(Outcome.DONE, _FOUND, created_id=job.job_id,
                                         refresh=(("job", job.job_id),), detail={"found": True})
        return None
