"""Headless cache commands: ``jpm-tui sync``, ``jpm-tui cache info|purge``, ``jpm-tui outbox list|retry|confirm|drop``.

Registered with :func:`jpm_tui.cli.command_group` (this module is imported at the bottom of ``cli.py``).
``--demo`` runs them against the in-process sandbox and a temporary cache directory (removed on exit), never
the user's real cache.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .cli import CliError, Common, Subparsers, _demo_cache_dir, _path, _positive_int, command_group
from .config import default_cache_dir, load_config

__all__ = ["cache_path", "open_session"]

#: the longest the end of `jpm-tui sync` checks the cache file for damage (SQLite's quick_check): all of a cache
#: of ~100,000 jobs; a million-job cache takes 2.3-3.6 s warm, 25 s cold, and is left to `jpm-tui doctor`
SYNC_CHECK_SECONDS = 2.0


# ------------------------------------------------------------------------------------------ helpers


def cache_path(session: Any) -> Path:
    """The cache file of a session: one per (backend, environment, tenant) inside the session's cache directory."""
    return session.cache_file


@contextlib.contextmanager
def open_session(args: argparse.Namespace) -> Iterator[Any]:
    """The session the arguments name: ``--demo`` (temporary cache dir, removed afterwards) or a profile. An
    SQLite error inside the block that is the world's doing (damaged, full, read-only) leaves it as the
    ``CacheFault`` naming the session's cache file."""
    from .session import demo_session, profile_session

    if args.demo:
        with _demo_cache_dir() as cache_dir:
            session = demo_session(cache_dir, jobs=args.demo_jobs)
            with _cache_faults(session):
                yield session
        return
    config = load_config(_path(args))
    profile = config.profile(args.profile)
    session = profile_session(config, profile, default_cache_dir())
    with _cache_faults(session):
        yield session


@contextlib.contextmanager
def _cache_faults(session: Any) -> Iterator[None]:
    import sqlite3

    from .cache.health import cache_fault

    try:
        yield
    except sqlite3.DatabaseError as error:
        fault = cache_fault(error, cache_path(session))
        if fault is None:
            raise
        raise fault from error


def _open_store(session: Any, *, create: bool = True) -> Any:
    from .cache.store import CacheStore
    from .session import say_cache_upgrade

    path = cache_path(session)
    if not create and not path.exists():
        return None
    return CacheStore(path, on_upgrade=say_cache_upgrade)


def _human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, default=str, ensure_ascii=False))


# ============================================================================================= sync


@command_group
def _sync_commands(sub: Subparsers, common: Common) -> None:
    sync = sub.add_parser(
        "sync", parents=[common.profile, common.demo],
        help="fill the cache from ServiceTitan (incremental; safe to interrupt)",
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
    sync.set_defaults(handler=_sync)


def _sync(args: argparse.Namespace) -> int:
    from .cache.sync import SyncError

    from .cache.health import quick_check

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
    from .cache.sync import SyncEngine
    from .provider.servicetitan import ServiceTitanProvider

    client = session.make_client()
    async with client:
        engine = SyncEngine(store, ServiceTitanProvider(client), concurrency=args.concurrency)
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


async def _run_with_lines(engine: Any, feeds: list[str] | None, full: bool) -> Any:
    """Plain lines (stdout is not a terminal): one per feed at most every 2 s while it runs, one at its end."""
    last: dict[str, float] = {}

    def show(event: Any) -> None:
        if engine.stopped is not None:
            return  # every feed stops for one reason, which the command says once
        now = time.monotonic()
        if event.error:
            print(f"{event.feed}: FAILED after {event.records} records: {event.error}", flush=True)
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
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.markup import escape

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


# ============================================================================================ cache


@command_group
def _cache_commands(sub: Subparsers, common: Common) -> None:
    cache = sub.add_parser("cache", help="inspect or delete the local cache",
                           description="Inspect or delete the local cache of a profile.")
    actions = cache.add_subparsers(dest="action", metavar="ACTION", required=True)
    info = actions.add_parser("info", parents=[common.profile, common.demo],
                              help="path, size, rows per table, last sync per feed")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(handler=_cache_info)
    purge = actions.add_parser("purge", parents=[common.profile, common.demo],
                               help="delete the cache file (asks first unless --yes)")
    purge.add_argument("--yes", "-y", action="store_true", help="do not ask")
    purge.add_argument("--discard-outbox", action="store_true",
                       help="purge even though the outbox holds changes not sent yet (they are lost)")
    purge.set_defaults(handler=_cache_purge)
    rescue = actions.add_parser(
        "rescue", parents=[common.profile, common.demo],
        help="set a damaged cache aside and start a fresh one, keeping the changes not sent yet",
        description="When the cache file is damaged (a command says so, or `jpm-tui doctor` does): rename it to "
                    "<name>.damaged-<time> beside it (kept, not deleted), start a fresh cache holding every "
                    "outbox row that can still be read from it, and let the next sync refill the rest. A cache "
                    "that is not damaged is left alone.")
    rescue.set_defaults(handler=_cache_rescue)


def _cache_info(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        path = cache_path(session)
        store = _open_store(session, create=False)
        if store is None:
            if args.json:
                _print_json({"path": str(path), "exists": False})
            else:
                print(f"no cache yet at {path} (run `jpm-tui sync`)")
            return 0
        try:
            info = store.info()
        finally:
            store.close()
    info["exists"] = True
    if args.json:
        _print_json(info)
        return 0
    print(f"cache:   {info['path']}")
    print(f"size:    {_human_bytes(info['bytes'])} (schema {info['schema_version']}, SQLite {info['sqlite_version']})")
    print(f"jobs:    {info['active_jobs']:,} active")
    outbox = info.get("outbox") or {}
    unsent = sum(n for state, n in outbox.items() if state != "done")
    print(f"outbox:  {unsent} not sent" + (f" ({', '.join(f'{n} {s}' for s, n in sorted(outbox.items()))})"
                                          if outbox else ""))
    print("rows:")
    for table, n in info["counts"].items():
        print(f"  {table:<26}{n:>10,}")
    print("feeds:")
    feeds = info.get("feeds") or []
    if not feeds:
        print("  never synced")
    for feed in feeds:
        when = feed.get("last_success")
        when_text = when.strftime("%Y-%m-%d %H:%M:%S UTC") if hasattr(when, "strftime") else (when or "never")
        line = f"  {feed['feed']:<26}{when_text:<26}{feed.get('rows_total', 0):>10,} rows"
        if feed.get("last_error"):
            line += f"  ERROR: {feed['last_error']}"
        print(line)
    return 0


def _cache_purge(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        path = cache_path(session)
        files = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
        if not files:
            print(f"no cache at {path}; nothing to delete")
            return 0
        unsent = 0 if args.discard_outbox else _unsent(session, path)
        size = sum(p.stat().st_size for p in files)
        if unsent and not args.discard_outbox:
            raise CliError(f"cache purge: the outbox holds {unsent} change{'s' if unsent != 1 else ''} not sent yet; "
                           f"send them (`jpm-tui outbox retry`), drop them, or add --discard-outbox")
        if not args.yes:
            if not sys.stdin.isatty():
                raise CliError("cache purge: add --yes to delete without asking (stdin is not a terminal)")
            answer = input(f"Delete the cache {path} ({_human_bytes(size)})? The next sync refetches everything. "
                           "[y/N] ").strip().lower()
            if answer not in ("y", "yes"):
                print("kept the cache")
                return 1
        for p in files:
            p.unlink(missing_ok=True)
        print(f"deleted {path} ({_human_bytes(size)})")
    return 0


def _cache_rescue(args: argparse.Namespace) -> int:
    from datetime import datetime

    from .cache.rescue import rescue
    from .cache.store import CacheStore

    with open_session(args) as session:
        path = cache_path(session)
        if not path.exists():
            print(f"no cache at {path}; nothing to rescue")
            return 0
        report = rescue(path, when=datetime.now().astimezone(), open_store=CacheStore)
    if report.aside is None:
        print(f"the cache {path} is not damaged (SQLite's quick_check passed); nothing done")
        return 0
    lost = "" if report.complete else "; part of its outbox could not be read, and is lost"
    print(f"set the damaged cache aside as {report.aside} ({report.damage})\n"
          f"started a fresh cache at {path} with {report.rescued} outbox row{'s' if report.rescued != 1 else ''} "
          f"({report.open_rescued} not sent yet){lost}\n"
          f"next: `jpm-tui sync` refills it (the board does so by itself)")
    return 0


def _unsent(session: Any, path: Path) -> int:
    """Changes not sent yet, read without opening the cache for writing (a damaged one can still be purged)."""
    from .cache.rescue import read_outbox

    rows, complete = read_outbox(path)
    if not complete:
        raise CliError(f"cache purge: the outbox of the damaged cache {path} cannot be read in full; "
                       "`jpm-tui cache rescue` keeps the changes it can read, or add --discard-outbox to lose them")
    return sum(1 for row in rows if row.get("state") != "done")


# =========================================================================================== outbox


@command_group
def _outbox_commands(sub: Subparsers, common: Common) -> None:
    outbox = sub.add_parser("outbox", help="changes waiting to be sent: list, retry, confirm, drop",
                            description="Every change the board makes is queued in the outbox first, then sent. "
                                        "Changes made offline wait there; conflicts and rejections stay until "
                                        "you decide.")
    actions = outbox.add_subparsers(dest="action", metavar="ACTION", required=True)
    list_ = actions.add_parser("list", parents=[common.profile, common.demo], help="show queued changes")
    list_.add_argument("--all", action="store_true", help="include changes already done")
    list_.add_argument("--json", action="store_true", help="print JSON")
    list_.set_defaults(handler=_outbox_list)
    retry = actions.add_parser("retry", parents=[common.profile, common.demo],
                               help="send what is queued now (with ID: put a failed change back in the queue first)")
    retry.add_argument("id", nargs="?", type=int, metavar="ID")
    retry.add_argument("--json", action="store_true", help="print the replay report as JSON")
    retry.set_defaults(handler=_outbox_retry)
    confirm = actions.add_parser("confirm", parents=[common.profile, common.demo],
                                 help="send a change held as a conflict anyway")
    confirm.add_argument("id", type=int, metavar="ID")
    confirm.set_defaults(handler=_outbox_confirm)
    drop = actions.add_parser("drop", parents=[common.profile, common.demo], help="delete a queued change")
    drop.add_argument("id", type=int, metavar="ID")
    drop.set_defaults(handler=_outbox_drop)


def _fmt_time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "strftime") else "?"


def _print_entries(entries: list[tuple[Any, str]]) -> None:
    """``entries``: (outbox entry, its description in words)."""
    if not entries:
        print("the outbox is empty")
        return
    print(f"{'ID':>5}  {'CREATED (UTC)':<19}  {'STATE':<8}  COMMAND")
    for e, words in entries:
        print(f"{e.id:>5}  {_fmt_time(e.created_at):<19}  {e.state:<8}  {words}")
        if e.error_text:
            print(f"{'':>5}  {'':<19}  {'':<8}  ↳ {e.error_text}")


def _outbox_list(args: argparse.Namespace) -> int:
    from .cache.outbox import OPEN_STATES, Outbox

    with open_session(args) as session:
        store = _open_store(session, create=False)
        if store is None:
            entries: list[tuple[Any, str]] = []
        else:
            try:
                outbox = Outbox(store)
                entries = [(e, outbox.describe(e)) for e in outbox.entries(None if args.all else OPEN_STATES)]
            finally:
                store.close()
    if args.json:
        _print_json([{**e.to_dict(), "description": words} for e, words in entries])
    else:
        _print_entries(entries)
    return 0


def _outbox_drop(args: argparse.Namespace) -> int:
    from .cache.outbox import Outbox, OutboxError

    with open_session(args) as session:
        store = _open_store(session, create=False)
        if store is None:
            raise CliError(f"outbox drop: no outbox entry {args.id} (no cache yet)")
        try:
            outbox = Outbox(store)
            entry = outbox.drop(args.id)
            words = outbox.describe(entry)
        except OutboxError as error:
            raise CliError(f"outbox drop: {error}") from None
        finally:
            store.close()
    print(f"dropped #{entry.id}: {words}")
    return 0


def _outbox_retry(args: argparse.Namespace) -> int:
    return _outbox_send(args, confirm=False)


def _outbox_confirm(args: argparse.Namespace) -> int:
    return _outbox_send(args, confirm=True)


def _outbox_send(args: argparse.Namespace, *, confirm: bool) -> int:
    from .cache.outbox import Outbox, OutboxError
    from .provider.servicetitan import ServiceTitanProvider

    action = "confirm" if confirm else "retry"

    async def run(store: Any, session: Any) -> Any:
        async with session.make_client() as client:
            outbox = Outbox(store, ServiceTitanProvider(client))
            if confirm:
                await outbox.confirm(args.id)
            elif args.id is not None:
                outbox.retry(args.id)
            return await outbox.replay(), outbox

    with open_session(args) as session:
        store = _open_store(session)
        try:
            report, outbox = asyncio.run(run(store, session))
            touched = [(e, outbox.describe(e)) for e in
                       (outbox.get(i) for i in (*report.done, *report.failed, *report.conflicts))]
        except OutboxError as error:
            raise CliError(f"outbox {action}: {error}") from None
        finally:
            store.close()
    if getattr(args, "json", False):
        _print_json(report.to_dict())
    else:
        for e, words in touched:
            print(f"#{e.id} {e.state}: {words}" + (f" — {e.error_text}" if e.error_text else ""))
        busy = f" ({len(report.busy)} being sent by another process)" if report.busy else ""
        print(f"sent {len(report.done)}, failed {len(report.failed)}, conflicts {len(report.conflicts)}, "
              f"still queued {report.remaining}{busy}")
    if report.stopped:
        raise CliError(f"outbox {action}: stopped, {report.remaining} change(s) still queued: {report.stopped}")
    if report.failed or report.conflicts:
        raise CliError(f"outbox {action}: {len(report.failed)} rejected, {len(report.conflicts)} conflict(s); "
                       f"see `jpm-tui outbox list`")
    return 0
