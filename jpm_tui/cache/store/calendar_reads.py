"""What the calendar reads for a range of time: the appointments overlapping it (with their job's number, customer,
priority and status), their technicians, the technicians' shifts; and the appointments starting in a range."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from jpm_tui.cache.store.db import Database
from jpm_tui.cache.store.reads import many
from jpm_tui.cache.store.rows import decode
from jpm_tui.cache.store.sql_text import marks
from jpm_tui.cache.store.tables import tables
from jpm_tui.provider.timestamps import format_datetime

if TYPE_CHECKING:
    from jpm_tui.provider import domain as d

_CALENDAR_COLUMNS = ("a.id, a.job_id, a.number, a.start, a.\"end\", a.arrival_window_start, a.arrival_window_end, "
                     "a.status, a.confirmed, a.special_instructions, a.modified_on, a.active, a.customer_id, "
                     "'' AS raw")

# The calendar shows the appointments that overlap its range, so work running past midnight is on the
# next day too. The start index bounds the search: an appointment of a week or more is not a visit.
_IN_RANGE = ('a.start >= ? AND a.start < ? AND (a.start >= ? OR a."end" > ?) AND a.active = 1')
_LONGEST_VISIT = timedelta(days=7)


def _range_args(start: datetime, end: datetime) -> tuple[str | None, ...]:
    since = format_datetime(start)
    return format_datetime(start - _LONGEST_VISIT), format_datetime(end), since, since


def appointments_between(db: Database, start: datetime, end: datetime,
                         technician_ids: Sequence[int] | None = None) -> list[d.Appointment]:
    """Active appointments starting in [start, end) (optionally only those with one of the technicians
    assigned), by start."""
    args: list[Any] = [format_datetime(start), format_datetime(end)]
    extra = ""
    if technician_ids:
        extra = (" AND id IN (SELECT appointment_id FROM appointment_assignments WHERE active = 1 "
                 f"AND technician_id IN ({marks(technician_ids)}))")
        args.extend(int(t) for t in technician_ids)
    return many(db, "appointments", "SELECT * FROM appointments WHERE start >= ? AND start < ? AND active = 1"
                f"{extra} ORDER BY start, id", args)


def calendar_appointments(db: Database, start: datetime,
                          end: datetime) -> list[tuple[d.Appointment, str, str, str, str]]:
    """(appointment, job number, customer name, job priority, job status) for the active appointments
    overlapping [start, end) (an overnight one on both days), by start. Canceled ones are included (the
    calendar's tray lists them). The raw payload is not read: a day of 2,000 appointments must load fast."""
    sql = (f"SELECT {_CALENDAR_COLUMNS}, j.number AS job_number, j.customer_name, j.priority, "
           "j.status AS job_status FROM appointments a LEFT JOIN jobs j ON j.id = a.job_id "
           f"WHERE {_IN_RANGE} ORDER BY a.start, a.id")
    spec = tables()["appointments"]
    return [(decode(spec, row), row["job_number"] or "", row["customer_name"] or "", row["priority"] or "",
             row["job_status"] or "")
            for row in db.conn.execute(sql, _range_args(start, end))]


def calendar_assignments(db: Database, start: datetime, end: datetime) -> list[tuple[int, int, str]]:
    """(appointment id, technician id, assignment status) of the active assignments of the active
    appointments overlapping [start, end)."""
    sql = ("SELECT aa.appointment_id, aa.technician_id, aa.status FROM appointments a "
           "JOIN appointment_assignments aa ON aa.appointment_id = a.id AND aa.active = 1 "
           f"WHERE {_IN_RANGE} ORDER BY aa.appointment_id, aa.id")
    return [(int(r[0]), int(r[1]), str(r[2])) for r in db.conn.execute(sql, _range_args(start, end))]


def explain_calendar(db: Database, start: datetime, end: datetime) -> list[str]:
    """The query plans of the calendar's reads (tests and benches check they use indexes)."""
    plans: list[str] = []
    for sql in ("SELECT a.id, j.number FROM appointments a LEFT JOIN jobs j ON j.id = a.job_id "
                f"WHERE {_IN_RANGE} ORDER BY a.start, a.id",
                "SELECT aa.appointment_id FROM appointments a JOIN appointment_assignments aa "
                f"ON aa.appointment_id = a.id AND aa.active = 1 WHERE {_IN_RANGE} "
                "ORDER BY aa.appointment_id, aa.id"):
        plans.extend(str(r[3]) for r in db.conn.execute(f"EXPLAIN QUERY PLAN {sql}", _range_args(start, end)))
    return plans


def shifts_between(db: Database, start: datetime, end: datetime,
                   technician_ids: Sequence[int] | None = None) -> list[d.Shift]:
    args: list[Any] = [format_datetime(end), format_datetime(start)]
    extra = ""
    if technician_ids:
        extra = f" AND technician_id IN ({marks(technician_ids)})"
        args.extend(int(t) for t in technician_ids)
    return many(db, "shifts", 'SELECT * FROM shifts WHERE start < ? AND "end" > ? AND active = 1'
                f"{extra} ORDER BY start, id", args)
