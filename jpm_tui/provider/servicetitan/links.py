"""Links from the board to a record's page in ServiceTitan's web app."""

from __future__ import annotations

__all__ = ["WEB_APPS", "record_link"]

WEB_APPS: dict[str, str] = {
    "production": "https://go.servicetitan.com",
    "integration": "https://integration.servicetitan.com",
}
"""ServiceTitan's web app per environment (the sandbox and custom hosts have none)."""


def record_link(environment: str, kind: str, record_id: int) -> str | None:
    """The page of a record in ServiceTitan's web app, or None where there is none."""
    web = WEB_APPS.get(environment)
    if web is None or kind != "job":
        return None
    return f"{web}/#/Job/Index/{int(record_id)}"
