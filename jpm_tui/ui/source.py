"""What the UI reads, and how it reads it without blocking.

The protocols below are the seam between the board and the cache: every read a screen or widget makes on the
store, and everything it asks of the live session (``cache.live.LiveCache``), listed with its domain types.
``CacheStore`` and ``LiveCache`` satisfy them as they are (``tests/ui/test_source_seam.py`` checks both, and the
UI tests' fakes, against them); each screen's loader takes the narrowest one it reads through, the app holds a
``BoardSource``. ``Reader`` runs those reads on one background thread so a slow query (a deep window, a count over
a million rows) never stalls key handling.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:  # the domain, the outbox and the sync engine load after the first paint (cache/store/deferred.py)
    from jpm_tui.cache.live import LiveState
    from jpm_tui.cache.outbox import Outbox, OutboxEntry
    from jpm_tui.cache.store.feed_state import SyncState
    from jpm_tui.cache.sync import SyncEngine, SyncProgress
    from jpm_tui.provider import domain as d

__all__ = [
    "BoardSource", "CacheReach", "CalendarSource", "JobDetailSource", "JobListRow", "JobQuery", "JobSource", "LiveSession",
    "LookupSource", "NamedRecord", "NewJobSource", "ProjectDetailSource", "ProjectSource", "Reader", "SavedView",
    "SyncStateSource",
]

T = TypeVar("T")

# The query and row types are the store's own: the UI builds queries, the store turns them into SQL.
from jpm_tui.cache.store import JobListRow, JobQuery, ProjectListRow, ProjectQuery  # noqa: E402

CalendarRow = tuple["d.Appointment", str, str, str, str]
"""An appointment with its job's number, customer, priority and status (``CacheStore.calendar_appointments``)."""


class NamedRecord(Protocol):
    """A reference record the board shows by name (job type, technician, reason, ...)."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...


@runtime_checkable
class JobSource(Protocol):
    """The job list's reads (``JobTable``)."""

    def count_jobs(self, query: JobQuery, *, cap: int | None = None) -> int: ...
    def jobs_window(self, query: JobQuery, offset: int, limit: int) -> Sequence[JobListRow]: ...
    def bookmark_job_list(self, query: JobQuery, seconds: float, *, going_on: bool = False) -> bool: ...


@runtime_checkable
class ProjectSource(Protocol):
    """The project list's reads (``ProjectTable``)."""

    def count_projects(self, query: ProjectQuery) -> int: ...
    def projects_window(self, query: ProjectQuery, offset: int, limit: int) -> Sequence[ProjectListRow]: ...


@runtime_checkable
class JobDetailSource(Protocol):
    """A job and what hangs off it (``job_detail.load_detail``)."""

    def job(self, job_id: int) -> d.Job | None: ...
    def appointments_for_job(self, job_id: int) -> Sequence[d.Appointment]: ...
    def appointment_technicians(self, job_id: int) -> Mapping[int, str]: ...
    def notes_for_job(self, job_id: int) -> Sequence[d.Note]: ...
    def history_for_job(self, job_id: int) -> Sequence[d.HistoryEntry]: ...
    def canceled_log_for_job(self, job_id: int) -> Sequence[d.CanceledLogEntry]: ...
    def booked_log_for_job(self, job_id: int) -> d.BookedLogEntry | None: ...
    def booked_log_read_on(self, job_id: int) -> datetime | None: ...
    def customer(self, customer_id: int) -> d.Customer | None: ...
    def location(self, location_id: int) -> d.Location | None: ...
    def contacts_for(self, owner_kind: str, owner_id: int) -> Sequence[d.Contact]: ...
    def project(self, project_id: int) -> d.Project | None: ...
    def projects_window(self, query: ProjectQuery, offset: int, limit: int) -> Sequence[ProjectListRow]: ...
    def tag_types(self, *, include_inactive: bool = False) -> Sequence[d.TagType]: ...
    def custom_field_definitions(self, *, include_inactive: bool = False) -> Sequence[d.CustomFieldDefinition]: ...
    def people_of(self, customer_id: int) -> Sequence[d.Person]: ...


@runtime_checkable
class ProjectDetailSource(Protocol):
    """A project and what hangs off it (``projects.load_project``, the status filter)."""

    def project(self, project_id: int) -> d.Project | None: ...
    def customer(self, customer_id: int) -> d.Customer | None: ...
    def location(self, location_id: int) -> d.Location | None: ...
    def project_type(self, project_type_id: int) -> d.ProjectType | None: ...
    def notes_for_project(self, project_id: int) -> Sequence[d.Note]: ...
    def project_statuses(self) -> Sequence[d.ProjectStatus]: ...


@runtime_checkable
class CalendarSource(Protocol):
    """A period's appointments and the people, places and hours around them (``calendar_layout.load_calendar``)."""

    def calendar_appointments(self, start: datetime, end: datetime) -> Sequence[CalendarRow]: ...
    def calendar_assignments(self, start: datetime, end: datetime) -> Sequence[tuple[int, int, str]]: ...
    def shifts_between(self, start: datetime, end: datetime) -> Sequence[d.Shift]: ...
    def technicians(self) -> Sequence[d.Technician]: ...
    def teams(self) -> Sequence[d.Team]: ...
    def zones(self) -> Sequence[d.Zone]: ...
    def business_hours(self) -> d.BusinessHours | None: ...
    def arrival_windows(self) -> Sequence[d.ArrivalWindow]: ...


@runtime_checkable
class LookupSource(Protocol):
    """The reference lists the app names records from (``JpmApp._LOOKUP_READS``)."""

    def job_types(self) -> Sequence[d.JobType]: ...
    def business_units(self) -> Sequence[d.BusinessUnit]: ...
    def technicians(self) -> Sequence[d.Technician]: ...
    def employees(self) -> Sequence[d.Employee]: ...
    def cancel_reasons(self) -> Sequence[d.Reason]: ...
    def hold_reasons(self) -> Sequence[d.Reason]: ...


@runtime_checkable
class NewJobSource(Protocol):
    """The places a new job can be booked at (``new_job``)."""

    def locations(self) -> Sequence[d.Location]: ...
    def customer(self, customer_id: int) -> d.Customer | None: ...


@runtime_checkable
class SyncStateSource(Protocol):
    """Each feed's last sync (the sync screen)."""

    def sync_states(self) -> Sequence[SyncState]: ...


@runtime_checkable
class BoardSource(JobSource, ProjectSource, JobDetailSource, ProjectDetailSource, CalendarSource, LookupSource,
                  NewJobSource, SyncStateSource, Protocol):
    """Every read the board makes: what ``JpmApp.source`` is. ``CacheStore`` implements all of them."""

    @property
    def path(self) -> Path | None:
        """The cache file, named in the message of a failure met reading it (None: not a file)."""
        ...


@runtime_checkable
class LiveSession(Protocol):
    """What the board asks of the cache's live loop (``JpmApp.live``, a ``LiveCache``): run it, queue and decide
    writes, and show and steer the sync."""

    @property
    def store(self) -> SyncStateSource: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def state(self) -> LiveState: ...
    @property
    def engine(self) -> SyncEngine | None: ...
    @property
    def progress(self) -> Mapping[str, SyncProgress]: ...
    @property
    def running(self) -> bool: ...
    @property
    def paused(self) -> bool: ...
    @property
    def synced_by_service(self) -> bool: ...
    @property
    def resync_requested(self) -> Sequence[str]: ...
    def feed_names(self) -> Sequence[str]: ...
    def sync_now(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def resync(self, feed: str) -> str: ...
    async def run(self, on_change: Callable[[LiveState], None],
                  on_progress: Callable[[SyncProgress], None] | None = None) -> None: ...
    async def aclose(self) -> None: ...
    @property
    def reads_from_server(self) -> bool: ...
    async def read_opened_job(self, job_id: int) -> bool: ...
    async def enqueue(self, command: d.Command, replaces: int | None = None) -> OutboxEntry: ...
    async def retry(self, entry_id: int) -> OutboxEntry: ...
    async def confirm(self, entry_id: int) -> OutboxEntry: ...
    async def drop(self, entry_id: int) -> OutboxEntry: ...
    @property
    def refusal(self) -> str | None: ...
    @property
    def queued_words(self) -> tuple[str, str]: ...
    def lost_cache(self, error: BaseException) -> bool: ...


@runtime_checkable
class CacheReach(Protocol):
    """An app that tells a team's database gone from other read failures (``JpmApp``): a widget whose read failed
    asks it first, so the failure is said as the database out of reach, not as a broken cache."""

    def said_lost_cache(self, error: BaseException) -> bool: ...


@dataclass(frozen=True)
class SavedView:
    """A named query from the configuration, switched to with the number keys."""

    name: str
    query: JobQuery


class Reader:
    """Runs source reads on one dedicated thread, in order.

    One thread (not one per read) keeps SQLite happy: the store may keep a connection per thread, and reads
    never race each other. ``inline=True`` runs reads directly on the event loop (for sources that must stay
    on the thread that made them).
    """

    def __init__(self, *, inline: bool = False) -> None:
        self.inline = inline
        self._executor: ThreadPoolExecutor | None = None

    async def __call__(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self.inline:
            return fn(*args, **kwargs)
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Start a read now, from any thread, even before the event loop runs (inline: run it now)."""
        if self.inline:
            done: Future[T] = Future()
            try:
                done.set_result(fn(*args, **kwargs))
            except Exception as error:  # noqa: BLE001 - handed to whoever waits, as the thread would
                done.set_exception(error)
            return done
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jpm-ui-reader")
        return self._executor.submit(fn, *args, **kwargs)

    def close(self) -> None:
        """Drop queued reads and wait for the one in flight (milliseconds): the store may be closed next, and
        closing a connection under a running query crashes SQLite."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
