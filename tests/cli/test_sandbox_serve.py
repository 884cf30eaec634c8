"""`jpm-tui sandbox serve` as a real process: prints a usable profile, stops cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

import httpx
import pytest

from jpm_tui.config import parse_config

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def start(*extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "jpm_tui", "sandbox", "serve", "--port", "0", "--jobs", "100", "--seed", "7", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def read_profile(proc: subprocess.Popen[str], timeout: float = 60.0) -> tuple[str, dict]:
    """Read stdout until the printed profile is complete; returns (text, parsed TOML)."""
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if line.startswith("app_key = "):
            text = "".join(seen)
            return text, tomllib.loads(text)
    proc.kill()
    raise AssertionError(f"no profile printed; stdout={''.join(seen)!r} stderr={proc.stderr.read()!r}")


def token_for(profile: dict) -> dict:
    token = httpx.post(f"{profile['auth_url']}/connect/token", data={
        "grant_type": "client_credentials", "client_id": profile["client_id"],
        "client_secret": profile["client_secret"]}, timeout=10)
    assert token.status_code == 200, token.text
    return token.json()


def jobs(profile: dict, token: dict, **params: str | int) -> dict:
    page = httpx.get(f"{profile['api_url']}/jpm/v2/tenant/{profile['tenant']}/jobs", params=params, timeout=10,
                     headers={"Authorization": f"Bearer {token['access_token']}", "ST-App-Key": profile["app_key"]})
    assert page.status_code == 200, page.text
    return page.json()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sandbox_serve_prints_a_working_profile_and_exits_cleanly(sig: signal.Signals) -> None:
    proc = start("--token-lifetime", "60")
    try:
        text, document = read_profile(proc)
        assert "chmod 600" in text
        profile = document["profiles"]["sandbox"]
        assert profile["environment"] == "custom"
        assert profile["tenant"] == 1234567
        assert profile["api_url"] == profile["auth_url"] and profile["api_url"].startswith("http://127.0.0.1:")
        # the printed table is a valid profile for our own config loader (in a private file)
        parse_config(document, check_private=False).profile("sandbox")

        token = token_for(profile)
        assert token["expires_in"] == 60
        assert jobs(profile, token, pageSize=1, includeTotal="true")["totalCount"] == 100
    finally:
        proc.send_signal(sig)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    stderr = proc.stderr.read() if proc.stderr else ""
    assert code == 0, stderr
    assert "Traceback" not in stderr


def test_sandbox_serve_port_in_use_is_one_line() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "jpm_tui", "sandbox", "serve", "--port", str(port),
                               "--jobs", "100"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(f"jpm-tui: sandbox serve: cannot listen on 127.0.0.1:{port}")


@pytest.mark.parametrize("hostile", [False, True])
def test_sandbox_serve_has_the_hostile_texts_only_with_hostile(hostile: bool) -> None:
    proc = start(*(["--hostile"] if hostile else []))
    try:
        profile = read_profile(proc)[1]["profiles"]["sandbox"]
        summaries = [job["summary"] for job in jobs(profile, token_for(profile), pageSize=10)["data"]]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert any("[bold red]URGENT[/]" in text for text in summaries) is hostile
    assert any("\x1b" in text for text in summaries) is hostile
    assert all(text.strip() for text in summaries)
