"""`DispatchApi`: the Dispatch operations the board uses (`{api_url}/dispatch/v2/tenant/{tenant}/...`).

Same conventions as `JpmApi` (see `jpm_tui.api.jpm`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Unpack

from jpm_tui.api._resource import ActiveFilters, DateFilters, Resource, SortFilter
from jpm_tui.api.models.base import Paged
from jpm_tui.api.models.dispatch import (
    AppointmentAssignment,
    ArrivalWindow,
    AssignTechniciansRequest,
    BusinessHours,
    DispatchAppointment,
    ExportAppointmentAssignment,
    ShiftType,
    Team,
    TechnicianShift,
    UnassignTechniciansRequest,
    Zone,
)
from jpm_tui.api.operations import operation

if TYPE_CHECKING:
    from jpm_tui.api.client import ExportPage

__all__ = ["DispatchApi"]


class AssignmentFilters(DateFilters, SortFilter, ActiveFilters, total=False):
    ids: Sequence[int]
    appointment_ids: Sequence[int]
    job_id: int


class ShiftFilters(DateFilters, SortFilter, ActiveFilters, total=False):
    starts_on_or_after: datetime
    ends_on_or_before: datetime
    shift_type: ShiftType | str
    technician_id: int
    title_contains: str
    note_contains: str


class ZoneFilters(DateFilters, SortFilter, ActiveFilters, total=False):
    pass


class TeamFilters(DateFilters, SortFilter, total=False):
    include_inactive: bool


class ArrivalWindowFilters(ActiveFilters, total=False):
    created_before: datetime
    created_on_or_after: datetime


class DispatchApi(Resource):
    MODULE = "dispatch"

    # ==================================================================== appointment assignments

    @operation(
        "GET", "appointment-assignments", "AppointmentAssignments_GetList", kind="list",
        response=Paged[AppointmentAssignment], row=AppointmentAssignment,
    )
    async def list_appointment_assignments(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False,
        **filters: Unpack[AssignmentFilters],
    ) -> Paged[AppointmentAssignment]:
        return await self._list(
            "appointment-assignments", AppointmentAssignment, filters, AssignmentFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_appointment_assignments(
        self, *, page_size: int = 500, **filters: Unpack[AssignmentFilters]
    ) -> AsyncIterator[AppointmentAssignment]:
        return self._iter(
            "appointment-assignments", AppointmentAssignment, filters, AssignmentFilters, page_size=page_size
        )

    @operation(
        "POST", "appointment-assignments/assign-technicians", "AppointmentAssignments_AssignTechnicians",
        request=AssignTechniciansRequest, response=DispatchAppointment,
    )
    async def assign_technicians(self, body: AssignTechniciansRequest) -> DispatchAppointment:
        return await self._call(
            "POST", "appointment-assignments/assign-technicians", body=body, response=DispatchAppointment
        )

    @operation(
        "POST", "appointment-assignments/unassign-technicians", "AppointmentAssignments_UnassignTechnicians",
        request=UnassignTechniciansRequest, response=DispatchAppointment,
    )
    async def unassign_technicians(self, body: UnassignTechniciansRequest) -> DispatchAppointment:
        return await self._call(
            "POST", "appointment-assignments/unassign-technicians", body=body, response=DispatchAppointment
        )

    @operation(
        "GET", "export/appointment-assignments", "Export_AppointmentAssignments", kind="export",
        row=ExportAppointmentAssignment,
    )
    def export_appointment_assignments(
        self, from_token: str | None = None, include_recent_changes: bool = False, active: str = "Any"
    ) -> AsyncIterator[ExportPage]:
        """`active` defaults to True on the server, which would hide unassignments from a sync: ask for Any."""
        return self._export(
            "export/appointment-assignments", from_token, include_recent_changes, params={"active": active}
        )

    # ========================================================================= technician shifts

    @operation(
        "GET", "technician-shifts", "TechnicianShifts_GetList", kind="list",
        response=Paged[TechnicianShift], row=TechnicianShift,
    )
    async def list_technician_shifts(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[ShiftFilters]
    ) -> Paged[TechnicianShift]:
        return await self._list(
            "technician-shifts", TechnicianShift, filters, ShiftFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_technician_shifts(
        self, *, page_size: int = 500, **filters: Unpack[ShiftFilters]
    ) -> AsyncIterator[TechnicianShift]:
        return self._iter("technician-shifts", TechnicianShift, filters, ShiftFilters, page_size=page_size)

    @operation("GET", "technician-shifts/{id}", "TechnicianShifts_Get", kind="get", response=TechnicianShift)
    async def get_technician_shift(self, id: int) -> TechnicianShift:
        return await self._get(f"technician-shifts/{id}", TechnicianShift)

    # ================================================================================ zones, teams

    @operation("GET", "zones", "Zone_GetList", kind="list", response=Paged[Zone], row=Zone)
    async def list_zones(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[ZoneFilters]
    ) -> Paged[Zone]:
        return await self._list(
            "zones", Zone, filters, ZoneFilters, page=page, page_size=page_size, include_total=include_total
        )

    def iter_zones(self, *, page_size: int = 500, **filters: Unpack[ZoneFilters]) -> AsyncIterator[Zone]:
        return self._iter("zones", Zone, filters, ZoneFilters, page_size=page_size)

    @operation("GET", "zones/{id}", "Zone_Get", kind="get", response=Zone)
    async def get_zone(self, id: int) -> Zone:
        return await self._get(f"zones/{id}", Zone)

    @operation("GET", "teams", "Team_GetList", kind="list", response=Paged[Team], row=Team)
    async def list_teams(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[TeamFilters]
    ) -> Paged[Team]:
        return await self._list(
            "teams", Team, filters, TeamFilters, page=page, page_size=page_size, include_total=include_total
        )

    def iter_teams(self, *, page_size: int = 500, **filters: Unpack[TeamFilters]) -> AsyncIterator[Team]:
        return self._iter("teams", Team, filters, TeamFilters, page_size=page_size)

    @operation("GET", "teams/{id}", "Team_Get", kind="get", response=Team)
    async def get_team(self, id: int) -> Team:
        return await self._get(f"teams/{id}", Team)

    # ================================================================ arrival windows, business hours

    @operation(
        "GET", "arrival-windows", "ArrivalWindows_GetList", kind="list",
        response=Paged[ArrivalWindow], row=ArrivalWindow,
    )
    async def list_arrival_windows(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False,
        **filters: Unpack[ArrivalWindowFilters],
    ) -> Paged[ArrivalWindow]:
        return await self._list(
            "arrival-windows", ArrivalWindow, filters, ArrivalWindowFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_arrival_windows(
        self, *, page_size: int = 500, **filters: Unpack[ArrivalWindowFilters]
    ) -> AsyncIterator[ArrivalWindow]:
        return self._iter("arrival-windows", ArrivalWindow, filters, ArrivalWindowFilters, page_size=page_size)

    @operation("GET", "business-hours", "BusinessHour_GetList", kind="get", response=BusinessHours)
    async def get_business_hours(self) -> BusinessHours:
        """The tenant's business hours (one object, despite the operation's `GetList` name)."""
        return await self._get("business-hours", BusinessHours)
