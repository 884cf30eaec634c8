"""Issue 16, point 2: a damaged cache (garbage at its start, in its middle, a truncated file) or a read-only one is
one message naming the file for every command, the board and `doctor` included; `cache purge --discard-outbox`
and `cache rescue` still work, and the rescue keeps the changes not sent yet."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.isolated_config import cache_file, isolate, profile_config

from jpm_tui.cache.outbox import Outbox
from jpm_tui.cache.rescue import damage_of, rescue
from jpm_tui.cache.store import CacheStore
from jpm_tui.cache.store.db import Database
from jpm_tui.cli import main
from jpm_tui.provider import domain as d

HINT = "`jpm-tui cache rescue` sets it aside and starts a fresh cache, keeping the changes not sent yet"


@pytest.fixture
def opts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    isolate(tmp_path, monkeypatch)
    return profile_config(tmp_path)


def filled_cache(path: Path) -> list[int]:
    """A cache with jobs and two changes not sent yet (ids returned), checkpointed into the file."""
    store = CacheStore(path)
    jobs = [d.Job(i, str(41000 + i), d.JobStatus.SCHEDULED, d.Priority.NORMAL, None, None, None, None,
                  summary=f"job {i} " + "words " * 40) for i in range(1, 3001)]
    store.upsert("jobs", jobs)
    outbox = Outbox(store)
    queued = [outbox.enqueue(d.AddJobNote(job_id=7, text="gate code 4411")).id,
              outbox.enqueue(d.CancelJob(job_id=8, reason_id=3, memo="rain")).id]
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return queued


def garbage_at_start(path: Path) -> None:
    with open(path, "r+b") as f:
        f.write(b"\x17" * 100)


def truncated(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def garbage_in_jobs(path: Path) -> None:
    """8 KiB of garbage over the middle of the jobs table's pages (the outbox's pages are left alone)."""
    conn = sqlite3.connect(path)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'jobs'").fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page)
        f.write(bytes(range(256)) * 32)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.mark.parametrize(("damage", "sqlite_says"), [
    (garbage_at_start, "file is not a database"),
    (truncated, "database disk image is malformed"),
])
def test_every_command_says_the_cache_is_damaged_and_how_to_rescue_it(
        damage, sqlite_says, tmp_path, opts, capsys) -> None:
    path = cache_file(tmp_path)
    path.parent.mkdir(parents=True)
    filled_cache(path)
    damage(path)
    expected = f"jpm-tui: the cache {path} is damaged (SQLite: {sqlite_says}); {HINT}\n"
    for command in (["cache", "info"], ["outbox", "list"], ["sync"], []):  # [] is the board
        code, out, err = run(capsys, *command, *opts)
        assert (code, out, err) == (1, "", expected), command


def test_purge_deletes_a_damaged_cache_when_its_outbox_may_be_lost(tmp_path, opts, capsys) -> None:
    path = cache_file(tmp_path)
    path.parent.mkdir(parents=True)
    filled_cache(path)
    garbage_at_start(path)
    code, _, err = run(capsys, "cache", "purge", "--yes", *opts)
    assert code == 1 and "cannot be read in full" in err and "cache rescue" in err and path.exists()
    code, out, _ = run(capsys, "cache", "purge", "--yes", "--discard-outbox", *opts)
    assert code == 0 and out.startswith(f"deleted {path}") and not path.exists()


def test_damage_in_the_middle_fails_the_sync_and_doctor_then_rescue_keeps_the_queued_changes(
        tmp_path, opts, capsys, monkeypatch) -> None:
    path = cache_file(tmp_path)
    path.parent.mkdir(parents=True)
    queued = filled_cache(path)
    garbage_in_jobs(path)
    CacheStore(path).close()  # the open's own check passes: the damage is further in

    code, out, err = run(capsys, "doctor", *opts)  # its server is down: the cache line is the one that matters
    assert code == 1
    assert any(line.startswith(f"✗ cache: {path} is damaged (SQLite: ") and line.endswith(HINT)
               for line in out.splitlines()), out

    code, out, err = run(capsys, "cache", "rescue", *opts)
    assert code == 0, err
    aside = path.with_name(f"{path.name}.damaged-")
    lines = out.splitlines()
    assert lines[0].startswith(f"set the damaged cache aside as {aside}")
    assert lines[1] == f"started a fresh cache at {path} with 2 outbox rows (2 not sent yet)"
    kept = [p for p in path.parent.glob(f"{path.name}.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].stat().st_size > 0  # renamed, not deleted
    with CacheStore(path) as store:
        entries = Outbox(store).entries()
        assert [e.id for e in entries] == queued
        assert entries[0].command == d.AddJobNote(job_id=7, text="gate code 4411")
        assert store.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    code, out, _ = run(capsys, "outbox", "list", *opts)
    assert code == 0 and "gate code 4411" in out

    code, out, _ = run(capsys, "cache", "rescue", *opts)  # a healthy cache is left alone
    assert code == 0 and out == f"the cache {path} is not damaged (SQLite's quick_check passed); nothing done\n"


def test_sync_into_a_cache_damaged_where_it_does_not_write_exits_1(
        tmp_path, sandbox_server, monkeypatch, capsys) -> None:
    isolate(tmp_path, monkeypatch)
    opts = profile_config(tmp_path, sandbox_server.base_url)
    path = cache_file(tmp_path)
    path.parent.mkdir(parents=True)
    store = CacheStore(path)
    store.conn.execute("CREATE TABLE test_ballast (b BLOB)")  # pages nobody reads but quick_check
    store.conn.execute("INSERT INTO test_ballast VALUES (zeroblob(800000))")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = store.conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'test_ballast'").fetchone()[0]
    page = store.conn.execute("PRAGMA page_size").fetchone()[0]
    store.close()
    with open(path, "r+b") as f:
        f.seek(root * page)  # the table's first overflow pages
        f.write(os.urandom(8192))

    code, out, err = run(capsys, "sync", *opts, "--feeds", "job_types")
    assert code == 1 and err.startswith(f"jpm-tui: the cache {path} is damaged (SQLite")
    assert err.rstrip().endswith(HINT)


def test_a_read_only_cache_is_one_message_naming_its_folder(tmp_path, opts, capsys, monkeypatch) -> None:
    path = cache_file(tmp_path)
    path.parent.mkdir(parents=True)
    filled_cache(path)
    pragmas = Database.pragmas.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(Database, "pragmas", classmethod(lambda cls, size: [*pragmas(cls, size), "query_only=1"]))
    code, out, _ = run(capsys, "cache", "info", *opts)  # reading works
    assert code == 0 and f"cache:   {path}" in out
    code, out, err = run(capsys, "outbox", "drop", "1", *opts)
    assert code == 1 and out == ""
    assert err == (f"jpm-tui: the cache {path} cannot be written: it is read-only (SQLite: attempt to write a "
                   f"readonly database); make the file and {path.parent} writable by you (they should be yours, "
                   "mode 0700/0600)\n")


def test_rescue_reads_the_outbox_rows_around_a_damaged_page(tmp_path) -> None:
    """The outbox's own pages damaged: the rows on either side of the bad page are kept, and the report says
    some were lost."""
    path = tmp_path / "c.sqlite3"
    store = CacheStore(path)
    outbox = Outbox(store)
    for n in range(400):
        outbox.enqueue(d.AddJobNote(job_id=n + 1, text=f"note {n} " + "x" * 300))
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = store.conn.execute("PRAGMA page_size").fetchone()[0]
    pages = [r[0] for r in store.conn.execute(
        "SELECT pageno FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf' ORDER BY pageno")] \
        if _has_dbstat(store) else []
    store.close()
    if not pages:
        pytest.skip("this SQLite has no dbstat table to find the outbox's pages with")
    with open(path, "r+b") as f:
        f.seek((pages[len(pages) // 2] - 1) * page)
        f.write(b"\xff" * page)
    report = rescue(path, when=datetime(2026, 12, 4, 19, 0, tzinfo=UTC), open_store=CacheStore)
    assert report.aside == tmp_path / "c.sqlite3.damaged-20261204-190000" and not report.complete
    with CacheStore(path) as fresh:
        ids = [e.id for e in Outbox(fresh).entries()]
    assert 0 < len(ids) < 400 and ids[0] == 1 and ids[-1] == 400  # both ends kept
    assert damage_of(report.aside)  # the old file, still there as it was


def _has_dbstat(store: CacheStore) -> bool:
    try:
        store.conn.execute("SELECT 1 FROM dbstat LIMIT 0")
    except sqlite3.OperationalError:
        return False
    return True


def test_the_sync_check_gives_up_on_a_cache_too_big_for_its_time(tmp_path) -> None:
    """The end of `jpm-tui sync` checks for 2 s at most (a million-job cache takes 2.3-25 s: doctor's job)."""
    from jpm_tui.cache.health import quick_check

    path = tmp_path / "c.sqlite3"
    filled_cache(path)
    conn = sqlite3.connect(path)
    assert quick_check(conn, path, budget=0.0) is False  # out of time: not checked (nor damaged)
    assert quick_check(conn, path, budget=60.0) is True
    assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 2  # the connection goes on as before
    conn.close()
    garbage_in_jobs(path)
    with pytest.raises(Exception, match="is damaged"):
        quick_check(sqlite3.connect(path), path, budget=60.0)
