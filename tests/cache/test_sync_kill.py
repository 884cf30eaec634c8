"""Kill `python -m jpm_tui sync` with SIGKILL at random points, several rounds, then let it finish: the cache
must equal the sandbox's data, with nothing lost and nothing stored twice.

The sandbox is a real uvicorn server on loopback (its own, with more data and small export pages); the sync
runs in a real subprocess through the CLI with a profile pointing at it, paced by the profile's rate limit so
that the random kill points fall all over the run (between requests, mid-page, mid-commit).
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.sync_world import (
    EXPORTS,
    RawApi,
    _keyed,
    assert_same,
    cache_snapshot,
    integrity,
    list_ids,
    server_snapshot,
    state_list_ids,
)

from jpm_tui.cli.sandbox import sandbox_profile_toml
from jpm_tui.sandbox import build_state, create_app, running_server

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

ROUNDS = 6


def _find_cache(root: Path) -> Path | None:
    found = sorted(root.rglob("*.sqlite3"))
    return found[0] if found else None


def _sync_state(db: Path) -> dict[str, tuple[str | None, int]]:
    conn = sqlite3.connect(db)
    try:
        return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT feed, token, rows_total FROM sync_state")}
    finally:
        conn.close()


def test_sigkill_at_random_points_then_resume(tmp_path):
    state = build_state(jobs=700, seed=11, rate_limit=None, export_page_size=40)
    with running_server(create_app(state)) as url:
        config = tmp_path / "config.toml"
        config.write_text(sandbox_profile_toml(url, "sb").replace("[profiles.sb]\n", "[profiles.sb]\nrate_limit = 40\n"))
        config.chmod(0o600)
        xdg = tmp_path / "xdg"
        env = {**os.environ, "XDG_CACHE_HOME": str(xdg), "PYTHONUNBUFFERED": "1"}
        cmd = [sys.executable, "-m", "jpm_tui", "--config", str(config), "sync", "--profile", "sb"]
        rng = random.Random(int(os.environ.get("JPM_KILL_SEED", "20261123")))
        kills, progress = 0, []
        for _ in range(ROUNDS):
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            # Count the delay from the sync's first progress line, not from process start: on a loaded machine
            # start-up alone can outlast a fixed delay, and then no kill would land inside the sync.
            assert proc.stdout is not None
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready, "the sync printed no progress within 60 s"
            delay = rng.uniform(0.05, 1.0)
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
                kills += 1
            else:
                assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()
            db = _find_cache(xdg)
            if db is not None:
                progress.append(sum(rows for _, rows in _sync_state(db).values()))
        assert kills >= 3, f"the sync finished too quickly to be killed ({kills} kills)"
        assert progress and progress[-1] > 0, "no page was committed before the kills"

        # the same CLI, run to the end, resumes from the committed pages
        started = time.monotonic()
        done = subprocess.run(cmd + ["--json"], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        summary = json.loads(done.stdout)
        assert summary["ok"]
        db = _find_cache(xdg)
        assert db is not None and Path(summary["cache"]) == db
        assert time.monotonic() - started < 60

        assert_same(cache_snapshot(db), server_snapshot(url))
        assert list_ids(db) == state_list_ids(state)
        integrity(db)
        # nothing duplicated: over all the runs, every export feed stored each server row exactly once
        # (a killed page was rolled back with its token and fetched again by the next run)
        stored = _sync_state(db)
        with RawApi(url) as api:
            for feed, (module, path, _table) in EXPORTS.items():
                expected = len(_keyed(feed, api.export(module, path)))
                assert stored[feed][1] == expected, (feed, stored[feed][1], expected)
