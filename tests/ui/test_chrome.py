"""The board's chrome says what is true and fits: the header names what the live loop does (paused, offline,
syncing, idle), help shows each key's whole description, and the numbers stay in sight at 80 columns."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC
from pathlib import Path

from support.fake_board import STATUS, make_app, settle, widget_text
from support.fake_sources import FakeLive, FakeSource, fixed_store, frozen_clock

from jpm_tui.cache.store import CacheStore
from jpm_tui.ui import JpmApp
from jpm_tui.ui.screens.appointment_form import TimesFormScreen
from jpm_tui.ui.screens.help import HelpScreen
from jpm_tui.ui.source import Reader
from jpm_tui.ui.widgets.job_table import JobTable
from jpm_tui.ui.widgets.project_table import ProjectTable
from jpm_tui.ui.widgets.status_line import StatusLine


def _live_app(tmp_path: Path):
    tmp_path.mkdir(exist_ok=True)
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
        summary = widget_text(app.screen.query_one("#sync-summary"))
        assert "Paused reading from the server; your changes are still sent" in summary  # what pause does not stop
        await pilot.press("escape")
        await settle(pilot)
        assert "paused" in _header(app) and "syncing" not in _header(app)
        app.live.resume()
        app.status = dataclasses.replace(app.status, online=False, offline_reason="Could not reach the server")
        await pilot.pause()
        header = _header(app)
        assert "offline" in header and "syncing" not in header and "synced 12s ago" in header


async def _help_lines(app, pilot, *keys: str) -> list[str]:
    await settle(pilot)
    await pilot.press(*keys, "question_mark")
    await settle(pilot)
    assert isinstance(app.screen, HelpScreen)
    body, keys = app.screen.query_one("#help-body"), app.screen.query_one("#help-keys")
    assert keys.outer_size.width <= body.scrollable_content_region.width  # nothing cut on the right
    return [line.rstrip() for line in widget_text(app.screen.query_one("#help-keys")).splitlines()]


async def test_help_shows_each_keys_whole_description_and_none_of_textuals_own():
    app = make_app(FakeSource(50))
    async with app.run_test(size=(120, 40)) as pilot:
        lines = await _help_lines(app, pilot, "enter")  # the job detail: the longest descriptions
        assert any(line.endswith("u  Job actions: Remove cancellation") for line in lines)
        assert any(line.endswith("D  Job actions: Detach from project") for line in lines)
        text = "\n".join(lines)
        assert "Page Left" not in text and "Copy selected text" not in text and "Scroll Right" not in text
        assert "Page Up" in text  # Textual's keys that do something here stay
        await pilot.press("escape", "escape")
        lines = await _help_lines(app, pilot)
        assert any(line.endswith("<  Sort by previous column") for line in lines)


async def test_at_80_columns_the_header_keeps_the_sync_and_the_outbox_count_whole(tmp_path):
    app = _live_app(tmp_path)
    app.status = dataclasses.replace(app.status, profile="bigchange-demo-with-a-long-name", outbox=12)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header = _header(app).rstrip()
        assert header.endswith("● online   synced 12s ago   outbox 12"), header
        assert "bigchange-demo" in header and "…" in header  # the profile gives way, cut visibly


async def test_at_80_columns_a_board_connecting_says_so_and_keeps_the_sync_and_the_outbox_count_whole(tmp_path):
    app = _live_app(tmp_path)
    app.status = dataclasses.replace(app.status, profile="bigchange-demo-with-a-long-name", outbox=12,
                                     connecting=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        header = _header(app).rstrip()
        assert header.endswith("○ connecting…   synced 12s ago   outbox 12"), header
        assert "online" not in header and "bigchange-demo" in header


async def test_at_80_columns_the_calendar_title_keeps_its_counts():
    app = make_app(FakeSource(50))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("C", "d")
        await settle(pilot)
        title = app.screen.query_one("#cal-title")
        text = widget_text(title).strip()
        assert re.search(r"\d+ technicians · \d+ appointments", text), text
        assert len(text) <= title.content_size.width and "…" not in text
    async with make_app(FakeSource(50)).run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("C", "d")
        await settle(pilot)
        assert widget_text(pilot.app.screen.query_one("#cal-title")).startswith(" Calendar · Day · ")  # room: whole


async def test_at_80_columns_the_project_list_shows_its_number_title_and_statuses_whole(tmp_path):
    store = fixed_store(tmp_path / "cache.sqlite3")  # the fixed projects: open, in progress, completed
    app = JpmApp(store, STATUS, clock=frozen_clock, tz=UTC, reader=Reader(inline=True), live=FakeLive(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        lines = widget_text(app.screen.query_one(ProjectTable)).splitlines()
        assert lines[0].lstrip().startswith("Project # ▲ Name"), lines[0]
        assert any(" In Progress " in line for line in lines[1:]) and not any("Progre…" in line for line in lines)


async def test_at_80_columns_the_sync_screen_shows_each_feeds_whole_name(tmp_path):
    store = fixed_store(tmp_path / "cache.sqlite3")
    live = FakeLive(store)
    live.feed_names = lambda: ["jobs", "appointment_assignments"]  # type: ignore[method-assign]  # the longest name
    app = JpmApp(store, STATUS, clock=frozen_clock, tz=UTC, reader=Reader(inline=True), live=live)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        feeds = widget_text(app.screen.query_one("#feeds"))
        assert "appointment assignments" in feeds, feeds


async def test_a_feed_read_this_run_that_brought_nothing_says_0_records(tmp_path):
    from jpm_tui.cache.sync import SyncProgress

    store = fixed_store(tmp_path / "cache.sqlite3")
    live = FakeLive(store)
    live.feed_names = lambda: ["jobs", "job_types"]  # type: ignore[method-assign]
    live.progress["jobs"] = SyncProgress("jobs", pages=1, records=0, done=True, has_more=False, total_records=50)
    app = JpmApp(store, STATUS, clock=frozen_clock, tz=UTC, reader=Reader(inline=True), live=live)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        words = [line.strip("│ ").split() for line in widget_text(app.screen.query_one("#feeds")).splitlines()]
        jobs = next(w for w in words if w[:1] == ["jobs"])
        assert jobs[1:6] == ["done", "████████", "100%", "1", "0"], jobs  # 1 page, 0 records


async def test_the_reschedule_forms_hint_is_whole_at_any_width(tmp_path):
    for size in ((80, 24), (120, 40)):
        app = _live_app(tmp_path / f"{size[0]}")
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("C", "d", "j", "l", "r")
            await settle(pilot)
            assert isinstance(app.screen, TimesFormScreen)
            hint = " ".join(widget_text(app.screen.query_one("#dialog-hint")).split())
            assert hint.endswith("times are local, HH:MM"), (size, hint)


async def test_on_a_first_start_the_empty_list_says_the_first_pages_are_coming(tmp_path):
    app = make_app(FakeSource(0), live=FakeLive(CacheStore(tmp_path / "cache.db")))
    app.status = dataclasses.replace(app.status, last_sync=None)  # a new cache: nothing synced yet
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(JobTable)
        assert table.render_line(1).text.strip() == "Syncing the first pages from the server…"
        app.status = dataclasses.replace(app.status, online=False, offline_reason="Could not reach the server")
        await pilot.pause()
        assert table.render_line(1).text.strip().startswith("Nothing cached yet: the server cannot be reached")
        app.status = dataclasses.replace(app.status, online=True, last_sync=STATUS.last_sync)  # synced: none match
        await pilot.pause()
        assert table.render_line(1).text.strip() == "No jobs match."


async def test_a_screens_footer_leaves_out_the_way_to_itself_and_keeps_help_whole_at_80_columns(tmp_path):
    from jpm_tui.ui.widgets.board_footer import BoardFooter

    app = _live_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        for key, itself, others in (("S", "Sync", {"Jobs", "Calendar"}), ("C", "Calendar", {"Jobs", "Sync"}),
                                    ("J", "Jobs", {"Calendar", "Help"})):  # (the rest: not whole in 80)
            await pilot.press(key)
            await settle(pilot)
            footer = app.screen.query_one(BoardFooter)
            keys = {k.description: k for k in footer.items if k.shown in "JCSP?"}
            assert itself not in keys and others <= set(keys), sorted(keys)
            if key != "J":  # (the job list's own keys fill its 80 columns: its help is in the palette and "?")
                span = footer.span_of("help")
                assert span is not None and span[1] <= 80 - 12, span  # whole, before the palette's
