"""The feeds a BigChange sync runs besides the jobs (``jobs_feed.py``), each a full read of a collection page by page
(1,000 rows a request, one transaction a page): job types, resources (technicians), contacts (customers with their
site and phone/email) and custom field definitions (which name the jobs' custom fields). Rows not listed by a complete
read are marked inactive (a list feed's rule in the sync engine), as are definitions no longer listed.

Each costs one request per 1,000 rows when it runs (one for most customers' lists); the jobs sweep one request per
1,000 jobs (``jobs_feed.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Any

from ..api_errors import translated
from ..base import Feed, FeedPage
from .mapping import contact_rows, custom_field_definition, job_type, technician

__all__ = ["list_feeds"]


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


def list_feeds(client: Any, paths: Mapping[str, str]) -> list[Feed]:
    """``client``: a ``BigChangeClient``; ``paths``: its ``PATHS`` (operation -> path)."""
    return [
        _list_feed(client, "job_types", "job_types", paths["job_types"], _plain(job_type), "job types"),
        _list_feed(client, "resources", "technicians", paths["resources"], _plain(technician), "resources"),
        _list_feed(client, "contacts", "customers", paths["contacts"], _map_contacts,
                   "contacts, their sites, phones and emails"),
        _list_feed(client, "custom_field_definitions", "custom_field_definitions", paths["custom_field_definitions"],
                   _plain(custom_field_definition), "custom field definitions"),
    ]
