"""Board themes: TOML files loaded into Textual's theme system.

Built-ins live in the package (``jpm_tui/themes/*.toml``); users add or override themes with ``*.toml`` files in
a directory they name (the CLI passes ``<config dir>/themes``). See ``themes/README.md`` at the repository root.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.theme import Theme

from ..provider.workflow import OTHER, StatusCategory

__all__ = [
    "BOARD_VARIABLES",
    "LEGACY_STATUS_VARIABLES",
    "DEFAULT_THEME",
    "ThemeError",
    "board_variable_defaults",
    "builtin_themes",
    "load_themes",
    "parse_theme",
]

DEFAULT_THEME = "dark"

_COLOR_KEYS = (
    "primary", "secondary", "warning", "error", "success", "accent",
    "foreground", "background", "surface", "panel", "boost",
)
STATUS_KEYS = (*(c.value for c in StatusCategory), OTHER)
"""A status colour per category (``provider.workflow.StatusCategory``): one theme serves every backend."""
PRIORITY_KEYS = ("urgent", "high", "normal", "low")
LEGACY_STATUS_VARIABLES = {
    "status-inprogress": "status-working",
    "status-hold": "status-held",
    "status-completed": "status-done",
}
"""Names themes used when the colours were ServiceTitan's statuses: still read, as the category they became
(a theme that sets both keeps the new name's colour)."""
BOARD_VARIABLES = tuple(f"status-{k}" for k in STATUS_KEYS) + tuple(f"priority-{k}" for k in PRIORITY_KEYS)


@dataclass
class ThemeError(Exception):
    """A theme file that could not be used; ``str()`` names the file and the problem."""

    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def parse_theme(data: dict[str, Any], origin: str, *, check_colours: bool = True) -> Theme:
    """Build a Textual ``Theme`` from a theme document (already parsed TOML). ``check_colours=False``: for the themes
    shipped here, which tests draw (working out their colours took ~10 ms of every start)."""
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeError(origin, "'name' must be a non-empty string")
    colors = data.get("colors", {})
    variables = data.get("variables", {})
    if not isinstance(colors, dict) or not isinstance(variables, dict):
        raise ThemeError(origin, "[colors] and [variables] must be tables")
    unknown = sorted(set(colors) - set(_COLOR_KEYS))
    if unknown:
        raise ThemeError(origin, f"unknown colour(s) in [colors]: {', '.join(unknown)}")
    if "primary" not in colors:
        raise ThemeError(origin, "[colors] needs at least 'primary'")
    for key, value in [*colors.items(), *variables.items()]:
        if not isinstance(value, str):
            raise ThemeError(origin, f"{key!r} must be a string, not {type(value).__name__}")
    extra: dict[str, Any] = {}
    for key in ("dark", "ansi"):
        if key in data:
            extra[key] = bool(data[key])
    for key in ("luminosity_spread", "text_alpha"):
        if key in data:
            extra[key] = float(data[key])
    variables = dict(variables)
    for old, new in LEGACY_STATUS_VARIABLES.items():
        if old in variables:
            variables.setdefault(new, variables.pop(old))
    theme = Theme(name=name.strip(), **colors, variables=variables, **extra)
    if not check_colours:
        return theme
    try:  # surface bad colour strings now, with the file name, not later as a CSS error
        theme.to_color_system().generate()
    except Exception as error:  # noqa: BLE001 - textual raises several kinds of parse errors
        raise ThemeError(origin, f"invalid colour: {error}") from None
    return theme


def _load_file(path: Path, origin: str, *, check_colours: bool = True) -> Theme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ThemeError(origin, str(error)) from None
    return parse_theme(data, origin, check_colours=check_colours)


BUILTIN_FOLDER = Path(__file__).resolve().parent.parent / "themes"


def builtin_themes() -> list[Theme]:
    """The themes shipped in ``jpm_tui/themes``."""
    # the package's folder itself, not importlib.resources: that loaded zipfile and the resource readers (~3 ms)
    # before the board's first frame, for a package that is always installed as files
    files = sorted(BUILTIN_FOLDER.glob("*.toml"), key=lambda f: f.name)
    return [_load_file(f, f"jpm_tui/themes/{f.name}", check_colours=False) for f in files]


def load_themes(user_dirs: Iterable[Path] = ()) -> tuple[list[Theme], list[ThemeError]]:
    """Built-in themes followed by the user's; a user file that fails is reported, not fatal."""
    themes = builtin_themes()
    errors: list[ThemeError] = []
    for folder in user_dirs:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                themes.append(_load_file(path, str(path)))
            except ThemeError as error:
                errors.append(error)
    return themes, errors


def board_variable_defaults(theme: Theme) -> dict[str, str]:
    """status-*/priority-* colours for a theme that does not define them (e.g. Textual's own themes)."""
    colors = theme.to_color_system().generate()
    foreground = colors.get("foreground", "#e0e0e0")
    muted = colors.get("foreground-muted", foreground)
    return {
        "status-open": colors.get("accent", foreground),
        "status-scheduled": colors.get("primary-lighten-1", foreground) if theme.dark else colors.get("primary", foreground),
        "status-dispatched": colors.get("secondary-lighten-1", foreground) if theme.dark else colors.get("secondary", foreground),
        "status-working": colors.get("success", foreground),
        "status-held": colors.get("warning", foreground),
        "status-done": muted,
        "status-canceled": colors.get("error", foreground),
        "status-closed": muted,
        "status-other": foreground,
        "priority-urgent": colors.get("error", foreground),
        "priority-high": colors.get("warning", foreground),
        "priority-normal": foreground,
        "priority-low": muted,
    }
