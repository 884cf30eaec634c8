"""A window of the job list (``JobWindows.window``): rows ``offset .. offset+limit-1`` of a query, by the plan
``Planner.plan`` picks, seeking from the nearest row whose place is known (``Anchors``) or from the end; the
"check" plan's walk (``checked_window``); and the light rows the board shows (``list_rows``)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any

from jpm_tui.cache.store.db import Database
from jpm_tui.cache.store.derived import total_jobs
from jpm_tui.cache.store.job_list.bookmarks import Bookmarks
from jpm_tui.cache.store.job_list.counts import JobCounts
from jpm_tui.cache.store.job_list.matches import KeptMatches
from jpm_tui.cache.store.job_list.planner import Planner
from jpm_tui.cache.store.job_list.query import JobListRow, JobQuery
from jpm_tui.cache.store.job_list.search import kept_match, text_match
from jpm_tui.cache.store.job_list.sql import Seek, window_sql
from jpm_tui.cache.store.sql_text import IDS, json_text
from jpm_tui.provider.timestamps import parse_datetime


class JobWindows:
    def __init__(self, db: Database, matches: KeptMatches, planner: Planner, counts: JobCounts,
                 bookmarks: Bookmarks) -> None:
        self._db = db
        self._matches = matches
        self._planner = planner
        self._counts = counts
        self._bookmarks = bookmarks

    def window(self, query: JobQuery, offset: int, limit: int) -> list[JobListRow]:
        """Rows ``offset .. offset+limit-1`` of the job list for ``query``, in its sort order.

        Deep windows seek from the nearest row whose place is known for the same query and data version (keyset
        anchors: the ends of windows already read and the bookmarks of ``Bookmarks.walk``), or from the end
        when that is closer, so scrolling anywhere stays cheap."""
        if limit <= 0 or offset < 0:
            return []
        version = self._db.version()
        entry = self._bookmarks.anchors_for(query, version)
        anchors = entry.seen
        # nearest anchor before offset
        start = max((a for a in anchors if a < offset), default=None)
        seek = anchors[start] if start is not None else None
        # or the nearest bookmark before it, when nearer (marks[marked - 1] is at offset marked * step - 1)
        marked = min(offset // entry.step, len(entry.marks)) if entry.step else 0
        if marked and (start is None or marked * entry.step - 1 > start):
            start, seek = marked * entry.step - 1, entry.marks[marked - 1]
        skip = offset - (start + 1) if start is not None else offset
        reverse = False
        plan = self._planner.plan(query, skip, limit)
        if plan != "filter" and skip > 20000:
            total = self._counts.cached(query, version)
            if total is not None and offset < total and total - offset - limit < skip:
                reverse = True
        conn = self._db.conn
        ids_sorts: list[Any]
        if reverse:
            total = self._counts.cached(query, version) or 0
            end = min(offset + limit, total)
            if plan == "check":
                ids_sorts = self.checked_window(query, None, total - end, end - offset, True)[::-1]
            else:
                sql, args = window_sql(conn, self._matches, query, plan, None, True)
                ids_sorts = conn.execute(sql, [*args, end - offset, total - end]).fetchall()[::-1]
        elif plan == "check":
            ids_sorts = self.checked_window(query, seek, skip, limit, False)
        else:
            sql, args = window_sql(conn, self._matches, query, plan, seek, False)
            ids_sorts = conn.execute(sql, [*args, limit, skip]).fetchall()
        if not ids_sorts:
            return []
        anchors[offset] = (ids_sorts[0][1], ids_sorts[0][0])
        anchors[offset + len(ids_sorts) - 1] = (ids_sorts[-1][1], ids_sorts[-1][0])
        if len(anchors) > 2000:
            for k in sorted(anchors)[: len(anchors) - 2000]:
                del anchors[k]
        return list_rows(conn, [r[0] for r in ids_sorts])

    def checked_window(self, q: JobQuery, seek: Seek | None, skip: int, limit: int,
                       reverse: bool) -> list[tuple[Any, ...]]:
        """The ``"check"`` plan: (id, sort value) of rows ``skip .. skip+limit-1`` after ``seek``. The sort index
        is walked with the other filters in batches; each batch's text is checked with
        ``KeptMatches.text_matches``."""
        match = text_match(q.text)
        kept = kept_match(q)
        assert match is not None and kept is not None, "the planner gives this plan to a searchable text only"
        walk = replace(q, text="")
        need = skip + limit
        found: list[tuple[Any, ...]] = []
        seen = hits = 0
        conn = self._db.conn
        # the first batch from the text's share of all jobs (the plan's estimate), the next ones from the hits seen
        share = max(self._matches.text_found(kept), 1.0) / max(total_jobs(conn, True), 1)
        batch = max(64, min(8192, int(need / share * 1.2)))
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")  # one snapshot for every batch
        try:
            while len(found) < need:
                sql, args = window_sql(conn, self._matches, walk, "sort", seek, reverse)
                rows = conn.execute(sql, [*args, batch, 0]).fetchall()
                if not rows:
                    break
                matched = self._matches.text_matches(match, [r[0] for r in rows])
                found.extend(tuple(r) for r in rows if r[0] in matched)
                seen, hits = seen + len(rows), hits + len(matched)
                if len(rows) < batch:
                    break
                seek = (rows[-1][1], rows[-1][0])
                batch = max(64, min(8192, int((need - len(found)) * (seen + 1) / (hits + 1) * 1.2)))
        finally:
            if own:
                conn.execute("COMMIT")
        return found[skip:need]

    def explain(self, query: JobQuery, offset: int = 0, limit: int = 50) -> list[str]:
        """EXPLAIN QUERY PLAN lines of the window query (for tests and ``cache info --explain``)."""
        plan = self._planner.plan(query, offset, limit)
        if plan == "check":  # the walk's batch query (the text is checked apart)
            query, plan = replace(query, text=""), "sort"
        conn = self._db.conn
        sql, args = window_sql(conn, self._matches, query, plan, None, False)
        return [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, [*args, limit, offset])]


def list_rows(conn: sqlite3.Connection, ids: list[int]) -> list[JobListRow]:
    """The job list's lines of jobs ``ids``, in that order (a job not cached is left out)."""
    rows = conn.execute(
        "SELECT id, number, status, priority, job_type_name, business_unit_name, customer_name, location_text, "
        f"next_appt_key, technician_names, summary, modified_on, active FROM jobs WHERE id IN ({IDS})",
        (json_text(ids),),
    ).fetchall()
    by_id = {r[0]: r for r in rows}
    out = []
    for i in ids:
        r = by_id.get(i)
        if r is None:
            continue
        out.append(JobListRow(
            id=r[0], number=r[1], status=r[2], priority=r[3], job_type=r[4], business_unit=r[5],
            customer=r[6], location=r[7], next_appointment=None if r[8] == "~" else parse_datetime(r[8]),
            technicians=r[9], summary=r[10], modified=parse_datetime(r[11]) if r[11] else None,
            active=bool(r[12]),
        ))
    return out
