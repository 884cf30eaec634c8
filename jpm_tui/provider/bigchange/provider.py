"""``BigChangeProvider``: the ``Provider`` over a ``BigChangeClient``. Its feeds are in ``feeds.py`` and
``jobs_feed.py``; its one write,
``EditJobFields``, becomes "Update a job" with exactly the fields changed (sent with their values) and emptied
(sent as null); a refusal's field errors come back under the form's field names, so the board shows each message
beside its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .. import domain as d
from ..api_errors import result_from_error, translated
from ..base import CommandResult, Feed, Outcome
from ..servicetitan import record_to_dict
from .commands import EditJobFields, custom_field_name, definition_id
from .feeds import list_feeds
from .jobs_feed import PAGE_SIZE, JobsFeed
from .mapping import history_entry, job_rows, person
from .workflow import WORKFLOW

__all__ = ["BigChangeProvider", "job_update_body"]

_CUSTOM_ERROR = re.compile(r"^customFields\[(\d+)\]")


def job_update_body(command: EditJobFields) -> dict[str, Any]:
    """The update's fields (wire names; the client's ``JobUpdate`` checks them): changed ones with their values,
    cleared ones as None (null), custom fields as one ``customFields`` list of ``{definitionId, value}``."""
    body: dict[str, Any] = {}
    custom: list[dict[str, Any]] = []
    for name, value in [*command.changes.items(), *((n, None) for n in command.cleared)]:
        field_id = definition_id(name)
        if field_id is not None:
            custom.append({"definitionId": field_id, "value": value})
        elif name == "plannedDuration":
            body[name] = int(value)
        else:
            body[name] = value
    if custom:
        body["customFields"] = custom
    return body


class BigChangeProvider:
    name = "bigchange"
    workflow = WORKFLOW

    def __init__(self, client: Any, *, cached: Any | None = None, page_size: int = PAGE_SIZE) -> None:
        """``cached``: the cache store the jobs sweep compares its pages with (None: no job is judged gone);
        ``page_size``: jobs a sweep's request (the tests' pages are small)."""
        self.client = client
        self.jobs = JobsFeed(client, cached, page_size=page_size)

    def feeds(self) -> list[Feed]:
        from jpm_tui.api.bigchange.client import PATHS

        return [*list_feeds(self.client, PATHS), self.jobs.feed()]

    async def execute(self, command: d.Command) -> CommandResult:
        if not isinstance(command, EditJobFields):
            return CommandResult(Outcome.REJECTED, f"BigChange cannot do {command.kind!r}")
        body = job_update_body(command)
        try:
            await self.client.update_job(command.job_id, body)
        except Exception as exc:  # noqa: BLE001 - every API failure becomes an outcome
            result = result_from_error(exc)
            return CommandResult(result.outcome, result.message, _form_errors(result.field_errors, body),
                                 retry_after=result.retry_after, detail=result.detail)
        return CommandResult(Outcome.DONE, refresh=(("job", command.job_id),))

    async def _job(self, job_id: int) -> dict[str, Any] | None:
        from jpm_tui.api.bigchange.client import PATHS

        with translated():
            try:
                job: dict[str, Any] | None = await self.client.request("GET", PATHS["job"].format(job_id=job_id))
                return job
            except Exception as exc:  # noqa: BLE001 - only "not found" is an answer
                if getattr(exc, "status", None) == 404:
                    return None
                raise

    async def fetch_record(self, kind: str, id: int) -> dict[str, Any] | None:
        """A job (or its planned window, the appointment with the job's id) as BigChange has it now; the job's
        ``modified_on`` is its version stamp (``mapping.job_version``), as a sweep stores it."""
        if kind not in ("job", "appointment"):
            raise ValueError(f"BigChange reads back jobs and their windows only, not {kind!r}")
        payload = await self._job(id)
        if payload is None:
            return None
        rows = job_rows(payload)
        row = rows.job if kind == "job" else rows.appointment
        return record_to_dict(row) if row is not None else None

    async def status_history(self, job_id: int) -> list[d.HistoryEntry]:
        """The job's status changes, oldest first (internal alert statuses left out by the client)."""
        with translated():
            return [history_entry(change.model_dump(mode="json", by_alias=True), job_id)
                    async for change in self.client.status_history(job_id)]

    async def people(self, customer_id: int) -> list[d.Person]:
        """The people at a contact (a job's contact person is one of them): no feed carries them, as a sweep would
        cost a request per contact; the board reads a job's contact's people when the job is opened online."""
        with translated():
            return [person(p.model_dump(mode="json", by_alias=True), customer_id)
                    async for p in self.client.list_contact_persons(customer_id)]

    async def booked_log(self, job_id: int) -> d.BookedLogEntry | None:
        return None  # BigChange has no booked log

    async def find_applied(self, command: d.Command, since: datetime) -> CommandResult | None:
        return None  # its one write is an update: nothing made to look for


def _form_errors(errors: Mapping[str, list[str]], body: Mapping[str, Any]) -> dict[str, list[str]]:
    """The server's field errors under the form's names: ``customFields[k].value`` is the k-th custom field sent,
    so ``customFields.<its definition id>``."""
    custom = body.get("customFields") or []
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        match = _CUSTOM_ERROR.match(key)
        if match is not None and int(match.group(1)) < len(custom):
            key = custom_field_name(custom[int(match.group(1))]["definitionId"])
        out.setdefault(key, []).extend(messages)
    return out
