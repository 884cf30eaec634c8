"""Every cache table that holds domain rows: which row type it stores, the columns an upsert writes, its conflict
key, and how its cells read back (enums, JSON lists, constants). ``tables()`` is ``TABLES``, built on first use
with the domain module (see ``deferred``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jpm_tui.provider import domain as d
else:
    from jpm_tui.cache.store.deferred import domain as d


@dataclass(frozen=True)
class TableSpec:
    name: str
    row_type: type
    columns: tuple[str, ...]
    """Columns written on upsert, in the order ``values`` yields them."""
    conflict: tuple[str, ...] = ("id",)
    enums: Mapping[str, type[d.OpenEnum]] = field(default_factory=dict)
    json_fields: tuple[str, ...] = ()
    constants: Mapping[str, Any] = field(default_factory=dict)
    """Domain fields that are not stored as columns, with the value they take when read back."""


def row_fields(row_type: type) -> list[Field[Any]]:
    """The fields a domain row is built from and stored by: not those the row sets itself (a job's ``raw_json``,
    which ``dataclasses.replace`` must not carry over either)."""
    return [f for f in fields(row_type) if f.init]


def _spec(name: str, row_type: type, *, extra: tuple[str, ...] = (), skip: tuple[str, ...] = (),
          conflict: tuple[str, ...] = ("id",), enums: Mapping[str, type[d.OpenEnum]] | None = None,
          json_fields: tuple[str, ...] = (), constants: Mapping[str, Any] | None = None) -> TableSpec:
    cols = tuple(f.name for f in row_fields(row_type) if f.name not in skip) + extra
    return TableSpec(name, row_type, cols, conflict, enums or {}, json_fields, constants or {})


@cache
def tables() -> dict[str, TableSpec]:
    """Every cache table that holds domain rows: table name -> how its rows are written and read (``TABLES``)."""
    return {s.name: s for s in (
        _spec("jobs", d.Job, enums={"status": d.JobStatus, "priority": d.Priority}),
        _spec("appointments", d.Appointment, enums={"status": d.AppointmentStatus}),
        _spec("appointment_assignments", d.Assignment, enums={"status": d.AssignmentStatus}),
        _spec("projects", d.Project, extra=("number_key",), json_fields=("business_unit_ids", "job_ids")),
        _spec("job_types", d.JobType, enums={"priority": d.Priority}, json_fields=("business_unit_ids",)),
        _spec("cancel_reasons", d.Reason, skip=("kind",), constants={"kind": "cancel"}),
        _spec("hold_reasons", d.Reason, skip=("kind",), constants={"kind": "hold"}),
        _spec("job_notes", d.Note, skip=("owner_kind", "owner_id"), extra=("job_id",),
              constants={"owner_kind": "job"}),
        _spec("project_notes", d.Note, skip=("owner_kind", "owner_id"), extra=("project_id",),
              constants={"owner_kind": "project"}),
        _spec("job_history", d.HistoryEntry),
        _spec("job_canceled_logs", d.CanceledLogEntry),
        _spec("job_booked_logs", d.BookedLogEntry),
        _spec("technicians", d.Technician, json_fields=("zone_ids",)),
        _spec("customers", d.Customer),
        _spec("locations", d.Location),
        _spec("contacts", d.Contact, extra=("search_text",), conflict=("owner_kind", "id"),
              enums={"type": d.ContactType}),
        _spec("business_units", d.BusinessUnit),
        _spec("employees", d.Employee),
        _spec("tag_types", d.TagType),
        _spec("zones", d.Zone, json_fields=("zips", "cities", "technician_ids", "business_unit_ids")),
        _spec("teams", d.Team),
        _spec("arrival_windows", d.ArrivalWindow, json_fields=("business_unit_ids",)),
        _spec("business_hours", d.BusinessHours, json_fields=("weekdays", "saturday", "sunday")),
        _spec("shifts", d.Shift),
        _spec("project_statuses", d.ProjectStatus),
        _spec("project_types", d.ProjectType),
        _spec("custom_field_definitions", d.CustomFieldDefinition, json_fields=("options",)),
        _spec("people", d.Person),
    )}
