"""`jpm-tui doctor` against a real sandbox over loopback: exact lines for each way it can fail."""

from __future__ import annotations

import io
import socket
import sys
from pathlib import Path

import pytest

from jpm_tui.cli import main


def _client_written() -> bool:
    try:
        import jpm_tui.api.client  # noqa: F401
        import jpm_tui.api.errors  # noqa: F401
    except ModuleNotFoundError:
        return False
    return True


# The API step uses jpm_tui.api.client, written in parallel; until it exists those tests skip, saying so.
needs_client = pytest.mark.skipif(not _client_written(), reason="jpm_tui.api.client is not written yet")

TENANT, CLIENT_ID, CLIENT_SECRET, APP_KEY = 1234567, "sandbox-client", "sandbox-secret", "sandbox-app-key"


def server_url(server: object) -> str:
    for name in ("url", "base_url", "api_url"):
        value = getattr(server, name, None)
        if value:
            return str(value).rstrip("/")
    return str(server).rstrip("/")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("JPM_TUI_CONFIG", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


def make_config(tmp_path: Path, url: str, *, secret: str = CLIENT_SECRET, app_key: str = APP_KEY,
                tenant: int = TENANT, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SBX_SECRET", secret)
    path = tmp_path / "config.toml"
    path.write_text(f"""\
[profiles.sbx]
environment = "custom"
api_url = "{url}"
auth_url = "{url}"
tenant = {tenant}
client_id = "{CLIENT_ID}"
app_key = "{app_key}"
client_secret_env = "SBX_SECRET"
""")
    path.chmod(0o600)
    return path


def doctor(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["doctor", "--config", str(path)])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@needs_client
def test_doctor_all_good(sandbox_server: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    url = server_url(sandbox_server)
    path = make_config(tmp_path, url, monkeypatch=monkeypatch)
    code, lines, err = doctor(path, capsys)
    host = url.split("://", 1)[1]
    assert lines[:3] == [
        f"✓ config: {path} is valid; profile sbx (tenant {TENANT}, custom)",
        "✓ secret: resolved from environment variable SBX_SECRET",
        f"✓ auth: token fetched from {host} (expires in 900 s)",
    ]
    assert len(lines) == 4 and lines[3].startswith(f"✓ api: tenant {TENANT} answered GET jpm job-types")
    assert (code, err) == (0, "")


def test_doctor_bad_client_secret(sandbox_server: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = make_config(tmp_path, server_url(sandbox_server), secret="wrong-secret", monkeypatch=monkeypatch)
    code, lines, _ = doctor(path, capsys)
    assert code == 1
    assert lines[1:] == [
        "✓ secret: resolved from environment variable SBX_SECRET",
        "✗ auth: ServiceTitan rejected the client credentials (HTTP 400: invalid_client); check client_id "
        "'sandbox-client' and the secret from environment variable SBX_SECRET",
    ]
    assert "wrong-secret" not in "\n".join(lines)


@needs_client
def test_doctor_wrong_app_key(sandbox_server: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    path = make_config(tmp_path, server_url(sandbox_server), app_key="not-the-key", monkeypatch=monkeypatch)
    code, lines, _ = doctor(path, capsys)
    assert code == 1
    assert lines[2].startswith("✓ auth: token fetched")
    assert lines[3] == (f"✗ api: ServiceTitan refused the app key or tenant (HTTP 403: Forbidden: the application "
                        f"key is not valid.); check app_key and that tenant {TENANT} has installed this app")


@needs_client
def test_doctor_wrong_tenant(sandbox_server: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    path = make_config(tmp_path, server_url(sandbox_server), tenant=999, monkeypatch=monkeypatch)
    code, lines, _ = doctor(path, capsys)
    assert code == 1
    assert lines[3] == ("✗ api: ServiceTitan refused the app key or tenant (HTTP 403: Forbidden: tenant 999 is not "
                        "connected to this application.); check app_key and that tenant 999 has installed this app")


def test_doctor_unreachable_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    path = make_config(tmp_path, f"http://127.0.0.1:{port}", monkeypatch=monkeypatch)
    code, lines, _ = doctor(path, capsys)
    assert code == 1
    assert lines[2:] == [f"✗ auth: could not reach 127.0.0.1:{port}: connection refused"]


def test_doctor_bad_config_stops_at_first_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[profiles.sbx]\nenvironment = 'production'\ntenant = 'abc'\n")
    code, lines, _ = doctor(path, capsys)
    assert code == 1
    assert lines == [f"✗ config: {path}: profiles.sbx.tenant: expected a positive integer, got 'abc'"]


def test_doctor_missing_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    path = make_config(tmp_path, "http://127.0.0.1:9", monkeypatch=monkeypatch)
    monkeypatch.delenv("SBX_SECRET")
    code, lines, _ = doctor(path, capsys)
    assert code == 1
    assert lines[1:] == [
        f"✗ secret: {path}: profiles.sbx.client_secret_env: environment variable SBX_SECRET is not set"]


@needs_client
def test_doctor_demo(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["doctor", "--demo", "--demo-jobs", "100"])
    lines = capsys.readouterr().out.splitlines()
    assert [line[:1] for line in lines] == ["✓"] * 4, lines
    assert code == 0
