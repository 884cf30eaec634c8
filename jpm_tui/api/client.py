"""`ServiceTitanClient`: one `httpx.AsyncClient` per profile, with auth, rate limit, retries and paging.

Everything above it (resource classes, provider, CLI) calls `request`, `paginate` or `export`; URLs are
built only here: `{api_url}/{module}/v2/tenant/{tenant}/{path}`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Unpack

import httpx

from jpm_tui.api.auth import ClientCredentialsAuth
from jpm_tui.api.crm import CrmApi
from jpm_tui.api.dispatch import DispatchApi
from jpm_tui.api.errors import error_from_response
from jpm_tui.api.http_client import CONNECT_TIMEOUT, ClientOptions, HttpClient, check_base_url, json_body
from jpm_tui.api.jpm import JpmApi
from jpm_tui.api.retries import TRANSPORT_BACKOFF_MAX as TRANSPORT_BACKOFF_MAX  # the quick reconnect's wait
from jpm_tui.api.settings import SettingsApi

ENVIRONMENTS: dict[str, tuple[str, str]] = {
    "production": ("https://api.servicetitan.io", "https://auth.servicetitan.io"),
    "integration": ("https://api-integration.servicetitan.io", "https://auth-integration.servicetitan.io"),
}
MAX_PAGE_SIZE = 5000
READ_TIMEOUT = 15.0
"""Seconds to wait for an answer to a small request (a token, a list page, a write, one record)."""
EXPORT_READ_TIMEOUT = 100.0
"""Seconds to wait for an export page: ServiceTitan allows itself 100 s for a big one."""
"""Seconds ``ping`` waits for the server (to connect and to answer): the board says offline soon after."""


@dataclass(slots=True)
class Page:
    data: list[dict[str, Any]]
    page: int
    page_size: int
    has_more: bool
    total_count: int | None


@dataclass(slots=True)
class ExportPage:
    data: list[dict[str, Any]]
    continue_from: str
    has_more: bool
    texts: list[str]
    """Each row of ``data`` as the server wrote it: its JSON text, cut from the body (what the cache stores as
    the row's raw payload, instead of encoding the parsed row again)."""


class ServiceTitanClient(HttpClient):
    RATE_LIMIT = 60.0

    def __init__(
        self,
        *,
        api_url: str,
        auth_url: str,
        tenant: int,
        client_id: str,
        client_secret: str,
        app_key: str,
        timeout: float = EXPORT_READ_TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        transport_retries: int = 1,
        **options: Unpack[ClientOptions],
    ) -> None:
        """``timeout``: seconds to wait for an export page (the config's ``timeout``); ``read_timeout`` is the
        wait for any other answer and ``connect_timeout`` the wait to connect. ``transport_retries``: quick
        retries of a connection that failed at once (refused, reset, unknown host), apart from ``max_retries``;
        a timeout is not retried: it has waited long enough."""
        self.auth_url = check_base_url(auth_url, what="auth_url", allow_plain_http=options.get("transport") is not None)
        self.tenant = int(tenant)
        small = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._export_timeout = httpx.Timeout(read_timeout, connect=connect_timeout, read=timeout)
        super().__init__(
            api_url=api_url,
            auth=lambda clock: ClientCredentialsAuth(token_url=f"{self.auth_url}/connect/token", client_id=client_id,
                                                     client_secret=client_secret, app_key=app_key, clock=clock,
                                                     timeout=small),
            timeout=small, errors=error_from_response, reconnects=transport_retries, **options,
        )
        self.jpm = JpmApi(self)
        self.dispatch = DispatchApi(self)
        self.settings = SettingsApi(self)
        self.crm = CrmApi(self)

    def __repr__(self) -> str:
        return f"ServiceTitanClient(api_url={self.api_url!r}, tenant={self.tenant})"

    def url(self, module: str, path: str) -> str:
        return f"{self.api_url}/{module}/v2/tenant/{self.tenant}/{path.lstrip('/')}"

    async def request(
        self,
        method: str,
        module: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one API request; the parsed JSON answer, or None for an empty body."""
        return await self.send(method, self.url(module, path), what=f"{module}/{path}", params=encode_params(params),
                               json=json, parse=json_body)

    async def paginate(
        self,
        module: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        page_size: int = 500,
        include_total: bool = False,
    ) -> AsyncIterator[Page]:
        """Every page of a list operation, following `hasMore`."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be within 1..{MAX_PAGE_SIZE}, got {page_size}")
        page = 1
        while True:
            query = {**(params or {}), "page": page, "pageSize": page_size}
            if include_total:
                query["includeTotal"] = True
            body = await self.request("GET", module, path, params=query)
            result = Page(
                data=list(body.get("data") or []),
                page=int(body.get("page") or page),
                page_size=int(body.get("pageSize") or page_size),
                has_more=bool(body.get("hasMore")),
                total_count=body.get("totalCount"),
            )
            yield result
            if not result.has_more or not result.data:
                return
            page += 1

    async def export(
        self,
        module: str,
        path: str,
        *,
        from_token: str | None = None,
        include_recent_changes: bool = False,
        params: Mapping[str, Any] | None = None,
    ) -> AsyncIterator[ExportPage]:
        """An export feed page by page; each page carries the token to save together with its rows."""
        token = from_token
        while True:
            query = dict(params or {})
            if token:
                query["from"] = token
            if include_recent_changes:
                query["includeRecentChanges"] = True
            page = await self.send("GET", self.url(module, path), what=f"{module}/{path}",
                                   params=encode_params(query), json=None,
                                   parse=functools.partial(_export_page, token=token), timeout=self._export_timeout)
            yield page
            # An unchanged token with more promised would loop forever: treat it as the end.
            if not page.has_more or page.continue_from == token:
                return
            token = page.continue_from


def _export_page(response: httpx.Response, *, token: str | None) -> ExportPage:
    body, rows, texts = split_export_body(response.content)
    return ExportPage(data=rows, continue_from=str(body.get("continueFrom") or token or ""),
                      has_more=bool(body.get("hasMore")), texts=texts)


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def split_export_body(content: bytes) -> tuple[dict[str, Any], list[Any], list[str]]:
    """An export page's body read as ``json.loads`` reads it (same scanner, same errors: ValueError), and each
    row of its ``data`` array also as its text. The body is walked value by value and each row parsed on its
    own, so where a row's text starts and ends is known without serialising it again. Returns (the body without
    ``data``, the rows, their texts); ``data`` absent or null is no rows."""
    text = content.decode(json.detect_encoding(content), "surrogatepass")
    decode, space = _DECODER.raw_decode, _SPACE.match
    body: dict[str, Any] = {}
    rows: list[Any] = []
    texts: list[str] = []
    try:
        i = space(text).end()
        if text[i] != "{":
            raise ValueError("an export page is not a JSON object")
        i = space(text, i + 1).end()
        while text[i] != "}":
            key, i = decode(text, i)
            if not isinstance(key, str):
                raise ValueError("a key that is not a string")
            i = space(text, i).end()
            if text[i] != ":":
                raise ValueError(f"no ':' after {key!r}")
            i = space(text, i + 1).end()
            if key == "data":  # a repeated key: the last one counts, as in json.loads
                rows, texts = [], []
                if text[i] == "[":
                    i = space(text, i + 1).end()
                    while text[i] != "]":
                        row, end = decode(text, i)
                        rows.append(row)
                        texts.append(text[i:end])
                        # a comma straight before the next row (compact JSON): _after_item's answer, sooner
                        fast = text[end] == "," and text[end + 1] not in " \t\n\r]"
                        i = end + 1 if fast else _after_item(text, end, "]")
                    i += 1
                else:
                    value, i = decode(text, i)
                    if value is not None:
                        raise ValueError("data is not an array")
            else:
                body[key], i = decode(text, i)
            i = _after_item(text, i, "}")
        if space(text, i + 1).end() != len(text):
            raise ValueError("more after the export page")
    except IndexError:
        raise ValueError("the export page ends early") from None
    return body, rows, texts


def _after_item(text: str, i: int, close: str) -> int:
    """Past the comma after an array's or object's item (at ``close`` when it was the last)."""
    i = _SPACE.match(text, i).end()
    if text[i] == ",":
        i = _SPACE.match(text, i + 1).end()
        if text[i] == close:
            raise ValueError("a trailing comma")
        return i
    if text[i] != close:
        raise ValueError(f"expected ',' or {close!r}")
    return i


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str] | None:
    """Query values the way ServiceTitan reads them: bools lower-case, datetimes ISO-8601 UTC, None dropped."""
    if not params:
        return None
    return {key: _encode(value) for key, value in params.items() if value is not None}


def _encode(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(_encode(v) for v in value)
    return str(value)
