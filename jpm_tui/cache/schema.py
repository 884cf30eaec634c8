"""Cache schema as an ordered list of forward migrations (``PRAGMA user_version`` = how many have run).

Rules: never edit a migration that has shipped; append a new one. Each migration runs in one transaction
and must keep existing data (ALTER TABLE ADD COLUMN, CREATE ... IF NOT EXISTS, backfills).

Conventions of every record table: ``id`` primary key (contacts: ``(owner_kind, id)``), ``active`` 0/1
(inactive rows are kept, never deleted), ``modified_on`` and other datetimes as fixed-width ISO-8601 UTC
text (``2025-05-01T13:30:00.000000+00:00``, so text order is time order), ``raw`` = the payload as received
(JSON text). Jobs keep ``raw`` in ``job_raw`` so the hot ``jobs`` table stays narrow.
"""

from __future__ import annotations

# Sort keys of the job list: name the UI uses -> jobs column. Each has a covering index
# (col, id, active, status, priority, job_type_id, business_unit_id) so that offset scans over a sort
# order check the common filters without touching the table.
JOB_SORT_COLUMNS: dict[str, str] = {
    "number": "number_key",
    "status": "status_rank",
    "priority": "priority_rank",
    "job_type": "job_type_name",
    "business_unit": "business_unit_name",
    "customer": "customer_name",
    "next_appointment": "next_appt_key",
    "technicians": "technician_names",
    "summary": "summary_key",
    "modified": "modified_on",
    "created": "created_on",
}

_SORT_INDEXES = "\n".join(
    f"CREATE INDEX IF NOT EXISTS jobs_sort_{key} ON jobs({col}, id, active, status, priority, job_type_id, "
    f"business_unit_id);"
    for key, col in JOB_SORT_COLUMNS.items()
)

V1 = (
    """
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL,
    number_key TEXT NOT NULL,
    status TEXT NOT NULL,
    status_rank INTEGER NOT NULL,
    priority TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,
    job_type_id INTEGER,
    business_unit_id INTEGER,
    customer_id INTEGER,
    location_id INTEGER,
    project_id INTEGER,
    summary TEXT NOT NULL DEFAULT '',
    summary_key TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    created_on TEXT NOT NULL DEFAULT '',
    modified_on TEXT NOT NULL DEFAULT '',
    completed_on TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    -- denormalised for the job list (maintained by CacheStore on upsert)
    job_type_name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    business_unit_name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    customer_name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    location_text TEXT NOT NULL DEFAULT '',
    next_appointment_id INTEGER,
    next_appt_key TEXT NOT NULL DEFAULT '~',
    technician_names TEXT NOT NULL DEFAULT '' COLLATE NOCASE
);
CREATE TABLE job_raw (id INTEGER PRIMARY KEY, raw TEXT NOT NULL);
"""
    + _SORT_INDEXES
    + """
CREATE INDEX jobs_f_status ON jobs(status, active, priority);
CREATE INDEX jobs_f_type ON jobs(job_type_id, active, status);
CREATE INDEX jobs_f_bu ON jobs(business_unit_id, active, status);
CREATE INDEX jobs_f_priority ON jobs(priority, active, status);
CREATE INDEX jobs_customer ON jobs(customer_id);
CREATE INDEX jobs_location ON jobs(location_id);
CREATE INDEX jobs_project ON jobs(project_id);
CREATE INDEX jobs_next_appt ON jobs(next_appointment_id);

CREATE TABLE appointments (
    id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL, number TEXT NOT NULL DEFAULT '',
    start TEXT, "end" TEXT, arrival_window_start TEXT, arrival_window_end TEXT,
    status TEXT NOT NULL, confirmed INTEGER NOT NULL DEFAULT 0, special_instructions TEXT NOT NULL DEFAULT '',
    customer_id INTEGER, modified_on TEXT, active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE INDEX appointments_job ON appointments(job_id, active, start);
CREATE INDEX appointments_start ON appointments(start, active);

CREATE TABLE appointment_assignments (
    id INTEGER PRIMARY KEY, appointment_id INTEGER NOT NULL, job_id INTEGER, technician_id INTEGER NOT NULL,
    technician_name TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, assigned_on TEXT, modified_on TEXT,
    active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE INDEX assignments_appointment ON appointment_assignments(appointment_id, active);
CREATE INDEX assignments_job ON appointment_assignments(job_id);
CREATE INDEX assignments_technician ON appointment_assignments(technician_id, active, appointment_id);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY, number TEXT NOT NULL, number_key TEXT NOT NULL, name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    summary TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT '', status_id INTEGER, sub_status TEXT NOT NULL DEFAULT '',
    project_type_id INTEGER, customer_id INTEGER, location_id INTEGER, business_unit_ids TEXT NOT NULL DEFAULT '[]',
    job_ids TEXT NOT NULL DEFAULT '[]', start_date TEXT, target_completion_date TEXT, actual_completion_date TEXT,
    created_on TEXT, modified_on TEXT NOT NULL DEFAULT '', active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE INDEX projects_number ON projects(number_key, id, active, status);
CREATE INDEX projects_name ON projects(name, id, active, status);
CREATE INDEX projects_modified ON projects(modified_on, id, active, status);
CREATE INDEX projects_status ON projects(status, active);
CREATE INDEX projects_customer ON projects(customer_id);

CREATE TABLE job_types (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE, business_unit_ids TEXT NOT NULL DEFAULT '[]',
    priority TEXT NOT NULL DEFAULT '', duration_minutes INTEGER, modified_on TEXT,
    active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE TABLE cancel_reasons (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE, modified_on TEXT, active INTEGER NOT NULL DEFAULT 1,
    raw TEXT NOT NULL
);
CREATE TABLE hold_reasons (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE, modified_on TEXT, active INTEGER NOT NULL DEFAULT 1,
    raw TEXT NOT NULL
);
CREATE TABLE job_notes (
    id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL, text TEXT NOT NULL DEFAULT '', pinned INTEGER NOT NULL DEFAULT 0,
    created_by_id INTEGER, created_on TEXT, modified_on TEXT, active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE INDEX job_notes_job ON job_notes(job_id, created_on);
CREATE TABLE project_notes (
    id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, text TEXT NOT NULL DEFAULT '',
    pinned INTEGER NOT NULL DEFAULT 0, created_by_id INTEGER, created_on TEXT, modified_on TEXT,
    active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE INDEX project_notes_project ON project_notes(project_id, created_on);
CREATE TABLE job_history (
    id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL, event TEXT NOT NULL DEFAULT '', at TEXT, employee_id INTEGER,
    memo TEXT NOT NULL DEFAULT '', scheduling_tool TEXT NOT NULL DEFAULT '', raw TEXT NOT NULL
);
CREATE INDEX job_history_job ON job_history(job_id, at);
CREATE TABLE job_canceled_logs (
    id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL, reason_id INTEGER, memo TEXT NOT NULL DEFAULT '',
    created_on TEXT, created_by_id INTEGER, active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE INDEX job_canceled_logs_job ON job_canceled_logs(job_id, created_on);

CREATE TABLE technicians (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '' COLLATE NOCASE, phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '', business_unit_id INTEGER, team TEXT NOT NULL DEFAULT '',
    zone_ids TEXT NOT NULL DEFAULT '[]', modified_on TEXT, active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '' COLLATE NOCASE, kind TEXT NOT NULL DEFAULT '',
    street TEXT NOT NULL DEFAULT '', unit TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '', zip TEXT NOT NULL DEFAULT '', do_not_service INTEGER NOT NULL DEFAULT 0,
    modified_on TEXT, active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE TABLE locations (
    id INTEGER PRIMARY KEY, customer_id INTEGER, name TEXT NOT NULL DEFAULT '', street TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '', city TEXT NOT NULL DEFAULT '', state TEXT NOT NULL DEFAULT '',
    zip TEXT NOT NULL DEFAULT '', lat REAL, lon REAL, zone_id INTEGER, modified_on TEXT,
    active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE INDEX locations_customer ON locations(customer_id);
CREATE TABLE contacts (
    owner_kind TEXT NOT NULL, id INTEGER NOT NULL, owner_id INTEGER NOT NULL, type TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL DEFAULT '', memo TEXT NOT NULL DEFAULT '', search_text TEXT NOT NULL DEFAULT '',
    modified_on TEXT, active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL,
    PRIMARY KEY (owner_kind, id)
);
CREATE INDEX contacts_owner ON contacts(owner_kind, owner_id);
CREATE TABLE business_units (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '' COLLATE NOCASE, official_name TEXT NOT NULL DEFAULT '',
    modified_on TEXT, active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE TABLE employees (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '' COLLATE NOCASE, role TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', business_unit_id INTEGER, modified_on TEXT,
    active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE TABLE tag_types (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '' COLLATE NOCASE, color TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL DEFAULT '', importance TEXT NOT NULL DEFAULT '', modified_on TEXT,
    active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE TABLE zones (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '' COLLATE NOCASE, zips TEXT NOT NULL DEFAULT '[]',
    cities TEXT NOT NULL DEFAULT '[]', technician_ids TEXT NOT NULL DEFAULT '[]',
    business_unit_ids TEXT NOT NULL DEFAULT '[]', modified_on TEXT, active INTEGER NOT NULL DEFAULT 1,
    raw TEXT NOT NULL
);
CREATE TABLE teams (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '' COLLATE NOCASE, modified_on TEXT,
    active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE TABLE shifts (
    id INTEGER PRIMARY KEY, technician_id INTEGER NOT NULL, kind TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '', start TEXT, "end" TEXT, modified_on TEXT,
    active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE INDEX shifts_technician ON shifts(technician_id, start);
CREATE INDEX shifts_start ON shifts(start);
CREATE TABLE project_statuses (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '' COLLATE NOCASE, "order" INTEGER NOT NULL DEFAULT 0,
    modified_on TEXT, active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE TABLE project_types (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '' COLLATE NOCASE, description TEXT NOT NULL DEFAULT '',
    modified_on TEXT, active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);

CREATE TABLE sync_state (
    feed TEXT PRIMARY KEY,
    token TEXT,
    last_success TEXT,
    last_error TEXT,
    last_error_at TEXT,
    rows_total INTEGER NOT NULL DEFAULT 0,
    pages_total INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'done', 'failed', 'conflict')),
    target_kind TEXT,
    target_id INTEGER,
    base_modified_on TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT
);
CREATE INDEX outbox_state ON outbox(state, id);
CREATE INDEX outbox_target ON outbox(target_kind, target_id, state);
"""
)

# v2: search (FTS5 over a per-job document) and maintained per-filter job counters. The ``facets`` column
# holds marker tokens of the job's status, priority, job type, business unit and inactivity (see
# cache/store/job_list/search.py) so that "text + those filters" is answered (and counted) inside the FTS index alone.
# Backfilled from the v1 data after the DDL runs (cache/store/migrate.py, AFTER_MIGRATION[2]).
V2 = """
CREATE TABLE job_search (
    rowid INTEGER PRIMARY KEY,
    number TEXT NOT NULL DEFAULT '', summary TEXT NOT NULL DEFAULT '', customer TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '', phones TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '',
    facets TEXT NOT NULL DEFAULT ''
);
CREATE VIRTUAL TABLE jobs_fts USING fts5(
    number, summary, customer, address, phones, notes, facets,
    content='job_search', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3 4'
);
CREATE TRIGGER job_search_ai AFTER INSERT ON job_search BEGIN
    INSERT INTO jobs_fts(rowid, number, summary, customer, address, phones, notes, facets)
    VALUES (new.rowid, new.number, new.summary, new.customer, new.address, new.phones, new.notes, new.facets);
END;
CREATE TRIGGER job_search_ad AFTER DELETE ON job_search BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, number, summary, customer, address, phones, notes, facets)
    VALUES ('delete', old.rowid, old.number, old.summary, old.customer, old.address, old.phones, old.notes,
            old.facets);
END;
CREATE TRIGGER job_search_au AFTER UPDATE ON job_search BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, number, summary, customer, address, phones, notes, facets)
    VALUES ('delete', old.rowid, old.number, old.summary, old.customer, old.address, old.phones, old.notes,
            old.facets);
    INSERT INTO jobs_fts(rowid, number, summary, customer, address, phones, notes, facets)
    VALUES (new.rowid, new.number, new.summary, new.customer, new.address, new.phones, new.notes, new.facets);
END;

CREATE TABLE job_counts (
    active INTEGER NOT NULL, status TEXT NOT NULL, priority TEXT NOT NULL,
    job_type_id INTEGER NOT NULL, business_unit_id INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (active, status, priority, job_type_id, business_unit_id)
) WITHOUT ROWID;
CREATE TRIGGER jobs_count_ai AFTER INSERT ON jobs BEGIN
    INSERT INTO job_counts VALUES (new.active, new.status, new.priority, coalesce(new.job_type_id, -1),
                                   coalesce(new.business_unit_id, -1), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER jobs_count_ad AFTER DELETE ON jobs BEGIN
    UPDATE job_counts SET n = n - 1
    WHERE active = old.active AND status = old.status AND priority = old.priority
      AND job_type_id = coalesce(old.job_type_id, -1) AND business_unit_id = coalesce(old.business_unit_id, -1);
END;
CREATE TRIGGER jobs_count_au AFTER UPDATE OF active, status, priority, job_type_id, business_unit_id ON jobs
WHEN old.active IS NOT new.active OR old.status IS NOT new.status OR old.priority IS NOT new.priority
  OR old.job_type_id IS NOT new.job_type_id OR old.business_unit_id IS NOT new.business_unit_id
BEGIN
    UPDATE job_counts SET n = n - 1
    WHERE active = old.active AND status = old.status AND priority = old.priority
      AND job_type_id = coalesce(old.job_type_id, -1) AND business_unit_id = coalesce(old.business_unit_id, -1);
    INSERT INTO job_counts VALUES (new.active, new.status, new.priority, coalesce(new.job_type_id, -1),
                                   coalesce(new.business_unit_id, -1), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
"""

# v3: the job counters are kept by CacheStore inside each page's upsert (one statement per changed counter
# group, same transaction) instead of three per-row triggers, which cost about half of every job insert.
# The counters are recounted from the jobs table (cache/store/migrate.py, AFTER_MIGRATION[3]) so they start exact.
V3 = """
DROP TRIGGER IF EXISTS jobs_count_ai;
DROP TRIGGER IF EXISTS jobs_count_ad;
DROP TRIGGER IF EXISTS jobs_count_au;
"""

# v4: the outbox keeps a done row's answer in ``result``; ``error`` is for the answers of attempts that did not
# go through (retry, failure, conflict) only. Done rows written before move theirs across.
V4 = """
ALTER TABLE outbox ADD COLUMN result TEXT;
UPDATE outbox SET result = error, error = NULL WHERE state = 'done';
"""

# v5: each job's booked log (who booked it, when, the appointment booked). No export feed carries it: the board
# reads it one job at a time when a job is opened online (``LiveCache.read_opened_job``).
# ``job_booked_log_reads`` says which jobs were asked about and when, so "the job has no booked log" (asked, none
# found) and "not cached yet" (never asked) read differently offline.
V5 = """
CREATE TABLE IF NOT EXISTS job_booked_logs (
    id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL, appointment_id INTEGER, start TEXT,
    arrival_window_start TEXT, arrival_window_end TEXT, created_on TEXT, created_by_id INTEGER,
    active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS job_booked_logs_job ON job_booked_logs(job_id, created_on);
CREATE TABLE IF NOT EXISTS job_booked_log_reads (
    job_id INTEGER PRIMARY KEY, read_on TEXT NOT NULL, found INTEGER NOT NULL
);
"""

# v6: the company's arrival windows (Dispatch list endpoint; times are minutes after local midnight) and its
# business hours (one object, kept as the row with id 1; each day's hour ranges as JSON [[from, to], ...]).
V6 = """
CREATE TABLE IF NOT EXISTS arrival_windows (
    id INTEGER PRIMARY KEY, start_minutes INTEGER NOT NULL, duration_minutes INTEGER NOT NULL,
    business_unit_ids TEXT NOT NULL DEFAULT '[]', active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS business_hours (
    id INTEGER PRIMARY KEY, weekdays TEXT NOT NULL DEFAULT '[]', saturday TEXT NOT NULL DEFAULT '[]',
    sunday TEXT NOT NULL DEFAULT '[]', active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
"""

# v7: the search index also keeps one-character prefixes. A word of one letter ("harbor r", typed on the way to
# "harbor road") had no prefix index: FTS5 then merged the doclists of every term starting with that letter (most
# of the index; ~200 ms at 1,000,000 jobs) even beside a word matching nothing. With the index it is read lazily,
# like longer prefixes. FTS5 cannot change an index's options in place: the table is made again and rebuilt
# from its content table (job_search; the triggers that keep it name it and carry over). Rebuilding also
# compacts an index grown by many small syncs into few segments, which made searches faster on its own.
V7 = """
DROP TABLE jobs_fts;
CREATE VIRTUAL TABLE jobs_fts USING fts5(
    number, summary, customer, address, phones, notes, facets,
    content='job_search', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4'
);
INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild');
"""

# The search index's text columns and tokenizer, as jobs_fts has them since v7 (v11 keeps them): the store checks a
# few jobs' text in a scratch index of the same definition (KeptMatches.text_matches, cache/store/job_list/matches.py),
# which must tokenize alike.
JOBS_FTS_TEXT_COLUMNS = ("number", "summary", "customer", "address", "phones", "notes")
JOBS_FTS_TOKENIZE = "unicode61 remove_diacritics 2"

# v8: a first fill of the jobs table (the jobs feed starting into an empty table: first sync, or after a purge)
# runs without most secondary job indexes and builds them once at the end (CacheStore.begin_fill / finish_fill).
# This table holds what was dropped (name -> its CREATE statement as sqlite_master had it) until then: rows here
# mean a fill is in progress, which survives a kill so that the resumed sync goes on the same way.
V8 = """
CREATE TABLE IF NOT EXISTS job_fill_deferred (name TEXT PRIMARY KEY, sql TEXT NOT NULL);
"""

# v9: the search index writes its pending terms out as a segment at most every 64 MiB (FTS5's 'hashsize'; the
# default 1 MiB flushed a segment every ~100 jobs of a first sync, and merging those segments was ~10% of the sync
# writer's time). A transaction's pending terms are written out at its commit whatever the size, so this only
# bounds the memory a big transaction's terms take before then. FTS5 keeps the setting in jobs_fts_config.
V9 = """
INSERT INTO jobs_fts(jobs_fts, rank) VALUES ('hashsize', 67108864);
"""

# v10: the next-appointment index also holds the job counters' columns, so the jobs of a technician's
# appointments are counted, and filtered by status, priority, job type or business unit, from the index alone (at
# 1,000,000 jobs a count for one technician read ~3,000 job rows at random, 15-35 ms). It leaves out jobs with no
# next appointment, which no lookup asks for (a first fill of the jobs feed has none yet: nothing to write there).
V10 = """
DROP INDEX IF EXISTS jobs_next_appt;
CREATE INDEX jobs_next_appt ON jobs(next_appointment_id, active, status, priority, job_type_id, business_unit_id)
WHERE next_appointment_id IS NOT NULL;
"""

# v11: the search index also keeps five-character prefixes. A typed word of five letters had none: FTS5 then merged
# the postings of every term it begins ("river": river, riverside; ~98,000 postings, 10 ms at 1,000,000 jobs)
# where a prefix index is one read. It keeps no per-job column sizes (columnsize=0: they only serve ranking, which
# the board never asks for), which pays for writing the new prefixes (index writes at 200,000 jobs: 2.61 s before,
# 2.94 s with the prefixes, 2.66 s without the sizes; 85 MB -> 79 MB). Made again and rebuilt from job_search as in
# v7 (its triggers carry over), with the 64 MiB flush of v9, which lived in the dropped table's config.
V11 = """
DROP TABLE jobs_fts;
CREATE VIRTUAL TABLE jobs_fts USING fts5(
    number, summary, customer, address, phones, notes, facets,
    content='job_search', content_rowid='rowid', columnsize=0,
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5'
);
INSERT INTO jobs_fts(jobs_fts, rank) VALUES ('hashsize', 67108864);
INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild');
"""

# v12: several processes may replay one outbox (the board in two SSH sessions, `jpm-tui outbox retry` beside it): a
# row is claimed by a compare-and-set on its state that records the claimant (``host|pid|token``) and a lease
# (``lease_until``, renewed while the send is in flight), and ``sent_at`` says a request for it may have reached the
# server without an answer saying whether it was applied (see cache/outbox.py). A 'sending' row of an older version
# has no claimant (taken over at once) and may have been sent; so may a row that already had attempts.
V12 = """
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN lease_until TEXT;
ALTER TABLE outbox ADD COLUMN sent_at TEXT;
UPDATE outbox SET sent_at = created_at WHERE state IN ('pending', 'sending') AND attempts > 0;
"""

# v13: a backend's custom field definitions (BigChange's: a job's custom field names its definition by id), so the
# board names every field and its edit form offers those a job has not set yet (``options``: a list field's values);
# and a customer's people (BigChange's contact persons, uuid ids), read when a job is opened online, which the edit
# form offers as the job's contact person by name.
V13 = """
CREATE TABLE IF NOT EXISTS custom_field_definitions (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '' COLLATE NOCASE, type TEXT NOT NULL DEFAULT '',
    options TEXT NOT NULL DEFAULT '[]', active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS people (
    id TEXT PRIMARY KEY, customer_id INTEGER NOT NULL, name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    email TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', "primary" INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1, raw TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS people_customer ON people(customer_id, active);
"""

# v14: each outbox row keeps who queued it (``author``: config ``dispatcher_name``, else the OS user), so a board
# says whose change waits on a job and each dispatcher sees their own failures and conflicts first. Rows queued
# before have none.
V14 = """
ALTER TABLE outbox ADD COLUMN author TEXT;
"""

# v15: the job list's next appointment is no finished one: a job whose appointments are all finished (a canceled or
# completed job) kept its last one's start under "Next appt". Its technicians stay; only the start goes ('~': none).
# (``finished_statuses()``: the connection's function, ``cache.store.db``.)
V15 = """
UPDATE jobs SET next_appt_key = '~' WHERE next_appt_key <> '~' AND next_appointment_id IN (
    SELECT id FROM appointments WHERE status IN (SELECT value FROM json_each(finished_statuses())));
"""

# v16: a job's search row also holds the names of its technicians ("Patel" finds James Patel's jobs): every row is
# written again (``migrate.AFTER_MIGRATION``; the triggers keep the index).
V16 = """
DELETE FROM job_search;
"""

MIGRATIONS: list[str] = [V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14, V15, V16]
"""MIGRATIONS[i] takes a file from user_version i to i + 1."""

LATEST = len(MIGRATIONS)
