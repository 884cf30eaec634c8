"""The board's project list: what it shows (``ProjectQuery``), its lines (``ProjectListRow``), their window and
count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jpm_tui.cache.store.db import Database
from jpm_tui.cache.store.errors import CacheError
from jpm_tui.cache.store.sql_text import marks
from jpm_tui.provider.timestamps import parse_datetime


@dataclass(frozen=True)
class ProjectQuery:
    text: str = ""
    statuses: tuple[str, ...] = ()
    customer_id: int | None = None
    sort: str = "number"  # number | name | modified
    descending: bool = False
    include_inactive: bool = False


@dataclass(frozen=True)
class ProjectListRow:
    """One line of the board's project list (``CacheStore.projects_window``)."""

    id: int
    number: str
    name: str
    status: str
    sub_status: str
    project_type: str
    customer: str
    customer_id: int | None
    start_date: datetime | None
    target_completion_date: datetime | None
    job_count: int
    modified: datetime | None
    active: bool = True


_PROJECT_SORTS = {"number": "number_key", "name": "name", "modified": "modified_on"}


def _project_where(q: ProjectQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    if not q.include_inactive:
        clauses.append("p.active = 1")
    if q.statuses:
        clauses.append(f"p.status IN ({marks(q.statuses)})")
        args.extend(q.statuses)
    if q.customer_id is not None:
        clauses.append("p.customer_id = ?")
        args.append(q.customer_id)
    for word in q.text.split():
        clauses.append("(p.number LIKE ? ESCAPE '\\' OR p.name LIKE ? ESCAPE '\\')")
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        args.extend([pattern, pattern])
    return " AND ".join(clauses or ["1"]), args


def count_projects(db: Database, query: ProjectQuery) -> int:
    where, args = _project_where(query)
    return int(db.conn.execute(f"SELECT count(*) FROM projects p WHERE {where}", args).fetchone()[0])


def projects_window(db: Database, query: ProjectQuery, offset: int, limit: int) -> list[ProjectListRow]:
    """The project list's rows for ``query`` (filter, order, window); ``count_projects`` counts the same
    rows."""
    col = _PROJECT_SORTS.get(query.sort)
    if col is None:
        raise CacheError(f"unknown project sort {query.sort!r}; known: {sorted(_PROJECT_SORTS)}")
    where, args = _project_where(query)
    direction = "DESC" if query.descending else "ASC"
    sql = (
        "SELECT p.id, p.number, p.name, p.status, p.sub_status, coalesce(t.name, ''), coalesce(c.name, ''), "
        "p.customer_id, p.start_date, p.target_completion_date, json_array_length(p.job_ids), p.modified_on, "
        "p.active FROM projects p LEFT JOIN customers c ON c.id = p.customer_id "
        "LEFT JOIN project_types t ON t.id = p.project_type_id "
        f"WHERE {where} ORDER BY p.{col} {direction}, p.id {direction} LIMIT ? OFFSET ?"
    )
    return [
        ProjectListRow(id=r[0], number=r[1], name=r[2], status=r[3], sub_status=r[4], project_type=r[5],
                       customer=r[6], customer_id=r[7], start_date=parse_datetime(r[8]) if r[8] else None,
                       target_completion_date=parse_datetime(r[9]) if r[9] else None, job_count=r[10] or 0,
                       modified=parse_datetime(r[11]) if r[11] else None, active=bool(r[12]))
        for r in db.conn.execute(sql, [*args, limit, offset])
    ]
