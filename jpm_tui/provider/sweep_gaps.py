"""What one page of a sweep (a job list read in id order, in offset pages) says of the cached jobs it did not list.

A page judges the cached active jobs of its id span: the first page's span starts at id 0, the last one's runs to the
end, and a later page's starts after the last id the stored pages listed. A job of the span it did not list is gone,
except one between that last id and the page's first: a job deleted before the page shifts every later job back one
place (the page is an offset), so the page may start one job late, and such a job may have moved onto the page
before. Those few are asked for by id: found, they are listed; not found, gone. BigChange's and FSM Navigator's job
sweeps share this.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["LAST_ID", "Verdict", "judge"]

LAST_ID = 2**62
"""Above any job id: the last page's span runs to it."""


@dataclass(frozen=True, slots=True)
class Verdict:
    found: list[Mapping[str, Any]]
    """Jobs shifted onto the page before, read by id: still on the server (their payloads, as the reader gave them)."""
    gone: list[int]
    """Cached active jobs of the span that the server no longer has."""


async def judge(cached: Any | None, ids: Sequence[int], low: int, high: int, *, first: bool,
                read_by_id: Callable[[list[int]], Awaitable[Sequence[Mapping[str, Any]]]],
                id_of: Callable[[Mapping[str, Any]], int]) -> Verdict:
    """The verdict of a page listing ``ids`` on the cached jobs of [low, high] (``cached.job_versions``; None: no job
    is cached, none is judged). ``read_by_id`` reads jobs by id (those not found are left out)."""
    if cached is None:
        return Verdict([], [])
    versions = await asyncio.to_thread(cached.job_versions, low, high)
    listed = set(ids)
    unlisted = sorted(i for i, (_, active) in versions.items() if active and i not in listed)
    shifted = [] if first else [i for i in unlisted if not ids or i < min(ids)]
    found = list(await read_by_id(shifted)) if shifted else []
    found_ids = {id_of(item) for item in found}
    return Verdict(found, [i for i in unlisted if i not in found_ids])
