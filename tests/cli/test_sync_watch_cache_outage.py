"""`jpm-tui sync --watch` on a team's PostgreSQL cache, as a real subprocess, when the database is cut off (a proxy
between the service and the server closes every connection and refuses new ones): it names its database by the URL
the profile wrote, says the outage in one line, and SIGTERM during it ends it at once with exit 0."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from psycopg.conninfo import conninfo_to_dict
from support.isolated_config import SECRET, profile_config
from support.tcp_proxy import tcp_proxy

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")

PASSWORD = "office-db-pw-7731"
"""The profile's database password (the test server trusts loopback: sent, not checked), never printed."""


def _line(proc: subprocess.Popen[str], timeout: float) -> str:
    """The next line it says, without its timestamp."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, f"the service said nothing within {timeout} s"
    text = proc.stdout.readline()
    assert text, f"the service ended: {proc.wait()}"
    return text.rstrip("\n").split(" ", 2)[2]


def test_sigterm_during_a_cache_outage_ends_the_service_at_once_with_exit_0(
        tmp_path: Path, sandbox_server: Any, postgres_url: str) -> None:
    params = conninfo_to_dict(postgres_url)
    with tcp_proxy(str(params["host"]), int(params["port"])) as proxy:
        through = postgres_url.replace(f":{params['port']}/", f":{proxy.port}/")
        options = profile_config(tmp_path, sandbox_server.base_url,
                                 secret=f'client_secret_env = "SBX_SECRET"\ncache_url = "{through}"\n'
                                        'cache_password_env = "OFFICE_DB_PW"')
        env = {**os.environ, "SBX_SECRET": SECRET, "OFFICE_DB_PW": PASSWORD, "PYTHONUNBUFFERED": "1",
               "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"), "XDG_STATE_HOME": str(tmp_path / "xdg-state")}
        proc = subprocess.Popen([sys.executable, "-m", "jpm_tui", options[0], options[1], "sync", "--watch",
                                 *options[2:]], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert _line(proc, 30) == (f"sync service started on {through} ({sandbox_server.base_url}); SIGTERM or "
                                       "Ctrl-C stops it")
            assert "jobs +" in _line(proc, 60)  # the first round filled the database

            proxy.cut()
            down = _line(proc, 8)
            assert down.startswith("cache database unreachable: ") and down.endswith("; retrying"), down

            proc.send_signal(signal.SIGTERM)
            started = time.monotonic()
            assert proc.wait(timeout=5) == 0
            assert time.monotonic() - started < 2.0
            assert _line(proc, 1) == "sync service stopped; what was stored is kept"
            assert proc.stdout is not None and proc.stderr is not None
            rest, errors = proc.stdout.read(), proc.stderr.read()
            assert rest == "" and "internal error" not in errors and "Traceback" not in errors, errors
            assert PASSWORD not in down + rest + errors
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
