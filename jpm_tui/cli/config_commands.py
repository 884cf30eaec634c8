"""``jpm-tui config init|show|check|path``: create, show and check the configuration file."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Any

import tomli_w

from ..config import ENVIRONMENTS, ConfigError, add_profile, display_path, load_config, masked_document, url_problem
from .common import CliError, Common, Subparsers, _error, _path, command_group


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
        from ..ui.keys import check_keymap

        problems = check_keymap(config.keys, display_path(_path(args)))
        if problems:
            more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''} in [keys])" \
                if len(problems) > 1 else ""
            raise ConfigError(f"{problems[0]}{more}", path=_path(args), key="keys")
    names = sorted(config.profiles)
    checked = _check_secrets(config)
    default = config.default_profile or (names[0] if len(names) == 1 else None)
    detail = f"{len(names)} profile{'s' if len(names) != 1 else ''}"
    if names:
        detail += f": {', '.join(names)}"
    if default:
        detail += f"; default {default}"
    print(f"{display_path(_path(args))}: OK ({'; '.join([detail, *checked])})")
    return 0


def _check_secrets(config: Any) -> list[str]:
    """Resolve every profile's secrets as ``doctor`` does, never printing them: the backend's secret of a profile
    that talks to the backend, the password of a team cache (a team board's profile has only that). The first
    failure is the check's, with a count of the others; else what was checked, in words."""
    from ..config import BoardProfile

    problems: list[ConfigError] = []
    secret_words: set[str] = set()
    caches: list[str] = []
    for name in sorted(config.profiles):
        profile = config.profiles[name]
        try:
            if not isinstance(profile, BoardProfile):  # a board holds no backend secret: the service's profile does
                profile.resolve_secret(on_wait=_say_waiting)
                secret_words.add(profile.SECRET_WORDS)
            if profile.cache_url is not None:
                caches.append(_cache_checked(name, profile, profile.resolve_cache_password(on_wait=_say_waiting)))
        except ConfigError as error:
            problems.append(error)
    if problems:
        more = len(problems) - 1
        raise ConfigError(f"{problems[0]}" + (f" (and {more} more profile{'s' if more > 1 else ''} whose secret "
                                              "could not be resolved)" if more else ""), path=problems[0].path)
    secrets = [f"every {' and '.join(sorted(secret_words))} resolved"] if secret_words else []
    return secrets + caches


def _cache_checked(name: str, profile: Any, password: str | None) -> str:
    """What was checked of a profile's team cache: its URL (well formed, without a password) and the password's
    source."""
    said = f"{name}'s team cache {profile.cache_url}: "
    if password is None:
        return said + "no password given (the server trusts the user, or ~/.pgpass has it)"
    return said + f"password from {profile.cache_password_source} resolved"


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
