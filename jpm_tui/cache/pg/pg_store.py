"""``PgStore``: a cache in a PostgreSQL database, the ``Store`` a team shares (``cache_url = "postgresql://..."``).
A front, as ``CacheStore`` is: each method one call into the module that does it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jpm_tui.cache.pg import feeds, reads, writes
from jpm_tui.cache.pg.db import PgDatabase, redacted
from jpm_tui.cache.pg.job_list import JobList, list_rows
from jpm_tui.cache.pg.schema import LATEST
from jpm_tui.cache.store import writer
from jpm_tui.cache.store.derived import finished_statuses
from jpm_tui.cache.store.lookups import Lookups
from jpm_tui.cache.store.tables import tables
from jpm_tui.provider.backends import workflow_for

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    import psycopg

    from jpm_tui.cache.store.feed_state import SyncState
    from jpm_tui.cache.store.job_list.query import JobListRow, JobQuery
    from jpm_tui.cache.store.project_list import ProjectListRow, ProjectQuery
    from jpm_tui.cache.store.writer import PreparedRows
    from jpm_tui.provider import domain as d
    from jpm_tui.provider.workflow import Workflow


class PgStore(Lookups):
    """The cache in the database at ``url`` (``postgresql://user@host/db``; the schema made or upgraded on open);
    ``close()`` when done. The lookup lists are ``Lookups``'."""

    def __init__(self, url: str, *, target_version: int = LATEST,
                 on_upgrade: Callable[[str, int, int], None] | None = None, workflow: Workflow | None = None) -> None:
        """``on_upgrade(url without password, from, to)`` is called before an existing schema is upgraded.
        ``target_version`` exists for migration tests; leave it alone. ``workflow``: the backend's (default: the
        default backend's), whose finished appointments the job list's next one skips."""
        self.db = PgDatabase(url, finished_statuses=finished_statuses(workflow))
        self.url = redacted(url)
        self.job_list = JobList(self.db)
        try:
            self.db.migrate(target_version, on_upgrade)
        except BaseException:
            self.db.close()
            raise

    # ------------------------------------------------------------------------- connections and transactions

    @property
    def conn(self) -> psycopg.Connection[Any]:
        """This thread's connection (autocommit; ``transaction()`` groups writes)."""
        return self.db.conn

    def transaction(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        return self.db.transaction()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> PgStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.db.schema_version

    @property
    def path(self) -> Path | None:
        """None: the cache is a database server's, not a file (a failure's message names ``url``)."""
        return None

    def optimize(self) -> None:
        """After a big sync: the jobs' old row versions cleared (each job is rewritten as its appointments,
        assignments and notes arrive: 119 MB for 50,000 jobs, whose pages a text search reads), the words table's
        pages marked all-visible (its index is then read alone), the planner's statistics refreshed. Autovacuum does
        it too, later."""
        self.db.conn.execute("VACUUM (ANALYZE) jobs, job_words")
        self.db.conn.execute("ANALYZE")

    # ------------------------------------------------------------------------------------------- writes

    def prepare(self, table: str, rows: Iterable[Any]) -> PreparedRows:
        return writer.prepare(table, rows)

    def combine(self, prepared: Sequence[PreparedRows]) -> PreparedRows:
        return writer.combine(prepared)

    def upsert(self, table: str, rows: Iterable[Any] | PreparedRows) -> int:
        return writes.upsert(self.db, table, rows)

    def deactivate_missing(self, table: str, seen_ids: Iterable[int]) -> int:
        return writes.deactivate_missing(self.db, table, seen_ids)

    def deactivate(self, table: str, ids: Iterable[int]) -> int:
        return writes.deactivate(self.db, table, ids)

    def save_people(self, customer_id: int, people: Sequence[d.Person]) -> None:
        writes.save_people(self.db, customer_id, people)

    def save_booked_log(self, job_id: int, entry: d.BookedLogEntry | None, *, at: datetime | None = None) -> None:
        writes.save_booked_log(self.db, job_id, entry, at=at)

    def begin_fill(self, table: str) -> bool:
        """No first-fill mode: PostgreSQL keeps its indexes as the rows come (the SQLite store drops and builds
        them)."""
        return False

    def finish_fill(self, table: str, *, failed: bool = False) -> None:
        """Nothing to build (``begin_fill``)."""

    # -------------------------------------------------------------------------------------------- feeds

    def save_token(self, feed: str, token: str | None, *, rows: int = 0, pages: int = 1, whole: bool = False) -> None:
        feeds.save_token(self.db, feed, token, rows=rows, pages=pages, whole=whole)

    def record_error(self, feed: str, message: str) -> None:
        feeds.record_error(self.db, feed, message)

    def clear_error(self, feed: str) -> None:
        feeds.set_token_and_error(self.db, feed, clear_error=True)

    def token(self, feed: str) -> str | None:
        return feeds.token(self.db, feed)

    def reset_feed(self, feed: str) -> None:
        feeds.set_token_and_error(self.db, feed, clear_error=False)

    def sync_states(self) -> list[SyncState]:
        return feeds.sync_states(self.db)

    # ----------------------------------------------------------------------------------------- job list

    def count_jobs(self, query: JobQuery, *, cap: int | None = None) -> int:
        return self.job_list.count(query, cap)

    def jobs_window(self, query: JobQuery, offset: int, limit: int) -> list[JobListRow]:
        return self.job_list.window(query, offset, limit)

    def bookmark_job_list(self, query: JobQuery, seconds: float, *, going_on: bool = False) -> bool:
        """Nothing to walk: a window anywhere is an index scan of the sort order (``JobList.window``)."""
        return True

    def job_list_row(self, job_id: int) -> JobListRow | None:
        rows = list_rows(self.db.conn, [job_id])
        return rows[0] if rows else None

    def job_versions(self, first_id: int, last_id: int) -> dict[int, tuple[str, bool]]:
        return reads.job_versions(self.db, first_id, last_id)

    # ------------------------------------------------------------------------------------------ records

    def job(self, job_id: int) -> d.Job | None:
        return reads.record(self.db, "job", job_id)

    def appointment(self, appointment_id: int) -> d.Appointment | None:
        return reads.record(self.db, "appointment", appointment_id)

    def appointments_for_job(self, job_id: int, *, include_inactive: bool = False) -> list[d.Appointment]:
        return reads.records(self.db, "all_appointments_for_job" if include_inactive else "appointments_for_job",
                             job_id)

    def appointment_technicians(self, job_id: int) -> dict[int, str]:
        return reads.appointment_technicians(self.db, job_id)

    def assignments_for_appointment(self, appointment_id: int) -> list[d.Assignment]:
        return reads.records(self.db, "assignments_for_appointment", appointment_id)

    def notes_for_job(self, job_id: int) -> list[d.Note]:
        return reads.records(self.db, "notes_for_job", job_id)

    def notes_for_project(self, project_id: int) -> list[d.Note]:
        return reads.records(self.db, "notes_for_project", project_id)

    def history_for_job(self, job_id: int) -> list[d.HistoryEntry]:
        return reads.records(self.db, "history_for_job", job_id)

    def canceled_log_for_job(self, job_id: int) -> list[d.CanceledLogEntry]:
        return reads.records(self.db, "canceled_log_for_job", job_id)

    def booked_log_for_job(self, job_id: int) -> d.BookedLogEntry | None:
        return reads.record(self.db, "booked_log_for_job", job_id)

    def booked_log_read_on(self, job_id: int) -> datetime | None:
        return reads.booked_log_read_on(self.db, job_id)

    def customer(self, customer_id: int) -> d.Customer | None:
        return reads.record(self.db, "customer", customer_id)

    def location(self, location_id: int) -> d.Location | None:
        return reads.record(self.db, "location", location_id)

    def contacts_for(self, owner_kind: str, owner_id: int) -> list[d.Contact]:
        return reads.contacts_for(self.db, owner_kind, owner_id)

    def people_of(self, customer_id: int) -> list[d.Person]:
        return reads.records(self.db, "people_of", customer_id)

    def project(self, project_id: int) -> d.Project | None:
        return reads.record(self.db, "project", project_id)

    def project_type(self, project_type_id: int) -> d.ProjectType | None:
        return reads.record(self.db, "project_type", project_type_id)

    def technician(self, technician_id: int) -> d.Technician | None:
        return reads.record(self.db, "technician", technician_id)

    def name_of(self, kind: str, record_id: int) -> str | None:
        return reads.name_of(self.db, kind, record_id)

    # ------------------------------------------------------------------------------------------ lookups

    def lookup_rows(self, table: str, include_inactive: bool) -> list[Any]:
        return reads.lookup(self.db, table, include_inactive)

    def arrival_windows(self, *, include_inactive: bool = False) -> list[d.ArrivalWindow]:
        return reads.lookup(self.db, "arrival_windows", include_inactive)

    def business_hours(self) -> d.BusinessHours | None:
        found: list[d.BusinessHours] = reads.lookup(self.db, "business_hours", False)
        return found[0] if found else None

    def project_statuses(self) -> list[d.ProjectStatus]:
        return reads.lookup(self.db, "project_statuses", True)

    def job_statuses(self, workflow: Workflow | None = None) -> list[tuple[str, int]]:
        order = (workflow or workflow_for()).status_rank
        return sorted(reads.status_counts(self.db), key=lambda r: (order(r[0]), r[0]))

    # ----------------------------------------------------------------------------------------- calendar

    def appointments_between(self, start: datetime, end: datetime,
                             technician_ids: Sequence[int] | None = None) -> list[d.Appointment]:
        return reads.appointments_between(self.db, start, end, technician_ids)

    def calendar_appointments(self, start: datetime, end: datetime) -> list[tuple[d.Appointment, str, str, str, str]]:
        return reads.calendar_appointments(self.db, start, end)

    def calendar_assignments(self, start: datetime, end: datetime) -> list[tuple[int, int, str]]:
        return reads.calendar_assignments(self.db, start, end)

    def shifts_between(self, start: datetime, end: datetime,
                       technician_ids: Sequence[int] | None = None) -> list[d.Shift]:
        return reads.shifts_between(self.db, start, end, technician_ids)

    # ----------------------------------------------------------------------------------------- projects

    def count_projects(self, query: ProjectQuery) -> int:
        return reads.count_projects(self.db, query)

    def projects_window(self, query: ProjectQuery, offset: int, limit: int) -> list[ProjectListRow]:
        return reads.projects_window(self.db, query, offset, limit)

    # --------------------------------------------------------------------------------------------- info

    def counts(self) -> dict[str, int]:
        """Rows per table (active and inactive), and the outbox's when the database has one."""
        conn = self.db.conn
        names = [*tables(), "outbox"]
        present = {r[0] for r in conn.execute("SELECT relname::text FROM pg_class WHERE relkind = 'r' "
                                              "AND relname::text = ANY(%s) AND pg_table_is_visible(oid)", (names,))}
        out: dict[str, int] = {}
        for name in names:
            if name in present:
                row = conn.execute(f"SELECT count(*) FROM {name}").fetchone()
                out[name] = int(row[0]) if row else 0
        return out

    def info(self) -> dict[str, Any]:
        conn = self.db.conn
        row = conn.execute("SELECT pg_database_size(current_database()), current_setting('server_version'), "
                           "(SELECT coalesce(sum(n), 0) FROM job_counts WHERE active = 1)").fetchone()
        assert row is not None  # one row of scalars
        counts = self.counts()
        outbox = ({str(r[0]): int(r[1]) for r in conn.execute("SELECT state, count(*) FROM outbox GROUP BY state")}
                  if "outbox" in counts else {})
        return {
            "url": self.url,
            "bytes": int(row[0]),
            "schema_version": self.schema_version,
            "postgresql_version": str(row[1]),
            "counts": counts,
            "active_jobs": int(row[2]),
            "outbox": outbox,
            "feeds": [s.__dict__ for s in self.sync_states()],
        }


if TYPE_CHECKING:  # mypy checks that the PostgreSQL store is a Store
    from jpm_tui.cache.store.interface import Store

    _IS_A_STORE: type[Store] = PgStore
