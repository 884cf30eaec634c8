"""Snapshots of the job list, job detail and help screens on fixed data with a frozen clock.

Regenerate after an intended change: ``python -m pytest tests/ui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import dataclasses

import pytest
from conftest import make_app, settle
from fakes import FakeSource

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


# ------------------------------------------------------------------ sync and projects on a fixed cache

def cache_board(tmp_path_factory):
    from dataclasses import replace

    from conftest import STATUS
    from fakes import FakeLive, fixed_store

    from jpm_tui.ui import JpmApp
    from jpm_tui.ui.source import Reader
    from fakes import frozen_clock
    from datetime import timezone

    store = fixed_store(tmp_path_factory.mktemp("cache") / "cache.sqlite3")
    return JpmApp(store, replace(STATUS, outbox=3, syncing=True), clock=frozen_clock, tz=timezone.utc,
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
def test_sync_screen(snap_compare, size, tmp_path_factory):
    assert snap_compare(cache_board(tmp_path_factory), terminal_size=size, run_before=_press_then_settle("S"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_project_list(snap_compare, size, tmp_path_factory):
    assert snap_compare(cache_board(tmp_path_factory), terminal_size=size, run_before=_press_then_settle("P"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_project_detail(snap_compare, size, tmp_path_factory):
    assert snap_compare(cache_board(tmp_path_factory), terminal_size=size,
                        run_before=_press_then_settle("P", "enter"))
