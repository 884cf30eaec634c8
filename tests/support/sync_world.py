"""Shared helpers of the sync/outbox tests: a client on a sandbox URL, and two independent views to compare:

* ``server_snapshot(url)``: every export feed read fresh from the beginning over plain httpx (no jpm_tui.api
  code), as ``{table: {key: raw payload}}``;
* ``cache_snapshot(cache)``: the same tables read from the SQLite file with plain ``sqlite3`` (no CacheStore), or
  from a PostgreSQL store's database with a connection of its own (``connect``).

Export feeds hand out each record's latest version once, so a fresh full read *is* the server's data.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
import psycopg

from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.store import CacheStore
from jpm_tui.sandbox import state as sandbox_state

# feed name -> (module, export path, cache table)
EXPORTS: dict[str, tuple[str, str, str]] = {
    "business_units": ("settings", "export/business-units", "business_units"),
    "tag_types": ("settings", "export/tag-types", "tag_types"),
    "employees": ("settings", "export/employees", "employees"),
    "technicians": ("settings", "export/technicians", "technicians"),
    "customers": ("crm", "export/customers", "customers"),
    "locations": ("crm", "export/locations", "locations"),
    "customer_contacts": ("crm", "export/customers/contacts", "contacts"),
    "location_contacts": ("crm", "export/locations/contacts", "contacts"),
    "projects": ("jpm", "export/projects", "projects"),
    "jobs": ("jpm", "export/jobs", "jobs"),
    "appointments": ("jpm", "export/appointments", "appointments"),
    "appointment_assignments": ("dispatch", "export/appointment-assignments", "appointment_assignments"),
    "job_notes": ("jpm", "export/job-notes", "job_notes"),
    "project_notes": ("jpm", "export/project-notes", "project_notes"),
    "job_history": ("jpm", "export/job-history", "job_history"),
    "job_canceled_logs": ("jpm", "export/job-canceled-logs", "job_canceled_logs"),
}

# list feeds: cache table -> sandbox collection
LISTS: dict[str, str] = {
    "job_types": "job_types",
    "cancel_reasons": "job_cancel_reasons",
    "hold_reasons": "job_hold_reasons",
    "project_statuses": "project_statuses",
    "project_types": "project_types",
    "zones": "zones",
    "teams": "teams",
    "shifts": "technician_shifts",
    "arrival_windows": "arrival_windows",
}

# feeds over an endpoint answering one object: cache table -> (module, path); the cache keeps it as row id 1
SINGLES: dict[str, tuple[str, str]] = {
    "business_hours": ("dispatch", "business-hours"),
}


def make_client(base_url: str, **overrides: Any) -> Any:
    """A ServiceTitanClient for a sandbox served at ``base_url``; fast backoff so fault tests stay quick."""
    from jpm_tui.api.client import ServiceTitanClient

    async def quick_sleep(seconds: float) -> None:
        await asyncio.sleep(min(seconds, 0.01))

    kwargs: dict[str, Any] = dict(
        api_url=base_url, auth_url=base_url, tenant=sandbox_state.TENANT, client_id=sandbox_state.CLIENT_ID,
        client_secret=sandbox_state.CLIENT_SECRET, app_key=sandbox_state.APP_KEY, rate_limit=None,
        backoff_base=0.001, sleep=quick_sleep, timeout=10.0,
    )
    kwargs.update(overrides)
    return ServiceTitanClient(**kwargs)


class RawApi:
    """Plain httpx against the sandbox (what a second ServiceTitan user would do)."""

    def __init__(self, base_url: str, tenant: int = sandbox_state.TENANT) -> None:
        self.base_url = base_url.rstrip("/")
        self.tenant = tenant
        self.http = httpx.Client(timeout=30.0)
        token = self.http.post(f"{self.base_url}/connect/token", data={
            "grant_type": "client_credentials", "client_id": sandbox_state.CLIENT_ID,
            "client_secret": sandbox_state.CLIENT_SECRET}).json()["access_token"]
        self.http.headers.update({"Authorization": f"Bearer {token}", "ST-App-Key": sandbox_state.APP_KEY})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> RawApi:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def url(self, module: str, path: str) -> str:
        return f"{self.base_url}/{module}/v2/tenant/{self.tenant}/{path}"

    def call(self, method: str, module: str, path: str, **kw: Any) -> Any:
        response = self.http.request(method, self.url(module, path), **kw)
        assert response.status_code < 300, (response.status_code, response.text)
        return response.json() if response.content else None

    def export(self, module: str, path: str, token: str | None = None) -> list[dict]:
        rows: list[dict] = []
        while True:
            params: dict[str, Any] = {"includeRecentChanges": "true"}
            if path == "export/appointment-assignments":
                params["active"] = "Any"
            if token:
                params["from"] = token
            body = self.call("GET", module, path, params=params)
            rows.extend(body["data"])
            if not body["hasMore"] or body["continueFrom"] == token:
                return rows
            token = body["continueFrom"]


def _keyed(feed: str, rows: Iterable[dict]) -> dict[Any, dict]:
    out: dict[Any, dict] = {}
    for row in rows:
        if feed == "job_history":
            for entry in row.get("history") or []:
                raw = dict(entry)
                raw.setdefault("jobId", row["jobId"])
                out[entry["id"]] = raw
        elif feed == "customer_contacts":
            out[("customer", row["id"])] = row
        elif feed == "location_contacts":
            out[("location", row["id"])] = row
        else:
            out[row["id"]] = row
    return out


def server_snapshot(base_url: str, feeds: Iterable[str] | None = None) -> dict[str, dict[Any, dict]]:
    """{table: {key: raw}} from fresh full reads of the export feeds."""
    out: dict[str, dict[Any, dict]] = {}
    with RawApi(base_url) as api:
        for feed, (module, path, table) in EXPORTS.items():
            if feeds is not None and feed not in feeds:
                continue
            out.setdefault(table, {}).update(_keyed(feed, api.export(module, path)))
    return out


def server_rows_before(base_url: str, feed: str, token: str | None) -> dict[Any, dict]:
    """The rows of ``feed`` the server handed out *up to* ``token`` (full read minus the read after it)."""
    module, path, _ = EXPORTS[feed]
    with RawApi(base_url) as api:
        full = _keyed(feed, api.export(module, path))
        after = _keyed(feed, api.export(module, path, token)) if token else full
    return {k: v for k, v in full.items() if k not in after}


Cache = str | Path | PgStore
"""A SQLite cache file, or a PostgreSQL store (read through a connection of the helper's own)."""


def connect(cache: Cache) -> Any:
    """A connection of its own to the cache (SQLite's or psycopg's: the statements here read alike in both)."""
    if isinstance(cache, PgStore):
        return psycopg.connect(cache.db.url)
    return sqlite3.connect(cache)


def cache_snapshot(db_path: Cache, tables: Iterable[str] | None = None) -> dict[str, dict[Any, dict]]:
    conn = connect(db_path)
    try:
        out: dict[str, dict[Any, dict]] = {}
        for table in {t for _, _, t in EXPORTS.values()}:
            if tables is not None and table not in tables:
                continue
            if table == "jobs":
                sql = "SELECT j.id, r.raw FROM jobs j JOIN job_raw r ON r.id = j.id"
            elif table == "contacts":
                sql = "SELECT owner_kind, id, raw FROM contacts"
            else:
                sql = f"SELECT id, raw FROM {table}"
            rows = conn.execute(sql).fetchall()
            if table == "contacts":
                out[table] = {(r[0], r[1]): json.loads(r[2]) for r in rows}
            else:
                out[table] = {r[0]: json.loads(r[1]) for r in rows}
        return out
    finally:
        conn.close()


def singles_same(db_path: Cache, base_url: str) -> None:
    """Each one-object feed's cached row (id 1) is the object the server answers now."""
    conn = connect(db_path)
    try:
        with RawApi(base_url) as api:
            for table, (module, path) in SINGLES.items():
                rows = conn.execute(f"SELECT id, active, raw FROM {table}").fetchall()
                assert [(r[0], r[1]) for r in rows] == [(1, 1)], f"{table}: {rows}"
                assert json.loads(rows[0][2]) == api.call("GET", module, path), f"{table} differs from the server"
    finally:
        conn.close()


def list_ids(db_path: Cache) -> dict[str, set[int]]:
    conn = connect(db_path)
    try:
        return {table: {r[0] for r in conn.execute(f"SELECT id FROM {table}")} for table in LISTS}
    finally:
        conn.close()


def state_list_ids(state: Any) -> dict[str, set[int]]:
    return {table: {r["id"] for r in state[coll].values()} for table, coll in LISTS.items()}


def assert_same(cache: dict[str, dict[Any, dict]], server: dict[str, dict[Any, dict]]) -> None:
    """Same tables, same keys, same payloads; the message names what differs."""
    assert set(cache) >= set(server), f"tables missing from the cache: {set(server) - set(cache)}"
    for table, rows in server.items():
        have = cache[table]
        missing = set(rows) - set(have)
        extra = set(have) - set(rows)
        assert not missing, f"{table}: {len(missing)} rows missing from the cache, e.g. {sorted(missing, key=str)[:5]}"
        assert not extra, f"{table}: {len(extra)} rows the server does not have, e.g. {sorted(extra, key=str)[:5]}"
        stale = [k for k in rows if have[k] != rows[k]]
        assert not stale, f"{table}: {len(stale)} rows differ, e.g. {stale[0]}: cache {have[stale[0]]} != server {rows[stale[0]]}"


def integrity(db_path: Cache) -> None:
    """No duplicates and the store's derived data agrees with its rows (and, in SQLite, the file and its indexes are
    sound)."""
    conn = connect(db_path)
    try:
        jobs = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
        assert conn.execute("SELECT count(DISTINCT id) FROM jobs").fetchone()[0] == jobs
        assert conn.execute("SELECT count(*) FROM job_raw").fetchone()[0] == jobs
        assert conn.execute("SELECT coalesce(sum(n), 0) FROM job_counts").fetchone()[0] == jobs
        stored = dict(conn.execute("SELECT status, count(*) FROM jobs WHERE active = 1 GROUP BY status").fetchall())
        counted = conn.execute("SELECT status, sum(n) FROM job_counts WHERE active = 1 GROUP BY status").fetchall()
        assert {status: int(n) for status, n in counted} == stored
        if isinstance(db_path, PgStore):
            return
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM job_search").fetchone()[0] == jobs
        # every job index there, or noted as deferred by a first fill still in progress (a small fill whose feed
        # failed is resumed by the next run); the search index agrees with its content
        deferred = {r[0] for r in conn.execute("SELECT name FROM job_fill_deferred")}
        assert not deferred & job_indexes(conn) and deferred | job_indexes(conn) == schema_job_indexes()
        conn.execute("INSERT INTO jobs_fts(jobs_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


def job_indexes(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' "
                                       "AND sql IS NOT NULL")}


def schema_job_indexes() -> set[str]:
    """The job indexes of a new cache file."""
    with tempfile.TemporaryDirectory() as tmp:
        store = CacheStore(Path(tmp) / "schema.sqlite3")
        try:
            return job_indexes(store.conn)
        finally:
            store.close()
