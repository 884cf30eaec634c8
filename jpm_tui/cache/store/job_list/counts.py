"""How many jobs a query matches (``JobCounts.count``): from the counters, inside the search index, from a text's
kept matches, or through the filters' indexes; memoised per data version."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from jpm_tui.cache.store.db import Database, DataVersion
from jpm_tui.cache.store.job_list.matches import KeptMatches
from jpm_tui.cache.store.job_list.memo import remember
from jpm_tui.cache.store.job_list.query import JobQuery, query_key
from jpm_tui.cache.store.job_list.search import fts_match, kept_match
from jpm_tui.cache.store.job_list.sql import counter_only, counter_where, narrow_filters, where


class JobCounts:
    def __init__(self, db: Database, matches: KeptMatches) -> None:
        self._db = db
        self._matches = matches
        self.memo: OrderedDict[tuple[Any, ...], tuple[DataVersion, int]] = OrderedDict()
        """("count", query key, cap) or ("fts", expression, cap) -> (data version, count)."""

    def count(self, query: JobQuery, *, cap: int | None = None) -> int:
        """Number of jobs matching ``query``: exact, or with ``cap`` ``min(exact, cap)`` (a cheap "10,000+"
        for broad text searches; the UI can pass it when it only needs to know "many").

        Status / priority / job type / business unit / active filters come from maintained counters; text
        together with those is counted inside the search index (facet markers); technician, date, customer,
        location and project filters count through their indexes. A text whose matches a window kept
        (``KeptMatches.text_found``) counts from them: their number, or their rows with the other filters."""
        key = ("count", query_key(query), cap)
        version = self._db.version()
        hit = self.memo.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        conn = self._db.conn
        match = fts_match(query)
        in_index = match is not None and not narrow_filters(query)
        if counter_only(query):
            cwhere, cargs = counter_where(query)
            n = int(conn.execute(f"SELECT coalesce(sum(n), 0) FROM job_counts{cwhere}", cargs).fetchone()[0])
            if cap is not None:
                n = min(n, cap)
        elif match is not None and in_index and (known := self._matches.known_count(match, cap, version)) is not None:
            n = known
        elif match is not None and in_index and not self._kept_table(query):
            n = self._fts_count(match, cap)
        else:  # through the filters' indexes, or the rows of the text's kept matches (where)
            clauses, args = where(query, self._matches)
            inner = "SELECT 1 FROM jobs j WHERE " + " AND ".join(clauses or ["1"])
            if cap is not None:
                inner += f" LIMIT {int(cap)}"
            n = int(conn.execute(f"SELECT count(*) FROM ({inner})", args).fetchone()[0])
        remember(self.memo, key, (version, n), 64)
        return n

    def _kept_table(self, query: JobQuery) -> str | None:
        kept = kept_match(query)
        return self._matches.match_table(kept) if kept is not None else None

    def _fts_count(self, match: str, cap: int | None = None) -> int:
        key = ("fts", match, cap)
        version = self._db.version()
        hit = self.memo.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        args: tuple[str | int, ...]
        if cap is None:
            sql, args = "SELECT count(*) FROM jobs_fts WHERE jobs_fts MATCH ?", (match,)
        else:
            sql, args = "SELECT count(*) FROM (SELECT 1 FROM jobs_fts WHERE jobs_fts MATCH ? LIMIT ?)", (match, cap)
        n = int(self._db.conn.execute(sql, args).fetchone()[0])
        remember(self.memo, key, (version, n), 64)
        return n

    def cached(self, query: JobQuery, version: DataVersion) -> int | None:
        """The query's exact count when it is known at ``version`` or cheap (counters only); else None."""
        hit = self.memo.get(("count", query_key(query), None))
        if hit is not None and hit[0] == version:
            return hit[1]
        if counter_only(query):
            return self.count(query)
        return None

    def explain(self, query: JobQuery) -> list[str]:
        """EXPLAIN QUERY PLAN lines of the count's statement."""
        match = fts_match(query)
        args: list[Any]
        if counter_only(query):
            cwhere, args = counter_where(query)
            sql = f"SELECT coalesce(sum(n), 0) FROM job_counts{cwhere}"
        elif match and not narrow_filters(query) and not self._kept_table(query):
            sql, args = "SELECT count(*) FROM jobs_fts WHERE jobs_fts MATCH ?", [match]
        else:
            clauses, args = where(query, self._matches)
            sql = "SELECT count(*) FROM jobs j WHERE " + " AND ".join(clauses or ["1"])
        return [r[3] for r in self._db.conn.execute("EXPLAIN QUERY PLAN " + sql, args)]
