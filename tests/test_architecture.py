"""The layer walls of docs/architecture.md, as import-linter contracts (pyproject.toml), checked on every run."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]

_LINTER_LOGGERS = ("importlinter", "grimp", "_rustgrimp")
"""The loggers ``lint_imports`` configures (``importlinter.cli._configure_logging``)."""


@contextmanager
def _logging_as_found() -> Iterator[None]:
    """``lint_imports`` runs ``logging.config.dictConfig``, which disables every logger that exists (the app's
    too, so a later test's ``caplog`` stays empty) and gives its own loggers handlers: put all of it back."""
    for name in _LINTER_LOGGERS:
        logging.getLogger(name)  # created now, so they are among those put back
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values()
                                     if isinstance(lg, logging.Logger))]
    found = [(lg, lg.disabled, lg.level, list(lg.handlers), lg.propagate) for lg in loggers]
    try:
        yield
    finally:
        for lg, disabled, level, handlers, propagate in found:
            lg.disabled, lg.level, lg.handlers, lg.propagate = disabled, level, handlers, propagate


def test_import_contracts_are_kept(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    app_log = logging.getLogger("jpm_tui.cache.live")  # tests/cache/test_live.py reads its warnings with caplog
    with _logging_as_found():
        status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert status == 0, report
    assert "0 broken" in report and " KEPT" in report
    assert not app_log.disabled and not logging.getLogger("importlinter").handlers  # as found
