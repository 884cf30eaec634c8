"""The SQLite cache of one (environment, tenant): ``CacheStore`` and what its callers name.

* One file per (environment, tenant) under the user data dir (``CacheStore.path_for``), created 0600, WAL,
  ``synchronous=NORMAL``, schema versioned by ``PRAGMA user_version`` (``jpm_tui.cache.schema``).
* Writes: ``upsert(table, rows)`` of domain rows (``jpm_tui.provider.domain``), ``INSERT ... ON CONFLICT DO
  UPDATE``; inactive rows are stored with active=0, never deleted. The sync engine does one transaction
  per page *with its token*::

      with store.transaction():
          store.upsert(feed.table, page.rows)
          store.save_token(feed.name, page.token, rows=len(page.rows))

  Upserts keep the job list's denormalised columns (customer name, location, next appointment,
  technicians, job type and business unit names) and the search index current, inside the same transaction.
* Reads for the UI (which never writes SQL): ``JobQuery`` -> ``jobs_window`` / ``count_jobs`` (light
  ``JobListRow``s) / ``bookmark_job_list`` (a background walk for deep windows), ``job``,
  ``appointments_for_job``, ``notes_for_job``, ... , ``appointments_between``, lookups, project window/count,
  ``counts``, ``info``.

Threads: one connection per thread (created on first use), so the UI's reader thread and the sync engine
never share a connection. WAL lets readers run while a writer commits.

The modules (``CacheStore``, in ``cache_store``, calls one of them per method):
``db`` (the file, connections, pragmas, transactions, data version), ``migrate`` (schema upgrades),
``tables`` (table specs), ``rows`` (domain rows <-> cells), ``job_chunks`` (jobs made ready to write),
``derived`` (the jobs table's denormalised columns, counters and search rows, as SQL), ``upserts`` (each table's
write and upkeep), ``writer`` (prepare, combine, upsert, deactivate), ``first_fill``, ``feed_state`` (tokens),
``job_list/`` (query, search, kept matches, SQL, planner, counts, windows, bookmarks), ``reads`` (records and
lookups), ``calendar_reads``, ``project_list``, ``info``; ``sql_text`` and ``deferred`` are shared by them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from jpm_tui.cache.health import CacheFault
from jpm_tui.cache.store.cache_store import CacheStore
from jpm_tui.cache.store.errors import CacheError, CacheTooNew
from jpm_tui.cache.store.job_list.query import JobListRow, JobQuery
from jpm_tui.cache.store.job_list.search import fts_query

if TYPE_CHECKING:
    from jpm_tui.cache.store.feed_state import SyncState
    from jpm_tui.cache.store.project_list import ProjectListRow, ProjectQuery
    from jpm_tui.cache.store.tables import row_fields
    from jpm_tui.cache.store.writer import PreparedRows

# The store's inner names that tests and benches import from here, under the names they had in store.py.
from jpm_tui.cache.store.derived import COUNT_JOBS as _COUNT_JOBS  # noqa: F401
from jpm_tui.cache.store.derived import JOB_COLUMNS as _JOB_COLUMNS  # noqa: F401
from jpm_tui.cache.store.derived import REFRESH_APPT_DERIVED as _REFRESH_APPT_DERIVED  # noqa: F401
from jpm_tui.cache.store.derived import REFRESH_JOB_NAMES as _REFRESH_JOB_NAMES  # noqa: F401
from jpm_tui.cache.store.derived import REFRESH_NEXT_APPT as _REFRESH_NEXT_APPT  # noqa: F401
from jpm_tui.cache.store.derived import REFRESH_SEARCH_INSERT as _REFRESH_SEARCH_INSERT  # noqa: F401
from jpm_tui.cache.store.first_fill import FILL_KEEP as _FILL_KEEP  # noqa: F401
from jpm_tui.cache.store.job_list.query import query_key as _query_key  # noqa: F401
from jpm_tui.cache.store.job_list.search import fts_match as _fts_match  # noqa: F401
from jpm_tui.cache.store.job_list.search import kept_match as _kept_match  # noqa: F401
from jpm_tui.cache.store.sql_text import IDS as _IDS  # noqa: F401

__all__ = [
    "CacheError",
    "CacheFault",
    "CacheStore",
    "CacheTooNew",
    "JobListRow",
    "JobQuery",
    "PreparedRows",
    "ProjectListRow",
    "ProjectQuery",
    "SyncState",
    "TABLES",
    "fts_query",
    "row_fields",
]

_LATER = {
    # name -> (module, its name there), loaded on first use as the modules of writes and other reads are
    "PreparedRows": ("writer", "PreparedRows"),
    "ProjectListRow": ("project_list", "ProjectListRow"),
    "ProjectQuery": ("project_list", "ProjectQuery"),
    "SyncState": ("feed_state", "SyncState"),
    "row_fields": ("tables", "row_fields"),
    "_job_values": ("job_chunks", "job_values"),
}


def __getattr__(name: str) -> Any:
    if name == "TABLES":  # built on first use, with the domain module (see deferred)
        return importlib.import_module(f"{__name__}.tables").tables()
    later = _LATER.get(name)
    if later is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attr = later
    return getattr(importlib.import_module(f"{__name__}.{module}"), attr)
