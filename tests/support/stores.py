"""Both cache stores for one test suite: ``STORES`` parametrizes a test (or a fixture) over the SQLite file and the
PostgreSQL database, ``open_store`` opens the one asked for, empty. A PostgreSQL store gets a fresh database of the
session's server (tests/support/postgres.py), asked for only when it is used: SQLite runs need no server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.store import CacheStore
from jpm_tui.cache.store.interface import Store

if TYPE_CHECKING:
    from support.postgres import PostgresServer

STORES = ["sqlite", "postgresql"]
"""The stores a test runs against (``params=STORES`` / ``both_stores``)."""

both_stores = pytest.mark.parametrize("store", STORES, indirect=True)
"""A test of behaviour every store must have, on the ``store`` fixture: it runs against each store."""


@contextmanager
def open_store(request: pytest.FixtureRequest, directory: Path) -> Iterator[Store]:
    """An empty store of the kind ``request.param`` names (SQLite when it names none), closed after."""
    kind = getattr(request, "param", "sqlite")
    if kind == "sqlite":
        with CacheStore(directory / "cache.sqlite3") as store:
            yield store
        return
    from support.postgres import fresh_database  # here: the module is also a pytest plugin, registered by conftest

    server: PostgresServer = request.getfixturevalue("postgres_server")
    with fresh_database(server) as url, PgStore(url) as pg:
        yield pg
