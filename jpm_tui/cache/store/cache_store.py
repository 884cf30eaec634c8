"""``CacheStore``: the one object the rest of the program holds for a cache file. A front: each method is one
call into the module that does it (see the package's docstring for the map)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jpm_tui.cache.health import check_opened
from jpm_tui.cache.schema import LATEST
from jpm_tui.cache.store import first_fill
from jpm_tui.cache.store.db import Database
from jpm_tui.cache.store.derived import finished_statuses
from jpm_tui.cache.store.job_list.bookmarks import Bookmarks
from jpm_tui.cache.store.job_list.counts import JobCounts
from jpm_tui.cache.store.job_list.matches import KeptMatches
from jpm_tui.cache.store.job_list.planner import Planner
from jpm_tui.cache.store.job_list.query import JobListRow, JobQuery
from jpm_tui.cache.store.job_list.windows import JobWindows, list_rows
from jpm_tui.cache.store.lookups import Lookups
from jpm_tui.cache.store.migrate import migrate

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from jpm_tui.cache.store import calendar_reads, feed_state, info, project_list, reads, writer
    from jpm_tui.cache.store.feed_state import SyncState
    from jpm_tui.cache.store.project_list import ProjectListRow, ProjectQuery
    from jpm_tui.cache.store.writer import PreparedRows
    from jpm_tui.provider import domain as d
    from jpm_tui.provider.workflow import Workflow
else:  # on first use: the board's first paint opens the file and reads the job list, nothing else
    from jpm_tui.cache.store.deferred import Deferred

    calendar_reads = Deferred("jpm_tui.cache.store.calendar_reads")
    feed_state = Deferred("jpm_tui.cache.store.feed_state")
    info = Deferred("jpm_tui.cache.store.info")
    project_list = Deferred("jpm_tui.cache.store.project_list")
    reads = Deferred("jpm_tui.cache.store.reads")
    writer = Deferred("jpm_tui.cache.store.writer")


class CacheStore(Lookups):
    """The cache. ``CacheStore(path)`` opens (creating and migrating) the file; ``close()`` when done. The lookup
    lists are ``Lookups``'."""

    path_for = staticmethod(Database.path_for)
    pragmas = staticmethod(Database.pragmas)

    def __init__(self, path: str | os.PathLike[str], *, target_version: int = LATEST,
                 on_upgrade: Callable[[Path, int, int], None] | None = None, workflow: Workflow | None = None) -> None:
        """``on_upgrade(path, from_version, to_version)`` is called before an existing cache is migrated (which
        can take a minute for a large one: an index rebuilt), so that a caller can say why it waits.
        ``target_version`` exists for migration tests (build an older file); leave it alone. ``workflow``: the
        backend's (default: the default backend's), whose finished appointments the job list's next one skips."""
        self.db = db = Database(path, finished_statuses=finished_statuses(workflow))
        self.path = db.path
        self.matches = KeptMatches(db)
        self.planner = Planner(db, self.matches)
        self.job_counts = JobCounts(db, self.matches)
        self.bookmarks = Bookmarks(db, self.matches, self.planner, self.job_counts)
        self.windows = JobWindows(db, self.matches, self.planner, self.job_counts, self.bookmarks)
        try:
            db.create_file()
            conn = db.conn
            check_opened(conn)
            migrate(conn, db.path, target_version, on_upgrade)
        except (sqlite3.DatabaseError, OSError) as error:
            db.close()
            db.raise_fault(error)
            raise

    # ------------------------------------------------------------------------- file and connections (db)

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (autocommit mode; use ``transaction()`` to group writes)."""
        return self.db.conn

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return self.db.transaction()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CacheStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.db.schema_version

    def optimize(self) -> None:
        self.db.optimize()

    # ---------------------------------------------------------------------------------- writes (writer)

    def prepare(self, table: str, rows: Iterable[Any]) -> PreparedRows:
        return writer.prepare(table, rows)

    def combine(self, prepared: Sequence[PreparedRows]) -> PreparedRows:
        return writer.combine(prepared)

    def upsert(self, table: str, rows: Iterable[Any] | PreparedRows) -> int:
        return writer.upsert(self.db, table, rows)

    def deactivate_missing(self, table: str, seen_ids: Iterable[int]) -> int:
        return writer.deactivate_missing(self.db, table, seen_ids)

    def deactivate(self, table: str, ids: Iterable[int]) -> int:
        return writer.deactivate(self.db, table, ids)

    def save_people(self, customer_id: int, people: Sequence[d.Person]) -> None:
        writer.save_people(self.db, customer_id, people)

    def save_booked_log(self, job_id: int, entry: d.BookedLogEntry | None, *, at: datetime | None = None) -> None:
        writer.save_booked_log(self.db, job_id, entry, at=at)

    def begin_fill(self, table: str) -> bool:
        return first_fill.begin_fill(self.db, table)

    def finish_fill(self, table: str, *, failed: bool = False) -> None:
        first_fill.finish_fill(self.db, table, failed=failed, temp_tables_dropped=self.matches.forget)

    # ------------------------------------------------------------------------------ feeds (feed_state)

    def save_token(self, feed: str, token: str | None, *, rows: int = 0, pages: int = 1, whole: bool = False) -> None:
        feed_state.save_token(self.db, feed, token, rows=rows, pages=pages, whole=whole)

    def record_error(self, feed: str, message: str) -> None:
        feed_state.record_error(self.db, feed, message)

    def clear_error(self, feed: str) -> None:
        feed_state.clear_error(self.db, feed)

    def token(self, feed: str) -> str | None:
        return feed_state.token(self.db, feed)

    def reset_feed(self, feed: str) -> None:
        feed_state.reset_feed(self.db, feed)

    def sync_states(self) -> list[SyncState]:
        return feed_state.sync_states(self.db)

    # -------------------------------------------------------------------------------------- job list

    def count_jobs(self, query: JobQuery, *, cap: int | None = None) -> int:
        return self.job_counts.count(query, cap=cap)

    def jobs_window(self, query: JobQuery, offset: int, limit: int) -> list[JobListRow]:
        return self.windows.window(query, offset, limit)

    def bookmark_job_list(self, query: JobQuery, seconds: float, *, going_on: bool = False) -> bool:
        return self.bookmarks.walk(query, seconds, going_on=going_on)

    def job_list_row(self, job_id: int) -> JobListRow | None:
        rows = list_rows(self.db.conn, [job_id])
        return rows[0] if rows else None

    def job_versions(self, first_id: int, last_id: int) -> dict[int, tuple[str, bool]]:
        """Cached jobs with ids in [first_id, last_id]: id -> (modified_on text, active). For a backend without a
        change feed, whose sync compares its list pages with the cache (FSM Navigator)."""
        rows = self.db.conn.execute("SELECT id, modified_on, active FROM jobs WHERE id BETWEEN ? AND ?",
                                    (first_id, last_id))
        return {int(r[0]): (str(r[1] or ""), bool(r[2])) for r in rows}

    def explain_jobs_window(self, query: JobQuery, offset: int = 0, limit: int = 50) -> list[str]:
        return self.windows.explain(query, offset, limit)

    def explain_count_jobs(self, query: JobQuery) -> list[str]:
        return self.job_counts.explain(query)

    # ---------------------------------------------------------------------------------- records (reads)

    def job(self, job_id: int) -> d.Job | None:
        return reads.job(self.db, job_id)

    def appointment(self, appointment_id: int) -> d.Appointment | None:
        return reads.appointment(self.db, appointment_id)

    def appointments_for_job(self, job_id: int, *, include_inactive: bool = False) -> list[d.Appointment]:
        return reads.appointments_for_job(self.db, job_id, include_inactive=include_inactive)

    def appointment_technicians(self, job_id: int) -> dict[int, str]:
        return reads.appointment_technicians(self.db, job_id)

    def assignments_for_appointment(self, appointment_id: int) -> list[d.Assignment]:
        return reads.assignments_for_appointment(self.db, appointment_id)

    def notes_for_job(self, job_id: int) -> list[d.Note]:
        return reads.notes_for_job(self.db, job_id)

    def notes_for_project(self, project_id: int) -> list[d.Note]:
        return reads.notes_for_project(self.db, project_id)

    def history_for_job(self, job_id: int) -> list[d.HistoryEntry]:
        return reads.history_for_job(self.db, job_id)

    def canceled_log_for_job(self, job_id: int) -> list[d.CanceledLogEntry]:
        return reads.canceled_log_for_job(self.db, job_id)

    def booked_log_for_job(self, job_id: int) -> d.BookedLogEntry | None:
        return reads.booked_log_for_job(self.db, job_id)

    def booked_log_read_on(self, job_id: int) -> datetime | None:
        return reads.booked_log_read_on(self.db, job_id)

    def customer(self, customer_id: int) -> d.Customer | None:
        return reads.customer(self.db, customer_id)

    def location(self, location_id: int) -> d.Location | None:
        return reads.location(self.db, location_id)

    def contacts_for(self, owner_kind: str, owner_id: int) -> list[d.Contact]:
        return reads.contacts_for(self.db, owner_kind, owner_id)

    def people_of(self, customer_id: int) -> list[d.Person]:
        return reads.people_of(self.db, customer_id)

    def project(self, project_id: int) -> d.Project | None:
        return reads.project(self.db, project_id)

    def project_type(self, project_type_id: int) -> d.ProjectType | None:
        return reads.project_type(self.db, project_type_id)

    def technician(self, technician_id: int) -> d.Technician | None:
        return reads.technician(self.db, technician_id)

    def name_of(self, kind: str, record_id: int) -> str | None:
        return reads.name_of(self.db, kind, record_id)

    # ------------------------------------------------------------------------------- lookups (reads)

    def lookup_rows(self, table: str, include_inactive: bool) -> list[Any]:
        return reads.lookup(self.db, table, include_inactive)

    def arrival_windows(self, *, include_inactive: bool = False) -> list[d.ArrivalWindow]:
        return reads.arrival_windows(self.db, include_inactive=include_inactive)

    def business_hours(self) -> d.BusinessHours | None:
        return reads.business_hours(self.db)

    def project_statuses(self) -> list[d.ProjectStatus]:
        return reads.project_statuses(self.db)

    def job_statuses(self, workflow: Workflow | None = None) -> list[tuple[str, int]]:
        return reads.job_statuses(self.db, workflow)

    # ---------------------------------------------------------------------------- calendar (calendar_reads)

    def appointments_between(self, start: datetime, end: datetime,
                             technician_ids: Sequence[int] | None = None) -> list[d.Appointment]:
        return calendar_reads.appointments_between(self.db, start, end, technician_ids)

    def calendar_appointments(self, start: datetime, end: datetime) -> list[tuple[d.Appointment, str, str, str, str]]:
        return calendar_reads.calendar_appointments(self.db, start, end)

    def calendar_assignments(self, start: datetime, end: datetime) -> list[tuple[int, int, str]]:
        return calendar_reads.calendar_assignments(self.db, start, end)

    def explain_calendar(self, start: datetime, end: datetime) -> list[str]:
        return calendar_reads.explain_calendar(self.db, start, end)

    def shifts_between(self, start: datetime, end: datetime,
                       technician_ids: Sequence[int] | None = None) -> list[d.Shift]:
        return calendar_reads.shifts_between(self.db, start, end, technician_ids)

    # --------------------------------------------------------------------------- projects (project_list)

    def count_projects(self, query: ProjectQuery) -> int:
        return project_list.count_projects(self.db, query)

    def projects_window(self, query: ProjectQuery, offset: int, limit: int) -> list[ProjectListRow]:
        return project_list.projects_window(self.db, query, offset, limit)

    # ------------------------------------------------------------------------------------------ info

    def counts(self) -> dict[str, int]:
        return info.counts(self.db)

    def info(self) -> dict[str, Any]:
        return info.info(self.db)


if TYPE_CHECKING:  # mypy checks that the SQLite store is a Store
    from jpm_tui.cache.store.interface import Store

    _IS_A_STORE: type[Store] = CacheStore
