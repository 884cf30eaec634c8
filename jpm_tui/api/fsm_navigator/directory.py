"""The read side of FSM Navigator's other APIs the board needs: customers and their service locations,
technicians (read-only in the API) and assets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import TYPE_CHECKING

from .models import Asset, Customer, Location, Technician

if TYPE_CHECKING:
    from .client import FsmNavigatorClient


class CustomersApi:
    def __init__(self, client: FsmNavigatorClient) -> None:
        self._client = client

    def all(self, *, search: str | None = None, created_after: datetime | date | None = None,
            created_before: datetime | date | None = None, has_locations: bool | None = None,
            per_page: int = 100) -> AsyncIterator[Customer]:
        """Every customer matching the filters (`has_locations` goes as the documented 1 or 0)."""
        params = {"search": search, "created_after": created_after, "created_before": created_before,
                  "has_locations": None if has_locations is None else int(has_locations)}
        return self._client.records("customers", Customer, params=params, per_page=per_page)

    async def get(self, customer_id: int, *, include_locations: bool = False) -> Customer:
        """One customer; with `include_locations`, its `locations` embedded (`&include=locations`)."""
        params = {"id": customer_id, "include": "locations" if include_locations else None}
        return await self._client.one("customers", Customer, params)

    def locations(self, customer_id: int, *, per_page: int = 100) -> AsyncIterator[Location]:
        """A customer's service locations (`?id={id}&locations=1`)."""
        return self._client.records("customers", Location, params={"id": customer_id, "locations": 1},
                                    per_page=per_page)


class TechniciansApi:
    def __init__(self, client: FsmNavigatorClient) -> None:
        self._client = client

    def all(self, *, status: str | None = None, availability_status: str | None = None,
            per_page: int = 100) -> AsyncIterator[Technician]:
        """Every technician (`status`: Active or Inactive; `availability_status`: Available, Busy, Offline)."""
        params = {"status": status, "availability_status": availability_status}
        return self._client.records("technicians", Technician, params=params, per_page=per_page)

    async def get(self, technician_id: int) -> Technician:
        return await self._client.one("technicians", Technician, {"id": technician_id})


class AssetsApi:
    def __init__(self, client: FsmNavigatorClient) -> None:
        self._client = client

    def all(self, *, status: str | None = None, location_id: int | None = None, search: str | None = None,
            created_after: datetime | date | None = None, created_before: datetime | date | None = None,
            per_page: int = 100) -> AsyncIterator[Asset]:
        params = {"status": status, "location_id": location_id, "search": search,
                  "created_after": created_after, "created_before": created_before}
        return self._client.records("assets", Asset, params=params, per_page=per_page)

    async def get(self, asset_id: int) -> Asset:
        return await self._client.one("assets", Asset, {"id": asset_id})
