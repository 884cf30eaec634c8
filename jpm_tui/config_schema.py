"""The configuration's pydantic models and their checks: ``parse_config`` turns a TOML document into a validated
``Config`` or one ``ConfigError`` naming the file and key. Use it through :mod:`jpm_tui.config`, which serves these
names and loads this module (and pydantic) when one is first used."""

from __future__ import annotations

import contextlib
import difflib
import functools
import os
import re
import signal
import subprocess
from collections.abc import Callable, Mapping
from datetime import tzinfo
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import config as config_module  # its SECRET_COMMAND_* are read at each use (tests shorten them)
from .config import (
    _PROFILE_NAME,
    ENVIRONMENTS,
    ConfigError,
    _is_private,
    _shell_path,
    _show,
    default_export_dir,
    display_path,
    url_problem,
)
from .failures import remember_secret

__all__ = ["CACHE_PASSWORD_KEYS", "BackendProfile", "Config", "HostedProfile", "Profile", "SavedView", "parse_config"]

_ENVIRONMENT_NAMES = ("production", "integration", "custom")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


# ------------------------------------------------------------------------------------ value checks


def _problem(message: str, key: str | tuple[str | int, ...] | None = None) -> PydanticCustomError:
    """A validation error with our own wording; ``key`` points below the current location."""
    return PydanticCustomError("jpm_config", "{message}", {"message": message, "key": key})


def _positive_int(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():  # tenant = "1234567" is a forgivable quote
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _problem(f"expected a positive integer, got {_show(value)}")
    return value


def _positive_number(value: Any, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or value != value:
        raise _problem(f"expected a positive number ({unit}), got {_show(value)}")
    return float(value)


def _text(value: Any, *, secret: bool = False) -> str:
    if not isinstance(value, str):
        shown = "" if secret else f", got {_show(value)}"
        raise _problem(f"expected a string{shown}")
    if not value.strip():
        raise _problem("expected a non-empty string")
    return value.strip() if not secret else value


def _url(value: Any) -> str:
    problem = url_problem(value)
    if problem is not None:
        raise _problem(problem)
    return str(value).strip().rstrip("/")


def _env_name(value: Any) -> str:
    if not isinstance(value, str) or not _ENV_NAME.match(value):
        raise _problem(f"expected an environment variable name, got {_show(value)}")
    return value


def _file_name(value: Any) -> str:
    text = _text(value)
    if not (text.startswith("~") or Path(text).is_absolute()):
        raise _problem(f'expected an absolute path ("/run/secrets/key") or one in your home ("~/.fsm-key"), '
                       f"got {_show(value)}")
    return text


def _secret_text(value: Any) -> str:
    return _text(value, secret=True)


CACHE_PASSWORD_KEYS = ("cache_password_env", "cache_password_command")
"""The ways a team cache's password is given (at most one; none: the server trusts the user, or ~/.pgpass)."""


def _cache_url(value: Any) -> str:
    """A team cache's ``postgresql://user@host[:port]/database[?options]``, without a password (which is a secret:
    ``cache_password_env`` or ``cache_password_command``)."""
    expected = 'expected a PostgreSQL URL such as "postgresql://jpm@db.office.lan/jpm_office"'
    if not isinstance(value, str) or not value.strip():
        raise _problem(f"{expected}, got {_show(value)}")
    text = value.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise _problem(f"{expected}; this one does not parse") from None
    if parts.password is not None or re.search(r"(^|&)password=", parts.query):
        raise _problem("must not hold the password; give it with cache_password_env or cache_password_command")
    if parts.scheme not in ("postgresql", "postgres"):
        raise _problem(f"{expected}, got {parts.scheme or 'no'} scheme")
    if not parts.path.strip("/") or parts.fragment:
        raise _problem(f"{expected} (it names no database)")
    return text


def _zone_name(value: Any) -> str:
    expected = 'expected an IANA time zone name such as "America/Phoenix"'
    if not isinstance(value, str) or not value.strip():
        raise _problem(f"{expected}, got {_show(value)}")
    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise _problem(f"unknown time zone {name!r} ({expected})") from None
    return name


_KEY_CHECKS: dict[str, Callable[[Any], Any]] = {
    "api_url": _url, "auth_url": _url,
    "tenant": _positive_int, "customer_id": _positive_int,
    "client_id": _text, "client_secret_command": _text, "api_key_command": _text,
    "app_key": _secret_text, "client_secret": _secret_text, "api_key": _secret_text,
    "client_secret_env": _env_name, "api_key_env": _env_name,
    "client_secret_file": _file_name, "api_key_file": _file_name,
    "timezone": _zone_name,
    "cache_url": _cache_url, "cache_password_env": _env_name, "cache_password_command": _text,
    "rate_limit": functools.partial(_positive_number, unit="requests per second"),
    "timeout": functools.partial(_positive_number, unit="seconds"),
}
"""A profile key -> its check (keys of the same name are checked alike, whichever backend's profile declares
them; a profile's own rules are its model's validators)."""


# ----------------------------------------------------------------------------------------- models


class BackendProfile(BaseModel):
    """What every backend's ``[profiles.NAME]`` table shares: ``backend``, ``timezone``, its name and file, and a
    secret given one way of ``<key>_env``, ``<key>_command``, ``<key>_file`` or a literal ``<key>`` (``SECRET_KEY``
    names it; a subclass declares the ways it accepts as fields). Each backend's model (``backends.py``)
    adds its own keys; unknown keys are refused. Keys of the same name are checked here alike, in every backend's
    profile that declares them, and so is the secret (``_consistent``; a subclass adds ``_check_urls``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    SECRET_KEY: ClassVar[str] = "client_secret"
    SECRET_WORDS: ClassVar[str] = "client secret"

    backend: str = "servicetitan"
    # a team's shared cache (PostgreSQL) instead of this user's SQLite file; its password one way at most
    cache_url: str | None = None
    cache_password_env: str | None = None
    cache_password_command: str | None = None

    _name: str = PrivateAttr(default="")
    _path: Path | None = PrivateAttr(default=None)

    @field_validator("*", mode="before")
    @classmethod
    def _key(cls, value: Any, info: ValidationInfo) -> Any:
        """Each key by its check in ``_KEY_CHECKS``, in every backend's profile that declares it."""
        check = _KEY_CHECKS.get(info.field_name or "")
        return value if check is None else check(value)

    @model_validator(mode="after")
    def _consistent(self) -> BackendProfile:
        self._check_urls()
        self._one_secret()
        self._one_cache_password()
        return self

    def _one_cache_password(self) -> None:
        """A team cache's password is given at most one way, and only with ``cache_url``."""
        given = [k for k in CACHE_PASSWORD_KEYS if getattr(self, k) is not None]
        if given and self.cache_url is None:
            raise _problem("only used with cache_url (a team's PostgreSQL cache)", given[0])
        if len(given) > 1:
            raise _problem(f"give the cache password one way only, not {' and '.join(given)}", given[1])

    def _check_urls(self) -> None:
        """The URLs agree with the rest of the profile (a backend with environments checks them here)."""

    def _secret_keys(self) -> tuple[str, ...]:
        key = self.SECRET_KEY
        return tuple(k for k in (f"{key}_env", f"{key}_command", f"{key}_file", key) if k in type(self).model_fields)

    def _one_secret(self) -> None:
        """The secret is given exactly one way."""
        keys = self._secret_keys()
        given = [key for key in keys if getattr(self, key) is not None]
        if not given:
            raise _problem(f"no {self.SECRET_WORDS}: set one of {', '.join(keys[:-1])} or {keys[-1]}")
        if len(given) > 1:
            raise _problem(f"give the {self.SECRET_WORDS} one way only, not {' and '.join(given)}")

    @property
    def name(self) -> str:
        return self._name

    @property
    def tzinfo(self) -> tzinfo | None:
        """The zone the board shows times in (``timezone``), or None for the machine's local zone."""
        return ZoneInfo(self.timezone) if self.timezone else None

    @property
    def secret_source(self) -> str:
        """Where the secret comes from, in words (never the secret)."""
        return self._source(self.SECRET_KEY) or "the config file"

    @property
    def cache_password_source(self) -> str | None:
        """Where the team cache's password comes from, in words (never the password); None when no way is given
        (the server trusts the user, or libpq's ``~/.pgpass`` has it)."""
        return self._source("cache_password")

    def _source(self, key: str) -> str | None:
        """Where the secret ``key`` comes from, in words: its ``_env``, ``_command`` or ``_file`` key, or the
        config file for a literal; None when none of them is given."""
        if getattr(self, f"{key}_env", None) is not None:
            return f"environment variable {getattr(self, f'{key}_env')}"
        if getattr(self, f"{key}_command", None) is not None:
            return f"{key}_command"
        if getattr(self, f"{key}_file", None) is not None:
            return f"{key}_file {getattr(self, f'{key}_file')}"
        if getattr(self, key, None) is not None:
            return "the config file"
        return None

    def resolve_cache_password(self, env: Mapping[str, str] | None = None,
                               on_wait: Callable[[str], None] | None = None) -> str | None:
        """The team cache's password (``cache_password_env`` or ``cache_password_command``), fetched now; None when
        neither is given (the server trusts the user, or libpq's ``~/.pgpass`` has it). Raises ``ConfigError``."""
        if all(getattr(self, k) is None for k in CACHE_PASSWORD_KEYS):
            return None
        password = self._resolve_secret(os.environ if env is None else env, on_wait, key="cache_password")
        remember_secret(password)
        return password

    def resolve_secret(self, env: Mapping[str, str] | None = None,
                       on_wait: Callable[[str], None] | None = None) -> str:
        """The secret, fetched now (env var, command, file or literal). Raises ``ConfigError``. A command that
        runs longer than ``SECRET_COMMAND_NOTICE`` seconds is announced with ``on_wait(message)`` and stopped
        after ``SECRET_COMMAND_TIMEOUT``. The secret is remembered for the crash log's scrubbing."""
        secret = self._resolve_secret(os.environ if env is None else env, on_wait)
        remember_secret(secret)
        return secret

    def _resolve_secret(self, env: Mapping[str, str], on_wait: Callable[[str], None] | None,
                        key: str | None = None) -> str:
        """``key``: the secret's key (default ``SECRET_KEY``), given as one of its ``_env``, ``_command``, ``_file``
        or literal keys."""
        where = f"{display_path(self._path)}: " if self._path else ""
        prefix = f"{where}{_dotted(('profiles', self._name or '?'))}"
        key = key or self.SECRET_KEY
        literal = getattr(self, key, None)
        if literal is not None:
            return literal.get_secret_value()
        variable = getattr(self, f"{key}_env", None)
        if variable is not None:
            value = env.get(variable)
            if value is None:
                raise ConfigError(f"{prefix}.{key}_env: environment variable {variable} is not set",
                                  path=self._path, key=f"{key}_env")
            if not value.strip():
                raise ConfigError(f"{prefix}.{key}_env: environment variable {variable} is empty",
                                  path=self._path, key=f"{key}_env")
            return value.strip()
        file = getattr(self, f"{key}_file", None)
        if file is not None:
            return self._read_secret_file(f"{prefix}.{key}_file", Path(file).expanduser())
        return self._run_secret_command(prefix, on_wait, key)

    def _read_secret_file(self, key: str, path: Path) -> str:
        """A secret kept in a file of its own, private to the user as a literal one must be."""
        try:
            private = _is_private(path)
            text = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise ConfigError(f"{key}: no such file {display_path(path)}", path=self._path) from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{key}: cannot read {display_path(path)}: {getattr(error, 'strerror', None) or error}",
                              path=self._path) from None
        if not private:
            raise ConfigError(f"{key}: {display_path(path)} must be private to you; run `chmod 600 "
                              f"{_shell_path(path)}`", path=self._path)
        if not text:
            raise ConfigError(f"{key}: {display_path(path)} is empty", path=self._path)
        return text

    def _run_secret_command(self, prefix: str, on_wait: Callable[[str], None] | None, secret_key: str) -> str:
        command = getattr(self, f"{secret_key}_command", None) or ""
        key = f"{prefix}.{secret_key}_command"
        try:
            # its own process group: a command that hangs is stopped with everything it started (a shell's
            # children, which would otherwise hold its output open)
            process = subprocess.Popen(command, shell=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, process_group=0)
        except OSError as error:
            raise ConfigError(f"{key}: could not run the command: {error.strerror or error}", path=self._path) from None
        try:
            try:
                out, err = process.communicate(timeout=config_module.SECRET_COMMAND_NOTICE)
            except subprocess.TimeoutExpired:
                if on_wait is not None:  # a password manager asking to be unlocked, or a command that hangs
                    on_wait(f"waiting for {key} (gives up after {config_module.SECRET_COMMAND_TIMEOUT:g} s)")
                out, err = process.communicate(timeout=config_module.SECRET_COMMAND_TIMEOUT - config_module.SECRET_COMMAND_NOTICE)
        except subprocess.TimeoutExpired:
            _stop(process)
            raise ConfigError(f"{key}: the command did not finish within {config_module.SECRET_COMMAND_TIMEOUT:g} s; run it in a "
                              "terminal to see what it waits for", path=self._path) from None
        except BaseException:  # Ctrl-C while waiting: stop it too
            _stop(process)
            raise
        secret = out.decode(errors="replace").strip()
        if process.returncode != 0:
            # stdout may hold (part of) the secret: never show it. The last line of stderr usually says why; it is
            # left out when it repeats any of stdout.
            lines = [line.strip() for line in err.decode(errors="replace").splitlines() if line.strip()]
            shown = [line.strip() for line in secret.splitlines() if line.strip()]
            why = f": {lines[-1][:200]}" if lines and not any(part in lines[-1] for part in shown) else ""
            raise ConfigError(f"{key}: the command failed with exit code {process.returncode}{why}", path=self._path)
        if not secret:
            raise ConfigError(f"{key}: the command printed nothing on stdout", path=self._path)
        return secret


class HostedProfile(BackendProfile):
    """A backend reached at one API URL, with no tenant or environment keys (FSM Navigator, BigChange): production at
    the reference's URL (``PRODUCTION_URL``), "custom" anywhere else (a sandbox, a private host)."""

    PRODUCTION_URL: ClassVar[str]
    # ``api_url`` is a field of each subclass, declared there so `config show` keeps its order

    @property
    def environment(self) -> str:
        return "production" if self.api_url == self.PRODUCTION_URL else "custom"

    @property
    def effective_api_url(self) -> str:
        return self.api_url


BOARD_KEYS = frozenset({"backend", "cache_url", *CACHE_PASSWORD_KEYS, "timezone"})
"""The keys of a team board's profile (``BoardProfile``): a table with ``cache_url`` and no others is one."""


class BoardProfile(BackendProfile):
    """A board on a team's cache (``cache_url``): it never talks to the backend (the team's sync service does), so
    it needs the backend's name, the cache's URL and its password source, and no credentials. The sync service's
    own profile is the backend's, with them."""

    cache_url: str
    timezone: str | None = None

    environment: ClassVar[str] = "team cache"
    account: ClassVar[str] = ""
    shown_account: ClassVar[str] = ""
    effective_api_url: ClassVar[str] = ""

    def _one_secret(self) -> None:
        """No backend secret: the sync service's profile holds it."""

    def resolve_secret(self, env: Mapping[str, str] | None = None,
                       on_wait: Callable[[str], None] | None = None) -> str:
        """Refused with the keys the backend needs: this profile cannot talk to the backend (``sync --watch``)."""
        from .backends import BACKENDS

        model = BACKENDS[self.backend].profile_model()
        needed = [name for name, field in model.model_fields.items() if field.is_required()]
        where = f"{display_path(self._path)}: " if self._path else ""
        raise ConfigError(f"{where}{_dotted(('profiles', self._name or '?'))}: a team board's profile (cache_url "
                          f"alone) cannot talk to the backend; the sync service's profile needs "
                          f"{', '.join([*needed, f'a {model.SECRET_WORDS}'])}", path=self._path)


class Profile(BackendProfile):
    """One ServiceTitan tenant: where it is, who we are, how to get the client secret."""

    backend: Literal["servicetitan"] = "servicetitan"
    environment: Literal["production", "integration", "custom"]
    api_url: str | None = None
    auth_url: str | None = None
    tenant: int
    client_id: str
    app_key: str = Field(repr=False)
    client_secret_env: str | None = None
    client_secret_command: str | None = None
    client_secret: SecretStr | None = Field(default=None, repr=False)
    rate_limit: float = 60.0
    timeout: float = 100.0
    timezone: str | None = None

    @field_validator("environment", mode="before")
    @classmethod
    def _environment(cls, value: Any) -> str:
        if value not in _ENVIRONMENT_NAMES:
            raise _problem(f'expected "production", "integration" or "custom", got {_show(value)}')
        return value

    def _check_urls(self) -> None:
        if self.environment == "custom":
            for key in ("api_url", "auth_url"):
                if getattr(self, key) is None:
                    raise _problem(f'required when environment = "custom" (e.g. "https://{key[:-4]}.example.com")', key)
        else:
            for key in ("api_url", "auth_url"):
                if getattr(self, key) is not None:
                    raise _problem(f'only allowed with environment = "custom" ({self.environment} uses '
                                   f"{ENVIRONMENTS[self.environment][key == 'auth_url']})", key)

    # -- derived values ---------------------------------------------------------------------------

    @property
    def account(self) -> int:
        """What names its cache file beside the environment: the tenant."""
        return self.tenant

    @property
    def shown_account(self) -> int | str:
        """What the board's header names the account: the tenant."""
        return self.tenant

    @property
    def effective_api_url(self) -> str:
        return self.api_url if self.environment == "custom" else ENVIRONMENTS[self.environment][0]  # type: ignore[return-value]

    @property
    def effective_auth_url(self) -> str:
        return self.auth_url if self.environment == "custom" else ENVIRONMENTS[self.environment][1]  # type: ignore[return-value]

    def make_client(self, secret: str) -> Any:
        """Its ``ServiceTitanClient`` (the HTTP stack imported only now)."""
        from jpm_tui.api.client import ServiceTitanClient

        return ServiceTitanClient(**self.client_kwargs(secret))

    def client_kwargs(self, client_secret: str) -> dict[str, Any]:
        """Keyword arguments for ``jpm_tui.api.client.ServiceTitanClient``."""
        return {
            "api_url": self.effective_api_url,
            "auth_url": self.effective_auth_url,
            "tenant": self.tenant,
            "client_id": self.client_id,
            "client_secret": client_secret,
            "app_key": self.app_key,
            "rate_limit": self.rate_limit,
            "timeout": self.timeout,
        }


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill a secret command and what it started (its process group), and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.kill()
    process.communicate()


class SavedView(BaseModel):
    """A ``[[views]]`` entry: a named set of board filters (filter names are the board's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    filters: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        return _text(value)

    @field_validator("filters", mode="before")
    @classmethod
    def _filters(cls, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _problem(f"expected a table, got {_show(value)}")
        return value


class Config(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_profile: str | None = None
    theme: str | None = None
    export_dir: str | None = None
    dispatcher_name: str | None = None
    """The name your writes are queued under in a shared outbox ("queued by Ann"); default: your OS user name."""
    keys: dict[str, str] = Field(default_factory=dict)
    views: list[SavedView] = Field(default_factory=list)
    profiles: dict[str, BackendProfile] = Field(default_factory=dict)

    _path: Path | None = PrivateAttr(default=None)

    @field_validator("default_profile", "theme", "dispatcher_name", mode="before")
    @classmethod
    def _names(cls, value: Any) -> str:
        return _text(value)

    @field_validator("export_dir", mode="before")
    @classmethod
    def _export_dir(cls, value: Any) -> str:
        text = _text(value)
        if not (text.startswith("~") or Path(text).is_absolute()):
            raise _problem(f'expected an absolute folder ("/srv/exports") or one in your home ("~/exports"), '
                           f"got {_show(value)}")
        return text

    @property
    def exports_folder(self) -> Path:
        """Where the board writes job exports: ``export_dir``, else :func:`default_export_dir`."""
        return Path(self.export_dir).expanduser() if self.export_dir else default_export_dir()

    @field_validator("keys", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise _problem(f"expected a table of action = \"key\", got {_show(value)}")
        for action, key in value.items():
            if not isinstance(key, str) or not key.strip():
                raise _problem(f"expected a key such as \"ctrl+r\", got {_show(key)}", action)
        return value

    @field_validator("views", mode="before")
    @classmethod
    def _views(cls, value: Any) -> Any:
        if not isinstance(value, list):
            raise _problem(f"expected an array of tables ([[views]]), got {_show(value)}")
        return value

    @field_validator("profiles", mode="before")
    @classmethod
    def _profiles(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise _problem(f"expected a table of profiles ([profiles.NAME]), got {_show(value)}")
        for name in value:
            if not _PROFILE_NAME.match(name):
                raise _problem("a profile name may only use letters, digits, '-', '_' and '.' "
                               "(and must start with a letter or digit)", name)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        for name, profile in self.profiles.items():
            profile._name = name
        if self.default_profile is not None and self.default_profile not in self.profiles:
            raise _problem(f"no profile named {self.default_profile!r} ({_choices(self.profiles)})", "default_profile")
        seen: set[str] = set()
        for index, view in enumerate(self.views):
            if view.name in seen:
                raise _problem(f"a view named {view.name!r} is already defined", ("views", index, "name"))
            seen.add(view.name)
        return self

    @property
    def path(self) -> Path | None:
        return self._path

    def profile(self, name: str | None = None) -> Profile:
        """The named profile, or the default one. Raises ``ConfigError`` saying what to do."""
        where = display_path(self._path) if self._path else "config"
        if not self.profiles:
            raise ConfigError(f"{where}: no profiles defined; run `jpm-tui config init`", path=self._path)
        if name is not None:
            if name not in self.profiles:
                raise ConfigError(f"{where}: no profile named {name!r} ({_choices(self.profiles)})", path=self._path)
            return self.profiles[name]
        if self.default_profile is not None:
            return self.profiles[self.default_profile]
        if len(self.profiles) == 1:
            return next(iter(self.profiles.values()))
        raise ConfigError(f"{where}: several profiles and no default_profile; set default_profile or pass --profile "
                          f"({_choices(self.profiles)})", path=self._path, key="default_profile")


def _choices(profiles: Mapping[str, Any]) -> str:
    return f"profiles: {', '.join(sorted(profiles))}" if profiles else "no profiles defined"


# --------------------------------------------------------------------------------- error messages

_EXPECTED = {
    "environment": '"production", "integration" or "custom"',
    "tenant": "a positive integer",
    "client_id": "a string",
    "app_key": "a string",
    "name": "a string",
}
_FIELDS_AT = {"profile": Profile, "view": SavedView, "top": Config}


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part) if _BARE_KEY.match(str(part)) else '"' + str(part).replace('"', '\\"') + '"'
            out += f".{text}" if out else text
    return out


def _model_at(loc: tuple[Any, ...], profile: type[BaseModel] = Profile) -> type[BaseModel] | None:
    if len(loc) == 1:
        return Config
    if len(loc) == 3 and loc[0] == "profiles":
        return profile
    if len(loc) == 3 and loc[0] == "views" and isinstance(loc[1], int):
        return SavedView
    return None


def _message(error: Mapping[str, Any], profile: type[BaseModel] = Profile,
             at: tuple[Any, ...] = ()) -> tuple[str, str]:
    """(dotted key, what is wrong) for one pydantic error; ``at``: where the validated table sits (a profile's
    ``("profiles", name)``), ``profile`` the model of the profiles there."""
    loc = at + tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "jpm_config":
        sub = ctx.get("key")
        if sub is not None:
            loc = loc + (tuple(sub) if isinstance(sub, (tuple, list)) else (sub,))
        return _dotted(loc), ctx["message"]
    if kind == "missing":
        expected = _EXPECTED.get(str(loc[-1]))
        return _dotted(loc), "required key is missing" + (f" (expected {expected})" if expected else "")
    if kind == "extra_forbidden":
        model = _model_at(loc, profile)
        hint = ""
        if model is not None:
            close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
            if close:
                hint = f" (did you mean {close[0]!r}?)"
        return _dotted(loc), f"unknown key{hint}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return _dotted(loc), f"expected a table, got {_show(error.get('input'))}"
    if kind == "list_type":
        return _dotted(loc), f"expected an array, got {_show(error.get('input'))}"
    if kind == "string_type":
        return _dotted(loc), f"expected a string, got {_show(error.get('input'))}"
    return _dotted(loc), str(error.get("msg", "invalid value")).lower()



# ----------------------------------------------------------------------------------------- loading


def parse_config(data: Mapping[str, Any], path: Path | None = None, *, check_private: bool | None = None) -> Config:
    """Validate an already-parsed document. ``check_private`` (default: when ``path`` exists) enforces the
    private-file rule for literal secrets."""
    where = display_path(path) if path else "config"
    document = dict(data)
    if isinstance(document.get("profiles"), dict):
        document["profiles"] = {name: _backend_profile(where, path, name, table) if isinstance(table, dict) else table
                                for name, table in document["profiles"].items()}
    try:
        config = Config.model_validate(document)
    except ValidationError as error:
        raise _first_problem(where, path, error) from None
    config._path = path
    for profile in config.profiles.values():
        profile._path = path
    if check_private is None:
        check_private = path is not None and path.exists()
    if check_private and path is not None and not _is_private(path):
        for name, profile in config.profiles.items():
            secret = profile.SECRET_KEY
            if getattr(profile, secret, None) is not None:
                key = _dotted(("profiles", name, secret))
                raise ConfigError(
                    f"{where}: {key}: a literal secret needs a private file; run `chmod 600 {_shell_path(path)}` "
                    f"or use {secret}_env / {secret}_command", path=path, key=key)
    return config


def _first_problem(where: str, path: Path | None, error: ValidationError, profile: type[BaseModel] = Profile,
                   at: tuple[Any, ...] = ()) -> ConfigError:
    errors = error.errors(include_url=False)
    # an unknown key is usually a typo, and the cause of any "missing" error beside it: report it first
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    key, problem = _message(first, profile, at)
    return ConfigError(f"{where}: {key}: {problem}", path=path, key=key)


def _backend_profile(where: str, path: Path | None, name: str, table: dict[str, Any]) -> BackendProfile:
    """A ``[profiles.NAME]`` table validated by its backend's model (``backend``, default ServiceTitan)."""
    from .backends import BACKENDS, DEFAULT_BACKEND

    at = ("profiles", name)
    backend = table.get("backend", DEFAULT_BACKEND)
    if backend not in BACKENDS:
        names = [f'"{b}"' for b in BACKENDS]
        known = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
        raise ConfigError(f"{where}: {_dotted(at + ('backend',))}: expected {known}, got {_show(backend)}",
                          path=path, key=_dotted(at + ("backend",)))
    model = BACKENDS[backend].profile_model()
    if "cache_url" in table and set(table) <= BOARD_KEYS:
        model = BoardProfile
    try:
        return model.model_validate(table)
    except ValidationError as error:
        raise _first_problem(where, path, error, model, at) from None


