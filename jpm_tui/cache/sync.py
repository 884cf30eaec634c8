"""SyncEngine: copies every feed the provider lists into the cache, page by page, crash-safe.

The one rule everything else follows: **a page's rows and the continuation token that comes after them are
committed in one transaction**::

    with store.transaction():
        store.upsert(feed.table, page.rows)
        store.save_token(feed.name, page.token, rows=len(page.rows))

so however a run ends (error, cancel, Ctrl-C, SIGKILL, power cut after the commit) the saved token is never
ahead of the stored rows, and the next run resumes exactly after the last committed page: nothing lost,
nothing duplicated (rows are keyed upserts; inactive rows are stored with ``active=0``, never deleted).

Export feeds are incremental: a later run starts from the saved token (the provider asks with
includeRecentChanges). List feeds (small reference lists) are re-read in full; after a complete read the rows
not seen are marked inactive.

Throughput: feeds run side by side (``concurrency`` asyncio tasks; the client's rate limiter paces the
requests), and within a feed the next pages are fetched (up to ``prefetch`` ahead) while the current one is
written; pages that queue up behind a busy writer are committed together, with the last one's token (group
commit: still rows + token in one transaction, fewer commits). All SQLite writes go through **one writer
thread** (one connection): the event loop never blocks on SQLite and writers never fight over the lock.
The Python half of a page's upsert (``store.prepare``: cells, JSON) runs on a second thread as the page is
fetched, so the writer thread spends its time in SQLite (which runs without the GIL) and the three stages
(fetch + map, prepare, write) overlap. The store keeps the job list's denormalised columns, counters and
search index current inside each page's upsert, so the board is correct after every commit, not only at the
end.

Progress: ``SyncProgress`` events (per feed, after every committed page, at the end of a feed and on error)
go to callbacks (``on_progress=``, ``add_listener``) and to queues (``subscribe()``); a queue receives the
``SyncSummary`` last. ``pause()`` / ``resume()`` / ``cancel()`` act between pages; ``stop(reason)`` ends the run
at once (Ctrl-C).

Failing fast: when a feed fails because the backend cannot be used at all (unreachable, silent, sign-in refused),
every other feed would fail the same way, so the run stops there, once, with that reason
(``SyncSummary.stopped``). A request that waits long has the backend pinged (``liveness.watch``): a server that
accepts connections and never answers stops the run within seconds, not after each request's timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from jpm_tui.cache.health import CacheFault
from jpm_tui.cache.liveness import STALL_AFTER, watch
from jpm_tui.provider.base import Feed, FeedPage, Provider, ProviderError

if TYPE_CHECKING:
    from jpm_tui.cache.store.interface import Store

__all__ = ["FeedResult", "ProgressListener", "SyncEngine", "SyncError", "SyncProgress", "SyncSummary"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class SyncError(ValueError):
    """A request the engine cannot carry out (unknown feed name, already running)."""


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """Where one feed stands in the current run. Counts are this run's; ``total_records`` is what the feed
    has stored over all runs (from ``sync_state``)."""

    feed: str
    pages: int = 0
    records: int = 0
    records_per_second: float = 0.0
    has_more: bool = True
    done: bool = False
    error: str | None = None
    table: str = ""
    kind: str = "export"
    elapsed: float = 0.0
    total_records: int = 0
    cancelled: bool = False
    skipped: bool = False
    """Done without asking the server: the feed's source was read a moment ago (``FeedPage.asked``)."""

    @property
    def state(self) -> str:
        if self.error:
            return "error"
        if self.cancelled:
            return "cancelled"
        if self.done:
            return "not due" if self.skipped else "done"
        return "running" if self.pages else "waiting"


@dataclass(slots=True)
class FeedResult:
    feed: str
    table: str
    kind: str
    pages: int = 0
    records: int = 0
    seconds: float = 0.0
    complete: bool = False
    """The feed caught up (export: ``hasMore`` false; list: every page read)."""
    error: str | None = None
    cancelled: bool = False
    retry_after: float | None = None
    """Seconds the backend asked us to wait before the next request, when it failed for being asked too often."""
    skipped: bool = False
    """Complete without a request: the feed read its source a moment ago (``FeedPage.asked``)."""

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


@dataclass(slots=True)
class SyncSummary:
    results: list[FeedResult] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False
    full: bool = False
    stopped: str | None = None
    """Why the run stopped before its end for every feed (the backend unreachable or refusing sign-in, Ctrl-C)."""

    @property
    def ok(self) -> bool:
        return not self.cancelled and self.stopped is None and all(r.error is None for r in self.results)

    @property
    def records(self) -> int:
        return sum(r.records for r in self.results)

    @property
    def asked(self) -> bool:
        """Whether any feed sent the server a request (one that read a moment ago did not)."""
        return any(not r.skipped for r in self.results)

    @property
    def pages(self) -> int:
        return sum(r.pages for r in self.results)

    @property
    def failed(self) -> list[FeedResult]:
        return [r for r in self.results if r.error]

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0

    def error_line(self) -> str:
        """One line naming what went wrong ('' when nothing did)."""
        if self.stopped is not None:
            return f"sync stopped: {self.stopped}"
        if self.failed:
            first = self.failed[0]
            more = len(self.failed) - 1
            tail = f" (and {more} more feed{'s' if more != 1 else ''} failed)" if more else ""
            return f"sync failed: {first.feed}: {first.error}{tail}"
        if self.cancelled:
            return "sync cancelled; run it again to resume where it stopped"
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "cancelled": self.cancelled,
            "stopped": self.stopped,
            "full": self.full,
            "seconds": round(self.seconds, 3),
            "records": self.records,
            "pages": self.pages,
            "records_per_second": round(self.records_per_second, 1),
            "feeds": {
                r.feed: {**{k: v for k, v in asdict(r).items() if k != "feed"},
                         "seconds": round(r.seconds, 3), "records_per_second": round(r.records_per_second, 1)}
                for r in self.results
            },
        }


ProgressListener = Callable[[SyncProgress], Any]

_SWITCH_INTERVAL = 0.0005
"""Python's GIL switch interval while a sync runs (its default is 5 ms). The writer thread gives the GIL up inside
each SQLite call and takes it back after it, a few dozen times per commit; the threads fetching, mapping and
preparing pages hold it running Python, so the writer waited out most of an interval each time, idle (~4 s of a
200,000-job first sync; under 2 s at 0.5 ms)."""
_YOUNG_COLLECTION = 50_000
"""Allocations between the cyclic collector's young passes while a sync runs (Python's default is 700). A page
in flight is thousands of live dicts and rows; at 700 each pass walked them again, ~1 s of a 200,000-job sync's
Python side, which is what the feed waits on. Those rows are freed by reference counting; the few cycles a
sync makes are still collected, a little later."""
_tuning_lock = threading.Lock()
_tuning_users = 0
_tuning_saved: tuple[float, tuple[int, int, int]] = (0.0, (0, 0, 0))


@contextlib.contextmanager
def _sync_tuning() -> Iterator[None]:
    """The interpreter settings a sync runs under (``_SWITCH_INTERVAL``, ``_YOUNG_COLLECTION``): process-wide, so
    the first run to start sets them and the last to end puts back what it found."""
    global _tuning_users, _tuning_saved
    with _tuning_lock:
        if _tuning_users == 0:
            _tuning_saved = (sys.getswitchinterval(), gc.get_threshold())
            sys.setswitchinterval(min(_tuning_saved[0], _SWITCH_INTERVAL))
            young, *older = _tuning_saved[1]
            gc.set_threshold(max(young, _YOUNG_COLLECTION), *older)
        _tuning_users += 1
    try:
        yield
    finally:
        with _tuning_lock:
            _tuning_users -= 1
            if _tuning_users == 0:
                sys.setswitchinterval(_tuning_saved[0])
                gc.set_threshold(*_tuning_saved[1])


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "; ".join(lines)


class SyncEngine:
    """``SyncEngine(store, provider)``; ``await engine.run(feeds=None, full=False) -> SyncSummary``.

    ``store`` is a ``Store`` (either cache); ``provider`` a ``Provider``. ``concurrency``: feeds fetched at once.
    One engine runs one sync at a time; ``close()`` stops its writer thread (``async with`` does it too).
    ``stall_after``: seconds a run waits on the backend before pinging it (``liveness.watch``).
    """

    def __init__(self, store: Store, provider: Provider, *, concurrency: int = 4, prefetch: int = 3,
                 batch_rows: int = 5000, on_progress: ProgressListener | None = None,
                 stall_after: float = STALL_AFTER) -> None:
        self.store = store
        self.provider = provider
        self.concurrency = max(1, int(concurrency))
        self.prefetch = max(1, int(prefetch))
        """Pages a feed may fetch ahead of the writer."""
        self.batch_rows = max(1, int(batch_rows))
        """Most rows committed in one transaction when pages queue up (a single page is never split)."""
        self._listeners: list[ProgressListener] = []
        self._queues: list[asyncio.Queue[Any]] = []
        if on_progress is not None:
            self._listeners.append(on_progress)
        self._gate = asyncio.Event()
        self._gate.set()
        self._cancelled = False
        self._running = False
        self.stall_after = stall_after
        self._stopped: str | None = None
        self._fault: str | None = None
        """The first ``CacheFault`` of the current run, which cancelled it (a full disk: every feed would fail)."""
        self._feed_tasks: set[asyncio.Task[FeedResult]] = set()
        self._writer: ThreadPoolExecutor | None = None
        self._preparer: ThreadPoolExecutor | None = None
        self._writer_lock = threading.Lock()
        self._feeds: list[Feed] | None = None

    # ------------------------------------------------------------------------------------ feeds

    def feeds(self) -> list[Feed]:
        if self._feeds is None:
            self._feeds = list(self.provider.feeds())
        return self._feeds

    def feed_names(self) -> list[str]:
        return [f.name for f in self.feeds()]

    def select(self, names: Iterable[str] | None) -> list[Feed]:
        """The feeds named (all when None), in the provider's order; unknown names raise ``SyncError``."""
        feeds = self.feeds()
        if names is None:
            return list(feeds)
        wanted = [n.strip() for n in names if n and n.strip()]
        known = {f.name for f in feeds}
        # friendly spellings: job-notes == job_notes
        wanted = [n.replace("-", "_") for n in wanted]
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise SyncError(f"unknown feed{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                            f"known: {', '.join(f.name for f in feeds)}")
        return [f for f in feeds if f.name in set(wanted)]

    # ------------------------------------------------------------------------------------ listeners

    def add_listener(self, listener: ProgressListener) -> None:
        """``listener(event)`` for every ``SyncProgress`` (a plain function or a coroutine function)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: ProgressListener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def subscribe(self) -> asyncio.Queue[Any]:
        """A queue that receives every ``SyncProgress`` of the following runs, and each run's
        ``SyncSummary`` when it ends."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self._queues.append(queue)
        return queue

    async def _emit(self, event: Any) -> None:
        for queue in list(self._queues):
            queue.put_nowait(event)
        if not isinstance(event, SyncProgress):
            return
        for listener in list(self._listeners):
            try:
                result = listener(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:  # noqa: BLE001 - a broken progress display must not break the sync
                log.exception("sync progress listener failed")

    # ------------------------------------------------------------------------------ run control

    @property
    def running(self) -> bool:
        return self._running

    @property
    def paused(self) -> bool:
        return not self._gate.is_set()

    def pause(self) -> None:
        """Stop asking for pages after the ones in flight are stored (resume() continues)."""
        self._gate.clear()

    def resume(self) -> None:
        self._gate.set()

    def cancel(self) -> None:
        """End the run after the pages in flight are stored; tokens stay at the last committed page."""
        self._cancelled = True
        self._gate.set()

    @property
    def stopped(self) -> str | None:
        """Why the current (or last) run was stopped (``stop``), else None."""
        return self._stopped

    def stop(self, reason: str) -> None:
        """End the run now, every feed: requests in flight are abandoned; what was committed stays (a page being
        committed commits whole or not at all), and tokens stay at the last committed page. The summary says why
        (``SyncSummary.stopped``); the first reason given is kept."""
        if self._stopped is None:
            self._stopped = reason
        self._cancelled = True
        self._gate.set()
        current = asyncio.current_task()
        for task in self._feed_tasks:
            if task is not current:  # the feed that found the reason ends by itself, recording it
                task.cancel()

    # ----------------------------------------------------------------------------------- writer

    async def _write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` on the engine's writer thread (one thread, hence one SQLite connection)."""
        with self._writer_lock:
            if self._writer is None:
                self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jpm-sync-writer")
            writer = self._writer
        return await asyncio.get_running_loop().run_in_executor(writer, fn, *args)

    async def _prepare(self, feed: Feed, page: FeedPage) -> Any:
        """``store.prepare(table, rows)`` on the engine's preparing thread (None for an empty page)."""
        if not page.rows:
            return None
        with self._writer_lock:
            if self._preparer is None:
                self._preparer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jpm-sync-prepare")
            preparer = self._preparer
        return await asyncio.get_running_loop().run_in_executor(preparer, self.store.prepare, feed.table, page.rows)

    def _take_executors(self) -> list[ThreadPoolExecutor]:
        with self._writer_lock:
            executors = [e for e in (self._writer, self._preparer) if e is not None]
            self._writer = self._preparer = None
        return executors

    def close(self) -> None:
        for executor in self._take_executors():
            executor.shutdown(wait=True)

    async def aclose(self) -> None:
        for executor in self._take_executors():
            await asyncio.to_thread(executor.shutdown, True)

    async def __aenter__(self) -> SyncEngine:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    # ------------------------------------------------------------------------------------ resets

    async def reset(self, feeds: Iterable[str] | None = None) -> list[str]:
        """Forget the tokens of ``feeds`` (all when None): their next sync refetches from the beginning.
        Rows stay (a refetch upserts over them). Returns the feed names reset."""
        names = [f.name for f in self.select(feeds)]

        def drop() -> None:
            with self.store.transaction():
                for name in names:
                    self.store.reset_feed(name)

        await self._write(drop)
        return names

    # --------------------------------------------------------------------------------------- run

    async def run(self, feeds: Iterable[str] | None = None, *, full: bool = False) -> SyncSummary:
        """Sync ``feeds`` (names; all when None). ``full``: ignore saved tokens and refetch everything
        (the saved token is only replaced when the first page of the refetch commits, so a full sync that
        dies early leaves the previous position intact). Never raises for a feed's failure: it is recorded
        in ``sync_state.last_error`` and in the summary, and the other feeds go on."""
        if self._running:
            raise SyncError("a sync is already running")
        selected = self.select(feeds)
        self._running = True
        self._cancelled = False
        self._stopped = None
        self._fault = None
        started = time.perf_counter()
        summary = SyncSummary(full=full)
        with _sync_tuning():
            try:
                tokens = await self._write(self._read_tokens)
                limit = asyncio.Semaphore(self.concurrency)

                async def one(feed: Feed) -> FeedResult:
                    try:
                        async with limit:
                            if self._cancelled:
                                return FeedResult(feed.name, feed.table, feed.kind, cancelled=True)
                            return await self._run_feed(feed, None if full else tokens.get(feed.name, (None, 0))[0],
                                                        tokens.get(feed.name, (None, 0))[1])
                    except asyncio.CancelledError:
                        task = asyncio.current_task()
                        if self._stopped is None or task is None or task.uncancel() > 0:
                            raise  # cancelled from outside, not by stop()
                        await self._emit(SyncProgress(feed=feed.name, table=feed.table, kind=feed.kind,
                                                      cancelled=True))
                        return FeedResult(feed.name, feed.table, feed.kind, cancelled=True)

                tasks = [asyncio.create_task(one(f), name=f"sync:{f.name}") for f in selected]
                self._feed_tasks = set(tasks)
                try:
                    summary.results = list(await watch(asyncio.gather(*tasks), getattr(self.provider, "ping", None),
                                                       self.stop, stall_after=self.stall_after))
                except BaseException:
                    for t in tasks:
                        t.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
                    raise
                finally:
                    self._feed_tasks = set()
                summary.stopped = self._stopped
                summary.cancelled = self._cancelled or any(r.cancelled for r in summary.results)
                if summary.records >= 10_000:
                    with contextlib.suppress(Exception):
                        await self._write(self.store.optimize)
            finally:
                summary.seconds = time.perf_counter() - started
                self._running = False
                await self._emit(summary)
        return summary

    def _read_tokens(self) -> dict[str, tuple[str | None, int]]:
        return {s.feed: (s.token, s.rows_total) for s in self.store.sync_states()}

    async def _run_feed(self, feed: Feed, token: str | None, stored_before: int) -> FeedResult:
        """A fetcher task reads pages ahead (at most ``prefetch`` waiting) while this task writes them. When
        several pages are waiting (the writer is the slower side), they are committed together with the
        last one's token (group commit; up to ``batch_rows`` rows): still all rows with their token in one
        transaction, far fewer commits."""
        result = FeedResult(feed.name, feed.table, feed.kind)
        started = time.perf_counter()
        seen: set[int] = set()
        last_has_more = True
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=self.prefetch)
        end = object()
        outcome: dict[str, Any] = {"complete": False, "error": None, "skipped": False}

        def event(**kw: Any) -> SyncProgress:
            elapsed = time.perf_counter() - started
            return SyncProgress(
                feed=feed.name, table=feed.table, kind=feed.kind, pages=result.pages, records=result.records,
                records_per_second=result.records / elapsed if elapsed > 0 else 0.0, elapsed=elapsed,
                total_records=stored_before + result.records, has_more=kw.pop("has_more", last_has_more), **kw,
            )

        async def fetch() -> None:
            try:
                async with contextlib.aclosing(feed.pages(token if feed.kind == "export" else None)) as pages:
                    async for page in pages:
                        if not page.asked:  # no request sent: nothing to store, and no answer to count
                            outcome["skipped"] = True
                            continue
                        await queue.put((page, await self._prepare(feed, page)))
                        if not self._gate.is_set():
                            await self._gate.wait()  # paused: ask for nothing more
                        if self._cancelled:
                            break
                    else:
                        outcome["complete"] = True
            except asyncio.CancelledError:
                raise  # the writer side stopped reading (it failed): waiting to hand it the end would never end
            except Exception as exc:  # noqa: BLE001 - handed to the writer, which records it
                outcome["error"] = exc
            await queue.put(end)

        await self._emit(event())
        fetcher: asyncio.Task[None] | None = None
        try:
            if feed.kind == "export":  # inside: a store that fails here fails this feed, not the whole run
                await self._write(self.store.begin_fill, feed.table)
            fetcher = asyncio.create_task(fetch(), name=f"sync-fetch:{feed.name}")
            finished = False
            while not finished:
                item = await queue.get()
                if item is end:
                    break
                batch: list[tuple[FeedPage, Any]] = [item]
                rows = len(item[0].rows)
                while rows < self.batch_rows and not queue.empty():
                    more = queue.get_nowait()
                    if more is end:
                        finished = True
                        break
                    batch.append(more)
                    rows += len(more[0].rows)
                if feed.kind == "list":
                    for page, _ in batch:
                        seen.update(_ids(page.rows))
                await self._write(self._commit_pages, feed, batch)
                result.pages += len(batch)
                result.records += rows
                last_has_more = batch[-1][0].has_more
                await self._emit(event(has_more=last_has_more))
            await fetcher
            if outcome["error"] is not None:
                raise outcome["error"]
            if outcome["complete"]:
                await self._write(self._finish_feed, feed, seen, result.pages)
                result.complete = True
                result.skipped = outcome["skipped"] and not result.pages
            else:
                result.cancelled = True
        except asyncio.CancelledError:
            result.cancelled = True
            if fetcher is not None:
                fetcher.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 - one feed's failure is recorded; the others go on
            if fetcher is not None:
                fetcher.cancel()
                with contextlib.suppress(BaseException):
                    await fetcher
            unavailable = exc.unavailable if isinstance(exc, ProviderError) else None
            if isinstance(exc, CacheFault):  # the cache itself (a full disk): every feed would fail the same way
                if self._fault is None:
                    self._fault = result.error = _one_line(exc)
                    self.cancel()
                else:  # another feed said so first: this one just stopped
                    result.cancelled = True
            elif unavailable is not None and self._stopped is not None:
                result.cancelled = True  # the run already stopped for this: said once, by the feed that found it
            else:
                result.error = _one_line(exc)
                result.retry_after = exc.retry_after if isinstance(exc, ProviderError) else None
                if unavailable is not None:  # not this feed's failure: the run's, which its summary says once
                    log.info("sync of %s stopped the run: %s", feed.name, result.error)
                    self.stop(unavailable)
                else:
                    # a backend's failure says it all; anything else (a bug) gets its traceback
                    log.warning("sync of %s failed: %s", feed.name, result.error,
                                exc_info=not isinstance(exc, ProviderError))
            if result.error is not None:
                with contextlib.suppress(Exception):
                    await self._write(self._fail_feed, feed, result.error)
        finally:
            result.seconds = time.perf_counter() - started
        await self._emit(event(done=result.complete, error=result.error, cancelled=result.cancelled,
                               skipped=result.skipped, has_more=not result.complete))
        return result

    # ------------------------------------------------------------------- writer-thread functions

    def _commit_pages(self, feed: Feed, pages: list[tuple[FeedPage, Any]]) -> None:
        """Pages' rows (each as prepared, when it was) and the last page's token, in one transaction."""
        store = self.store
        filled = [(page, prepared) for page, prepared in pages if page.rows]
        rows = sum(len(page.rows) for page, _ in filled)
        with store.transaction():
            if filled:
                store.upsert(feed.table, store.combine([prepared for _, prepared in filled]))
            for page, _ in pages:
                for table, also_rows in page.also:
                    store.upsert(table, also_rows)
                for table, ids in page.gone:
                    store.deactivate(table, ids)
            if feed.kind == "export":
                last = pages[-1][0]
                if last.whole is not None:  # a sweep's end: its counts are the feed's
                    store.save_token(feed.name, last.token, rows=last.whole[0], pages=last.whole[1], whole=True)
                else:
                    store.save_token(feed.name, last.token, rows=rows, pages=len(pages))

    def _finish_feed(self, feed: Feed, seen: set[int], pages: int) -> None:
        store = self.store
        if feed.kind == "export":
            store.finish_fill(feed.table)  # its own transaction (the store builds indexes faster outside any other)
        with store.transaction():
            if feed.kind == "list":
                if _deactivatable(feed.table):
                    store.deactivate_missing(feed.table, seen)
                store.save_token(feed.name, None, rows=len(seen), pages=pages, whole=True)
            store.clear_error(feed.name)

    def _fail_feed(self, feed: Feed, error: str) -> None:
        # A failed feed ends a large first fill too (the indexes it deferred are built): a board that cannot reach
        # the server must not read a big cache without them until it can. A small one, or a cancelled feed, keeps
        # the fill for the next run to resume (with every index live, the rest of the fill would take ~2x as long).
        self.store.record_error(feed.name, error)
        if feed.kind == "export":
            self.store.finish_fill(feed.table, failed=True)


def _ids(rows: Sequence[Any]) -> Iterable[int]:
    for row in rows:
        rid = getattr(row, "id", None)
        if isinstance(rid, int):
            yield rid


def _deactivatable(table: str) -> bool:
    from jpm_tui.cache.store import TABLES

    spec = TABLES.get(table)
    return spec is not None and spec.conflict == ("id",) and "active" in spec.columns
