"""What the UI reads, and how it reads it without blocking.

``JobSource`` is the slice of ``jpm_tui.cache.store.CacheStore`` the board uses; the store satisfies it as is,
and tests may hand in any object that does. ``Reader`` runs those reads on one background thread so a slow
query (a deep window, a count over a million rows) never stalls key handling.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

__all__ = ["JobListRow", "JobQuery", "JobSource", "Reader", "SavedView"]

T = TypeVar("T")

# The query and row types are the store's own: the UI builds queries, the store turns them into SQL.
from jpm_tui.cache.store import JobListRow, JobQuery  # noqa: E402


@runtime_checkable
class JobSource(Protocol):
    """The reads the board makes. ``CacheStore`` implements all of them."""

    def count_jobs(self, query: JobQuery, *, cap: int | None = None) -> int: ...
    def jobs_window(self, query: JobQuery, offset: int, limit: int) -> Sequence[JobListRow]: ...
    def bookmark_job_list(self, query: JobQuery, seconds: float) -> bool: ...
    def job(self, job_id: int) -> Any | None: ...
    def appointments_for_job(self, job_id: int) -> Sequence[Any]: ...
    def appointment_technicians(self, job_id: int) -> Mapping[int, str]: ...
    def notes_for_job(self, job_id: int) -> Sequence[Any]: ...
    def history_for_job(self, job_id: int) -> Sequence[Any]: ...
    def canceled_log_for_job(self, job_id: int) -> Sequence[Any]: ...


@dataclass(frozen=True)
class SavedView:
    """A named query from the configuration, switched to with the number keys."""

    name: str
    query: JobQuery


class Reader:
    """Runs source reads on one dedicated thread, in order.

    One thread (not one per read) keeps SQLite happy: the store may keep a connection per thread, and reads
    never race each other. ``inline=True`` runs reads directly on the event loop (for sources that must stay
    on the thread that made them).
    """

    def __init__(self, *, inline: bool = False) -> None:
        self.inline = inline
        self._executor: ThreadPoolExecutor | None = None

    async def __call__(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self.inline:
            return fn(*args, **kwargs)
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Start a read now, from any thread, even before the event loop runs (inline: run it now)."""
        if self.inline:
            done: Future[T] = Future()
            try:
                done.set_result(fn(*args, **kwargs))
            except Exception as error:  # noqa: BLE001 - handed to whoever waits, as the thread would
                done.set_exception(error)
            return done
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jpm-ui-reader")
        return self._executor.submit(fn, *args, **kwargs)

    def close(self) -> None:
        """Drop queued reads and wait for the one in flight (milliseconds): the store may be closed next, and
        closing a connection under a running query crashes SQLite."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
