"""The PostgreSQL cache's schema, as forward migrations (``jpm_schema.version`` = how many have run; rules as for the
SQLite file's, ``jpm_tui.cache.schema``: never edit one that shipped, append).

The tables and columns are the SQLite cache's (``tables.py``'s specs write both), with these differences:
* Datetimes stay fixed-width ISO-8601 UTC text (text order is time order, and both stores read cells alike);
  ``active`` and other flags stay 0/1 integers.
* Text is ``COLLATE "C"`` (byte order, whatever the database's locale: SQLite's BINARY). The job list's columns that
  SQLite compares NOCASE are sorted by ``lower(column)``, which under "C" folds ASCII letters only, as NOCASE does.
* Text search: ``jobs.search``, a ``tsvector`` of the job's number, summary, customer, address, phone numbers,
  notes and technicians (the same words SQLite's FTS5 index holds), whose words a table keeps, one row per word and
  job (``job_words``, words_schema.py, v7: a prefix is a btree range; before v7 a GIN index). Its words are cut by
  PostgreSQL's own text search ('simple' configuration: no stemming, no stop words; numbers, names and addresses are
  not English prose), built in: no extension for a team's DBA to install.
* The job counters (``job_counts``) are kept by statement triggers over the rows each statement changed (transition
  tables), so every writer (this store, a second sync process) keeps them the same way.
"""

from __future__ import annotations

from jpm_tui.cache.pg.derived import REFRESH_DERIVED
from jpm_tui.cache.pg.heartbeat_schema import CONNECTING, HEARTBEAT, STOPPED
from jpm_tui.cache.pg.notify_schema import NOTIFY
from jpm_tui.cache.pg.outbox_schema import OUTBOX
from jpm_tui.cache.pg.words_schema import WORDS, job_triggers

TEXT = 'text COLLATE "C"'

# Sort keys of the job list (the same names as ``jpm_tui.cache.schema.JOB_SORT_COLUMNS``) -> the expression a
# window orders by (ties by id). Each has an index of (expression, id) holding the counters' columns, so a walk of
# the order checks the common filters from the index.
JOB_SORT_EXPRESSIONS: dict[str, str] = {
    "number": "number_key",
    "status": "status_rank",
    "priority": "priority_rank",
    "job_type": "lower(job_type_name)",
    "business_unit": "lower(business_unit_name)",
    "customer": "lower(customer_name)",
    "next_appointment": "next_appt_key",
    "technicians": "lower(technician_names)",
    "summary": "summary_key",
    "modified": "modified_on",
    "created": "created_on",
}

_SORT_INDEXES = "\n".join(
    f"CREATE INDEX jobs_sort_{key} ON jobs (({expr}), id) INCLUDE (active, status, priority, job_type_id, "
    "business_unit_id);"
    for key, expr in JOB_SORT_EXPRESSIONS.items()
)


def _lookup(name: str, columns: str = "") -> str:
    """A lookup table: id, name, its own columns, modified_on, active, raw."""
    return (f"CREATE TABLE {name} (id bigint PRIMARY KEY, name {TEXT} NOT NULL DEFAULT '', {columns}"
            f"modified_on {TEXT}, active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL);")


V1 = f"""
CREATE TABLE jobs (
    id bigint PRIMARY KEY, number {TEXT} NOT NULL, number_key {TEXT} NOT NULL, status {TEXT} NOT NULL,
    status_rank integer NOT NULL, priority {TEXT} NOT NULL, priority_rank integer NOT NULL, job_type_id bigint,
    business_unit_id bigint, customer_id bigint, location_id bigint, project_id bigint,
    summary {TEXT} NOT NULL DEFAULT '', summary_key {TEXT} NOT NULL DEFAULT '', created_on {TEXT} NOT NULL DEFAULT '',
    modified_on {TEXT} NOT NULL DEFAULT '', completed_on {TEXT}, active integer NOT NULL DEFAULT 1,
    job_type_name {TEXT} NOT NULL DEFAULT '', business_unit_name {TEXT} NOT NULL DEFAULT '',
    customer_name {TEXT} NOT NULL DEFAULT '', location_text {TEXT} NOT NULL DEFAULT '', next_appointment_id bigint,
    next_appt_key {TEXT} NOT NULL DEFAULT '~', technician_names {TEXT} NOT NULL DEFAULT '',
    search tsvector NOT NULL DEFAULT ''
);
CREATE TABLE job_raw (id bigint PRIMARY KEY, raw {TEXT} NOT NULL);
{_SORT_INDEXES}
CREATE INDEX jobs_f_status ON jobs (status, active, priority);
CREATE INDEX jobs_f_type ON jobs (job_type_id, active, status);
CREATE INDEX jobs_f_bu ON jobs (business_unit_id, active, status);
CREATE INDEX jobs_f_priority ON jobs (priority, active, status);
CREATE INDEX jobs_customer ON jobs (customer_id);
CREATE INDEX jobs_location ON jobs (location_id);
CREATE INDEX jobs_project ON jobs (project_id);
CREATE INDEX jobs_next_appt ON jobs (next_appointment_id, active, status, priority, job_type_id, business_unit_id)
    WHERE next_appointment_id IS NOT NULL;
CREATE INDEX jobs_search ON jobs USING gin (search);

CREATE TABLE job_counts (
    active integer NOT NULL, status {TEXT} NOT NULL, priority {TEXT} NOT NULL, job_type_id bigint NOT NULL,
    business_unit_id bigint NOT NULL, n bigint NOT NULL,
    PRIMARY KEY (active, status, priority, job_type_id, business_unit_id)
);
CREATE FUNCTION jpm_count_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- the groups of the rows as they were go out, those of the rows as they are come in; empty groups go
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO job_counts AS c
        SELECT active, status, priority, coalesce(job_type_id, -1), coalesce(business_unit_id, -1), -count(*)
          FROM old_rows GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (active, status, priority, job_type_id, business_unit_id) DO UPDATE SET n = c.n + excluded.n;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO job_counts AS c
        SELECT active, status, priority, coalesce(job_type_id, -1), coalesce(business_unit_id, -1), count(*)
          FROM new_rows GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (active, status, priority, job_type_id, business_unit_id) DO UPDATE SET n = c.n + excluded.n;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM job_counts WHERE n = 0;
    END IF;
    RETURN NULL;
END $$;
{job_triggers("count", "jpm_count_jobs")}
CREATE TABLE appointments (
    id bigint PRIMARY KEY, job_id bigint NOT NULL, number {TEXT} NOT NULL DEFAULT '', start {TEXT}, "end" {TEXT},
    arrival_window_start {TEXT}, arrival_window_end {TEXT}, status {TEXT} NOT NULL,
    confirmed integer NOT NULL DEFAULT 0, special_instructions {TEXT} NOT NULL DEFAULT '', customer_id bigint,
    modified_on {TEXT}, active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL
);
CREATE INDEX appointments_job ON appointments (job_id, active, start);
CREATE INDEX appointments_start ON appointments (start, active);
CREATE TABLE appointment_assignments (
    id bigint PRIMARY KEY, appointment_id bigint NOT NULL, job_id bigint, technician_id bigint NOT NULL,
    technician_name {TEXT} NOT NULL DEFAULT '', status {TEXT} NOT NULL, assigned_on {TEXT}, modified_on {TEXT},
    active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL
);
CREATE INDEX assignments_appointment ON appointment_assignments (appointment_id, active);
CREATE INDEX assignments_job ON appointment_assignments (job_id);
CREATE INDEX assignments_technician ON appointment_assignments (technician_id, active, appointment_id);

CREATE TABLE projects (
    id bigint PRIMARY KEY, number {TEXT} NOT NULL, number_key {TEXT} NOT NULL, name {TEXT} NOT NULL DEFAULT '',
    summary {TEXT} NOT NULL DEFAULT '', status {TEXT} NOT NULL DEFAULT '', status_id bigint,
    sub_status {TEXT} NOT NULL DEFAULT '', project_type_id bigint, customer_id bigint, location_id bigint,
    business_unit_ids {TEXT} NOT NULL DEFAULT '[]', job_ids {TEXT} NOT NULL DEFAULT '[]', start_date {TEXT},
    target_completion_date {TEXT}, actual_completion_date {TEXT}, created_on {TEXT},
    modified_on {TEXT} NOT NULL DEFAULT '', active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL
);
CREATE INDEX projects_number ON projects (number_key, id);
CREATE INDEX projects_name ON projects (lower(name), id);
CREATE INDEX projects_modified ON projects (modified_on, id);
CREATE INDEX projects_customer ON projects (customer_id);

{_lookup("job_types", f"business_unit_ids {TEXT} NOT NULL DEFAULT '[]', priority {TEXT} NOT NULL DEFAULT '', "
                      "duration_minutes integer, ")}
{_lookup("cancel_reasons")}
{_lookup("hold_reasons")}
CREATE TABLE job_notes (
    id bigint PRIMARY KEY, job_id bigint NOT NULL, text {TEXT} NOT NULL DEFAULT '', pinned integer NOT NULL DEFAULT 0,
    created_by_id bigint, created_on {TEXT}, modified_on {TEXT}, active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL
);
CREATE INDEX job_notes_job ON job_notes (job_id, created_on);
CREATE TABLE project_notes (
    id bigint PRIMARY KEY, project_id bigint NOT NULL, text {TEXT} NOT NULL DEFAULT '',
    pinned integer NOT NULL DEFAULT 0, created_by_id bigint, created_on {TEXT}, modified_on {TEXT},
    active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL
);
CREATE INDEX project_notes_project ON project_notes (project_id, created_on);
CREATE TABLE job_history (
    id bigint PRIMARY KEY, job_id bigint NOT NULL, event {TEXT} NOT NULL DEFAULT '', at {TEXT}, employee_id bigint,
    memo {TEXT} NOT NULL DEFAULT '', scheduling_tool {TEXT} NOT NULL DEFAULT '', raw {TEXT} NOT NULL
);
CREATE INDEX job_history_job ON job_history (job_id, at);
CREATE TABLE job_canceled_logs (
    id bigint PRIMARY KEY, job_id bigint NOT NULL, reason_id bigint, memo {TEXT} NOT NULL DEFAULT '',
    created_on {TEXT}, created_by_id bigint, active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL
);
CREATE INDEX job_canceled_logs_job ON job_canceled_logs (job_id, created_on);
CREATE TABLE job_booked_logs (
    id bigint PRIMARY KEY, job_id bigint NOT NULL, appointment_id bigint, start {TEXT},
    arrival_window_start {TEXT}, arrival_window_end {TEXT}, created_on {TEXT}, created_by_id bigint,
    active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL
);
CREATE INDEX job_booked_logs_job ON job_booked_logs (job_id, created_on);
CREATE TABLE job_booked_log_reads (job_id bigint PRIMARY KEY, read_on {TEXT} NOT NULL, found integer NOT NULL);

{_lookup("technicians", f"phone {TEXT} NOT NULL DEFAULT '', email {TEXT} NOT NULL DEFAULT '', "
                        f"business_unit_id bigint, team {TEXT} NOT NULL DEFAULT '', "
                        f"zone_ids {TEXT} NOT NULL DEFAULT '[]', ")}
{_lookup("customers", f"kind {TEXT} NOT NULL DEFAULT '', street {TEXT} NOT NULL DEFAULT '', "
                      f"unit {TEXT} NOT NULL DEFAULT '', city {TEXT} NOT NULL DEFAULT '', "
                      f"state {TEXT} NOT NULL DEFAULT '', zip {TEXT} NOT NULL DEFAULT '', "
                      "do_not_service integer NOT NULL DEFAULT 0, ")}
{_lookup("locations", f"customer_id bigint, street {TEXT} NOT NULL DEFAULT '', unit {TEXT} NOT NULL DEFAULT '', "
                      f"city {TEXT} NOT NULL DEFAULT '', state {TEXT} NOT NULL DEFAULT '', "
                      f"zip {TEXT} NOT NULL DEFAULT '', lat double precision, lon double precision, zone_id bigint, ")}
CREATE INDEX locations_customer ON locations (customer_id);
CREATE TABLE contacts (
    owner_kind {TEXT} NOT NULL, id bigint NOT NULL, owner_id bigint NOT NULL, type {TEXT} NOT NULL DEFAULT '',
    value {TEXT} NOT NULL DEFAULT '', memo {TEXT} NOT NULL DEFAULT '', search_text {TEXT} NOT NULL DEFAULT '',
    modified_on {TEXT}, active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL, PRIMARY KEY (owner_kind, id)
);
CREATE INDEX contacts_owner ON contacts (owner_kind, owner_id);
{_lookup("business_units", f"official_name {TEXT} NOT NULL DEFAULT '', ")}
{_lookup("employees", f"role {TEXT} NOT NULL DEFAULT '', email {TEXT} NOT NULL DEFAULT '', "
                      f"phone {TEXT} NOT NULL DEFAULT '', business_unit_id bigint, ")}
{_lookup("tag_types", f"color {TEXT} NOT NULL DEFAULT '', code {TEXT} NOT NULL DEFAULT '', "
                      f"importance {TEXT} NOT NULL DEFAULT '', ")}
{_lookup("zones", f"zips {TEXT} NOT NULL DEFAULT '[]', cities {TEXT} NOT NULL DEFAULT '[]', "
                  f"technician_ids {TEXT} NOT NULL DEFAULT '[]', business_unit_ids {TEXT} NOT NULL DEFAULT '[]', ")}
{_lookup("teams")}
CREATE TABLE shifts (
    id bigint PRIMARY KEY, technician_id bigint NOT NULL, kind {TEXT} NOT NULL DEFAULT '',
    title {TEXT} NOT NULL DEFAULT '', note {TEXT} NOT NULL DEFAULT '', start {TEXT}, "end" {TEXT}, modified_on {TEXT},
    active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL
);
CREATE INDEX shifts_technician ON shifts (technician_id, start);
CREATE INDEX shifts_start ON shifts (start);
{_lookup("project_statuses", '"order" integer NOT NULL DEFAULT 0, ')}
{_lookup("project_types", f"description {TEXT} NOT NULL DEFAULT '', ")}
CREATE TABLE arrival_windows (
    id bigint PRIMARY KEY, start_minutes integer NOT NULL, duration_minutes integer NOT NULL,
    business_unit_ids {TEXT} NOT NULL DEFAULT '[]', active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL
);
CREATE TABLE business_hours (
    id bigint PRIMARY KEY, weekdays {TEXT} NOT NULL DEFAULT '[]', saturday {TEXT} NOT NULL DEFAULT '[]',
    sunday {TEXT} NOT NULL DEFAULT '[]', active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL
);

CREATE TABLE sync_state (
    feed {TEXT} PRIMARY KEY, token {TEXT}, last_success {TEXT}, last_error {TEXT}, last_error_at {TEXT},
    rows_total bigint NOT NULL DEFAULT 0, pages_total bigint NOT NULL DEFAULT 0, updated_at {TEXT}
);
"""

# v3: the SQLite file's v13 (BigChange): custom field definitions (a lookup, sorted by name as the others) and a
# customer's people (uuid ids, text), read when a job is opened online.
V3 = f"""
CREATE TABLE custom_field_definitions (
    id bigint PRIMARY KEY, name {TEXT} NOT NULL DEFAULT '', type {TEXT} NOT NULL DEFAULT '',
    options {TEXT} NOT NULL DEFAULT '[]', active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL
);
CREATE TABLE people (
    id {TEXT} PRIMARY KEY, customer_id bigint NOT NULL, name {TEXT} NOT NULL DEFAULT '',
    email {TEXT} NOT NULL DEFAULT '', phone {TEXT} NOT NULL DEFAULT '', "primary" integer NOT NULL DEFAULT 0,
    active integer NOT NULL DEFAULT 1, raw {TEXT} NOT NULL
);
CREATE INDEX people_customer ON people (customer_id, active);
"""

# v5: the SQLite file's v15: a job whose appointments are all finished has no next appointment's start.
V5 = """
UPDATE jobs SET next_appt_key = '~' WHERE next_appt_key <> '~' AND next_appointment_id IN (
    SELECT id FROM appointments
     WHERE status IN (SELECT jsonb_array_elements_text(current_setting('jpm.finished_statuses')::jsonb)));
"""

# v6: the SQLite file's v16: every job's search document again, with its technicians' names.
V6 = REFRESH_DERIVED.replace("%s", "ARRAY(SELECT id FROM jobs)")

# The columns the job list's sort expressions read (JOB_SORT_EXPRESSIONS'), and the row's id (ties, and the window's)
_SORT_COLUMNS = ("id", "number_key", "status_rank", "priority_rank", "job_type_name", "business_unit_name",
                 "customer_name", "next_appt_key", "technician_names", "summary_key", "modified_on", "created_on")

# v7: the search's words table (words_schema.py); the next appointment's index holds the sort's columns: a window of a
# few technicians' jobs (found by their appointments) is then read from that index alone and sorted, where each job
# was read from the table for its sort key (41 ms p95 for one technician's first page at 1,000,000 jobs)
V7 = WORDS + f"""
DROP INDEX jobs_next_appt;
CREATE INDEX jobs_next_appt ON jobs (next_appointment_id, active, status, priority, job_type_id, business_unit_id)
    INCLUDE ({", ".join(_SORT_COLUMNS)}) WHERE next_appointment_id IS NOT NULL;
"""

# (v4 is NOTIFY: change notifications, after every table it watches exists; see notify_schema.py)
# (v8 is HEARTBEAT: the sync service's heartbeat, which boards show; v9 its STOPPED, v10 its CONNECTING: see
# heartbeat_schema.py)
MIGRATIONS: list[str] = [V1, OUTBOX, V3, NOTIFY, V5, V6, V7, HEARTBEAT, STOPPED, CONNECTING]
"""MIGRATIONS[i] takes a database from version i to i + 1."""

LATEST = len(MIGRATIONS)
