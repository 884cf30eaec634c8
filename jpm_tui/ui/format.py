"""Formatting of times and counts for display. ``now`` is always passed in (the app's injectable clock)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

__all__ = ["EMPTY", "Clock", "ago", "count", "local", "short_when", "system_clock", "when", "when_time"]

EMPTY = "—"
"""How a detail view writes a field without a value."""

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware. Tests pass a frozen one."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def local(value: datetime, tz: tzinfo | None) -> datetime:
    """``value`` in the display timezone (naive datetimes are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz) if tz is not None else value.astimezone()


def ago(value: datetime | None, now: datetime) -> str:
    """'just now', '42s ago', '5m ago', '3h ago', '2d ago', or '' for None."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    seconds = int((now - value).total_seconds())
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{seconds}s ago"
    if seconds < 3600:
        return f"{seconds // 60}m ago"
    if seconds < 86400:
        return f"{seconds // 3600}h ago"
    return f"{seconds // 86400}d ago"


def short_when(value: datetime | None, now: datetime, tz: tzinfo | None) -> str:
    """Compact date+time for table cells: 'Today 09:00', 'Tmrw 08:00', 'Wed 14:30', '14 May 09:00'."""
    if value is None:
        return ""
    value, today = local(value, tz), local(now, tz).date()
    days = (value.date() - today).days
    clock = value.strftime("%H:%M")
    if days == 0:
        return f"Today {clock}"
    if days == 1:
        return f"Tmrw {clock}"
    if days == -1:
        return f"Yday {clock}"
    if 1 < days < 7:
        return f"{value.strftime('%a')} {clock}"
    if value.year == today.year:
        return f"{value.day} {value.strftime('%b')} {clock}"
    return f"{value.day} {value.strftime('%b')} {value.year}"


def when(value: datetime | None, tz: tzinfo | None) -> str:
    """Full date and time for detail views: '2025-05-14 09:00 (Wed)'."""
    if value is None:
        return EMPTY
    value = local(value, tz)
    return value.strftime("%Y-%m-%d %H:%M (%a)")


def when_time(value: datetime | None, tz: tzinfo | None) -> str:
    """The time of day for detail views, '09:00' (the end of a span whose day ``when`` gave)."""
    return local(value, tz).strftime("%H:%M") if value is not None else EMPTY


def count(n: int | None) -> str:
    return "…" if n is None else f"{n:,}"


def phone(value: str) -> str:
    """A North American number as people write it, '(480) 659-0164' (from '4806590164' or '+14806590164');
    any other number as the server gave it (a UK or extension number has its own habits)."""
    digits = value[1:] if value.startswith("+1") else value
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10 and digits.isdigit():
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return value
