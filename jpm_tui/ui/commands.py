"""Command palette entries generated from key bindings: every action with a description, from the focused
widget up to the app, appears under its description with its key(s). Nothing here is written by hand."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

__all__ = ["BindingCommands", "KeyHelp", "binding_help", "scope_title"]


@dataclass(frozen=True)
class KeyHelp:
    """One action as the user sees it: its keys, what it does and where it applies."""

    keys: tuple[str, ...]
    description: str
    scope: str
    node: DOMNode
    action: str
    group: str = ""
    enabled: bool = True


def scope_title(node: DOMNode) -> str:
    """'Everywhere' for the app, else the node's HELP_TITLE, or its class name in words ("TextArea": "Text area"),
    which is what a widget of Textual's own without a title gets."""
    if isinstance(node, App):
        return "Everywhere"
    return getattr(node, "HELP_TITLE", None) or _CAPITALS.sub(" ", type(node).__name__).capitalize()


_CAPITALS = re.compile(r"(?<=[a-z])(?=[A-Z])")


def binding_help(screen: Screen[Any]) -> list[KeyHelp]:
    """The effective keys of ``screen`` (keymap applied, disabled actions left out), one entry per action,
    in binding-chain order: focused widget first, app last."""
    app = screen.app
    entries: dict[tuple[int, str], KeyHelp] = {}
    for active in screen.active_bindings.values():
        binding: Binding = active.binding
        description = binding.description or binding.tooltip
        if not description or binding.system:
            continue
        slot = (id(active.node), binding.action)
        shown = app.get_key_display(binding)
        if slot in entries:
            old = entries[slot]
            if shown not in old.keys:
                entries[slot] = KeyHelp((*old.keys, shown), old.description, old.scope, old.node, old.action,
                                        old.group, old.enabled)
            continue
        entries[slot] = KeyHelp(
            keys=(shown,),
            description=description,
            scope=scope_title(active.node),
            node=active.node,
            action=binding.action,
            group=binding.group.description if binding.group else "",
            enabled=active.enabled,
        )
    return list(entries.values())


class BindingCommands(Provider):
    """Every bound action of the screen the palette was opened from (and of the app)."""

    def _entries(self) -> Iterator[KeyHelp]:
        for entry in binding_help(self.screen):
            if entry.enabled and entry.action != "app.command_palette" and entry.action != "command_palette":
                yield entry

    def _run(self, entry: KeyHelp) -> None:
        self.app.call_later(self.app.run_action, entry.action, entry.node)

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(entry.description, partial(self._run, entry), help=self._help(entry))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.description)
            if score > 0:
                yield Hit(score, matcher.highlight(entry.description), partial(self._run, entry),
                          help=self._help(entry))

    @staticmethod
    def _help(entry: KeyHelp) -> str:
        return f"{' / '.join(entry.keys)} · {entry.scope}"
