"""ServiceTitan's command failures as outcomes, with its request fields under the domain's names."""

from __future__ import annotations

from jpm_tui.provider import api_errors
from jpm_tui.provider.api_errors import translated
from jpm_tui.provider.base import CommandResult

__all__ = ["result_from_error", "translated"]

_FIELD_NAMES = {
    # ServiceTitan request field -> domain field (what the dispatcher's form calls it)
    "reasonId": "reason_id", "memo": "memo", "start": "start", "end": "end",
    "arrivalWindowStart": "arrival_window_start", "arrivalWindowEnd": "arrival_window_end",
    "technicianIds": "technician_ids", "jobAppointmentId": "appointment_id", "text": "text",
    "pinToTop": "pin_to_top", "specialInstructions": "text", "summary": "summary", "priority": "priority",
    "jobTypeId": "job_type_id", "businessUnitId": "business_unit_id", "jobId": "job_id",
}


def result_from_error(exc: Exception) -> CommandResult:
    """See ``api_errors.result_from_error``."""
    return api_errors.result_from_error(exc, _FIELD_NAMES)
