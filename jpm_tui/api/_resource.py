"""Shared plumbing of the resource classes (`JpmApi`, `DispatchApi`, `SettingsApi`, `CrmApi`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict, TypeVar

from pydantic import BaseModel, TypeAdapter

from jpm_tui.api.models.base import ActiveFilter, ApiRequest, Paged, build_query

if TYPE_CHECKING:
    from jpm_tui.api.client import ExportPage, ServiceTitanClient

M = TypeVar("M", bound=BaseModel)


# Filter groups shared by many list operations (keyword arguments, snake_case of the query names).


class DateFilters(TypedDict, total=False):
    created_before: datetime
    created_on_or_after: datetime
    modified_before: datetime
    modified_on_or_after: datetime


class ActiveFilters(TypedDict, total=False):
    active: ActiveFilter | bool
    """`True`/`False`/`Any` (or a bool); the server's default differs per operation."""


class SortFilter(TypedDict, total=False):
    sort: str
    """`+FieldName` ascending, `-FieldName` descending."""


def filter_names(spec: type | None) -> frozenset[str]:
    if spec is None:
        return frozenset()
    return frozenset(spec.__required_keys__ | spec.__optional_keys__)  # type: ignore[attr-defined]


class Resource:
    """Base of the resource classes: one instance per client, one method per operation."""

    MODULE: ClassVar[str]

    def __init__(self, client: ServiceTitanClient) -> None:
        self._client = client

    # -- plain requests ---------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: ApiRequest | list[ApiRequest] | Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        response: Any = None,
    ) -> Any:
        """Send one request; validate the answer into `response` (a model, `Paged[X]`, ...) if given."""
        if isinstance(body, ApiRequest):
            json: Any = body.to_body()
        elif isinstance(body, list):
            json = [item.to_body() if isinstance(item, ApiRequest) else item for item in body]
        else:
            json = body
        data = await self._client.request(method, self.MODULE, path, params=dict(params) if params else None, json=json)
        if response is None or data is None:
            return None
        return TypeAdapter(response).validate_python(data)

    async def _get(self, path: str, response: Any, params: Mapping[str, Any] | None = None) -> Any:
        return await self._call("GET", path, params=params, response=response)

    # -- lists --------------------------------------------------------------------------------------

    async def _list(
        self,
        path: str,
        row: type[M],
        filters: Mapping[str, Any],
        spec: type | None,
        *,
        page: int | None,
        page_size: int | None,
        include_total: bool,
    ) -> Paged[M]:
        params = build_query(filter_names(spec), **filters)
        params.update(build_query(None, page=page, page_size=page_size, include_total=include_total or None))
        return await self._call("GET", path, params=params, response=Paged[row])  # type: ignore[valid-type]

    async def _iter(
        self,
        path: str,
        row: type[M],
        filters: Mapping[str, Any],
        spec: type | None,
        *,
        page_size: int,
    ) -> AsyncIterator[M]:
        params = build_query(filter_names(spec), **filters)
        async for page in self._client.paginate(self.MODULE, path, params=params or None, page_size=page_size):
            for item in page.data:
                yield row.model_validate(item)

    # -- export feeds -------------------------------------------------------------------------------

    def _export(
        self,
        path: str,
        from_token: str | None,
        include_recent_changes: bool,
        params: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[ExportPage]:
        return self._client.export(
            self.MODULE, path, from_token=from_token, include_recent_changes=include_recent_changes, params=params
        )
