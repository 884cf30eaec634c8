"""A job list query's text, searched in PostgreSQL's words table (``job_words``, words_schema.py): each word of the
text must match a word of the job as a prefix, as the SQLite store's ``fts_query`` asks FTS5. The user's words are cut
as ``derived.SEARCH_WORDS`` cuts the document (ASCII letters, folded, and digits; accents off), so only [a-z0-9] reach
the SQL, always as parameters: no user text is SQL or tsquery syntax.

A word of several parts ("smith-jones", a phone number with dashes) is a phrase: each part must be a word of the job
(the last as a prefix), and their order is checked on the job's document (``search @@ tsquery``: a phrase query)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import product
from typing import Any

import psycopg

from jpm_tui.cache.pg.derived import ACCENTED, UNACCENTED

_UNACCENT = str.maketrans(ACCENTED, UNACCENTED)
_TOKEN = re.compile(r"[a-z0-9]+")


FEW = 20_000
"""Rows of the words index (a word's jobs) up to which a word is "few": counted, and its jobs counted distinct (read
whole, from the index alone). Its rows are counted up to this, no further."""

TOGETHER = 10_000
"""Jobs holding all of a search's common words (``TextSearch.merged``) below which they are its found set. A walk of
the sort order probes about reach x jobs / matches jobs for a window (50,000 for a first page at 1,000,000 jobs and
1,000 matches; 5,000 at this cap); the found set costs a few microseconds a job (the array sent, then walked with,
hashed, or probed). At this many the words are common together enough for the walk ("gate code": 181,000 jobs each,
nearly always together), and the merge, stopped here, read about this many rows of each word."""


@dataclass(frozen=True)
class Part:
    """A word the job must hold: ``word`` itself, or (``prefix``) any word starting with it; ``rows``: how many rows
    of the words index it reads, up to ``FEW`` (``TextSearch.narrowed``'s; None: not counted)."""

    word: str
    prefix: bool
    rows: int | None = field(default=None, compare=False)
    words: tuple[str, ...] = field(default=(), compare=False)
    """The two cached words a prefix starts, when it starts only two (``narrowed``'s): each a range of the words
    index in job order, as an equality's."""

    def condition(self, words: str) -> tuple[str, list[Any]]:
        """The condition on ``{words}.word`` (a row of ``job_words``): an equality, or the range of the words that
        start with the prefix (the next string in byte order is the prefix's last character plus one: every
        character is [a-z0-9], and the column is "C")."""
        if not self.prefix:
            return f"{words}.word = %s", [self.word]
        return f"{words}.word >= %s AND {words}.word < %s", [self.word, self.word[:-1] + chr(ord(self.word[-1]) + 1)]

    def holds(self, job_id: str) -> tuple[str, list[Any]]:
        """A condition that job ``job_id`` (an SQL expression) holds this word: a probe of the table's key."""
        cond, args = self.condition("w")
        return f"EXISTS (SELECT FROM job_words w WHERE w.job_id = {job_id} AND {cond})", args

    @property
    def few(self) -> bool:
        return self.rows is not None and self.rows < FEW


@dataclass(frozen=True)
class TextSearch:
    """The words a query's text asks for (``parts``), and, when a word is a phrase, the ``tsquery`` that checks
    their order on the job's document (``phrase``)."""

    parts: tuple[Part, ...]
    phrase: str | None
    jobs: float = field(default=0.0, compare=False)
    """The jobs cached, as the planner's statistics estimate them (``narrowed``'s)."""
    found: tuple[int, ...] | None = field(default=None, compare=False)
    """Every job that holds all the ``common`` words, fewer than ``TOGETHER`` (``merged``'s; None: not found)."""
    found_inactive: frozenset[int] = field(default=frozenset(), compare=False)
    """Those of the ``found`` jobs that are inactive."""

    @property
    def common(self) -> tuple[Part, ...]:
        """The words of many rows (each one's jobs too many to take whole) asked as themselves (equalities,
        ``narrowed``'s), and the first prefix of two cached words: each one's rows one range of the words index in
        job order, or two (a merge joins them as they are read, once for each of the prefix's words)."""
        common: list[Part] = []
        for part in self.parts:
            if part.rows is None or part.few:
                continue
            if not part.prefix or (part.words and not any(p.prefix for p in common)):
                common.append(part)
        return tuple(common)

    @property
    def first(self) -> Part:
        """The word read first (the others are probed for its jobs): the one of fewest rows, else the longest."""
        return min(self.parts, key=lambda p: (p.rows if p.rows is not None else FEW, -len(p.word), p.prefix))

    def _found(self, active_only: bool) -> tuple[list[str], list[Any]]:
        """Conditions on ``job_words f`` (the first word's rows): active, and the job holds the other words."""
        first = self.first
        cond, args = first.condition("f")
        held, held_args = _held([part for part in self.parts if part != first], "f.job_id")
        return [cond, *(["f.active = 1"] if active_only else []), *held], [*args, *held_args]

    def conditions(self, job_id: str, reach: int) -> tuple[list[str], list[Any]]:
        """Conditions that job ``job_id`` (an SQL expression of a ``jobs`` row, whose ``active`` its filters check)
        matches the text, for a window that ends ``reach`` rows down the list. The jobs of its first word are found
        first, once, from the words index (an array the jobs' key is probed with, then sorted) when they are fewer
        than the jobs a walk of the sort order would probe to find ``reach`` of them: ``reach`` times jobs / matches
        (the words taken as independent; twice that, for words clustered in an order: job numbers); else each job of
        the sort order is probed for the words. When the jobs of the ``common`` words are ``found``, the job is one of
        them (an array, which the planner walks the sort order with, hashed, or probes the jobs' key with) and holds
        the other words."""
        if self.found is not None:
            held, held_args = self._others(job_id)
            return self._phrased([f"{job_id} = ANY(%b::bigint[])", *held], [list(self.found), *held_args])
        first = self.first
        matches = self.jobs
        for part in self.parts:
            matches *= min(part.rows if part.rows is not None else FEW, self.jobs) / max(self.jobs, 1.0)
        if first.few and first.rows is not None and first.rows * max(matches, 1.0) < 2 * reach * self.jobs:
            clauses, args = self._found(active_only=False)
            found = [f"{job_id} = ANY(ARRAY(SELECT f.job_id FROM job_words f WHERE {' AND '.join(clauses)}))"]
        else:
            found, args = _held(self.parts, job_id)
        return self._phrased(found, args)

    def _found_ids(self, active_only: bool) -> list[int]:
        """The ``found`` jobs (none if not found), but the inactive ones when ``active_only``."""
        found = self.found or ()
        return [j for j in found if j not in self.found_inactive] if active_only else list(found)

    def _others(self, job_id: str) -> tuple[list[str], list[Any]]:
        """Conditions that job ``job_id``, one of the ``found``, holds the words but the ``common`` ones."""
        common = self.common
        return _held([part for part in self.parts if part not in common], job_id)

    def _phrased(self, found: list[str], args: list[Any]) -> tuple[list[str], list[Any]]:
        """``found``'s conditions and the phrase's, if any (the parts' order checked on the job's document)."""
        if self.phrase is None:
            return found, args
        return [*found, "search @@ %s::tsquery"], [*args, self.phrase]

    def narrowed(self, conn: psycopg.Connection[Any]) -> TextSearch | None:
        """The same search with each word's rows counted (up to ``FEW``) and each prefix that only one cached word
        starts with asked as that word (an equality: no job to count once among several of its words, and the
        planner's statistics know it), and the two words of a prefix that starts only two noted; None when a word
        starts no cached word (nothing matches). One statement: per word, its first, second and last word (probes of
        the words index) and its rows (read from the index), and the planner's estimate of the jobs (-1 before the
        table was ever analyzed: none)."""
        sql = []
        args: list[Any] = []
        for part in self.parts:
            cond, part_args = part.condition("r")
            after, _ = part.condition("s")
            sql.append(f"(SELECT min(r.word) FROM job_words r WHERE {cond}), "
                       f"(SELECT min(s.word) FROM job_words s WHERE {after} AND s.word > "
                       f"(SELECT min(r.word) FROM job_words r WHERE {cond})), "
                       f"(SELECT max(r.word) FROM job_words r WHERE {cond}), "
                       f"(SELECT count(*) FROM (SELECT FROM job_words r WHERE {cond} LIMIT {FEW}) c)")
            args += part_args * 5
        row = conn.execute(f"SELECT {', '.join(sql)}, (SELECT reltuples FROM pg_class WHERE oid = 'jobs'::regclass)",
                           args).fetchone()
        assert row is not None  # one row of scalars
        counted = list(zip(self.parts, row[:-1:4], row[1:-1:4], row[2:-1:4], row[3:-1:4], strict=True))
        if any(first is None for _, first, _, _, _ in counted):
            return None
        return TextSearch(tuple(Part(part.word, prefix=True, rows=int(rows),
                                     words=(first, last) if second == last else ()) if part.prefix and first != last
                                else Part(first, prefix=False, rows=int(rows))
                                for part, first, second, last, rows in counted), self.phrase, max(float(row[-1]), 0.0))

    def merged(self, conn: psycopg.Connection[Any]) -> TextSearch | None:
        """The same search with the jobs of its ``common`` words ``found``, when those are two or more, no word is
        few (else the search reads the few word's rows first) and the planner's statistics put the jobs they share
        (the words taken as independent) under ``TOGETHER``, and when they are fewer than that; None when there are
        none. Found by a merge join of the words' ranges of the words index (read from it alone, each already in job
        order), which stops at the cap; else the search as it was (its window walks the sort order)."""
        common = self.common
        if len(common) < 2 or self.first.few:
            return self
        joins = " JOIN ".join(f"job_words c{i}" + (f" ON c{i}.job_id = c0.job_id" if i else "")
                              for i in range(len(common)))
        where = " AND ".join(f"c{i}.word = %s" for i in range(len(common)))
        merges = list(product(*(p.words or (p.word,) for p in common)))  # one for each word of a prefix of two
        sql = " UNION ALL ".join([f"SELECT c0.job_id, c0.active FROM {joins} WHERE {where}"] * len(merges))
        args: list[Any] = [word for words in merges for word in words]
        # Words the planner expects to share as many jobs (taking them as independent) are not merged: their ranges
        # would be read near whole before the cap, for nothing ("furnace gate": 17,700 jobs of 97,000 and 181,000
        # rows, 25 ms). Words that meet more often than expected stop at the cap, having read about as many rows
        # each ("furnace heat": 97,000 rows each, always together, 9,600 expected). A job that holds both words of a
        # prefix is found twice, counted twice towards the cap.
        plan = conn.execute(f"EXPLAIN (FORMAT JSON) {sql}", args, prepare=False).fetchone()
        assert plan is not None  # EXPLAIN: one row
        if float(plan[0][0]["Plan"]["Plan Rows"]) >= TOGETHER:
            return self
        # The planner picks a hash join (reads one word's range whole first) or probes each job of one word for the
        # others, where a merge reads the ranges side by side, stopping at the cap. Only this statement is told to
        # merge: the settings are local to a transaction (a savepoint in a caller's) rolled back after it, so they
        # end with it and a caller's transaction goes on as it was.
        with conn.transaction(force_rollback=True):
            conn.execute("SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_nestloop', 'off', true)")
            row = conn.execute(f"SELECT array_agg(DISTINCT m.job_id), array_agg(DISTINCT m.job_id) FILTER (WHERE "
                               f"m.active = 0) FROM ({sql} LIMIT {TOGETHER}) m HAVING count(*) < {TOGETHER}",
                               args).fetchone()
        if row is None:  # as many: common together
            return self
        if row[0] is None:
            return None
        return replace(self, found=tuple(int(j) for j in row[0]), found_inactive=frozenset(int(j) for j in row[1] or ()))

    def found_count(self, active_only: bool, job_filter: tuple[list[str], list[Any]], cap: int | None) -> int | None:
        """How many jobs match (at most ``cap``) when the ``found`` jobs are the answer (no other word, phrase or
        ``job_filter`` to check on them), else None (``count_sql``'s)."""
        common = self.common
        if self.found is None or self.phrase is not None or job_filter[0] or any(p not in common for p in self.parts):
            return None
        found = len(self._found_ids(active_only))
        return found if cap is None else min(found, cap)

    def count_sql(self, active_only: bool, job_filter: tuple[list[str], list[Any]],
                  cap: int | None) -> tuple[str, list[Any]]:
        """How many jobs match (at most ``cap``), from the words index: the rows of the first word, its jobs'
        other words probed, the ``job_filter`` (conditions on ``jobs``, the phrase's among them) checked on the
        job's row only when there is one. A job is counted once: a prefix matches several of one job's words, so
        those of few rows are counted distinct, and those of many are read in the index's order and each job counted
        at the first of its words, ``LIMIT cap`` stopping the read at the cap. When the jobs of the ``common`` words
        are ``found``, those jobs (the active ones, ``active_only``), their other words probed."""
        if self.found is not None:
            clauses, args = self._others("f.job_id")
            source, distinct = "unnest(%b::bigint[]) f (job_id)", ""
            args = [self._found_ids(active_only), *args]
        else:
            first = self.first
            clauses, args = self._found(active_only)
            source, distinct = "job_words f", "DISTINCT f.job_id" if first.prefix and first.few else ""
            if first.prefix and not first.few:
                clauses.append("NOT EXISTS (SELECT FROM job_words e WHERE e.job_id = f.job_id AND e.word >= %s "
                               "AND e.word < f.word)")
                args.append(first.word)
        filters, filter_args = self._phrased(*job_filter)
        if filters:
            clauses.append(f"EXISTS (SELECT FROM jobs WHERE jobs.id = f.job_id AND {' AND '.join(filters)})")
            args += filter_args
        limit = "" if cap is None else f" LIMIT {int(cap)}"
        return (f"SELECT count(*) FROM (SELECT {distinct} FROM {source} WHERE {' AND '.join(clauses or ['true'])}"
                f"{limit}) found", args)


def _held(parts: list[Part] | tuple[Part, ...], job_id: str) -> tuple[list[str], list[Any]]:
    """Conditions that job ``job_id`` holds each of ``parts`` (``Part.holds``), and their parameters."""
    conds: list[str] = []
    args: list[Any] = []
    for part in parts:
        cond, part_args = part.holds(job_id)
        conds.append(cond)
        args += part_args
    return conds, args


def text_search(text: str) -> TextSearch | None:
    """User text -> what it searches; None when nothing searchable is left (no letter or digit)."""
    parts: list[Part] = []
    phrases: list[str] = []
    for word in text.split():
        cut = _TOKEN.findall(word.translate(_UNACCENT).lower())
        parts += [Part(p, prefix=i == len(cut) - 1) for i, p in enumerate(cut)]
        if cut:
            phrases.append("(" + " <-> ".join(f"'{p}'" for p in cut) + ":*)")
    if not parts:
        return None
    several = len(parts) > len(phrases)  # a word of several parts: their order is checked on the document
    return TextSearch(tuple(dict.fromkeys(parts)), " & ".join(phrases) if several else None)
