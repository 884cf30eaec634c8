"""README's "team in three steps", step 3: a board's profile names the backend, the team cache and its password
source, nothing else. ``config check`` and ``doctor`` take it without a backend secret, the board opens on the
team cache, and ``sync --watch`` on it (the service needs the credentials) says which keys it lacks."""

from __future__ import annotations

from pathlib import Path

from support.isolated_config import isolate, profile_config

from jpm_tui.cache.team_live import TeamLive
from jpm_tui.cli import main
from jpm_tui.config import BoardProfile, load_config
from jpm_tui.session import board_app, profile_session
from jpm_tui.ui.widgets.status_line import StatusLine

PASSWORD = "office-db-pw-7731"


def _board_config(tmp_path: Path, cache_url: str) -> list[str]:
    """The README's step 3, as written (the cache URL the test server's)."""
    path = tmp_path / "config.toml"
    path.write_text('dispatcher_name = "Ann Lee"\n\n[profiles.office]\nbackend = "servicetitan"\n'
                    f'cache_url = "{cache_url}"\ncache_password_env = "JPM_OFFICE_DB_PASSWORD"\n')
    path.chmod(0o600)
    return ["--config", str(path), "--profile", "office"]


def test_a_board_profile_needs_no_backend_credentials_and_opens_on_the_team_cache(
        tmp_path, monkeypatch, capsys, postgres_url: str) -> None:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("JPM_OFFICE_DB_PASSWORD", PASSWORD)  # the test server trusts: any password is taken
    opts = _board_config(tmp_path, postgres_url)

    assert main(["config", "check", *opts[:2]]) == 0
    assert "config.toml: OK (1 profile: office; default office;" in capsys.readouterr().out

    assert main(["doctor", *opts]) == 0
    out = capsys.readouterr().out
    assert "✓ config: " in out and "profile office is a board on the team cache" in out
    assert f"✓ cache: {postgres_url} answered" in out and "✓ notifications:" in out
    assert "secret" not in out.replace("no backend secret", "") and PASSWORD not in out



def test_config_check_says_what_it_checked_of_a_board_profile_and_claims_no_client_secret(
        tmp_path, monkeypatch, capsys) -> None:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("JPM_OFFICE_DB_PASSWORD", PASSWORD)
    opts = _board_config(tmp_path, "postgresql://jpm@db.office.lan/jpm_office")
    assert main(["config", "check", *opts[:2]]) == 0
    out = capsys.readouterr().out
    assert out.endswith("config.toml: OK (1 profile: office; default office; office's team cache "
                        "postgresql://jpm@db.office.lan/jpm_office: password from environment variable "
                        "JPM_OFFICE_DB_PASSWORD resolved)\n")
    assert "secret" not in out and PASSWORD not in out


def test_config_check_of_a_sync_service_and_a_board_says_each_one_s_checks(tmp_path, monkeypatch, capsys) -> None:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("SBX_SECRET", "from-env")
    monkeypatch.setenv("OFFICE_DB_PW", PASSWORD)
    service = 'client_secret_env = "SBX_SECRET"\ncache_url = "postgresql://jpm@db.office.lan/jpm_office"\n' \
              'cache_password_env = "OFFICE_DB_PW"\n'
    opts = profile_config(tmp_path, secret=service + '\n[profiles.office]\nbackend = "servicetitan"\n'
                                                     'cache_url = "postgresql://ann@db.office.lan/jpm_office"')
    assert main(["config", "check", *opts[:2]]) == 0
    out = capsys.readouterr().out
    assert out.endswith("OK (2 profiles: office, sbx; every client secret resolved; office's team cache "
                        "postgresql://ann@db.office.lan/jpm_office: no password given (the server trusts the user, "
                        "or ~/.pgpass has it); sbx's team cache postgresql://jpm@db.office.lan/jpm_office: password "
                        "from environment variable OFFICE_DB_PW resolved)\n")
    monkeypatch.delenv("OFFICE_DB_PW")  # the service's cache password is resolved too
    assert main(["config", "check", *opts[:2]]) == 1
    assert "profiles.sbx.cache_password_env: environment variable OFFICE_DB_PW is not set" in capsys.readouterr().err


async def test_the_board_of_a_board_profile_opens_on_the_team_cache(tmp_path, monkeypatch, postgres_url: str) -> None:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("JPM_OFFICE_DB_PASSWORD", PASSWORD)
    opts = _board_config(tmp_path, postgres_url)
    config = load_config(Path(opts[1]))
    profile = config.profile("office")
    assert isinstance(profile, BoardProfile)
    session = profile_session(config, profile, tmp_path / "cache")
    store = session.open_store()
    try:
        app = board_app(session, store)
        assert isinstance(app.live, TeamLive)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            header = str(app.screen.query_one(StatusLine).render())
            assert "office · team cache" in header
            assert app.live.outbox.author == "Ann Lee"
    finally:
        store.close()


def test_sync_watch_on_a_board_profile_names_the_keys_the_service_needs(tmp_path, monkeypatch, capsys) -> None:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("JPM_OFFICE_DB_PASSWORD", PASSWORD)
    assert main(["sync", "--watch", *_board_config(tmp_path, "postgresql://jpm@db.office.lan/jpm_office")]) == 1
    err = capsys.readouterr().err
    assert "profiles.office: a team board's profile (cache_url alone) cannot talk to the backend; the sync " \
           "service's profile needs environment, tenant, client_id, app_key, a client secret" in err


def test_a_profile_with_some_credentials_is_the_backend_s_and_needs_them_all(tmp_path, monkeypatch, capsys) -> None:
    isolate(tmp_path, monkeypatch)
    path = tmp_path / "config.toml"
    path.write_text('[profiles.office]\ncache_url = "postgresql://jpm@db.office.lan/jpm_office"\ntenant = 12\n')
    path.chmod(0o600)
    assert main(["config", "check", "--config", str(path)]) == 1
    assert "profiles.office.environment: required key is missing" in capsys.readouterr().err
