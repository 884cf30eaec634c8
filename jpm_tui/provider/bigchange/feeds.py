"""The feeds a BigChange sync runs, each a full read of a collection page by page (1,000 rows a request, one
transaction a page): job types, resources (technicians), contacts (customers with their site and phone/email), custom
field definitions (which name the jobs' custom fields) and jobs (each page also stores the jobs' planned windows as
appointments and their resources as assignments).

The REST reference offers no modified-since or status-date filter on jobs, so the jobs feed sweeps the list: one
request per 1,000 jobs, plus one for the custom field definitions. Jobs not listed by a complete sweep are marked
inactive (a list feed's rule in the sync engine), as are definitions no longer listed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Any

from ..api_errors import translated
from ..base import Feed, FeedPage
from .mapping import contact_rows, custom_field_definition, job_rows, job_type, technician

__all__ = ["feeds"]


def _map_jobs(items: Sequence[Mapping[str, Any]]) -> FeedPage:
    """A job's window and assignment are keyed by its id: a job listed without a resource (or a planned start)
    has none now, so the one cached from an earlier sync is stored inactive (the calendar lane drops it)."""
    jobs, appointments, assignments = [], [], []
    unplanned, unresourced = [], []
    for item in items:
        rows = job_rows(item)
        jobs.append(rows.job)
        if rows.appointment is not None:
            appointments.append(rows.appointment)
        else:
            unplanned.append(rows.job.id)
        if rows.assignment is not None:
            assignments.append(rows.assignment)
        else:
            unresourced.append(rows.job.id)
    return FeedPage(jobs, None, True, also=(("appointments", appointments), ("appointment_assignments", assignments)),
                    gone=(("appointments", unplanned), ("appointment_assignments", unresourced)))


def _map_contacts(items: Sequence[Mapping[str, Any]]) -> FeedPage:
    customers, locations, contacts = [], [], []
    for item in items:
        customer, location, phones = contact_rows(item)
        customers.append(customer)
        locations.append(location)
        contacts.extend(phones)
    return FeedPage(customers, None, True, also=(("locations", locations), ("contacts", contacts)))


def _plain(mapper: Callable[[Mapping[str, Any]], Any]) -> Callable[[Sequence[Mapping[str, Any]]], FeedPage]:
    return lambda items: FeedPage([mapper(item) for item in items], None, True)


def _list_feed(client: Any, name: str, table: str, path: str,
               mapper: Callable[[Sequence[Mapping[str, Any]]], FeedPage], description: str) -> Feed:
    async def pages(token: str | None = None) -> AsyncGenerator[FeedPage, None]:
        with translated():  # the sync knows provider errors, not the client's
            async for page in client.pages(path):
                mapped = await asyncio.to_thread(mapper, page.items)
                yield FeedPage(mapped.rows, None, not page.last, mapped.also)

    return Feed(name=name, table=table, kind="list", pages=pages, description=description)


def feeds(client: Any, paths: Mapping[str, str]) -> list[Feed]:
    """``client``: a ``BigChangeClient``; ``paths``: its ``PATHS`` (operation -> path)."""

    async def job_pages(token: str | None = None) -> AsyncGenerator[FeedPage, None]:
        with translated():
            async for page in client.job_pages():
                mapped = await asyncio.to_thread(_map_jobs, page.items)
                yield FeedPage(mapped.rows, None, not page.last, mapped.also, mapped.gone)

    return [
        _list_feed(client, "job_types", "job_types", paths["job_types"], _plain(job_type), "job types"),
        _list_feed(client, "resources", "technicians", paths["resources"], _plain(technician), "resources"),
        _list_feed(client, "contacts", "customers", paths["contacts"], _map_contacts,
                   "contacts, their sites, phones and emails"),
        _list_feed(client, "custom_field_definitions", "custom_field_definitions", paths["custom_field_definitions"],
                   _plain(custom_field_definition), "custom field definitions"),
        Feed(name="jobs", table="jobs", kind="list", pages=job_pages,
             description="jobs, their planned windows and resources (a full sweep: no modified-since filter)"),
    ]
