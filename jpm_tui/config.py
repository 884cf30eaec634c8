"""Configuration: TOML profiles validated with pydantic, lazy secret resolution, and ``ConfigError``.

The file lives at platformdirs' user config dir (``~/.config/jpm-tui/config.toml`` on Linux) unless
``--config PATH`` or ``$JPM_TUI_CONFIG`` names another. ``config.example.toml`` at the repository root documents
every key. Rules worth knowing:

* ``environment = "production" | "integration"`` uses ServiceTitan's published URLs and *forbids*
  ``api_url``/``auth_url`` (a URL there would silently be ignored otherwise); ``"custom"`` requires both.
* The client secret comes from exactly one of ``client_secret_env``, ``client_secret_command`` or a literal
  ``client_secret``; the literal one only when the file is private (``mode & 0o077 == 0``; not checked on
  Windows, where POSIX modes do not exist).
* Secrets are resolved lazily (:meth:`Profile.resolve_secret`, only when connecting) and never appear in a
  ``repr``, a log line or an error message.
* ``timezone`` (optional) is an IANA name checked with :mod:`zoneinfo`; the board shows times in it (default:
  the machine's local zone).
* Profiles and ``[[views]]`` entries reject unknown keys (typos are caught); the names under ``[keys]`` and the
  keys of a view's ``filters`` table are free-form, because the board defines the actions and filters.

Every problem becomes one :class:`ConfigError` whose message names the file, the dotted key and what was

The validating half (the pydantic models, ``parse_config``) is :mod:`jpm_tui.config_schema`, loaded when first used:
``Config``, ``Profile``... are served from here all the same, and so are :func:`load_config` and the writers. The
board's first frame needs none of it (``jpm_tui.config_first_frame`` reads what it shows), so pydantic loads after it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import platformdirs

from .loopback import is_loopback

if TYPE_CHECKING:
    from .config_schema import (
        CACHE_PASSWORD_KEYS,
        BackendProfile,
        Config,
        HostedProfile,
        Profile,
        SavedView,
        parse_config,
    )

__all__ = [
    "APP_NAME",
    "CONFIG_ENV",
    "ENVIRONMENTS",
    "SECRET_COMMAND_TIMEOUT",
    "BackendProfile",
    "CACHE_PASSWORD_KEYS",
    "Config",
    "ConfigError",
    "HostedProfile",
    "Profile",
    "SavedView",
    "add_profile",
    "config_dir",
    "config_path",
    "default_cache_dir",
    "default_export_dir",
    "display_path",
    "load_config",
    "mask",
    "masked_document",
    "parse_config",
    "save_theme",
    "save_view",
    "url_problem",
]

APP_NAME = "jpm-tui"
CONFIG_ENV = "JPM_TUI_CONFIG"
SECRET_COMMAND_TIMEOUT = 30.0
SECRET_COMMAND_NOTICE = 1.0  # seconds a secret command runs before the user is told what is being waited for

#: environment -> (api_url, auth_url)
ENVIRONMENTS: dict[str, tuple[str, str]] = {
    "production": ("https://api.servicetitan.io", "https://auth.servicetitan.io"),
    "integration": ("https://api-integration.servicetitan.io", "https://auth-integration.servicetitan.io"),
}
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")


class ConfigError(Exception):
    """A configuration problem; ``str()`` is the one-line message shown to the user."""

    def __init__(self, message: str, *, path: Path | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.key = key

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------------------------- paths


def config_dir() -> Path:
    """The platform's user config directory for jpm-tui (``~/.config/jpm-tui`` on Linux)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_cache_dir() -> Path:
    """The platform's user cache directory for jpm-tui (``~/.cache/jpm-tui`` on Linux)."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_export_dir() -> Path:
    """Where exports go unless ``export_dir`` says otherwise: ``exports`` in the platform's user data folder
    (``~/.local/share/jpm-tui/exports`` on Linux), private to the user as the cache is."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "exports"


def config_path(explicit: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> Path:
    """``--config PATH`` if given, else ``$JPM_TUI_CONFIG``, else ``<user config dir>/config.toml``."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit).expanduser()
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    return config_dir() / "config.toml"


def display_path(path: Path) -> str:
    """``path`` with the home directory shortened to ``~`` (for messages)."""
    try:
        home = Path.home()
        relative = Path(path).absolute().relative_to(home)
    except (ValueError, RuntimeError):
        return str(path)
    return "~" if str(relative) == "." else f"~/{relative.as_posix()}"


def _shell_path(path: Path) -> str:
    shown = display_path(path)
    if re.fullmatch(r"[~A-Za-z0-9_./+-]+", shown):
        return shown
    import shlex

    return shlex.quote(str(path))


def _is_private(path: Path) -> bool:
    if os.name == "nt":  # no POSIX modes; ACLs are the user's business
        return True
    return os.stat(path).st_mode & 0o077 == 0


# ------------------------------------------------------------------------------------ value checks


def _show(value: Any) -> str:
    """A value as the user wrote it, for 'got ...' (TOML spelling for booleans and containers)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)



def url_problem(value: Any) -> str | None:
    """What is wrong with ``value`` as an ``api_url`` / ``auth_url``, or None (for a prompt that asks again; the
    profile models check their URLs with it too)."""
    expected = "expected an https:// URL (http:// only for localhost)"
    if not isinstance(value, str):
        return f"{expected}, got {_show(value)}"
    parts = urlsplit(value.strip())
    ok = (
        parts.scheme in ("https", "http")
        and bool(parts.hostname)
        and not parts.query
        and not parts.fragment
        and (parts.scheme == "https" or is_loopback(parts.hostname or ""))
    )
    return None if ok else f"{expected}, got {_show(value)}"


#: what loads with pydantic (``config_schema``), when first asked for: ``from jpm_tui.config import Profile`` as before
_VALIDATING = frozenset({"BackendProfile", "BOARD_KEYS", "BoardProfile", "CACHE_PASSWORD_KEYS", "Config",
                         "HostedProfile", "Profile", "SavedView", "parse_config"})


def __getattr__(name: str) -> Any:
    if name in _VALIDATING:
        from . import config_schema

        return getattr(config_schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _toml_error(where: str, error: tomllib.TOMLDecodeError, text: str) -> ConfigError:
    message = str(error)
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if match:
        line, column = int(match.group(1)), int(match.group(2))
        message = message[: match.start()]
    else:
        message = re.sub(r"\s*\(at end of document\)$", "", message)
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    message = message[:1].lower() + message[1:]
    return ConfigError(f"{where}: invalid TOML at line {line}, column {column}: {message}")



# ----------------------------------------------------------------------------------------- loading


def _read(path: Path) -> tuple[dict[str, Any], str]:
    where = display_path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file; run `jpm-tui config init` to create it", path=path) from None
    except IsADirectoryError:
        raise ConfigError(f"{where}: is a directory, not a config file", path=path) from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{where}: not UTF-8 text (byte {error.start})", path=path) from None
    except OSError as error:
        raise ConfigError(f"{where}: cannot read: {error.strerror or error}", path=path) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        raise _toml_error(where, error, text) from None


def load_config(path: Path | None = None) -> Config:
    """Read and validate the config file (``path`` or :func:`config_path`). Raises ``ConfigError``."""
    path = config_path() if path is None else Path(path)
    from .config_schema import parse_config

    data, _ = _read(path)
    return parse_config(data, path, check_private=True)


# --------------------------------------------------------------------------------- writing, showing


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically with mode 0600; create missing parent directories with mode 0700."""
    parent = path.parent
    if not parent.exists():
        parent.mkdir(mode=0o700, parents=True)
    tmp = parent / f".{path.name}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def add_profile(path: Path, name: str, profile: Mapping[str, Any], *, force: bool = False,
                make_default: bool = False) -> Config:
    """Add (or with ``force`` replace) ``[profiles.<name>]`` in the file at ``path`` and write it back with
    mode 0600. The profile becomes the default when asked, or when the file had no default and no other
    profile. Comments in an existing file are not preserved (tomli-w). Returns the validated new config."""
    where = display_path(path)
    if not _PROFILE_NAME.match(name):
        raise ConfigError(f"{where}: profiles.{name}: a profile name may only use letters, digits, '-', '_' and '.' "
                          "(and must start with a letter or digit)", path=path)
    document: dict[str, Any] = _read(path)[0] if path.exists() else {}
    profiles = document.setdefault("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{where}: profiles: expected a table of profiles ([profiles.NAME]), got {_show(profiles)}",
                          path=path)
    if name in profiles and not force:
        raise ConfigError(f"{where}: profile {name!r} already exists; use --force to replace it", path=path)
    profiles[name] = {key: value for key, value in profile.items() if value is not None}
    if make_default or ("default_profile" not in document and len(profiles) == 1):
        document["default_profile"] = name
    return _write_document(path, document)


def save_theme(path: Path, theme: str) -> Config:
    """Set the top-level ``theme`` in the config file at ``path`` and write it back (atomically, mode 0600),
    keeping every other setting. Comments and formatting are lost (tomli-w, see :func:`_write_document`).
    Raises ``ConfigError`` when the file is missing or no longer valid."""
    if not path.exists():
        raise ConfigError(f"{display_path(path)}: no such file; the theme was not saved", path=path)
    document = _read(path)[0]
    document["theme"] = theme.strip()
    return _write_document(path, document)


def save_view(path: Path, name: str, filters: Mapping[str, Any]) -> Config:
    """Add the ``[[views]]`` entry ``name`` (or replace the one of that name) in the config file at ``path``,
    keeping every other setting (same writing path and caveats as :func:`save_theme`)."""
    if not path.exists():
        raise ConfigError(f"{display_path(path)}: no such file; the view was not saved", path=path)
    document = _read(path)[0]
    views = [v for v in document.get("views") or [] if not (isinstance(v, dict) and v.get("name") == name)]
    views.append({"name": name, "filters": dict(filters)})
    document["views"] = views
    return _write_document(path, document)


def _write_document(path: Path, document: dict[str, Any]) -> Config:
    """Validate ``document`` and write it to ``path`` with tomli-w (atomic, mode 0600); the one writing path.

    tomli-w writes data, not the original text: comments, blank lines and the order of keys within the top
    level (scalars are put first) are not kept, and inline tables become ordinary tables. A symlinked config
    file is written through to its target."""
    ordered = {k: v for k, v in document.items() if not isinstance(v, (dict, list))}
    ordered.update({k: v for k, v in document.items() if isinstance(v, (dict, list))})
    import tomli_w

    from .config_schema import parse_config

    config = parse_config(ordered, path, check_private=False)
    _write_private(path.resolve() if path.is_symlink() else path, tomli_w.dumps(ordered))
    return config


def mask(value: str, keep: int = 4) -> str:
    """``abcd*******wxyz`` for long values, all stars for short ones."""
    if len(value) < 3 * keep:
        return "*" * 8
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def masked_document(config: Config) -> dict[str, Any]:
    """The effective config (defaults filled in) as a TOML-ready dict, with secrets masked."""
    document: dict[str, Any] = {}
    if config.default_profile is not None:
        document["default_profile"] = config.default_profile
    if config.theme is not None:
        document["theme"] = config.theme
    if config.export_dir is not None:
        document["export_dir"] = config.export_dir
    if config.keys:
        document["keys"] = dict(config.keys)
    profiles: dict[str, Any] = {}
    for name, profile in config.profiles.items():
        table = profile.model_dump(exclude_none=True)
        if table.get("backend") == "servicetitan":  # the default, not written by configs that predate backends
            del table["backend"]
        for key in ("rate_limit", "timeout"):
            if key in table and float(table[key]).is_integer():
                table[key] = int(table[key])
        if profile.SECRET_KEY in table:
            table[profile.SECRET_KEY] = "********"
        if "app_key" in table:
            table["app_key"] = mask(table["app_key"])
        profiles[name] = table
    if profiles:
        document["profiles"] = profiles
    if config.views:
        document["views"] = [view.model_dump() for view in config.views]
    return document
