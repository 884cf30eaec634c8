"""What the jobs table derives from other rows, as SQL: the job list's denormalised columns (customer name,
location, job type and business unit names, next appointment and its technicians), the job counters
(``job_counts``) and the search index's rows (``job_search``); the one statement that writes a chunk of jobs with
them, and the statements that refresh them when related rows change."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from jpm_tui.cache.store.sql_text import IDS, quoted

if TYPE_CHECKING:
    from jpm_tui.provider.workflow import Workflow

JOB_COLUMNS = (
    "id", "number", "number_key", "status", "status_rank", "priority", "priority_rank", "job_type_id",
    "business_unit_id", "customer_id", "location_id", "project_id", "summary", "summary_key", "created_on",
    "modified_on", "completed_on", "active",
)
"""The jobs table's own columns, in the order ``job_chunks.job_values`` gives them (the derived ones follow)."""

# The job list's denormalised columns, as SQL expressions over a job's columns (``jobs.customer_id`` in the
# refresh statements, the chunk's cells in JOB_PAGE_UPSERT). The same expressions fill them when a job is
# written and refresh them when related rows change, so both ways give the same values.
CUSTOMER_NAME = "coalesce((SELECT name FROM customers WHERE id = {customer_id}), '')"
LOCATION_TEXT = (
    "coalesce((SELECT trim(street || CASE WHEN street <> '' AND city <> '' THEN ', ' ELSE '' END || city) "
    "FROM locations WHERE id = {location_id}), '')"
)
JOB_TYPE_NAME = "coalesce((SELECT name FROM job_types WHERE id = {job_type_id}), '')"
BUSINESS_UNIT_NAME = "coalesce((SELECT name FROM business_units WHERE id = {business_unit_id}), '')"
# The next appointment: the first one not finished (by the backend's workflow: a set each dialect reads from its
# connection, ``{finished}``: SQLite's ``finished_statuses()`` function, see ``Database``), else the last one.
NEXT_APPOINTMENT_TEMPLATE = """coalesce(
    (SELECT a.id FROM appointments a
      WHERE a.job_id = {id} AND a.active = 1 AND a.status NOT IN {finished} AND a.start IS NOT NULL
      ORDER BY a.start, a.id LIMIT 1),
    (SELECT a.id FROM appointments a
      WHERE a.job_id = {id} AND a.active = 1 AND a.start IS NOT NULL
      ORDER BY a.start DESC, a.id DESC LIMIT 1))"""
FINISHED_STATUSES = "(SELECT value FROM json_each(finished_statuses()))"
"""SQLite's ``{finished}``: the JSON array each connection's ``finished_statuses()`` gives (``Database``)."""
NEXT_APPOINTMENT_ID = NEXT_APPOINTMENT_TEMPLATE.format(id="{id}", finished=FINISHED_STATUSES)
# these two of the next appointment's id. The job list's "Next appt" is its start only while it is not finished:
# the last one (a finished job's, or one whose visits are all behind it) names the technicians but is no next
# appointment ('~': none, sorted last).
NEXT_APPT_KEY_TEMPLATE = ("coalesce((SELECT start FROM appointments WHERE id = {{next_appointment_id}} "
                          "AND status NOT IN {finished}), '~')")
NEXT_APPT_KEY = NEXT_APPT_KEY_TEMPLATE.format(finished=FINISHED_STATUSES)
TECHNICIAN_NAMES = """coalesce((
        SELECT group_concat(name, ', ') FROM (
            SELECT DISTINCT coalesce(nullif(t.name, ''), aa.technician_name) AS name
              FROM appointment_assignments aa LEFT JOIN technicians t ON t.id = aa.technician_id
             WHERE aa.appointment_id = {next_appointment_id} AND aa.active = 1
             ORDER BY 1)), '')"""
"""The technicians of an appointment (``{next_appointment_id}``) as the job list names them."""

_OF_JOBS = {c: f"jobs.{c}" for c in ("id", "customer_id", "location_id", "job_type_id", "business_unit_id",
                                     "next_appointment_id")}

REFRESH_JOB_NAMES = f"""
UPDATE jobs SET
    customer_name = {CUSTOMER_NAME.format(**_OF_JOBS)},
    location_text = {LOCATION_TEXT.format(**_OF_JOBS)},
    job_type_name = {JOB_TYPE_NAME.format(**_OF_JOBS)},
    business_unit_name = {BUSINESS_UNIT_NAME.format(**_OF_JOBS)}
WHERE id IN ({IDS})
"""

REFRESH_NEXT_APPT = f"""
UPDATE jobs SET next_appointment_id = {NEXT_APPOINTMENT_ID.format(**_OF_JOBS)}
WHERE id IN ({IDS})
"""

REFRESH_APPT_DERIVED = f"""
UPDATE jobs SET
    next_appt_key = {NEXT_APPT_KEY.format(**_OF_JOBS)},
    technician_names = {TECHNICIAN_NAMES.format(**_OF_JOBS)}
WHERE id IN ({IDS})
"""

_JOB_DERIVED = ("customer_name", "location_text", "job_type_name", "business_unit_name", "next_appointment_id",
                "next_appt_key", "technician_names")


def _job_upsert_sql() -> str:
    """One statement writes a chunk of jobs with their denormalised columns, so every sort index holding one
    of them is written once per job (not once by the insert and again by a refresh).

    The chunk comes as one JSON parameter (an array of ``job_chunks.job_values`` rows, distinct ids). Each row's text is
    taken once into a materialised CTE (``json_each`` renders its ``value`` again on every read: reading it once
    per cell made that half of the statement's time), then each cell extracted once into another, with the
    job's next appointment (which the two columns after it read). One ``sqlite3_step`` per chunk means the
    sync's writer thread needs the GIL a handful of times per page instead of after every row (as with
    ``executemany``), so SQLite writes one page while Python fetches and maps the next."""
    params = {c: f"v.{quoted(c)}" for c in (*JOB_COLUMNS, "next_appointment_id")}
    derived = [CUSTOMER_NAME, LOCATION_TEXT, JOB_TYPE_NAME, BUSINESS_UNIT_NAME, "{next_appointment_id}",
               NEXT_APPT_KEY, TECHNICIAN_NAMES]
    columns = JOB_COLUMNS + _JOB_DERIVED
    values = ", ".join([params[c] for c in JOB_COLUMNS] + [e.format(**params) for e in derived])
    updates = ", ".join(f"{quoted(c)} = excluded.{quoted(c)}" for c in columns if c != "id")
    cell = [f"json_extract(r.row, '$[{i}]')" for i in range(len(JOB_COLUMNS))]
    cells = [f"{e} AS {quoted(c)}" for e, c in zip(cell, JOB_COLUMNS, strict=True)]
    cells.append(f"{NEXT_APPOINTMENT_ID.format(id=cell[0])} AS next_appointment_id")
    return (f"WITH r AS MATERIALIZED (SELECT value AS row FROM json_each(?)), "
            f"v AS MATERIALIZED (SELECT {', '.join(cells)} FROM r) "
            f"INSERT INTO jobs ({', '.join(quoted(c) for c in columns)}) SELECT {values} FROM v WHERE true "
            f"ON CONFLICT(id) DO UPDATE SET {updates}")


JOB_PAGE_UPSERT = _job_upsert_sql()
# Each payload cut out of the chunk's bytes (substr of a blob: no scan, no JSON parse), at the sum of the lengths
# before it, and stored as the text it is.
JOB_RAW_PAGE_UPSERT = (
    "INSERT INTO job_raw (id, raw) SELECT id, CAST(substr(?2, start, n) AS TEXT) FROM ("
    "SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS n, "
    "1 + coalesce(sum(json_extract(value, '$[1]')) OVER (ORDER BY key ROWS BETWEEN UNBOUNDED PRECEDING "
    "AND 1 PRECEDING), 0) AS start FROM json_each(?1)) WHERE true ON CONFLICT(id) DO UPDATE SET raw = excluded.raw"
)

_REFRESH_SEARCH_DELETE = f"DELETE FROM job_search WHERE rowid IN ({IDS})"
# The ``customer`` column holds the job's people: its customer's name, then its technicians' (every active assignment
# of the job's, finished visits too: "Patel" finds the jobs James Patel has been on).
REFRESH_SEARCH_INSERT = f"""
INSERT INTO job_search (rowid, number, summary, customer, address, phones, notes, facets)
SELECT j.id, j.number, j.summary, j.customer_name || ' ' || coalesce((
           SELECT group_concat(DISTINCT coalesce(nullif(t.name, ''), aa.technician_name))
             FROM appointment_assignments aa LEFT JOIN technicians t ON t.id = aa.technician_id
            WHERE aa.job_id = j.id AND aa.active = 1), ''),
       coalesce((SELECT trim(street || ' ' || unit || ' ' || city || ' ' || state || ' ' || zip)
                   FROM locations WHERE id = j.location_id), ''),
       coalesce((SELECT group_concat(search_text, ' ') FROM contacts
                  WHERE active = 1 AND ((owner_kind = 'customer' AND owner_id = j.customer_id)
                                     OR (owner_kind = 'location' AND owner_id = j.location_id))), ''),
       coalesce((SELECT group_concat(text, ' ') FROM job_notes WHERE job_id = j.id AND active = 1), ''),
       'zzs' || hex(j.status) || ' zzp' || hex(j.priority) || ' zzt' || coalesce(j.job_type_id, 'n')
       || ' zzb' || coalesce(j.business_unit_id, 'n') || CASE WHEN j.active = 1 THEN '' ELSE ' zzinactive' END
  FROM jobs j WHERE j.id IN ({IDS})
"""


def refresh_search(conn: sqlite3.Connection, ids_json: str, *, stored: bool = True) -> None:
    """The search index's rows of jobs ``ids_json``; ``stored=False``: none of them has one yet."""
    if stored:
        conn.execute(_REFRESH_SEARCH_DELETE, (ids_json,))
    conn.execute(REFRESH_SEARCH_INSERT, (ids_json,))


# The job counters (``job_counts``): one row per (active, status, priority, job type, business unit) with how
# many jobs have those values. The store keeps them in the same transaction as every write to those jobs
# columns: before the write, the groups of the rows as stored are taken out (``COUNT_JOBS`` with -1); after it,
# the groups they now have are put in (``COUNT_JOBS`` with 1, or a job chunk's groups counted as it was prepared,
# ``COUNT_ADD``); groups left at zero are removed. One statement each, however many groups: the sync's writer
# thread takes the GIL back after every statement and every row stepped, and waits for it while other threads
# run Python (one statement per group was most of a page's commit time in a sync).
COUNT_JOBS = (
    "INSERT INTO job_counts (active, status, priority, job_type_id, business_unit_id, n) "
    "SELECT active, status, priority, coalesce(job_type_id, -1), coalesce(business_unit_id, -1), ?2 * count(*) "
    "FROM jobs WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY 1, 2, 3, 4, 5 "
    "ON CONFLICT DO UPDATE SET n = n + excluded.n"
)
COUNT_ADD = (
    "INSERT INTO job_counts (active, status, priority, job_type_id, business_unit_id, n) SELECT "
    + ", ".join(f"json_extract(value, '$[{i}]')" for i in range(6))
    + " FROM json_each(?) WHERE true ON CONFLICT DO UPDATE SET n = n + excluded.n"
)
COUNT_DROP_EMPTY = "DELETE FROM job_counts WHERE n = 0"
RECOUNT_JOBS = (
    "INSERT INTO job_counts SELECT active, status, priority, coalesce(job_type_id, -1), "
    "coalesce(business_unit_id, -1), count(*) FROM jobs GROUP BY 1, 2, 3, 4, 5"
)
"""Every counter group from the jobs table (into an empty ``job_counts``)."""


def total_jobs(conn: sqlite3.Connection, include_inactive: bool) -> int:
    """How many jobs are cached (active ones, or all), from the counters."""
    sql = "SELECT coalesce(sum(n), 0) FROM job_counts" + ("" if include_inactive else " WHERE active = 1")
    return int(conn.execute(sql).fetchone()[0])


def finished_statuses(workflow: Workflow | None) -> tuple[str, ...]:
    """The backend's appointment statuses of its finished categories (default: the default backend's), which the
    next appointment skips: what each store hands its connections as ``{finished}``."""
    from jpm_tui.provider.backends import workflow_for
    from jpm_tui.provider.workflow import FINISHED

    return tuple((workflow or workflow_for()).appointment_values(FINISHED))
