"""`jpm-tui` / `jpm-tui --demo`: which session the board gets, and what is (not) touched on the way."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

import jpm_tui.session as session_module
from jpm_tui.cli import main
from jpm_tui.session import Session


@pytest.fixture
def opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Session]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    sessions: list[Session] = []

    def fake_open_board(session: Session) -> int:
        sessions.append(session)
        assert session.cache_dir.is_dir() or not session.demo
        return 0

    monkeypatch.setattr(session_module, "open_board", fake_open_board)
    return sessions


def test_demo_reads_no_config_and_uses_a_temporary_cache(opened: list[Session], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("this is not toml")
    monkeypatch.setenv("JPM_TUI_CONFIG", str(broken))
    assert main(["--demo", "--demo-jobs", "100"]) == 0
    (session,) = opened
    assert session.demo and session.profile_name == "demo" and session.environment == "sandbox"
    assert session.tenant == 1234567 and session.config is None
    assert not str(session.cache_dir).startswith(str(Path.home()))
    assert not session.cache_dir.exists()  # removed when the board closed
    assert session.sandbox_app.state.sandbox["jobs"] is not None


def test_board_for_default_profile_resolves_no_secret(opened: list[Session], tmp_path: Path) -> None:
    marker = tmp_path / "secret-command-ran"
    path = tmp_path / "config.toml"
    path.write_text(f"""\
theme = "light"
[keys]
sync = "ctrl+r"
[profiles.acme]
environment = "integration"
tenant = 42
client_id = "cid"
app_key = "key"
client_secret_command = "touch {marker}; echo s"
""")
    assert main(["--config", str(path)]) == 0
    (session,) = opened
    assert (session.profile_name, session.tenant, session.environment) == ("acme", 42, "integration")
    assert session.api_url == "https://api-integration.servicetitan.io"
    assert session.cache_dir == Path.home() / ".cache" / "jpm-tui" / "acme" or sys.platform != "linux"
    assert session.theme == "light" and session.keys == {"sync": "ctrl+r"}
    assert session.theme_dirs == [tmp_path / "themes"]
    assert not marker.exists()  # lazy: the secret is fetched when the board connects


def test_board_unknown_profile_is_one_line(opened: list[Session], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.acme]\nenvironment = "production"\ntenant = 1\nclient_id = "c"\napp_key = "k"\n'
                    'client_secret_env = "X"\n')
    assert main(["--config", str(path), "--profile", "beta"]) == 1
    assert capsys.readouterr().err == f"jpm-tui: {path}: no profile named 'beta' (profiles: acme)\n"
    assert opened == []


async def _wait_for_first_sync(app, pilot) -> None:
    for _ in range(400):  # the first sync runs in a worker; the table fills as feeds land
        await pilot.pause(0.05)
        if app.status.last_sync is not None and not app.status.syncing:
            break
    await pilot.pause(0.3)


def _screen_text(widget) -> str:
    return "\n".join(strip.text for strip in widget.render_lines(widget.size.region))


async def test_demo_board_syncs_from_the_sandbox_and_shows_jobs(tmp_path: Path, monkeypatch) -> None:
    from jpm_tui.cache.store import CacheStore, JobQuery
    from jpm_tui.session import board_app, demo_session
    from jpm_tui.ui import app as app_module
    from jpm_tui.ui.widgets.job_table import JobTable

    # the board's start-up is exempted from GC once, after its first frame is painted (frozen before it, what
    # that frame makes would be left out)
    order: list[str] = []
    monkeypatch.setattr(app_module.gc, "freeze", lambda: order.append("freeze"))
    session = demo_session(tmp_path, jobs=120)
    store = CacheStore(CacheStore.path_for(session.environment, session.tenant, base=session.cache_dir))
    app = board_app(session, store)
    display = app._display  # where Textual writes a frame to the terminal

    def display_and_note(screen, update) -> None:
        if update is not None and not app._batch_count:  # inside a batch update nothing is painted
            order.append("frame")
        display(screen, update)

    monkeypatch.setattr(app, "_display", display_and_note)
    async with app.run_test(size=(120, 40)) as pilot:
        await _wait_for_first_sync(app, pilot)
        assert order.count("freeze") == 1 and order.index("frame") < order.index("freeze"), order[:5]
        assert app.status.last_sync is not None and app.status.online and app.status.outbox == 0
        assert store.count_jobs(JobQuery()) == 120
        table = app.screen.query_one(JobTable)
        assert table.row_count == 120
        first = store.jobs_window(table.query, 0, 1)[0]
        assert first.number in _screen_text(table)
    store.close()


async def test_a_street_name_finds_its_job_and_the_detail_shows_address_and_phone(tmp_path: Path) -> None:
    from jpm_tui.session import board_app, demo_session
    from jpm_tui.ui.screens.job_detail import JobDetailScreen
    from jpm_tui.ui.widgets.job_table import JobTable

    session = demo_session(tmp_path, jobs=120)
    sandbox = session.sandbox_app.state.sandbox
    job = sandbox["jobs"].get(sorted(j["id"] for j in sandbox["jobs"].values())[10])
    location = sandbox["locations"].get(job["locationId"])
    street = location["address"]["street"]
    phone = next(c["value"] for c in sandbox["customer_contacts"].values()
                 if c.get("customerId") == job["customerId"] and c["type"] in ("Phone", "MobilePhone"))
    store_path = __import__("jpm_tui.cache.store", fromlist=["CacheStore"]).CacheStore.path_for(
        session.environment, session.tenant, base=session.cache_dir)
    from jpm_tui.cache.store import CacheStore

    store = CacheStore(store_path)
    app = board_app(session, store)
    async with app.run_test(size=(120, 40)) as pilot:
        await _wait_for_first_sync(app, pilot)
        await pilot.press("slash", *street, "enter")
        table = app.screen.query_one(JobTable)
        for _ in range(100):
            await pilot.pause(0.05)
            if table.row_count and table.row_count < 120:
                break
        assert 1 <= table.row_count < 120
        assert job["jobNumber"] in _screen_text(table)
        while table.cursor_job_id != job["id"]:
            await pilot.press("down")
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, JobDetailScreen) and app.screen.detail is not None:
                break
        await pilot.pause(0.2)
        shown = "\n".join(_screen_text(w) for w in app.screen.query("*") if w.size.area)
        assert street in shown and location["address"]["city"] in shown
        assert phone in shown
        booked_by = sandbox["job_history"].get(job["id"])["history"][0]["employeeId"]
        assert sandbox["employees"].get(booked_by)["name"] in shown  # people by name, not id
        copied: list[str] = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await pilot.press("a", "p", "y")
        assert copied[0].startswith(street) and copied[1] == phone and copied[2] == job["jobNumber"]
    store.close()


def test_job_links_point_at_the_environments_web_app() -> None:
    from jpm_tui.provider.servicetitan import record_link

    assert record_link("production", "job", 42) == "https://go.servicetitan.com/#/Job/Index/42"
    assert record_link("integration", "job", 42) == "https://integration.servicetitan.com/#/Job/Index/42"
    assert record_link("sandbox", "job", 42) is None and record_link("production", "customer", 7) is None
