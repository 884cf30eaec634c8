"""`jpm-tui` / `jpm-tui --demo`: which session the board gets, and what is (not) touched on the way."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

import jpm_tui.session as session_module
from jpm_tui.cli import main
from jpm_tui.session import Session


@pytest.fixture
def opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Session]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    sessions: list[Session] = []

    def fake_open_board(session: Session) -> int:
        sessions.append(session)
        assert session.cache_dir.is_dir() or not session.demo
        return 0

    monkeypatch.setattr(session_module, "open_board", fake_open_board)
    return sessions


def test_demo_reads_no_config_and_uses_a_temporary_cache(opened: list[Session], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("this is not toml")
    monkeypatch.setenv("JPM_TUI_CONFIG", str(broken))
    assert main(["--demo", "--demo-jobs", "100"]) == 0
    (session,) = opened
    assert session.demo and session.profile_name == "demo" and session.environment == "sandbox"
    assert session.tenant == 1234567 and session.config is None
    assert not str(session.cache_dir).startswith(str(Path.home()))
    assert not session.cache_dir.exists()  # removed when the board closed
    assert session.sandbox_app.state.sandbox["jobs"] is not None


def test_board_for_default_profile_resolves_no_secret(opened: list[Session], tmp_path: Path) -> None:
    marker = tmp_path / "secret-command-ran"
    path = tmp_path / "config.toml"
    path.write_text(f"""\
theme = "light"
[keys]
sync = "ctrl+r"
[profiles.acme]
environment = "integration"
tenant = 42
client_id = "cid"
app_key = "key"
client_secret_command = "touch {marker}; echo s"
""")
    assert main(["--config", str(path)]) == 0
    (session,) = opened
    assert (session.profile_name, session.tenant, session.environment) == ("acme", 42, "integration")
    assert session.api_url == "https://api-integration.servicetitan.io"
    assert session.cache_dir == Path.home() / ".cache" / "jpm-tui" / "acme" or sys.platform != "linux"
    assert session.theme == "light" and session.keys == {"sync": "ctrl+r"}
    assert session.theme_dirs == [tmp_path / "themes"]
    assert not marker.exists()  # lazy: the secret is fetched when the board connects


def test_board_unknown_profile_is_one_line(opened: list[Session], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.acme]\nenvironment = "production"\ntenant = 1\nclient_id = "c"\napp_key = "k"\n'
                    'client_secret_env = "X"\n')
    assert main(["--config", str(path), "--profile", "beta"]) == 1
    assert capsys.readouterr().err == f"jpm-tui: {path}: no profile named 'beta' (profiles: acme)\n"
    assert opened == []


async def test_placeholder_screen_quits_on_q() -> None:
    from jpm_tui.ui.coming_soon import ComingSoonApp

    session = Session(profile_name="acme", tenant=42, environment="production", api_url="https://x",
                      cache_dir=Path("/nonexistent"))
    app = ComingSoonApp(session)
    async with app.run_test() as pilot:
        text = str(app.query_one("Static").render())
        assert "board coming soon" in text and "acme" in text and "42" in text
        await pilot.press("q")
    assert app.return_code == 0
