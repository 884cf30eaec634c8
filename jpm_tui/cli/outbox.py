"""``jpm-tui outbox list|retry|confirm|drop``: the changes waiting to be sent."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime, tzinfo
from typing import Any

from .common import CliError, Common, Subparsers, _open_store, _print_json, command_group, open_session


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


def _fmt_time(value: datetime | None, tz: tzinfo | None) -> str:
    """In the profile's zone (the machine's when it names none), as the descriptions beside it are."""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if value is not None else "?"


def _print_entries(entries: list[tuple[Any, str]], me: str, tz: tzinfo | None) -> None:
    """``entries``: (outbox entry, its description in words); ``me``: who lists them (whose rows need no name
    while nobody else's are listed)."""
    if not entries:
        print("the outbox is empty")
        return
    shared = any(e.author != me for e, _ in entries)
    print(f"{'ID':>5}  {'CREATED':<20}  {'STATE':<8}  COMMAND")
    for e, words in entries:
        by = f"  (by {e.author or 'unknown'})" if shared else ""
        print(f"{e.id:>5}  {_fmt_time(e.created_at, tz):<20}  {e.state:<8}  {words}{by}")
        if e.error_text:
            print(f"{'':>5}  {'':<20}  {'':<8}  ↳ {e.error_text}")


def _outbox_list(args: argparse.Namespace) -> int:
    from ..cache.outbox import OPEN_STATES, Outbox, author_name
    from ..provider.backends import workflow_for

    with open_session(args) as session:
        store = _open_store(session, create=False)
        me, tz = author_name(session.dispatcher_name), session.tz
        if store is None:
            entries: list[tuple[Any, str]] = []
        else:
            try:
                outbox = Outbox(store, workflow=workflow_for(session.backend), author=me)  # yours first
                entries = [(e, outbox.describe(e, session.tz)) for e in outbox.listing(None if args.all else OPEN_STATES)]
            finally:
                store.close()
    if args.json:
        _print_json([{**e.to_dict(), "description": words} for e, words in entries])
    else:
        _print_entries(entries, me, tz)
    return 0


def _outbox_drop(args: argparse.Namespace) -> int:
    from ..cache.outbox import Outbox, OutboxError
    from ..provider.backends import workflow_for

    with open_session(args) as session:
        store = _open_store(session, create=False)
        if store is None:
            raise CliError(f"outbox drop: no outbox entry {args.id} (no cache yet)")
        try:
            outbox = Outbox(store, workflow=workflow_for(session.backend))
            entry = outbox.drop(args.id)
            words = outbox.describe(entry, session.tz)
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
    from ..backends import backend_for
    from ..cache.outbox import Outbox, OutboxError
    from ..provider.backends import workflow_for

    action = "confirm" if confirm else "retry"

    async def run(store: Any, session: Any) -> Any:
        provider = backend_for(session.backend).provider(session, store)  # the profile's backend
        async with provider.client:
            outbox = Outbox(store, provider, workflow=workflow_for(session.backend))
            if confirm:
                await outbox.confirm(args.id)
            elif args.id is not None:
                outbox.retry(args.id)
            return await outbox.replay(), outbox

    with open_session(args) as session:
        store = _open_store(session)
        try:
            report, outbox = asyncio.run(run(store, session))
            touched = [(e, outbox.describe(e, session.tz)) for e in
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
