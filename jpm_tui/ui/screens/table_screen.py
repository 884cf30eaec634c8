"""What the list screens share (jobs, projects): a filter bar, the '/' search box (searching as you type), and
a ``VirtualTable`` whose query the screen changes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from ..widgets.virtual_table import VirtualTable
from .base import BoardScreen

__all__ = ["SearchInput", "TableScreen", "cycle"]

MIN_LIVE_SEARCH = 2
"""Characters typed before the search runs as you type (Enter searches for anything)."""


def cycle(current: tuple[str, ...], choices: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """() -> first choice -> ... -> last choice -> (). A choice is the values it filters on (several for "Open
    jobs"); a filter that is no choice (several values picked otherwise) restarts at the first."""
    if not choices:
        return ()
    index = next((n for n, choice in enumerate(choices) if current and set(choice) == set(current)), None)
    if index is None:
        return choices[0]
    return choices[index + 1] if index + 1 < len(choices) else ()


class SearchInput(Input):
    """The '/' search box; escape clears the search and returns to the table."""

    HELP_TITLE = "Search"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Clear search", id="clear-search")]

    class Cancelled(Message):
        pass

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    @property
    def content_width(self) -> int:
        """At least the box's width: Input's is its text's, and as its virtual size each keystroke changed it,
        which laid the whole screen out again (10-25 ms at 1,000,000 jobs) for a box whose size never changes. (Not
        wider: a virtual width beyond the box turns its horizontal scrollbar on, another layout.)"""
        return max(super().content_width, self.scrollable_content_region.width)

    def on_resize(self) -> None:
        # that width from the start: Input sets it on the first keystroke, which would lay the screen out once more
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))


class TableScreen(BoardScreen):
    """A screen around one ``VirtualTable`` (``TABLE``) with a ``#search`` box. Subclasses compose both and
    redraw their filter bar when the table's ``counted`` is set: it is set with the new query's rows, so the
    screen changes in one frame."""

    TABLE: ClassVar[type[VirtualTable[Any, Any]]] = VirtualTable
    SEARCH_BINDING: ClassVar[Binding] = Binding("slash", "search", "Search", priority=True, id="search")
    """priority: handled as the key arrives, before the keys behind it are routed to the focused widget, so
    "/harbor" typed (or delivered) in one burst lands whole in the search box."""


    @property
    def table(self) -> Any:
        return self.query_one(self.TABLE)

    @property
    def search_input(self) -> SearchInput:
        return self.query_one("#search", SearchInput)

    def set_query(self, query: Any) -> None:
        self.table.set_query(query)

    def _change(self, **changes: Any) -> None:
        self.set_query(dataclasses.replace(self.table.list_query, **changes))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search":
            return not self.search_input.has_focus  # a '/' typed in the box is just a character
        return True

    def action_search(self) -> None:
        search = self.search_input
        search.add_class("-active")
        search.display = True
        # Focus now, not after the next refresh: keys typed right behind '/' (a fast typist, a paste, a slow
        # SSH link delivering them in one packet) must land in the box, not in the table.
        self.set_focus(search)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        # No debounce: a search reads one window (milliseconds, on the reader thread), and keys typed faster
        # than that skip the reads they made stale (the table drops windows of an older query unread).
        value = event.value
        if 0 < len(value.strip()) < MIN_LIVE_SEARCH:
            return  # one letter matches most of a big cache and costs the most to look up: wait for more
        self._apply_search(value)

    def _apply_search(self, value: str) -> None:
        if value.strip() != self.table.list_query.text:
            self._change(text=value.strip())

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._apply_search(event.value)
        if not event.value:
            self._hide_search()
        self.table.focus()

    @on(SearchInput.Cancelled)
    def _search_cancelled(self) -> None:
        self.search_input.value = ""
        self._apply_search("")
        self._hide_search()
        self.table.focus()

    def _hide_search(self) -> None:
        self.search_input.remove_class("-active")
        self.search_input.display = False
