"""The project list: a ``VirtualTable`` of ``ProjectListRow`` for a ``ProjectQuery``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...cache.store import ProjectListRow, ProjectQuery
from ..format import ago, local
from ..source import ProjectSource
from ..text import clean
from .virtual_table import CellContext, Column, VirtualTable

__all__ = ["PROJECT_COLUMNS", "ProjectTable"]


def _date(value: object, ctx: CellContext) -> str:
    if value is None:
        return ""
    return local(value, ctx.tz).strftime("%Y-%m-%d")  # type: ignore[arg-type]


_CELLS: dict[str, Callable[[ProjectListRow, CellContext], str]] = {
    "number": lambda row, ctx: clean(row.number),
    "name": lambda row, ctx: clean(row.name),
    "status": lambda row, ctx: clean(row.status),
    "sub_status": lambda row, ctx: clean(row.sub_status),
    "project_type": lambda row, ctx: clean(row.project_type),
    "customer": lambda row, ctx: clean(row.customer),
    "start_date": lambda row, ctx: _date(row.start_date, ctx),
    "target_completion_date": lambda row, ctx: _date(row.target_completion_date, ctx),
    "job_count": lambda row, ctx: f"{row.job_count:>4}",
    "modified": lambda row, ctx: ago(row.modified, ctx.now),
}

PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("number", "Project #", 11, 11, rank=0),  # the title and its sort arrow
    Column("name", "Name", 12, 24, rank=1, flex=3),
    Column("status", "Status", 11, 12, rank=2, style="status"),  # "Not Started", "In Progress" whole
    Column("sub_status", "Sub-status", 10, 16, rank=6, flex=1),
    Column("project_type", "Type", 8, 14, rank=5),
    Column("customer", "Customer", 12, 22, rank=3, flex=2),
    Column("start_date", "Start", 10, 10, rank=7),
    Column("target_completion_date", "Target", 10, 10, rank=8),
    Column("job_count", "Jobs", 4, 4, rank=4),
    Column("modified", "Modified", 8, 8, rank=9),
)


class ProjectTable(VirtualTable[ProjectQuery, ProjectListRow]):
    """Projects for a ``ProjectQuery``, one line each, fetched window by window."""

    HELP_TITLE = "Project list"
    COLUMNS = PROJECT_COLUMNS
    CELLS = _CELLS
    EMPTY_TEXT = "No projects match."
    WHAT = "projects"
    WORKER_GROUP = "project-table"

    source: ProjectSource

    def count_rows(self, query: ProjectQuery) -> int:
        return self.source.count_projects(query)

    def read_window(self, query: ProjectQuery, offset: int, limit: int) -> Sequence[ProjectListRow]:
        return self.source.projects_window(query, offset, limit)
