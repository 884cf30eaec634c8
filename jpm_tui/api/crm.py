"""`CrmApi`: customers, locations and their contacts (`{api_url}/crm/v2/tenant/{tenant}/...`).

Same conventions as `JpmApi` (see `jpm_tui.api.jpm`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, TypedDict, Unpack

from jpm_tui.api._resource import ActiveFilters, DateFilters, Resource, SortFilter
from jpm_tui.api.models.base import Paged
from jpm_tui.api.models.crm import (
    Customer,
    CustomerContact,
    ExportCustomer,
    ExportCustomerContact,
    ExportLocation,
    ExportLocationContact,
    Location,
    LocationContact,
)
from jpm_tui.api.operations import operation

if TYPE_CHECKING:
    from jpm_tui.api.client import ExportPage

__all__ = ["CrmApi"]


class _AddressFilters(TypedDict, total=False):
    street: str
    unit: str
    city: str
    state: str
    zip: str
    country: str
    latitude: float
    longitude: float


class _ExternalDataFilters(TypedDict, total=False):
    external_data_application_guid: str
    external_data_key: str
    external_data_values: Sequence[str]


class CustomerFilters(DateFilters, SortFilter, ActiveFilters, _AddressFilters, _ExternalDataFilters, total=False):
    ids: Sequence[int]
    name: str
    phone: str
    """Phone number of any of the customer's contacts."""
    exclude_accounting_changes_from_modified_date_range: bool


class LocationFilters(DateFilters, SortFilter, ActiveFilters, _AddressFilters, _ExternalDataFilters, total=False):
    ids: Sequence[int]
    name: str
    customer_id: int


class CrmApi(Resource):
    MODULE = "crm"

    # ================================================================================== customers

    @operation("GET", "customers", "Customers_GetList", kind="list", response=Paged[Customer], row=Customer)
    async def list_customers(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[CustomerFilters]
    ) -> Paged[Customer]:
        return await self._list(
            "customers", Customer, filters, CustomerFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_customers(self, *, page_size: int = 500, **filters: Unpack[CustomerFilters]) -> AsyncIterator[Customer]:
        return self._iter("customers", Customer, filters, CustomerFilters, page_size=page_size)

    @operation("GET", "customers/{id}", "Customers_Get", kind="get", response=Customer)
    async def get_customer(self, id: int) -> Customer:
        return await self._get(f"customers/{id}", Customer)

    @operation("GET", "export/customers", "ExportCustomers_GetCustomers", kind="export", row=ExportCustomer)
    def export_customers(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/customers", from_token, include_recent_changes)

    @operation(
        "GET", "customers/{id}/contacts", "Customers_GetContactList", kind="list",
        response=Paged[CustomerContact], row=CustomerContact,
    )
    async def list_customer_contacts(
        self, id: int, *, page: int = 1, page_size: int = 50, include_total: bool = False
    ) -> Paged[CustomerContact]:
        return await self._list(
            f"customers/{id}/contacts", CustomerContact, {}, None,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_customer_contacts(self, id: int, *, page_size: int = 500) -> AsyncIterator[CustomerContact]:
        return self._iter(f"customers/{id}/contacts", CustomerContact, {}, None, page_size=page_size)

    @operation(
        "GET", "export/customers/contacts", "ExportContacts_CustomersContacts", kind="export",
        row=ExportCustomerContact,
    )
    def export_customer_contacts(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/customers/contacts", from_token, include_recent_changes)

    # ================================================================================== locations

    @operation("GET", "locations", "Locations_GetList", kind="list", response=Paged[Location], row=Location)
    async def list_locations(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[LocationFilters]
    ) -> Paged[Location]:
        return await self._list(
            "locations", Location, filters, LocationFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_locations(self, *, page_size: int = 500, **filters: Unpack[LocationFilters]) -> AsyncIterator[Location]:
        return self._iter("locations", Location, filters, LocationFilters, page_size=page_size)

    @operation("GET", "locations/{id}", "Locations_Get", kind="get", response=Location)
    async def get_location(self, id: int) -> Location:
        return await self._get(f"locations/{id}", Location)

    @operation("GET", "export/locations", "ExportLocations_Locations", kind="export", row=ExportLocation)
    def export_locations(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/locations", from_token, include_recent_changes)

    @operation(
        "GET", "locations/{id}/contacts", "Locations_GetContactList", kind="list",
        response=Paged[LocationContact], row=LocationContact,
    )
    async def list_location_contacts(
        self, id: int, *, page: int = 1, page_size: int = 50, include_total: bool = False
    ) -> Paged[LocationContact]:
        return await self._list(
            f"locations/{id}/contacts", LocationContact, {}, None,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_location_contacts(self, id: int, *, page_size: int = 500) -> AsyncIterator[LocationContact]:
        return self._iter(f"locations/{id}/contacts", LocationContact, {}, None, page_size=page_size)

    @operation(
        "GET", "export/locations/contacts", "ExportContacts_LocationsContacts", kind="export",
        row=ExportLocationContact,
    )
    def export_location_contacts(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/locations/contacts", from_token, include_recent_changes)
