"""The backends table: a profile names its backend and is checked by that backend's keys; each backend has its own
cache file (ServiceTitan's names unchanged); doctor checks an FSM Navigator profile against its sandbox over HTTP;
the sandbox's paste-ready profile is one the config accepts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jpm_tui.backends import BACKENDS
from jpm_tui.cli import main
from jpm_tui.config import ConfigError, parse_config
from jpm_tui.provider.backends import WORKFLOWS
from jpm_tui.sandbox.fsm_navigator import build_state, create_app
from jpm_tui.sandbox.fsm_navigator.server import profile_text
from jpm_tui.sandbox.server import running_server
from jpm_tui.session import demo_session, profile_session


def _problem(table: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config({"profiles": {"acme": table}}, Path("/x/config.toml"))
    return str(caught.value)


def test_every_workflow_is_a_backend() -> None:
    assert set(BACKENDS) == set(WORKFLOWS)


def test_an_fsm_profile_is_checked_by_its_own_keys() -> None:
    base = {"backend": "fsm-navigator", "api_key_env": "FSM_KEY"}
    profile = parse_config({"profiles": {"acme": base}}).profile()
    assert (profile.api_url, profile.environment, profile.account) == (
        "https://fsmnavigator.com/api/v1", "production", "fsmnavigator.com")
    assert _problem({**base, "tenant": 5}) == "/x/config.toml: profiles.acme.tenant: unknown key"
    assert _problem({**base, "api_kee_env": "X"}) == (
        "/x/config.toml: profiles.acme.api_kee_env: unknown key (did you mean 'api_key_env'?)")
    assert _problem({"backend": "fsm-navigator"}) == (
        "/x/config.toml: profiles.acme: no API key: set one of api_key_env, api_key_command, api_key_file or api_key")
    assert _problem({**base, "api_key_command": "pass fsm"}) == (
        "/x/config.toml: profiles.acme: give the API key one way only, not api_key_env and api_key_command")
    assert _problem({**base, "api_url": "http://fsm.example.com"}) == (
        "/x/config.toml: profiles.acme.api_url: expected an https:// URL (http:// only for localhost), "
        "got 'http://fsm.example.com'")
    assert _problem({"backend": "jobber"}) == (
        '/x/config.toml: profiles.acme.backend: expected "servicetitan", "fsm-navigator" or "bigchange", '
        "got 'jobber'")


def test_an_api_key_file_must_be_private(tmp_path: Path) -> None:
    key = tmp_path / "fsm.key"
    key.write_text("fsm_live_abc\n")
    os.chmod(key, 0o644)
    profile = parse_config({"profiles": {"acme": {"backend": "fsm-navigator", "api_key_file": str(key)}}}).profile()
    with pytest.raises(ConfigError, match=r"profiles.acme.api_key_file: .* must be private to you; run `chmod 600"):
        profile.resolve_secret()
    os.chmod(key, 0o600)
    assert profile.resolve_secret() == "fsm_live_abc"


def test_one_cache_file_per_backend_account_and_environment(tmp_path: Path) -> None:
    st = parse_config({"profiles": {"st": {"environment": "production", "tenant": 42, "client_id": "c",
                                           "app_key": "k", "client_secret_env": "S"}}})
    fsm = parse_config({"profiles": {"fsm": {"backend": "fsm-navigator", "api_key_env": "K",
                                             "api_url": "https://eu.fsmnavigator.com/api/v1"}}})
    assert profile_session(st, st.profile(), tmp_path).cache_file == tmp_path / "st/cache/production-42.sqlite3"
    assert profile_session(fsm, fsm.profile(), tmp_path).cache_file == (
        tmp_path / "fsm/cache/fsm-navigator-custom-eu.fsmnavigator.com.sqlite3")
    assert demo_session(tmp_path, jobs=5).cache_file == tmp_path / "cache/sandbox-1234567.sqlite3"
    assert demo_session(tmp_path, jobs=5, backend="fsm-navigator").cache_file == (
        tmp_path / "cache/fsm-navigator-sandbox-sandbox.sqlite3")


def test_doctor_checks_an_fsm_profile_against_its_sandbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app(build_state(jobs=12, seed=3))
    with running_server(app) as base_url:
        config = tmp_path / "config.toml"
        config.write_text(profile_text(base_url))
        os.chmod(config, 0o600)
        assert main(["--config", str(config), "config", "check"]) == 0
        assert main(["--config", str(config), "doctor"]) == 0
        out = capsys.readouterr().out
        assert f"profile fsm-sandbox ({base_url}/api/v1, custom)" in out
        assert "✓ secret: resolved from the config file" in out
        assert "answered GET jobs (12 jobs)" in out
        config.write_text(profile_text(base_url, api_key="fsm_test_wrong"))
        assert main(["--config", str(config), "doctor"]) == 1
        assert "✗ api: FSM Navigator refused the API key (HTTP 401: Invalid API key)" in capsys.readouterr().out
