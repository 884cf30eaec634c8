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

    # the board's start-up is exempted from GC once, after its first frame is painted and its live loop started
    # (frozen before, what that frame makes, or the HTTP client and models the loop loads after it, would be left out)
    order: list[str] = []
    monkeypatch.setattr(app_module.gc, "freeze", lambda: order.append("freeze" if app.live.engine else "too soon"))
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
        first = store.jobs_window(table.list_query, 0, 1)[0]
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


# ----------------------------------------------------------------------------------- what loads before the first frame

#: started as ``jpm-tui`` is, in a terminal: notes the modules loaded when the first frame showing job rows is
#: written to the terminal (a frame rendered inside Textual's start-up batch is not: it never reaches the screen), then
#: quits
FIRST_FRAME_HOOK = """
import sys
from textual.app import App

display = App._display

def displayed(app, screen, update):
    written = update is not None and not app._batch_count and app._running
    display(app, screen, update)
    from jpm_tui.ui.widgets.job_table import JobTable
    tables = screen.query(JobTable)
    if written and tables and tables.first().row_count:
        App._display = display
        with open(sys.argv[1], "w") as out:
            out.write("\\n".join(sorted(sys.modules)))
        app.exit()

App._display = displayed
from jpm_tui.cli import main
sys.exit(main(sys.argv[2:]))
"""
#: what the board paints from the cache without: the HTTP client and its models, the sandbox
NOT_BEFORE_THE_FIRST_FRAME = ("httpx", "jpm_tui.api", "jpm_tui.sandbox", "jpm_tui.provider.servicetitan", "starlette",
                              "uvicorn")
#: loaded with the live loop, after it: the job list's queued-write markers are one query (cache/outbox_marks.py), and
#: the provider's commands and records come with the provider
LATER_STILL = ("jpm_tui.cache.sync", "jpm_tui.cache.outbox", "jpm_tui.provider.base", "jpm_tui.provider.domain")


def _modules_at_first_frame(tmp_path: Path) -> set[str]:
    import fcntl
    import os
    import select
    import struct
    import subprocess
    import termios
    import time

    from jpm_tui.cache.store import CacheStore
    from jpm_tui.provider import domain as d

    config = tmp_path / "config.toml"
    config.write_text('[profiles.shop]\nenvironment = "custom"\napi_url = "http://127.0.0.1:9"\n'
                      'auth_url = "http://127.0.0.1:9"\ntenant = 5\nclient_id = "c"\napp_key = "k"\n'
                      'client_secret_env = "JPM_TEST_SECRET"\n')
    cache_home = tmp_path / "cache-home"
    store = CacheStore(CacheStore.path_for("custom", 5, base=cache_home / "jpm-tui" / "shop"))
    store.upsert("jobs", [d.Job(i, str(1000 + i), d.JobStatus.SCHEDULED, d.Priority.NORMAL, 1, 1, 1, 1)
                          for i in range(1, 40)])
    store.close()
    modules = tmp_path / "modules.txt"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "JPM_TEST_SECRET": "s", "TERM": "xterm-256color"}
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-c", FIRST_FRAME_HOOK, str(modules), "--config", str(config), "--profile", "shop"],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    deadline = time.monotonic() + 30
    try:
        while process.poll() is None and time.monotonic() < deadline:  # the terminal is read, or the board blocks
            if select.select([master], [], [], 0.1)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        process.wait(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert modules.exists(), "the board never showed its job rows"
    return set(modules.read_text().split())


def _loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(f"{p}.") for p in packages))


@pytest.fixture(scope="module")
def first_frame_modules(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    return _modules_at_first_frame(tmp_path_factory.mktemp("first-frame"))


def test_the_board_paints_its_jobs_before_loading_the_http_client_or_the_sandbox(first_frame_modules: set[str]):
    assert "jpm_tui.ui.widgets.job_table" in first_frame_modules and "jpm_tui.config" in first_frame_modules
    assert _loaded(first_frame_modules, NOT_BEFORE_THE_FIRST_FRAME) == []


def test_the_board_paints_its_jobs_before_loading_the_sync_engine_the_outbox_or_the_provider(first_frame_modules: set[str]):
    assert _loaded(first_frame_modules, LATER_STILL) == []
