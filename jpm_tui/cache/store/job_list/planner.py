"""Which way a window of the job list is read (``Planner.plan``), by rough costs of each way in microseconds."""

from __future__ import annotations

import math

from jpm_tui.cache.store.db import Database
from jpm_tui.cache.store.derived import total_jobs
from jpm_tui.cache.store.first_fill import deferred_indexes
from jpm_tui.cache.store.job_list.matches import KeptMatches
from jpm_tui.cache.store.job_list.query import JobQuery
from jpm_tui.cache.store.job_list.search import kept_match
from jpm_tui.cache.store.job_list.sql import Plan, counter_where, index_hint
from jpm_tui.cache.store.sql_text import marks
from jpm_tui.provider.timestamps import format_datetime


class Planner:
    #: matches counted at most when a plan weighs a technician or date filter
    PLAN_CAP = 50_001
    #: rough microseconds to check one job's text in the scratch index (read its document, index it, match)
    CHECK_UNIT = 12.0

    def __init__(self, db: Database, matches: KeptMatches) -> None:
        self._db = db
        self._matches = matches

    def plan(self, q: JobQuery, offset: int, limit: int) -> Plan:
        """``"sort"``: walk the sort column's covering index, checking filters as rows go by (best when
        many rows match); ``"filter"``: let a filter (index, search, technician, date) find the matching
        rows, then sort them (best when few match); ``"check"`` (text only): walk the sort index and check
        the text of the rows that pass the other filters a batch at a time (``JobWindows.checked_window``; best
        when the text matches so many jobs that finding them all costs more than checking the few a window
        needs). Costs in rough microseconds."""
        conn = self._db.conn
        if f"jobs_sort_{q.sort}" in deferred_indexes(conn):
            return "filter"  # a first fill is running and has not built this order's index yet
        total = max(1, total_jobs(conn, True))
        where, args = counter_where(q)
        matches = float(conn.execute(f"SELECT coalesce(sum(n), 0) FROM job_counts{where}", args).fetchone()[0])
        materialise = probe = 0.0
        walk_unit = 0.05  # a covering-index entry
        text_share = 1.0
        kept_rows = math.inf
        match = kept_match(q)  # None: no searchable text
        if match is not None:
            # text and active filter (memoised; cheap next to the facet-filtered match), scaled by the other filters
            found = self._matches.text_found(match)
            text_share = max(found, 1.0) / total
            # measured at 1,000,000 jobs: the "sort" plan's IN (...) set costs ~0.3 us a match to build, unless
            # text_found kept them all, and ~0.1 us a walked entry to probe; the "filter" plan reads a kept
            # table's jobs, their rows at random: 1.5-4.5 us each with 16 KiB pages (~0.6 us with 4 KiB ones)
            probe = 0.1
            if self._matches.match_table(match):
                kept_rows = found
            else:
                materialise = 0.3 * found
            matches = min(matches, found * matches / total)
        if q.technician_ids:
            n = conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM appointment_assignments WHERE technician_id IN "
                f"({marks(q.technician_ids)}) AND active = 1 LIMIT ?)", [*map(int, q.technician_ids), self.PLAN_CAP]
            ).fetchone()[0]
            matches = min(matches, n * matches / total)  # as if independent of the other filters
            materialise += 0.5 * n  # the set of their jobs, built once; a walked entry probes it
            probe += 0.1
        if q.customer_id is not None or q.location_id is not None or q.project_id is not None:
            matches = min(matches, 2000.0)
            walk_unit = 1.5
        if q.appointment_from is not None or q.appointment_to is not None:
            lo = format_datetime(q.appointment_from) if q.appointment_from else ""
            hi = format_datetime(q.appointment_to) if q.appointment_to else "~"
            in_range = conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM jobs {index_hint(conn, 'jobs_sort_next_appointment')} "
                "WHERE next_appt_key >= ? AND next_appt_key < ? LIMIT ?)", (lo, hi, self.PLAN_CAP)
            ).fetchone()[0]
            matches = min(matches, float(in_range))
            walk_unit = max(walk_unit, 0.05 if q.sort == "next_appointment" else 1.5)
        if matches <= 0:
            return "filter"
        entries = (offset + limit) * total / matches
        walk = walk_unit * entries
        costs: dict[Plan, float] = {"filter": min(1.5 * matches, 1.5 * kept_rows),
                                    "sort": materialise + walk + probe * entries}
        if match is not None:
            costs["check"] = walk + self.CHECK_UNIT * (offset + limit) / text_share
        return min(costs, key=costs.__getitem__)
