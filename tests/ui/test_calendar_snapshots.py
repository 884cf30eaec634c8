"""Snapshots of the calendar's day, week and agenda views and its tray, on fixed data with a frozen clock
(Wednesday 14 May 2025 08:30 UTC; see ``fakes._calendar``).

Regenerate after an intended change: ``python -m pytest tests/ui/test_calendar_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest
from support.fake_board import make_app, settle
from support.fake_sources import OverlapSource

SIZES = [(80, 24), (120, 40)]


def board():
    return make_app(inline=True)


def _calendar(*keys: str):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_day(snap_compare, size):
    # down to K. Okafor's lane, right to his appointment on hold
    assert snap_compare(board(), terminal_size=size, run_before=_calendar("d", "j", "l"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_week(snap_compare, size):
    assert snap_compare(board(), terminal_size=size, run_before=_calendar("w", "j"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_agenda(snap_compare, size):
    assert snap_compare(board(), terminal_size=size, run_before=_calendar("a", "j"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_tray(snap_compare, size):
    assert snap_compare(board(), terminal_size=size, run_before=_calendar("d", "T", "l"))


def test_day_overlapping(snap_compare):
    # K. Okafor's three appointments at once on three sub-rows, the cursor on the second (d, j, j); the
    # Unassigned lane capped with "+1 more"; R. Alvarez's appointment past midnight clipped with ▶
    app = make_app(OverlapSource(200), inline=True)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_calendar("d", "j", "j"))
