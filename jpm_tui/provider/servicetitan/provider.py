"""``ServiceTitanProvider``: the ``Provider`` over a ``jpm_tui.api.ServiceTitanClient``, a thin front over this
package's feeds, commands, mapping and errors. Nothing ServiceTitan-shaped leaves it: rows are domain rows, failures
``ProviderError``s or ``CommandResult`` outcomes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from jpm_tui.provider import domain as d
from jpm_tui.provider.base import CommandResult, Feed, Outcome, ProviderError

from . import mapping as m
from .commands import HANDLERS, find_applied
from .errors import result_from_error, translated
from .feeds import feeds

__all__ = ["ServiceTitanProvider"]

_RECORDS: dict[str, tuple[Callable[[Any, int], Awaitable[Any]], Callable[[Mapping[str, Any]], Any]]] = {
    "job": (lambda client, id: client.jpm.get_job(id), m.job_from_wire),
    "appointment": (lambda client, id: client.jpm.get_appointment(id), m.appointment_from_wire),
    "project": (lambda client, id: client.jpm.get_project(id), m.project_from_wire),
    "technician": (lambda client, id: client.settings.get_technician(id), m.technician_from_wire),
    "customer": (lambda client, id: client.crm.get_customer(id), m.customer_from_wire),
    "location": (lambda client, id: client.crm.get_location(id), m.location_from_wire),
}
"""Record kind -> (the read of one record, for a conflict check; its mapper)."""


class ServiceTitanProvider:
    """``Provider`` over a ``jpm_tui.api.ServiceTitanClient``."""

    name = "servicetitan"

    def __init__(self, client: Any, *, list_page_size: int = 500, include_recent_changes: bool = True) -> None:
        self.client = client
        self.list_page_size = list_page_size
        self.include_recent_changes = include_recent_changes

    def feeds(self) -> list[Feed]:
        return feeds(self.client, list_page_size=self.list_page_size,
                     include_recent_changes=self.include_recent_changes)

    # -- conflict checks ---------------------------------------------------------------------------

    async def fetch_record(self, kind: str, id: int) -> dict[str, Any] | None:
        record = _RECORDS.get(kind)
        if record is None:
            raise ValueError(f"unknown record kind {kind!r}; known: {sorted(_RECORDS)}")
        read, mapper = record
        try:
            with translated():
                model = await read(self.client, id)
        except ProviderError as error:
            if error.status == 404:
                return None
            raise
        return m.record_to_dict(mapper(m.wire_dict(model)))

    # -- reachability ------------------------------------------------------------------------------

    async def ping(self) -> None:
        """Returns when ServiceTitan's API host answers; raises (``ProviderError``) when it cannot be reached or is
        silent for a couple of seconds. Not an API call: it counts against no rate limit."""
        with translated():
            await self.client.ping()

    # -- per-job reads without a feed -------------------------------------------------------------

    async def booked_log(self, job_id: int) -> d.BookedLogEntry | None:
        """The job's booked log (who booked it, when, the appointment booked), or None when the job has none (404).
        Other failures raise (the caller decides: the board logs them and keeps its cache)."""
        try:
            with translated():
                model = await self.client.jpm.get_job_booked_log(job_id)
        except ProviderError as error:
            if error.status == 404:
                return None
            raise
        return m.booked_log_from_wire(m.wire_dict(model))

    # -- did a lost attempt reach the server? ------------------------------------------------------

    async def find_applied(self, command: d.Command, since: datetime) -> CommandResult | None:
        """See ``Provider.find_applied`` (``commands.find_applied`` says what it reads)."""
        with translated():
            return await find_applied(self.client, command, since)

    # -- commands ----------------------------------------------------------------------------------

    async def execute(self, command: d.Command) -> CommandResult:
        handler = HANDLERS.get(command.kind)
        if handler is None:
            return CommandResult(Outcome.REJECTED, f"ServiceTitan cannot do {command.kind!r}")
        try:
            result = await handler(self.client, command)
        except Exception as exc:  # noqa: BLE001 - every API failure becomes an outcome
            return result_from_error(exc)
        if result is not None:
            return result
        refresh: tuple[tuple[str, int], ...] = ()
        if command.target_id is not None:
            refresh = ((command.target, command.target_id),)
        return CommandResult(Outcome.DONE, refresh=refresh)

    # -- workflow (declared in its own module, which the board loads without this one and its HTTP client) -------

    from ..servicetitan_workflow import WORKFLOW as workflow  # the class attribute ``Provider.workflow``
