"""`jpm-tui sync`, `cache info|purge` and `outbox list|retry|confirm|drop`, run through `main()` against a real
sandbox over loopback (and `--demo`, in process)."""

from __future__ import annotations

import contextlib
import io
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.dead_ports import refused_socket, silent_socket, url_of

from jpm_tui.cache.outbox import Outbox
from jpm_tui.cache.store import CacheStore
from jpm_tui.cli import main
from jpm_tui.provider import domain as d


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("JPM_TUI_CONFIG", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


def _config(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("SBX_SECRET", "sandbox-secret")
    path = tmp_path / "config.toml"
    path.write_text(f"""\
[profiles.sbx]
environment = "custom"
api_url = "{url}"
auth_url = "{url}"
tenant = 1234567
client_id = "sandbox-client"
app_key = "sandbox-app-key"
client_secret_env = "SBX_SECRET"
rate_limit = 1000
""")
    path.chmod(0o600)
    return ["--config", str(path), "--profile", "sbx"]


def _cache_file(tmp_path: Path) -> Path:
    found = sorted((tmp_path / "xdg-cache").rglob("*.sqlite3"))
    assert len(found) == 1, found
    return found[0]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sync_json_summary_then_cache_info(tmp_path, sandbox_server, monkeypatch, capsys):
    opts = _config(tmp_path, sandbox_server.base_url, monkeypatch)
    code, out, err = _run(capsys, "sync", *opts, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["ok"] and summary["feeds"]["jobs"]["records"] == len(sandbox_server.state["jobs"])
    assert summary["feeds"]["jobs"]["complete"] and summary["records"] > 0
    db = _cache_file(tmp_path)
    assert summary["cache"] == str(db) and db.parent.parent.name == "sbx"  # under <cache dir>/<profile>

    code, out, err = _run(capsys, "cache", "info", *opts, "--json")
    info = json.loads(out)
    assert code == 0 and info["exists"] and info["path"] == str(db) and info["bytes"] > 0
    assert info["counts"]["jobs"] == len(sandbox_server.state["jobs"])
    assert {f["feed"] for f in info["feeds"]} >= {"jobs", "appointments", "appointment_assignments"}
    code, out, err = _run(capsys, "cache", "info", *opts)
    assert code == 0 and f"cache:   {db}" in out and "feeds:" in out
    assert any(line.strip().startswith("jobs") and "rows" in line for line in out.splitlines())

    # plain lines when stdout is not a terminal; an incremental run finds nothing new in the export feeds
    code, out, err = _run(capsys, "sync", *opts, "--feeds", "jobs,job-notes")
    assert code == 0, err
    assert "jobs: done, 0 records" in out and "job_notes: done, 0 records" in out
    assert out.strip().splitlines()[-1].startswith("sync: 0 records")


def _one_message(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("jpm-tui: "), err
    return err


@pytest.mark.parametrize("dead", [refused_socket, silent_socket], ids=["refused", "silent"])
def test_sync_against_a_dead_server_stops_in_seconds_with_one_message(dead, tmp_path, monkeypatch, capsys):
    """Every feed would fail the same way: the first failure stops the sync, said once, with the URL and what to
    do; a server that accepts connections and never answers is found out by a ping within seconds."""
    with dead() as sock:
        url = url_of(sock)
        opts = _config(tmp_path, url, monkeypatch)
        started = time.monotonic()
        code, out, err = _run(capsys, "sync", *opts)
        took = time.monotonic() - started
    reason = "connection refused" if dead is refused_socket else "timed out"
    assert code == 1 and out == "" and took < 6
    assert _one_message(err) == (
        f"jpm-tui: sync stopped: Could not reach 127.0.0.1: {reason} (api_url {url}). Check the network and the "
        f"profile's api_url and credentials (`jpm-tui doctor` tests them); what was stored is kept, and the next "
        f"sync resumes from there\n")
    store = CacheStore(_cache_file(tmp_path))
    # refused: the feed that found it keeps the reason; silent: the ping found it, no feed failed
    expected = [f"Could not reach 127.0.0.1: {reason}"] if dead is refused_socket else []
    assert [s.last_error for s in store.sync_states()] == expected
    store.close()


def test_sync_refused_port_json_summary_says_why_it_stopped(tmp_path, monkeypatch, capsys):
    with refused_socket() as sock:
        opts = _config(tmp_path, url_of(sock), monkeypatch)
        code, out, err = _run(capsys, "sync", *opts, "--feeds", "jobs,customers", "--json")
    summary = json.loads(out)
    assert code == 1 and summary["ok"] is False and summary["stopped"] == "Could not reach 127.0.0.1: connection refused"
    assert _one_message(err).startswith("jpm-tui: sync stopped: Could not reach 127.0.0.1: connection refused")

    code, out, err = _run(capsys, "sync", *opts, "--feeds", "jobs,nope")
    assert code == 1 and err.startswith("jpm-tui: sync: unknown feed nope; known: ")


def test_sync_with_a_refused_secret_says_sign_in_was_refused(tmp_path, sandbox_server, monkeypatch, capsys):
    opts = _config(tmp_path, sandbox_server.base_url, monkeypatch)
    monkeypatch.setenv("SBX_SECRET", "not-the-secret")
    code, out, err = _run(capsys, "sync", *opts)
    assert code == 1 and out == ""
    assert _one_message(err).startswith("jpm-tui: sync stopped: sign-in refused (")
    assert "ServiceTitan rejected the client credentials" in err and "not-the-secret" not in err


def _stored_jobs(tmp_path: Path) -> int:
    found = sorted((tmp_path / "xdg-cache").rglob("*.sqlite3"))
    if not found:
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{found[0]}?mode=ro", uri=True)) as db:
        try:
            return db.execute("SELECT count(*) FROM jobs").fetchone()[0]
        except sqlite3.OperationalError:  # not made yet, or busy
            return 0


def test_ctrl_c_stops_a_sync_within_a_second_keeping_what_was_committed(tmp_path, sandbox_server, monkeypatch):
    state = sandbox_server.state
    state.export_page_size = 2
    state.faults.latency_ms = 150  # 20 pages of jobs: ~3 s, and a request always in flight
    opts = _config(tmp_path, sandbox_server.base_url, monkeypatch)
    sync = subprocess.Popen([sys.executable, "-m", "jpm_tui", "sync", *opts, "--feeds", "job_types,jobs"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(200):  # until a few pages of jobs are committed
            time.sleep(0.05)
            if _stored_jobs(tmp_path) >= 4:
                break
        sync.send_signal(signal.SIGINT)
        started = time.monotonic()
        code = sync.wait(timeout=10)
        took = time.monotonic() - started
    finally:
        sync.kill()
    assert code == 130 and took < 1.5
    assert sync.stderr is not None and sync.stderr.read() == (
        "jpm-tui: sync interrupted; what was stored is kept, and the next sync resumes from there\n")
    store = CacheStore(_cache_file(tmp_path))
    try:
        jobs = store.counts()["jobs"]
        assert store.counts()["job_types"] > 0 and 4 <= jobs < len(state["jobs"])
        assert next(s for s in store.sync_states() if s.feed == "jobs").rows_total == jobs  # rows and token together
    finally:
        store.close()


def test_demo_sync_uses_a_temporary_cache(tmp_path, capsys):
    code, out, err = _run(capsys, "sync", "--demo", "--demo-jobs", "30", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["ok"] and summary["feeds"]["jobs"]["records"] == 30
    assert "jpm-tui-demo-" in summary["cache"] and not Path(summary["cache"]).exists()  # removed on exit
    assert not (tmp_path / "xdg-cache").exists()  # never the user's cache


def test_outbox_list_retry_drop_and_cache_purge(tmp_path, sandbox_server, monkeypatch, capsys):
    state = sandbox_server.state
    opts = _config(tmp_path, sandbox_server.base_url, monkeypatch)
    assert _run(capsys, "sync", *opts, "--json")[0] == 0
    code, out, err = _run(capsys, "outbox", "list", *opts)
    assert code == 0 and "the outbox is empty" in out

    # the board queued three changes while offline (the outbox is what it writes to)
    job = next(j for j in state["jobs"].values() if j["jobStatus"] in ("Scheduled", "Dispatched"))
    appt = next(a for a in state["appointments"].values() if a["status"] == "Scheduled" and a["jobId"] != job["id"])  # noqa: F841 - unused
    reason = next(r for r in state["job_cancel_reasons"].values() if r.get("active"))
    store = CacheStore(_cache_file(tmp_path))
    outbox = Outbox(store)
    ok = outbox.enqueue(d.CancelJob(job_id=job["id"], reason_id=reason["id"], memo="no access"))
    bad = outbox.enqueue(d.ConfirmAppointment(appointment_id=987_654_321))
    later = outbox.enqueue(d.AddJobNote(job_id=job["id"], text="from the van"))
    store.close()

    code, out, err = _run(capsys, "outbox", "list", *opts)
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["ID", "CREATED", "STATE", "COMMAND"]
    # names from the cache, not ids; an appointment the cache does not know keeps its id
    assert f"pending   cancel job {job['jobNumber']} ({reason['name']}): \"no access\"" in out
    assert f'add a note to job {job["jobNumber"]}: "from the van"' in out

    # purge refuses while changes are unsent
    code, out, err = _run(capsys, "cache", "purge", *opts, "--yes")
    assert code == 1 and "not sent yet" in err

    code, out, err = _run(capsys, "outbox", "retry", *opts)
    assert code == 1 and "1 rejected" in err  # the unknown appointment
    assert f"#{ok.id} done: cancel job {job['jobNumber']}" in out and f"#{later.id} done" in out
    assert f"#{bad.id} failed: confirm appointment 987654321" in out
    assert state["jobs"].get(job["id"])["jobStatus"] == "Canceled"

    code, out, err = _run(capsys, "outbox", "list", *opts, "--json")
    listed = json.loads(out)
    assert [e["id"] for e in listed] == [bad.id] and listed[0]["state"] == "failed"
    assert listed[0]["message"]  # why, kept for the dispatcher
    code, out, err = _run(capsys, "outbox", "list", *opts, "--all")
    assert out.count(" done ") == 2 and "↳" in out

    code, out, err = _run(capsys, "outbox", "drop", *opts, str(bad.id))
    assert code == 0 and out.startswith(f"dropped #{bad.id}: confirm appointment 987654321")
    code, out, err = _run(capsys, "outbox", "drop", *opts, str(bad.id))
    assert code == 1 and f"no outbox entry {bad.id}" in err
    code, out, err = _run(capsys, "outbox", "confirm", *opts, str(ok.id))
    assert code == 1 and "not a conflict" in err

    # purge: asks unless --yes (and cannot ask without a terminal)
    code, out, err = _run(capsys, "cache", "purge", *opts)
    assert code == 1 and "--yes" in err
    db = _cache_file(tmp_path)
    code, out, err = _run(capsys, "cache", "purge", *opts, "--yes")
    assert code == 0 and out.startswith(f"deleted {db}") and not db.exists()
    code, out, err = _run(capsys, "cache", "info", *opts)
    assert code == 0 and out.startswith("no cache yet at")


def test_a_cache_made_by_an_older_version_says_it_is_upgraded_first(tmp_path, monkeypatch, capsys):
    """The migration runs before anything is on screen (a large cache takes up to a minute): stderr says so, once."""
    from jpm_tui.cache.schema import LATEST
    from jpm_tui.cache.store import CacheStore
    from jpm_tui.cli.common import cache_path
    from jpm_tui.config import default_cache_dir, load_config
    from jpm_tui.session import profile_session

    opts = _config(tmp_path, "http://127.0.0.1:9", monkeypatch)
    config = load_config(Path(opts[1]))
    path = cache_path(profile_session(config, config.profile("sbx"), default_cache_dir()))
    CacheStore(path, target_version=9).close()
    code, out, err = _run(capsys, "cache", "info", *opts)
    assert code == 0 and f"cache:   {path}" in out
    assert err.count("upgrading the cache") == 1 and str(path) in err and f"schema 9 to {LATEST}" in err
    code, out, err = _run(capsys, "cache", "info", *opts)
    assert code == 0 and "upgrading" not in err
