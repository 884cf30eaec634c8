"""Where windows of a query can seek from instead of walking from the top (``Anchors``, per query and data
version): the ends of windows read, and the bookmarks of the board's background walk through the list
(``Bookmarks.walk``)."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

from jpm_tui.cache.store.db import Database, DataVersion
from jpm_tui.cache.store.derived import total_jobs
from jpm_tui.cache.store.job_list.counts import JobCounts
from jpm_tui.cache.store.job_list.matches import KeptMatches
from jpm_tui.cache.store.job_list.memo import remember
from jpm_tui.cache.store.job_list.planner import Planner
from jpm_tui.cache.store.job_list.query import JobQuery, QueryKey, query_key
from jpm_tui.cache.store.job_list.search import fts_query
from jpm_tui.cache.store.job_list.sql import Seek, window_sql


@dataclass
class Anchors:
    """Where windows of one query, at one data version, can seek from instead of walking from the top: rows by
    their offset in the list, as (sort value, id). ``seen``: the first and last row of windows read; ``marks``:
    the background walk's (``Bookmarks.walk``), ``marks[i]`` the row at offset ``(i + 1) * step - 1``.
    ``walked``: the walk reached the end of the list, or there is none worth making (``step`` stays 0)."""

    version: DataVersion
    seen: dict[int, Seek] = field(default_factory=dict)
    step: int = 0
    marks: list[Seek] = field(default_factory=list)
    walked: bool = False


class Bookmarks:
    #: entries of the sort index between two bookmarks, about: what a window walks from the nearest at most, and
    #: a step of the walk, whatever share of the jobs the list holds (a bookmark every 2,000 jobs of an unfiltered
    #: list, every 80 of one holding 4% of the jobs; ~1 ms at 1,000,000 jobs)
    BOOKMARK_ENTRIES = 2000
    #: bookmarks of one query at most (past 2,000,000 jobs they space wider)
    MAX_BOOKMARKS = 1000

    def __init__(self, db: Database, matches: KeptMatches, planner: Planner, counts: JobCounts) -> None:
        self._db = db
        self._matches = matches
        self._planner = planner
        self._counts = counts
        self.anchors: OrderedDict[QueryKey, Anchors] = OrderedDict()
        """The anchors of the 16 queries read last."""
        self._walk_began: OrderedDict[QueryKey, DataVersion] = OrderedDict()
        """The data version each query's walk began at (``walk``'s first chunk)."""

    def anchors_for(self, query: JobQuery, version: DataVersion) -> Anchors:
        """``query``'s anchors at ``version`` (new ones when the data changed), as the most recently used."""
        key = query_key(query)
        entry = self.anchors.get(key)
        if entry is None or entry.version != version:
            entry = Anchors(version)
        remember(self.anchors, key, entry, 16)
        return entry

    def walk(self, query: JobQuery, seconds: float, *, going_on: bool = False) -> bool:
        """Walk on through ``query``'s job list for about ``seconds`` (at least one step), remembering the place
        of every ``step``-th job (a bookmark), so that a window anywhere in the list (the scrollbar dragged deep)
        seeks from a bookmark a short walk before it instead of walking from the top. Each step is one keyset
        seek in the sort index from the last bookmark to the next; the next call goes on from there. True when
        the list is walked to its end, or needs no bookmarks; call again until then. A change of the data starts
        over a walk begun after it; one that ``going_on`` finds (the data changed since this walk began: a sync
        writing pages) ends the walk instead (True), or every page written would start it over, a core kept busy
        walking the whole list again while keys wait; the board begins a new walk when it reloads for the change.

        No walk when the list is short, or when its last page would not walk the sort index (``Planner.plan``
        would find the matching jobs and sort them: every window costs about that, wherever it starts, and a walk
        would cost more), or for a text search. A text matching up to ``KeptMatches.MATCH_CAP`` jobs is read from
        its kept matches (the "filter" plan), at any offset. One matching more (the board shows its first 10,000)
        has no short step: each would find all its matches again (~0.3 us each, 15-30 ms at 50,000-100,000) or
        check the text of every job walked (``JobWindows.checked_window``, ~11 us each); its deep windows stay as
        they are (40-110 ms at the 10,000th of 1,000,000 jobs, mostly finding the matches)."""
        version = self._db.version()
        key = query_key(query)
        if going_on and self._walk_began.get(key, version) != version:
            del self._walk_began[key]
            return True
        remember(self._walk_began, key, version, 16)
        entry = self.anchors_for(query, version)
        if entry.walked:
            return True
        conn = self._db.conn
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")  # one snapshot for the count, the plan and the steps
        try:
            if not entry.step:
                count = 0 if fts_query(query.text) is not None else self._counts.count(query)  # counted by the board
                step = max(-(-count // self.MAX_BOOKMARKS),
                           -(-self.BOOKMARK_ENTRIES * count // max(1, total_jobs(conn, True))))
                if count <= step or self._planner.plan(query, count, 1) == "filter":
                    entry.walked = True
                    return True
                entry.step = step
            deadline = time.perf_counter() + seconds
            while True:
                sql, args = window_sql(conn, self._matches, query, "sort", entry.marks[-1] if entry.marks else None,
                                       False)
                row = conn.execute(sql, [*args, 1, entry.step - 1]).fetchone()
                if row is None:
                    entry.walked = True
                    return True
                entry.marks.append((row[1], row[0]))
                if time.perf_counter() >= deadline:
                    return False
        finally:
            if own:
                conn.execute("COMMIT")
