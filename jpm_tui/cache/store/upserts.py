"""How each table's rows are written, with the upkeep of what the jobs table derives from them (denormalised
columns, counters, search rows), in the caller's transaction. ``UPSERTS`` names the function of every table with
upkeep; the others are written by ``upsert_plain``."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from jpm_tui.cache.store.derived import (
    COUNT_ADD,
    COUNT_DROP_EMPTY,
    COUNT_JOBS,
    JOB_PAGE_UPSERT,
    JOB_RAW_PAGE_UPSERT,
    REFRESH_APPT_DERIVED,
    REFRESH_JOB_NAMES,
    REFRESH_NEXT_APPT,
    refresh_search,
)
from jpm_tui.cache.store.job_chunks import JobChunk
from jpm_tui.cache.store.rows import row_values, upsert_sql
from jpm_tui.cache.store.sql_text import CHUNK, IDS, chunks, json_text
from jpm_tui.cache.store.tables import TableSpec

if TYPE_CHECKING:
    from jpm_tui.provider import domain as d

Upsert = Callable[[sqlite3.Connection, TableSpec, Any], None]
"""Writes one prepared chunk of a table's rows (a ``JobChunk`` for jobs, else a list of domain rows)."""


def upsert_plain(conn: sqlite3.Connection, spec: TableSpec, rows: list[Any]) -> None:
    conn.executemany(upsert_sql(spec.name, spec.columns, spec.conflict), [row_values(spec, r) for r in rows])


def upsert_jobs(conn: sqlite3.Connection, spec: TableSpec, chunk: JobChunk) -> None:
    # a group changed means some of the jobs were stored (in a first fill mostly none: nothing to clear)
    stored = conn.execute(COUNT_JOBS, (chunk.ids, -1)).rowcount > 0
    conn.execute(JOB_PAGE_UPSERT, (chunk.values,))
    conn.execute(JOB_RAW_PAGE_UPSERT, (chunk.raw_lengths, chunk.raw))
    conn.execute(COUNT_ADD, (chunk.counts,))
    if stored:
        conn.execute(COUNT_DROP_EMPTY)
    refresh_search(conn, chunk.ids, stored=stored)


def _refresh_appointment_jobs(conn: sqlite3.Connection, job_ids: Iterable[int]) -> None:
    for chunk in chunks(sorted(set(job_ids)), CHUNK):
        ids = json_text(chunk)
        conn.execute(REFRESH_NEXT_APPT, (ids,))
        conn.execute(REFRESH_APPT_DERIVED, (ids,))


def upsert_appointments(conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Appointment]) -> None:
    ids = json_text([r.id for r in rows])
    before = {r[0] for r in conn.execute(f"SELECT job_id FROM appointments WHERE id IN ({IDS})", (ids,))}
    upsert_plain(conn, spec, rows)
    _refresh_appointment_jobs(conn, before | {r.job_id for r in rows})


def deactivate_rows(conn: sqlite3.Connection, table: str, ids: list[int]) -> int:
    """Mark rows of ``appointments`` or ``appointment_assignments`` inactive by id (a feed page said they are gone),
    with their jobs' next appointment and technician names refreshed. Returns how many changed."""
    if table not in ("appointments", "appointment_assignments"):
        raise ValueError(f"rows of {table} are not deactivated by id")
    ids_json = json_text(ids)
    job_ids = [r[0] for r in conn.execute(f"SELECT job_id FROM {table} WHERE active = 1 AND id IN ({IDS})",
                                          (ids_json,)) if r[0] is not None]
    changed = conn.execute(f"UPDATE {table} SET active = 0 WHERE active = 1 AND id IN ({IDS})", (ids_json,)).rowcount
    _refresh_appointment_jobs(conn, job_ids)
    if table == "appointment_assignments":  # the search rows hold the technicians' names
        _refresh_names_and_search(conn, job_ids, names=False)
    return changed


def upsert_appointment_assignments(conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Assignment]) -> None:
    upsert_plain(conn, spec, rows)
    appt_ids = json_text(sorted({r.appointment_id for r in rows}))
    jobs = [r[0] for r in conn.execute(f"SELECT id FROM jobs WHERE next_appointment_id IN ({IDS})", (appt_ids,))]
    for chunk in chunks(jobs, CHUNK):
        conn.execute(REFRESH_APPT_DERIVED, (json_text(chunk),))
    _refresh_names_and_search(conn, sorted({r.job_id for r in rows if r.job_id is not None}), names=False)


def _changed(conn: sqlite3.Connection, table: str, columns: str, rows: list[Any],
             key: Callable[[Any], tuple[Any, ...]]) -> list[int]:
    """Ids of ``rows`` whose ``columns`` differ from what the table holds (or that are new)."""
    ids = json_text([r.id for r in rows])
    old = {r[0]: tuple(r[1:]) for r in conn.execute(f"SELECT id, {columns} FROM {table} WHERE id IN ({IDS})",
                                                     (ids,))}
    return [r.id for r in rows if old.get(r.id) != key(r)]


def upsert_technicians(conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Technician]) -> None:
    changed = _changed(conn, "technicians", "name", rows, lambda r: (r.name,))
    upsert_plain(conn, spec, rows)
    if changed:
        jobs = [r[0] for r in conn.execute(
            f"SELECT DISTINCT j.id FROM appointment_assignments aa JOIN jobs j ON j.next_appointment_id = "
            f"aa.appointment_id WHERE aa.technician_id IN ({IDS})", (json_text(changed),))]
        for chunk in chunks(jobs, CHUNK):
            conn.execute(REFRESH_APPT_DERIVED, (json_text(chunk),))
        _refresh_names_and_search(conn, [r[0] for r in conn.execute(
            f"SELECT DISTINCT job_id FROM appointment_assignments WHERE technician_id IN ({IDS}) "
            "AND job_id IS NOT NULL", (json_text(changed),))], names=False)


def _jobs_where(conn: sqlite3.Connection, column: str, ids: list[int]) -> list[int]:
    return [r[0] for r in conn.execute(f"SELECT id FROM jobs WHERE {column} IN ({IDS})", (json_text(ids),))]


def _refresh_names_and_search(conn: sqlite3.Connection, job_ids: list[int], *, names: bool = True) -> None:
    for chunk in chunks(job_ids, CHUNK):
        ids = json_text(chunk)
        if names:
            conn.execute(REFRESH_JOB_NAMES, (ids,))
        refresh_search(conn, ids)


def upsert_customers(conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Customer]) -> None:
    changed = _changed(conn, "customers", "name", rows, lambda r: (r.name,))
    upsert_plain(conn, spec, rows)
    if changed:
        _refresh_names_and_search(conn, _jobs_where(conn, "customer_id", changed))


def upsert_locations(conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Location]) -> None:
    changed = _changed(conn, "locations", "street, unit, city, state, zip", rows,
                       lambda r: (r.street, r.unit, r.city, r.state, r.zip))
    upsert_plain(conn, spec, rows)
    if changed:
        _refresh_names_and_search(conn, _jobs_where(conn, "location_id", changed))


def upsert_contacts(conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Contact]) -> None:
    upsert_plain(conn, spec, rows)
    customers = [r.owner_id for r in rows if r.owner_kind == "customer"]
    locations = [r.owner_id for r in rows if r.owner_kind == "location"]
    jobs = set(_jobs_where(conn, "customer_id", customers)) if customers else set()
    if locations:
        jobs.update(_jobs_where(conn, "location_id", locations))
    _refresh_names_and_search(conn, sorted(jobs), names=False)


def upsert_job_notes(conn: sqlite3.Connection, spec: TableSpec, rows: list[d.Note]) -> None:
    upsert_plain(conn, spec, rows)
    _refresh_names_and_search(conn, sorted({r.owner_id for r in rows}), names=False)


def _upsert_lookup_names(conn: sqlite3.Connection, spec: TableSpec, rows: list[Any], job_column: str,
                         name_column: str) -> None:
    changed = _changed(conn, spec.name, "name", rows, lambda r: (r.name,))
    upsert_plain(conn, spec, rows)
    if changed:
        conn.execute(
            f"UPDATE jobs SET {name_column} = coalesce((SELECT name FROM {spec.name} t WHERE t.id = "
            f"jobs.{job_column}), '') WHERE {job_column} IN ({IDS})",
            (json_text(changed),),
        )


def upsert_job_types(conn: sqlite3.Connection, spec: TableSpec, rows: list[d.JobType]) -> None:
    _upsert_lookup_names(conn, spec, rows, "job_type_id", "job_type_name")


def upsert_business_units(conn: sqlite3.Connection, spec: TableSpec, rows: list[d.BusinessUnit]) -> None:
    _upsert_lookup_names(conn, spec, rows, "business_unit_id", "business_unit_name")


UPSERTS: dict[str, Upsert] = {
    "jobs": upsert_jobs,
    "appointments": upsert_appointments,
    "appointment_assignments": upsert_appointment_assignments,
    "technicians": upsert_technicians,
    "customers": upsert_customers,
    "locations": upsert_locations,
    "contacts": upsert_contacts,
    "job_notes": upsert_job_notes,
    "job_types": upsert_job_types,
    "business_units": upsert_business_units,
}
"""Tables whose rows feed what the jobs table derives; every other table is written by ``upsert_plain``."""
