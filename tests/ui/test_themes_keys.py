"""Theme switching on the board (saved to the config file through the session) and `[keys]` overrides."""

from __future__ import annotations

import os
from datetime import UTC
from pathlib import Path

import pytest
from support.fake_board import make_app, settle, wait_until, widget_text

from jpm_tui.config import load_config
from jpm_tui.session import Session, profile_session
from jpm_tui.ui.keys import binding_ids, check_keymap
from jpm_tui.ui.screens.calendar import CalendarScreen
from jpm_tui.ui.screens.help import HelpScreen
from jpm_tui.ui.screens.jobs import JobsScreen
from jpm_tui.ui.screens.modals import PickerScreen

CONFIG = """\
# my board settings
default_profile = "acme"
theme = "dark"

[keys]
sync = "ctrl+r"

[[views]]
name = "On hold"
filters = { statuses = ["Hold"] }

[profiles.acme]
environment = "production"
tenant = 1234567
client_id = "cid.acme"
app_key = "ak1.0123456789abcdef"
client_secret_env = "ACME_SECRET"
"""


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def session(tmp_path: Path) -> Session:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    path.chmod(0o600)
    config = load_config(path)
    return profile_session(config, config.profile(), tmp_path / "cache")


async def _pick(pilot, name: str) -> None:
    await pilot.press("ctrl+t")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PickerScreen)
    await pilot.press(*name)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


async def test_theme_picker_switches_and_saves_the_theme(source, session):
    app = make_app(source, theme=session.theme, theme_dirs=session.theme_dirs, keymap=session.keys,
                   keymap_origin=session.origin, save_theme=session.save_theme)
    path = session.config_path
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "dark"
        await _pick(pilot, "high-contrast")
        assert isinstance(app.screen, JobsScreen)
        assert app.theme == "high-contrast"
        assert app.get_css_variables()["status-held"] == "#ffff00"  # the board's variables follow the theme
        assert any("saved to" in n and "config.toml" in n for n in notes(app))
    text = path.read_text()
    assert 'theme = "high-contrast"' in text
    fresh = load_config(path)
    assert fresh.theme == "high-contrast"
    # everything else survives the rewrite (comments do not: tomli-w)
    assert fresh.keys == {"sync": "ctrl+r"} and fresh.default_profile == "acme"
    assert [v.name for v in fresh.views] == ["On hold"] and fresh.views[0].filters == {"statuses": ["Hold"]}
    assert fresh.profile("acme").client_id == "cid.acme"
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert not list(path.parent.glob(".config.toml.*.tmp"))  # the temporary file was renamed over it


async def test_theme_from_the_command_palette(source, session):
    app = make_app(source, save_theme=session.save_theme)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"theme")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press(*"light", "enter")
        await settle(pilot)
        assert app.theme == "light"
    assert load_config(session.config_path).theme == "light"


async def test_demo_board_says_the_theme_is_not_saved(source, tmp_path):
    demo = Session(profile_name="demo", tenant=1, environment="sandbox", api_url="http://127.0.0.1",
                   cache_dir=tmp_path, demo=True)
    app = make_app(source, save_theme=demo.save_theme)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _pick(pilot, "ansi")
        assert app.theme == "ansi"
        assert any("not saved" in n and "--demo" in n for n in notes(app))
    assert list(tmp_path.iterdir()) == []


async def test_a_failed_save_keeps_the_theme_and_says_why(source, session):
    session.config_path.unlink()
    session.config_path.mkdir()  # not writable as a file
    app = make_app(source, save_theme=session.save_theme)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _pick(pilot, "light")
        assert app.theme == "light"
        assert any("not saved" in n for n in notes(app)), notes(app)


# ------------------------------------------------------------------------------------------------ keys

async def test_overridden_keys_run_the_action_and_the_old_keys_do_not(source):
    app = make_app(source, keymap={"calendar": "ctrl+o", "search": "ctrl+f"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("C", "f3")  # the defaults are gone
        assert isinstance(app.screen, JobsScreen)
        await pilot.press("slash")
        assert not app.screen.search_input.has_focus
        await pilot.press("ctrl+f")
        assert app.screen.search_input.has_focus
        await pilot.press("escape")
        await pilot.press("question_mark")  # the jobs screen's help: the way to the calendar is listed there
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = widget_text(app.screen.query_one("#help-keys"))
        assert "^o  Calendar" in text and "^f  Search" in text
        assert "C " not in text and "f3" not in text
        await pilot.press("escape")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, CalendarScreen)
    assert app.keymap_problems == []


async def test_key_problems_are_warnings_on_the_board(source):
    app = make_app(source, keymap={"serch": "ctrl+f", "export": "f"}, keymap_origin="~/cfg/config.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = notes(app)
        assert "~/cfg/config.toml: [keys] serch: no board action has this id (did you mean 'search'?)" in shown
        assert any(n.startswith("~/cfg/config.toml: [keys]: 'f' would run both") and "export" in n
                   and "filter" in n for n in shown), shown
        assert isinstance(app.screen, JobsScreen)  # the board still opens


def test_binding_ids_cover_every_screen():
    ids = binding_ids()
    # app, job list, job detail, calendar, sync, projects, modals, help
    assert {"quit", "theme", "search", "raw", "tray", "sync-now", "attach-job", "send", "close"} <= ids


def test_check_keymap():
    assert check_keymap({}) == []
    assert check_keymap({"sync": "ctrl+r", "search": "ctrl+f"}) == []
    assert check_keymap({"search": "f", "filter": "ctrl+f"}) == []  # swapping keys is fine
    (problem,) = check_keymap({"sync": "q"}, "c.toml")
    assert problem.kind == "conflict"
    assert str(problem) == "c.toml: [keys]: 'q' would run both quit and sync everywhere; give one of them another key"
    (problem,) = check_keymap({"help": "j"}, "c.toml")  # a screen key (down) and an app key
    assert "down" in str(problem) and "help (everywhere)" in str(problem)
    (problem,) = check_keymap({"nope-nothing": "x"}, "c.toml")
    assert problem.kind == "unknown" and "config.example.toml" in str(problem)


# ------------------------------------------------------------------------------------- ansi, NO_COLOR

def _colours(app) -> set[str]:
    """The colour types of every cell on screen, before Textual's output filters (what the terminal gets)."""
    import io

    from rich.console import Console

    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    kinds = set()
    for segment in console.render(update):
        if segment.style is not None:
            kinds |= {c.type.name for c in (segment.style.color, segment.style.bgcolor) if c is not None}
    return kinds


async def test_ansi_theme_draws_only_the_16_ansi_colours(source):
    app = make_app(source, theme="ansi")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _colours(app) <= {"DEFAULT", "STANDARD"}
        await pilot.press("ctrl+t")  # a modal over the list
        await settle(pilot)
        assert _colours(app) <= {"DEFAULT", "STANDARD"}
        await pilot.press("escape", "enter")  # job detail
        await settle(pilot)
        assert _colours(app) <= {"DEFAULT", "STANDARD"}
    app = make_app(source, theme="dark")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "TRUECOLOR" in _colours(app)  # (the check can fail)


async def test_no_color_keeps_statuses_and_priorities_apart_by_style(source, monkeypatch):
    from jpm_tui.ui.widgets.job_table import JobTable

    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(JobTable)
        style = table.get_component_rich_style
        assert style("job-table--priority-urgent").reverse and style("job-table--priority-urgent").bold
        assert style("job-table--priority-high").bold and style("job-table--priority-low").dim
        assert style("job-table--status-held").italic and style("job-table--status-canceled").strike
        assert style("job-table--status-done").dim and style("job-table--status-working").bold
        assert not style("job-table--status-scheduled").dim
    monkeypatch.delenv("NO_COLOR")
    app = make_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one(JobTable).get_component_rich_style("job-table--priority-urgent").reverse


async def test_save_the_current_view_into_the_config(source, session):

    app = make_app(source, views=session.views, save_view=session.save_view)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("p", "s")  # a priority and a status
        await settle(pilot)
        query = app.screen.table.list_query
        await pilot.press("V", *"Urgent work", "enter")
        await settle(pilot)
        assert any("View 'Urgent work' saved to" in n for n in notes(app))
        saved = load_config(session.config_path)
        assert [v.name for v in saved.views] == ["On hold", "Urgent work"]
        assert saved.views[1].filters == {"statuses": list(query.statuses), "priorities": list(query.priorities)}
        assert saved.profiles["acme"].tenant == 1234567 and saved.keys == {"sync": "ctrl+r"}  # the rest is kept
        await pilot.press("0")
        await settle(pilot)
        await pilot.press("2")  # the new view is the second number key
        await settle(pilot)
        assert app.screen.table.list_query == query and app.screen.view_name == "Urgent work"
    from jpm_tui.ui.views import filters_from_query, view_from_filters

    assert view_from_filters("x", filters_from_query(query, UTC), UTC).query == query


def test_view_filters_round_trip_dates_and_sort():
    from datetime import datetime

    from jpm_tui.ui.source import JobQuery
    from jpm_tui.ui.views import filters_from_query, view_from_filters

    query = JobQuery(text="leak", technician_ids=(5,), sort="modified", descending=True,
                     appointment_from=datetime(2025, 5, 1, tzinfo=UTC),
                     appointment_to=datetime(2025, 6, 1, tzinfo=UTC))
    filters = filters_from_query(query, UTC)
    assert filters["appointment_to"] == "2025-05-31"  # inclusive, as written by hand
    assert view_from_filters("v", filters, UTC).query == query
