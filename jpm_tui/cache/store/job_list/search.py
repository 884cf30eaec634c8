"""User text -> the search index's MATCH expressions: safe FTS5 queries of the user's words, with the filters the
index holds as facet markers (status, priority, job type, business unit, inactive)."""

from __future__ import annotations

import re

from jpm_tui.cache.schema import JOBS_FTS_TEXT_COLUMNS
from jpm_tui.cache.store.job_list.query import JobQuery

_WORD = re.compile(r"\w", re.UNICODE)


def fts_query(text: str) -> str | None:
    """User text -> a safe FTS5 query: every whitespace-separated word becomes a quoted phrase with a
    prefix star (``"smi"*``), all must match. Quotes are doubled, so no user text can inject FTS syntax
    (AND/OR/NOT/NEAR, ``*``, ``-``, ``:``, parentheses are plain characters inside a phrase). Words without
    a letter or digit are dropped. None when nothing searchable is left."""
    parts = []
    for word in text.split():
        if not _WORD.search(word):
            continue
        parts.append('"' + word.replace('"', '""') + '"*')
    return " ".join(parts) if parts else None


_TEXT_COLUMNS = "{" + " ".join(JOBS_FTS_TEXT_COLUMNS) + "}"


def _facet_text(value: str) -> str:
    return value.encode("utf-8").hex().upper()


def fts_match(q: JobQuery) -> str | None:
    """The full MATCH expression of a query with text: the user's words (restricted to the document
    columns, so nobody can match the facet markers) AND the status / priority / job type / business unit /
    active filters as facet markers. None without searchable text.

    Every marker starts "zz", so a text of ASCII without a 'z' has no token that could match one: it goes
    without the column filter, which costs ~15% of reading a word's postings (a word longer than the prefix
    indexes reads them all, e.g. ~1.5 of 12 ms for 'maple river' at 1,000,000 jobs)."""
    words = fts_query(q.text)
    if words is None:
        return None
    unfiltered = q.text.isascii() and "z" not in q.text.lower()
    parts = [f"({words})" if unfiltered else f"{_TEXT_COLUMNS} : ({words})"]
    facets: list[str] = []
    for prefix, values in (("zzs", [_facet_text(str(v)) for v in q.statuses]),
                           ("zzp", [_facet_text(str(v)) for v in q.priorities]),
                           ("zzt", [str(int(v)) for v in q.job_type_ids]),
                           ("zzb", [str(int(v)) for v in q.business_unit_ids])):
        if values:
            facets.append("facets : (" + " OR ".join(f'"{prefix}{v}"' for v in values) + ")")
    expr = " AND ".join(parts + facets)
    if not q.include_inactive:
        expr = f"({expr}) NOT facets : \"zzinactive\""
    return expr


def text_match(text: str, include_inactive: bool = True) -> str | None:
    """The MATCH expression of ``text`` alone, naming no facet marker (so the scratch index of
    ``KeptMatches.text_matches`` can run it); with ``include_inactive=False`` it also keeps to active jobs."""
    return fts_match(JobQuery(text=text, include_inactive=include_inactive))


def kept_match(q: JobQuery) -> str | None:
    """The MATCH expression whose matches ``KeptMatches.text_found`` keeps for ``q``: its text and active filter
    (the board's plain search, so its count is the kept table's size; other filters are checked on the rows)."""
    return text_match(q.text, q.include_inactive)
