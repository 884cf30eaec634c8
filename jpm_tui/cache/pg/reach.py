"""A team cache that cannot be reached, said once, the same way everywhere (the board's header, a refused write,
the command line, ``doctor``): ``CacheUnreachable``, a ``CacheFault`` (the world's doing) naming the database without
its password, with libpq's reason in a line."""

from __future__ import annotations

import psycopg

from jpm_tui.cache.health import CacheFault

#: libpq's first words for a server that is gone, kept short for the header
_LIBPQ_PREFIXES = ("connection failed: ", "consuming input failed: ", "sending query failed: ")


class CacheUnreachable(CacheFault):
    """The team's database does not answer, or refuses us (down, network, authentication, no such database)."""


def reason(error: BaseException, password: str | None = None) -> str:
    """libpq's words for ``error`` on one line, as the server or libpq said them ("Connection refused", "FATAL:
    password authentication failed for user "jpm"", "terminating connection due to administrator command"),
    without ``password`` should a server or driver ever echo it."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    for prefix in _LIBPQ_PREFIXES:
        text = text.removeprefix(prefix)
    text = text.rsplit(" failed: ", 1)[-1]  # 'connection to server at "db", port 5432 failed: <why>'
    if password:
        text = text.replace(password, "***")
    return text


def unreachable(error: BaseException, where: str, password: str | None = None) -> CacheUnreachable:
    """The ``CacheUnreachable`` that a psycopg ``error`` on the database ``where`` (a redacted URL) stands for."""
    why = reason(error, password)
    return CacheUnreachable(f"the team cache {where} cannot be reached: {why}", reason=why)


def is_unreachable(error: BaseException) -> bool:
    """Whether ``error`` is the database going away or refusing a connection (not a bug in a statement)."""
    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)


def forget_connections(store: object) -> None:
    """A team cache's connections died with its database: close them all, so that each thread makes a new one on
    its next statement rather than finding out on it that its old one is dead (a SQLite store has none to forget)."""
    from jpm_tui.cache.pg import PgStore

    if isinstance(store, PgStore):
        store.db.discard()
