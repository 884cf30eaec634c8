"""Several OS processes replaying one outbox against the sandbox over HTTP: every queued write lands exactly once,
whether the processes run side by side (workers released together, `jpm-tui outbox retry` started together) or
one of them is killed while sending and another takes its row over.

The workers are tests/support/outbox_worker.py (a cache file, a client, an outbox with the sandbox's frozen
clock); the sandbox runs in this process, so its collections are what the server holds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.sync_world import make_client

from jpm_tui.cache.outbox import Outbox, OutboxState
from jpm_tui.cache.store import CacheStore
from jpm_tui.cli.sandbox import sandbox_profile_toml
from jpm_tui.provider import domain as d
from jpm_tui.provider.servicetitan import ServiceTitanProvider

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and pid checks are POSIX")

WORKER = Path(__file__).parents[1] / "support" / "outbox_worker.py"


# ------------------------------------------------------------------------------------------ the world


def _open_jobs(state: Any, n: int) -> list[dict]:
    jobs = [j for j in state["jobs"].values() if j["jobStatus"] in ("Scheduled", "Dispatched")]
    assert len(jobs) >= n
    return jobs[:n]


def _notes(state: Any, collection: str, key: str, owner: int, text: str) -> list[dict]:
    return [n for n in state[collection].values() if n.get(key) == owner and n["text"] == text]


def _appointments_at(state: Any, job_id: int, start: datetime, end: datetime) -> list[dict]:
    return [a for a in state["appointments"].values() if a["jobId"] == job_id and a.get("active", True)
            and d.parse_datetime(a["start"]) == start and d.parse_datetime(a["end"]) == end]


def _history(state: Any, job_id: int, event: str) -> int:
    return sum(1 for h in state["job_history"].values() if h.get("jobId") == job_id
               for e in h.get("history") or [] if e.get("eventType") == event)


def _technician(state: Any) -> int:
    return next(t["id"] for t in state["technicians"].values() if t.get("active"))


def _queue(db: Path, now: datetime, commands: list[d.Command]) -> list[int]:
    """The commands queued in the cache file ``db`` as the board does offline; their ids."""
    store = CacheStore(db)
    try:
        outbox = Outbox(store, clock=lambda: now)
        return [outbox.enqueue(c).id for c in commands]
    finally:
        store.close()


def _rows(db: Path) -> dict[int, tuple[str, int, dict]]:
    """id -> (state, attempts, answer) of every outbox row."""
    store = CacheStore(db)
    try:
        return {e.id: (e.state, e.attempts, e.answer) for e in Outbox(store).entries()}
    finally:
        store.close()


def _worker(db: Path, url: str, now: datetime, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(WORKER), str(db), url, now.isoformat(), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _report(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return json.loads(out)


def _killed(proc: subprocess.Popen[str]) -> None:
    """The worker died of its SIGKILL (and is reaped: a zombie's pid would still look alive)."""
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, err


def _release_together(procs: list[subprocess.Popen[str]], ready: list[Path], go: Path) -> None:
    """Wait until every worker has its cache, client and outbox open, then let them all replay at once."""
    deadline = time.monotonic() + 60
    while not all(p.exists() for p in ready):
        assert time.monotonic() < deadline, "the workers did not get ready within 60 s"
        dead = [p for p in procs if p.poll() is not None]
        assert not dead, dead[0].communicate()[1]
        time.sleep(0.01)
    go.touch()


# ------------------------------------------------------------------------------------------- the tests


def test_workers_replaying_one_outbox_at_once_send_each_write_once(tmp_path, sandbox_server):
    state = sandbox_server.state
    state.faults.latency_ms = 20  # each request takes a while, so that the five replays overlap
    now = state.now()
    a, b, c = _open_jobs(state, 3)
    project = next(iter(state["projects"].values()))["id"]
    tech = _technician(state)
    start = now.replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=2)
    end = start + timedelta(hours=2)
    history_before = _history(state, a["id"], "Job Edited")
    commands: list[d.Command] = [
        d.AddJobNote(job_id=a["id"], text="first on A"),
        d.CreateAppointment(job_id=b["id"], start=start, end=end, technician_ids=(tech,)),
        d.AddJobNote(job_id=a["id"], text="second on A"),
        d.EditJob(job_id=a["id"], changes={"summary": "edited by one of five"}),
        d.AddProjectNote(project_id=project, text="on the project"),
        d.AddJobNote(job_id=c["id"], text="on C"),
        d.AddJobNote(job_id=b["id"], text="after the appointment on B"),
        d.AddJobNote(job_id=a["id"], text="third on A"),
    ]
    db = tmp_path / "cache.sqlite3"
    ids = _queue(db, now, commands)

    ready = [tmp_path / f"ready-{i}" for i in range(5)]
    go = tmp_path / "go"
    procs = [_worker(db, sandbox_server.base_url, now, "--ready", str(r), "--go", str(go)) for r in ready]
    _release_together(procs, ready, go)
    reports = [_report(p) for p in procs]

    # every row done by exactly one worker, on its first and only claim
    done = sorted(i for r in reports for i in r["done"])
    assert done == ids, (reports, _rows(db))
    assert {i: (s, n) for i, (s, n, _) in _rows(db).items()} == {i: ("done", 1) for i in ids}
    assert all(not r["failed"] and not r["conflicts"] and r["stopped"] is None for r in reports), reports
    # the workers met: some found rows another one was sending (otherwise this proved nothing)
    assert sum(len(r["busy"]) for r in reports) > 0, reports

    # the server has each write once
    for command in commands:
        if isinstance(command, d.AddJobNote):
            assert len(_notes(state, "job_notes", "jobId", command.job_id, command.text)) == 1, command
        elif isinstance(command, d.AddProjectNote):
            assert len(_notes(state, "project_notes", "projectId", project, command.text)) == 1
    made = _appointments_at(state, b["id"], start, end)
    assert len(made) == 1
    assert [x["technicianId"] for x in state["appointment_assignments"].values()
            if x["appointmentId"] == made[0]["id"]] == [tech]
    assert _history(state, a["id"], "Job Edited") == history_before + 1
    assert state["jobs"].get(a["id"])["summary"] == "edited by one of five"
    # ... and a record's rows went out in the order they were queued, whoever sent them
    on_a = [_notes(state, "job_notes", "jobId", a["id"], t)[0]["id"] for t in ("first on A", "second on A", "third on A")]
    assert on_a == sorted(on_a)
    assert _notes(state, "job_notes", "jobId", b["id"], "after the appointment on B")[0]["id"] > made[0]["id"]


async def test_a_worker_killed_while_sending_is_taken_over_through_the_check(tmp_path, sandbox_server):
    state = sandbox_server.state
    now = state.now()
    a, b, c = _open_jobs(state, 3)
    tech = _technician(state)
    start = now.replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=3)
    end = start + timedelta(hours=1)
    note_a = d.AddJobNote(job_id=a["id"], text="sent, then the sender died")
    appointment = d.CreateAppointment(job_id=b["id"], start=start, end=end, technician_ids=(tech,))
    note_c = d.AddJobNote(job_id=c["id"], text="the sender died before this left")
    db = tmp_path / "cache.sqlite3"
    first, second, third = _queue(db, now, [note_a, appointment, note_c])
    url = sandbox_server.base_url

    # 1. the note reaches the server, then its sender is killed before the row is marked done
    _killed(_worker(db, url, now, "--kill", "after"))
    assert len(_notes(state, "job_notes", "jobId", a["id"], note_a.text)) == 1
    assert _rows(db)[first][0] == OutboxState.SENDING

    # 2. the next process finds the note (not sent again), then sends the appointment and is killed in turn
    _killed(_worker(db, url, now, "--kill", "after"))
    assert len(_notes(state, "job_notes", "jobId", a["id"], note_a.text)) == 1
    state_, attempts, answer = _rows(db)[first]
    assert (state_, attempts, answer["detail"]) == ("done", 2, {"found": True})
    assert len(_appointments_at(state, b["id"], start, end)) == 1

    # 3. the next finds the appointment, then is killed as it is about to send the last note (noted as leaving)
    _killed(_worker(db, url, now, "--kill", "before"))
    made = _appointments_at(state, b["id"], start, end)
    assert len(made) == 1
    state_, attempts, answer = _rows(db)[second]
    assert (state_, attempts, answer["created_id"], answer["detail"]) == ("done", 2, made[0]["id"], {"found": True})
    assert _notes(state, "job_notes", "jobId", c["id"], note_c.text) == []

    # 4. this process takes the last row over at once (its claimant's pid is gone): not found, so sent, once
    store = CacheStore(db)
    try:
        async with make_client(url, max_retries=1) as client:
            report = await Outbox(store, ServiceTitanProvider(client), clock=lambda: now).replay()
        assert report.done == [third] and report.remaining == 0
        entry = Outbox(store).get(third)
        assert (entry.state, entry.attempts, entry.answer["detail"]) == ("done", 2, {})  # sent, not found
    finally:
        store.close()
    assert len(_notes(state, "job_notes", "jobId", c["id"], note_c.text)) == 1
    assert len(_notes(state, "job_notes", "jobId", a["id"], note_a.text)) == 1
    assert len(_appointments_at(state, b["id"], start, end)) == 1


def test_outbox_retry_commands_started_together_send_each_write_once(tmp_path, sandbox_server, monkeypatch):
    from jpm_tui.cli.common import cache_path
    from jpm_tui.config import default_cache_dir, load_config
    from jpm_tui.session import profile_session

    state = sandbox_server.state
    state.faults.latency_ms = 40  # each replay outlasts the spread of the commands' start-up
    config = tmp_path / "config.toml"
    config.write_text(sandbox_profile_toml(sandbox_server.base_url, "sb"))
    config.chmod(0o600)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path)}
    monkeypatch.setenv("XDG_CACHE_HOME", env["XDG_CACHE_HOME"])
    loaded = load_config(config)
    db = cache_path(profile_session(loaded, loaded.profile("sb"), default_cache_dir()))
    jobs = _open_jobs(state, 3)
    texts = [(job["id"], f"note {i} from the van") for i in range(2) for job in jobs]
    ids = _queue(db, state.now(), [d.AddJobNote(job_id=job, text=text) for job, text in texts])

    cmd = [sys.executable, "-m", "jpm_tui", "--config", str(config), "outbox", "retry", "--profile", "sb", "--json"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    reports = [_report(p) for p in procs]

    assert sorted(i for r in reports for i in r["done"]) == ids, reports
    assert {i: (s, n) for i, (s, n, _) in _rows(db).items()} == {i: ("done", 1) for i in ids}
    for job, text in texts:
        assert len(_notes(state, "job_notes", "jobId", job, text)) == 1, text
