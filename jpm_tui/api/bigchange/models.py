"""BigChange's wire shapes: the job, its status changes, contacts, resources, job types, custom field definitions
and the body of "Update a job" (`PATCH`).

Facts from BigChange's REST reference (documentation.ops.bigchange.com/docs/rest/): the JobStatus vocabulary,
a status change's `id`/`status`/`createdAt`, the job's `id`, `typeId`, `typeName`, `contactId`, `contactName`,
`contactAddress` and `contactLocation` (`latitude`, `longitude`), and the update body of the seed. The other
response fields are not in the public reference: they are named the way those are (camelCase, `...Id`,
`...At`), and every response model is tolerant: unknown fields are kept (`ApiModel`), only `id` is required,
and an unknown status stays as its text.
"""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from jpm_tui.api.models.base import ApiModel, ApiRequest, UtcDateTime

VISIBLE_STATUSES = (
    "new", "scheduled", "unscheduled", "sent", "read", "accepted", "refused", "onTheWay", "started", "suspended",
    "completedOk", "completedWithIssues", "cancelled",
)
"""The JobStatus values a job can be in, in the reference's order."""

INTERNAL_STATUSES = frozenset({"lateStart", "lateFinish", "rescheduled"})
"""JobStatus values the reference calls internal to BigChange's alert management, "not visible from the API":
should one arrive, it is an alert, never a job's status (the client drops it, see `Job.status`)."""

LOCKED_ONCE_STARTED = frozenset({"started", "suspended", "completedOk", "completedWithIssues"})
"""Statuses of a job that "has been started or completed": its description and person can no longer change.
`suspended` counts (work began, then paused); the reference does not say more."""


def _visible(value: Any) -> Any:
    return None if value in INTERNAL_STATUSES else value


class Location(ApiModel):
    """A geographical location (the reference: `latitude`, `longitude`, both required)."""

    latitude: float
    longitude: float


class JobCustomField(ApiModel):
    """A custom field value on a job: read back in the shape the update writes it."""

    definition_id: int
    value: str | None = None


class Job(ApiModel):
    id: int
    reference: str | None = None
    description: str | None = None
    type_id: int | None = None
    type_name: str | None = None
    status: str | None = None
    """A JobStatus value (`VISIBLE_STATUSES`), or text this client does not know; None when absent or internal."""
    contact_id: int | None = None
    contact_name: str | None = None
    contact_address: str | None = None
    contact_location: Location | None = None
    person_id: str | None = None
    """The uuid of the contact's person who is the job's point of contact."""
    person_name: str | None = None
    order_number: str | None = None
    resource_id: int | None = None
    """The resource (technician) the job is scheduled to; None while unscheduled."""
    resource_name: str | None = None
    planned_start_at: UtcDateTime | None = None
    planned_end_at: UtcDateTime | None = None
    planned_duration: int | None = None
    """Minutes, as the update body's `plannedDuration`."""
    real_start_at: UtcDateTime | None = None
    real_end_at: UtcDateTime | None = None
    created_at: UtcDateTime | None = None
    custom_fields: list[JobCustomField] = []

    _status = field_validator("status", mode="before")(_visible)


class JobStatusChange(ApiModel):
    """One item of a job's status history."""

    id: int
    status: str | None = None
    created_at: UtcDateTime | None = None
    comment: str | None = None

    _status = field_validator("status", mode="before")(_visible)


class ContactPerson(ApiModel):
    id: str
    """A uuid: what the update body's `personId` takes."""
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    is_primary: bool = False


class Contact(ApiModel):
    """A contact: the customer (business or individual) jobs are done for, with its site."""

    id: int
    name: str | None = None
    reference: str | None = None
    address: str | None = None
    postcode: str | None = None
    location: Location | None = None
    email: str | None = None
    phone: str | None = None
    primary_person_id: str | None = None


class Resource(ApiModel):
    """A resource: the person (technician) jobs are scheduled to."""

    id: int
    name: str | None = None
    reference: str | None = None
    email: str | None = None
    phone: str | None = None
    group_name: str | None = None


class JobType(ApiModel):
    id: int
    name: str | None = None
    order_number_required: bool = False
    """The seed: an order number "may be required, dependent upon job type"."""
    default_duration: int | None = None
    """Minutes."""


class CustomFieldDefinition(ApiModel):
    id: int
    name: str | None = None
    type: str | None = None
    """`text`, `number`, `date` or `list` in the sandbox; kept as text."""
    options: list[str] = []
    """The values a `list` field takes."""


# ------------------------------------------------------------------------------------------ update a job


class CustomFieldValue(ApiRequest):
    """`{definitionId, value}`; a None value is sent as null, which unsets the field."""

    definition_id: int
    value: str | None


class JobUpdate(ApiRequest):
    """The body of "Update a job": only the fields that were set are sent, a field set to None is sent as null
    (`ApiRequest.to_body`, pydantic's `exclude_unset`): `JobUpdate(reference=None)` is `{"reference": null}`
    (unset it), `JobUpdate()` is `{}`. The reference lets `reference`, `personId` and `orderNumber` be null;
    `plannedDuration`, `description` and `customFields` only be omitted, so None there is refused here.
    An empty `custom_fields` list keeps the job's values, as omitting it does."""

    planned_duration: int | None = None
    """Minutes."""
    description: str | None = None
    reference: str | None = None
    person_id: str | None = None
    """Null sets the contact's primary person."""
    order_number: str | None = None
    custom_fields: list[CustomFieldValue] | None = None

    @field_validator("planned_duration", "description", "custom_fields", mode="before")
    @classmethod
    def _omit_rather_than_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null: omit it to keep the current value")
        return value
