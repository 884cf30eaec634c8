"""Where each feed is (``sync_state``): its continuation token, stored in the same transaction as the page it
ends, the rows and pages it brought, and its last success and error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from jpm_tui.cache.store.db import Database
from jpm_tui.provider.timestamps import format_datetime, parse_datetime


@dataclass(frozen=True)
class SyncState:
    feed: str
    token: str | None
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    rows_total: int
    pages_total: int


def _now() -> str:
    return format_datetime(datetime.now(UTC)) or ""


def save_token(db: Database, feed: str, token: str | None, *, rows: int = 0, pages: int = 1,
               whole: bool = False) -> None:
    """Record a page of ``feed`` as stored: its continuation token and counts. Call it inside the same
    ``transaction()`` as the page's upsert. ``whole``: ``rows`` and ``pages`` are the feed's entire content
    (a list feed, read in full every time): they replace the counts rather than add to them."""
    now = _now()
    counts = ("rows_total = excluded.rows_total, pages_total = excluded.pages_total" if whole else
              "rows_total = rows_total + excluded.rows_total, pages_total = pages_total + excluded.pages_total")
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO sync_state (feed, token, last_success, rows_total, pages_total, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(feed) DO UPDATE SET token = excluded.token, "
            f"last_success = excluded.last_success, {counts}, updated_at = excluded.updated_at",
            (feed, token, now, rows, pages, now),
        )


def record_error(db: Database, feed: str, message: str) -> None:
    now = _now()
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO sync_state (feed, last_error, last_error_at, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(feed) DO UPDATE SET last_error = excluded.last_error, "
            "last_error_at = excluded.last_error_at, updated_at = excluded.updated_at",
            (feed, message, now, now),
        )


def clear_error(db: Database, feed: str) -> None:
    with db.transaction() as conn:
        conn.execute("UPDATE sync_state SET last_error = NULL, last_error_at = NULL WHERE feed = ?", (feed,))


def token(db: Database, feed: str) -> str | None:
    row = db.conn.execute("SELECT token FROM sync_state WHERE feed = ?", (feed,)).fetchone()
    return row[0] if row else None


def reset_feed(db: Database, feed: str) -> None:
    """Forget a feed's token (the next sync starts it from the beginning); rows stay."""
    with db.transaction() as conn:
        conn.execute("UPDATE sync_state SET token = NULL WHERE feed = ?", (feed,))


def sync_states(db: Database) -> list[SyncState]:
    out = []
    for r in db.conn.execute("SELECT * FROM sync_state ORDER BY feed"):
        out.append(SyncState(
            feed=r["feed"], token=r["token"], last_success=parse_datetime(r["last_success"]),
            last_error=r["last_error"], last_error_at=parse_datetime(r["last_error_at"]),
            rows_total=r["rows_total"], pages_total=r["pages_total"],
        ))
    return out
