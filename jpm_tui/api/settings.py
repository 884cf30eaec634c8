"""`SettingsApi`: technicians, employees, business units, tag types (`{api_url}/settings/v2/tenant/{tenant}/...`).

Same conventions as `JpmApi` (see `jpm_tui.api.jpm`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Unpack

from jpm_tui.api._resource import ActiveFilters, DateFilters, Resource, SortFilter
from jpm_tui.api.models.base import Paged, build_query
from jpm_tui.api.models.settings import (
    BusinessUnit,
    Employee,
    ExportBusinessUnit,
    ExportEmployee,
    ExportTagType,
    ExportTechnician,
    TagType,
    Technician,
)
from jpm_tui.api.operations import operation

if TYPE_CHECKING:
    from jpm_tui.api.client import ExportPage

__all__ = ["SettingsApi"]


class PeopleFilters(DateFilters, ActiveFilters, total=False):
    """Technicians and employees."""

    ids: Sequence[int]
    user_ids: Sequence[int]
    name: str
    """Case-insensitive "contains"."""


class BusinessUnitFilters(DateFilters, ActiveFilters, total=False):
    ids: Sequence[int]
    name: str
    external_data_application_guid: str


class TagTypeFilters(DateFilters, ActiveFilters, SortFilter, total=False):
    pass


class SettingsApi(Resource):
    MODULE = "settings"

    # ================================================================================ technicians

    @operation("GET", "technicians", "Technicians_GetList", kind="list", response=Paged[Technician], row=Technician)
    async def list_technicians(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[PeopleFilters]
    ) -> Paged[Technician]:
        return await self._list(
            "technicians", Technician, filters, PeopleFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_technicians(self, *, page_size: int = 500, **filters: Unpack[PeopleFilters]) -> AsyncIterator[Technician]:
        return self._iter("technicians", Technician, filters, PeopleFilters, page_size=page_size)

    @operation("GET", "technicians/{id}", "Technicians_Get", kind="get", response=Technician)
    async def get_technician(self, id: int) -> Technician:
        return await self._get(f"technicians/{id}", Technician)

    @operation("GET", "export/technicians", "Export_Technicians", kind="export", row=ExportTechnician)
    def export_technicians(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/technicians", from_token, include_recent_changes)

    # ================================================================================== employees

    @operation("GET", "employees", "Employees_GetList", kind="list", response=Paged[Employee], row=Employee)
    async def list_employees(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[PeopleFilters]
    ) -> Paged[Employee]:
        return await self._list(
            "employees", Employee, filters, PeopleFilters, page=page, page_size=page_size, include_total=include_total
        )

    def iter_employees(self, *, page_size: int = 500, **filters: Unpack[PeopleFilters]) -> AsyncIterator[Employee]:
        return self._iter("employees", Employee, filters, PeopleFilters, page_size=page_size)

    @operation("GET", "employees/{id}", "Employees_Get", kind="get", response=Employee)
    async def get_employee(self, id: int) -> Employee:
        return await self._get(f"employees/{id}", Employee)

    @operation("GET", "export/employees", "Export_Employees", kind="export", row=ExportEmployee)
    def export_employees(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/employees", from_token, include_recent_changes)

    # ============================================================================= business units

    @operation(
        "GET", "business-units", "BusinessUnits_GetList", kind="list", response=Paged[BusinessUnit], row=BusinessUnit
    )
    async def list_business_units(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False,
        **filters: Unpack[BusinessUnitFilters],
    ) -> Paged[BusinessUnit]:
        return await self._list(
            "business-units", BusinessUnit, filters, BusinessUnitFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_business_units(
        self, *, page_size: int = 500, **filters: Unpack[BusinessUnitFilters]
    ) -> AsyncIterator[BusinessUnit]:
        return self._iter("business-units", BusinessUnit, filters, BusinessUnitFilters, page_size=page_size)

    @operation("GET", "business-units/{id}", "BusinessUnits_Get", kind="get", response=BusinessUnit)
    async def get_business_unit(self, id: int, *, external_data_application_guid: str | None = None) -> BusinessUnit:
        params = build_query(None, external_data_application_guid=external_data_application_guid)
        return await self._get(f"business-units/{id}", BusinessUnit, params)

    @operation("GET", "export/business-units", "Export_BusinessUnits", kind="export", row=ExportBusinessUnit)
    def export_business_units(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/business-units", from_token, include_recent_changes)

    # ================================================================================== tag types

    @operation("GET", "tag-types", "TagTypes_GetList", kind="list", response=Paged[TagType], row=TagType)
    async def list_tag_types(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[TagTypeFilters]
    ) -> Paged[TagType]:
        return await self._list(
            "tag-types", TagType, filters, TagTypeFilters, page=page, page_size=page_size, include_total=include_total
        )

    def iter_tag_types(self, *, page_size: int = 500, **filters: Unpack[TagTypeFilters]) -> AsyncIterator[TagType]:
        return self._iter("tag-types", TagType, filters, TagTypeFilters, page_size=page_size)

    @operation("GET", "export/tag-types", "Export_TagTypes", kind="export", row=ExportTagType)
    def export_tag_types(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/tag-types", from_token, include_recent_changes)
