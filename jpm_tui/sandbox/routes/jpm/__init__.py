"""Job Planning & Management routes (`/jpm/v2/tenant/{tenant}/...`), shaped after jpm-v2.json: one module per
resource, each with its shapes, bodies, filters, handlers and `routes()`.

Every operation of the 2026 list (seed 000) plus the document's `PUT jobs/{id}/hold`, `PUT jobs/{id}/
complete` and the message endpoints. Writes change real state the way ServiceTitan does: cancelling a job
cancels its open appointments, writes a canceled-log row and a history entry, and touches everything it
changed so the export feeds hand the rows out again.

Status codes follow the document operation by operation: a refused state change is a 409 where the
document lists 409 (appointments, job completion) and a 400 where it does not (job cancel, job hold).

The work-breakdown-structure (BudgetCodes) operations and `POST appointments/{id}/summaries` are newer
than the document; their shapes are modelled loosely on the 2026 reference pages.

- `jobs`, `appointments`, `projects` (with project statuses, substatuses and types), `job_types`, `reasons`
  (cancel and hold), `custom_fields` (types and merging), `notes` (and messages), `history` (history, booked
  and canceled logs), `work_breakdown` (segments, budget codes): the resources.
- `checks` (the records a path or body names, priorities, dates, windows; 400 / 409 answers), `lists` (the
  documented `sort` fields, child lists), `external_data`, `body_fields`: what the resources share.
"""

from __future__ import annotations

from starlette.routing import Route

from . import (
    appointments,
    custom_fields,
    history,
    job_types,
    jobs,
    notes,
    projects,
    reasons,
    work_breakdown,
)


def routes() -> list[Route]:
    # No path of one resource matches a path of another (the int converter keeps `jobs/cancel-reasons` apart
    # from `jobs/{id}`), so their order here does not matter.
    return [
        *jobs.routes(),
        *appointments.routes(),
        *history.routes(),
        *notes.routes(),
        *reasons.routes(),
        *custom_fields.routes(),
        *job_types.routes(),
        *projects.routes(),
        *work_breakdown.routes(),
    ]
