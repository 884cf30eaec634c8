"""The cache in PostgreSQL: ``PgStore``, the ``Store`` (``jpm_tui.cache.store.interface``) a team shares, opened from
a ``postgresql://`` URL. Same tables, rows and reads as the SQLite store (``jpm_tui.cache.store``), whose table specs,
row cells and prepared writes it shares.

Modules: ``schema`` (migrations; what differs from SQLite and why), ``db`` (connections per thread, transactions,
migrating), ``derived`` (what jobs derive, as SQL), ``writes`` (upserts and their upkeep), ``feeds`` (tokens),
``job_list`` (filters, counts, windows), ``search`` and ``words_schema`` (text search in a words table), ``reads`` (records, lookups, calendar, projects), ``pg_store``.
"""

from __future__ import annotations

from jpm_tui.cache.pg.pg_store import PgStore

__all__ = ["PgStore"]
