"""The Jobs API v1: list (every documented filter, paged to the end), get one (with its linked assets),
create, update (PUT) and change status (PATCH)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .models import Job, JobChanges, JobCreated, JobUpdated, NewJob, Page, StatusChanged, Written

if TYPE_CHECKING:
    from .client import FsmNavigatorClient

RESOURCE = "jobs"


class JobsApi:
    def __init__(self, client: FsmNavigatorClient) -> None:
        self._client = client

    def pages(self, *, status: str | None = None, priority: str | None = None,
              assigned_technician_id: int | None = None, customer_location_id: int | None = None,
              created_after: datetime | date | None = None, created_before: datetime | date | None = None,
              per_page: int = 100, first_page: int = 1) -> AsyncIterator[Page[Job]]:
        """Every page of jobs matching the filters (all of them optional; both dates inclusive, as the
        reference says), from `first_page`. Listed jobs carry no `assets` (None); `get` has them."""
        params: dict[str, Any] = {"status": status, "priority": priority,
                                  "assigned_technician_id": assigned_technician_id,
                                  "customer_location_id": customer_location_id,
                                  "created_after": created_after, "created_before": created_before}
        return self._client.pages(RESOURCE, Job, params=params, per_page=per_page, first_page=first_page)

    async def all(self, **filters: Any) -> AsyncIterator[Job]:
        """Every job matching `filters` (those of `pages`), page after page."""
        async for page in self.pages(**filters):
            for job in page.items:
                yield job

    async def get(self, job_id: int) -> Job:
        """One job with its linked assets (`assets`: [] when it has none)."""
        return await self._client.one(RESOURCE, Job, {"id": job_id})

    async def create(self, job: NewJob) -> Written[JobCreated]:
        """POST: the new job (Pending), 201. `data.job_id` is its id."""
        return await self._client.write("POST", RESOURCE, JobCreated, json=job.to_body())

    async def update(self, job_id: int, changes: JobChanges) -> Written[JobUpdated]:
        """PUT: the fields set in `changes`; `asset_ids` replaces every asset link (`[]` removes them all,
        ids the API does not know are skipped by it without a word)."""
        return await self._client.write("PUT", RESOURCE, JobUpdated, params={"id": job_id}, json=changes.to_body())

    async def set_status(self, job_id: int, status: str) -> Written[StatusChanged]:
        """PATCH: the status only. A move the API's transition table forbids raises
        InvalidStatusTransitionError with its message."""
        return await self._client.write("PATCH", RESOURCE, StatusChanged, params={"id": job_id},
                                        json={"job_status": status})
