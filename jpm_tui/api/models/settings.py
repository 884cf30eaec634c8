"""Settings (`settings/v2`) wire models, from `settings-v2.json` (May 2025)."""

from __future__ import annotations

import enum

from jpm_tui.api.models.base import ApiModel, ExternalData, Open, UtcDateTime


class EmployeeRole(enum.StrEnum):
    """`TenantSettings.V2.EmployeeUserRole`."""

    UNSPECIFIED = "Unspecified"
    TECHNICIAN = "Technician"
    DISPATCH = "Dispatch"
    ACCOUNTING = "Accounting"
    FIELD_MANAGER = "FieldManager"
    DISPLAY_USER = "DisplayUser"
    DISPLAY_USER_WITH_BILLING_ACCESS = "DisplayUserWithBillingAccess"
    SALES_MANAGER = "SalesManager"
    CSR = "CSR"
    GENERAL_OFFICE = "GeneralOffice"
    TECHNICIAN_HELPER = "TechnicianHelper"
    TECHNICIAN_MAINTENANCE = "TechnicianMaintenance"
    TECHNICIAN_INSTALLER = "TechnicianInstaller"
    ADMIN = "Admin"
    TECHNICIAN_SERVICE = "TechnicianService"
    TECHNICIAN_SALES = "TechnicianSales"
    OWNER = "Owner"
    EMPTY_EMPLOYEE = "EmptyEmployee"
    EMPTY_TECHNICIAN = "EmptyTechnician"


class JobFilter(enum.StrEnum):
    """Which jobs a technician sees in the mobile app."""

    ALL_SCHEDULED_DISPATCHED_WORKING = "AllScheduledDispatchedWorking"
    NEXT_SCHEDULED_DISPATCHED_WORKING = "NextScheduledDispatchedWorking"
    DISPATCHED_WORKING = "DispatchedWorking"
    NEXT_SCHEDULED_DISPATCHED_WORKING_TODAY = "NextScheduledDispatchedWorkingToday"
    ALL_SCHEDULED_DISPATCHED_WORKING_TODAY = "AllScheduledDispatchedWorkingToday"
    ALL_SCHEDULED_DISPATCHED_WORKING_FIVE_DAYS = "AllScheduledDispatchedWorkingFiveDays"
    NEXT_SCHEDULED_DISPATCHED_WORKING_TODAY_TOMORROW = "NextScheduledDispatchedWorkingTodayTomorrow"
    ALL_SCHEDULED_DISPATCHED_WORKING_TODAY_TOMORROW = "AllScheduledDispatchedWorkingTodayTomorrow"
    NEXT2_SCHEDULED_DISPATCHED_WORKING_TODAY = "Next2ScheduledDispatchedWorkingToday"


class TagImportance(enum.StrEnum):
    MEDIUM = "Medium"
    HIGH = "High"


class SettingsCustomField(ApiModel):
    """`EmployeeCustomFieldResponse` / `TechnicianCustomFieldResponse`."""

    type_id: int
    name: str | None = None
    value: str | None = None


class Permission(ApiModel):
    id: int
    value: str | None = None


class TechnicianAddress(ApiModel):
    street: str | None = None
    unit: str | None = None
    country: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    street_address: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class Technician(ApiModel):
    """`TenantSettings.V2.TechnicianResponse` (same shape as the export row)."""

    id: int
    user_id: int
    name: str
    role_ids: list[int] | None = None
    business_unit_id: int | None = None
    main_zone_id: int | None = None
    zone_ids: list[int] | None = None
    created_on: UtcDateTime
    modified_on: UtcDateTime
    email: str | None = None
    phone_number: str | None = None
    login_name: str | None = None
    home: TechnicianAddress | None = None
    daily_goal: float
    is_managed_tech: bool
    custom_fields: list[SettingsCustomField] | None = None
    active: bool
    aad_user_id: str | None = None
    burden_rate: float
    team: str | None = None
    job_filter: Open[JobFilter] | None = None
    permissions: list[Permission] | None = None
    account_locked: bool | None = None


ExportTechnician = Technician


class Employee(ApiModel):
    """`TenantSettings.V2.EmployeeResponse` (same shape as the export row)."""

    id: int
    user_id: int
    name: str
    role: Open[EmployeeRole]
    role_ids: list[int] | None = None
    business_unit_id: int | None = None
    created_on: UtcDateTime
    modified_on: UtcDateTime
    email: str | None = None
    phone_number: str | None = None
    login_name: str | None = None
    custom_fields: list[SettingsCustomField] | None = None
    active: bool
    aad_user_id: str | None = None
    permissions: list[Permission] | None = None
    account_locked: bool | None = None


ExportEmployee = Employee


class BusinessUnitAddress(ApiModel):
    street: str | None = None
    unit: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None


class BusinessUnitTenant(ApiModel):
    id: int
    name: str
    account_code: str | None = None
    franchise_id: str | None = None
    concept_code: str | None = None
    modified_on: UtcDateTime


class BusinessUnit(ApiModel):
    """`TenantSettings.V2.BusinessUnitResponse` (same shape as the export row)."""

    id: int
    active: bool
    name: str
    official_name: str | None = None
    email: str | None = None
    currency: str | None = None
    phone_number: str | None = None
    invoice_header: str | None = None
    invoice_message: str | None = None
    default_tax_rate: float | None = None
    authorization_paragraph: str | None = None
    acknowledgement_paragraph: str | None = None
    address: BusinessUnitAddress | None = None
    material_sku: str | None = None
    quickbooks_class: str | None = None
    account_code: str | None = None
    franchise_id: str | None = None
    concept_code: str | None = None
    corporate_contract_number: str | None = None
    tenant: BusinessUnitTenant | None = None
    created_on: UtcDateTime
    modified_on: UtcDateTime
    external_data: list[ExternalData] | None = None


ExportBusinessUnit = BusinessUnit


class TagType(ApiModel):
    """`TenantSettings.V2.TagTypeResponse` (same shape as the export row)."""

    id: int
    name: str
    color: str
    code: str
    importance: Open[TagImportance] | None = None
    is_conversion_opportunity: bool
    allow_to_use_on_timesheet_activity: bool
    active: bool
    created_on: UtcDateTime
    modified_on: UtcDateTime


ExportTagType = TagType
