"""The job list: a ``VirtualTable`` of ``JobListRow`` for a ``JobQuery`` (see ``virtual_table`` for how it
draws only the visible window)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding, BindingType

from ...provider.workflow import Workflow
from ..format import ago, short_when
from ..source import JobListRow, JobQuery, JobSource, Reader
from ..table_window import first_page
from ..text import clean
from .virtual_table import CellContext, Column, VirtualTable, priority_class, status_class
from .virtual_table import layout_columns as _layout

if TYPE_CHECKING:
    from ..app import JpmApp

__all__ = ["COLUMNS", "TEXT_COUNT_CAP", "Column", "JobTable", "first_job_page", "job_columns", "layout_columns", "status_class", "priority_class"]


def _customer(row: JobListRow, ctx: CellContext) -> str:
    customer, location = clean(row.customer), clean(row.location)
    if location and location != customer:
        return f"{customer}, {location}" if customer else location
    return customer


_CELLS: dict[str, Callable[[JobListRow, CellContext], str]] = {
    "number": lambda row, ctx: clean(row.number),
    "status": lambda row, ctx: clean(ctx.workflow.status_label(row.status)),
    "priority": lambda row, ctx: clean(row.priority),
    "job_type": lambda row, ctx: clean(row.job_type),
    "business_unit": lambda row, ctx: clean(row.business_unit),
    "customer": _customer,
    "next_appointment": lambda row, ctx: short_when(row.next_appointment, ctx.now, ctx.tz),
    "technicians": lambda row, ctx: clean(row.technicians),
    "summary": lambda row, ctx: clean(row.summary),
    "modified": lambda row, ctx: ago(row.modified, ctx.now),
}

COLUMNS: tuple[Column, ...] = (
    Column("number", "Job #", 7, 8, rank=0),
    Column("status", "Status", 10, 10, rank=1, style="status"),
    Column("priority", "Pri", 6, 6, rank=5, style="priority"),
    Column("job_type", "Job type", 9, 14, rank=6),
    Column("business_unit", "Business unit", 10, 14, rank=8),
    Column("customer", "Customer / location", 14, 26, rank=2, flex=2),
    Column("next_appointment", "Next appt", 12, 12, rank=3),
    Column("technicians", "Technician", 10, 14, rank=4),
    Column("summary", "Summary", 12, 22, rank=7, flex=3),
    Column("modified", "Modified", 8, 8, rank=9),
)

_BY_KEY = {c.key: c for c in COLUMNS}


def job_columns(workflow: Workflow) -> tuple[Column, ...]:
    """The job list's columns on a backend: the ones its workflow declares, in its order and words; a declared
    width widens a column (ids shown whole)."""
    out = []
    for declared in workflow.job_columns:
        column, width = _BY_KEY[declared.key], declared.width or 0
        out.append(replace(column, title=declared.label, min_width=max(column.min_width, width),
                           ideal_width=max(column.ideal_width, width)))
    return tuple(out)


TEXT_COUNT_CAP = 10_000
"""Text searches are counted up to this many matches (shown as "10,000+")."""


def layout_columns(width: int, columns: Sequence[Column] = COLUMNS) -> list[tuple[Column, int]]:
    """The job columns that fit ``width`` (see ``virtual_table.layout_columns``)."""
    return _layout(width, columns)


def count_jobs(source: JobSource, query: JobQuery) -> int:
    # A broad word can match most of a million jobs; counting them all costs more than a keystroke may.
    # "10,000+" says enough, and the table still scrolls through the first 10,000.
    if query.text:
        return source.count_jobs(query, cap=TEXT_COUNT_CAP)
    return source.count_jobs(query)


def first_job_page(source: JobSource, query: JobQuery) -> tuple[int, Sequence[JobListRow]]:
    """What a new job table shows first, in one read: ``JobTable(first_page=reader.submit(first_job_page, ..))``."""
    return first_page(partial(count_jobs, source), source.jobs_window, query)


class JobTable(VirtualTable[JobQuery, JobListRow]):
    """Jobs for a ``JobQuery``, one line each, fetched window by window."""

    HELP_TITLE = "Job list"
    COLUMNS = COLUMNS
    CELLS = _CELLS
    EMPTY_TEXT = "No jobs match."
    WHAT = "jobs"
    WORKER_GROUP = "job-table"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home,g", "first", "First job", show=False, id="first"),
        Binding("end,G", "last", "Last job", show=False, id="last"),
        Binding("space", "toggle_mark", "Mark", show=False, id="mark"),
    ]

    def on_mount(self) -> None:
        def repaint_empty(_status: object) -> None:
            if self.row_count == 0:  # its message follows the sync (online, offline, first pages stored)
                self.refresh()

        self.watch(self.app, "status", repaint_empty, init=False)

    def empty_text(self) -> str:
        """Before the first sync has stored anything, the list is empty because it is still coming, not because no
        job matches."""
        app: JpmApp = self.app  # type: ignore[assignment]
        status = app.status
        if app.live is not None and status.last_sync is None:
            if status.online and status.service_notice:  # a team board: its sync service is not filling the cache
                return f"Nothing cached yet: {clean(status.service_notice)}."
            return ("Syncing the first pages from the server…" if status.online else
                    "Nothing cached yet: the server cannot be reached (the Sync screen, S, says why).")
        return self.EMPTY_TEXT

    JobSelected = VirtualTable.Selected
    """Enter on a job (``row_id`` is the job id)."""

    source: JobSource

    def __init__(self, source: JobSource, query: JobQuery | None = None, *, reader: Reader | None = None,
                 **options: Any) -> None:  # VirtualTable's keyword options
        super().__init__(source, query or JobQuery(), reader=reader, **options)

    def table_columns(self) -> Sequence[Column]:
        return job_columns(self.workflow)

    def count_rows(self, query: JobQuery) -> int:
        return count_jobs(self.source, query)

    def read_window(self, query: JobQuery, offset: int, limit: int) -> Sequence[JobListRow]:
        return self.source.jobs_window(query, offset, limit)

    def bookmark(self, query: JobQuery, seconds: float, going_on: bool) -> bool:
        return self.source.bookmark_job_list(query, seconds, going_on=going_on)

    def read_write_marks(self) -> dict[int, str]:
        live = getattr(self.app, "live", None)
        return live.write_marks("job") if live is not None else {}

    @property
    def cursor_job_id(self) -> int | None:
        return self.cursor_row_id
