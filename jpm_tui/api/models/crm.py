"""CRM (`crm/v2`) wire models, from `crm-v2.json` (Swagger 2.0, May 2025).

The Swagger document does not mark nullability, so every property it does not list as required is
`X | None = None`.
"""

from __future__ import annotations

import enum

from jpm_tui.api.models.base import ApiModel, ExternalData, Open, UtcDateTime


class CustomerType(enum.StrEnum):
    RESIDENTIAL = "Residential"
    COMMERCIAL = "Commercial"


class ContactType(enum.StrEnum):
    PHONE = "Phone"
    EMAIL = "Email"
    FAX = "Fax"
    MOBILE_PHONE = "MobilePhone"


class Address(ApiModel):
    """`Crm.V2.Customers.CustomerAddress` (customers and locations)."""

    street: str
    unit: str | None = None
    city: str
    state: str
    zip: str
    country: str
    latitude: float | None = None
    longitude: float | None = None


class CrmCustomField(ApiModel):
    """`Crm.V2.Customers.CustomFieldModel`."""

    type_id: int
    name: str | None = None
    value: str | None = None


class Customer(ApiModel):
    """`Crm.V2.Customers.CustomerResponse` (same shape as the export row)."""

    id: int
    active: bool
    name: str
    type: Open[CustomerType]
    address: Address
    custom_fields: list[CrmCustomField]
    balance: float
    tag_type_ids: list[int]
    do_not_mail: bool
    do_not_service: bool
    created_on: UtcDateTime
    created_by_id: int
    modified_on: UtcDateTime
    merged_to_id: int | None = None
    """Set when this customer was merged into another one."""
    external_data: list[ExternalData]


ExportCustomer = Customer


class Location(ApiModel):
    """`Crm.V2.Locations.LocationResponse` (same shape as the export row)."""

    id: int
    customer_id: int
    active: bool
    name: str
    address: Address
    custom_fields: list[CrmCustomField]
    created_on: UtcDateTime
    created_by_id: int
    modified_on: UtcDateTime
    merged_to_id: int | None = None
    zone_id: int | None = None
    tag_type_ids: list[int]
    external_data: list[ExternalData]
    tax_zone_id: int | None = None


ExportLocation = Location


class PhoneSettings(ApiModel):
    phone_number: str
    do_not_text: bool


class CustomerContact(ApiModel):
    """`Crm.V2.Customers.CustomerContactWithModifiedOnResponse`: a phone number, email, ..."""

    id: int
    type: Open[ContactType]
    value: str
    memo: str | None = None
    modified_on: UtcDateTime
    phone_settings: PhoneSettings | None
    created_on: UtcDateTime


class LocationContact(ApiModel):
    """`Crm.V2.LocationContactResponse`."""

    id: int
    type: Open[ContactType]
    value: str
    memo: str | None = None
    phone_settings: PhoneSettings | None
    modified_on: UtcDateTime
    created_on: UtcDateTime


class ExportCustomerContact(CustomerContact):
    """Row of `export/customers/contacts`."""

    customer_id: int
    active: bool


class ExportLocationContact(LocationContact):
    """Row of `export/locations/contacts`."""

    location_id: int
    active: bool
