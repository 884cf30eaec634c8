"""The type check of issue 17: mypy over jpm_tui with pyproject.toml's config (strict on provider/, cache/ and ui/;
the modules listed there with a reason are not reported yet), checked on every run."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.mypy_run import run_mypy

ROOT = Path(__file__).resolve().parents[1]


def test_jpm_tui_type_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the config's paths and the module names are relative to the project
    out, err, status = run_mypy("jpm_tui")
    assert status == 0, f"mypy found errors:\n{out}{err}"
    assert "error" not in out, out
