"""BigChange's jobs feed: a sweep of the job list in id order, one transaction a page, resumable.

The REST reference offers no modified-since or status-date filter on jobs (and a job carries no modified stamp), so
every run sweeps the list, 1,000 jobs a page: **one request per 1,000 jobs**, plus one when the last page is found
empty (a count that is a multiple of 1,000) and one per ``CHECK_IDS`` cached jobs found between two pages (below;
none in a sweep of a list that did not change under it).

Resumable: each page is stored with its token (``_Sweep``: the next page and the last id listed so far), so a sweep
stopped (network gone, process killed, Ctrl-C) goes on from the page after the last one stored; a complete sweep
stores no token and the next run starts again at page 1.

Gone jobs: a page marks the cached active jobs of its id span that it did not list inactive, with their planned
window and resource; the cached jobs between the last id stored and a page's first are asked for by id (``jobId``):
written when listed, marked inactive when not (``provider/sweep_gaps.py``, shared with FSM Navigator's sweep).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..api_errors import translated
from ..base import Feed, FeedPage
from ..feed_tokens import token_object
from ..sweep_gaps import LAST_ID, judge
from .mapping import job_rows

__all__ = ["CHECK_IDS", "PAGE_SIZE", "JobsFeed"]

PAGE_SIZE = 1000  # the API's largest page
CHECK_IDS = 100
"""Ids in one ``jobId`` request (the query string stays short)."""


@dataclass(frozen=True, slots=True)
class _Sweep:
    """The jobs feed's token while a sweep is under way: the next page, the last id the stored pages listed and how
    many jobs they listed."""

    page: int = 1
    after: int = 0
    listed: int = 0

    @classmethod
    def read(cls, token: str | None) -> _Sweep:
        data = token_object(token)  # none: sweep from the start
        page, after, listed = data.get("page"), data.get("after"), data.get("listed")
        if isinstance(page, int) and isinstance(after, int) and isinstance(listed, int) and page >= 1:
            return cls(page, after, listed)
        return cls()

    def text(self) -> str:
        return json.dumps({"page": self.page, "after": self.after, "listed": self.listed})


class JobsFeed:
    """The jobs feed over a ``BigChangeClient`` and the cache it fills (``cached``: the store, for its jobs' ids and
    ``active`` in a span, ``job_versions``, and a gone job's payload, ``job``; None: no job is ever judged gone)."""

    def __init__(self, client: Any, cached: Any | None, *, page_size: int = PAGE_SIZE) -> None:
        self.client = client
        self.cached = cached
        self.page_size = page_size

    def feed(self) -> Feed:
        return Feed(name="jobs", table="jobs", kind="export", pages=self.pages,
                    description="jobs, their planned windows and resources (a resumable sweep: no modified-since "
                                "filter)")

    async def pages(self, token: str | None) -> AsyncGenerator[FeedPage, None]:
        sweep = _Sweep.read(token)
        with translated():  # the sync knows provider errors, not the client's
            async for page in self.client.job_pages(page_size=self.page_size, first_page=sweep.page):
                ids = [int(item["id"]) for item in page.items]
                first = page.page_number == 1
                low, high = (0 if first else sweep.after + 1), (LAST_ID if page.last else max(ids))
                verdict = await judge(self.cached, ids, low, high, first=first, read_by_id=self._listed_by_id,
                                      id_of=lambda item: int(item["id"]))
                found = verdict.found
                mapped = await asyncio.to_thread(self._map, [*page.items, *found], verdict.gone)
                sweep = _Sweep(page.page_number + 1, max(ids, default=sweep.after), sweep.listed + len(ids) + len(found))
                if page.last:  # the sweep's counts replace the stored ones: every run lists every job
                    yield replace(mapped, has_more=False, whole=(sweep.listed, page.page_number))
                else:
                    yield replace(mapped, token=sweep.text())

    async def _listed_by_id(self, job_ids: Sequence[int]) -> list[dict[str, Any]]:
        from jpm_tui.api.bigchange.client import JobFilter

        found: list[dict[str, Any]] = []
        for start in range(0, len(job_ids), CHECK_IDS):
            async for page in self.client.job_pages(JobFilter(job_ids=job_ids[start:start + CHECK_IDS]),
                                                    page_size=CHECK_IDS):
                found.extend(page.items)
        return found

    def _map(self, items: Sequence[Mapping[str, Any]], gone: Sequence[int]) -> FeedPage:
        """The listed jobs as rows, the gone ones as inactive rows. A job's window and assignment are keyed by its
        id: one listed without a resource (or a planned start) has none now, so the one cached from an earlier sync
        is stored inactive (the calendar lane drops it), as are a gone job's."""
        jobs, appointments, assignments = [], [], []
        unplanned, unresourced = list(gone), list(gone)
        for item in items:
            rows = job_rows(item)
            jobs.append(rows.job)
            if rows.appointment is not None:
                appointments.append(rows.appointment)
            else:
                unplanned.append(rows.job.id)
            if rows.assignment is not None:
                assignments.append(rows.assignment)
            else:
                unresourced.append(rows.job.id)
        for job_id in gone:
            cached = self.cached.job(job_id) if self.cached is not None else None
            if cached is not None:
                jobs.append(replace(job_rows({**cached.raw, "id": job_id}).job, active=False))
        return FeedPage(jobs, None, True, also=(("appointments", appointments), ("appointment_assignments", assignments)),
                        gone=(("appointments", unplanned), ("appointment_assignments", unresourced)))
