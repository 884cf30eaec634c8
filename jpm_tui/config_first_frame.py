"""What the board's first frame needs from the config file, read without validating it: the profile's cache (tenant,
environment), the theme, keys and views, the time zone, the dispatcher's name. Validating the file loads pydantic and
builds every model (~0.15 s, most of what ``jpm-tui`` did before Textual drew anything); the board paints from these
values and validates the file right after its first frame, before it syncs or accepts a write
(``session.check_first_frame``).

The reader vouches only for a file in the shapes it knows, written as validation would leave it (a ServiceTitan
profile on its own SQLite cache, its secret in a variable or a file, strings without surrounding spaces, ...): anything else gives None and the file is
validated before the board starts, as it always was, with the same messages. ``FirstFrame.of`` takes the same values
from the validated config; the board goes on only when both agree.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import ENVIRONMENTS, default_export_dir

if TYPE_CHECKING:
    from .config_schema import Config, Profile

__all__ = ["FirstFrame", "FirstView", "read_first_frame"]


@dataclass(frozen=True)
class FirstView:
    """A ``[[views]]`` entry as the board takes it (``ui.views.views_from_config`` reads ``name`` and ``filters``)."""

    name: str
    filters: dict[str, Any]


@dataclass(frozen=True)
class FirstFrame:
    path: Path
    profile: str
    tenant: int
    environment: str
    api_url: str
    timezone: str | None
    theme: str | None
    export_dir: str | None
    dispatcher_name: str | None
    keys: dict[str, str]
    views: tuple[FirstView, ...]

    @property
    def exports_folder(self) -> Path:
        """As ``Config.exports_folder``."""
        return Path(self.export_dir).expanduser() if self.export_dir else default_export_dir()

    @classmethod
    def of(cls, config: Config, profile: Profile) -> FirstFrame:
        """The same values from the validated config (what the first frame's must equal)."""
        assert config.path is not None
        return cls(path=config.path, profile=profile.name, tenant=profile.account, environment=profile.environment,
                   api_url=profile.effective_api_url, timezone=profile.timezone, theme=config.theme,
                   export_dir=config.export_dir, dispatcher_name=config.dispatcher_name, keys=dict(config.keys),
                   views=tuple(FirstView(v.name, dict(v.filters)) for v in config.views))


def read_first_frame(path: Path, profile: str | None) -> FirstFrame | None:
    """The first frame's values of ``profile`` (default: the file's default profile, or its only one) in the file at
    ``path``, or None when the file is not one this reader vouches for (missing, not TOML, another backend, a team
    cache, a secret command, an unusual shape): the caller then validates it first."""
    try:
        document = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    try:
        return _first_frame(path, document, profile)
    except _Unusual:
        return None


class _Unusual(Exception):
    """A value not in the shape the reader knows."""


def _first_frame(path: Path, document: dict[str, Any], wanted: str | None) -> FirstFrame:
    profiles = _of(document.get("profiles"), dict)
    name = wanted or _name(document.get("default_profile"))
    if name is None:
        if len(profiles) != 1:
            raise _Unusual
        name = next(iter(profiles))
    table = _of(profiles.get(name), dict)
    # a secret command may take its time or ask on the terminal (a password manager): it runs before the board
    # takes the terminal, after a validation, as it always did; a variable or a file is read at once after the paint
    if table.get("backend", "servicetitan") != "servicetitan" or "cache_url" in table or "client_secret_command" in table:
        raise _Unusual
    environment = table.get("environment")
    tenant = table.get("tenant")
    if isinstance(tenant, bool) or not isinstance(tenant, int) or tenant <= 0:
        raise _Unusual
    if environment in ENVIRONMENTS:
        api_url = ENVIRONMENTS[environment][0]
    elif environment == "custom":
        api_url = _of(table.get("api_url"), str)
        if api_url != api_url.strip().rstrip("/"):
            raise _Unusual
    else:
        raise _Unusual
    timezone = _name(table.get("timezone"))
    if timezone is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only for a profile that names its zone

        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise _Unusual from None
    keys = _of(document.get("keys", {}), dict)
    views = tuple(_view(view) for view in _of(document.get("views", []), list))
    if not all(isinstance(key, str) for key in keys.values()):
        raise _Unusual
    return FirstFrame(path=path, profile=name, tenant=tenant, environment=environment, api_url=api_url,
                      timezone=timezone, theme=_name(document.get("theme")),
                      export_dir=_name(document.get("export_dir")),
                      dispatcher_name=_name(document.get("dispatcher_name")), keys=dict(keys), views=views)


def _of(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise _Unusual
    return value


def _name(value: Any) -> str | None:
    """An optional string as validation keeps it (stripped): one written otherwise is left to validation."""
    if value is not None and (not isinstance(value, str) or not value or value != value.strip()):
        raise _Unusual
    return value


def _view(value: Any) -> FirstView:
    view = _of(value, dict)
    name = _name(view.get("name"))
    if name is None:
        raise _Unusual
    return FirstView(name, dict(_of(view.get("filters", {}), dict)))
