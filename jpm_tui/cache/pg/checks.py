"""``doctor``'s checks of a team's cache: the database answers and takes our credentials, its schema is one this
jpm-tui can use, and its notification channel carries a NOTIFY to a LISTENing connection (what boards are told of
changes by). Each check is a line (ok, text); the database is named without its password."""

from __future__ import annotations

import time
import uuid
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from jpm_tui.cache.pg.notify_schema import CHANNEL
from jpm_tui.cache.pg.reach import reason
from jpm_tui.cache.pg.schema import LATEST

ROUND_TRIP = 2.0
"""Seconds a NOTIFY may take to reach the listener before the channel is said not to work."""
_CONNECT = {"connect_timeout": 5}


def check_team_cache(conninfo: str, where: str, password: str | None = None) -> list[tuple[bool, str]]:
    """The lines for the database ``conninfo`` reaches (``where``: its URL, for the lines); stops after the first
    that fails."""
    try:
        listener = psycopg.connect(make_conninfo(conninfo, **_CONNECT), autocommit=True)
    except psycopg.Error as error:
        return [(False, f"cache: the team cache {where} cannot be reached: {reason(error, password)}; check "
                        "cache_url, the server, and the password (cache_password_env or cache_password_command)")]
    lines = [(True, f"cache: {where} answered (PostgreSQL {listener.info.server_version // 10000})")]
    with listener:
        version = _schema_version(listener)
        if version is not None and version > LATEST:
            lines.append((False, f"cache: schema version {version} is newer than this jpm-tui knows ({LATEST}): "
                                 "upgrade jpm-tui"))
            return lines
        lines.append((True, "cache: schema version " + (
            f"{version} (current)" if version == LATEST else
            f"{version or 'none yet'}; the first board or sync --watch to open it brings it to {LATEST}")))
        lines.append(_round_trip(listener, conninfo, password))
    return lines


def _schema_version(conn: psycopg.Connection[Any]) -> int | None:
    row = conn.execute("SELECT to_regclass('jpm_schema') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return None
    found = conn.execute("SELECT version FROM jpm_schema").fetchone()
    return int(found[0]) if found else None


def _round_trip(listener: psycopg.Connection[Any], conninfo: str, password: str | None) -> tuple[bool, str]:
    """LISTEN on ``listener``, NOTIFY from a second connection (as the sync service's commits do), and time it."""
    payload = f"doctor-{uuid.uuid4().hex}"  # ignored by boards: not a table's name
    listener.execute(f"LISTEN {CHANNEL}")
    try:
        with psycopg.connect(make_conninfo(conninfo, **_CONNECT), autocommit=True) as sender:
            started = time.monotonic()
            sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
    except psycopg.Error as error:
        return False, f"notifications: could not send a NOTIFY on {CHANNEL}: {reason(error, password)}"
    for note in listener.notifies(timeout=ROUND_TRIP):
        if note.payload == payload:
            return True, (f"notifications: a NOTIFY on {CHANNEL} reached a listener in "
                          f"{(time.monotonic() - started) * 1000:.0f} ms")
    return False, (f"notifications: a NOTIFY on {CHANNEL} did not reach a listener within {ROUND_TRIP:g} s; boards "
                   "will not see changes live (a pooler in transaction mode drops LISTEN: connect to the server)")
