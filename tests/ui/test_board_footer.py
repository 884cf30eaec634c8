"""The footer of keys (BoardFooter): one line drawn from the screen's active bindings, again when they change; keys
that do not fit left out whole; a click on a key presses it."""

from __future__ import annotations

import pytest
from support.fake_board import make_app, settle
from support.fake_sources import FakeSource

from jpm_tui.ui.screens.calendar import CalendarScreen
from jpm_tui.ui.widgets.board_footer import PALETTE_EDGE, BoardFooter


async def test_the_footer_shows_the_screens_keys_and_follows_a_keymap_change(source: FakeSource) -> None:
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(BoardFooter)
        shown = {item.action: item.key for item in footer.items}
        assert {"mode('calendar')", "help", "quit"} <= set(shown) and shown["quit"] == "q"
        assert "q Quit" in footer.render_line(0).text
        app.set_keymap({"quit": "ctrl+q"})
        await settle(pilot)
        shown = {item.action: item.key for item in footer.items}
        assert shown["quit"] == "ctrl+q" and "^q Quit" in footer.render_line(0).text


async def test_keys_that_do_not_fit_are_left_out_whole_help_and_the_palette_stay(source: FakeSource) -> None:
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(BoardFooter)
        line = footer.render_line(0).text
        assert len(line) == 80 and line.rstrip().endswith(f"{PALETTE_EDGE}^p palette")
        drawn = [item for item in footer.items if item.action != "command_palette"]
        assert drawn and all(f"{item.shown} {item.description}" in line for item in drawn)  # none cut
        actions = [item.action for item in drawn]
        assert "quit" not in actions and "mode('projects')" not in actions  # 80 columns: left out...
        assert actions[-1] == "help"  # ...and help, which lists them, kept in place of the last that fit


async def test_a_click_on_a_key_presses_it(source: FakeSource) -> None:
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(BoardFooter)
        span = footer.span_of("mode('calendar')")
        assert span is not None
        await pilot.click(BoardFooter, offset=(span[0] + 1, 0))
        await settle(pilot)
        assert isinstance(app.screen, CalendarScreen)


async def test_a_click_on_a_dim_key_rings_the_bell_and_does_nothing(source: FakeSource,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(source)  # no live loop: the sync screen's keys are all refused (a read-only board)
    rang: list[bool] = []
    monkeypatch.setattr(app, "bell", lambda: rang.append(True))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        screen = app.screen
        footer = screen.query_one(BoardFooter)
        sync_now = next(item for item in footer.items if item.action == "sync_now")
        assert not sync_now.enabled
        span = footer.span_of("sync_now")
        assert span is not None
        await pilot.click(BoardFooter, offset=(span[0], 0))
        await settle(pilot)
        assert rang == [True] and app.screen is screen and not app._notifications
