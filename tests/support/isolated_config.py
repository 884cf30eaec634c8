"""What the issue-16 fault tests share (imported by name): private home folders, and a config with one profile
whose secret comes from $SBX_SECRET ("sandbox-secret")."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

SECRET = "sandbox-secret"
NOWHERE = "http://127.0.0.1:9"  # a server these tests never reach


def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Home, cache, state (logs) and data folders inside ``tmp_path``; no config from the environment; stdin is
    not a terminal."""
    for name, folder in (("HOME", "home"), ("XDG_CACHE_HOME", "xdg-cache"), ("XDG_STATE_HOME", "xdg-state"),
                         ("XDG_DATA_HOME", "xdg-data")):
        monkeypatch.setenv(name, str(tmp_path / folder))
    monkeypatch.delenv("JPM_TUI_CONFIG", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("SBX_SECRET", SECRET)
    return tmp_path


def profile_config(tmp_path: Path, url: str = NOWHERE, *, top: str = "",
                   secret: str = 'client_secret_env = "SBX_SECRET"', timezone: str | None = None) -> list[str]:
    """A private config file with the profile ``sbx`` (``top``: lines before it); returns the options naming it."""
    path = tmp_path / "config.toml"
    profile = {"environment": '"custom"', "api_url": f'"{url}"', "auth_url": f'"{url}"', "tenant": "1234567",
               "client_id": '"sandbox-client"', "app_key": '"sandbox-app-key"', "rate_limit": "1000"}
    if timezone is not None:
        profile["timezone"] = f'"{timezone}"'
    path.write_text(top + "[profiles.sbx]\n" + "".join(f"{k} = {v}\n" for k, v in profile.items()) + secret + "\n")
    path.chmod(0o600)
    return ["--config", str(path), "--profile", "sbx"]


def cache_file(tmp_path: Path) -> Path:
    """Where the profile's cache is (``isolate``'s cache folder)."""
    return tmp_path / "xdg-cache" / "jpm-tui" / "sbx" / "cache" / "custom-1234567.sqlite3"
