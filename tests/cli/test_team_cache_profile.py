"""A profile naming a team's cache (``cache_url``, the password from ``cache_password_env`` or
``cache_password_command``): ``config check`` names the file and key of a bad one, the command line opens the
PostgreSQL store through the one factory, and the password shows nowhere, not even when the database is
unreachable."""

from __future__ import annotations

import pytest
from support.dead_ports import refused_socket, url_of
from support.isolated_config import isolate, profile_config

from jpm_tui.cache.pg.schema import LATEST
from jpm_tui.cli import main
from jpm_tui.config import load_config
from jpm_tui.session import profile_session

PASSWORD = "office-db-pw-7731"


@pytest.mark.parametrize(("line", "problem"), [
    ('cache_url = "postgresql://jpm:pw@db.office.lan/office"', "must not hold the password"),
    ('cache_url = "mysql://db.office.lan/office"', "expected a PostgreSQL URL"),
    ('cache_url = "postgresql://jpm@db.office.lan"', "(it names no database)"),
    ('cache_password_env = "PW"', "only used with cache_url"),
])
def test_config_check_names_the_file_and_key_of_a_bad_team_cache(tmp_path, monkeypatch, capsys, line: str,
                                                                  problem: str) -> None:
    isolate(tmp_path, monkeypatch)
    opts = profile_config(tmp_path, secret=f'client_secret_env = "SBX_SECRET"\n{line}')
    assert main(["config", "check", *opts[:2]]) == 1
    err = capsys.readouterr().err
    key = line.split(" = ")[0]
    assert f"config.toml: profiles.sbx.{key}: " in err and problem in err
    assert "jpm:pw" not in err


def test_the_command_line_opens_the_team_cache_with_its_password_never_shown(
        tmp_path, monkeypatch, capsys, postgres_url: str) -> None:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("OFFICE_DB_PW", PASSWORD)  # the test server trusts: any password is taken
    opts = profile_config(tmp_path, secret=f'client_secret_env = "SBX_SECRET"\ncache_url = "{postgres_url}"\n'
                                           'cache_password_env = "OFFICE_DB_PW"')
    assert main(["cache", "info", "--json", *opts]) == 0
    out = capsys.readouterr()
    assert '"schema_version"' in out.out and f'"url": "{postgres_url}"' in out.out  # the database as written
    assert PASSWORD not in out.out + out.err
    assert not (tmp_path / "xdg-cache" / "jpm-tui" / "sbx" / "cache").exists()  # no SQLite file was made

    assert main(["cache", "info", *opts]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"cache:   {postgres_url}\n") and f"(schema {LATEST}, PostgreSQL 15." in out
    for command in ("purge", "rescue"):  # one person's file only
        assert main(["cache", command, "--yes", *opts] if command == "purge" else ["cache", command, *opts]) == 1
        assert f"cache {command}: the profile's cache is the team's database {postgres_url}, not a file of yours" \
            in capsys.readouterr().err


def test_an_unreachable_team_cache_is_one_line_without_the_password(tmp_path, monkeypatch, capsys) -> None:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("OFFICE_DB_PW", PASSWORD)
    with refused_socket() as sock:
        port = url_of(sock).rsplit(":", 1)[1]
        opts = profile_config(tmp_path, secret=f'client_secret_env = "SBX_SECRET"\n'
                                               f'cache_url = "postgresql://jpm@127.0.0.1:{port}/office"\n'
                                               'cache_password_command = "echo office-db-pw-7731"')
        assert main(["outbox", "list", *opts]) == 1
    err = capsys.readouterr().err
    assert err == f"jpm-tui: the team cache postgresql://jpm@127.0.0.1:{port}/office cannot be reached: Connection refused\n"


def test_the_session_resolves_the_cache_password_once(tmp_path, monkeypatch) -> None:
    isolate(tmp_path, monkeypatch)
    calls, kept = tmp_path / "calls", tmp_path / "kept"
    kept.write_text(PASSWORD)
    opts = profile_config(tmp_path, secret='client_secret_env = "SBX_SECRET"\n'
                                           'cache_url = "postgresql://jpm@db.office.lan/office"\n'
                                           f'cache_password_command = "echo x >> {calls}; cat {kept}"')
    config = load_config(opts[1])
    session = profile_session(config, config.profile("sbx"), tmp_path / "cache")
    location = session.cache_location
    assert location.shared and location.where == "postgresql://jpm@db.office.lan/office"
    assert PASSWORD in location.conninfo() and PASSWORD in location.conninfo()
    assert calls.read_text() == "x\n"
    assert PASSWORD not in repr(session) + repr(location)
