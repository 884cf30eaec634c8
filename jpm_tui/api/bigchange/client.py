"""`BigChangeClient`: one `httpx.AsyncClient` per profile for BigChange's REST API, with sign-in, the
`customer-id` header, rate limit, retries and paging; one method per operation the board uses.

From the reference: the base `https://api.bigchange.com/v1`, `authorization: Bearer <token>` and a `customer-id`
header on every request, paged collections (`pageNumber` from 1, `pageSize` 1..1000, the answer's `items`),
`PATCH /jobs/{jobId}` ("Update a job": 204, RFC 7807 problems, 422 with an `errors` map) and a job's status
history (`sortBy=createdAt`, `direction`). The reference names no other path, no filter of a job list and no
rate limit: `PATHS` says which paths are chosen, `JobFilter` which filters, and the client paces itself at
`rate_limit` requests a second and honours a 429's `Retry-After`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, Unpack

import httpx
from pydantic import BaseModel

from jpm_tui.api.bigchange.auth import BigChangeAuth
from jpm_tui.api.bigchange.models import (
    Contact,
    ContactPerson,
    CustomFieldDefinition,
    Job,
    JobStatusChange,
    JobType,
    JobUpdate,
    Resource,
)
from jpm_tui.api.errors import TransportError, error_from_response
from jpm_tui.api.http_client import CONNECT_TIMEOUT, ClientOptions, HttpClient, check_base_url, json_body
from jpm_tui.api.models.base import query_value

DEFAULT_API_URL = "https://api.bigchange.com/v1"
MAX_PAGE_SIZE = 1000
MAX_PAGE_NUMBER = 2_147_483

PATHS = {
    # documented
    "contacts": "contacts",                          # the reference's example request
    "job": "jobs/{job_id}",                          # PATCH "Update a job"
    # chosen: the reference has these operations' pages but not their paths, or no page at all
    "job_status_history": "jobs/{job_id}/status-history",
    "jobs": "jobs",
    "contact": "contacts/{contact_id}",
    "contact_persons": "contacts/{contact_id}/persons",
    "resources": "resources",
    "job_types": "job-types",
    "custom_field_definitions": "custom-field-definitions",
}

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class JobFilter:
    """Filters of the job list. The reference documents none for jobs: these follow its other collections
    (a `...Id` filter takes one or more values, "only return items where X matches the value(s) provided";
    `sortBy` + `direction`). There is no modified-since or status-date filter to rely on: a sync sweeps."""

    job_ids: Sequence[int] = ()
    statuses: Sequence[str] = ()
    type_ids: Sequence[int] = ()
    contact_ids: Sequence[int] = ()
    resource_ids: Sequence[int] = ()
    planned_start_from: datetime | None = None
    """Jobs planned to start at or after this instant."""
    planned_start_to: datetime | None = None
    """Jobs planned to start before this instant."""
    sort_by: str = "id"
    """`id` (the default: a stable order to page through), `plannedStartAt` or `createdAt`."""
    direction: str = "ascending"

    def params(self) -> dict[str, Any]:
        return {
            "jobId": list(self.job_ids), "status": list(self.statuses), "typeId": list(self.type_ids),
            "contactId": list(self.contact_ids), "resourceId": list(self.resource_ids),
            "plannedStartFrom": self.planned_start_from, "plannedStartTo": self.planned_start_to,
            "sortBy": self.sort_by, "direction": self.direction,
        }


@dataclass(slots=True)
class ListPage:
    """One page of a collection, its rows as the server sent them (the cache keeps raw payloads)."""

    items: list[dict[str, Any]]
    page_number: int
    page_size: int

    @property
    def last(self) -> bool:
        """A short page ends the collection (the answer carries no total or next link)."""
        return len(self.items) < self.page_size


class BigChangeClient(HttpClient):
    RATE_LIMIT = 10.0

    def __init__(self, *, api_url: str = DEFAULT_API_URL, auth_url: str, customer_id: int, client_id: str,
                 client_secret: str, timeout: float = 30.0, **options: Unpack[ClientOptions]) -> None:
        """``auth_url``: the token endpoint itself (POST), as BigChange gives it; ``customer_id``: the number
        of the BigChange customer whose data this profile reads."""
        self.auth_url = check_base_url(auth_url, what="auth_url", allow_plain_http=options.get("transport") is not None)
        self.customer_id = int(customer_id)
        bounded = httpx.Timeout(timeout, connect=CONNECT_TIMEOUT)
        super().__init__(
            api_url=api_url,
            auth=lambda clock: BigChangeAuth(token_url=self.auth_url, client_id=client_id,
                                             client_secret=client_secret, timeout=bounded, clock=clock),
            timeout=bounded, errors=error_from_response, headers={"customer-id": str(self.customer_id)}, **options,
        )

    def __repr__(self) -> str:
        return f"BigChangeClient(api_url={self.api_url!r}, customer_id={self.customer_id})"

    # ------------------------------------------------------------------------------------------ transport

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json: Any = None) -> Any:
        """Send one API request (``path`` below ``api_url``); the parsed JSON answer, None for an empty one."""
        return await self.send(method, f"{self.api_url}/{path.lstrip('/')}", what=path, params=encode_query(params),
                               json=json, parse=json_body)

    async def pages(self, path: str, *, params: Mapping[str, Any] | None = None, page_size: int = MAX_PAGE_SIZE,
                    first_page: int = 1) -> AsyncIterator[ListPage]:
        """Every page of a collection from ``first_page`` (a sweep resumed) until a short one."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be within 1..{MAX_PAGE_SIZE}, got {page_size}")
        if not 1 <= first_page <= MAX_PAGE_NUMBER:
            raise ValueError(f"first_page must be within 1..{MAX_PAGE_NUMBER}, got {first_page}")
        for number in range(first_page, MAX_PAGE_NUMBER + 1):
            body = await self.request("GET", path, params={**(params or {}), "pageNumber": number,
                                                          "pageSize": page_size})
            items = body.get("items") if isinstance(body, dict) else None
            if not isinstance(items, list):
                host = httpx.URL(self.api_url).host
                raise TransportError(f"{host} answered GET {path} without a list of items", host=host)
            page = ListPage(items=items, page_number=number, page_size=page_size)
            yield page
            if page.last:
                return

    async def _items(self, model: type[M], path: str, params: Mapping[str, Any] | None = None,
                     page_size: int = MAX_PAGE_SIZE) -> AsyncIterator[M]:
        async for page in self.pages(path, params=params, page_size=page_size):
            for item in page.items:
                yield model.model_validate(item)

    # ----------------------------------------------------------------------------------------------- jobs

    def job_pages(self, filters: JobFilter = JobFilter(), *, page_size: int = MAX_PAGE_SIZE,
                  first_page: int = 1) -> AsyncIterator[ListPage]:
        """The job list page by page from ``first_page``, raw (what a sync stores, one transaction a page)."""
        return self.pages(PATHS["jobs"], params=filters.params(), page_size=page_size, first_page=first_page)

    def list_jobs(self, filters: JobFilter = JobFilter(), *, page_size: int = MAX_PAGE_SIZE) -> AsyncIterator[Job]:
        return self._items(Job, PATHS["jobs"], filters.params(), page_size)

    async def get_job(self, job_id: int) -> Job:
        return Job.model_validate(await self.request("GET", PATHS["job"].format(job_id=job_id)))

    async def status_history(self, job_id: int, *, direction: str = "ascending",
                             page_size: int = MAX_PAGE_SIZE) -> AsyncIterator[JobStatusChange]:
        """A job's status changes by `createdAt`; alerts sent with an internal status are left out."""
        path = PATHS["job_status_history"].format(job_id=job_id)
        async for change in self._items(JobStatusChange, path, {"sortBy": "createdAt", "direction": direction},
                                        page_size):
            if change.status is not None:
                yield change

    async def update_job(self, job_id: int, changes: JobUpdate | Mapping[str, Any]) -> None:
        """"Update a job": the body holds exactly the fields in ``changes`` (a `JobUpdate`, or a dict of its
        wire or Python names): a field given None is sent as null (unset it), a field not given is not sent
        (keep it). Answers 204; a refusal raises the matching `ApiError` (422: `field_errors(name)`)."""
        update = changes if isinstance(changes, JobUpdate) else JobUpdate.model_validate(dict(changes))
        await self.request("PATCH", PATHS["job"].format(job_id=job_id), json=update.to_body())

    # --------------------------------------------------------------------------- contacts and the rest

    def list_contacts(self, *, contact_ids: Sequence[int] = (), page_size: int = MAX_PAGE_SIZE) -> AsyncIterator[Contact]:
        return self._items(Contact, PATHS["contacts"], {"contactId": list(contact_ids)}, page_size)

    async def get_contact(self, contact_id: int) -> Contact:
        return Contact.model_validate(await self.request("GET", PATHS["contact"].format(contact_id=contact_id)))

    def list_contact_persons(self, contact_id: int) -> AsyncIterator[ContactPerson]:
        """The people at a contact (the uuids `personId` takes)."""
        return self._items(ContactPerson, PATHS["contact_persons"].format(contact_id=contact_id))

    def list_resources(self, *, resource_ids: Sequence[int] = ()) -> AsyncIterator[Resource]:
        return self._items(Resource, PATHS["resources"], {"resourceId": list(resource_ids)})

    def list_job_types(self) -> AsyncIterator[JobType]:
        return self._items(JobType, PATHS["job_types"])

    def list_custom_field_definitions(self) -> AsyncIterator[CustomFieldDefinition]:
        return self._items(CustomFieldDefinition, PATHS["custom_field_definitions"])


def encode_query(params: Mapping[str, Any] | None) -> dict[str, str | list[str]] | None:
    """Query values as an ASP.NET API binds them: a list is the parameter repeated (`jobId=1&jobId=2`), an
    empty list or None is no parameter, datetimes ISO 8601 UTC, booleans `true`/`false`."""
    if not params:
        return None
    query: dict[str, str | list[str]] = {}
    for name, value in params.items():
        if isinstance(value, list | tuple):
            if value:
                query[name] = [query_value(v) for v in value]
        elif value is not None:
            query[name] = query_value(value)
    return query
