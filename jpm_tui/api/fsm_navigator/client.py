"""`FsmNavigatorClient`: one `httpx.AsyncClient` per profile for FSM Navigator's REST API v1, with the
`X-API-Key` auth flow, a client-side rate limit, retries with backoff, the envelope read and paging.

URLs are `{api_url}/{resource}` with `api_url` the reference's base (`https://fsmnavigator.com/api/v1`).
Retries follow the ServiceTitan client's rules: 429 (refused before anything ran) and connection failures
before sending are retried for every method; 502/503/504, timeouts and dropped answers only for GET and
PUT, which are safe to repeat (a PUT with `asset_ids` sets the same links again). POST and PATCH are never
sent twice: a repeated status change would come back refused as an invalid transition.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Unpack

import httpx

from jpm_tui.api.client import encode_params
from jpm_tui.api.errors import TransportError
from jpm_tui.api.http_client import CONNECT_TIMEOUT, ClientOptions, HttpClient

from .auth import ApiKeyAuth
from .directory import AssetsApi, CustomersApi, TechniciansApi
from .errors import error_from_response
from .jobs import JobsApi
from .models import Page, Pagination, T, Written

PRODUCTION_URL = "https://fsmnavigator.com/api/v1"
MAX_PER_PAGE = 100  # the reference's maximum for every list
DEFAULT_RATE_LIMIT = 10.0
"""Requests per second from this client. The reference documents per-key limits and tiers but no numbers;
ten a second keeps a full sweep of 100,000 jobs (1,000 pages) under two minutes without bursting."""


class FsmNavigatorClient(HttpClient):
    RATE_LIMIT = DEFAULT_RATE_LIMIT

    def __init__(self, *, api_url: str = PRODUCTION_URL, api_key: str, connect_timeout: float = CONNECT_TIMEOUT,
                 read_timeout: float = 30.0, **options: Unpack[ClientOptions]) -> None:
        auth = ApiKeyAuth(api_key)
        super().__init__(api_url=api_url, auth=lambda _clock: auth,
                         timeout=httpx.Timeout(read_timeout, connect=connect_timeout), errors=error_from_response,
                         **options)
        self.jobs = JobsApi(self)
        self.customers = CustomersApi(self)
        self.technicians = TechniciansApi(self)
        self.assets = AssetsApi(self)

    def __repr__(self) -> str:
        return f"FsmNavigatorClient(api_url={self.api_url!r})"

    # ------------------------------------------------------------------------------------------ requests

    async def request(self, method: str, resource: str, *, params: Mapping[str, Any] | None = None,
                      json: Any = None) -> dict[str, Any]:
        """One API call; the answer's JSON object (the envelope). Raises the typed errors of
        jpm_tui.api.errors (TransportError, AuthError, ValidationError, NotFoundError, ...)."""
        return await self.send(method, f"{self.api_url}/{resource}", what=resource, params=encode_params(params),
                               json=json, parse=_envelope)

    # -------------------------------------------------------------------------------- envelope readers

    async def one(self, resource: str, model: type[T], params: Mapping[str, Any]) -> T:
        """A single-record GET (`?id=`): its `data` as `model`."""
        body = await self.request("GET", resource, params=params)
        return self.parse(model, body.get("data"), resource)

    async def write(self, method: str, resource: str, model: type[T], *, params: Mapping[str, Any] | None = None,
                    json: Any) -> Written[T]:
        """A POST/PUT/PATCH: its `data` as `model`, with the API's `message` and `request_id`. The record is
        read from `data`, or from a `job` object (the best-practices page's examples answer that way)."""
        body = await self.request(method, resource, params=params, json=json)
        data = body.get("data") if body.get("data") is not None else body.get("job")
        return Written(self.parse(model, data, resource), str(body.get("message") or ""), body.get("request_id"))

    async def pages(self, resource: str, model: type[T], *, params: Mapping[str, Any] | None = None,
                    per_page: int = MAX_PER_PAGE, first_page: int = 1) -> AsyncIterator[Page[T]]:
        """Every page of a list, from `first_page` (a sweep resuming) to `pagination.total_pages` (or, without a
        pagination object, to the first short page)."""
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be within 1..{MAX_PER_PAGE}, got {per_page}")
        page = max(1, first_page)
        while True:
            body = await self.request("GET", resource, params={**(params or {}), "page": page, "per_page": per_page})
            rows = body.get("data")
            if not isinstance(rows, list):
                raise TransportError(f"the {resource} list answer has no data array")
            pagination = self.parse(Pagination, body.get("pagination") or {"page": page}, resource)
            yield Page([self.parse(model, row, resource) for row in rows], pagination, body.get("request_id"))
            last = pagination.total_pages
            if not rows or (page >= last if last is not None else len(rows) < per_page):
                return
            page += 1

    async def records(self, resource: str, model: type[T], *, params: Mapping[str, Any] | None = None,
                      per_page: int = MAX_PER_PAGE) -> AsyncIterator[T]:
        """Every record of a list, page after page."""
        async for page in self.pages(resource, model, params=params, per_page=per_page):
            for item in page.items:
                yield item

    @staticmethod
    def parse(model: type[T], data: Any, resource: str) -> T:
        """`data` as `model`; an answer that is not such a record is a malformed answer (TransportError)."""
        try:
            return model.model_validate(data)
        except ValueError as exc:
            raise TransportError(f"the {resource} answer is not a {model.__name__} record: {exc}") from exc


def _envelope(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    if not isinstance(body, dict):
        raise ValueError("not a JSON object")
    return body
