"""Records read back as domain rows: a job and what hangs off it (appointments, assignments, notes, history, logs),
customers, locations, contacts, projects, technicians; the lookup lists (technicians, job types, reasons, ...);
what a dispatcher calls a record (``name_of``); the job statuses present."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jpm_tui.cache.store.db import Database
from jpm_tui.cache.store.derived import TECHNICIAN_NAMES
from jpm_tui.cache.store.rows import decode
from jpm_tui.cache.store.tables import tables
from jpm_tui.provider.backends import workflow_for
from jpm_tui.provider.timestamps import parse_datetime
from jpm_tui.provider.workflow import Workflow

if TYPE_CHECKING:
    from jpm_tui.provider import domain as d


def one(db: Database, table: str, sql: str, args: Sequence[Any]) -> Any | None:
    """The first row ``sql`` reads, as ``table``'s domain row; None when there is none."""
    row = db.conn.execute(sql, args).fetchone()
    return decode(tables()[table], row) if row else None


def many(db: Database, table: str, sql: str, args: Sequence[Any] = ()) -> list[Any]:
    """The rows ``sql`` reads, as ``table``'s domain rows."""
    spec = tables()[table]
    return [decode(spec, r) for r in db.conn.execute(sql, args)]


def job(db: Database, job_id: int) -> d.Job | None:
    return one(db, "jobs", "SELECT j.*, r.raw FROM jobs j LEFT JOIN job_raw r ON r.id = j.id WHERE j.id = ?",
               (job_id,))


def appointment(db: Database, appointment_id: int) -> d.Appointment | None:
    return one(db, "appointments", "SELECT * FROM appointments WHERE id = ?", (appointment_id,))


def appointments_for_job(db: Database, job_id: int, *, include_inactive: bool = False) -> list[d.Appointment]:
    extra = "" if include_inactive else " AND active = 1"
    return many(db, "appointments", f"SELECT * FROM appointments WHERE job_id = ?{extra} ORDER BY start, id",
                (job_id,))


def appointment_technicians(db: Database, job_id: int) -> dict[int, str]:
    """The technicians on each of the job's appointments, by appointment id, named as the job list names
    those of its next one ("" when nobody is assigned)."""
    rows = db.conn.execute(f"SELECT a.id, {TECHNICIAN_NAMES.format(next_appointment_id='a.id')} "
                           "FROM appointments a WHERE a.job_id = ?", (job_id,))
    return dict(rows.fetchall())


def assignments_for_appointment(db: Database, appointment_id: int) -> list[d.Assignment]:
    return many(db, "appointment_assignments", "SELECT * FROM appointment_assignments "
                "WHERE appointment_id = ? AND active = 1 ORDER BY id", (appointment_id,))


def notes_for_job(db: Database, job_id: int) -> list[d.Note]:
    """Active notes, pinned first, then newest first."""
    return many(db, "job_notes", "SELECT * FROM job_notes WHERE job_id = ? AND active = 1 "
                "ORDER BY pinned DESC, created_on DESC, id DESC", (job_id,))


def notes_for_project(db: Database, project_id: int) -> list[d.Note]:
    return many(db, "project_notes", "SELECT * FROM project_notes WHERE project_id = ? AND active = 1 "
                "ORDER BY pinned DESC, created_on DESC, id DESC", (project_id,))


def history_for_job(db: Database, job_id: int) -> list[d.HistoryEntry]:
    """Oldest first."""
    return many(db, "job_history", "SELECT * FROM job_history WHERE job_id = ? ORDER BY at, id", (job_id,))


def canceled_log_for_job(db: Database, job_id: int) -> list[d.CanceledLogEntry]:
    return many(db, "job_canceled_logs", "SELECT * FROM job_canceled_logs WHERE job_id = ? AND active = 1 "
                "ORDER BY created_on DESC, id DESC", (job_id,))


def booked_log_for_job(db: Database, job_id: int) -> d.BookedLogEntry | None:
    """The job's booked log as last read from the server (its newest active entry), or None: either the
    job has none or it was never read; ``booked_log_read_on`` tells which."""
    return one(db, "job_booked_logs", "SELECT * FROM job_booked_logs WHERE job_id = ? AND active = 1 "
               "ORDER BY created_on DESC, id DESC LIMIT 1", (job_id,))


def booked_log_read_on(db: Database, job_id: int) -> datetime | None:
    """When the job's booked log was last read from the server (found or not); None: never (not cached)."""
    row = db.conn.execute("SELECT read_on FROM job_booked_log_reads WHERE job_id = ?", (job_id,)).fetchone()
    return parse_datetime(row[0]) if row else None


def customer(db: Database, customer_id: int) -> d.Customer | None:
    return one(db, "customers", "SELECT * FROM customers WHERE id = ?", (customer_id,))


def location(db: Database, location_id: int) -> d.Location | None:
    return one(db, "locations", "SELECT * FROM locations WHERE id = ?", (location_id,))


def people_of(db: Database, customer_id: int) -> list[d.Person]:
    """A customer's people as last read (``save_people``), the primary one first, then by name."""
    return many(db, "people", 'SELECT * FROM people WHERE customer_id = ? AND active = 1 ORDER BY "primary" DESC, '
                "name, id", (customer_id,))


def contacts_for(db: Database, owner_kind: str, owner_id: int) -> list[d.Contact]:
    return many(db, "contacts", "SELECT * FROM contacts WHERE owner_kind = ? AND owner_id = ? AND active = 1 "
                "ORDER BY id", (owner_kind, owner_id))


def project(db: Database, project_id: int) -> d.Project | None:
    return one(db, "projects", "SELECT * FROM projects WHERE id = ?", (project_id,))


def project_type(db: Database, project_type_id: int) -> d.ProjectType | None:
    return one(db, "project_types", "SELECT * FROM project_types WHERE id = ?", (project_type_id,))


def technician(db: Database, technician_id: int) -> d.Technician | None:
    return one(db, "technicians", "SELECT * FROM technicians WHERE id = ?", (technician_id,))


def lookup(db: Database, table: str, include_inactive: bool) -> list[Any]:
    """A lookup list (technicians, job types, reasons, ...) by name."""
    where = "" if include_inactive else " WHERE active = 1"
    return many(db, table, f"SELECT * FROM {table}{where} ORDER BY name, id")


def arrival_windows(db: Database, *, include_inactive: bool = False) -> list[d.ArrivalWindow]:
    """The arrival windows, earliest first (then the shorter first)."""
    where = "" if include_inactive else " WHERE active = 1"
    return many(db, "arrival_windows",
                f"SELECT * FROM arrival_windows{where} ORDER BY start_minutes, duration_minutes, id")


def business_hours(db: Database) -> d.BusinessHours | None:
    """The company's business hours, or None when none are cached (never synced, or withdrawn)."""
    return one(db, "business_hours", "SELECT * FROM business_hours WHERE active = 1 ORDER BY id LIMIT 1", ())


def project_statuses(db: Database) -> list[d.ProjectStatus]:
    return many(db, "project_statuses", 'SELECT * FROM project_statuses ORDER BY "order", name, id')


NAMES: dict[str, tuple[str, str, str]] = {
    # kind -> (table, column, how it reads)
    "job": ("jobs", "number", "job {}"),
    "appointment": ("appointments", "number", "appointment {}"),
    "project": ("projects", "number", "project {}"),
    "technician": ("technicians", "name", "{}"),
    "cancel_reason": ("cancel_reasons", "name", "{}"),
    "hold_reason": ("hold_reasons", "name", "{}"),
    "job_type": ("job_types", "name", "{}"),
    "business_unit": ("business_units", "name", "{}"),
    "custom_field": ("custom_field_definitions", "name", "{}"),
}


def name_of(db: Database, kind: str, record_id: int) -> str | None:
    """What a dispatcher calls a record ("job 41002", "Parts on order"), or None when it is not cached."""
    known = NAMES.get(kind)
    if known is None:
        return None
    table, column, words = known
    row = db.conn.execute(f"SELECT {column} FROM {table} WHERE id = ?", (int(record_id),)).fetchone()
    return words.format(row[0]) if row and row[0] else None


def job_statuses(db: Database, workflow: Workflow | None = None) -> list[tuple[str, int]]:
    """(status text, active job count) for every status present, in ``workflow``'s order (default: the default
    backend's), then by name."""
    order = (workflow or workflow_for()).status_rank
    rows = db.conn.execute(
        "SELECT status, sum(n) FROM job_counts WHERE active = 1 GROUP BY status HAVING sum(n) > 0"
    ).fetchall()
    return sorted(((r[0], int(r[1])) for r in rows), key=lambda r: (order(r[0]), r[0]))
