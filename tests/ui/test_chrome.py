"""The board's chrome says what is true and fits: the header names what the live loop does (paused, offline,
syncing, idle), help shows each key's whole description, and the numbers stay in sight at 80 columns."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from support.fake_board import make_app, settle, widget_text
from support.fake_sources import FakeLive, FakeSource

from jpm_tui.cache.store import CacheStore
from jpm_tui.ui.widgets.status_line import StatusLine


def _live_app(tmp_path: Path):
    return make_app(FakeSource(50), live=FakeLive(CacheStore(tmp_path / "cache.db")))


def _header(app) -> str:
    return widget_text(app.screen.query_one(StatusLine))


async def test_the_header_says_paused_offline_or_syncing_as_the_live_loop_does(tmp_path):
    app = _live_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.status = dataclasses.replace(app.status, syncing=True)
        await pilot.pause()
        assert "syncing…" in _header(app)
        await pilot.press("S")  # the Sync screen: p pauses
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert "paused" in _header(app) and "syncing" not in _header(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "paused" in _header(app) and "syncing" not in _header(app)
        app.live.resume()
        app.status = dataclasses.replace(app.status, online=False, offline_reason="Could not reach the server")
        await pilot.pause()
        header = _header(app)
        assert "offline" in header and "syncing" not in header and "synced 12s ago" in header
