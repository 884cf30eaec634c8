"""A job's planned times against its real ones, in one line: ``planned 10:30 to 12:30, real 10:49 to 12:29 (started
19 min late, ended 1 min early)``, each span with an en dash. Times are local; a time on another day than the plan's start carries its date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from ..provider.workflow import JobTimes
from .format import local, when

__all__ = ["planned_vs_real", "span"]


def span(delta: timedelta) -> str:
    """``19 min``, ``2 h 5 min``, ``1 d 3 h`` (the size of a difference; its sign is said in words)."""
    minutes = abs(round(delta.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def _difference(what: str, real: datetime, planned: datetime) -> str:
    delta = real - planned
    if abs(delta) < timedelta(minutes=1):
        return f"{what} on time"
    return f"{what} {span(delta)} {'late' if delta > timedelta(0) else 'early'}"


def _window(start: datetime, end: datetime | None, tz: tzinfo | None, day: date | None) -> str:
    """``10:49`` to ``12:29`` (an en dash between): a time on ``day`` as hours and minutes, on another day with
    its date; the end is read against the start's day."""

    def at(value: datetime, on: date | None) -> str:
        shown = local(value, tz)
        return shown.strftime("%H:%M") if shown.date() == on else when(value, tz)

    return f"{at(start, day)}–{at(end, local(start, tz).date()) if end is not None else ''}"


def planned_vs_real(times: JobTimes, tz: tzinfo | None) -> str:
    planned_start, planned_end, real_start, real_end = (
        times.planned_start, times.planned_end, times.real_start, times.real_end)
    day = local(planned_start, tz).date() if planned_start is not None else None
    parts = [f"planned {_window(planned_start, planned_end, tz, None)}" if planned_start is not None
             else "not planned"]
    parts.append(f"real {_window(real_start, real_end, tz, day)}" if real_start is not None else "not started")
    differences = []
    if planned_start is not None and real_start is not None:
        differences.append(_difference("started", real_start, planned_start))
    if real_start is not None and real_end is None:
        differences.append("not ended yet")
    elif planned_end is not None and real_end is not None:
        differences.append(_difference("ended", real_end, planned_end))
    line = ", ".join(parts)
    return f"{line} ({', '.join(differences)})" if differences else line
