"""Listening to a team cache's change notifications (pg/notify_schema.py) on a connection and a thread of its own.

``ChangeListener(url, on_changes, on_reach)``: ``on_changes(tables)`` with the tables a burst of commits changed
(notifications arriving within ``BURST`` seconds of each other are told together); ``on_reach(None)`` once the
connection listens, ``on_reach(reason)`` when it is lost or cannot be made, then it reconnects every ``retry`` seconds
until it can. A quiet connection is checked every ``check`` seconds (a ``SELECT 1``), and TCP keepalives and a user
timeout let a dead network fail in seconds rather than minutes. The callbacks run on the listener's thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from jpm_tui.cache.pg.notify_schema import CHANNEL
from jpm_tui.cache.pg.reach import reason

BURST = 0.05
"""Seconds to wait for more notifications after one: a sync page commits several tables in quick succession."""
CHECK = 1.0
"""Seconds between checks of a connection that heard nothing."""
RETRY = 1.0
"""Seconds between attempts to connect while the database is unreachable."""

#: libpq's options that make a dead server or network an error within a few seconds
#: makes a listener: (on_changes, on_reach) -> a ChangeListener not yet started (``CacheLocation.listener``)
Listen = Callable[[Callable[[frozenset[str]], None], Callable[[str | None], None]], "ChangeListener"]

_LIVELY = {"connect_timeout": 3, "keepalives": 1, "keepalives_idle": 2, "keepalives_interval": 1,
           "keepalives_count": 2, "tcp_user_timeout": 3000}


class ChangeListener:
    """Listens until ``stop()``; ``start()`` starts its thread (a daemon: it never holds the program open)."""

    def __init__(self, url: str, on_changes: Callable[[frozenset[str]], None],
                 on_reach: Callable[[str | None], None], *, check: float = CHECK, retry: float = RETRY,
                 password: str | None = None) -> None:
        """``password``: kept out of the reasons ``on_reach`` is given (``url`` may hold it)."""
        self._url = url
        self._password = password
        self._on_changes = on_changes
        self._on_reach = on_reach
        self._check = check
        self._retry = retry
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="jpm-cache-listener", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """End the thread (within ``check`` or ``retry`` seconds; it is not waited for) and close its connection."""
        self._stopped.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                with psycopg.connect(make_conninfo(self._url, **_LIVELY), autocommit=True,
                                     application_name="jpm-tui listener") as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._on_reach(None)
                    self._listen(conn)
            except psycopg.Error as error:
                if self._stopped.is_set():
                    return
                self._on_reach(reason(error, self._password))
                time.sleep(self._retry)  # not Event.wait: its deadline is absolute, which a faked clock can move

    def _listen(self, conn: psycopg.Connection[Any]) -> None:
        while not self._stopped.is_set():
            changed = {n.payload for n in conn.notifies(timeout=self._check, stop_after=1)}
            if not changed:
                conn.execute("SELECT 1")  # a server that went away unheard (a dead network) fails this
                continue
            changed.update(n.payload for n in conn.notifies(timeout=BURST))
            self._on_changes(frozenset(changed))
