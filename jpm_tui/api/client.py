"""`ServiceTitanClient`: one `httpx.AsyncClient` per profile, with auth, rate limit, retries and paging.

Everything above it (resource classes, provider, CLI) calls `request`, `paginate` or `export`; URLs are
built only here: `{api_url}/{module}/v2/tenant/{tenant}/{path}`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from jpm_tui import __version__
from jpm_tui.api.auth import ClientCredentialsAuth
from jpm_tui.api.crm import CrmApi
from jpm_tui.api.dispatch import DispatchApi
from jpm_tui.api.errors import TransportError, error_from_response
from jpm_tui.api.jpm import JpmApi
from jpm_tui.api.limiter import RateLimiter
from jpm_tui.api.settings import SettingsApi
from jpm_tui.loopback import is_loopback

log = logging.getLogger("jpm_tui.api")

ENVIRONMENTS: dict[str, tuple[str, str]] = {
    "production": ("https://api.servicetitan.io", "https://auth.servicetitan.io"),
    "integration": ("https://api-integration.servicetitan.io", "https://auth-integration.servicetitan.io"),
}
MAX_PAGE_SIZE = 5000
RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Errors raised before a byte of the request left: safe to retry even a POST.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
CONNECT_TIMEOUT = 5.0
"""Seconds to open a connection (DNS, TCP, TLS): a host that takes longer is treated as unreachable."""
READ_TIMEOUT = 15.0
"""Seconds to wait for an answer to a small request (a token, a list page, a write, one record)."""
EXPORT_READ_TIMEOUT = 100.0
"""Seconds to wait for an export page: ServiceTitan allows itself 100 s for a big one."""
PING_TIMEOUT = 2.0
"""Seconds ``ping`` waits for the server (to connect and to answer): the board says offline soon after."""
TRANSPORT_BACKOFF_MAX = 0.5
"""Longest wait before the retry of a connection failure: a refused port or an unknown host fails in a second,
not after the growing waits (up to a minute in all) that 429 and 5xx answers get."""
_TITLE_SECONDS = re.compile(r"(\d+(?:\.\d+)?)\s*sec", re.IGNORECASE)

T = TypeVar("T")


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


def check_base_url(url: str, *, what: str, allow_plain_http: bool = False) -> str:
    """Only https leaves this machine; plain http is for loopback (the sandbox) or an injected transport."""
    parts = urlsplit(url)
    if parts.scheme == "https" or allow_plain_http:
        return url.rstrip("/")
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        return url.rstrip("/")
    raise ValueError(f"{what} must be an https:// URL (plain http only on loopback), got {url!r}")


class ServiceTitanClient:
    def __init__(
        self,
        *,
        api_url: str,
        auth_url: str,
        tenant: int,
        client_id: str,
        client_secret: str,
        app_key: str,
        transport: httpx.AsyncBaseTransport | None = None,
        rate_limit: float | None = 60.0,
        timeout: float = EXPORT_READ_TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        max_retries: int = 4,
        transport_retries: int = 1,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``timeout``: seconds to wait for an export page (the config's ``timeout``); ``read_timeout`` is the
        wait for any other answer and ``connect_timeout`` the wait to connect. ``max_retries``: retries of a
        429 or 5xx answer (and of a malformed one); ``transport_retries``: retries of a connection that failed
        at once (refused, reset, unknown host). A timeout is not retried: it has waited long enough."""
        injected = transport is not None
        self.api_url = check_base_url(api_url, what="api_url", allow_plain_http=injected)
        self.auth_url = check_base_url(auth_url, what="auth_url", allow_plain_http=injected)
        self.tenant = int(tenant)
        self.max_retries = max_retries
        self.transport_retries = transport_retries
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._sleep = sleep
        self._limiter = RateLimiter(rate_limit, clock=clock, sleep=sleep)
        small = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._export_timeout = httpx.Timeout(read_timeout, connect=connect_timeout, read=timeout)
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=small,
            auth=ClientCredentialsAuth(
                token_url=f"{self.auth_url}/connect/token",
                client_id=client_id,
                client_secret=client_secret,
                app_key=app_key,
                clock=clock,
                timeout=small,
            ),
            headers={"User-Agent": f"jpm-tui/{__version__}", "Accept": "application/json"},
        )
        self.jpm = JpmApi(self)
        self.dispatch = DispatchApi(self)
        self.settings = SettingsApi(self)
        self.crm = CrmApi(self)

    def __repr__(self) -> str:
        return f"ServiceTitanClient(api_url={self.api_url!r}, tenant={self.tenant})"

    async def __aenter__(self) -> ServiceTitanClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def url(self, module: str, path: str) -> str:
        return f"{self.api_url}/{module}/v2/tenant/{self.tenant}/{path.lstrip('/')}"

    async def ping(self, timeout: float = PING_TIMEOUT) -> None:
        """Whether the API host answers at all: one ``HEAD {api_url}/``, without sign-in, rate limit or retries
        (not an API call). Returns when any answer comes (whatever its status); raises ``TransportError`` when
        the host cannot be reached or says nothing within ``timeout`` seconds."""
        try:
            await self._http.request("HEAD", f"{self.api_url}/", auth=None, timeout=timeout)
        except httpx.TransportError as exc:
            raise TransportError.from_httpx(exc) from exc

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
        return await self._request(method, module, path, params=params, json=json, parse=_json_body)

    async def _request(
        self,
        method: str,
        module: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        parse: Callable[[httpx.Response], T],
        timeout: httpx.Timeout | None = None,
    ) -> T:
        """``request`` with the answer read by ``parse``; a ValueError from it is a malformed answer.
        ``timeout``: other than the client's (for small requests)."""
        method = method.upper()
        url = self.url(module, path)
        query = encode_params(params)
        idempotent = method in IDEMPOTENT_METHODS
        attempt = 0  # retries of answers (429, 5xx, malformed)
        reconnects = 0  # retries of connections that failed at once
        while True:
            await self._limiter.acquire()
            started = time.perf_counter()
            try:
                response = await self._http.request(method, url, params=query, json=json,
                                                    timeout=timeout or httpx.USE_CLIENT_DEFAULT)
            except httpx.TransportError as exc:
                if (reconnects < self.transport_retries and not isinstance(exc, httpx.TimeoutException)
                        and (idempotent or isinstance(exc, NEVER_SENT))):
                    reconnects += 1
                    await self._sleep(random.uniform(0, TRANSPORT_BACKOFF_MAX))
                    continue
                raise TransportError.from_httpx(exc) from exc
            log.debug("%s %s/%s -> %s in %.0f ms", method, module, path, response.status_code,
                      (time.perf_counter() - started) * 1000)
            if response.status_code in RETRY_STATUSES:
                wait = retry_after(response)
                # A 429 was refused before handling, so even a POST may go again; a 5xx may have run.
                if attempt < self.max_retries and (idempotent or response.status_code == 429):
                    attempt += 1
                    await self._sleep(wait if wait is not None else self._backoff(attempt))
                    continue
                raise error_from_response(response, retry_after=wait)
            if response.is_error:
                raise error_from_response(response)
            try:
                if len(response.content) < PARSE_ON_A_THREAD:
                    return parse(response)
                return await asyncio.to_thread(parse, response)
            except ValueError as exc:
                if idempotent and attempt < self.max_retries:
                    attempt += 1
                    await self._sleep(self._backoff(attempt))
                    continue
                host = response.request.url.host
                raise TransportError(f"{host} sent a malformed JSON answer to {method} {path}", host=host,
                                     answered=True) from exc

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter, so many clients do not retry in step."""
        return random.uniform(0, min(self._backoff_max, self._backoff_base * 2**attempt))

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
            page = await self._request("GET", module, path, params=query, json=None,
                                       parse=functools.partial(_export_page, token=token),
                                       timeout=self._export_timeout)
            yield page
            # An unchanged token with more promised would loop forever: treat it as the end.
            if not page.has_more or page.continue_from == token:
                return
            token = page.continue_from


PARSE_ON_A_THREAD = 128 * 1024
"""Answers of at least this many bytes are parsed on a worker thread: an export page of 1,000 jobs (~1 MB) takes
~10 ms to parse, which on the event loop (the board's) delayed every key pressed during a sync."""


def _json_body(response: httpx.Response) -> Any:
    return response.json() if response.content else None


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


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or HTTP date), else from a 429's title."""
    header = response.headers.get("Retry-After")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                return max(0.0, (parsedate_to_datetime(header) - datetime.now(UTC)).total_seconds())
            except (TypeError, ValueError):
                pass
    if response.status_code == 429:
        try:
            match = _TITLE_SECONDS.search(str(response.json().get("title", "")))
        except ValueError:
            match = None
        if match:
            return float(match.group(1))
    return None
