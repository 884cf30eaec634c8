"""BigChange as a backend from the CLI: its profile checked by its own keys with the config's messages, its cache
file, `sandbox serve --backend bigchange`'s paste-ready profile accepted by `config check`, and doctor's check
against the served sandbox (a wrong customer id named)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jpm_tui.cli import main
from jpm_tui.config import ConfigError, parse_config
from jpm_tui.sandbox.bigchange import build_state, create_app, profile_toml
from jpm_tui.sandbox.server import running_server
from jpm_tui.session import demo_session, profile_session

BASE = {"backend": "bigchange", "auth_url": "https://auth.bigchange.com/connect/token", "client_id": "pbs",
        "client_secret_env": "BC_SECRET", "customer_id": 14532}


def _problem(table: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config({"profiles": {"pbs": table}}, Path("/x/config.toml"))
    return str(caught.value)


def test_a_bigchange_profile_is_checked_by_its_own_keys(tmp_path: Path) -> None:
    config = parse_config({"profiles": {"pbs": BASE}})
    profile = config.profile()
    assert (profile.api_url, profile.environment, profile.account) == ("https://api.bigchange.com/v1", "production",
                                                                       14532)
    assert profile_session(config, profile, tmp_path).cache_file == (
        tmp_path / "pbs/cache/bigchange-production-14532.sqlite3")
    assert demo_session(tmp_path, jobs=5, backend="bigchange").cache_file == (
        tmp_path / "cache/bigchange-sandbox-14532.sqlite3")
    assert _problem({**BASE, "tenant": 5}) == "/x/config.toml: profiles.pbs.tenant: unknown key"
    assert _problem({**BASE, "customer_id": "acme"}).startswith("/x/config.toml: profiles.pbs.customer_id: expected")
    assert _problem({**BASE, "client_secret_file": "secret.txt"}).startswith(
        "/x/config.toml: profiles.pbs.client_secret_file: expected an absolute path")
    assert _problem({k: v for k, v in BASE.items() if k != "client_secret_env"}) == (
        "/x/config.toml: profiles.pbs: no client secret: set one of client_secret_env, client_secret_command, "
        "client_secret_file or client_secret")
    assert _problem({**BASE, "auth_url": "http://auth.example.com/token"}).startswith(
        "/x/config.toml: profiles.pbs.auth_url: expected an https:// URL")


def test_doctor_checks_the_served_sandbox_with_the_printed_profile(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with running_server(create_app(build_state(jobs=12, seed=3, rate_limit=None))) as base_url:
        config = tmp_path / "config.toml"
        config.write_text(profile_toml(base_url))
        os.chmod(config, 0o600)
        assert main(["--config", str(config), "config", "check"]) == 0
        assert main(["--config", str(config), "doctor"]) == 0
        assert f"answered GET jobs as customer 14532" in capsys.readouterr().out
        config.write_text(profile_toml(base_url, customer_id=999))
        assert main(["--config", str(config), "doctor"]) == 1
        assert "BigChange refused the sign-in or customer 999" in capsys.readouterr().out
