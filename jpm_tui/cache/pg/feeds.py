"""Where each feed is (``sync_state``), in PostgreSQL: as ``jpm_tui.cache.store.feed_state`` does it in SQLite (a
page's token stored in the same transaction as the page)."""

from __future__ import annotations

from datetime import UTC, datetime

from psycopg.rows import dict_row

from jpm_tui.cache.pg.db import PgDatabase
from jpm_tui.cache.store.feed_state import SyncState
from jpm_tui.provider.timestamps import format_datetime, parse_datetime


def _now() -> str:
    return format_datetime(datetime.now(UTC)) or ""


def save_token(db: PgDatabase, feed: str, token: str | None, *, rows: int = 0, pages: int = 1,
               whole: bool = False) -> None:
    now = _now()
    counts = ("rows_total = excluded.rows_total, pages_total = excluded.pages_total" if whole else
              "rows_total = s.rows_total + excluded.rows_total, pages_total = s.pages_total + excluded.pages_total")
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO sync_state AS s (feed, token, last_success, rows_total, pages_total, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (feed) DO UPDATE SET token = excluded.token, "
            f"last_success = excluded.last_success, {counts}, updated_at = excluded.updated_at",
            (feed, token, now, rows, pages, now),
        )


def record_error(db: PgDatabase, feed: str, message: str) -> None:
    now = _now()
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO sync_state (feed, last_error, last_error_at, updated_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (feed) DO UPDATE SET last_error = excluded.last_error, "
            "last_error_at = excluded.last_error_at, updated_at = excluded.updated_at",
            (feed, message, now, now),
        )


def set_token_and_error(db: PgDatabase, feed: str, *, clear_error: bool) -> None:
    """Forget the feed's token (``clear_error=False``: the next sync starts it over; rows stay), or its error."""
    sets = "last_error = NULL, last_error_at = NULL" if clear_error else "token = NULL"
    with db.transaction() as conn:
        conn.execute(f"UPDATE sync_state SET {sets} WHERE feed = %s", (feed,))


def token(db: PgDatabase, feed: str) -> str | None:
    row = db.conn.execute("SELECT token FROM sync_state WHERE feed = %s", (feed,)).fetchone()
    return row[0] if row else None


def sync_states(db: PgDatabase) -> list[SyncState]:
    with db.conn.cursor(row_factory=dict_row) as cur:
        return [SyncState(feed=r["feed"], token=r["token"], last_success=parse_datetime(r["last_success"]),
                          last_error=r["last_error"], last_error_at=parse_datetime(r["last_error_at"]),
                          rows_total=r["rows_total"], pages_total=r["pages_total"])
                for r in cur.execute("SELECT * FROM sync_state ORDER BY feed")]
