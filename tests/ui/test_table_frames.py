"""What a key or new data draws: one frame with everything the key changed, and no more than what changed."""

from __future__ import annotations

import dataclasses

from support.fake_board import make_app, settle, wait_until, widget_text
from textual._compositor import Compositor
from textual.screen import Screen

from jpm_tui.ui.screens.jobs import JobsScreen
from jpm_tui.ui.widgets.filter_bar import FilterBar
from jpm_tui.ui.widgets.job_table import JobTable


def frames_of(app, monkeypatch, seen) -> list[tuple[str, str]]:  # noqa: ANN001 - test helpers
    """Record, at every frame the compositor draws, ``seen()``: what the widgets that frame drew held."""
    frames: list[tuple[str, str]] = []
    render = Screen._compositor_refresh

    def recorded(screen: Screen) -> None:
        render(screen)
        frames.append(seen())

    monkeypatch.setattr(Screen, "_compositor_refresh", recorded)
    return frames


def calls_of(monkeypatch, obj, name: str) -> list[tuple]:  # noqa: ANN001
    """The arguments of every call of ``obj.name`` from now on (which still runs)."""
    calls: list[tuple] = []
    method = getattr(obj, name)

    def recorded(*args):  # noqa: ANN002, ANN202
        calls.append(args)
        return method(*args)

    monkeypatch.setattr(obj, name, recorded)
    return calls


async def test_a_sort_draws_its_rows_and_the_filter_bar_in_one_frame(source, monkeypatch):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table, bar = app.screen.query_one(JobTable), app.screen.query_one(FilterBar)
        frames = frames_of(app, monkeypatch, lambda: (table.render_line(0).text, widget_text(bar)))
        await pilot.press("greater_than_sign")  # by job number -> by status
        await wait_until(pilot, lambda: "Status ▲" in table.render_line(0).text)
        await settle(pilot)
        first = next(bar_text for header, bar_text in frames if "Status ▲" in header)
        assert "sort: Status ▲" in first  # not a frame later


async def test_a_reload_draws_only_the_rows_that_changed(source, monkeypatch):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(JobTable)
        drawn = calls_of(monkeypatch, table, "render_line")
        app.data_version += 1  # new data, none of it on screen
        await settle(pilot)
        await pilot.pause(0.3)  # past RELOAD_EVERY: the next change reloads at once
        assert drawn == []
        source.rows[3] = dataclasses.replace(source.rows[3], summary="Boiler flooded the basement")
        app.data_version += 1
        await wait_until(pilot, lambda: "Boiler flooded" in str(table.row_at(3)))
        await settle(pilot)
        assert {y for (y,) in drawn} == {4}  # the fourth row's line (line 0 is the header), nothing else
        assert "Boiler flooded" in table.render_line(4).text


async def test_data_told_many_times_at_once_reloads_now_and_once_more_for_the_rest(source, monkeypatch):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(JobTable)
        reloads = calls_of(monkeypatch, table, "reload")
        for n in range(20):  # another board's sync telling of its pages
            source.rows[0] = dataclasses.replace(source.rows[0], summary=f"Change {n}")
            app.data_version += 1
        assert len(reloads) == 1
        await pilot.pause(0.4)  # past RELOAD_EVERY
        await settle(pilot)
        assert len(reloads) == 2  # the changes told after the first reload, in one
        assert "Change 19" in table.render_line(1).text


async def test_typing_in_the_search_box_lays_nothing_out(source, monkeypatch):
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen)
        await pilot.press("slash")
        await settle(pilot)
        layouts: list[bool] = []
        layout = Screen._refresh_layout

        def counted(self: Screen, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            layouts.append(True)
            layout(self, *args, **kwargs)

        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        await pilot.press("q")  # one letter: the search waits for a second one, so only the box changes
        await settle(pilot)
        assert screen.search_input.value == "q"
        assert "q" in widget_text(screen.search_input)
        assert layouts == []


async def test_the_board_draws_its_first_frame_once_its_start_up_batch_ends_not_inside_it(source, monkeypatch):
    """Textual drops a frame drawn while the app starts inside its batch of updates: the job list drew two such
    frames before the one written (BoardScreen asks again instead)."""
    drawn: list[bool] = []  # for each frame the compositor drew: whether inside the batch
    render = Compositor.render_update

    def recorded(compositor: Compositor, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        drawn.append(bool(app._batch_count))
        return render(compositor, *args, **kwargs)

    monkeypatch.setattr(Compositor, "render_update", recorded)
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(JobTable)
        assert table.row_count and "Job #" in table.render_line(0).text
    assert drawn and True not in drawn
