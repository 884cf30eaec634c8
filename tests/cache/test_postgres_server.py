"""The test PostgreSQL server (tests/support/postgres.py): it runs, and every test's database is its own."""

from __future__ import annotations

import psycopg


def test_each_test_gets_a_fresh_database_of_a_running_server(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        assert conn.execute("SELECT current_setting('server_version_num')::int").fetchone()[0] >= 120000
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        conn.execute("CREATE TABLE mine (id int)")  # left behind: the next test's database must not have it
    assert tables == 0


def test_a_second_test_does_not_see_the_first_ones_tables(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT to_regclass('mine')").fetchone()[0] is None
