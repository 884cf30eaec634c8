"""Which database a team cache is, as the board, ``doctor`` and ``sync --watch`` say it: the URL as the profile
wrote it (not a libpq key=value string), and never its password, whether the profile's password command gave one
or the URL held one."""

from __future__ import annotations

from pathlib import Path

import pytest

from jpm_tui.cache.opening import CacheLocation, open_store
from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.pg.db import redacted, with_password

PASSWORD = "s3cret&pw=1 x"
"""Characters a URL must encode, so a password put into it comes out again whole."""


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://jpm@db.office.lan:5433/office?sslmode=require",
     "postgresql://jpm@db.office.lan:5433/office?sslmode=require"),
    ("postgresql://jpm:hunter2@db.office.lan/office", "postgresql://jpm@db.office.lan/office"),
    ("postgres://jpm@db/office?password=hunter2&sslmode=require", "postgres://jpm@db/office?sslmode=require"),
])
def test_a_url_is_shown_as_written_without_its_password(url: str, shown: str) -> None:
    assert redacted(url) == shown


def test_a_key_value_string_loses_its_password() -> None:
    from psycopg.conninfo import conninfo_to_dict

    shown = redacted("host=db.office.lan dbname=office user=jpm password=hunter2")
    assert conninfo_to_dict(shown) == {"host": "db.office.lan", "dbname": "office", "user": "jpm"}


@pytest.mark.parametrize("url", ["postgresql://jpm@db.office.lan/office",
                                 "postgresql://jpm@db.office.lan/office?sslmode=require"])
def test_a_password_added_to_a_url_comes_out_whole_and_is_shown_as_the_url_was(url: str) -> None:
    from psycopg.conninfo import conninfo_to_dict

    full = with_password(url, PASSWORD)
    assert conninfo_to_dict(full)["password"] == PASSWORD
    assert redacted(full) == url


def test_a_team_store_opened_with_the_profiles_password_names_its_url_as_written(
        postgres_url: str, tmp_path: Path) -> None:
    location = CacheLocation(tmp_path / "unused.sqlite3", url=postgres_url, password=lambda: PASSWORD)
    store = open_store(location)  # the test server trusts loopback: the password is sent, not checked
    assert isinstance(store, PgStore)
    with store:
        info = store.info()
        assert store.url == postgres_url == info["url"] == location.where
        assert PASSWORD not in repr(info) and "s3cret" not in store.url
