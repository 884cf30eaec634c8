"""Snapshots of the job list in each built-in theme (and with NO_COLOR) at 80x24 and 120x40, on the fixed
FakeSource data with the frozen clock.

Regenerate after an intended change: ``python -m pytest tests/ui/test_theme_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest
from support.fake_board import make_app, settle
from support.fake_sources import FakeSource

SIZES = [(80, 24), (120, 40)]
THEMES = ["dark", "light", "high-contrast", "ansi"]


async def _settled(pilot):
    await settle(pilot)
    await pilot.press("j", "j")  # a cursor row off the top, so the cursor and plain rows both show
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("theme", THEMES)
def test_job_list_theme(snap_compare, theme, size):
    assert snap_compare(make_app(FakeSource(200), inline=True, theme=theme), terminal_size=size,
                        run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_job_list_no_color(snap_compare, size, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(FakeSource(200), inline=True), terminal_size=size, run_before=_settled)
