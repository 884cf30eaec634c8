"""The job list: filter bar, incremental search, quick filters, sort, saved views, copy, open and CSV/JSON export."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from ..format import count, local
from ..source import JobListRow, JobQuery, SavedView
from ..text import clean
from ..widgets.filter_bar import FilterBar
from ..widgets.job_table import TEXT_COUNT_CAP, JobTable, job_columns
from .filter_form import FilterForm, describe_filters, status_choices
from .table_screen import SearchInput, TableScreen, cycle

if TYPE_CHECKING:  # the dialogs load with the first one opened, not at start-up
    from .modals import Written

__all__ = ["JobsScreen"]

EXPORT_CHUNK = 1000

_VIEW_KEYS = [
    Binding(str(n), f"view({n})", f"View {n}", show=False, group=Binding.Group("Views", compact=True), id=f"view-{n}")
    for n in range(1, 10)
]


class _CsvRows:
    def __init__(self, handle: TextIO) -> None:
        import csv  # on the first export, not at start-up (~5 ms)

        self.writer = csv.writer(handle)
        self.fields: list[str] = []

    def write(self, rows: Sequence[JobListRow]) -> None:
        if rows and not self.fields:
            self.fields = [f.name for f in dataclasses.fields(rows[0])]
            self.writer.writerow(self.fields)
        for row in rows:
            self.writer.writerow(_csv_cell(getattr(row, name)) for name in self.fields)

    def close(self) -> None:
        pass


class _JsonRows:
    """A JSON array written a chunk at a time (a million jobs never sit in memory at once)."""

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.first = True
        handle.write("[")

    def write(self, rows: Sequence[JobListRow]) -> None:
        for row in rows:
            self.handle.write("\n" if self.first else ",\n")
            self.first = False
            self.handle.write(json.dumps(dataclasses.asdict(row), ensure_ascii=False, default=_json_value))

    def close(self) -> None:
        self.handle.write("\n]\n")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def new_private_file(folder: Path, stem: str, suffix: str) -> tuple[Path, TextIO]:
    """A new file ``<stem>.<suffix>`` in ``folder`` (made 0700 if missing), readable by the user only (exports
    hold customers' names, addresses and phones, as the 0600 cache does), opened for writing text. Never an
    existing file: a second export in the same second is ``<stem>-2.<suffix>``."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = folder / (f"{stem}.{suffix}" if n == 1 else f"{stem}-{n}.{suffix}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        return path, open(fd, "w", newline="", encoding="utf-8")
    raise FileExistsError(errno.EEXIST, "too many exports with this name", str(folder / f"{stem}.{suffix}"))


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP's CSV injection list


def _csv_cell(value: Any) -> str:
    """Cell text for a spreadsheet: safe text, ISO times, and no formula injection. What the value begins with
    is judged before cleaning (which turns a tab or CR into a space) and after it (which drops escapes)."""
    if isinstance(value, datetime):
        return value.isoformat()
    text = clean(value)
    if text[:1] in _FORMULA_STARTS or (isinstance(value, str) and value[:1] in _FORMULA_STARTS):
        text = "'" + text
    return text


class JobsScreen(TableScreen):
    TABLE = JobTable
    HELP_TITLE = "Jobs"
    CSS_PATH = "jobs.tcss"
    AUTO_FOCUS = "JobTable"

    BINDINGS: ClassVar[list[BindingType]] = [
        TableScreen.SEARCH_BINDING,
        Binding("f", "filter_form", "Filter", id="filter"),
        Binding("s", "cycle_status", "Status filter", show=False, id="status-filter"),
        Binding("p", "cycle_priority", "Priority filter", show=False, id="priority-filter"),
        Binding("less_than_sign", "sort(-1)", "Sort by previous column", show=False, id="sort-previous"),
        Binding("greater_than_sign", "sort(1)", "Sort by next column", show=False, id="sort-next"),
        Binding("r", "reverse", "Reverse sort", show=False, id="reverse-sort"),
        Binding("0", "view(0)", "All jobs (clear filters)", show=False, id="all-jobs"),
        *_VIEW_KEYS,
        Binding("V", "save_view", "Save view", show=False, id="save-view"),
        Binding("y", "copy", "Copy job #", id="copy"),
        Binding("x", "export('csv')", "Export CSV", id="export"),
        Binding("X", "export('json')", "Export JSON", show=False, id="export-json"),
        Binding("o", "open_link", "Open in browser", show=False, id="open-link"),
        Binding("N", "create_job", "New job", id="create-job"),
    ]

    def __init__(self, views: list[SavedView] | None = None, *, query: JobQuery | None = None,
                 first_page: Future[tuple[int, Sequence[JobListRow]]] | None = None) -> None:
        """``first_page``: the count and first rows of ``query``, already being read (see ``JobTable``)."""
        super().__init__()
        self._first_page = first_page
        self.views = views if views is not None else []  # the app's list: a view saved on the board joins it
        self.view_name = "All jobs"
        self._initial = query or JobQuery()
        self.match_count: int | None = None

    # ------------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        yield FilterBar(id="filter-bar")
        yield SearchInput(placeholder="search jobs: number, customer, summary…", id="search")
        board = self.board
        yield JobTable(board.source, self._initial, workflow=board.workflow, reader=board.reader, clock=board.clock,
                       tz=board.tz, first_page=self._first_page)

    def on_mount(self) -> None:
        self.watch(self.table, "counted", self._counted)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "view":
            (number,) = parameters
            return number == 0 or int(number) <= len(self.views)  # type: ignore[call-overload]
        if action == "create_job":  # hidden where the backend creates no jobs; greyed on a read-only board
            return self.board.workflow.supports(action) and (None if self.board.read_only_reason else True)
        return super().check_action(action, parameters)

    @work(group="new-job")
    async def action_create_job(self) -> None:
        from .new_job import new_job

        await new_job(self.board)

    # ------------------------------------------------------------------ filter bar

    def _show_filters(self) -> None:
        query = self.table.list_query
        self.query_one(FilterBar).show(
            clean(self.view_name), list(describe_filters(query, self.board.lookup_name, self.board.tz,
                                                             self.board.workflow.status_label,
                                                             self.board.workflow.open_job_statuses())),
            matching=self.match_count, capped=bool(query.text) and self.match_count == TEXT_COUNT_CAP,
            sort=next((c.title for c in job_columns(self.board.workflow) if c.key == query.sort), clean(query.sort)),
            descending=query.descending,
        )

    def set_query(self, query: JobQuery, *, view_name: str | None = None) -> None:
        if view_name is not None:
            self.view_name = view_name
        if query == self.table.list_query:
            self._show_filters()
        else:  # shown with the new count, in the frame that shows the new rows
            self.table.set_query(query)

    def _counted(self, count: int | None) -> None:
        self.match_count = count
        self._show_filters()

    @on(JobTable.JobSelected)
    def _open_job(self, message: JobTable.Selected) -> None:
        self.board.open_job(message.row_id)

    # ------------------------------------------------------------------ quick filters, sort, views

    def action_cycle_status(self) -> None:
        choices = tuple(values for values, _label in status_choices(self.board.workflow))
        self._change(statuses=cycle(tuple(self.table.list_query.statuses), choices))

    def action_cycle_priority(self) -> None:
        priorities = tuple((p.value,) for p in self.board.workflow.priorities_by_rank)
        self._change(priorities=cycle(tuple(self.table.list_query.priorities), priorities))

    def action_sort(self, step: int) -> None:
        keys = [c.key for c in job_columns(self.board.workflow)]
        current = self.table.list_query.sort
        index = keys.index(current) if current in keys else -step
        self._change(sort=keys[(index + step) % len(keys)], descending=False)

    def action_reverse(self) -> None:
        self._change(descending=not self.table.list_query.descending)

    def action_view(self, number: int) -> None:
        if number == 0:
            query = dataclasses.replace(JobQuery(), sort=self.table.list_query.sort,
                                        descending=self.table.list_query.descending)
            self.set_query(query, view_name="All jobs")
        elif number <= min(len(self.views), 9):
            view = self.views[number - 1]
            self.set_query(view.query, view_name=view.name)

    def action_save_view(self) -> None:
        """Name the current filters and sort; they become a view (a number key) and a config ``[[views]]``."""
        def save(written: Written | None) -> None:
            if written is None:
                return
            view = self.board.save_view(written.text, self.table.list_query)
            self.view_name = view.name
            self._show_filters()
            number = next((n for n, v in enumerate(self.views, 1) if v is view), None)
            if number is not None and number <= 9:
                self.notify(f"Press {number} for {view.name!r}.", markup=False)

        from .modals import TextEntryScreen

        initial = self.view_name if self.view_name != "All jobs" else ""
        self.app.push_screen(TextEntryScreen("Save this view as", initial=initial, max_length=60), save)

    def action_filter_form(self) -> None:
        def apply(query: JobQuery | None) -> None:
            if query is not None:
                self.set_query(query)

        self.app.push_screen(FilterForm(self.table.list_query, self.board.filter_choices()), apply)

    # ------------------------------------------------------------------ copy and export

    def action_copy(self) -> None:
        row = self.table.cursor_row
        if row is None:
            self.notify("No job under the cursor.", severity="warning")
            return
        number = clean(row.number)
        self.app.copy_to_clipboard(number)
        self.notify(f"Copied job number {number}", markup=False)

    def action_export(self, fmt: str = "csv") -> None:
        stamp = local(self.board.clock(), self.board.tz).strftime("%Y%m%d-%H%M%S")
        try:
            path, handle = new_private_file(self.board.export_dir, f"jobs-{stamp}", fmt)
        except OSError as error:
            self.notify(f"Export failed: cannot write in {self.board.export_dir}: {error.strerror or error}",
                        severity="error", markup=False, timeout=15)
            return
        self.notify(f"Exporting {count(self.match_count)} jobs to {path}…", markup=False)
        self._export(self.table.list_query, path, handle, fmt)

    def action_open_link(self) -> None:
        job_id = self.table.cursor_job_id
        if job_id is not None:
            self.board.open_record("job", job_id)

    @work(group="export", exclusive=True)
    async def _export(self, query: JobQuery, path: Path, handle: TextIO, fmt: str) -> None:
        """Reads through the store window by window on the reader thread, so table reads interleave.
        CSV: one row per job, a header of field names. JSON: an array of objects, written as it goes."""
        board = self.board
        written = 0
        try:
            with handle:
                rows_out = _JsonRows(handle) if fmt == "json" else _CsvRows(handle)

                def chunk(offset: int) -> int:
                    rows = board.source.jobs_window(query, offset, EXPORT_CHUNK)
                    rows_out.write(rows)
                    return len(rows)

                offset = 0
                while True:
                    n = await board.reader(chunk, offset)
                    written += n
                    offset += n
                    if n < EXPORT_CHUNK:
                        break
                rows_out.close()
        except OSError as error:
            self.notify(f"Export failed: {error}", severity="error", markup=False)
            return
        self.notify(f"Exported {written:,} jobs to {path}", title="Export done", markup=False, timeout=10)
