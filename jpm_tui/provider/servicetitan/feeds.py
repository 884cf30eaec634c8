"""ServiceTitan's feeds: which export or list endpoint fills which cache table, with which mapper, in the order the
sync engine runs them. Each page is mapped on a worker thread; an API failure leaves a page iterator as a
``ProviderError``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from jpm_tui.provider.base import Feed, FeedPage

from . import mapping as m
from .errors import translated

__all__ = ["feeds"]

Mapper = Callable[[Mapping[str, Any]], Any]


def feeds(client: Any, *, list_page_size: int, include_recent_changes: bool) -> list[Feed]:
    """In the order the sync engine should run them: small lookups first (so names resolve when jobs arrive), then
    people and places, then jobs and what hangs off them."""
    c = client

    def L(name: str, table: str, method: Callable[..., Awaitable[Any]], mapper: Mapper) -> Feed:  # noqa: N802
        return _list_feed(name, table, method, mapper, list_page_size)

    def X(name: str, table: str, method: Callable[..., AsyncIterator[Any]], mapper: Callable[..., Any],  # noqa: N802
          *, texts: bool = False) -> Feed:
        return _export_feed(name, table, method, mapper, include_recent_changes, texts=texts)

    return [
        L("job_types", "job_types", lambda **kw: c.jpm.list_job_types(active="Any", **kw), m.job_type_from_wire),
        L("cancel_reasons", "cancel_reasons", lambda **kw: c.jpm.list_job_cancel_reasons(active="Any", **kw),
          lambda p: m.reason_from_wire(p, "cancel")),
        L("hold_reasons", "hold_reasons", lambda **kw: c.jpm.list_job_hold_reasons(active="Any", **kw),
          lambda p: m.reason_from_wire(p, "hold")),
        L("project_statuses", "project_statuses", lambda **kw: c.jpm.list_project_statuses(**kw),
          m.project_status_from_wire),
        L("project_types", "project_types", lambda **kw: c.jpm.list_project_types(**kw), m.project_type_from_wire),
        L("zones", "zones", lambda **kw: c.dispatch.list_zones(active="Any", **kw), m.zone_from_wire),
        L("teams", "teams", lambda **kw: c.dispatch.list_teams(include_inactive=True, **kw), m.team_from_wire),
        L("arrival_windows", "arrival_windows",
          lambda **kw: c.dispatch.list_arrival_windows(active="Any", **kw), m.arrival_window_from_wire),
        _single_feed("business_hours", "business_hours", lambda: c.dispatch.get_business_hours(),
                     m.business_hours_from_wire),
        X("business_units", "business_units", c.settings.export_business_units, m.business_unit_from_wire),
        X("tag_types", "tag_types", c.settings.export_tag_types, m.tag_type_from_wire),
        X("employees", "employees", c.settings.export_employees, m.employee_from_wire),
        X("technicians", "technicians", c.settings.export_technicians, m.technician_from_wire),
        L("shifts", "shifts", lambda **kw: c.dispatch.list_technician_shifts(active="Any", **kw), m.shift_from_wire),
        X("customers", "customers", c.crm.export_customers, m.customer_from_wire),
        X("locations", "locations", c.crm.export_locations, m.location_from_wire),
        X("customer_contacts", "contacts", c.crm.export_customer_contacts,
          lambda p: m.contact_from_wire(p, "customer")),
        X("location_contacts", "contacts", c.crm.export_location_contacts,
          lambda p: m.contact_from_wire(p, "location")),
        X("projects", "projects", c.jpm.export_projects, m.project_from_wire),
        X("jobs", "jobs", c.jpm.export_jobs, m.job_from_wire, texts=True),
        X("appointments", "appointments", c.jpm.export_appointments, m.appointment_from_wire),
        X("appointment_assignments", "appointment_assignments", c.dispatch.export_appointment_assignments,
          m.assignment_from_wire),
        X("job_notes", "job_notes", c.jpm.export_job_notes, lambda p: m.note_from_wire(p, "job")),
        X("project_notes", "project_notes", c.jpm.export_project_notes, lambda p: m.note_from_wire(p, "project")),
        X("job_history", "job_history", c.jpm.export_job_history, m.history_from_wire),
        X("job_canceled_logs", "job_canceled_logs", c.jpm.export_job_canceled_logs, m.canceled_log_from_wire),
    ]


def _export_feed(name: str, table: str, method: Callable[..., AsyncIterator[Any]], mapper: Callable[..., Any],
                 include_recent_changes: bool, *, texts: bool = False) -> Feed:
    """``texts``: the mapper takes each row's JSON text too (``job_from_wire``: the jobs feed is the one whose size
    makes encoding every payload again worth avoiding)."""

    async def pages(token: str | None) -> AsyncIterator[FeedPage]:
        with translated():
            async for page in method(from_token=token, include_recent_changes=include_recent_changes):
                rows = await asyncio.to_thread(m.map_rows, mapper, page.data, page.texts if texts else None)
                yield FeedPage(rows, page.continue_from, page.has_more)

    return Feed(name=name, table=table, kind="export", pages=pages)


def _list_feed(name: str, table: str, method: Callable[..., Awaitable[Any]], mapper: Mapper, size: int) -> Feed:
    async def pages(token: str | None = None) -> AsyncIterator[FeedPage]:
        page_no = 1
        while True:
            with translated():
                paged = await method(page=page_no, page_size=size)
            yield FeedPage(await asyncio.to_thread(m.map_rows, mapper, paged.data), None, bool(paged.has_more))
            if not paged.has_more:
                return
            page_no += 1

    return Feed(name=name, table=table, kind="list", pages=pages)


def _single_feed(name: str, table: str, method: Callable[[], Awaitable[Any]], mapper: Mapper) -> Feed:
    """A list feed over an endpoint answering one object (business hours): one page of one row."""

    async def pages(token: str | None = None) -> AsyncIterator[FeedPage]:
        with translated():
            answer = await method()
        yield FeedPage(m.map_rows(mapper, [answer]), None, False)

    return Feed(name=name, table=table, kind="list", pages=pages)
