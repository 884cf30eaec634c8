"""What the user is told when a command or the board fails.

A failure of the world (the disk, a file, the network, the server, the config, the secret source) is one line
that says what failed, where and what to do (:func:`world_message`). Anything else is a bug of ours: its
traceback, without local variables and with secrets and environment values scrubbed, goes to a crash log
(:func:`write_crash_log`) that the one line names; nothing of it is printed.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import traceback
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

__all__ = ["EXIT_BUG", "Failure", "bug_message", "crash_log_dir", "log_to_file", "remember_secret", "scrub",
           "world_message", "write_crash_log"]

APP_NAME = "jpm-tui"
EXIT_BUG = 70  # EX_SOFTWARE: a bug of ours (the world's failures exit 1)

#: environment variables whose values are kept in a crash log (paths and locale make a traceback readable and are
#: no secret); every other variable's value is replaced by its name
_ENV_KEPT = frozenset({"HOME", "PWD", "OLDPWD", "PATH", "SHELL", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE",
                       "TERM", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH", "XDG_CACHE_HOME", "XDG_CONFIG_HOME",
                       "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"})
_SHORTEST_SCRUBBED = 4  # shorter values ("1", "yes", "C") would blank out half the traceback
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
#: what a secret looks like in text we did not write: a bearer token, a form body's client_secret
_SECRET_SHAPES = (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
                  re.compile(r"(?i)(client_secret[\"']?\s*[=:]\s*[\"']?)[^\s&\"',}]+"))


class Failure(Exception):
    """A failure already worded for the user (the board's): ``jpm-tui`` prints it and exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def remember_secret(value: str) -> None:
    """A secret this process holds (the client secret once resolved): crash logs never show it."""
    if value:
        with _secrets_lock:
            _secrets.add(value)


def scrub(text: str, environ: dict[str, str] | None = None) -> str:
    """``text`` without the secrets this process holds, the values of its environment variables (but the plain
    ones in ``_ENV_KEPT``) or anything shaped like a token or a client secret."""
    environ = dict(os.environ) if environ is None else environ
    with _secrets_lock:
        replacements = [(value, "<secret>") for value in _secrets]
    replacements += [(value, f"<${name}>") for name, value in environ.items()
                     if name not in _ENV_KEPT and len(value) >= _SHORTEST_SCRUBBED]
    for value, mark in sorted(replacements, key=lambda pair: -len(pair[0])):  # the longest first: no half-values
        text = text.replace(value, mark)
    for shape in _SECRET_SHAPES:
        text = shape.sub(r"\1<secret>", text)
    return text


def crash_log_dir() -> Path:
    """Where crash logs go: the platform's user log folder (``~/.local/state/jpm-tui/log`` on Linux)."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def write_crash_log(error: BaseException, *, when: datetime | None = None) -> Path | None:
    """Write ``error``'s traceback (no local variables; scrubbed) to a new private file in :func:`crash_log_dir`;
    returns its path, or None when it could not be written (the message then says so)."""
    from . import __version__

    when = when or datetime.now(UTC)
    folder = crash_log_dir()
    text = "".join(traceback.format_exception(error))  # frames and messages only: locals are never formatted
    body = (f"jpm-tui {__version__} crash at {when.isoformat(timespec='seconds')}\n"
            f"python {sys.version.split()[0]} on {sys.platform}\n"
            f"command: {scrub(' '.join(sys.argv[1:]))}\n\n{scrub(text)}")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stem = f"crash-{when.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        for n in range(100):  # two crashes of one process in one second get their own files
            path = folder / (f"{stem}.log" if n == 0 else f"{stem}-{n}.log")
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(body)
            return path
    except OSError:
        return None
    return None


class _PrivateLog(logging.FileHandler):
    """``jpm-tui.log`` in the log folder: made on the first record, mode 0600, every line scrubbed. A record that
    cannot be written (a full disk) is dropped quietly: logging must not become the failure."""

    def _open(self):  # type: ignore[no-untyped-def]
        path = Path(self.baseFilename)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return open(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def log_to_file() -> None:
    """Send the program's warnings to ``jpm-tui.log`` in :func:`crash_log_dir` rather than the terminal, where
    Python would print them (with tracebacks): a command's failure is its one line, the board's screen is the
    board's. Nothing changes when logging is already set up (a test run, a program that embeds jpm-tui)."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = _PrivateLog(crash_log_dir() / "jpm-tui.log", delay=True, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.WARNING)
    root.addHandler(handler)


def bug_message(error: BaseException) -> str:
    """The one line for a bug of ours: what it was (its type only: its message may hold data) and where the
    details went."""
    path = write_crash_log(error)
    kind = type(error).__name__
    if path is None:
        return (f"internal error ({kind}); the crash log could not be written to {crash_log_dir()}. "
                "Please report this, with what you were doing")
    return f"internal error ({kind}); details (no secrets) in {path}. Please report it with that file"


def world_message(error: BaseException, cache_path: Path | None = None) -> str | None:
    """The one line for a failure of the world, or None when ``error`` is a bug of ours. Knows the config's,
    the cache's (SQLite's errors name ``cache_path``) and the API's errors, and files the OS could not read or
    write."""
    from .api.errors import JpmApiError
    from .cache.health import cache_fault
    from .config import ConfigError

    if isinstance(error, ConfigError | JpmApiError):
        return str(error) or type(error).__name__
    fault = cache_fault(error, cache_path) if not isinstance(error, OSError) else None
    if fault is not None:
        return str(fault)
    import httpx

    if isinstance(error, httpx.HTTPError):  # one the API client did not turn into its own error
        where = f" to {error.request.url.host}" if _has_request(error) else ""
        return f"the connection{where} failed: {error or type(error).__name__}; check the network and api_url"
    if isinstance(error, OSError) and error.errno is not None and not isinstance(error, BrokenPipeError):
        where = f" {error.filename}" if error.filename else ""
        return f"cannot use{where}: {error.strerror or error}"
    return None


def _has_request(error: BaseException) -> bool:
    try:
        error.request  # type: ignore[attr-defined]  # noqa: B018  # httpx raises RuntimeError when the error has none
    except (AttributeError, RuntimeError):
        return False
    return True
