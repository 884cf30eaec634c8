"""The FSM Navigator REST API v1 client (Jobs, Customers, Technicians, Assets): HTTP only, like the
ServiceTitan client beside it, and sharing its error classes, rate limiter and retry rules."""

from .client import PRODUCTION_URL, FsmNavigatorClient
from .errors import InvalidStatusTransitionError
from .models import (
                     Asset,
                     AssetLink,
                     Customer,
                     Job,
                     JobChanges,
                     JobCreated,
                     JobUpdated,
                     Location,
                     NewJob,
                     Page,
                     Pagination,
                     StatusChanged,
                     Technician,
                     Written,
)

__all__ = [
    "PRODUCTION_URL", "Asset", "AssetLink", "Customer", "FsmNavigatorClient", "InvalidStatusTransitionError", "Job",
    "JobChanges", "JobCreated", "JobUpdated", "Location", "NewJob", "Page", "Pagination", "StatusChanged",
    "Technician", "Written",
]
