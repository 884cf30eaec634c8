"""One OS process replaying a cache's outbox against a sandbox, for tests/cache/test_outbox_processes.py.

    python outbox_worker.py DB URL NOW [--ready FILE --go FILE] [--kill before|after]

Opens the cache file ``DB`` (or the PostgreSQL cache, when ``DB`` is a ``postgresql://`` URL), makes a client for
the sandbox at ``URL`` and an outbox whose clock is pinned at ``NOW`` (ISO-8601, the sandbox's frozen time); then,
with ``--ready``/``--go``, writes ``FILE`` and waits for the go file (so that every worker starts its replay at the
same moment); then replays and prints the report as JSON.
``--kill before``: SIGKILL itself when about to send a command (after the outbox noted ``sent_at``);
``--kill after``: when the command's request has been answered, before the outbox marks the row done.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from sync_world import make_client  # run by path: tests/support/ is sys.path[0]

from jpm_tui.cache.outbox import Outbox
from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.store import CacheStore
from jpm_tui.provider import domain as d
from jpm_tui.provider.base import CommandResult
from jpm_tui.provider.servicetitan import ServiceTitanProvider


class Killed:
    """The real provider, but the process dies around its first ``execute`` (the fault a test asks for)."""

    def __init__(self, inner: ServiceTitanProvider, when: str) -> None:
        self.inner = inner
        self.when = when

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def execute(self, command: d.Command) -> CommandResult:
        if self.when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = await self.inner.execute(command)
        os.kill(os.getpid(), signal.SIGKILL)
        return result


async def replay(args: argparse.Namespace, store: Any) -> dict[str, Any]:
    now = d.parse_datetime(args.now)
    assert now is not None
    async with make_client(args.url, max_retries=1) as client:
        provider: Any = ServiceTitanProvider(client)
        if args.kill:
            provider = Killed(provider, args.kill)
        outbox = Outbox(store, provider, clock=lambda: now)
        if args.ready:
            Path(args.ready).write_text(str(os.getpid()))
            while not Path(args.go).exists():
                time.sleep(0.001)
        return (await outbox.replay()).to_dict()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("url")
    parser.add_argument("now")
    parser.add_argument("--ready")
    parser.add_argument("--go")
    parser.add_argument("--kill", choices=("before", "after"))
    args = parser.parse_args()
    store = PgStore(args.db) if args.db.startswith("postgresql://") else CacheStore(args.db)
    try:
        print(json.dumps(asyncio.run(replay(args, store))))
    finally:
        store.close()


if __name__ == "__main__":
    main()
