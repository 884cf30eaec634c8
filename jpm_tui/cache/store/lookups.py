"""The lookup lists (technicians, job types, reasons, ...) as every store gives them: ``Lookups``, which both stores
inherit, names them; each store reads a table's list its own way (``lookup_rows``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jpm_tui.provider import domain as d


class Lookups:
    def lookup_rows(self, table: str, include_inactive: bool) -> list[Any]:
        """``table``'s rows (active ones, or all) by name, then id, as its domain rows."""
        raise NotImplementedError

    def technicians(self, *, include_inactive: bool = False) -> list[d.Technician]:
        return self.lookup_rows("technicians", include_inactive)

    def locations(self, *, include_inactive: bool = False) -> list[d.Location]:
        """Every cached service location, by name (a new job's location picker)."""
        return self.lookup_rows("locations", include_inactive)

    def employees(self, *, include_inactive: bool = False) -> list[d.Employee]:
        return self.lookup_rows("employees", include_inactive)

    def job_types(self, *, include_inactive: bool = False) -> list[d.JobType]:
        return self.lookup_rows("job_types", include_inactive)

    def business_units(self, *, include_inactive: bool = False) -> list[d.BusinessUnit]:
        return self.lookup_rows("business_units", include_inactive)

    def cancel_reasons(self, *, include_inactive: bool = False) -> list[d.Reason]:
        return self.lookup_rows("cancel_reasons", include_inactive)

    def hold_reasons(self, *, include_inactive: bool = False) -> list[d.Reason]:
        return self.lookup_rows("hold_reasons", include_inactive)

    def tag_types(self, *, include_inactive: bool = False) -> list[d.TagType]:
        return self.lookup_rows("tag_types", include_inactive)

    def custom_field_definitions(self, *, include_inactive: bool = False) -> list[d.CustomFieldDefinition]:
        return self.lookup_rows("custom_field_definitions", include_inactive)

    def zones(self, *, include_inactive: bool = False) -> list[d.Zone]:
        return self.lookup_rows("zones", include_inactive)

    def teams(self, *, include_inactive: bool = False) -> list[d.Team]:
        return self.lookup_rows("teams", include_inactive)

    def project_types(self) -> list[d.ProjectType]:
        return self.lookup_rows("project_types", True)
