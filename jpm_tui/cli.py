"""The ``jpm-tui`` command line.

``jpm-tui`` opens the board for the default profile; subcommands manage the configuration, check a connection
(``doctor``) and serve the sandbox. Subcommand groups register themselves with :func:`command_group`: a group
is one function that adds its sub-parser(s) and sets ``handler`` (``(args) -> int``) with ``set_defaults``.
To add one (``sync``, ``cache``, ``outbox``, ...) write such a function here or in its own module imported
at the bottom of this file; nothing else changes::

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
import asyncio
import getpass
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomli_w

from . import __version__
from .failures import Failure, log_to_file
from .config import (
    CONFIG_ENV,
    ENVIRONMENTS,
    ConfigError,
    add_profile,
    config_path,
    default_cache_dir,
    display_path,
    load_config,
    masked_document,
    url_problem,
)

__all__ = ["CliError", "Common", "build_parser", "command_group", "main"]

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


_SHARED_DEFAULTS: dict[str, Any] = {"config": None, "profile": None, "demo": False, "demo_jobs": 200,
                                     "backend": "servicetitan"}
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
    from .backends import BACKENDS

    return list(BACKENDS)


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


def build_parser() -> argparse.ArgumentParser:
    common = _common_parsers()
    parser = argparse.ArgumentParser(
        prog=PROG,
        parents=[common.profile, common.demo],
        description="Keyboard-driven terminal dispatch board for ServiceTitan (Job Planning & Management).\n"
                    "Without a command, opens the board for the default profile.",
        epilog="First time? `jpm-tui config init`, then `jpm-tui doctor`. No account? `jpm-tui --demo`.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    # not set_defaults(config=None, ...): parent parsers share their action objects, so that would change the
    # sub-parsers' defaults too and `jpm-tui --config X config check` would lose X. main() fills them in.
    parser.set_defaults(handler=_open_board)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for group in _GROUPS:
        group(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
        from .failures import EXIT_BUG, bug_message, world_message

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
    from .cache.health import CacheFault

    errors: list[type[BaseException]] = [ConfigError, CliError, CacheFault]
    # The API's errors only once the client is loaded (none can be raised before): importing them here would load
    # httpx before the board's first frame. Raised later, main's last resort words them the same (world_message).
    api_errors = sys.modules.get(f"{__package__}.api.errors")
    if api_errors is None:
        return tuple(errors)
    for name in ("JpmApiError", "ApiError", "AuthError", "TransportError"):
        cls = getattr(api_errors, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            errors.append(cls)
    return tuple(errors)


def _error(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def _path(args: argparse.Namespace) -> Path:
    return config_path(getattr(args, "config", None))


# ------------------------------------------------------------------------------------------ board


def _open_board(args: argparse.Namespace) -> int:
    from .session import demo_session, open_board, profile_session

    if args.demo:
        with _demo_cache_dir() as cache_dir:
            return open_board(demo_session(cache_dir, jobs=args.demo_jobs, backend=args.backend))
    config = load_config(_path(args))
    profile = config.profile(args.profile)
    return open_board(profile_session(config, profile, default_cache_dir()))


class _demo_cache_dir:
    """A temporary cache directory for --demo, removed afterwards (never the user's real cache)."""

    def __enter__(self) -> Path:
        self.path = Path(tempfile.mkdtemp(prefix="jpm-tui-demo-"))
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


# ----------------------------------------------------------------------------------------- config


@command_group
def _config_commands(sub: Subparsers, common: Common) -> None:
    config = sub.add_parser("config", help="create, show and check the configuration file",
                            description="Create, show and check the configuration file.")
    actions = config.add_subparsers(dest="action", metavar="ACTION", required=True)

    init = actions.add_parser(
        "init", parents=[common.config], help="add a profile to the config file (asks, or takes flags)",
        description="Add a profile to the config file, creating it with mode 0600 if needed. Asks for what the "
                    "flags do not give when run in a terminal.")
    init.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help="profile name (e.g. the company)")
    init.add_argument("--environment", choices=["production", "integration", "custom"])
    init.add_argument("--api-url", metavar="URL", help="API base URL (environment custom only)")
    init.add_argument("--auth-url", metavar="URL", help="auth base URL (environment custom only)")
    init.add_argument("--tenant", metavar="ID", help="ServiceTitan tenant id")
    init.add_argument("--client-id", metavar="ID")
    init.add_argument("--app-key", metavar="KEY")
    secret = init.add_mutually_exclusive_group()
    secret.add_argument("--client-secret-env", metavar="VAR", help="read the secret from this environment variable")
    secret.add_argument("--client-secret-command", metavar="CMD",
                        help="run this shell command; its output is the secret (e.g. a password manager)")
    secret.add_argument("--client-secret-stdin", action="store_true",
                        help="read a literal secret from stdin and store it in the (private) file")
    init.add_argument("--default", action="store_true", help="make this the default profile")
    init.add_argument("--force", action="store_true", help="replace an existing profile of the same name")
    init.set_defaults(handler=_config_init)

    show = actions.add_parser("show", parents=[common.config], help="print the effective config, secrets masked")
    show.set_defaults(handler=_config_show)
    check = actions.add_parser("check", parents=[common.config], help="validate the config file (exit 1 if bad)")
    check.set_defaults(handler=_config_check)
    path = actions.add_parser("path", parents=[common.config], help="print the config file's path")
    path.set_defaults(handler=_config_path)


def _config_path(args: argparse.Namespace) -> int:
    print(_path(args))
    return 0


def _config_check(args: argparse.Namespace) -> int:
    config = load_config(_path(args))
    if config.keys:  # [keys] names the board's binding ids: unknown ones and clashing keys fail the check
        from .ui.keys import check_keymap

        problems = check_keymap(config.keys, display_path(_path(args)))
        if problems:
            more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''} in [keys])" \
                if len(problems) > 1 else ""
            raise ConfigError(f"{problems[0]}{more}", path=_path(args), key="keys")
    names = sorted(config.profiles)
    _check_secrets(config)
    default = config.default_profile or (names[0] if len(names) == 1 else None)
    detail = f"{len(names)} profile{'s' if len(names) != 1 else ''}"
    if names:
        detail += f": {', '.join(names)}"
    if default:
        detail += f"; default {default}"
    print(f"{display_path(_path(args))}: OK ({detail}; every client secret resolved)")
    return 0


def _check_secrets(config: Any) -> None:
    """Resolve every profile's client secret as ``doctor`` does (never printing it): the first failure is the
    check's, with a count of the others."""
    problems: list[ConfigError] = []
    for name in sorted(config.profiles):
        try:
            config.profiles[name].resolve_secret(on_wait=_say_waiting)
        except ConfigError as error:
            problems.append(error)
    if problems:
        more = len(problems) - 1
        raise ConfigError(f"{problems[0]}" + (f" (and {more} more profile{'s' if more > 1 else ''} whose secret "
                                              "could not be resolved)" if more else ""), path=problems[0].path)


def _say_waiting(message: str) -> None:
    """A secret command taking its time: say what is waited for, on stderr (stdout may be a pipe)."""
    _error(f"{message}…")


def _config_show(args: argparse.Namespace) -> int:
    path = _path(args)
    config = load_config(path)
    print(f"# {display_path(path)} (defaults filled in, secrets masked)")
    sys.stdout.write(tomli_w.dumps(masked_document(config)))
    return 0


class _Asker:
    """Fills in what the flags did not give: asks in a terminal, fails clearly otherwise."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive

    def value(self, given: str | None, flag: str, prompt: str, default: str | None = None,
              secret: bool = False, check: Callable[[str], str | None] | None = None) -> str:
        """``check(answer)``: what is wrong with a typed answer (asked again at once), or None. A flag's value is
        checked with the whole profile, by the config's own rules."""
        if given is not None:
            return given
        if not self.interactive:
            if default is not None:
                return default
            raise CliError(f"config init: {flag} is required when not run in a terminal")
        suffix = f" [{default}]" if default else ""
        while True:
            answer = (getpass.getpass(f"{prompt}: ") if secret else input(f"{prompt}{suffix}: ")).strip()
            if not answer and default is None:
                print("  (required)")
                continue
            answer = answer or default or ""
            problem = check(answer) if check is not None else None
            if problem is None:
                return answer
            print(f"  {problem}")


def _tenant_problem(answer: str) -> str | None:
    return None if answer.isdigit() and int(answer) > 0 else f"a tenant id is a positive integer, not {answer!r}"


def _environment_problem(answer: str) -> str | None:
    return None if answer in ENVIRONMENTS or answer == "custom" else \
        f'the environment is "production", "integration" or "custom", not {answer!r}'




def _config_init(args: argparse.Namespace) -> int:
    path = _path(args)
    ask = _Asker(interactive=sys.stdin.isatty())
    name = ask.value(args.profile, "--profile", "Profile name (e.g. your company)", default="default")
    environment = ask.value(args.environment, "--environment", "Environment (production, integration, custom)",
                            default="production", check=_environment_problem)
    table: dict[str, Any] = {"environment": environment}
    if environment == "custom":
        table["api_url"] = ask.value(args.api_url, "--api-url", "API base URL (https://...)", check=url_problem)
        table["auth_url"] = ask.value(args.auth_url, "--auth-url", "Auth base URL (https://...)", check=url_problem)
    elif args.api_url or args.auth_url:
        raise CliError(f"config init: --api-url/--auth-url need --environment custom ({environment} uses "
                       f"{ENVIRONMENTS[environment][0]})")
    tenant = ask.value(args.tenant, "--tenant", "Tenant id", check=_tenant_problem)
    table["tenant"] = int(tenant) if tenant.strip().isdigit() else tenant
    table["client_id"] = ask.value(args.client_id, "--client-id", "Client id")
    table["app_key"] = ask.value(args.app_key, "--app-key", "App key")
    table.update(_secret_source(args, ask))
    config = add_profile(path, name, table, force=args.force, make_default=args.default)
    default = config.default_profile
    print(f"wrote profile {name!r} to {display_path(path)} (mode 0600)"
          + (f"; default profile: {default}" if default else ""))
    print(f"next: `jpm-tui doctor{'' if default == name else f' --profile {name}'}` checks the connection")
    return 0


def _secret_source(args: argparse.Namespace, ask: _Asker) -> dict[str, str]:
    if args.client_secret_env:
        return {"client_secret_env": args.client_secret_env}
    if args.client_secret_command:
        return {"client_secret_command": args.client_secret_command}
    if args.client_secret_stdin:
        secret = sys.stdin.readline().strip() if not sys.stdin.isatty() else getpass.getpass("Client secret: ")
        if not secret:
            raise CliError("config init: --client-secret-stdin read an empty secret")
        return {"client_secret": secret}
    if not ask.interactive:
        raise CliError("config init: give the secret with --client-secret-env, --client-secret-command or "
                       "--client-secret-stdin")
    print("How should jpm-tui get the client secret?\n"
          "  env      from an environment variable (recommended)\n"
          "  command  from a command's output, e.g. a password manager\n"
          "  literal  stored in the config file (mode 0600)")
    while True:
        how = input("Secret source [env]: ").strip().lower() or "env"
        if how in ("env", "e"):
            return {"client_secret_env": ask.value(None, "", "Environment variable name", default="ST_CLIENT_SECRET")}
        if how in ("command", "c"):
            return {"client_secret_command": ask.value(None, "", "Command (its output is the secret)")}
        if how in ("literal", "l"):
            return {"client_secret": ask.value(None, "", "Client secret", secret=True)}
        print("  answer env, command or literal")


# ----------------------------------------------------------------------------------------- doctor


@command_group
def _doctor_commands(sub: Subparsers, common: Common) -> None:
    doctor = sub.add_parser(
        "doctor", parents=[common.profile, common.demo],
        help="check the config, the secret, the token endpoint and the API, step by step",
        description="Check the config file, the client secret, the token endpoint and the API, one line per "
                    "check. Exit 0 when all pass.")
    doctor.set_defaults(handler=_doctor)


OK, FAIL = "✓", "✗"


def _say(mark: str, text: str) -> None:
    print(f"{mark} {text}", flush=True)


def _doctor(args: argparse.Namespace) -> int:
    code = asyncio.run(_doctor_async(args))
    return 1 if not _check_cache(args) else code


def _check_cache(args: argparse.Namespace) -> bool:
    """The profile's cache file, when there is one: SQLite's quick_check (reads the whole file: ~2.5 s at a
    million jobs) and whether its folder is writable. Says nothing when there is no cache yet or no profile."""
    import time

    from .cache.health import RESCUE_HINT
    from .cache.rescue import damage_of
    from .cli_cache import cache_path
    from .session import profile_session

    if args.demo:
        return True
    try:
        config = load_config(_path(args))
        session = profile_session(config, config.profile(args.profile), default_cache_dir())
    except ConfigError:  # already reported by the config step
        return True
    path = cache_path(session)
    if not path.exists():
        return True
    started = time.monotonic()
    damage = damage_of(path)
    if damage:
        _say(FAIL, f"cache: {path} is damaged (SQLite: {damage}); {RESCUE_HINT}")
        return False
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        _say(FAIL, f"cache: {path} is not writable; make it and {path.parent} writable by you")
        return False
    _say(OK, f"cache: {path} passed SQLite's quick_check ({time.monotonic() - started:.1f} s)")
    return True


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


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


async def _doctor_async(args: argparse.Namespace) -> int:
    transport: Any = None
    if args.demo:
        from .session import demo_session

        session = demo_session(Path(tempfile.gettempdir()), jobs=args.demo_jobs)
        _say(OK, "config: not needed (--demo: the sandbox runs in this process)")
        make_client = session.make_client
        import httpx

        transport = httpx.ASGITransport(app=session.sandbox_app)
        from .sandbox import state as sandbox_state

        kwargs = {"auth_url": session.api_url, "client_id": sandbox_state.CLIENT_ID,
                  "client_secret": sandbox_state.CLIENT_SECRET, "tenant": session.tenant}
        _say(OK, "secret: the sandbox's built-in client secret")
        secret_words = "the sandbox secret"
    else:
        path = _path(args)
        try:
            config = load_config(path)
            profile = config.profile(args.profile)
        except ConfigError as error:
            _say(FAIL, f"config: {error}")
            return 1
        where = f"tenant {profile.tenant}" if profile.backend == "servicetitan" else profile.effective_api_url
        _say(OK, f"config: {display_path(path)} is valid; profile {profile.name} ({where}, {profile.environment})")
        try:
            secret = profile.resolve_secret()
        except ConfigError as error:
            _say(FAIL, f"secret: {error}")
            return 1
        _say(OK, f"secret: resolved from {profile.secret_source}")
        from .backends import backend_for

        check = backend_for(profile.backend).check
        if check is not None:  # another backend's own connection checks
            lines = await check(profile, secret)
            for ok, line in lines:
                _say(OK if ok else FAIL, line)
            return 0 if all(ok for ok, _ in lines) else 1
        secret_words = f"the secret from {profile.secret_source}"
        kwargs = {"auth_url": profile.effective_auth_url, "client_id": profile.client_id, "client_secret": secret,
                  "tenant": profile.tenant}

        def make_client() -> Any:
            from .api.client import ServiceTitanClient

            return ServiceTitanClient(**profile.client_kwargs(secret), max_retries=0)  # fail fast, say why
    ok, line = await _check_token(transport=transport, secret_words=secret_words, **kwargs)
    _say(OK if ok else FAIL, line)
    if not ok:
        return 1
    ok, line = await _check_api(make_client(), kwargs["tenant"])
    _say(OK if ok else FAIL, line)
    return 0 if ok else 1


async def _check_token(*, auth_url: str, client_id: str, client_secret: str, tenant: int, transport: Any,
                       secret_words: str) -> tuple[bool, str]:
    """Fetch a token directly, so that each way it can fail gets its own message."""
    import httpx

    url = f"{auth_url}/connect/token"
    host = _host(auth_url)
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    try:
        async with httpx.AsyncClient(transport=transport, timeout=30.0) as http:
            response = await http.post(url, data=form, headers={"Accept": "application/json"})
    except httpx.HTTPError as error:
        return False, f"auth: could not reach {host}: {_reason(error)}"
    body: Any
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code in (400, 401, 403):
        code = ""
        if isinstance(body, dict):
            code = str(body.get("error") or body.get("title") or "")
        detail = f"HTTP {response.status_code}" + (f": {code}" if code else "")
        return False, (f"auth: ServiceTitan rejected the client credentials ({detail}); "
                       f"check client_id {client_id!r} and {secret_words}")
    if response.status_code >= 400:
        return False, (f"auth: {host} answered HTTP {response.status_code} for /connect/token; "
                       f"check auth_url, or try again later if ServiceTitan is having trouble")
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        return False, f"auth: {host} answered without an access token; check auth_url"
    expires = body.get("expires_in")
    return True, f"auth: token fetched from {host}" + (f" (expires in {expires} s)" if expires else "")


def _http_detail(error: BaseException) -> str:
    """'HTTP 403: <title>' from an api error, falling back to its message."""
    status = getattr(error, "status", None)
    title = getattr(error, "title", None)
    if status and title:
        return f"HTTP {status}: {title}"
    if status:
        return f"HTTP {status}: {error}"
    return str(error)


async def _check_api(client: Any, tenant: int) -> tuple[bool, str]:
    from .api import errors as api_errors

    try:
        async with client:
            answer = await client.request("GET", "jpm", "job-types", params={"pageSize": 1, "includeTotal": "true"})
    except api_errors.AuthError as error:
        return False, (f"api: ServiceTitan refused the app key or tenant ({_http_detail(error)}); check app_key "
                       f"and that tenant {tenant} has installed this app")
    except api_errors.TransportError as error:
        return False, f"api: {error}"
    except api_errors.JpmApiError as error:
        return False, f"api: {error}"
    total = answer.get("totalCount") if isinstance(answer, dict) else None
    found = f" ({total} job type{'s' if total != 1 else ''})" if isinstance(total, int) else ""
    return True, f"api: tenant {tenant} answered GET jpm job-types{found}"


# ---------------------------------------------------------------------------------------- sandbox


@command_group
def _sandbox_commands(sub: Subparsers, common: Common) -> None:
    sandbox = sub.add_parser("sandbox", help="the ServiceTitan-compatible sandbox server",
                             description="The ServiceTitan-compatible sandbox server.")
    actions = sandbox.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = actions.add_parser(
        "serve", help="serve the sandbox over HTTP and print a profile for it",
        description="Serve the sandbox over HTTP until Ctrl+C / SIGTERM. When ready, prints a [profiles.sandbox] "
                    "table to paste into the config.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8765, help="port (default 8765; 0 = any free port)")
    serve.add_argument("--jobs", type=_positive_int, default=200, metavar="N", help="jobs to generate (default 200)")
    serve.add_argument("--seed", type=int, default=1, metavar="S", help="data generator seed (default 1)")
    serve.add_argument("--token-lifetime", type=_positive_int, metavar="S", default=None,
                       help="access token lifetime in seconds (default: the sandbox's, 900)")
    serve.add_argument("--rate-limit", type=_positive_float, metavar="R", default=None,
                       help="requests per second before 429 (default: the sandbox's, 60)")
    serve.add_argument("--hostile", action="store_true",
                       help="put untrusted text in the data (markup, escape sequences, bidi and zero-width "
                            "characters), to check that a client shows it as plain text")
    serve.add_argument("--backend", choices=_backend_names(), default="servicetitan",
                       help="which backend's sandbox (default servicetitan)")
    serve.set_defaults(handler=_sandbox_serve)


def sandbox_profile_toml(url: str, name: str = "sandbox") -> str:
    """The ``[profiles.<name>]`` table that reaches a ServiceTitan sandbox served at ``url``."""
    from .sandbox.server import profile_text

    return profile_text(url, name)


def _check_listen(host: str, port: int) -> None:
    """Fail early, with the reason, when the address cannot be bound (uvicorn would just exit 1)."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except OSError as error:
        raise CliError(f"sandbox serve: cannot listen on {host}:{port}: {_reason(error)}") from None


def _sandbox_serve(args: argparse.Namespace) -> int:
    from .backends import backend_for

    backend = backend_for(args.backend)
    ready_urls: list[str] = []

    def ready(url: str) -> None:
        scheme, _, rest = url.partition("://")
        address, _, port = rest.rpartition(":")
        where = f"serving at {url}"
        if address in ("0.0.0.0", "[::]", "::"):  # listening everywhere: this machine reaches it on loopback
            import socket

            url = f"{scheme}://127.0.0.1:{port}"
            where = (f"listening on {address}:{port}, every interface: {url} from this machine, "
                     f"{scheme}://{socket.gethostname()}:{port} (or this machine's address) from others")
        ready_urls.append(url)
        print(f"# jpm-tui sandbox {where} (Ctrl+C to stop)\n"
              f"# Paste into your config ({display_path(config_path())}). The secret is literal, so keep the file "
              f"private: chmod 600 <config file>\n"
              f"{backend.profile_text(url)}", flush=True)

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    options: dict[str, Any] = {}
    if args.token_lifetime is not None:
        if args.backend != "servicetitan":
            raise CliError(f"sandbox serve: --token-lifetime: the {backend.label} sandbox issues no tokens")
        options["token_lifetime"] = args.token_lifetime
    if args.rate_limit is not None:
        options["rate_limit"] = args.rate_limit
    _check_listen(args.host, args.port)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        backend.serve(host=args.host, port=args.port, jobs=args.jobs, seed=args.seed, hostile=args.hostile,
                      on_ready=ready, **options)
    except KeyboardInterrupt:
        pass
    except SystemExit as exit:  # uvicorn exits 1 when it cannot start
        if exit.code not in (0, None) and not ready_urls:
            raise CliError(f"sandbox serve: the server did not start on {args.host}:{args.port}") from None
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("# sandbox stopped", file=sys.stderr, flush=True)
    return 0


# Subcommand groups that live in their own modules (they register with @command_group on import).
from . import cli_cache  # noqa: E402,F401  (sync, cache info|purge, outbox list|retry|confirm|drop)

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
