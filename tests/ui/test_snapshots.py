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
