"""The ``jpm-tui`` command line.

``jpm-tui`` opens the board for the default profile; subcommands manage the configuration, check a connection
(``doctor``) and serve the sandbox. Subcommand groups register themselves with :func:`command_group`: a group
is one function that adds its sub-parser(s) and sets ``handler`` (``(args) -> int``) with ``set_defaults``.
To add one, write such a function in its own module of this package, using :mod:`.common`'s helpers, and add
the module to the import of the groups below; nothing else changes::

    @command_group
    def _cache_commands(sub: Subparsers, common: Common) -> None:
        cache = sub.add_parser("cache", parents=[common.profile], help="...")
        actions = cache.add_subparsers(dest="action", required=True, metavar="ACTION")
        info = actions.add_parser("info", help="...")
        info.set_defaults(handler=_cache_info)

Handlers raise ``ConfigError`` / ``jpm_tui.api.errors`` exceptions / :class:`CliError` for expected
failures: :func:`main` prints them as one line, ``jpm-tui: <message>``, on stderr and exits 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .. import __version__
from ..config import CONFIG_ENV, ConfigError, config_path, display_path
from ..failures import Failure, log_to_file
from .board import _open_board
from .common import _GROUPS, PROG, CliError, Common, _backend_names, _error, _positive_int, command_group

__all__ = ["CliError", "Common", "build_parser", "command_group", "main"]

_SHARED_DEFAULTS: dict[str, Any] = {"config": None, "profile": None, "demo": False, "demo_jobs": 200,
                                     "backend": "servicetitan"}


def _common_parsers() -> Common:
    # argparse.SUPPRESS: a sub-parser must not overwrite a value given before the subcommand name
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                        help=f"config file (default: ${CONFIG_ENV}, else {display_path(config_path(env={}))})")
    profile = argparse.ArgumentParser(add_help=False, parents=[config])
    profile.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS,
                         help="profile (tenant) to use (default: default_profile from the config)")
    demo = argparse.ArgumentParser(add_help=False)
    demo.add_argument("--demo", action="store_true", default=argparse.SUPPRESS,
                      help="use the built-in sandbox in this process: no account, no config, no real cache")
    demo.add_argument("--demo-jobs", type=_positive_int, metavar="N", default=argparse.SUPPRESS,
                      help="jobs in the demo sandbox (default 200)")
    demo.add_argument("--backend", choices=_backend_names(), default=argparse.SUPPRESS,
                      help="the demo sandbox's backend (default servicetitan)")
    return Common(config=config, profile=profile, demo=demo)


class _NotABoardStart(Exception):
    """What ``_QuietParser`` raises where argparse would print a usage and exit."""


class _QuietParser(argparse.ArgumentParser):
    """A parser that says nothing of a mistake: the whole parser, tried next, says it with its own usage."""

    def error(self, message: str) -> NoReturn:
        raise _NotABoardStart(message)


def _board_parser(common: Common, parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser,
                  **options: Any) -> argparse.ArgumentParser:
    """``jpm-tui`` itself: the board's options, no command."""
    parser = parser_class(
        prog=PROG,
        parents=[common.profile, common.demo],
        description="Keyboard-driven terminal dispatch board for field-service teams on ServiceTitan, FSM Navigator "
                    "or BigChange.\n"
                    "Without a command, opens the board for the default profile.",
        epilog="First time? `jpm-tui config init`, then `jpm-tui doctor`. No account? `jpm-tui --demo`.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **options,
    )
    # not set_defaults(config=None, ...): parent parsers share their action objects, so that would change the
    # sub-parsers' defaults too and `jpm-tui --config X config check` would lose X. main() fills them in.
    parser.set_defaults(handler=_open_board, command=None)  # command: the name of the one given, if any
    return parser


def build_parser() -> argparse.ArgumentParser:
    # The subcommand groups register with @command_group as they load (this order is `jpm-tui --help`'s): loaded
    # here, not for a board start, which needs none of them
    from . import cache, config_commands, doctor, outbox, sandbox, sync  # noqa: F401,I001

    common = _common_parsers()
    parser = _board_parser(common)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for group in _GROUPS:
        group(sub, common)
    return parser


def _board_arguments(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The arguments of a plain board start (``jpm-tui [--config F] [--profile P]``, ``jpm-tui --demo ...``),
    parsed without the commands' parsers: building them all (argparse looks up its translations for each) took
    ~5 ms before the board's first frame. None for anything else (a command, ``--help``, ``--version``, a
    mistake): the whole parser takes it, with its usual help and messages."""
    board = _board_parser(_common_parsers(), _QuietParser, add_help=False)
    try:
        args, rest = board.parse_known_args(argv)
    except _NotABoardStart:
        return None
    return None if rest else args


def main(argv: Sequence[str] | None = None) -> int:
    args = _board_arguments(argv) or build_parser().parse_args(argv)
    for name, default in _SHARED_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, default)
    expected = _expected_errors()
    log_to_file()
    try:
        return int(args.handler(args) or 0)
    except expected as error:
        _error(str(error) or type(error).__name__)
        return 1
    except KeyboardInterrupt:
        return 130
    except Failure as failure:
        _error(str(failure))
        return failure.exit_code
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as error:  # noqa: BLE001 - the one place every failure ends: a line, never a traceback
        from ..failures import EXIT_BUG, bug_message, world_message

        message = world_message(error)
        _error(message if message is not None else bug_message(error))
        return 1 if message is not None else EXIT_BUG


def _closed_pipe() -> int:
    """The reader of our output went away (``jpm-tui cache info | head``): stop quietly, as ``cat`` does, and
    keep Python from complaining about the unflushed rest when it exits."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file (a test's capture): nothing left to silence
        pass
    return 141  # 128 + SIGPIPE, what a shell reports for a writer killed by a closed pipe


def _expected_errors() -> tuple[type[BaseException], ...]:
    from ..cache.health import CacheFault

    errors: list[type[BaseException]] = [ConfigError, CliError, CacheFault]
    # The API's errors only once the client is loaded (none can be raised before): importing them here would load
    # httpx before the board's first frame. Raised later, main's last resort words them the same (world_message).
    api_errors = sys.modules.get("jpm_tui.api.errors")
    if api_errors is None:
        return tuple(errors)
    for name in ("JpmApiError", "ApiError", "AuthError", "TransportError"):
        cls = getattr(api_errors, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            errors.append(cls)
    return tuple(errors)

