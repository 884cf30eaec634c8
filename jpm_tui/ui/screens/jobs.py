"""The job list: filter bar, incremental search, quick filters, sort, saved views, copy and CSV export."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from ..format import count, local
from ..source import JobQuery, SavedView
from ..text import clean
from ..widgets.job_table import COLUMNS, JobTable
from .base import BoardScreen
from .filter_form import JOB_STATUSES, PRIORITIES, FilterForm, describe_filters

__all__ = ["JobsScreen", "STATUS_CYCLE", "PRIORITY_CYCLE"]

STATUS_CYCLE = JOB_STATUSES
PRIORITY_CYCLE = PRIORITIES
SEARCH_DEBOUNCE = 0.25
EXPORT_CHUNK = 1000

_VIEW_KEYS = [
    Binding(str(n), f"view({n})", f"View {n}", show=False, group=Binding.Group("Views", compact=True), id=f"view-{n}")
    for n in range(1, 10)
]


def _cycle(current: tuple[str, ...], values: tuple[str, ...]) -> tuple[str, ...]:
    """() -> first value -> ... -> last value -> (); a multi-value filter restarts at the first."""
    if not current:
        return (values[0],)
    if len(current) == 1 and current[0] in values:
        index = values.index(current[0]) + 1
        return (values[index],) if index < len(values) else ()
    return (values[0],)


def _csv_cell(value: Any) -> str:
    """Cell text for a spreadsheet: safe text, ISO times, and no formula injection."""
    if isinstance(value, datetime):
        return value.isoformat()
    text = clean(value)
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return text


class SearchInput(Input):
    """The '/' search box; escape clears the search and returns to the table."""

    HELP_TITLE = "Search"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Clear search", id="clear-search")]

    class Cancelled(Message):
        pass

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())


class JobsScreen(BoardScreen):
    HELP_TITLE = "Jobs"
    CSS_PATH = "jobs.tcss"
    AUTO_FOCUS = "JobTable"

    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: handled as the key arrives, before the keys behind it are routed to the focused widget,
        # so "/harbor" typed (or delivered) in one burst lands whole in the search box.
        Binding("slash", "search", "Search", priority=True, id="search"),
        Binding("f", "filter_form", "Filter", id="filter"),
        Binding("s", "cycle_status", "Status filter", show=False, id="status-filter"),
        Binding("p", "cycle_priority", "Priority filter", show=False, id="priority-filter"),
        Binding("less_than_sign", "sort(-1)", "Sort by previous column", show=False, id="sort-previous"),
        Binding("greater_than_sign", "sort(1)", "Sort by next column", show=False, id="sort-next"),
        Binding("r", "reverse", "Reverse sort", show=False, id="reverse-sort"),
        Binding("0", "view(0)", "All jobs (clear filters)", show=False, id="all-jobs"),
        *_VIEW_KEYS,
        Binding("y", "copy", "Copy job #", id="copy"),
        Binding("x", "export", "Export CSV", id="export"),
    ]

    def __init__(self, views: Sequence[SavedView] = (), *, query: JobQuery | None = None) -> None:
        super().__init__()
        self.views = list(views)[:9]
        self.view_name = "All jobs"
        self._initial = query or JobQuery()
        self._search_timer: Timer | None = None
        self.match_count: int | None = None

    # ------------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="filter-bar"):
            yield Static(id="filter-summary")
            yield Static(id="filter-count")
        yield SearchInput(placeholder="search jobs: number, customer, summary…", id="search")
        board = self.board
        yield JobTable(board.source, self._initial, reader=board.reader, clock=board.clock, tz=board.tz)

    def on_mount(self) -> None:
        self._show_filters()

    @property
    def table(self) -> JobTable:
        return self.query_one(JobTable)

    @property
    def search_input(self) -> SearchInput:
        return self.query_one("#search", SearchInput)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "search":
            return not self.search_input.has_focus  # a '/' typed in the box is just a character
        if action == "view":
            (number,) = parameters
            return number == 0 or int(number) <= len(self.views)  # type: ignore[call-overload]
        return True

    # ------------------------------------------------------------------ filter bar

    def _show_filters(self) -> None:
        query = self.table.query
        summary = Text(no_wrap=True, overflow="ellipsis", end="")
        summary.append(" ")
        summary.append(clean(self.view_name), "bold")
        for part in describe_filters(query, self.board.lookup_name, self.board.tz):
            summary.append("  ·  ")
            summary.append(part)  # every part is plain text (values were cleaned), never markup
        self.query_one("#filter-summary", Static).update(summary)
        sort_title = next((c.title for c in COLUMNS if c.key == query.sort), clean(query.sort))
        counter = Text(no_wrap=True, end="")
        counter.append(f"{count(self.match_count)} matching", "bold")
        counter.append(f"   sort: {sort_title} {'▼' if query.descending else '▲'} ")
        self.query_one("#filter-count", Static).update(counter)

    def set_query(self, query: JobQuery, *, view_name: str | None = None) -> None:
        if view_name is not None:
            self.view_name = view_name
        self.table.set_query(query)
        self._show_filters()

    def _change(self, **changes: Any) -> None:
        self.set_query(dataclasses.replace(self.table.query, **changes))

    @on(JobTable.Counted)
    def _counted(self, message: JobTable.Counted) -> None:
        self.match_count = message.count
        self._show_filters()

    @on(JobTable.JobSelected)
    def _open_job(self, message: JobTable.JobSelected) -> None:
        self.board.open_job(message.row_id)

    # ------------------------------------------------------------------ search

    def action_search(self) -> None:
        search = self.search_input
        search.add_class("-active")
        search.display = True
        # Focus now, not after the next refresh: keys typed right behind '/' (a fast typist, a paste, a slow
        # SSH link delivering them in one packet) must land in the box, not in the table.
        self.set_focus(search)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE, lambda: self._apply_search(value))

    def _apply_search(self, value: str) -> None:
        self._search_timer = None
        if value.strip() != self.table.query.text:
            self._change(text=value.strip())

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._apply_search(event.value)
        if not event.value:
            self._hide_search()
        self.table.focus()

    @on(SearchInput.Cancelled)
    def _search_cancelled(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self.search_input.value = ""
        self._apply_search("")
        self._hide_search()
        self.table.focus()

    def _hide_search(self) -> None:
        self.search_input.remove_class("-active")
        self.search_input.display = False

    # ------------------------------------------------------------------ quick filters, sort, views

    def action_cycle_status(self) -> None:
        self._change(statuses=_cycle(tuple(self.table.query.statuses), STATUS_CYCLE))

    def action_cycle_priority(self) -> None:
        self._change(priorities=_cycle(tuple(self.table.query.priorities), PRIORITY_CYCLE))

    def action_sort(self, step: int) -> None:
        keys = [c.key for c in COLUMNS]
        current = self.table.query.sort
        index = keys.index(current) if current in keys else -step
        self._change(sort=keys[(index + step) % len(keys)], descending=False)

    def action_reverse(self) -> None:
        self._change(descending=not self.table.query.descending)

    def action_view(self, number: int) -> None:
        if number == 0:
            query = dataclasses.replace(JobQuery(), sort=self.table.query.sort,
                                        descending=self.table.query.descending)
            self.set_query(query, view_name="All jobs")
        elif number <= len(self.views):
            view = self.views[number - 1]
            self.set_query(view.query, view_name=view.name)

    def action_filter_form(self) -> None:
        def apply(query: JobQuery | None) -> None:
            if query is not None:
                self.set_query(query)

        self.app.push_screen(FilterForm(self.table.query, self.board.filter_choices()), apply)

    # ------------------------------------------------------------------ copy and export

    def action_copy(self) -> None:
        row = self.table.cursor_row
        if row is None:
            self.notify("No job under the cursor.", severity="warning")
            return
        number = clean(row.number)
        self.app.copy_to_clipboard(number)
        self.notify(f"Copied job number {number}", markup=False)

    def action_export(self) -> None:
        stamp = local(self.board.clock(), self.board.tz).strftime("%Y%m%d-%H%M%S")
        path = self.board.export_dir / f"jobs-{stamp}.csv"
        self.notify(f"Exporting {count(self.match_count)} jobs to {path}…", markup=False)
        self._export(self.table.query, path)

    @work(group="export", exclusive=True)
    async def _export(self, query: JobQuery, path: Path) -> None:
        """Reads through the store window by window on the reader thread, so table reads interleave."""
        fields: list[str] = []
        board = self.board
        written = 0
        try:
            with open(path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)

                def chunk(offset: int) -> int:
                    rows = board.source.jobs_window(query, offset, EXPORT_CHUNK)
                    if rows and not fields:
                        fields.extend(f.name for f in dataclasses.fields(rows[0]))
                        writer.writerow(fields)
                    for row in rows:
                        writer.writerow(_csv_cell(getattr(row, name)) for name in fields)
                    return len(rows)

                offset = 0
                while True:
                    n = await board.reader(chunk, offset)
                    written += n
                    offset += n
                    if n < EXPORT_CHUNK:
                        break
        except OSError as error:
            self.notify(f"Export failed: {error}", severity="error", markup=False)
            return
        self.notify(f"Exported {written:,} jobs to {path}", title="Export done", markup=False, timeout=10)
