"""Issue 16, point 1: a write that cannot be stored (a full disk, a read-only cache) is never lost. The board's form
stays open with the text in it and the reason under it; `jpm-tui sync` into a full disk stops with one message.

The disk is "full" for real: SQLite's `max_page_count` caps the cache file at its size, so SQLite itself answers
SQLITE_FULL (no tmpfs, no root). The read-only cache is SQLite's `query_only` (chmod does not stop root, which CI
runs as), which answers SQLITE_READONLY as a read-only file does."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from support.demo_board import Board
from support.isolated_config import cache_file, isolate, profile_config
from textual.widgets import Static, TextArea

from jpm_tui.cache.store import CacheStore
from jpm_tui.cache.store.db import Database
from jpm_tui.cli import main
from jpm_tui.ui.screens.job_detail import JobDetailScreen
from jpm_tui.ui.screens.modals import TextEntryScreen

# A pasted e-mail thread: longer than a 16 KiB page, so storing it needs pages of its own (a short note can fit in
# the outbox's last page, where a full disk does not stop it).
LONG_NOTE = "Customer called back about the gate.\n" + "They forwarded the HOA letter: " + "x" * 20_000


def _cap_pages(store: CacheStore, monkeypatch: pytest.MonkeyPatch, *, extra: int = 0) -> None:
    """The disk is full: no connection of the store, present or future, may grow the file beyond its size now
    (plus ``extra`` pages), and the pages it has free are used up."""
    conn = store.conn
    conn.execute("CREATE TABLE IF NOT EXISTS test_filler (b BLOB)")
    limit = int(conn.execute("PRAGMA page_count").fetchone()[0]) + extra
    pragmas = Database.pragmas.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(Database, "pragmas",
                        classmethod(lambda cls, size: [*pragmas(cls, size), f"max_page_count={limit}"]))
    for c in list(store.db.connections):
        c.execute(f"PRAGMA max_page_count={limit}")
    if extra:
        return
    for size in (8192, 512, 16):
        while True:
            try:
                conn.execute("INSERT INTO test_filler VALUES (zeroblob(?))", (size,))
            except sqlite3.OperationalError:
                break


def _free_space(store: CacheStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    for c in list(store.db.connections):
        c.execute("PRAGMA max_page_count=4294967294")
    store.conn.execute("DROP TABLE test_filler")


def _read_only(store: CacheStore, monkeypatch: pytest.MonkeyPatch) -> None:
    pragmas = Database.pragmas.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(Database, "pragmas", classmethod(lambda cls, size: [*pragmas(cls, size), "query_only=1"]))
    for c in list(store.db.connections):
        c.execute("PRAGMA query_only=1")


def _open_job(board: Board) -> dict:
    return board.job_where(lambda j: j["jobStatus"] in ("Scheduled", "Dispatched") and not j.get("projectId"))


def _notes_of(board: Board, job: dict) -> list[str]:
    return [n["text"] for n in board.sandbox["job_notes"].values() if n.get("jobId") == job["id"]]


async def _write_note(board: Board, text: str) -> TextEntryScreen:
    await board.pilot.press("n")
    form = board.app.screen
    assert isinstance(form, TextEntryScreen)
    form.query_one(TextArea).text = text
    await board.pilot.press("ctrl+s")
    await board.settled()
    return form


def _error_under(form: TextEntryScreen) -> str:
    return str(form.query_one("#dialog-error", Static).render())


async def test_a_note_on_a_full_disk_stays_in_its_form_with_the_reason_then_is_sent_once_there_is_room(
        board: Board, monkeypatch: pytest.MonkeyPatch) -> None:
    job = _open_job(board)
    await board.open(job)
    before = board.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    _cap_pages(board.store, monkeypatch)

    form = await _write_note(board, LONG_NOTE)

    assert board.app.screen is form  # still open, the text still in it
    assert form.query_one(TextArea).text == LONG_NOTE
    error = _error_under(form)
    assert "Not saved" in error and "the disk is full" in error and str(board.store.path) in error
    assert board.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == before
    assert board.app.failure is None and board.app._exception is None  # the board goes on, no traceback

    _free_space(board.store, monkeypatch)  # the dispatcher frees some space and presses Ctrl+S again
    await board.pilot.press("ctrl+s")
    await board.settled()
    assert isinstance(board.app.screen, JobDetailScreen)
    await board.wait(lambda: LONG_NOTE in _notes_of(board, job), "the note on the server")


async def test_a_note_on_a_read_only_cache_stays_in_its_form_with_the_reason(
        board: Board, monkeypatch: pytest.MonkeyPatch) -> None:
    job = _open_job(board)
    await board.open(job)
    _read_only(board.store, monkeypatch)

    form = await _write_note(board, "Gate code 4411")

    assert board.app.screen is form and form.query_one(TextArea).text == "Gate code 4411"
    error = _error_under(form)
    assert "Not saved" in error and "read-only" in error and str(board.store.path.parent) in error
    assert "Gate code 4411" not in _notes_of(board, job)
    assert board.app.failure is None and board.app._exception is None


# ------------------------------------------------------------------------------------------ the CLI's sync


def test_sync_into_a_nearly_full_disk_stops_with_one_message(
        tmp_path: Path, sandbox_server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    isolate(tmp_path, monkeypatch)
    opts = profile_config(tmp_path, sandbox_server.base_url)
    assert main(["cache", "info", *opts]) == 0  # no cache yet
    path = cache_file(tmp_path)
    store = CacheStore(path)
    _cap_pages(store, monkeypatch, extra=12)  # room for a few pages of rows: the jobs do not fit
    store.close()
    capsys.readouterr()

    started = time.monotonic()
    code = main(["sync", *opts])
    out, err = capsys.readouterr()

    assert time.monotonic() - started < 20  # it stops; it does not wait for the pages in flight forever
    assert code == 1
    assert err.count("jpm-tui:") == 1 and err.startswith("jpm-tui: sync failed: ")
    assert f"the cache {path} cannot be written: the disk is full" in err and "free some space" in err
    assert out.count("FAILED") == 1  # one feed says it; the others stopped
    assert "Traceback" not in out + err
