"""The team's sync service's heartbeat in its PostgreSQL cache: one row, ``service_heartbeat``, that the service
writes every few seconds (cache/service_heartbeat.py) with what it sees of the backend, and boards read when it
changes (its table: pg/heartbeat_schema.py). Its times are the database
server's (``clock_timestamp()``), written and read on that one clock: a read gives ages in seconds, so the service's
and the boards' machines need not agree on the time."""

from __future__ import annotations

from dataclasses import dataclass

from jpm_tui.cache.pg.db import PgDatabase
from jpm_tui.cache.pg.heartbeat_schema import TABLE


@dataclass(frozen=True)
class Beat:
    """The service's latest heartbeat, as read: ages in seconds at the time of the read."""

    age: float
    online: bool
    """Whether the service reaches the backend (``reason``: why not)."""
    reason: str | None
    round_age: float | None
    """Since its last successful round (None: none yet)."""
    sender: str = ""
    stopped: bool = False
    """The service's last beat: it stopped cleanly (there is no service, however young the beat)."""
    connecting: bool = False
    """The service has not heard from the backend yet (neither online nor offline known)."""


def write_beat(db: PgDatabase, sender: str, online: bool, reason: str | None, round_age: float | None,
               connecting: bool = False) -> None:
    """Beat now; ``round_age``: seconds since the service's last successful round (None keeps the one stored);
    ``connecting``: the backend has not answered the service yet."""
    db.conn.execute(
        f"INSERT INTO {TABLE} AS h (id, sender, beat_at, online, reason, last_round, stopped, connecting) VALUES "
        "(1, %s, clock_timestamp(), %s, %s, clock_timestamp() - make_interval(secs => %s), false, %s) "
        "ON CONFLICT (id) DO UPDATE SET sender = excluded.sender, beat_at = excluded.beat_at, "
        "online = excluded.online, reason = excluded.reason, last_round = coalesce(excluded.last_round, h.last_round), "
        "stopped = false, connecting = excluded.connecting",
        (sender, online, reason, round_age, connecting),
    )


def write_stopped(db: PgDatabase, sender: str) -> None:
    """The last beat of ``sender``, stopping: the beat says so, unless another service has beaten since (the boards
    hear of the latest one, which still runs)."""
    db.conn.execute(f"UPDATE {TABLE} SET beat_at = clock_timestamp(), stopped = true WHERE id = 1 AND sender = %s",
                    (sender,))


def read_beat(db: PgDatabase) -> Beat | None:
    """The latest heartbeat, None when no service ever beat on this cache."""
    row = db.conn.execute(
        "SELECT extract(epoch FROM clock_timestamp() - beat_at)::float8, online, reason, "
        f"extract(epoch FROM clock_timestamp() - last_round)::float8, sender, stopped, connecting FROM {TABLE} WHERE id = 1"
    ).fetchone()
    if row is None:
        return None
    return Beat(age=max(0.0, row[0]), online=row[1], reason=row[2],
                round_age=None if row[3] is None else max(0.0, row[3]), sender=row[4], stopped=row[5],
                connecting=row[6])
