"""Issue 16, point 5 and the general rule: a closed pipe, the export folder, a list feed's row count, `sandbox
serve --host 0.0.0.0`, `config init`'s prompts, and what a bug of ours prints (one line naming a scrubbed log)
versus the world's failures (one line, exit 1). (The job number in a conflict: test_sync_screen; the exports'
files: tests/ui/test_faults_exports.)"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from support.demo_board import Board
from support.isolated_config import NOWHERE, SECRET, isolate, profile_config

from jpm_tui.cli import cache as cli_cache
from jpm_tui.cli import main
from jpm_tui.config import load_config
from jpm_tui.session import profile_session

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return isolate(tmp_path, monkeypatch)


def config_for(tmp_path: Path, url: str = NOWHERE, extra: str = "") -> list[str]:
    return profile_config(tmp_path, url, top=extra)


# ------------------------------------------------------------------------------------------ a closed pipe


def test_a_reader_that_goes_away_ends_the_command_quietly(isolated: Path) -> None:
    """`jpm-tui config show | head -0`: the pipe is closed before anything is written."""
    opts = config_for(isolated)
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "jpm_tui", "config", "show", *opts[:2]], stdout=write_end,
                          stderr=subprocess.PIPE, env=env, cwd=ROOT, timeout=60)
    os.close(write_end)
    assert done.returncode == 141  # as a shell reports a writer stopped by a closed pipe
    assert done.stderr == b""  # no traceback, no "Exception ignored" about the unflushed rest


# ---------------------------------------------------------------------------------------------- exports


def test_the_export_folder_is_a_config_key_with_a_private_default(isolated: Path) -> None:
    opts = config_for(isolated)
    config = load_config(Path(opts[1]))
    assert profile_session(config, config.profile(), isolated).export_dir == isolated / "xdg-data/jpm-tui/exports"
    opts = config_for(isolated, extra='export_dir = "~/jpm-exports"\n')
    config = load_config(Path(opts[1]))
    assert profile_session(config, config.profile(), isolated).export_dir == isolated / "home/jpm-exports"
    with pytest.raises(Exception, match=r"export_dir: expected an absolute folder"):
        config_for(isolated, extra='export_dir = "exports"\n')
        load_config(Path(opts[1]))


# ------------------------------------------------------------------------------ what the dispatcher reads


def test_a_list_feed_counts_its_rows_not_every_read(isolated: Path, sandbox_server, capsys) -> None:
    opts = config_for(isolated, sandbox_server.base_url)
    for _ in range(3):
        assert main(["sync", *opts, "--feeds", "job_types"]) == 0
    capsys.readouterr()
    assert main(["cache", "info", "--json", *opts]) == 0
    info = json.loads(capsys.readouterr().out)
    (feed,) = [f for f in info["feeds"] if f["feed"] == "job_types"]
    assert feed["rows_total"] == info["counts"]["job_types"] == len(sandbox_server.state["job_types"])


# ------------------------------------------------------------------------------------ sandbox, config init


def test_sandbox_serve_on_every_interface_says_so(isolated: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "jpm_tui", "sandbox", "serve", "--host", "0.0.0.0", "--port",
                             "0", "--jobs", "20"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert first.startswith("# jpm-tui sandbox listening on 0.0.0.0:"), first
    assert "every interface: http://127.0.0.1:" in first and "from this machine" in first and "from others" in first


def test_config_init_asks_again_at_the_tenant_prompt(isolated: Path, monkeypatch, capsys) -> None:
    asked: list[str] = []
    answers = iter(["acme", "staging", "integration", "abc", "42", "cid.x", "ak1.y", "literal"])

    def answer(prompt: str = "") -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", answer)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": asked.append(prompt) or "typed-secret")
    path = isolated / "c.toml"
    assert main(["config", "init", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "  the environment is \"production\", \"integration\" or \"custom\", not 'staging'" in out
    assert "  a tenant id is a positive integer, not 'abc'" in out
    assert [p for p in asked if p.startswith("Tenant")] == ["Tenant id: ", "Tenant id: "]  # asked again at once
    assert asked.index("Client secret: ") > asked.index("Tenant id: ") + 1
    assert load_config(path).profile().tenant == 42


# ---------------------------------------------------------------------------------- a bug of ours, the log


def _logs(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "xdg-state").rglob("crash-*.log"))


def test_a_bug_in_a_command_is_one_line_naming_a_scrubbed_log(isolated: Path, monkeypatch, capsys) -> None:
    opts = config_for(isolated)

    def broken(args):  # a bug whose message carries the secret and an environment value
        raise RuntimeError(f"boom with {SECRET} and {os.environ['HOME']} and Bearer eyJabc.def")

    monkeypatch.setattr(cli_cache, "_cache_info", broken)
    assert main(["cache", "info", *opts]) == 70
    out, err = capsys.readouterr()
    (log,) = _logs(isolated)
    assert out == "" and err == (f"jpm-tui: internal error (RuntimeError); details (no secrets) in {log}. "
                                 "Please report it with that file\n")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "in broken" in text and "RuntimeError: boom with" in text
    assert SECRET not in text and "eyJabc" not in text and "boom with <" in text  # <secret> or <$SBX_SECRET>
    assert "args = " not in text  # frames only, no local variables


def test_a_sqlite_error_of_ours_is_a_bug_not_the_users_damaged_cache(isolated: Path, monkeypatch, capsys) -> None:
    opts = config_for(isolated)

    def broken(args):
        sqlite3.connect(":memory:").execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(cli_cache, "_cache_info", broken)
    assert main(["cache", "info", *opts]) == 70
    assert "internal error (OperationalError)" in capsys.readouterr().err


async def _stopped(board: Board) -> None:
    """Until the board has ended itself (not with the pilot's pauses: they wait on a board that is closing)."""
    for _ in range(200):
        if board.app.failure is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the board did not stop")


async def test_a_damaged_page_read_by_the_board_ends_it_with_one_line(board: Board, monkeypatch) -> None:
    def damaged(*_args):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(board.store, "job", damaged)
    board.app.open_job(board.job_where(lambda j: True)["id"])
    await _stopped(board)
    assert board.app.failure == (f"the cache {board.store.path} is damaged (SQLite: database disk image is "
                                 "malformed); `jpm-tui cache rescue` sets it aside and starts a fresh cache, "
                                 "keeping the changes not sent yet")
    assert board.app.failure_code == 1 and board.app._exception is None


async def test_a_bug_in_the_board_ends_it_with_one_line_naming_the_log(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("SOME_API_TOKEN", "token-from-the-environment")
    board = Board(tmp_path)

    def broken(*_args):
        raise ValueError(f"bug while holding {os.environ['SOME_API_TOKEN']}")

    monkeypatch.setattr(board.store, "job", broken)
    with pytest.raises(ValueError):  # a test driving the board sees the bug raised, as Textual does
        async with board.app.run_test(size=(120, 40)) as pilot:
            board.pilot = pilot
            await board.wait(lambda: board.app.status.last_sync is not None, "the first sync", timeout=30)
            board.app.open_job(board.job_where(lambda j: True)["id"])
            await _stopped(board)
    board.store.close()
    (log,) = _logs(tmp_path)
    assert board.app.failure == (f"internal error (ValueError); details (no secrets) in {log}. "
                                 "Please report it with that file")
    text = log.read_text()
    assert board.app.failure_code == 70 and "token-from-the-environment" not in text
    assert "ValueError: bug while holding <$SOME_API_TOKEN>" in text


def test_warnings_go_to_a_private_scrubbed_log_not_the_terminal(isolated: Path, monkeypatch, capsys) -> None:
    """Outside a test run nothing handles the program's warnings, and Python would print them on stderr, with
    their tracebacks: `jpm-tui` sends them to jpm-tui.log in the log folder instead."""
    import logging

    from jpm_tui.failures import log_to_file

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # as outside pytest
    log_to_file()
    (handler,) = root.handlers
    try:
        try:
            raise OSError("the disk went away")
        except OSError:
            logging.getLogger("jpm_tui.cache.sync").warning("sync of jobs failed with %s", SECRET, exc_info=True)
    finally:
        handler.close()
    out, err = capsys.readouterr()
    assert out == err == ""
    (log,) = (isolated / "xdg-state").rglob("jpm-tui.log")
    text = log.read_text()
    assert "WARNING jpm_tui.cache.sync: sync of jobs failed with <" in text and "OSError: the disk went away" in text
    assert SECRET not in text and stat.S_IMODE(log.stat().st_mode) == 0o600
