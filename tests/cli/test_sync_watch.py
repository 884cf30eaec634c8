"""`jpm-tui sync --watch`, the team's sync service, as a real subprocess against the sandbox served over loopback:
a change on the sandbox reaches the cache within seconds, SIGTERM stops it promptly with exit 0 (on a team's cache
with a last heartbeat saying so, which a kill -9 leaves unsaid), and after a kill -9 a restart resumes from the saved
feed positions and sends the write the killed process had claimed."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jpm_tui.cache.opening import CacheLocation, open_store
from jpm_tui.cache.outbox import Outbox
from jpm_tui.cache.pg.heartbeat import read_beat
from jpm_tui.cache.store import CacheStore
from jpm_tui.cli.sandbox import sandbox_profile_toml
from jpm_tui.provider import domain as d

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM / SIGKILL are POSIX")

REACHES_CACHE = 6.0
"""Seconds a change on the sandbox may take to be in the cache: the service polls the jobs feed at most 3 s apart,
plus the round's own time on a loaded machine."""


class Service:
    """One `jpm-tui sync --watch` subprocess; its stdout read line by line."""

    def __init__(self, tmp_path: Path, config: Path) -> None:
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jpm_tui", "--config", str(config), "sync", "--watch", "--profile", "sbx"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def line(self, timeout: float) -> str:
        """The next line it says (the timestamp cut off); fails after ``timeout`` seconds of silence."""
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        assert ready, f"the service said nothing within {timeout} s"
        text = self.proc.stdout.readline()
        assert text, f"the service ended: {self.proc.wait()} {self.stderr()}"
        return text.rstrip("\n").split(" ", 2)[2]

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        return self.proc.stderr.read()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def config(tmp_path: Path, sandbox_server) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(sandbox_profile_toml(sandbox_server.base_url, "sbx"))
    path.chmod(0o600)
    return path


@pytest.fixture
def services(tmp_path: Path, config: Path) -> Iterator[list[Service]]:
    started: list[Service] = []
    yield started
    for service in started:
        service.close()


def _start(services: list[Service], tmp_path: Path, config: Path) -> Service:
    service = Service(tmp_path, config)
    services.append(service)
    assert service.line(30).startswith("sync service started on ")
    return service


def _cache(tmp_path: Path) -> Path:
    (found,) = (tmp_path / "xdg").rglob("*.sqlite3")
    return found


def _summary(db: Path, job_id: int) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("SELECT summary FROM jobs WHERE id = ?", (job_id,)).fetchone()[0])
    finally:
        conn.close()


def _job_ids(sandbox_server) -> list[int]:
    return sorted(int(r["id"]) for r in sandbox_server.state["jobs"].values())


def _change_job(sandbox_server, text: str) -> int:
    """A dispatcher's change made on the backend to the first job (a new summary, a new modifiedOn); returns its
    id."""
    jobs = sandbox_server.state["jobs"]
    record = jobs.get(_job_ids(sandbox_server)[0])
    record["summary"] = text
    sandbox_server.state.advance(1)
    jobs.touch(record)
    return int(record["id"])


def test_a_change_on_the_backend_reaches_the_cache_in_seconds_and_sigterm_stops_it(
        tmp_path, config, services, sandbox_server):
    service = _start(services, tmp_path, config)
    first = service.line(60)  # the first round fills the cache
    assert f"jobs +{len(sandbox_server.state['jobs'])}" in first, first

    job_id = _change_job(sandbox_server, "Gate code changed to 4417")
    started = time.monotonic()
    assert service.line(REACHES_CACHE) == "jobs +1"  # said once, for the round that wrote it
    took = time.monotonic() - started
    assert _summary(_cache(tmp_path), job_id) == "Gate code changed to 4417" and took < REACHES_CACHE

    service.proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert service.proc.wait(timeout=5) == 0
    assert time.monotonic() - started < 5
    assert service.line(1) == "sync service stopped; what was stored is kept"
    assert service.stderr() == ""


def test_on_a_team_cache_sigterm_leaves_a_last_beat_saying_it_stopped_and_kill_9_does_not(
        tmp_path, config, services, sandbox_server, postgres_url):
    with config.open("a") as profile:
        profile.write(f'cache_url = "{postgres_url}"\n')
    store = open_store(CacheLocation(tmp_path / "no-file.sqlite3", url=postgres_url))
    assert store is not None
    try:
        for stop, said_stopped in ((signal.SIGTERM, True), (signal.SIGKILL, False)):
            service = _start(services, tmp_path, config)
            deadline = time.monotonic() + 30
            while (beat := read_beat(store.db)) is None or not beat.sender.endswith(f"|{service.proc.pid}"):
                assert time.monotonic() < deadline, "no beat of the service within 30 s"
                time.sleep(0.05)
            assert not beat.stopped
            service.proc.send_signal(stop)
            service.proc.wait(timeout=5)
            beat = read_beat(store.db)
            assert beat is not None and beat.stopped is said_stopped and beat.sender.endswith(f"|{service.proc.pid}")
    finally:
        store.close()


def test_after_kill_9_a_restart_resumes_and_sends_the_write_the_dead_process_had_claimed(
        tmp_path, config, services, sandbox_server):
    killed = _start(services, tmp_path, config)
    assert "jobs +" in killed.line(60)
    killed.proc.send_signal(signal.SIGKILL)
    assert killed.proc.wait(timeout=5) == -signal.SIGKILL

    # what a kill mid-send leaves: a write claimed by the dead process (its lease far from over), and a change on
    # the backend made while no service ran
    db = _cache(tmp_path)
    job_id = _change_job(sandbox_server, "Changed while the service was down")
    store = CacheStore(db)
    try:
        outbox = Outbox(store)
        noted = _job_ids(sandbox_server)[1]  # another job: this one's note meets no conflict
        entry = outbox.enqueue(d.AddJobNote(job_id=noted, text="Customer asked for a call first"))
        host, _pid, token = outbox.claimant.rsplit("|", 2)
        with store.transaction() as conn:
            conn.execute("UPDATE outbox SET state = 'sending', claimed_by = ?, lease_until = ? WHERE id = ?",
                         (f"{host}|{killed.proc.pid}|{token}", "2999-01-01T00:00:00.000000Z", entry.id))
    finally:
        store.close()

    service = _start(services, tmp_path, config)
    resumed = service.line(30)
    # from the saved positions: the one changed job, not the whole feed again; the dead process's write sent
    assert "jobs +1;" in resumed and "outbox: 1 sent" in resumed and "customers" not in resumed, resumed
    assert _summary(db, job_id) == "Changed while the service was down"
    notes = [n for n in sandbox_server.state["job_notes"].values()
             if n.get("jobId") == noted and n.get("text") == "Customer asked for a call first"]
    assert len(notes) == 1
    store = CacheStore(db)
    try:
        assert Outbox(store).get(entry.id).state == "done"
    finally:
        store.close()
