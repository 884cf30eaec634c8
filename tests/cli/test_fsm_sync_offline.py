"""`jpm-tui sync` on an FSM Navigator profile whose reads are all recent (the jobs a moment ago, the directory this
hour) still asks the server: gone, it says "sync stopped" and exits 1, as on BigChange; a refused API key, the same
with the reason; back, it syncs and says which feeds had nothing due instead of calling them "done"."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.fsm_world import FROZEN_NOW, JOBS, SEED
from support.tcp_proxy import tcp_proxy

from jpm_tui.cli import main
from jpm_tui.sandbox.fsm_navigator import build_state, create_app
from jpm_tui.sandbox.fsm_navigator.server import profile_text
from jpm_tui.sandbox.server import running_server


def test_sync_with_every_read_recent_asks_the_server_and_says_when_it_is_gone_or_refuses_the_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = create_app(build_state(jobs=JOBS, seed=SEED, now=FROZEN_NOW, frozen=True, rate_limit=None))
    config = tmp_path / "config.toml"

    def sync(api_key: str | None = None) -> tuple[int, str, str]:
        # the client's own rate limit off (the sandbox's is): the test waits on nothing
        config.write_text(profile_text(base_url, **({"api_key": api_key} if api_key else {})) + "rate_limit = 1000.0\n")
        os.chmod(config, 0o600)
        code = main(["--config", str(config), "sync"])
        out, err = capsys.readouterr()
        return code, out, err

    with running_server(app) as served, tcp_proxy("127.0.0.1", urlsplit(served).port or 0) as proxy:
        base_url = f"http://127.0.0.1:{proxy.port}"  # the server as the profile reaches it, through a link to cut
        code, out, _ = sync()
        assert code == 0 and "jobs: done" in out and "technicians: done" in out  # the first sweep
        assert sync()[0] == 0  # and the recent jobs: every read is recent now
        proxy.cut()  # gone: the port refuses connections
        code, out, err = sync()
        assert code == 1 and "sync stopped: Could not reach 127.0.0.1" in err and "done" not in out
        proxy.restore()
        code, out, err = sync(api_key="fsm_test_wrong")
        assert code == 1 and "sync stopped" in err and "401" in err and "done" not in out
        code, out, err = sync()
    assert code == 0 and err == ""
    assert "jobs: done" in out  # a new process reads the recent jobs whatever the last one did
    assert "technicians: not due (read recently), nothing asked" in out  # read this hour: not asked again
