"""Datetimes as the cache stores them: aware UTC, fixed-width ISO-8601 text.

Kept apart from ``domain`` (which re-exports both) so that the job list's reads can import them without
building every domain dataclass first: the board's first paint needs these two functions and no records.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_datetime(value: Any) -> datetime | None:
    """Aware UTC datetime from ISO-8601 text (``Z``, offsets, 7-digit fractions) or a datetime; None stays
    None; text that is not a date becomes None (tolerant by design: the raw payload keeps the original)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def format_datetime(value: datetime | None) -> str | None:
    """Fixed-width ISO-8601 UTC text (``2025-05-01T13:30:00.000000+00:00``): sorts as it compares."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")
