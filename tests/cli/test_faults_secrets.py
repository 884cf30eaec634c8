"""Issue 16, point 3: a bad secret source is one clean line and a non-zero exit, for the board, `config check` and
`doctor` alike; no secret and no environment value is ever printed; a hanging secret command is announced and
stopped. The board is started through `main()` as `jpm-tui` starts it: the secret is resolved before it opens."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.isolated_config import isolate, profile_config

from jpm_tui import config as config_module
from jpm_tui.cli import main

LEAKED = "s3cr3t-from-stdout"
ENV_VALUE = "env-value-that-must-not-show"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)
    monkeypatch.setenv("SOME_API_TOKEN", ENV_VALUE)  # what the traceback listed among its locals


def config_with(tmp_path: Path, secret_line: str) -> Path:
    return Path(profile_config(tmp_path, secret=secret_line)[1])


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and LEAKED not in out + err and ENV_VALUE not in out + err
    return code, out, err


@pytest.mark.parametrize(("secret_line", "problem"), [
    (f'client_secret_command = "echo {LEAKED}; exit 3"',
     "profiles.sbx.client_secret_command: the command failed with exit code 3"),
    (f'client_secret_command = "echo {LEAKED}; echo {LEAKED} >&2; exit 3"',  # stderr repeating stdout: not shown
     "profiles.sbx.client_secret_command: the command failed with exit code 3"),
    ('client_secret_env = "NOT_SET_ANYWHERE"',
     "profiles.sbx.client_secret_env: environment variable NOT_SET_ANYWHERE is not set"),
])
def test_a_bad_secret_source_is_one_line_for_the_board_config_check_and_doctor(
        secret_line, problem, tmp_path, capsys) -> None:
    path = config_with(tmp_path, secret_line)
    line = f"{path}: {problem}"

    assert run(capsys, "--config", str(path)) == (1, "", f"jpm-tui: {line}\n")  # the board: nothing opens
    assert run(capsys, "config", "check", "--config", str(path)) == (1, "", f"jpm-tui: {line}\n")
    code, out, _ = run(capsys, "doctor", "--config", str(path))
    assert code == 1 and out.splitlines()[1] == f"✗ secret: {line}"


def test_a_hanging_secret_command_is_announced_then_stopped(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(config_module, "SECRET_COMMAND_NOTICE", 0.2)
    monkeypatch.setattr(config_module, "SECRET_COMMAND_TIMEOUT", 1.5)
    path = config_with(tmp_path, f'client_secret_command = "echo {LEAKED}; sleep 30"')
    started = time.monotonic()
    code, out, err = run(capsys, "--config", str(path))
    # the shell's child (sleep) holds the output pipe open: unless it is stopped with the shell, reading what is
    # left of the output would wait the 30 s out
    assert time.monotonic() - started < 5
    key = f"{path}: profiles.sbx.client_secret_command"
    assert (code, out) == (1, "")
    assert err == (f"jpm-tui: waiting for {key} (gives up after 1.5 s)…\n"
                   f"jpm-tui: {key}: the command did not finish within 1.5 s; run it in a terminal to see what it "
                   "waits for\n")


def test_config_check_resolves_the_secret_without_printing_it(tmp_path, capsys) -> None:
    path = config_with(tmp_path, f'client_secret_command = "echo {LEAKED}"')
    code, out, err = run(capsys, "config", "check", "--config", str(path))
    assert (code, err) == (0, "")
    assert out == f"{path}: OK (1 profile: sbx; default sbx; every client secret resolved)\n"
