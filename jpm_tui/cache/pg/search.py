"""A job list query's text, searched in PostgreSQL's words table (``job_words``, words_schema.py): each word of the
text must match a word of the job as a prefix, as the SQLite store's ``fts_query`` asks FTS5. The user's words are cut
as ``derived.SEARCH_WORDS`` cuts the document (ASCII letters, folded, and digits; accents off), so only [a-z0-9] reach
the SQL, always as parameters: no user text is SQL or tsquery syntax.

A word of several parts ("smith-jones", a phone number with dashes) is a phrase: each part must be a word of the job
(the last as a prefix), and their order is checked on the job's document (``search @@ tsquery``: a phrase query)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import psycopg

from jpm_tui.cache.pg.derived import ACCENTED, UNACCENTED

_UNACCENT = str.maketrans(ACCENTED, UNACCENTED)
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Part:
    """A word the job must hold: ``word`` itself, or (``prefix``) any word starting with it."""

    word: str
    prefix: bool

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


@dataclass(frozen=True)
class TextSearch:
    """The words a query's text asks for (``parts``), and, when a word is a phrase, the ``tsquery`` that checks
    their order on the job's document (``phrase``)."""

    parts: tuple[Part, ...]
    phrase: str | None

    def conditions(self, job_id: str) -> tuple[list[str], list[Any]]:
        """Conditions that job ``job_id`` (an SQL expression of a ``jobs`` row) matches the text."""
        clauses: list[str] = []
        args: list[Any] = []
        for part in self.parts:
            cond, part_args = part.holds(job_id)
            clauses.append(cond)
            args += part_args
        if self.phrase is not None:
            clauses.append("search @@ %s::tsquery")
            args.append(self.phrase)
        return clauses, args

    def narrowed(self, conn: psycopg.Connection[Any]) -> TextSearch | None:
        """The same search with each prefix that only one cached word starts with asked as that word (an equality:
        no job to count once among several of its words, and the planner's statistics know it); None when a word
        of the text starts no cached word (nothing matches). One statement: the first and last word of each
        prefix's range, two probes of the words index each."""
        ranges = [part for part in self.parts if part.prefix]
        if not ranges:
            return self
        sql = []
        args: list[Any] = []
        for part in ranges:
            cond, part_args = part.condition("r")
            sql.append(f"(SELECT min(r.word) FROM job_words r WHERE {cond}), "
                       f"(SELECT max(r.word) FROM job_words r WHERE {cond})")
            args += part_args * 2
        row = conn.execute(f"SELECT {', '.join(sql)}", args).fetchone()
        assert row is not None  # one row of scalars
        found = dict(zip(ranges, zip(row[::2], row[1::2], strict=True), strict=True))
        if any(first is None for first, _ in found.values()):
            return None
        return TextSearch(tuple(Part(found[p][0], prefix=False) if p in found and found[p][0] == found[p][1] else p
                                for p in self.parts), self.phrase)

    def count_sql(self, active_only: bool, job_filter: tuple[list[str], list[Any]],
                  cap: int | None) -> tuple[str, list[Any]]:
        """How many jobs match (at most ``cap``): read from the words index in its order, from the text's longest
        word (likely the rarest), each job once (at the first of its words in the range: a prefix matches several of
        one job's words), its other words probed, the ``job_filter`` (conditions on ``jobs``, the phrase's among them)
        checked on its row only when there is one; ``LIMIT cap`` stops the read at the cap."""
        first = max(self.parts, key=lambda p: (len(p.word), not p.prefix))
        cond, args = first.condition("f")
        clauses = [cond, *(["f.active = 1"] if active_only else [])]
        if first.prefix:
            clauses.append("NOT EXISTS (SELECT FROM job_words e WHERE e.job_id = f.job_id AND e.word >= %s "
                           "AND e.word < f.word)")
            args.append(first.word)
        for part in self.parts:
            if part != first:
                held, held_args = part.holds("f.job_id")
                clauses.append(held)
                args += held_args
        filters, filter_args = job_filter
        if self.phrase is not None:
            filters = [*filters, "search @@ %s::tsquery"]
            filter_args = [*filter_args, self.phrase]
        if filters:
            clauses.append(f"EXISTS (SELECT FROM jobs WHERE jobs.id = f.job_id AND {' AND '.join(filters)})")
            args += filter_args
        limit = "" if cap is None else f" LIMIT {int(cap)}"
        return f"SELECT count(*) FROM (SELECT FROM job_words f WHERE {' AND '.join(clauses)}{limit}) found", args


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
