"""What the command groups share: the parent parsers, argument types, :class:`CliError`, printing, and opening
the session (and its cache) the arguments name.

Subcommand groups register with :func:`command_group` (see ``jpm_tui.cli``). ``--demo`` runs the cache commands
against the in-process sandbox and a temporary cache directory (removed on exit), never the user's real cache.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import config_path, default_cache_dir, load_config

__all__ = ["CliError", "Common", "cache_path", "command_group", "open_session"]

PROG = "jpm-tui"
Subparsers = Any  # argparse._SubParsersAction (private type)


class CliError(Exception):
    """An expected failure of a command; the message is shown as ``jpm-tui: <message>``."""


@dataclass(frozen=True)
class Common:
    """Parent parsers for options that work before and after the subcommand name."""

    config: argparse.ArgumentParser   # --config PATH
    profile: argparse.ArgumentParser  # --config PATH, --profile NAME
    demo: argparse.ArgumentParser     # --demo, --demo-jobs N


_GROUPS: list[Callable[[Subparsers, Common], None]] = []


def command_group(fn: Callable[[Subparsers, Common], None]) -> Callable[[Subparsers, Common], None]:
    """Register a function that adds a subcommand group to the parser (see the module docstring)."""
    _GROUPS.append(fn)
    return fn


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0..65535 (0 = any free port), got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _backend_names() -> list[str]:
    from ..backends import BACKENDS

    return list(BACKENDS)

def _error(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def _path(args: argparse.Namespace) -> Path:
    return config_path(getattr(args, "config", None))


class _demo_cache_dir:
    """A temporary cache directory for --demo, removed afterwards (never the user's real cache)."""

    def __enter__(self) -> Path:
        self.path = Path(tempfile.mkdtemp(prefix="jpm-tui-demo-"))
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _reason(error: BaseException) -> str:
    """A short lower-case reason from an httpx/OS error: 'connection refused', 'timed out', ..."""
    import re

    import httpx

    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    cause: BaseException | None = error
    seen = 0
    while cause is not None and seen < 10:  # httpx/anyio wrap the OS error: find it for its plain reason
        if isinstance(cause, OSError) and cause.errno is not None and cause.strerror:
            text = os.strerror(cause.errno) if cause.errno > 0 else ""
            if not text or text.startswith("Unknown error"):  # asyncio puts its own words in strerror
                text = cause.strerror
            return text[:1].lower() + text[1:]
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    text = str(error) or type(error).__name__
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text)
    return text[:1].lower() + text[1:]


def cache_path(session: Any) -> Path:
    """The cache file of a session: one per (backend, environment, tenant) inside the session's cache directory."""
    return session.cache_file


@contextlib.contextmanager
def open_session(args: argparse.Namespace) -> Iterator[Any]:
    """The session the arguments name: ``--demo`` (temporary cache dir, removed afterwards) or a profile. An
    SQLite error inside the block that is the world's doing (damaged, full, read-only) leaves it as the
    ``CacheFault`` naming the session's cache file."""
    from ..session import demo_session, profile_session

    if args.demo:
        with _demo_cache_dir() as cache_dir:
            session = demo_session(cache_dir, jobs=args.demo_jobs)
            with _cache_faults(session):
                yield session
        return
    config = load_config(_path(args))
    profile = config.profile(args.profile)
    session = profile_session(config, profile, default_cache_dir())
    with _cache_faults(session):
        yield session


@contextlib.contextmanager
def _cache_faults(session: Any) -> Iterator[None]:
    import sqlite3

    from ..cache.health import cache_fault

    try:
        yield
    except sqlite3.DatabaseError as error:
        fault = cache_fault(error, cache_path(session))
        if fault is None:
            raise
        raise fault from error


def _open_store(session: Any, *, create: bool = True) -> Any:
    """The session's store (its file or its team's database: ``Session.open_store``); None for a file not made yet
    when ``create`` is False."""
    return session.open_store(create=create)


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, default=str, ensure_ascii=False))

