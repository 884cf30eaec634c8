"""The provider boundary: what the cache (sync engine, outbox) and the UI need from a backend.

A backend (ServiceTitan today, others later) implements ``Provider``:

* ``feeds()`` lists the feeds the sync engine runs, in the order they should run (lookups first, then
  customers/locations, technicians, jobs, appointments, assignments, notes...). Each ``Feed`` names the cache
  table it fills and yields ``FeedPage``s of *domain rows* (never wire payloads).
* ``execute(command)`` performs one command and answers a ``CommandResult`` whose ``outcome`` tells the outbox
  what to do next. It does not raise for backend failures (rejections, outages, auth): those are outcomes.
* ``fetch_record(kind, id)`` reads one record fresh from the backend for a conflict check.
* ``booked_log(job_id)`` reads one job's booked log (no feed carries it; the board asks when a job is opened).
* ``find_applied(command, since)`` answers "did this command already reach the backend?" for a create whose
  earlier attempt was lost (the sender died, or the answer never came): the outbox asks it before sending such a
  command again, since a create leaves no ``modified_on`` to compare.
* ``ping()`` (optional) returns when the backend answers at all and raises when it cannot be reached: the sync
  engine and the board's live loop ask it when a request is slow, and while offline, to tell a slow answer from
  a dead server within seconds.

What fails on the backend's side leaves every method but ``execute`` as a ``ProviderError``: the cache decides from
its fields (try again, stop the run, ask for sign-in) and never sees the backend's HTTP client or its errors.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from jpm_tui.provider.domain import BookedLogEntry, Command
from jpm_tui.provider.workflow import Workflow

__all__ = [
    "CommandResult",
    "Feed",
    "FeedKind",
    "FeedPage",
    "Outcome",
    "PageIterator",
    "Provider",
    "ProviderError",
    "RecordKind",
]

FeedKind = Literal["export", "list"]

RecordKind = Literal["job", "appointment", "project", "technician", "customer", "location"]


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One page of a feed, already mapped to domain rows.

    ``token``: for an export feed, the continuation token to store *in the same transaction as the rows*
    and hand back to ``Feed.pages`` next time; for a list feed, None. ``has_more``: False when the feed
    has caught up (export: wait a few minutes before asking again; list: that was the last page).
    """

    rows: list[Any]
    token: str | None
    has_more: bool
    also: tuple[tuple[str, list[Any]], ...] = ()
    """Rows for other tables read from the same page, (table, rows), stored in the page's transaction (a BigChange
    job list fills jobs, the planned window as an appointment and its resource as the assignment)."""
    gone: tuple[tuple[str, list[int]], ...] = ()
    """Ids of other tables' rows the page shows gone, (table, ids), stored inactive in the page's transaction (a
    BigChange job whose resource or planned window was cleared: its assignment or window); appointment tables."""
    whole: tuple[int, int] | None = None
    """(rows, pages) of the complete read of an export feed this page ends, when the feed reads everything each time
    (BigChange's job sweep): they replace the stored counts instead of adding to them."""
    asked: bool = True
    """False: the feed sent no request, because its source was read a moment ago (FSM Navigator's recent jobs, its
    hourly directory). Such a page says nothing of the server: the sync engine neither stores nor counts it, and
    nobody takes it for an answer (online, "done")."""


# a generator, not any iterator: the sync engine closes it (aclose) when it stops a feed early
PageIterator = Callable[[str | None], AsyncGenerator[FeedPage, None]]


@dataclass(frozen=True, slots=True)
class Feed:
    """A stream of records the sync engine copies into one cache table.

    ``kind == "export"``: incremental; ``pages(token)`` resumes after ``token`` (None = from the beginning)
    and rows carry ``active`` (inactive rows are stored with active=0, never deleted).
    ``kind == "list"``: a small reference list re-read in full each time; ``pages(None)``. After a complete
    read the sync engine may mark rows it did not see as inactive (``CacheStore.deactivate_missing``).
    Several feeds may fill the same table (customer and location contacts both fill ``contacts``).
    """

    name: str
    table: str
    kind: FeedKind
    pages: PageIterator
    description: str = ""


class Outcome(enum.StrEnum):
    DONE = "done"
    """Performed. Refresh the affected records (``CommandResult.refresh``)."""
    REJECTED = "rejected"
    """The backend refused it for good (validation, business rule). Do not retry; show ``message``."""
    NOT_FOUND = "not_found"
    """The target record no longer exists. Do not retry."""
    CONFLICT = "conflict"
    """The backend reports a conflicting change. Do not retry blindly; ask the dispatcher."""
    RETRY = "retry"
    """Transient (network, rate limit, 5xx). Try again later, after ``retry_after`` seconds if given."""
    AUTH = "auth"
    """Credentials or permissions. Retrying will not help until the configuration changes."""

    @property
    def final(self) -> bool:
        return self not in (Outcome.RETRY, Outcome.AUTH)


@dataclass(frozen=True, slots=True)
class CommandResult:
    outcome: Outcome
    message: str = ""
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    """Domain field name (or the backend's when it has no domain equivalent) -> messages."""
    created_id: int | None = None
    """Id of the record a create command made (``CreateAppointment``), when the backend says."""
    retry_after: float | None = None
    refresh: tuple[tuple[str, int], ...] = ()
    """(record kind, id) pairs whose cached copy is now stale; re-read with ``fetch_record`` or wait for
    the next sync."""
    detail: dict[str, Any] = field(default_factory=dict)
    """Anything else worth keeping in the outbox's error JSON (status code, trace id, ...)."""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.DONE

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "message": self.message,
            "field_errors": self.field_errors,
            "created_id": self.created_id,
            "retry_after": self.retry_after,
            "refresh": [list(r) for r in self.refresh],
            "detail": self.detail,
        }


class ProviderError(Exception):
    """A backend failure in the cache's terms, raised by a provider in place of its client's errors (feeds,
    ``fetch_record``, ``booked_log``, ``find_applied``, ``ping``). ``str()`` is the whole message (one line per
    field error after the first); ``title`` its first words, for a line on screen."""

    def __init__(self, message: str, *, retryable: bool, auth: bool = False, unavailable: str | None = None,
                 status: int | None = None, retry_after: float | None = None, title: str = "",
                 kind: str = "") -> None:
        super().__init__(message)
        self.retryable = retryable
        """Trying the same request again later may succeed (network, rate limit, 5xx)."""
        self.auth = auth
        """Credentials or permissions refused: nothing changes until the configuration does."""
        self.unavailable = unavailable
        """Why no request can succeed now (the server unreachable or silent, sign-in refused), in a few words; None
        for a failure of this one request."""
        self.status = status
        """The backend's status code, when it answered with one."""
        self.retry_after = retry_after
        """Seconds the backend asked to wait before the next request (a rate limit)."""
        self.title = title or message
        self.kind = kind or type(self).__name__
        """The backend's name for the failure (its client's error class), kept in the outbox's error detail."""


@runtime_checkable
class Provider(Protocol):
    name: str
    """Short backend name (``"servicetitan"``)."""
    workflow: Workflow
    """What the backend's statuses mean, the actions it supports and what its writes change (the board renders
    it; the outbox lays queued writes over records with it)."""

    def feeds(self) -> Sequence[Feed]: ...

    async def execute(self, command: Command) -> CommandResult: ...

    async def fetch_record(self, kind: str, id: int) -> dict[str, Any] | None:
        """The record as the backend has it now, as a dict of *domain* field names (``id``,
        ``modified_on`` as ISO-8601 UTC text, ``active``, ... and ``raw``), or None when it does not exist.
        ``kind`` is a ``RecordKind``."""
        ...

    async def booked_log(self, job_id: int) -> BookedLogEntry | None:
        """Who booked the job, when, and the appointment booked, or None when the backend has no booked log
        for it. Failures (network, auth, 5xx) raise ``ProviderError``."""
        ...

    async def find_applied(self, command: Command, since: datetime) -> CommandResult | None:
        """A done result (``created_id`` and ``refresh`` as ``execute`` would answer) when the backend already
        has what ``command`` makes, made at or after ``since``: a note with the same text on the record, an
        appointment on the job with the same start, end (and technicians). None when nothing is found, and for
        the commands that make nothing (updates: the outbox's ``modified_on`` check catches those). Failures
        (network, auth, 5xx) raise ``ProviderError``."""
        ...
