"""FSM Navigator's wire records (Jobs, Customers, Technicians and Assets API v1) as pydantic models.

Tolerant by design: fields the server adds are kept (`extra="allow"`, so `to_payload()` gives back what
came), statuses and priorities are plain text (a status this client has never seen is kept, not refused),
and every field but the record's id may be missing. Times are aware UTC datetimes; an empty string is none.
The request bodies (`NewJob`, `JobChanges`) are strict instead: a misspelt field fails before the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from jpm_tui.api.models.base import UtcDateTime


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


Time = Annotated[UtcDateTime | None, BeforeValidator(_blank_is_none)]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="allow")

    def to_payload(self) -> dict[str, Any]:
        """The record as JSON again: the fields that came, unknown ones included."""
        return self.model_dump(mode="json", exclude_unset=True)


class AssetLink(WireModel):
    """One asset linked to a job (the single-job answer's `assets`)."""

    asset_id: int
    asset_tag: str | None = None
    asset_name: str | None = None
    asset_status: str | None = None
    relationship_type: str | None = None
    relationship_notes: str | None = None
    linked_at: Time = None


class Job(WireModel):
    job_id: int
    job_title: str = ""
    job_description: str | None = None
    job_status: str = ""
    job_priority: str | None = None
    assigned_technician_id: int | None = None
    assigned_technician_name: str | None = None
    customer_location_id: int | None = None
    customer_location_name: str | None = None
    customer_id: int | None = None
    customer_name: str | None = None
    scheduled_start: Time = None
    scheduled_end: Time = None
    actual_start: Time = None
    actual_end: Time = None
    created_at: Time = None
    updated_at: Time = None
    assets: list[AssetLink] | None = None
    """None when the answer carried no `assets` array (the list's jobs); [] when the job has no links."""


class Pagination(WireModel):
    page: int = 1
    per_page: int | None = None
    total: int | None = None
    total_pages: int | None = None


# The write answers' `data`. The Jobs page names the id `job_id`; the best-practices page shows `id`:
# either is read.
_JOB_ID = Field(validation_alias=AliasChoices("job_id", "id"))


class JobCreated(WireModel):
    job_id: int = _JOB_ID
    job_title: str | None = None
    job_status: str | None = None
    created_at: Time = None


class JobUpdated(WireModel):
    job_id: int = _JOB_ID
    job_title: str | None = None
    job_status: str | None = None


class StatusChanged(WireModel):
    job_id: int = _JOB_ID
    job_status: str = ""
    previous_status: str | None = None


class Technician(WireModel):
    technician_id: int
    first_name: str = ""
    last_name: str = ""
    status: str | None = None
    availability_status: str | None = None
    vehicle_type: str | None = None
    transport_modes: list[str] = []
    created_at: Time = None
    updated_at: Time = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Location(WireModel):
    location_id: int = Field(validation_alias=AliasChoices("location_id", "id"))
    customer_id: int | None = None
    location_name: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    is_primary: bool | None = None
    notes: str | None = None
    created_at: Time = None
    updated_at: Time = None


class Customer(WireModel):
    customer_id: int
    customer_name: str = ""
    customer_email: str | None = None
    customer_phone: str | None = None
    default_sla_hours: int | None = None
    tax_exempt: bool | None = None
    tax_exemption_reason: str | None = None
    created_at: Time = None
    updated_at: Time = None
    locations: list[Location] | None = None
    """Only with `include_locations`."""


class Asset(WireModel):
    asset_id: int
    asset_tag: str | None = None
    asset_name: str | None = None
    asset_status: str | None = None
    location_id: int | None = None
    customer_id: int | None = None
    created_at: Time = None
    updated_at: Time = None


T = TypeVar("T", bound=WireModel)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list answer."""

    items: list[T]
    pagination: Pagination
    request_id: str | None


@dataclass(frozen=True, slots=True)
class Written(Generic[T]):
    """A write's answer: `message` in the API's words, the `data` it returned, its `request_id`."""

    data: T
    message: str
    request_id: str | None


# ------------------------------------------------------------------------------------------- requests


class JobChanges(BaseModel):
    """A PUT body: only the fields set are sent (`JobChanges(assigned_technician_id=None)` unassigns).
    `asset_ids` replaces every link; `[]` removes them all."""

    model_config = ConfigDict(extra="forbid")

    job_title: str | None = None
    job_description: str | None = None
    job_priority: str | None = None
    customer_location_id: int | None = None
    assigned_technician_id: int | None = None
    scheduled_start: UtcDateTime | None = None
    scheduled_end: UtcDateTime | None = None
    asset_ids: list[int] | None = None
    asset_relationship_type: str | None = None

    def to_body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


class NewJob(JobChanges):
    """A POST body: a title and a service location at least."""

    job_title: str
    customer_location_id: int
