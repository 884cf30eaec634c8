"""`jpm-tui doctor` on a profile naming a team's cache: after the backend's checks, the database (reachable, our
credentials), its schema version and its notification channel (a LISTEN/NOTIFY round trip), one line each; the
password shows nowhere."""

from __future__ import annotations

import re
from typing import Any

import psycopg
from support.dead_ports import refused_socket
from support.isolated_config import isolate, profile_config

from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.pg.schema import LATEST
from jpm_tui.cli import main

PASSWORD = "office-db-pw-7731"


def _options(tmp_path: Any, monkeypatch: Any, api_url: str, cache_url: str) -> list[str]:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("OFFICE_DB_PW", PASSWORD)  # the test server trusts: any password is taken
    return profile_config(tmp_path, api_url, secret=f'client_secret_env = "SBX_SECRET"\ncache_url = "{cache_url}"\n'
                                                    'cache_password_env = "OFFICE_DB_PW"')


def _cache_lines(out: str) -> list[str]:
    return [re.sub(r"\d+ ms", "N ms", line) for line in out.splitlines()
            if line[2:].startswith(("cache:", "notifications:"))]


def test_doctor_checks_the_team_cache_its_schema_and_its_notifications(
        tmp_path, monkeypatch, capsys, sandbox_server: Any, postgres_url: str) -> None:
    opts = _options(tmp_path, monkeypatch, sandbox_server.base_url, postgres_url)
    assert main(["doctor", *opts]) == 0
    out = capsys.readouterr().out
    assert _cache_lines(out) == [
        f"✓ cache: {postgres_url} answered (PostgreSQL 15)",
        f"✓ cache: schema version none yet; the first board or sync --watch to open it brings it to {LATEST}",
        "✓ notifications: a NOTIFY on jpm_tui_changes reached a listener in N ms",
    ]
    assert "✓ api: tenant" in out and PASSWORD not in out

    PgStore(postgres_url).close()  # a board opened it
    assert main(["doctor", *opts]) == 0
    assert f"✓ cache: schema version {LATEST} (current)" in _cache_lines(capsys.readouterr().out)


def test_doctor_says_a_schema_newer_than_it_knows(tmp_path, monkeypatch, capsys, sandbox_server: Any,
                                                  postgres_url: str) -> None:
    PgStore(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("UPDATE jpm_schema SET version = %s", (LATEST + 1,))
    assert main(["doctor", *_options(tmp_path, monkeypatch, sandbox_server.base_url, postgres_url)]) == 1
    assert _cache_lines(capsys.readouterr().out)[1:] == [
        f"✗ cache: schema version {LATEST + 1} is newer than this jpm-tui knows ({LATEST}): upgrade jpm-tui"]


def test_doctor_says_an_unreachable_team_cache_without_its_password(tmp_path, monkeypatch, capsys,
                                                                    sandbox_server: Any) -> None:
    with refused_socket() as sock:
        url = f"postgresql://jpm@127.0.0.1:{sock.getsockname()[1]}/office"
        assert main(["doctor", *_options(tmp_path, monkeypatch, sandbox_server.base_url, url)]) == 1
    out = capsys.readouterr().out
    assert _cache_lines(out) == [
        f"✗ cache: the team cache {url} cannot be reached: Connection refused; check cache_url, the server, and the "
        "password (cache_password_env or cache_password_command)"]
    assert PASSWORD not in out
