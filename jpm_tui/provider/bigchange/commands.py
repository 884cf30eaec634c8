"""BigChange's one write: "Update a job" with exactly the fields the dispatcher changed or emptied.

HTTP-free (the outbox reads queued commands back before any client exists); ``provider.py`` turns it into the
client's ``JobUpdate``: a field in ``changes`` is sent with its value, a field in ``cleared`` is sent as null, any
other field is not sent (BigChange keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..domain import Command

__all__ = ["CUSTOM_FIELD_PREFIX", "EditJobFields", "custom_field_name", "definition_id"]

CUSTOM_FIELD_PREFIX = "customFields."
"""A custom field's name in a command and a form: ``customFields.<definitionId>``."""


def custom_field_name(definition_id: int) -> str:
    return f"{CUSTOM_FIELD_PREFIX}{int(definition_id)}"


def definition_id(name: str) -> int | None:
    """The definition id of a custom field's name; None for a job field."""
    if not name.startswith(CUSTOM_FIELD_PREFIX):
        return None
    return int(name[len(CUSTOM_FIELD_PREFIX):])


@dataclass(frozen=True, slots=True)
class EditJobFields(Command):
    """``changes``: the update body's field (wire name, or ``customFields.<id>``) -> its new value as typed;
    ``cleared``: the fields to unset (sent as null). A field in neither is kept."""

    kind: ClassVar[str] = "edit_job_fields"
    target: ClassVar[str] = "job"
    target_field: ClassVar[str | None] = "job_id"
    job_id: int
    changes: dict[str, Any] = field(default_factory=dict, hash=False)
    cleared: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        both = set(self.changes) & set(self.cleared)
        if both:
            raise ValueError(f"a field is either changed or cleared, not both: {sorted(both)}")
