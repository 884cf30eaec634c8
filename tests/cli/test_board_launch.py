"""`jpm-tui` / `jpm-tui --demo`: which session the board gets, and what is (not) touched on the way."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

import jpm_tui.cli as cli
import jpm_tui.session as session_module
from jpm_tui.cli import main
from jpm_tui.session import Session
from jpm_tui.ui.format import phone as format_phone


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
        assert format_phone(phone) in shown  # as the board writes a phone number
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
#: what the board paints from the cache without: the HTTP client and its models, the sandbox, and the config's
#: validation (pydantic and the models: the first frame reads its few values with config_first_frame)
NOT_BEFORE_THE_FIRST_FRAME = ("httpx", "jpm_tui.api", "jpm_tui.sandbox", "jpm_tui.provider.servicetitan", "starlette",
                              "uvicorn", "pydantic", "pydantic_core", "jpm_tui.config_schema",
                              # the commands (their parsers too), the config's writer, a zone no profile named
                              "jpm_tui.cli.cache", "jpm_tui.cli.config_commands", "jpm_tui.cli.doctor",
                              "jpm_tui.cli.outbox", "jpm_tui.cli.sandbox", "jpm_tui.cli.sync", "tomli_w", "zoneinfo")
#: loaded with the live loop, after it: the job list's queued-write markers are one query (cache/outbox_marks.py), and
#: the provider's commands and records come with the provider
LATER_STILL = ("jpm_tui.cache.sync", "jpm_tui.cache.outbox", "jpm_tui.provider.base", "jpm_tui.provider.domain")


SHOP_CONFIG = ('[profiles.shop]\nenvironment = "custom"\napi_url = "http://127.0.0.1:9"\n'
               'auth_url = "http://127.0.0.1:9"\ntenant = 5\nclient_id = "c"\napp_key = "k"\n'
               'client_secret_env = "JPM_TEST_SECRET"\n')


def _shop_home(tmp_path: Path, config_text: str = SHOP_CONFIG) -> tuple[Path, Path]:
    """A config file with the profile ``shop`` and its cache of 39 jobs: (config, what XDG_CACHE_HOME names)."""
    from jpm_tui.cache.store import CacheStore
    from jpm_tui.provider import domain as d

    config = tmp_path / "config.toml"
    config.write_text(config_text)
    cache_home = tmp_path / "cache-home"
    store = CacheStore(CacheStore.path_for("custom", 5, base=cache_home / "jpm-tui" / "shop"))
    store.upsert("jobs", [d.Job(i, str(1000 + i), d.JobStatus.SCHEDULED, d.Priority.NORMAL, 1, 1, 1, 1)
                          for i in range(1, 40)])
    store.close()
    return config, cache_home


def _run_in_a_terminal(argv: list[str], cache_home: Path) -> tuple[int, str]:
    """``argv`` run in a 120x40 pty until it ends (30 s at most): its exit code and what it wrote."""
    import fcntl
    import os
    import select
    import struct
    import subprocess
    import termios
    import time

    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "JPM_TEST_SECRET": "s", "TERM": "xterm-256color"}
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    written = bytearray()
    deadline = time.monotonic() + 30
    try:
        while process.poll() is None and time.monotonic() < deadline:  # the terminal is read, or the board blocks
            if select.select([master], [], [], 0.1)[0]:
                try:
                    written += os.read(master, 65536)
                except OSError:
                    break
        process.wait(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return process.returncode, written.decode(errors="replace")


def _modules_at_first_frame(tmp_path: Path) -> set[str]:
    config, cache_home = _shop_home(tmp_path)
    modules = tmp_path / "modules.txt"
    _run_in_a_terminal([sys.executable, "-c", FIRST_FRAME_HOOK, str(modules), "--config", str(config),
                        "--profile", "shop"], cache_home)
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


# ------------------------------------------------------------------ the board's arguments, without the commands'

#: a plain board start: parsed by the board's own parser, as the whole parser parses it
BOARD_STARTS = [[], ["--profile", "shop"], ["--config", "f.toml", "--profile", "shop"], ["--conf", "f.toml"],
                ["--demo"], ["--demo", "--demo-jobs", "5000", "--backend", "bigchange"], ["--profile=shop"]]
#: anything else: left to the whole parser (its help, its version, its commands and its messages)
NOT_BOARD_STARTS = [["--help"], ["-h"], ["--version"], ["doctor"], ["--profile", "shop", "cache", "info"],
                    ["--demo-jobs", "0"], ["--backend", "nope"], ["--config"], ["--bogus"], ["--", "doctor"],
                    ["--de"]]  # (ambiguous: --demo or --demo-jobs)


@pytest.mark.parametrize("argv", BOARD_STARTS, ids=" ".join)
def test_a_plain_board_start_is_parsed_as_the_whole_parser_parses_it(argv: list[str]) -> None:
    args = cli._board_arguments(argv)
    assert args is not None and vars(args) == vars(cli.build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", NOT_BOARD_STARTS, ids=" ".join)
def test_anything_but_a_plain_board_start_goes_to_the_whole_parser(argv: list[str],
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert cli._board_arguments(argv) is None
    assert capsys.readouterr() == ("", "")  # the whole parser says what is wrong, with its usage


def test_the_board_starts_without_building_the_commands_parsers(opened: list[Session], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def no_commands() -> None:
        raise AssertionError("the commands' parsers were built for a board start")

    monkeypatch.setattr(cli, "build_parser", no_commands)
    assert main(["--demo"]) == 0
    assert len(opened) == 1 and opened[0].demo


# ------------------------------------------------------------ the config: read for the first frame, validated after it

ROOT = Path(__file__).resolve().parents[2]


def test_the_first_frames_reader_reads_what_validation_reads(tmp_path: Path) -> None:
    from jpm_tui.config import load_config
    from jpm_tui.config_first_frame import FirstFrame, FirstView, read_first_frame

    path = tmp_path / "config.toml"
    path.write_text('default_profile = "acme"\ntheme = "light"\nexport_dir = "~/exports"\ndispatcher_name = "Ann"\n'
                    '[keys]\nsync = "ctrl+r"\n[[views]]\nname = "Mine"\nfilters = { statuses = ["Scheduled"] }\n'
                    + SHOP_CONFIG + 'timezone = "America/Phoenix"\n'
                    '[profiles.acme]\nenvironment = "production"\ntenant = 42\nclient_id = "c"\napp_key = "k"\n'
                    'client_secret_env = "X"\n'
                    '[profiles.fsm]\nbackend = "fsm-navigator"\napi_key_env = "FSM_KEY"\n')
    config = load_config(path)
    for name in (None, "acme", "shop"):
        assert read_first_frame(path, name) == FirstFrame.of(config, config.profile(name))
    shop = read_first_frame(path, "shop")
    assert shop is not None and (shop.tenant, shop.environment, shop.api_url) == (5, "custom", "http://127.0.0.1:9")
    assert shop.timezone == "America/Phoenix" and shop.keys == {"sync": "ctrl+r"}
    assert shop.views == (FirstView("Mine", {"statuses": ["Scheduled"]}),) and shop.dispatcher_name == "Ann"
    assert read_first_frame(path, "fsm") is None  # another backend's profile: validated before the board, as before
    # the example every user starts from: each profile the reader takes is read as validation reads it
    example = tmp_path / "example.toml"
    example.write_text((ROOT / "config.example.toml").read_text())
    example.chmod(0o600)
    config = load_config(example)
    taken = [name for name in config.profiles if read_first_frame(example, name) is not None]
    assert "acme" in taken
    for name in taken:
        assert read_first_frame(example, name) == FirstFrame.of(config, config.profile(name))


@pytest.mark.parametrize("text", [
    "this is not toml",
    SHOP_CONFIG.replace("tenant = 5", 'tenant = "5"'),  # validation forgives the quotes; the reader leaves it to it
    SHOP_CONFIG.replace('api_url = "http://127.0.0.1:9"', 'api_url = "http://127.0.0.1:9/"'),
    SHOP_CONFIG.replace('environment = "custom"', 'environment = "staging"'),
    SHOP_CONFIG + 'cache_url = "postgresql://jpm@db/jpm"\n',
    SHOP_CONFIG + 'timezone = "Mars/Olympus"\n',
    'theme = " dark"\n' + SHOP_CONFIG,
    "views = 3\n" + SHOP_CONFIG,
    SHOP_CONFIG.replace('client_secret_env = "JPM_TEST_SECRET"', 'client_secret_command = "pass show st"'),
    SHOP_CONFIG + SHOP_CONFIG.replace("shop", "other"),  # no default_profile and no --profile
])
def test_a_file_the_reader_does_not_vouch_for_is_validated_before_the_board(tmp_path: Path, text: str) -> None:
    from jpm_tui.config_first_frame import read_first_frame

    path = tmp_path / "config.toml"
    path.write_text(text)
    assert read_first_frame(path, None) is None
    assert read_first_frame(tmp_path / "missing.toml", None) is None


def test_a_config_validation_refuses_ends_the_board_with_its_line(tmp_path: Path) -> None:
    """Painted from the first frame's values, the board validates the file and ends with the message a validated
    start gives (the file, the key), exit code 1."""
    from jpm_tui.config import ConfigError, load_config
    from jpm_tui.config_first_frame import read_first_frame

    config, cache_home = _shop_home(tmp_path, SHOP_CONFIG + "zzz = 1\n")
    assert read_first_frame(config, "shop") is not None
    with pytest.raises(ConfigError) as refused:
        load_config(config)
    assert "profiles.shop.zzz: unknown key" in str(refused.value)
    code, written = _run_in_a_terminal([sys.executable, "-m", "jpm_tui", "--config", str(config), "--profile", "shop"],
                                       cache_home)
    assert code == 1
    assert f"jpm-tui: {refused.value}" in written


async def test_the_board_syncs_and_takes_writes_only_once_its_config_is_validated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from jpm_tui.config_first_frame import read_first_frame
    from jpm_tui.session import board_app, first_frame_session

    monkeypatch.setenv("JPM_TEST_SECRET", "shop-secret-4411")  # remembered for scrubbing logs: not a common letter
    config, cache_home = _shop_home(tmp_path)
    first = read_first_frame(config, "shop")
    assert first is not None
    session = first_frame_session(first, cache_home / "jpm-tui")
    validating = threading.Event()
    check = session_module.check_first_frame

    def held_check(checked: Session) -> str | None:
        validating.wait(10)
        return check(checked)

    monkeypatch.setattr(session_module, "check_first_frame", held_check)
    store = session.open_store()
    app = board_app(session, store)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.3)
            assert app.live.engine is None and session.profile is None  # painted; not syncing, no client yet
            assert app.read_only_reason == "the config file is being checked; try again in a moment"
            validating.set()
            for _ in range(100):
                await pilot.pause(0.05)
                if app.live.engine is not None:
                    break
            assert app.live.engine is not None and app.read_only_reason is None
            assert session.profile is not None and session.profile.tenant == 5 and session.secret is not None
            assert session.secret() == "shop-secret-4411" and app.failure is None
    finally:
        app.live.close()
        store.close()


async def test_a_refused_config_ends_the_board_before_its_live_loop_starts(tmp_path: Path) -> None:
    from jpm_tui.config_first_frame import read_first_frame
    from jpm_tui.session import board_app, first_frame_session

    config, cache_home = _shop_home(tmp_path, SHOP_CONFIG + "zzz = 1\n")
    first = read_first_frame(config, "shop")
    assert first is not None
    session = first_frame_session(first, cache_home / "jpm-tui")
    store = session.open_store()
    app = board_app(session, store)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(100):
                await pilot.pause(0.05)
                if app.failure is not None:
                    break
        assert app.failure is not None and "profiles.shop.zzz: unknown key" in app.failure and app.failure_code == 1
        assert app.live.engine is None and session.profile is None
    finally:
        app.live.close()
        store.close()
