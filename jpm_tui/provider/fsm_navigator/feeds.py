"""FSM Navigator's sync: the cheapest reads that keep the cache fresh from an API with no change feed and no
"modified since" filter.

The jobs feed (one list fills three tables: jobs, their windows as appointments, their technicians as assignments;
``FeedPage.also`` carries the last two, written in the page's transaction) runs one of three passes each time:

* **touched**: the jobs this process changed (``touch``): one ``GET ?id=`` each, nothing else. The outbox asks for
  this feed after each write (the workflow's ``follow_up``), so a write shows in the calendar at once.
* **sweep** (the first run, then when the last complete one is ``SWEEP_EVERY`` old): every job, 100 a page in
  ``job_id`` order (the sandbox's order; the reference lists no other). Resumable: each page's token names the next
  page. A page marks the cached jobs in its id span it did not list as inactive (the first page from id 0, the last
  to the end): jobs gone from the server. A job whose ``updated_at`` did not move is not written again.
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
_LAST_ID = 2**62


@dataclass(frozen=True, slots=True)
class _Position:
    """The jobs feed's token: when the last complete sweep started, and the next page of one under way."""

    swept_at: datetime | None = None
    sweep_page: int | None = None
    sweep_started: datetime | None = None
    recent_at: datetime | None = None

    @classmethod
    def read(cls, token: str | None) -> _Position:
        data = token_object(token)  # none: start with a sweep
        page = data.get("sweep_page")
        return cls(parse_datetime(data.get("swept_at")), page if isinstance(page, int) else None,
                   parse_datetime(data.get("sweep_started")), parse_datetime(data.get("recent_at")))

    def text(self) -> str:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return json.dumps({"swept_at": iso(self.swept_at), "sweep_page": self.sweep_page,
                           "sweep_started": iso(self.sweep_started), "recent_at": iso(self.recent_at)})


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
            yield await self._page(await self._read_each(touched), position, has_more=False, span=None, force=True)
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
                yield await self._page([j.to_payload() for j in listed.items], position, has_more=more, span=None)

    async def _sweep(self, position: _Position, now: datetime) -> AsyncGenerator[FeedPage, None]:
        first = position.sweep_page or 1
        started = position.sweep_started or now
        async for listed in self.client.jobs.pages(per_page=PER_PAGE, first_page=first):
            number = listed.pagination.page
            last = listed.pagination.total_pages
            done = not listed.items or (number >= last if last is not None else len(listed.items) < PER_PAGE)
            payloads = [j.to_payload() for j in listed.items]
            ids = [p["job_id"] for p in payloads]
            # The first page judges every id below its last, the last page every id above its first.
            low = 0 if number == 1 else min(ids, default=_LAST_ID)
            high = _LAST_ID if done else max(ids, default=0)
            after = (_Position(started, None, None) if done
                     else _Position(position.swept_at, number + 1, started))
            yield await self._page(payloads, after, has_more=not done, span=(low, high))

    async def _page(self, payloads: list[dict[str, Any]], position: _Position, *, has_more: bool,
                    span: tuple[int, int] | None, force: bool = False) -> FeedPage:
        """The page's changed jobs (read alone when open, for their assets) as rows, with the jobs of ``span`` no
        longer listed as inactive ones."""
        versions = await self._versions(payloads, span) if not force else {}
        changed = [p for p in payloads if _changed(p, versions)]
        changed = await self._with_assets(changed)
        rows = [job_rows(p) for p in changed]
        if span is not None:
            listed = {p["job_id"] for p in payloads}
            gone = [i for i, (_, active) in versions.items() if active and i not in listed and span[0] <= i <= span[1]]
            rows += await asyncio.to_thread(self._inactive, gone)
        return FeedPage([r[0] for r in rows], position.text(), has_more,
                        also=(("appointments", [r[1] for r in rows]),
                              ("appointment_assignments", [r[2] for r in rows])))

    async def _versions(self, payloads: Sequence[Mapping[str, Any]],
                        span: tuple[int, int] | None) -> dict[int, tuple[str, bool]]:
        if self.cached is None:
            return {}
        ids = [p["job_id"] for p in payloads]
        low, high = span if span is not None else (min(ids, default=0), max(ids, default=-1))
        return await asyncio.to_thread(self.cached.job_versions, low, high)

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
