"""``jpm-tui sync``: fill the cache from the backend, incremental and safe to interrupt."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from typing import Any

from .common import (
    CliError,
    Common,
    Subparsers,
    _open_store,
    _positive_int,
    _print_json,
    cache_path,
    command_group,
    open_session,
)

#: the longest the end of `jpm-tui sync` checks the cache file for damage (SQLite's quick_check): all of a cache
#: of ~100,000 jobs; a million-job cache takes 2.3-3.6 s warm, 25 s cold, and is left to `jpm-tui doctor`
SYNC_CHECK_SECONDS = 2.0


@command_group
def _sync_commands(sub: Subparsers, common: Common) -> None:
    sync = sub.add_parser(
        "sync", parents=[common.profile, common.demo],
        help="fill the cache from the profile's backend (incremental; safe to interrupt)",
        description="Copy every feed into the local cache so the board works offline. Incremental from the "
                    "saved positions; each page is committed with its position, so an interrupted sync resumes "
                    "where it stopped. Exit 1 when a feed fails (the others still complete), or when the server "
                    "cannot be reached or refuses sign-in (the sync stops at once, in a few seconds, with one "
                    "message); exit 130 on Ctrl-C, which stops at once keeping what was stored.")
    sync.add_argument("--feeds", metavar="LIST",
                      help="comma-separated feeds to sync (default: all), e.g. jobs,appointments")
    sync.add_argument("--full", action="store_true",
                      help="ignore the saved positions and refetch everything (rows are kept, never deleted)")
    sync.add_argument("--json", action="store_true", help="print a JSON summary instead of progress")
    sync.add_argument("--concurrency", type=_positive_int, default=4, metavar="N",
                      help="feeds fetched at once (default 4)")
    sync.add_argument("--watch", action="store_true",
                      help="run as the team's sync service: keep every feed a few seconds behind the backend and "
                           "send the outbox, until SIGTERM or Ctrl-C (exit 0); one line per round that wrote "
                           "something")
    sync.set_defaults(handler=_sync)


def _sync(args: argparse.Namespace) -> int:
    if args.watch:
        return _watch(args)
    from ..cache.health import quick_check
    from ..cache.sync import SyncError

    with open_session(args) as session:
        store = _open_store(session)
        try:
            summary = asyncio.run(_sync_async(args, session, store))
            if summary.ok:  # damage where the sync did not write is found here, not by the board later; a cache too
                quick_check(store.conn, store.path, budget=SYNC_CHECK_SECONDS)  # big for that is left to doctor
        except SyncError as error:
            raise CliError(f"sync: {error}") from None
        except asyncio.CancelledError:  # a second Ctrl-C
            raise CliError(f"sync stopped; {_KEPT}") from None
        finally:
            store.close()
    if args.json:
        _print_json({**summary.to_dict(), "cache": str(cache_path(session))})
    if summary.stopped == _INTERRUPTED:
        print(f"jpm-tui: sync interrupted; {_KEPT}", file=sys.stderr)
        return 130
    if summary.stopped is not None:
        raise CliError(f"sync stopped: {summary.stopped} (api_url {session.api_url}). Check the network and the "
                       f"profile's api_url and credentials (`jpm-tui doctor` tests them); {_KEPT}")
    if not summary.ok:
        raise CliError(summary.error_line())
    return 0


_INTERRUPTED = "interrupted"
_KEPT = "what was stored is kept, and the next sync resumes from there"


async def _sync_async(args: argparse.Namespace, session: Any, store: Any) -> Any:
    from ..backends import backend_for
    from ..cache.sync import SyncEngine

    provider = backend_for(session.backend).provider(session, store)  # the profile's backend
    async with provider.client:
        engine = SyncEngine(store, provider, concurrency=args.concurrency)
        feeds = [f for f in args.feeds.split(",")] if args.feeds else None
        engine.select(feeds)  # unknown names fail before anything starts
        loop = asyncio.get_running_loop()
        main_task = asyncio.current_task()
        interrupts = 0

        def interrupt() -> None:
            # Ctrl-C: stop now, abandoning the requests in flight (what was committed stays committed; a page being
            # committed commits whole or not at all). Again, while the run winds down: stop waiting for it.
            nonlocal interrupts
            interrupts += 1
            if interrupts == 1:
                engine.stop(_INTERRUPTED)
            elif main_task is not None:
                main_task.cancel()

        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, interrupt)
        try:
            if args.json:
                return await engine.run(feeds, full=args.full)
            if sys.stdout.isatty():
                return await _run_with_bars(engine, feeds, args.full)
            return await _run_with_lines(engine, feeds, args.full)
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGINT)
            await engine.aclose()


def _watch(args: argparse.Namespace) -> int:
    """``sync --watch``: the sync service until SIGTERM / SIGINT (see cache/watch.py)."""
    if args.feeds or args.full or args.json:
        raise CliError("sync --watch keeps every feed fresh; it takes no --feeds, --full or --json")
    with open_session(args) as session:
        if session.secret is not None:  # at start, one line: a team board's profile names the keys it lacks
            session.secret()
        store = _open_store(session)
        try:
            asyncio.run(_watch_async(session, store))
        finally:
            store.close()
    return 0


async def _watch_async(session: Any, store: Any) -> None:
    from functools import partial

    from ..backends import backend_for
    from ..cache.watch import SyncService
    from ..provider.backends import workflow_for

    def say(line: str) -> None:
        print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}", flush=True)

    location = session.cache_location
    service = SyncService(store, partial(backend_for(session.backend).provider, session, store),
                          workflow=workflow_for(session.backend), say=say,
                          listen=location.listener if location.shared else None)  # boards' writes wake it
    loop = asyncio.get_running_loop()
    stops = (signal.SIGTERM, signal.SIGINT)
    for signum in stops:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, service.stop)
    say(f"sync service started on {location.where} ({session.api_url}); SIGTERM or Ctrl-C stops it")
    try:
        await service.serve()
    finally:
        for signum in stops:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
    say("sync service stopped; what was stored is kept")


async def _run_with_lines(engine: Any, feeds: list[str] | None, full: bool) -> Any:
    """Plain lines (stdout is not a terminal): one per feed at most every 2 s while it runs, one at its end."""
    last: dict[str, float] = {}

    def show(event: Any) -> None:
        if engine.stopped is not None:
            return  # every feed stops for one reason, which the command says once
        now = time.monotonic()
        if event.error:
            print(f"{event.feed}: FAILED after {event.records} records: {event.error}", flush=True)
        elif event.skipped:
            print(f"{event.feed}: not due (read recently), nothing asked", flush=True)
        elif event.done:
            print(f"{event.feed}: done, {event.records} records in {event.pages} pages "
                  f"({event.records_per_second:.0f}/s)", flush=True)
        elif event.cancelled:
            print(f"{event.feed}: stopped after {event.records} records", flush=True)
        elif not event.pages:
            last.setdefault(event.feed, now)  # first line after 2 s of work, not for one-page feeds
        elif now - last.get(event.feed, now) >= 2.0:
            last[event.feed] = now
            print(f"{event.feed}: {event.records} records ({event.records_per_second:.0f}/s)", flush=True)

    engine.add_listener(show)
    summary = await engine.run(feeds, full=full)
    if summary.stopped is None:
        print(f"sync: {summary.records} records in {summary.seconds:.1f} s "
              f"({summary.records_per_second:.0f}/s){'' if summary.ok else ' — ' + summary.error_line()}", flush=True)
    return summary


async def _run_with_bars(engine: Any, feeds: list[str] | None, full: bool) -> Any:
    """A progress bar per feed (rich). Export feeds do not say how much is left: bars pulse until done."""
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("{task.description:<24}"), BarColumn(), TextColumn("{task.completed:>9,.0f} records"),
        TextColumn("{task.fields[rate]:>8}"), TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
        transient=False,
    )
    tasks: dict[str, Any] = {}

    def show(event: Any) -> None:
        if engine.stopped is not None:  # one reason for every feed, said once by the command: no bars left
            for task_id in tasks.values():
                progress.remove_task(task_id)
            tasks.clear()
            return
        task = tasks.get(event.feed)
        if task is None:
            task = tasks[event.feed] = progress.add_task(event.feed, total=None, rate="", status="waiting")
        status = event.state
        if event.error:
            status = f"[red]failed: {escape(event.error)}[/red]"  # the server's words: never read as markup
        rate = f"{event.records_per_second:,.0f}/s" if event.pages else ""
        finished = event.done or event.error or event.cancelled
        progress.update(task, completed=event.records, rate=rate, status=status,
                        total=max(event.records, 1) if finished else None)

    engine.add_listener(show)
    with progress:
        summary = await engine.run(feeds, full=full)
    if summary.stopped is None:
        print(f"sync: {summary.records:,} records in {summary.seconds:.1f} s ({summary.records_per_second:,.0f}/s)")
    return summary
