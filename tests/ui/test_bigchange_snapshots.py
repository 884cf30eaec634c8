"""Snapshots of the board on the BigChange demo (`--demo --backend bigchange`, pinned clock): the job list, a
completed job's detail (contact, address, custom fields by their definitions' names, planned window, status
history) and a started job's edit form (description and person read-only with the reason).

Regenerate after an intended change: ``python -m pytest tests/ui/test_bigchange_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.fake_board import wait_until as _wait_until
from textual.widgets import Input

from jpm_tui.cache.store import CacheStore
from jpm_tui.provider.backends import workflow_for
from jpm_tui.session import board_app, demo_session
from jpm_tui.ui.screens.edit_form import EditFormScreen
from jpm_tui.ui.screens.job_detail import JobDetailScreen

SIZES = [(80, 24), (120, 40)]
DONE_WITH_ISSUES = 128400012  # the demo's twelfth job: completed with issues, two custom fields
STARTED = 128400009


async def wait_until(pilot, condition, timeout: float = 10.0) -> None:
    await _wait_until(pilot, condition, timeout, workers=False)


async def settle(pilot) -> None:
    """Until no worker but the live loop runs (the live board's reloads cancel each other: waiting on a cancelled
    one would raise, so this looks rather than waits), then a repaint."""
    await wait_until(pilot, lambda: not [w for w in pilot.app.workers if w.group != "live" and w.is_running])
    await pilot.pause(0.2)


def demo(tmp_path: Path):
    session = demo_session(tmp_path, jobs=40, backend="bigchange")
    return board_app(session, CacheStore(session.cache_file, workflow=workflow_for(session.backend)))


async def _synced(pilot) -> None:
    await wait_until(pilot, lambda: pilot.app.status.last_sync is not None and not pilot.app.status.syncing,
                     timeout=30)
    await settle(pilot)


async def _list(pilot) -> None:
    await _synced(pilot)


async def _detail(pilot) -> None:
    await _synced(pilot)
    pilot.app.open_job(DONE_WITH_ISSUES)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, JobDetailScreen) and pilot.app.screen.detail
                     is not None and len(pilot.app.screen.detail.history) == 8)
    await settle(pilot)


async def _form(pilot) -> None:
    await _synced(pilot)
    pilot.app.open_job(STARTED)
    # the customer's people, read as the job opens online, make the contact person a picker
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, JobDetailScreen) and pilot.app.screen.detail
                     is not None and pilot.app.screen.detail.extra["people"])
    await pilot.press("E")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, EditFormScreen))
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False  # a blinking cursor would be caught on or off
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_bigchange_job_list(snap_compare, size, tmp_path):
    assert snap_compare(demo(tmp_path), terminal_size=size, run_before=_list)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_bigchange_job_detail(snap_compare, size, tmp_path):
    assert snap_compare(demo(tmp_path), terminal_size=size, run_before=_detail)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_bigchange_edit_form(snap_compare, size, tmp_path):
    assert snap_compare(demo(tmp_path), terminal_size=size, run_before=_form)


def test_the_status_column_tells_the_two_completions_apart_at_80_columns() -> None:
    from jpm_tui.ui.widgets.job_table import job_columns, layout_columns
    from jpm_tui.ui.widgets.virtual_table import fit

    workflow = workflow_for("bigchange")
    (width,) = [w for column, w in layout_columns(80, job_columns(workflow)) if column.key == "status"]
    ok, issues = (fit(workflow.status_label(s), width) for s in ("completedOk", "completedWithIssues"))
    assert ok.strip() == "Completed OK" and issues.startswith("Completed w")
