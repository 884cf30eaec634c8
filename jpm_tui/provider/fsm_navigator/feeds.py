"""FSM Navigator's sync: the cheapest reads that keep the cache fresh from an API with no change feed and no
"modified since" filter.

The jobs feed (one list fills three tables: jobs, their windows as appointments, their technicians as assignments;
``FeedPage.also`` carries the last two, written in the page's transaction) runs one of three passes each time:

* **touched**: the jobs this process changed (``touch``): one ``GET ?id=`` each, nothing else. The outbox asks for
  this feed after each write (the workflow's ``follow_up``), so a write shows in the calendar at once.
* **sweep** (the first run, then when the last complete one is ``SWEEP_EVERY`` old): every job, 100 a page in
  ``job_id`` order (the sandbox's order; the reference lists no other). Resumable: each page's token names the next
  page. A page marks the cached jobs in its id span it did not list as inactive (the first page from id 0, the last
  to the end, the others from the id after the last one stored): jobs gone from the server; one between the pages
  is read by id first, as a deletion may have shifted it onto the page before (``provider/sweep_gaps.py``). A job
  whose ``updated_at`` did not move is not written again. The sweep's end counts the jobs listed: the sync screen's
  Stored (``FeedPage.whole``), to which the later passes add the jobs new to the cache.
* **recent** (otherwise, at most every ``RECENT_EVERY``): the jobs created in the last ``RECENT_DAYS``
  (``created_after``): new jobs and the changes to the jobs a dispatcher is working on. An older job's change waits
  for the next sweep.

A job written (new, or its ``updated_at`` moved) that is still open is read once more alone (``GET ?id=``): only
that answer carries its linked assets, kept in its raw payload for the detail.

Technicians and customers (100 a page) and locations (one request per customer: the API lists them under their
customer only; every asset is read first, 100 a page, and kept on its location) are read in full hourly.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ..api_errors import translated
from ..base import Feed, FeedPage
from ..domain import parse_datetime
from ..feed_tokens import token_object
from ..sweep_gaps import LAST_ID, judge
from ..workflow import StatusCategory
from .mapping import customer_from_wire, job_rows, location_from_wire, technician_from_wire
from .workflow import WORKFLOW

__all__ = ["DIRECTORY_EVERY", "JobsFeed", "RECENT_DAYS", "SWEEP_EVERY", "directory_feeds", "utc_now"]

PER_PAGE = 100  # the API's largest page
RECENT_DAYS = 14
SWEEP_EVERY = timedelta(hours=1)
RECENT_EVERY = timedelta(minutes=1)
"""The board polls the jobs feed every few seconds (``cache/live.py``'s fast tier); a recent pass at most this often."""
DIRECTORY_EVERY = timedelta(hours=1)
DETAIL_READS = 8
"""Single-job reads (linked assets) in flight at once; the client's rate limit paces them."""
_FINAL = frozenset({StatusCategory.DONE, StatusCategory.CLOSED, StatusCategory.CANCELED})


@dataclass(frozen=True, slots=True)
class _Position:
    """The jobs feed's token: when the last complete sweep started, and the next page of one under way."""

    swept_at: datetime | None = None
    sweep_page: int | None = None
    sweep_started: datetime | None = None
    recent_at: datetime | None = None
    stored: int | None = 0
    """Jobs the cache holds from this feed: the last complete sweep's count plus the new jobs later passes listed
    (the sync screen's Stored); None: an earlier version's token, which counted none (the next sweep's end counts)."""
    swept_pages: int = 0
    """Pages of the last complete sweep."""
    sweep_listed: int = 0
    """Jobs the stored pages of the sweep under way listed."""
    sweep_after: int = 0
    """The last id the stored pages of the sweep under way listed: the next page judges the ids after it."""

    def counted(self, new: int, gone: int = 0) -> _Position:
        """With ``new`` jobs new to the cache listed and ``gone`` found gone."""
        return self if self.stored is None else replace(self, stored=self.stored + new - gone)

    @classmethod
    def read(cls, token: str | None) -> _Position:
        data = token_object(token)  # none: start with a sweep
        page = data.get("sweep_page")

        def count(key: str) -> int:
            value = data.get(key)
            return value if isinstance(value, int) else 0

        stored = data.get("stored", 0 if not data else None)
        return cls(parse_datetime(data.get("swept_at")), page if isinstance(page, int) else None,
                   parse_datetime(data.get("sweep_started")), parse_datetime(data.get("recent_at")),
                   stored if isinstance(stored, int) else None, count("swept_pages"), count("sweep_listed"),
                   count("sweep_after"))

    def text(self) -> str:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return json.dumps({"swept_at": iso(self.swept_at), "sweep_page": self.sweep_page,
                           "sweep_started": iso(self.sweep_started), "recent_at": iso(self.recent_at),
                           "stored": self.stored, "swept_pages": self.swept_pages, "sweep_listed": self.sweep_listed,
                           "sweep_after": self.sweep_after})


class JobsFeed:
    """The jobs feed over an ``FsmNavigatorClient`` and the cache it fills (``versions(first, last)``: the cached
    jobs' ``modified_on`` text and ``active`` by id, ``CacheStore.job_versions``; None: nothing is cached)."""

    def __init__(self, client: Any, cached: Any | None, *, clock: Callable[[], datetime]) -> None:
        self.client = client
        self.cached = cached
        self.clock = clock
        self._touched: set[int] = set()
        self._asked = False
        """This process has read the jobs once: until then a recent pass is never skipped, so a board or a
        ``jpm-tui sync`` starting finds out at once whether the server answers (and takes its key)."""

    def touch(self, job_id: int) -> None:
        """Re-read this job on the feed's next run (a write of ours changed it)."""
        self._touched.add(job_id)

    def feed(self) -> Feed:
        return Feed(name="jobs", table="jobs", kind="export", pages=self.pages,
                    description="jobs with their windows and technicians: recent often, a full sweep hourly")

    async def pages(self, token: str | None) -> AsyncGenerator[FeedPage, None]:
        with translated():  # the cache sees ProviderErrors, never the client's
            async for page in self._pages(token):
                self._asked = self._asked or page.asked
                yield page

    async def _pages(self, token: str | None) -> AsyncGenerator[FeedPage, None]:
        position = _Position.read(token)
        now = self.clock()
        if self._touched:
            touched, self._touched = sorted(self._touched), set()
            # Written whatever the cache says: the outbox stored the job itself already, not its window or technician.
            # (So a job this process created counts in Stored from the next sweep.)
            rows, new = await self._rows(await self._read_each(touched), force=True)
            yield _page(rows, position.counted(new), has_more=False)
        elif position.sweep_page is not None or position.swept_at is None or now - position.swept_at >= SWEEP_EVERY:
            async for page in self._sweep(position, now):
                yield page
        elif self._asked and position.recent_at is not None and now - position.recent_at < RECENT_EVERY:
            yield FeedPage([], token, False, asked=False)  # read a moment ago: no request
        else:
            after = (now - timedelta(days=RECENT_DAYS)).date()
            position = replace(position, recent_at=now)
            async for listed in self.client.jobs.pages(created_after=after, per_page=PER_PAGE):
                last = listed.pagination.total_pages
                more = bool(listed.items) and (len(listed.items) == PER_PAGE if last is None
                                               else listed.pagination.page < last)
                rows, new = await self._rows([j.to_payload() for j in listed.items])
                position = position.counted(new)
                yield _page(rows, position, has_more=more)

    async def _sweep(self, position: _Position, now: datetime) -> AsyncGenerator[FeedPage, None]:
        first = position.sweep_page or 1
        started = position.sweep_started or now
        after, listed_so_far = (position.sweep_after, position.sweep_listed) if first > 1 else (0, 0)
        async for listed in self.client.jobs.pages(per_page=PER_PAGE, first_page=first):
            number = listed.pagination.page
            last = listed.pagination.total_pages
            done = not listed.items or (number >= last if last is not None else len(listed.items) < PER_PAGE)
            payloads = [j.to_payload() for j in listed.items]
            ids = [p["job_id"] for p in payloads]
            low, high = (0 if number == 1 else after + 1), (LAST_ID if done else max(ids, default=after))
            verdict = await judge(self.cached, ids, low, high, first=number == 1, read_by_id=self._read_each,
                                  id_of=lambda payload: int(payload["job_id"]))
            payloads += [dict(p) for p in verdict.found]
            rows, new = await self._rows(payloads, gone=verdict.gone)
            after, listed_so_far = max(ids, default=after), listed_so_far + len(payloads)
            if done:  # the sweep's count replaces the stored one: jobs listed, none gone counted
                position = _Position(started, stored=listed_so_far, swept_pages=number)
            else:
                position = replace(position.counted(new, len(verdict.gone)), sweep_page=number + 1,
                                   sweep_started=started, sweep_listed=listed_so_far, sweep_after=after)
            yield _page(rows, position, has_more=not done)

    async def _rows(self, payloads: list[dict[str, Any]], *, gone: Sequence[int] = (),
                    force: bool = False) -> tuple[list[tuple[Any, ...]], int]:
        """The changed jobs (all with ``force``; read alone when open, for their assets) as rows with the ``gone``
        ones as inactive rows, and how many of ``payloads`` are new to the cache."""
        versions = await self._versions([p["job_id"] for p in payloads], each=force)
        new = sum(1 for p in payloads if not versions.get(p["job_id"], ("", False))[1])
        changed = await self._with_assets(payloads if force else [p for p in payloads if _changed(p, versions)])
        rows = [job_rows(p) for p in changed]
        return rows + await asyncio.to_thread(self._inactive, gone), new

    async def _versions(self, ids: Sequence[int], *, each: bool) -> dict[int, tuple[str, bool]]:
        """The cached versions of these jobs: read over their id span (a page's), or ``each`` alone (ids far
        apart: the jobs a process wrote)."""
        if self.cached is None or not ids:
            return {}
        if not each:
            return await asyncio.to_thread(self.cached.job_versions, min(ids), max(ids))

        cached = self.cached

        def alone() -> dict[int, tuple[str, bool]]:
            return {k: v for i in ids for k, v in cached.job_versions(i, i).items()}

        return await asyncio.to_thread(alone)

    def _inactive(self, job_ids: Iterable[int]) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        if self.cached is None:  # nothing cached: nothing to mark
            return out
        for job_id in job_ids:
            job = self.cached.job(job_id)
            if job is not None:
                out.append(tuple(replace(row, active=False) for row in job_rows({**job.raw, "job_id": job_id})))
        return out

    async def _read_each(self, job_ids: Sequence[int]) -> list[dict[str, Any]]:
        from jpm_tui.api.errors import NotFoundError

        async def one(job_id: int) -> dict[str, Any] | None:
            try:
                payload: dict[str, Any] = (await self.client.jobs.get(job_id)).to_payload()
                return payload
            except NotFoundError:
                return None

        found = await _bounded([one(i) for i in job_ids])
        return [p for p in found if p is not None]

    async def _with_assets(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Open jobs without their ``assets`` read alone (a job gone meanwhile keeps its list payload)."""
        wanted = [p for p in payloads if "assets" not in p and WORKFLOW.category(p.get("job_status")) not in _FINAL]
        if not wanted:
            return payloads
        read = {p["job_id"]: p for p in await self._read_each([p["job_id"] for p in wanted])}
        return [read.get(p["job_id"], p) for p in payloads]


def _page(rows: list[tuple[Any, ...]], position: _Position, *, has_more: bool) -> FeedPage:
    """A page of job rows (each with its window and technician rows), stored with ``position``; its count replaces
    the stored one (``FeedPage.whole``) when the token has one."""
    whole = (position.stored, position.swept_pages) if position.stored is not None else None
    return FeedPage([r[0] for r in rows], position.text(), has_more, whole=whole,
                    also=(("appointments", [r[1] for r in rows]), ("appointment_assignments", [r[2] for r in rows])))


def _changed(payload: Mapping[str, Any], versions: Mapping[int, tuple[str, bool]]) -> bool:
    cached = versions.get(payload["job_id"])
    if cached is None or not cached[1]:
        return True
    return parse_datetime(cached[0]) != parse_datetime(payload.get("updated_at"))


async def _bounded(calls: Sequence[Any]) -> list[Any]:
    limit = asyncio.Semaphore(DETAIL_READS)

    async def run(call: Any) -> Any:
        async with limit:
            return await call

    return list(await asyncio.gather(*(run(c) for c in calls)))


def _hourly_feed(name: str, table: str, rows: Callable[[], AsyncIterator[list[Any]]],
                 clock: Callable[[], datetime]) -> Feed:
    """A directory read in full at most every ``DIRECTORY_EVERY`` (its token: when the last full read began); a run
    before that reads nothing. Its rows carry their own ``active`` (FSM's technician status), none is judged gone."""

    async def pages(token: str | None) -> AsyncGenerator[FeedPage, None]:
        last = parse_datetime(token) if token else None
        now = clock()
        if last is not None and now - last < DIRECTORY_EVERY:
            yield FeedPage([], token, False, asked=False)
            return
        batch: list[Any] | None = None
        with translated():
            async for page in rows():
                if batch is not None:
                    yield FeedPage(batch, token, True)
                batch = page
        yield FeedPage(batch or [], now.isoformat(), False)

    return Feed(name=name, table=table, kind="export", pages=pages, description="read in full hourly")


def directory_feeds(client: Any, clock: Callable[[], datetime]) -> list[Feed]:
    """Technicians, customers and their locations (with the assets at each), read in full hourly."""

    async def customers() -> AsyncIterator[list[Any]]:
        async for page in _paged(client.customers.all(per_page=PER_PAGE)):
            yield [customer_from_wire(c.to_payload()) for c in page]

    async def locations() -> AsyncIterator[list[Any]]:
        by_location: dict[int, list[dict[str, Any]]] = {}
        async for asset in client.assets.all(per_page=PER_PAGE):
            if asset.location_id is not None:
                by_location.setdefault(asset.location_id, []).append(asset.to_payload())
        async for page in _paged(client.customers.all(per_page=PER_PAGE)):
            rows = []
            for customer in page:
                async for loc in client.customers.locations(customer.customer_id, per_page=PER_PAGE):
                    rows.append(location_from_wire(loc.to_payload(), by_location.get(loc.location_id, ())))
            yield rows

    async def technicians() -> AsyncIterator[list[Any]]:
        async for page in _paged(client.technicians.all(per_page=PER_PAGE)):
            yield [technician_from_wire(t.to_payload()) for t in page]

    return [_hourly_feed("technicians", "technicians", technicians, clock),
            _hourly_feed("customers", "customers", customers, clock),
            _hourly_feed("locations", "locations", locations, clock)]


async def _paged(records: AsyncIterator[Any]) -> AsyncIterator[list[Any]]:
    """Records in lists of ``PER_PAGE`` (the API's pages)."""
    page: list[Any] = []
    async for record in records:
        page.append(record)
        if len(page) == PER_PAGE:
            yield page
            page = []
    if page:
        yield page


def utc_now() -> datetime:
    return datetime.now(UTC)
