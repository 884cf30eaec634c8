"""The demo's start-up, said on the terminal while it runs: the sandbox is made, then every feed's first page is
cached, all feeds side by side, before the board opens. The board then shows job rows at once, and its own sync
goes on from where this one stopped (each export feed from its saved token; a first fill of the jobs table stays a
fill until the feed ends). At a million jobs a whole first sync takes many minutes; the first pages take seconds.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from .session import Session

PREFIX = "jpm-tui: demo: "


def say(message: str) -> None:
    """One progress line on stderr (the board has not taken the screen yet)."""
    print(PREFIX + message, file=sys.stderr, flush=True)


def cache_first_pages(session: Session, store: Any) -> None:
    """Cache the first page of every feed of the demo's sandbox (a small feed whole), saying how far it got."""
    started = time.perf_counter()
    say("caching the first page of each feed…")
    feeds, records = asyncio.run(_first_pages(session, store))
    say(f"{feeds} feeds, {records:,} records cached in {time.perf_counter() - started:.1f} s; opening the board "
        "(the rest fills in behind)")


async def _first_pages(session: Session, store: Any) -> tuple[int, int]:
    from .backends import backend_for
    from .cache.sync import SyncEngine, SyncProgress

    provider = backend_for(session.backend).provider(session, store)
    async with provider.client:
        engine = SyncEngine(store, provider)
        names = engine.feed_names()
        engine.concurrency = len(names)  # side by side: a feed waiting for another's end would wait for minutes
        landed: dict[str, int] = {}
        shown = [0.0]

        def heard(event: SyncProgress) -> None:
            if event.pages or event.done or event.error or event.cancelled:
                landed[event.feed] = event.records
            now = time.monotonic()
            if now - shown[0] >= 1.0:
                shown[0] = now
                say(f"{len(landed)} of {len(names)} feeds have their first page ({sum(landed.values()):,} records)")
            if len(landed) == len(names):
                engine.cancel()  # tokens stay at the last committed page: the board's sync resumes there

        engine.add_listener(heard)
        try:
            await engine.run()
        finally:
            await engine.aclose()
        return len(landed), sum(landed.values())
