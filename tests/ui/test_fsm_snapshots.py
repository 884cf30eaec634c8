"""Snapshots of the board on FSM Navigator's data: the job list, a job's detail (its description and linked assets
with their relationship types) and the calendar's lanes per technician from the scheduled windows. The cache is
filled by the FSM provider's sync from the sandbox (30 jobs, seed 7, its clock frozen at PINNED_NOW), in process.

Regenerate after an intended change: ``python -m pytest tests/ui/test_fsm_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from support.fake_board import settle
from support.pinned_times import PINNED_NOW

from jpm_tui.api.fsm_navigator import FsmNavigatorClient
from jpm_tui.cache.store import CacheStore
from jpm_tui.cache.sync import SyncEngine
from jpm_tui.provider.fsm_navigator.provider import FsmNavigatorProvider
from jpm_tui.provider.fsm_navigator.workflow import WORKFLOW
from jpm_tui.sandbox.fsm_navigator import API_KEY, build_state, create_app
from jpm_tui.sandbox.fsm_navigator.data import TIMEZONE
from jpm_tui.ui import BoardStatus, JpmApp
from jpm_tui.ui.source import Reader

SIZES = [(80, 24), (120, 40)]
OPENED = 10022  # a Pending job with a linked asset


@cache
def _cache_file() -> Path:
    """One cache filled once per test session from the frozen FSM sandbox."""
    state = build_state(jobs=30, seed=7, now=PINNED_NOW, frozen=True)
    app = create_app(state)
    path = Path(tempfile.mkdtemp(prefix="fsm-snapshots-")) / "cache.sqlite3"
    store = CacheStore(path, workflow=WORKFLOW)

    async def fill() -> None:
        async with FsmNavigatorClient(api_url="http://127.0.0.1/api/v1", api_key=API_KEY, rate_limit=None,
                                      transport=httpx.ASGITransport(app=app)) as client:
            async with SyncEngine(store, FsmNavigatorProvider(client, cached=store, clock=state.now)) as engine:
                assert (await engine.run()).ok

    asyncio.run(fill())
    store.close()
    return path


def board() -> JpmApp:
    status = BoardStatus(profile="demo", tenant="sandbox", environment="sandbox", online=True,
                         last_sync=PINNED_NOW - timedelta(seconds=12), outbox=0)
    return JpmApp(CacheStore(_cache_file(), workflow=WORKFLOW), status, clock=lambda: PINNED_NOW, tz=ZoneInfo(TIMEZONE),  # as the demo
                  reader=Reader(inline=True), workflow=WORKFLOW, export_dir=Path.cwd())


def _run(*keys: str):
    async def run_before(pilot):
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_fsm_job_list(snap_compare, size):
    assert snap_compare(board(), terminal_size=size, run_before=_run())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_fsm_job_detail(snap_compare, size):
    # /10022: the Pending job with a linked asset
    assert snap_compare(board(), terminal_size=size, run_before=_run("slash", *str(OPENED), "enter", "enter"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_fsm_calendar_day(snap_compare, size):
    assert snap_compare(board(), terminal_size=size, run_before=_run("C", "d"))
