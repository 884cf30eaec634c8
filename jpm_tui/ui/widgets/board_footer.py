"""The footer of keys every board screen shows: the screen's active bindings on one line, drawn as one widget."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from ..css import widget_css

__all__ = ["BoardFooter", "FooterItem"]

PALETTE_EDGE = "▏"
"""Between the keys and the command palette's key, docked on the right."""
HELP = "help"
"""The action of the help key, which the footer keeps when keys are left out (help lists them all)."""


@dataclass(frozen=True)
class FooterItem:
    """One key as the footer shows it: ``key`` (what pressing it sends), ``shown`` (how it is written), its words
    and action, whether its action is enabled, and its group's words ("" for none: a group's keys are written
    together, then the group's words instead of each key's)."""

    key: str
    shown: str
    description: str
    action: str
    enabled: bool
    group: str = ""

    @classmethod
    def of(cls, binding: Binding, shown: str, enabled: bool) -> FooterItem:
        group = binding.group.description if binding.group is not None else ""
        return cls(binding.key, shown, binding.description, binding.action, enabled, group)


@dataclass(frozen=True)
class _Piece:
    """A run of text in one look; ``item``: the key a click on it presses."""

    text: str
    look: str
    item: FooterItem | None = None
    dim: bool = False

    @property
    def cells(self) -> int:
        """Columns it takes (a key's symbol or a backend's words may be wide)."""
        return cell_len(self.text)


def _words(item: FooterItem) -> str:
    """A key's words as written after it: one space between ("f Filter", as Textual's footer wrote them)."""
    return f" {item.description}" if item.description else ""


class BoardFooter(Widget):
    """Textual's footer is a widget per key (eleven on the job list), each styled, laid out and drawn on its own:
    ~17 ms of the board's first frame. This one draws the same keys as one line: each action's first key and its
    words; a group's keys, then the group's words; the command palette's key on the right. Keys that do not fit are
    left out whole, never cut mid-word, and the help key then stays (help and the palette list the rest). A key
    whose action is disabled is dim. A click on a key presses it."""

    DEFAULT_CSS = widget_css(__file__)
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "board-footer--key",
        "board-footer--description",
        "board-footer--edge",
    }

    def __init__(self) -> None:
        super().__init__()
        self._items: tuple[tuple[FooterItem, ...], FooterItem | None] | None = None
        self._spans: list[tuple[int, int, FooterItem]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        items = self._read_items()
        if items != self._items:
            self._items = items
            self.refresh()

    # ------------------------------------------------------------------ what it shows

    def _read_items(self) -> tuple[tuple[FooterItem, ...], FooterItem | None]:
        """(the keys on the left, in their screen's order; the command palette's key or None)."""
        app = self.app
        active = self.screen.active_bindings
        first: dict[str, tuple[Binding, bool]] = {}
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in first:
                first[binding.action] = (binding, enabled)
        left = tuple(FooterItem.of(binding, app.get_key_display(binding), enabled) for binding, enabled in first.values())
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = FooterItem.of(binding, app.get_key_display(binding), enabled)
        return left, palette

    @property
    def items(self) -> tuple[FooterItem, ...]:
        """The keys drawn at the last frame, left to right (the palette's last)."""
        return tuple(item for _start, _end, item in self._spans)

    def span_of(self, action: str) -> tuple[int, int] | None:
        """The columns (start, end) the key of ``action`` was drawn in at the last frame; None when not drawn."""
        return next(((start, end) for start, end, item in self._spans if item.action == action), None)

    def _pieces(self, left: tuple[FooterItem, ...]) -> list[list[_Piece]]:
        """The left keys as blocks that stay whole: a key with its words, or a group's keys with the group's."""
        blocks: list[list[_Piece]] = []
        for group, run in groupby(left, key=lambda item: item.group):
            keys = list(run)
            if group and len(keys) > 1:
                block: list[_Piece] = []
                for item in keys:
                    block += [_Piece(item.shown, "board-footer--key", item, not item.enabled), _Piece(" ", "")]
                blocks.append([*block, _Piece(group, "board-footer--description")])
            else:
                blocks += [[_Piece(item.shown, "board-footer--key", item, not item.enabled),
                            _Piece(_words(item), "board-footer--description", item, not item.enabled)]
                           for item in keys]
        return blocks

    @staticmethod
    def _fitting(blocks: list[list[_Piece]], room: int) -> list[list[_Piece]]:
        """The blocks that fit in ``room`` columns (one between each), in order; when some do not, the help key's
        stays, in place of the last that fit (it lists every key left out)."""
        def width(chosen: list[list[_Piece]]) -> int:
            return sum(p.cells for block in chosen for p in block) + max(0, len(chosen) - 1)

        if width(blocks) <= room:
            return blocks
        help_block = next((b for b in blocks if any(p.item is not None and p.item.action == HELP for p in b)), None)
        rest = [b for b in blocks if b is not help_block]
        reserved = [] if help_block is None else [help_block]
        chosen: list[list[_Piece]] = []
        for block in rest:
            if width([*chosen, block, *reserved]) > room:
                break
            chosen.append(block)
        return [*chosen, *reserved] if width([*chosen, *reserved]) <= room else chosen

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if self._items is None:
            self._items = self._read_items()
        left, palette = self._items
        right: list[_Piece] = []
        if palette is not None:
            right = [_Piece(PALETTE_EDGE, "board-footer--edge"),
                     _Piece(palette.shown, "board-footer--key", palette, not palette.enabled),
                     _Piece(_words(palette), "board-footer--description", palette, not palette.enabled)]
        room = width - sum(p.cells for p in right) - 1
        pieces: list[_Piece] = []
        for block in self._fitting(self._pieces(left), room):
            pieces += [*([_Piece(" ", "")] if pieces else []), *block]
        used = sum(p.cells for p in pieces)
        if right:
            pieces.append(_Piece(" " * (width - used - sum(p.cells for p in right)), ""))
            pieces += right
        return self._strip(pieces, width, base)

    def _strip(self, pieces: list[_Piece], width: int, base: Style) -> Strip:
        segments: list[Segment] = []
        spans: list[tuple[int, int, FooterItem]] = []
        x = 0
        for piece in pieces:
            style = base + self.get_component_rich_style(piece.look) if piece.look else base
            if piece.dim:
                style += Style(dim=True)
            segments.append(Segment(piece.text, style))
            if piece.item is not None:
                if spans and spans[-1][2] is piece.item:
                    spans[-1] = (spans[-1][0], x + piece.cells, piece.item)
                else:
                    spans.append((x, x + piece.cells, piece.item))
            x += piece.cells
        self._spans = spans
        return Strip(segments).adjust_cell_length(width, base)

    def on_click(self, event: events.Click) -> None:
        item = next((item for start, end, item in self._spans if start <= event.x < end), None)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
