"""The line above a table: what it lists (view, filters, search) on the left; how many match and the sort on
the right."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

from ..css import widget_css
from ..format import count

__all__ = ["FilterBar"]


class FilterBar(Widget):
    """One line of fixed size: showing a new query repaints it and never lays the screen out again, so the
    frame that shows a query's first rows is not held up by it."""

    DEFAULT_CSS = widget_css(__file__)
    COMPONENT_CLASSES: ClassVar[set[str]] = {"filter-bar--title", "filter-bar--count", "filter-bar--sort"}

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self._title = ""
        self._parts: list[str] = []
        self._matching: int | None = None
        self._capped = False
        self._sort = ""

    def show(self, title: str, parts: list[str], *, matching: int | None, capped: bool = False,
             sort: str, descending: bool) -> None:
        """``title``: the view's name; ``parts``: the filters, each plain text (cleaned, never markup);
        ``matching``: the count (None while counting; ``capped``: at least that many)."""
        shown = (title, parts, matching, capped, f"{sort} {'▼' if descending else '▲'}")
        if shown != (self._title, self._parts, self._matching, self._capped, self._sort):  # a reload: often the same
            self._title, self._parts, self._matching, self._capped, self._sort = shown
            self.refresh()

    def render(self) -> Text:
        style = self.get_component_rich_style
        right = Text(no_wrap=True, end="")
        right.append(f"{count(self._matching)}{'+' if self._capped else ''} matching", style("filter-bar--count"))
        right.append(f"   sort: {self._sort} ", style("filter-bar--sort"))
        line = Text(no_wrap=True, end="")
        line.append(" ")
        line.append(self._title, style("filter-bar--title"))
        for part in self._parts:
            line.append("  ·  ")
            line.append(part)
        line.truncate(max(0, self.size.width - right.cell_len), overflow="ellipsis", pad=True)
        return line.append_text(right)
