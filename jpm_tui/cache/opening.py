"""The one place a profile's cache store is opened: its SQLite file, or the team's PostgreSQL database its
``cache_url`` names. The board, the command line and ``sync --watch`` all open theirs here (through
``Session.open_store``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jpm_tui.cache.pg.notify import ChangeListener
    from jpm_tui.cache.store.interface import Store
    from jpm_tui.provider.workflow import Workflow


@dataclass(frozen=True)
class CacheLocation:
    """Where a profile's cache is: ``path`` (its SQLite file, always known) unless ``url`` names a team's
    PostgreSQL database; ``password`` resolves that database's password (None: none is configured)."""

    path: Path
    url: str | None = None
    password: Callable[[], str | None] | None = None

    @property
    def shared(self) -> bool:
        return self.url is not None

    def conninfo(self) -> str:
        """The database's connection string with its password (never to be shown: ``where`` is)."""
        assert self.url is not None
        password = self.password() if self.password is not None else None
        if password is None:
            return self.url
        from jpm_tui.cache.pg.db import with_password

        return with_password(self.url, password)  # the store shows the URL as written, without it

    def listener(self, on_changes: Callable[[frozenset[str]], None],
                 on_reach: Callable[[str | None], None]) -> ChangeListener:
        """A ``ChangeListener`` on this team cache (not started), for a board's ``TeamLive``."""
        from jpm_tui.cache.pg.notify import ChangeListener

        password = self.password() if self.password is not None else None
        return ChangeListener(self.conninfo(), on_changes, on_reach, password=password)

    @property
    def where(self) -> str:
        """The cache for messages: the file, or the database's URL (it never holds a password: config refuses one)."""
        return self.url if self.url is not None else str(self.path)


def open_store(location: CacheLocation, *, create: bool = True,
               on_upgrade: Callable[[str, int, int], None] | None = None,
               workflow: Workflow | None = None) -> Store | None:
    """The store at ``location`` (its schema made or upgraded; ``on_upgrade(where, from, to)`` first). ``create=False``:
    None for a SQLite file that does not exist yet. A database that cannot be reached raises ``CacheUnreachable``."""
    if location.url is None:
        from jpm_tui.cache.store import CacheStore

        if not create and not location.path.exists():
            return None
        return CacheStore(location.path, on_upgrade=None if on_upgrade is None else
                          lambda path, old, new: on_upgrade(str(path), old, new), workflow=workflow)
    from jpm_tui.cache.pg import PgStore
    from jpm_tui.cache.pg.reach import is_unreachable, unreachable

    conninfo = location.conninfo()
    try:
        return PgStore(conninfo, on_upgrade=on_upgrade, workflow=workflow)
    except Exception as error:
        if is_unreachable(error):
            raise unreachable(error, location.where, location.password() if location.password else None) from None
        raise
