"""FSM Navigator's job vocabulary as its Jobs API v1 reference lists it: statuses, the transitions the API
enforces, priorities and asset relationship types. The sandbox's own reading; the client keeps none of it."""

from __future__ import annotations

STATUSES = ("Pending", "Assigned", "In Progress", "On Hold", "Completed", "Invoiced", "Paid", "Closed", "Cancelled")

# "Status transitions", word for word; Closed and Cancelled are terminal (no entry = nothing allowed).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "Pending": ("Assigned", "Cancelled"),
    "Assigned": ("In Progress", "Pending", "Cancelled", "On Hold"),
    "In Progress": ("Completed", "Assigned", "On Hold", "Cancelled"),
    "On Hold": ("In Progress", "Assigned", "Cancelled"),
    "Completed": ("Invoiced",),
    "Invoiced": ("Paid",),
    "Paid": ("Closed",),
    "Cancelled": (),
    "Closed": (),
}

PRIORITIES = ("Low", "Medium", "High", "Urgent")
DEFAULT_PRIORITY = "Medium"

RELATIONSHIP_TYPES = ("serviced", "installed", "replaced", "inspected", "maintenance", "meter_threshold")
DEFAULT_RELATIONSHIP = "serviced"

# Technicians API: account status and availability filters.
TECHNICIAN_STATUSES = ("Active", "Inactive")
AVAILABILITY = ("Available", "Busy", "Offline")

# Asset lifecycle page: the nine asset statuses.
ASSET_STATUSES = ("Active", "Idle", "In Maintenance", "Pending Install", "In Transit", "Lost", "Non-Compliant",
                  "Decommissioned", "Retired")
