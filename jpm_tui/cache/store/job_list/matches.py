"""The matches a text keeps, per connection: a text matching few jobs keeps them all in a temp table for the data
version (its windows and count read it instead of the search index), one matching many is estimated; and a
scratch index that checks a few jobs' text against an expression (the "check" plan)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from jpm_tui.cache.schema import JOBS_FTS_TEXT_COLUMNS, JOBS_FTS_TOKENIZE
from jpm_tui.cache.store.db import Database, DataVersion
from jpm_tui.cache.store.sql_text import IDS, json_text

Memo = OrderedDict[str, tuple[DataVersion, float, str | None]]
"""``kept_match`` expression -> (data version, jobs found, the temp table holding them all or None)."""

_SCRATCH_COLUMNS = ", ".join(JOBS_FTS_TEXT_COLUMNS)


class KeptMatches:
    """Each thread's connection has its own temp tables, so this keeps its memo per thread."""

    #: a text matching at most this many jobs keeps them in a temp table for its windows (``text_found``); at
    #: least the board's text count cap (job_table.TEXT_COUNT_CAP), which then needs no count of its own
    MATCH_CAP = 10_000
    #: the temp tables of one connection; the least recently used text gives its table up
    MATCH_TABLES = ("job_match_0", "job_match_1", "job_match_2", "job_match_3")

    def __init__(self, db: Database) -> None:
        self._db = db
        self._local = threading.local()

    def text_found(self, match: str) -> float:
        """How many jobs ``match`` (``kept_match``'s expression) finds: exact up to ``MATCH_CAP``, beyond it
        estimated from how far into the job ids its first ``MATCH_CAP + 1`` matches reach. Those go into one of
        this connection's temp tables in the same pass, and when they are all the matches the table is kept
        for the data version: windows read it (``match_table``) instead of the search index, and a count of the
        same expression is its size.
        (A word longer than the prefix indexes makes FTS5 read every posting of every term it begins, however
        few rows are asked for: ~8 ms for 'spring' at 1,000,000 jobs, once per lookup.) Not kept inside a
        transaction, whose rollback would empty the table."""
        memo = self.memo()
        version = self._db.version()
        hit = memo.pop(match, None)
        if hit is not None and hit[0] == version:
            memo[match] = hit
            return hit[1]
        held = {entry[2] for entry in memo.values()}
        free = [t for t in self.MATCH_TABLES if t not in held]
        while not free:
            oldest = next(key for key, entry in memo.items() if entry[2])
            freed = memo.pop(oldest)[2]
            assert freed is not None  # the entry was chosen for holding a table
            free.append(freed)
        table: str | None = free[0]
        conn = self._db.conn
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)")
        conn.execute(f"DELETE FROM temp.{table}")
        n = conn.execute(f"INSERT INTO temp.{table} SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ? LIMIT ?",
                         (match, self.MATCH_CAP + 1)).rowcount
        found = float(n)
        if n > self.MATCH_CAP:
            lo, hi = conn.execute("SELECT (SELECT min(id) FROM jobs), (SELECT max(id) FROM jobs)").fetchone()  # 2 seeks
            last = conn.execute(f"SELECT max(id) FROM temp.{table}").fetchone()[0]
            found = max(found, n * (hi - lo + 1) / (last - lo + 1))
            conn.execute(f"DELETE FROM temp.{table}")
            table = None
        if not conn.in_transaction:
            memo[match] = (version, found, table)
            while len(memo) > 64:
                memo.popitem(last=False)
        return found

    def known_count(self, match: str, cap: int | None, version: DataVersion) -> int | None:
        """``match``'s count (capped at ``cap``) as ``text_found``'s pass at ``version`` saw it (a window of the
        query read before its count, as the board does): every match kept, or more than ``MATCH_CAP`` (the
        board's "10,000+" needs no more). None when it did not run or cannot tell."""
        hit = self.memo().get(match)
        if hit is None or hit[0] != version:
            return None
        if hit[2]:
            return int(hit[1]) if cap is None else min(int(hit[1]), cap)
        return cap if cap is not None and cap <= self.MATCH_CAP else None

    def memo(self) -> Memo:
        """This connection's ``kept_match`` expressions, least recently used first."""
        memo: Memo | None = getattr(self._local, "matches", None)
        if memo is None:
            memo = self._local.matches = OrderedDict()
        return memo

    def match_table(self, match: str) -> str | None:
        """The temp table holding every job ``match`` finds at this data version, if ``text_found`` kept one."""
        hit = self.memo().get(match)
        return hit[2] if hit is not None and hit[0] == self._db.version() else None

    def text_matches(self, match: str, ids: list[int]) -> set[int]:
        """Which of ``ids`` match ``match`` (a text-only MATCH expression). Their documents are put in an empty
        scratch index of the same columns and tokenizer as jobs_fts (a temporary table of this connection) and
        the same expression runs there: the answer is FTS5's own, for a cost per job, not per match. (No
        document sizes, columnsize=0: matching does not read them, and writing them was ~10% of the check.)"""
        conn = self._db.conn
        if not getattr(self._local, "scratch", False):
            conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.job_scratch USING fts5({_SCRATCH_COLUMNS}, "
                         f"content='', columnsize=0, tokenize='{JOBS_FTS_TOKENIZE}')")
            self._local.scratch = True
        conn.execute(f"INSERT INTO temp.job_scratch(rowid, {_SCRATCH_COLUMNS}) "
                     f"SELECT rowid, {_SCRATCH_COLUMNS} FROM job_search WHERE rowid IN ({IDS})", (json_text(ids),))
        try:
            found = conn.execute("SELECT rowid FROM temp.job_scratch WHERE job_scratch MATCH ?", (match,))
            return {r[0] for r in found}
        finally:
            conn.execute("INSERT INTO temp.job_scratch(job_scratch) VALUES ('delete-all')")

    def forget(self) -> None:
        """This connection's temp tables were dropped (``first_fill.finish_fill``): make them again on use."""
        self._local.scratch = False
        self.memo().clear()
