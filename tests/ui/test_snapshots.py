"""Snapshots of the job list, job detail and help screens on fixed data with a frozen clock.

Regenerate after an intended change: ``python -m pytest tests/ui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import UTC
from pathlib import Path

import pytest
from support.fake_board import make_app, settle
from support.fake_sources import FakeLive, FakeSource

from jpm_tui.cache.store import CacheStore
from jpm_tui.provider import domain as d
from jpm_tui.provider.base import CommandResult, Outcome

SIZES = [(80, 24), (120, 40)]


def board():
    source = FakeSource(200)
    # Untrusted text stays literal in snapshots too.
    source.rows[2] = dataclasses.replace(source.rows[2], summary="[bold red]x[/] \x1b[31mred\x1b[0m")
    return make_app(source, inline=True)


async def _settled(pilot):
    await settle(pilot)


async def _cursor_down_and_open(pilot):
    await settle(pilot)
    await pilot.press("j", "j", "enter")
    await settle(pilot)


async def _help(pilot):
    await settle(pilot)
    await pilot.press("question_mark")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_job_list(snap_compare, size):
    assert snap_compare(board(), terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_job_detail(snap_compare, size):
    assert snap_compare(board(), terminal_size=size, run_before=_cursor_down_and_open)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare, size):
    assert snap_compare(board(), terminal_size=size, run_before=_help)


# ----------------------------------------------------------------------------- a board that can write

OPENED = 5002  # the job "j j enter" opens


class _RefusesEverything:
    """A provider whose server rejects every write with a field error (to show a refused write)."""

    async def fetch_record(self, kind, record_id):
        return {"id": record_id, "modified_on": None}

    async def execute(self, command):
        return CommandResult(Outcome.REJECTED, "The request is invalid.",
                             field_errors={"summary": ["Summary must be 1..4000 characters."]})


def writable_board(status: str | None = None):
    """The fixed board with an (offline) outbox: one write refused by the server, one queued."""
    source = FakeSource(200)
    if status is not None:
        source.jobs[OPENED] = dataclasses.replace(source.jobs[OPENED], status=d.JobStatus(status))
    live = FakeLive(CacheStore(Path(tempfile.mkdtemp()) / "cache.db"))
    live.outbox.enqueue(d.EditJob(OPENED, {"summary": ""}))
    return make_app(source, inline=True, live=live)


async def _refuse_then_queue(outbox) -> None:
    outbox.provider = _RefusesEverything()
    await outbox.replay()
    outbox.provider = None
    outbox.enqueue(d.EditJob(OPENED, {"priority": "Urgent"}))


def _open_then(*keys):
    async def run(pilot):
        await _refuse_then_queue(pilot.app.live.outbox)
        await _cursor_down_and_open(pilot)
        await pilot.press(*keys)
        await settle(pilot)
    return run


# ------------------------------------------------------------------ sync and projects on a fixed cache

def cache_board(tmp_path_factory):
    from dataclasses import replace

    from support.fake_board import STATUS
    from support.fake_sources import FakeLive, fixed_store, frozen_clock

    from jpm_tui.ui import JpmApp
    from jpm_tui.ui.source import Reader

    store = fixed_store(tmp_path_factory.mktemp("cache") / "cache.sqlite3")
    return JpmApp(store, replace(STATUS, outbox=3, syncing=True), clock=frozen_clock, tz=UTC,
                  reader=Reader(inline=True), live=FakeLive(store))


def _press_then_settle(*keys):
    async def run(pilot):
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause(0.2)
        await settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_job_detail_with_queued_and_refused_writes(snap_compare, size):
    assert snap_compare(writable_board(), terminal_size=size, run_before=_open_then())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_cancel_reason_picker_filtered_with_memo(snap_compare, size):
    assert snap_compare(writable_board("Scheduled"), terminal_size=size,
                        run_before=_open_then("c", "d", "u", "p", "enter", *"second visit booked"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_note_entry(snap_compare, size):
    assert snap_compare(writable_board(), terminal_size=size,
                        run_before=_open_then("n", *"Gate code 4411. Dog in yard.", "tab", "space"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_confirm_remove_cancellation(snap_compare, size):
    assert snap_compare(writable_board("Canceled"), terminal_size=size, run_before=_open_then("u"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sync_screen(snap_compare, size, tmp_path_factory):
    assert snap_compare(cache_board(tmp_path_factory), terminal_size=size, run_before=_press_then_settle("S"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_project_list(snap_compare, size, tmp_path_factory):
    assert snap_compare(cache_board(tmp_path_factory), terminal_size=size, run_before=_press_then_settle("P"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_project_detail(snap_compare, size, tmp_path_factory):
    assert snap_compare(cache_board(tmp_path_factory), terminal_size=size,
                        run_before=_press_then_settle("P", "enter"))


# ------------------------------------------------------------------------- the other modals

@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_filter_form(snap_compare, size):
    async def run(pilot):
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
    assert snap_compare(board(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_queued_change_reading(snap_compare, size, tmp_path_factory):
    assert snap_compare(cache_board(tmp_path_factory), terminal_size=size, run_before=_press_then_settle("S", "v"))


def test_below_the_minimum_size(snap_compare):
    assert snap_compare(board(), terminal_size=(50, 14), run_before=_settled)
