"""Pilot tests: drive the board with keys and assert on what changed on screen."""

from __future__ import annotations

import csv
import dataclasses
import json
import subprocess
import sys
import threading
import time

import pytest
from support.fake_board import make_app, settle, wait_until, widget_text
from support.fake_sources import FakeSource
from textual import events
from textual.command import CommandList

from jpm_tui.ui import table_window
from jpm_tui.ui.commands import binding_help
from jpm_tui.ui.screens.calendar import CalendarScreen
from jpm_tui.ui.screens.help import HelpScreen
from jpm_tui.ui.screens.job_detail import JobDetailScreen
from jpm_tui.ui.screens.jobs import JobsScreen
from jpm_tui.ui.screens.too_small import TooSmallScreen
from jpm_tui.ui.source import JobQuery, SavedView
from jpm_tui.ui.views import ViewError, view_from_filters
from jpm_tui.ui.widgets import virtual_table
from jpm_tui.ui.widgets.job_table import JobTable


def table_of(app) -> JobTable:
    return app.screen.query_one(JobTable)


def filter_bar_text(app) -> str:
    return widget_text(app.screen.query_one("#filter-bar"))


def first_row_number(app) -> str:
    # screen line 1 is the first data row (line 0 is the header)
    return table_of(app).render_line(1).text.split()[0]


async def test_cursor_moves_and_enter_opens_that_job(source):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "down", "j", "k")
        table = table_of(app)
        assert table.cursor == 3
        expected = source.rows[3].number  # sorted by job number: row 3
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, JobDetailScreen)
        text = widget_text(app.screen.query_one("#detail-content"))
        assert f"Job {expected}" in text
        location = source.location(source.jobs[source.rows[3].id].location_id or 0)
        assert location is not None and f"{location.street}, {location.city}, AZ 85281" in text
        await pilot.press("escape")
        assert isinstance(app.screen, JobsScreen)
        assert table_of(app).cursor == 3


async def test_navigation_keys(source):
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = table_of(app)
        page = table.page_rows
        await pilot.press("pagedown")
        assert table.cursor == page
        await pilot.press("ctrl+u")
        assert table.cursor == 0
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor == 199
        assert source.rows[199].number in widget_text(table)
        await pilot.press("g")
        assert table.cursor == 0


async def test_cursor_moves_repaint_only_what_changed_and_leave_no_stale_cursor(source):
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("j", "j", "k", "j")  # lines refreshed one by one: the cursor's old and new line
        await settle(pilot)
        assert table.cursor == 2
        partial = app.export_screenshot()
        table.refresh()  # everything drawn again from the rows
        await settle(pilot)
        assert app.export_screenshot() == partial


async def test_search_narrows_the_count_shown(source):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "200 matching" in filter_bar_text(app)
        # '/' and the text arrive together (one packet): every character must reach the search box.
        for key in ("slash", *"harbor"):
            app.post_message(events.Key(key, key if len(key) == 1 else "/"))
        expected = source.count_jobs(JobQuery(text="harbor"))
        assert 0 < expected < 200
        await wait_until(pilot, lambda: f"{expected} matching" in filter_bar_text(app))
        await settle(pilot)
        assert '"harbor"' in filter_bar_text(app)
        assert all("Harbor" in line for line in widget_text(table_of(app)).splitlines()[1:expected + 1])
        await pilot.press("escape")  # clears the search
        await settle(pilot)
        assert "200 matching" in filter_bar_text(app)


async def test_each_keystroke_searches_at_once(source):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "h")
        await settle(pilot)
        assert table_of(app).list_query.text == ""  # one letter: not yet
        await pilot.press("a")
        await settle(pilot)  # no waiting out a debounce timer: the reads are workers, settle waits for them
        assert table_of(app).list_query.text == "ha"
        assert f"{source.count_jobs(JobQuery(text='ha'))} matching" in filter_bar_text(app)


class GatedWindows(FakeSource):
    """Windows that wait, once ``hold()`` is called, until ``release()`` (a cold disk, a huge cache): a test sees
    the board while a read is under way however fast or slow the machine."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._open = threading.Event()
        self._open.set()

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def jobs_window(self, query, offset, limit):
        assert self._open.wait(10), "a test held the windows and never released them"
        return super().jobs_window(query, offset, limit)


def painted(app) -> str:
    """What is painted (the screenshot draws the widgets' painted lines; ``widget_text`` would render anew)."""
    return app.export_screenshot().replace("&#160;", " ")


@pytest.mark.parametrize("read_within_the_wait", [True, False], ids=["fast read", "slow read"])
async def test_a_new_query_keeps_the_old_rows_until_its_own_and_says_loading_only_when_slow(
        monkeypatch, read_within_the_wait):
    if read_within_the_wait:
        monkeypatch.setattr(virtual_table, "SHOW_WAITING_AFTER", 60.0)
    source = GatedWindows(200)
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = table_of(app)
        first = table.row_at(0).number
        source.hold()
        await pilot.press("r")  # reverse the sort: a new query
        if read_within_the_wait:  # the screen changes once: the old rows, count and sort until the new come
            await pilot.pause(0.2)
            shot = painted(app)
            assert not table.shows_rows and first in shot and "Loading" not in shot
            assert "200 matching   sort: Job # ▲" in filter_bar_text(app)
        else:
            await wait_until(pilot, lambda: "Loading" in painted(app), workers=False)
            assert first not in painted(app)  # no rows of the old order under the new one
            assert "… matching" in filter_bar_text(app)
        source.release()
        await settle(pilot)
        assert table.shows_rows and table.row_at(0).number != first
        assert table.row_at(0).number in painted(app)
        assert "200 matching   sort: Job # ▼" in filter_bar_text(app)


async def test_keys_pressed_while_a_new_query_is_read_apply_to_it():
    source = GatedWindows(200)
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = table_of(app)
        source.hold()
        await pilot.press("r", "j", "j", "j")  # reverse, then three rows down the new order
        assert not table.shows_rows and table.cursor == 0  # all four came while the new order was read
        source.release()
        await settle(pilot)
        assert table.cursor == 3 and table.cursor_row.number == "10196"  # 10199 first when reversed


async def test_a_jump_to_unread_rows_moves_with_them_or_shows_placeholders_when_slow(monkeypatch):
    source = GatedWindows(5000)
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = table_of(app)
        last = source.rows[-1].number
        monkeypatch.setattr(virtual_table, "SHOW_WAITING_AFTER", 60.0)
        source.hold()
        await pilot.press("G")
        await pilot.pause(0.2)
        assert table.cursor == 0 and last not in painted(app)  # not moved yet: its rows are being read
        source.release()
        await settle(pilot)
        assert table.cursor == 4999 and table.shows_rows and last in painted(app)
        monkeypatch.undo()
        await pilot.press("r")  # reversed: a new query, whose only windows read are at its top
        await settle(pilot)
        top, bottom = source.rows[-1].number, source.rows[0].number  # the first and the last row now
        assert top in painted(app)
        source.hold()
        await pilot.press("G")
        await wait_until(pilot, lambda: top not in painted(app), workers=False)  # moved after the wait, rowless
        assert table.cursor == 4999 and not table.shows_rows and bottom not in painted(app)
        assert widget_text(table).splitlines()[-1].strip() == "…"  # a placeholder where the last row will be
        source.release()
        await settle(pilot)
        assert table.shows_rows and bottom in painted(app)


async def test_the_filter_bar_cuts_a_long_summary_and_keeps_the_count_and_sort(source):
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.set_query(table_of(app).list_query, view_name="A view with a very long name " * 3)
        await pilot.pause()
        summary, count = filter_bar_text(app).split("200 matching")
        assert summary.startswith(" A view with a very long name") and summary.rstrip().endswith("…")
        assert count.rstrip() == "   sort: Job # ▲"


async def test_the_job_table_has_the_store_bookmark_its_query_and_stops_on_a_new_one(tmp_path, monkeypatch):
    from jpm_tui.cache.store import CacheStore, _query_key
    from jpm_tui.provider import domain as d

    store = CacheStore(tmp_path / "walk.sqlite3")
    store.upsert("jobs", [d.Job(i, str(1000 + i), d.JobStatus.SCHEDULED, d.Priority.NORMAL, 1, 1, 1, 1)
                          for i in range(1, 1001)])
    store.bookmarks.BOOKMARK_ENTRIES = 10  # a walk of 100 steps
    monkeypatch.setattr(table_window, "BOOKMARK_SECONDS", 0)  # one step a read
    monkeypatch.setattr(virtual_table, "BOOKMARK_IDLE", 0.05)
    walked: list[JobQuery] = []
    bookmark = store.bookmark_job_list

    def slow_step(query, seconds, *, going_on):  # noqa: ANN001, ANN202
        walked.append(query)
        if not query.descending:
            time.sleep(0.02)  # the first query's walk takes 2 s: still under way when the key comes
        return bookmark(query, seconds, going_on=going_on)

    store.bookmark_job_list = slow_step
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        first = table_of(app).list_query
        for _ in range(200):  # not settle(): it would wait for the whole walk
            if len(walked) >= 3:
                break
            await pilot.pause(0.01)
        assert walked and set(walked) == {first}
        await pilot.press("r")  # reverse the sort: a new query
        second = table_of(app).list_query
        await wait_until(pilot, lambda: _query_key(second) in store.bookmarks.anchors
                         and store.bookmarks.anchors[_query_key(second)].walked)
        assert second != first
        stopped = walked.index(second)
        assert set(walked[stopped:]) == {second} and 3 <= stopped < 100
        # (the reader thread's record: its connection's data version is not this thread's)
        assert not store.bookmarks.anchors[_query_key(first)].walked
        done = store.bookmarks.anchors[_query_key(second)]
        assert done.walked and [m[1] for m in done.marks] == list(range(991, 0, -10))  # every 10th, from 1000 down
        # new data (a sync): the table reloads and the store walks the list as it now is
        store.upsert("jobs", [d.Job(i, str(1000 + i), d.JobStatus.SCHEDULED, d.Priority.NORMAL, 1, 1, 1, 1,
                                    active=False) for i in range(901, 1001)])
        table_of(app).reload()
        await wait_until(pilot, lambda: store.bookmarks.anchors[_query_key(second)] is not done
                         and store.bookmarks.anchors[_query_key(second)].walked)
        again = store.bookmarks.anchors[_query_key(second)]
        assert again is not done and again.walked and again.step == 9  # 900 of 1000 jobs
        assert [m[1] for m in again.marks] == list(range(900, 0, -1))[8::9]
    store.close()


async def test_keys_pressed_in_a_row_walk_only_the_list_they_end_on(tmp_path, monkeypatch):
    # a sort then a reverse: each a new query, but only the last stands long enough to be walked (a walk begun for
    # each would take a core from the next key's reads)
    from jpm_tui.cache.store import CacheStore
    from jpm_tui.provider import domain as d

    store = CacheStore(tmp_path / "walk.sqlite3")
    store.upsert("jobs", [d.Job(i, str(1000 + i), d.JobStatus.SCHEDULED, d.Priority.NORMAL, 1, 1, 1, 1)
                          for i in range(1, 1001)])
    store.bookmarks.BOOKMARK_ENTRIES = 10
    monkeypatch.setattr(virtual_table, "BOOKMARK_IDLE", 2.0)
    walked: list[JobQuery] = []
    bookmark = store.bookmark_job_list

    def recorded(query, seconds, *, going_on):  # noqa: ANN001, ANN202
        walked.append(query)
        return bookmark(query, seconds, going_on=going_on)

    store.bookmark_job_list = recorded
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = table_of(app).list_query
        await pilot.press("greater_than_sign")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        last = table_of(app).list_query
        assert walked == [] and last.sort != first.sort and last.descending != first.descending
        await wait_until(pilot, lambda: bool(walked))
        await settle(pilot)
        assert set(walked) == {last}
    store.close()


async def test_sort_changes_the_first_row(source):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert first_row_number(app) == "10000"
        await pilot.press("r")  # reverse: highest job number first
        await settle(pilot)
        assert first_row_number(app) == "10199"
        assert "▼" in widget_text(table_of(app)).splitlines()[0]
        await pilot.press("greater_than_sign")  # next column: status, ascending
        await settle(pilot)
        first = sorted(source.rows, key=lambda r: (r.status, r.id))[0]
        assert first_row_number(app) == first.number
        assert "sort: Status ▲" in filter_bar_text(app)


async def test_untrusted_text_renders_literally():
    source = FakeSource(20)
    evil = "[bold red]x[/] \x1b[31mred\x1b]0;pwned\x07 \x1b[2Jtail"
    source.rows[0] = dataclasses.replace(source.rows[0], summary=evil, customer="[link=http://x]Acme[/link]")
    job_id = source.rows[0].id
    source.jobs[job_id] = dataclasses.replace(source.jobs[job_id], summary=evil)
    app = make_app(source)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        line = table_of(app).render_line(1)
        assert "[bold red]x[/] red tail" in line.text
        assert "[link=http://x]Acme[/link]" in line.text
        assert all("\x1b" not in seg.text and not seg.style.link for seg in line if seg.style)
        assert not any(seg.style and seg.style.color and seg.style.color.name == "red" for seg in line)
        await pilot.press("enter")
        await settle(pilot)
        text = widget_text(app.screen.query_one("#detail-content"))
        assert "[bold red]x[/] red tail" in text
        assert "\x1b" not in text and "pwned" not in text


async def test_a_row_goes_to_the_terminal_as_one_segment_per_look(source):
    # the terminal gets each segment's colour codes and a reset: a row of 20 segments was half escape codes
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = table_of(app)
        for y in (0, 1, 2):  # the header, the cursor's row, another row
            line = table.render_line(y)
            looks = [segment.style for segment in line]
            assert all(a != b for a, b in zip(looks, looks[1:])), y
            assert len(looks) <= 6, y  # the lead and number, status, a gap, priority, the rest
            assert line.cell_length == table.scrollable_content_region.width
        assert source.rows[1].number in table.render_line(2).text


async def test_virtual_table_reads_only_windows():
    source = FakeSource(100_000)
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        started = time.perf_counter()
        await settle(pilot)
        assert "100,000 matching" in filter_bar_text(app)
        assert source.windows_read <= 3
        await pilot.press("end")
        await settle(pilot)
        assert table_of(app).cursor == 99_999
        assert source.rows[-1].number in widget_text(table_of(app))
        assert source.windows_read <= 6
        assert time.perf_counter() - started < 5


async def test_first_rows_are_read_before_the_board_starts():
    source = FakeSource(500)
    app = make_app(source, inline=True)  # inline: the early read runs in JpmApp(), not on a thread
    assert source.windows_read == 1
    async with app.run_test(size=(120, 40)) as pilot:
        table = table_of(app)
        # at mount, before any worker ran: the count and the first rows are there for the first frame
        assert table.row_count == 500 and table.row_at(0) is not None
        await settle(pilot)
        assert source.windows_read == 2  # the next page (prefetched neighbour), not the first one again
        assert "500 matching" in filter_bar_text(app)


def test_the_job_list_module_leaves_the_rest_for_later():
    # The first paint is measured against a bare Textual app (bench/board_keys_in_process.py): the domain records, the
    # HTTP client, pydantic, the outbox and the sync engine load after it.
    later = ("jpm_tui.provider.domain", "jpm_tui.api", "jpm_tui.cache.outbox", "jpm_tui.cache.sync",
             "jpm_tui.cache.live", "httpx", "pydantic")
    code = f"import sys, jpm_tui.ui.app; print([m for m in sys.modules if m.startswith({later!r})])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_refresh_keeps_cursor_on_its_job(source):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"jjjjj")
        table = table_of(app)
        job_id = table.cursor_job_id
        screen_row = table.cursor - int(table.scroll_y)
        # Two new jobs sort ahead of it (a sync added them).
        source.rows[0:0] = [dataclasses.replace(source.rows[0], id=1, number="09998"),
                            dataclasses.replace(source.rows[0], id=2, number="09999")]
        source.jobs[1] = source.jobs[2] = source.jobs[source.rows[2].id]
        table.marked.add(job_id)
        table.reload()
        await settle(pilot)
        assert table.cursor == 7
        assert table.cursor_job_id == job_id
        assert table.cursor - int(table.scroll_y) == screen_row
        assert job_id in table.marked


async def test_quick_filters_views_and_clear(source):
    views = [SavedView("On hold", JobQuery(statuses=("Hold",))),
             view_from_filters("Urgent", {"priorities": ["Urgent"]})]
    app = make_app(source, views=views)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # status cycles: the open jobs first
        await settle(pilot)
        n = source.count_jobs(JobQuery(statuses=("Scheduled", "Dispatched", "InProgress", "Hold")))
        assert f"{n} matching" in filter_bar_text(app)
        assert "open jobs" in filter_bar_text(app)
        await pilot.press("s")  # then each status: Scheduled first
        await settle(pilot)
        n = source.count_jobs(JobQuery(statuses=("Scheduled",)))
        assert f"{n} matching" in filter_bar_text(app)
        assert "status Scheduled" in filter_bar_text(app)
        await pilot.press("2")
        await settle(pilot)
        n = source.count_jobs(JobQuery(priorities=("Urgent",)))
        assert f"{n} matching" in filter_bar_text(app)
        assert "Urgent" in filter_bar_text(app)
        header, *rows = widget_text(table_of(app)).splitlines()
        at = header.index(" Pri ") + 1  # a status label may hold a space ("In Progress"): read the column
        assert all(row[at:at + 7] == "Urgent " for row in rows[:n])
        await pilot.press("0")
        await settle(pilot)
        assert "200 matching" in filter_bar_text(app)
        # '3' has no view: the key is disabled, nothing changes
        await pilot.press("3")
        await settle(pilot)
        assert "All jobs" in filter_bar_text(app)


def test_config_example_views_load():
    """The [[views]] in config.example.toml mean something to the board."""
    import tomllib
    from pathlib import Path

    example = Path(__file__).parents[2] / "config.example.toml"
    if not example.exists():
        pytest.skip("config.example.toml not written yet")
    views = tomllib.loads(example.read_text())["views"]
    assert [view_from_filters(v["name"], v.get("filters", {})).name for v in views] == [v["name"] for v in views]


def test_view_filters_are_checked():
    with pytest.raises(ViewError, match="unknown filter"):
        view_from_filters("x", {"stauses": ["Hold"]})
    with pytest.raises(ViewError, match="filters.business_unit_ids"):
        view_from_filters("x", {"business_unit_ids": ["Plumbing"]})
    with pytest.raises(ViewError, match="filters.sort"):
        view_from_filters("x", {"sort": "colour"})
    view = view_from_filters("x", {"statuses": ["Hold", "Scheduled"], "sort": "modified", "descending": True})
    assert view.query.statuses == ("Hold", "Scheduled") and view.query.sort == "modified"


async def test_filter_form_applies(source):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        form = app.screen
        form.query_one("#f-bu").value = 11
        form.query_one("#f-from").value = "2025-05-20"
        await pilot.press("ctrl+s")
        await settle(pilot)
        query = table_of(app).list_query
        assert query.business_unit_ids == (11,)
        n = source.count_jobs(query)
        assert f"{n} matching" in filter_bar_text(app)
        summary = filter_bar_text(app)
        assert "BU Plumbing" in summary and "appt 2025-05-20" in summary


async def test_copy_job_number(source):
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "y")
        assert app.clipboard == source.rows[1].number


async def test_export_writes_the_current_view(source, tmp_path):
    app = make_app(source, export_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("p")  # priority: Urgent
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        files = list(tmp_path.glob("jobs-*.csv"))
        assert [f.name for f in files] == ["jobs-20250514-083000.csv"]  # named from the frozen clock
        rows = list(csv.DictReader(files[0].open()))
        assert len(rows) == source.count_jobs(JobQuery(priorities=("Urgent",)))
        assert {r["priority"] for r in rows} == {"Urgent"}


async def test_export_json_streams_an_array_of_the_view(source, tmp_path):
    app = make_app(source, export_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s", "s")  # status: the first one (after the open jobs)
        await settle(pilot)
        await pilot.press("X")
        await settle(pilot)
        (path,) = tmp_path.glob("jobs-*.json")
        jobs = json.loads(path.read_text())
        (status,) = app.screen.table.list_query.statuses
        assert len(jobs) == source.count_jobs(JobQuery(statuses=(status,))) > 0
        assert {j["status"] for j in jobs} == {status}
        assert jobs[0]["modified"].startswith("2025-")  # datetimes as ISO text


async def test_open_in_browser_opens_the_link_or_copies_it_over_ssh(source, monkeypatch):
    links = lambda kind, job_id: f"https://web.example/#/Job/Index/{job_id}"  # noqa: E731
    app = make_app(source, link_for=links)
    opened: list[str] = []
    app.open_url = opened.append  # type: ignore[method-assign]
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "o")
        assert opened == [f"https://web.example/#/Job/Index/{source.rows[1].id}"]
        monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
        await pilot.press("j", "o")
        assert len(opened) == 1 and app.clipboard == f"https://web.example/#/Job/Index/{source.rows[2].id}"


async def test_open_in_browser_without_a_web_app_says_so(source):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert any("no web page" in n.message for n in app._notifications)


async def test_broad_text_search_counts_up_to_the_cap(source, monkeypatch):
    import jpm_tui.ui.screens.jobs as jobs_screen
    import jpm_tui.ui.widgets.job_table as job_table

    monkeypatch.setattr(job_table, "TEXT_COUNT_CAP", 5)
    monkeypatch.setattr(jobs_screen, "TEXT_COUNT_CAP", 5)
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "e")
        await pilot.pause(0.3)
        assert "200 matching" in filter_bar_text(app)  # one letter waits for the next
        await pilot.press("r")
        await wait_until(pilot, lambda: "5+ matching" in filter_bar_text(app))
        assert table_of(app).row_count == 5


async def test_help_lists_effective_keys(source):
    app = make_app(source, keymap={"search": "ctrl+f"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = widget_text(app.screen.query_one("#help-keys"))
        assert "^f  Search" in text            # the keymap's key, not the default '/'
        assert "Export CSV" in text and "Reverse sort" in text and "Open" in text
        assert "Everywhere" in text and "Calendar" in text
        await pilot.press("escape")
        assert isinstance(app.screen, JobsScreen)


async def test_command_palette_lists_bound_actions(source, tmp_path):
    app = make_app(source, export_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        descriptions = {entry.description for entry in binding_help(app.screen)}
        assert {"Export CSV", "Search", "Filter", "Open", "Calendar", "Quit", "Reverse sort"} <= descriptions
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"export csv")
        await wait_until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
        await pilot.press("enter")
        await settle(pilot)
        assert list(tmp_path.glob("jobs-*.csv"))


async def test_mode_keys(source):
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        await pilot.press("C")
        assert isinstance(app.screen, CalendarScreen)
        await settle(pilot)
        assert "Agenda · " in widget_text(app.screen.query_one("#cal-title"))  # 80 columns: the agenda
        await pilot.press("J")
        assert isinstance(app.screen, JobsScreen)
        assert table_of(app).cursor == 2  # the jobs screen kept its state


async def test_too_small_terminal(source):
    app = make_app(source)
    async with app.run_test(size=(50, 12)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "Terminal too small" in widget_text(app.screen.query_one("#too-small"))
        await pilot.press("C")  # board keys are off while too small
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert isinstance(app.screen, JobsScreen)
        assert "200 matching" in filter_bar_text(app)


async def test_header_shows_status_and_updates(source):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        header = app.screen.query_one("StatusLine")
        text = widget_text(header)
        assert "demo · tenant 1234567 · sandbox" in text
        assert "● online" in text and "synced 12s ago" in text and "outbox 2" in text
        app.status = dataclasses.replace(app.status, online=False, outbox=5)
        await pilot.pause()
        text = widget_text(header)
        assert "○ offline" in text and "outbox 5" in text


async def test_detail_raw_payload_toggle(source):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("r")
        text = widget_text(app.screen.query_one("#detail-content"))
        assert '"jobNumber": "10000"' in text
        await pilot.press("r")
        assert "Appointments" in widget_text(app.screen.query_one("#detail-content"))


def test_builtin_themes_define_the_board_colours():
    from jpm_tui.ui.themes import BOARD_VARIABLES, builtin_themes

    themes = {t.name: t for t in builtin_themes()}
    assert {"dark", "light", "high-contrast", "ansi"} <= set(themes)
    for theme in themes.values():
        assert set(BOARD_VARIABLES) <= set(theme.variables), theme.name
    ansi = themes["ansi"]
    colours = [v for k, v in vars(ansi).items() if isinstance(v, str) and k != "name"] + list(ansi.variables.values())
    assert all(v.startswith("ansi_") or not v.startswith("#") for v in colours)
    assert not any(v.startswith("#") for v in colours)


@pytest.mark.parametrize("theme", ["dark", "light", "high-contrast", "ansi", "nord"])
async def test_every_theme_renders(source, theme):
    app = make_app(source, theme=theme)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == theme
        assert "200 matching" in filter_bar_text(app)


def test_user_theme_errors_are_reported(tmp_path):
    from jpm_tui.ui.themes import load_themes

    (tmp_path / "mine.toml").write_text('name = "mine"\n[colors]\nprimary = "#123456"\n')
    (tmp_path / "bad.toml").write_text('name = "bad"\n[colors]\nprimary = "not-a-colour"\n')
    themes, errors = load_themes([tmp_path])
    assert "mine" in {t.name for t in themes}
    assert len(errors) == 1 and "bad.toml" in str(errors[0])


async def test_no_color_is_respected(source, monkeypatch):
    from textual.filter import Monochrome, NoColor

    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.no_color
        assert any(isinstance(f, (Monochrome, NoColor)) for f in app._filters)
