"""Saved views: the board's meaning of a config ``[[views]]`` entry's ``filters`` table.

```toml
[[views]]
name = "Urgent holds"
filters = { statuses = ["Hold"], priorities = ["Urgent", "High"], business_unit_ids = [12], text = "leak",
            appointment_from = "2025-05-01", appointment_to = "2025-05-31", sort = "next_appointment" }
```
Filter names: ``text``; ``statuses``, ``priorities`` (lists of names; a single string is accepted); ``categories``
(what statuses mean, whatever the backend calls them: open, scheduled, dispatched, working, held, done, canceled,
closed; the backend's statuses of those, added to ``statuses``);
``job_type_ids``, ``business_unit_ids``, ``technician_ids`` (lists of ids); ``appointment_from`` /
``appointment_to`` (YYYY-MM-DD, ``to`` inclusive); ``sort`` (a column: number, status, priority, job_type,
business_unit, customer, next_appointment, technicians, summary, modified); ``descending`` (bool).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from ..provider.backends import workflow_for
from ..provider.workflow import StatusCategory, Workflow
from .source import JobQuery, SavedView
from .widgets.job_table import COLUMNS

__all__ = ["FILTER_NAMES", "ViewError", "filters_from_query", "view_from_filters", "views_from_config"]

FILTER_NAMES = ("text", "statuses", "categories", "priorities", "job_type_ids", "business_unit_ids", "technician_ids",
                "appointment_from", "appointment_to", "sort", "descending")


class ViewError(ValueError):
    """A view's filters make no sense; the message names the view and the filter."""


def _strings(view: str, key: str, value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) and v for v in values):
        raise ViewError(f"view {view!r}: filters.{key}: expected a name or a list of names, got {value!r}")
    return tuple(values)


def _ids(view: str, key: str, value: Any) -> tuple[int, ...]:
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise ViewError(f"view {view!r}: filters.{key}: expected an id or a list of ids, got {value!r}")
    return tuple(values)


def _day(view: str, key: str, value: Any, tz: tzinfo | None, *, end: bool) -> datetime:
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise ViewError(f"view {view!r}: filters.{key}: expected a date YYYY-MM-DD, got {value!r}") from None
    if end:
        day += timedelta(days=1)
    start = datetime.combine(day, time())
    return start.replace(tzinfo=tz) if tz is not None else start.astimezone()


def view_from_filters(name: str, filters: Mapping[str, Any], tz: tzinfo | None = None,
                      workflow: Workflow | None = None) -> SavedView:
    """``workflow``: the backend's (default: the default backend's), whose statuses a category stands for."""
    unknown = sorted(set(filters) - set(FILTER_NAMES))
    if unknown:
        raise ViewError(f"view {name!r}: unknown filter(s) {', '.join(unknown)} "
                        f"(known: {', '.join(FILTER_NAMES)})")
    changes: dict[str, Any] = {}
    if "text" in filters:
        changes["text"] = str(filters["text"])
    for key in ("statuses", "priorities"):
        if key in filters:
            changes[key] = _strings(name, key, filters[key])
    if "categories" in filters:
        statuses = _category_statuses(name, _strings(name, "categories", filters["categories"]),
                                      workflow or workflow_for())
        changes["statuses"] = tuple(dict.fromkeys([*changes.get("statuses", ()), *statuses]))
    for key in ("job_type_ids", "business_unit_ids", "technician_ids"):
        if key in filters:
            changes[key] = _ids(name, key, filters[key])
    if "appointment_from" in filters:
        changes["appointment_from"] = _day(name, "appointment_from", filters["appointment_from"], tz, end=False)
    if "appointment_to" in filters:
        changes["appointment_to"] = _day(name, "appointment_to", filters["appointment_to"], tz, end=True)
    if "sort" in filters:
        keys = [c.key for c in COLUMNS]
        if filters["sort"] not in keys:
            raise ViewError(f"view {name!r}: filters.sort: expected one of {', '.join(keys)}, got {filters['sort']!r}")
        changes["sort"] = filters["sort"]
    if "descending" in filters:
        changes["descending"] = bool(filters["descending"])
    return SavedView(name, JobQuery(**changes))


def _category_statuses(view: str, names: tuple[str, ...], workflow: Workflow) -> list[str]:
    known = [c.value for c in StatusCategory]
    if unknown := [n for n in names if n not in known]:
        raise ViewError(f"view {view!r}: filters.categories: unknown {', '.join(unknown)} (known: {', '.join(known)})")
    return [s.value for s in workflow.job_statuses if s.category.value in names]


def views_from_config(views: Iterable[Any], tz: tzinfo | None = None,
                      workflow: Workflow | None = None) -> list[SavedView]:
    """Config ``SavedView`` models (name + filters) -> board views, for the backend's ``workflow``; board views
    pass through."""
    out: list[SavedView] = []
    for view in views:
        out.append(view if isinstance(view, SavedView) else view_from_filters(view.name, view.filters, tz, workflow))
    return out


def filters_from_query(query: JobQuery, tz: tzinfo | None = None) -> dict[str, Any]:
    """The ``filters`` table of a ``[[views]]`` entry for ``query`` (inverse of ``view_from_filters``):
    only what differs from the default query, dates as local days (``appointment_to`` inclusive)."""
    default = JobQuery()
    out: dict[str, Any] = {}
    if query.text:
        out["text"] = query.text
    for key in ("statuses", "priorities", "job_type_ids", "business_unit_ids", "technician_ids"):
        if getattr(query, key):
            out[key] = list(getattr(query, key))

    def day(value: datetime) -> date:
        return (value.astimezone(tz) if tz is not None else value.astimezone()).date()

    if query.appointment_from is not None:
        out["appointment_from"] = day(query.appointment_from).isoformat()
    if query.appointment_to is not None:
        out["appointment_to"] = (day(query.appointment_to) - timedelta(days=1)).isoformat()
    if query.sort != default.sort:
        out["sort"] = query.sort
    if query.descending:
        out["descending"] = True
    return out
