"""The config's ``[keys]`` table checked against the board's bindings: unknown ids and key conflicts.

Every ``Binding`` on the board has an ``id``; ``[keys]`` maps an id to the key(s) that replace its defaults
(Textual's keymap). The ids come from the ``BINDINGS`` of every board screen and widget and of the app, so
this module imports them all. Nothing here reads a file: the caller says where the table came from
(``origin``, e.g. ``~/.config/jpm-tui/config.toml``) and decides whether a problem is fatal
(``jpm-tui config check``) or a warning (the board).
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.keys import _normalize_key_list
from textual.screen import ModalScreen

__all__ = ["KeyScope", "KeymapProblem", "binding_ids", "check_keymap", "key_scopes"]

APP_SCOPE = "Everywhere"


@dataclass(frozen=True)
class KeyScope:
    """One place bindings live: the app (``Everywhere``), a screen or a widget class."""

    title: str
    bindings: tuple[Binding, ...]
    with_app: bool          # the app's bindings also apply here (not on modal screens)


@dataclass(frozen=True)
class KeymapProblem:
    kind: Literal["unknown", "conflict"]
    binding_id: str
    message: str

    def __str__(self) -> str:
        return self.message


def _board_classes() -> list[type[DOMNode]]:
    """The app, every screen and every widget class defined in ``jpm_tui.ui`` (modules imported here)."""
    from . import screens, widgets
    from .app import JpmApp

    for package in (screens, widgets):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
    found: dict[type[DOMNode], None] = {JpmApp: None}
    todo: list[type[DOMNode]] = [DOMNode]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("jpm_tui.ui.") and "BINDINGS" in sub.__dict__:
                found[sub] = None
    return list(found)


def _title(cls: type[DOMNode]) -> str:
    from textual.app import App

    if issubclass(cls, App):
        return APP_SCOPE
    title = cls.__dict__.get("HELP_TITLE") or getattr(cls, "HELP_TITLE", None)
    return f"{title} ({cls.__name__})" if title and title != cls.__name__ else cls.__name__


@cache
def key_scopes() -> tuple[KeyScope, ...]:
    """Every binding scope of the board, the app first."""
    from textual.app import App

    scopes = []
    for cls in _board_classes():
        merged: BindingsMap = cls._merge_bindings()
        bindings = tuple(b for bs in merged.key_to_bindings.values() for b in bs)
        with_app = not issubclass(cls, (App, ModalScreen))
        scopes.append(KeyScope(_title(cls), bindings, with_app))
    return tuple(scopes)


def binding_ids() -> set[str]:
    """Every binding id a ``[keys]`` entry may name."""
    return {b.id for scope in key_scopes() for b in scope.bindings if b.id}


def _effective(bindings: tuple[Binding, ...], keymap: Mapping[str, str]) -> dict[str, set[str]]:
    """key -> the binding ids it runs, with ``keymap`` applied (bindings without an id keep their key)."""
    by_key: dict[str, set[str]] = {}
    for binding in bindings:
        label = binding.id or binding.action
        keys = keymap[binding.id].split(",") if binding.id and binding.id in keymap else [binding.key]
        for key in keys:
            by_key.setdefault(key.strip(), set()).add(label)
    return by_key


def check_keymap(keymap: Mapping[str, str], origin: str = "config") -> list[KeymapProblem]:
    """Problems of a ``[keys]`` table, each one line naming ``origin``, the table and the id(s):
    ids that name no binding (with close matches), and overridden keys that collide with another binding of
    the same screen or widget, or of the app on a screen where the app's keys also apply."""
    problems: list[KeymapProblem] = []
    known = binding_ids()
    for binding_id in keymap:
        if binding_id in known:
            continue
        close = difflib.get_close_matches(binding_id, sorted(known), n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else "see the ids listed in config.example.toml"
        problems.append(KeymapProblem("unknown", binding_id,
                                      f"{origin}: [keys] {binding_id}: no board action has this id ({hint})"))
    normal = {k: _normalize_key_list(v) for k, v in keymap.items() if k in known}
    if not normal:
        return problems
    scopes = key_scopes()
    app_scope = scopes[0]
    app_keys = _effective(app_scope.bindings, normal)
    seen: set[tuple[str, frozenset[str]]] = set()
    for scope in scopes:
        own = _effective(scope.bindings, normal)
        for key, ids in own.items():
            clashes = [(i, scope.title) for i in sorted(ids)]
            if scope.with_app and scope is not app_scope:
                clashes += [(i, APP_SCOPE) for i in sorted(app_keys.get(key, ())) if i not in ids]
            names = frozenset(i for i, _ in clashes)
            if len(names) < 2 or not names & set(normal):
                continue  # no clash, or one the board ships with (a screen key shadowing an app key)
            if not any(key in normal.get(i, "").split(",") for i in names):
                continue  # the shared key is a default one, not one the config chose
            if (key, names) in seen:
                continue
            seen.add((key, names))
            place = "everywhere" if scope is app_scope else f"on {scope.title}"
            both = " and ".join(f"{i} (everywhere)" if t == APP_SCOPE and scope is not app_scope else i
                                for i, t in clashes)
            first = next(i for i, _ in clashes if i in normal)
            problems.append(KeymapProblem(
                "conflict", first,
                f"{origin}: [keys]: {key!r} would run both {both} {place}; give one of them another key"))
    return problems
