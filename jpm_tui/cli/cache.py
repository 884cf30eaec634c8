"""``jpm-tui cache info|purge|rescue``: inspect, delete or rescue the local cache."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .common import CliError, Common, Subparsers, _open_store, _print_json, cache_path, command_group, open_session


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
    engine = (f"SQLite {info['sqlite_version']}" if "sqlite_version" in info  # else a team's database
              else f"PostgreSQL {info['postgresql_version']}")
    print(f"cache:   {info.get('path') or info['url']}")
    print(f"size:    {_human_bytes(info['bytes'])} (schema {info['schema_version']}, {engine})")
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


def _one_persons(session: Any, command: str) -> None:
    """``purge`` and ``rescue`` are for one person's SQLite file, not a team's database."""
    if session.cache_url is not None:
        raise CliError(f"cache {command}: the profile's cache is the team's database {session.cache_url}, not a file "
                       "of yours; its administrator looks after it")


def _cache_purge(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        _one_persons(session, "purge")
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

    from ..cache.rescue import rescue
    from ..cache.store import CacheStore

    with open_session(args) as session:
        _one_persons(session, "rescue")
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
    from ..cache.rescue import read_outbox

    rows, complete = read_outbox(path)
    if not complete:
        raise CliError(f"cache purge: the outbox of the damaged cache {path} cannot be read in full; "
                       "`jpm-tui cache rescue` keeps the changes it can read, or add --discard-outbox to lose them")
    return sum(1 for row in rows if row.get("state") != "done")


def _human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"
