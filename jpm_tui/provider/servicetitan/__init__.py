"""ServiceTitan behind the provider boundary, one room per job:

* ``mapping``: wire payloads -> domain rows (``job_from_wire``, ...), and a domain row back to a record dict;
* ``feeds``: which export or list endpoint fills which cache table;
* ``commands``: domain commands -> API calls (``HANDLERS``), and finding what a lost attempt made;
* ``errors``: API errors -> ``ProviderError`` (the cache's terms) and ``CommandResult`` outcomes;
* ``links``: a record's page in ServiceTitan's web app;
* ``provider``: ``ServiceTitanProvider``, the thin front the sync engine and the outbox hold.

Its workflow (statuses, actions) is apart, in ``provider/servicetitan_workflow.py``: the board loads it before any
of this. Nothing here imports the api package until a request is made.
"""

from __future__ import annotations

from .links import WEB_APPS, record_link
from .mapping import (
    MappingError,
    appointment_from_wire,
    arrival_window_from_wire,
    assignment_from_wire,
    booked_log_from_wire,
    business_hours_from_wire,
    business_unit_from_wire,
    canceled_log_from_wire,
    contact_from_wire,
    customer_from_wire,
    employee_from_wire,
    history_from_wire,
    job_from_wire,
    job_type_from_wire,
    location_from_wire,
    map_rows,
    note_from_wire,
    project_from_wire,
    project_status_from_wire,
    project_type_from_wire,
    reason_from_wire,
    record_to_dict,
    shift_from_wire,
    tag_type_from_wire,
    team_from_wire,
    technician_from_wire,
    zone_from_wire,
)
from .provider import ServiceTitanProvider

__all__ = [
    "WEB_APPS",
    "MappingError",
    "ServiceTitanProvider",
    "appointment_from_wire",
    "arrival_window_from_wire",
    "assignment_from_wire",
    "booked_log_from_wire",
    "business_hours_from_wire",
    "business_unit_from_wire",
    "canceled_log_from_wire",
    "contact_from_wire",
    "customer_from_wire",
    "employee_from_wire",
    "history_from_wire",
    "job_from_wire",
    "job_type_from_wire",
    "location_from_wire",
    "map_rows",
    "note_from_wire",
    "project_from_wire",
    "project_status_from_wire",
    "project_type_from_wire",
    "reason_from_wire",
    "record_link",
    "record_to_dict",
    "shift_from_wire",
    "tag_type_from_wire",
    "team_from_wire",
    "technician_from_wire",
    "zone_from_wire",
]
