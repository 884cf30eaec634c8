"""BigChange's REST API: the client (`BigChangeClient`), its wire models and the update body (`JobUpdate`)."""

from jpm_tui.api.bigchange.client import DEFAULT_API_URL, BigChangeClient, JobFilter, ListPage
from jpm_tui.api.bigchange.models import (
    INTERNAL_STATUSES,
    LOCKED_ONCE_STARTED,
    VISIBLE_STATUSES,
    Contact,
    ContactPerson,
    CustomFieldDefinition,
    CustomFieldValue,
    Job,
    JobStatusChange,
    JobType,
    JobUpdate,
    Resource,
)

__all__ = [
    "DEFAULT_API_URL", "INTERNAL_STATUSES", "LOCKED_ONCE_STARTED", "VISIBLE_STATUSES", "BigChangeClient", "Contact",
    "ContactPerson", "CustomFieldDefinition", "CustomFieldValue", "Job", "JobFilter", "JobStatusChange", "JobType",
    "JobUpdate", "ListPage", "Resource",
]
