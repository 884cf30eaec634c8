"""`HttpClient`: what every backend's client shares. One `httpx.AsyncClient` per profile with the backend's auth
flow and headers, a checked base URL, a swappable transport (the tests' and the demo's), a client-side rate limit
and the house's retries (`retries.send_with_retries`). A backend's client adds its auth, its URLs, its error
reading and its paging.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ClassVar, Self, TypedDict, TypeVar, Unpack
from urllib.parse import urlsplit

import httpx

from jpm_tui import __version__
from jpm_tui.api.errors import TransportError
from jpm_tui.api.limiter import RateLimiter
from jpm_tui.api.retries import ErrorReader, RetryPolicy, send_with_retries
from jpm_tui.loopback import is_loopback

T = TypeVar("T")

CONNECT_TIMEOUT = 5.0
"""Seconds to open a connection (DNS, TCP, TLS): a host that takes longer is treated as unreachable."""
PING_TIMEOUT = 2.0


def check_base_url(url: str, *, what: str, allow_plain_http: bool = False) -> str:
    """Only https leaves this machine; plain http is for loopback (the sandbox) or an injected transport."""
    parts = urlsplit(url)
    if parts.scheme == "https" or allow_plain_http:
        return url.rstrip("/")
    if parts.scheme == "http" and is_loopback(parts.hostname or ""):
        return url.rstrip("/")
    raise ValueError(f"{what} must be an https:// URL (plain http only on loopback), got {url!r}")


def json_body(response: httpx.Response) -> Any:
    """An answer's JSON, None for an empty one."""
    return response.json() if response.content else None


class ClientOptions(TypedDict, total=False):
    """What every backend's client takes besides its own settings."""

    transport: httpx.AsyncBaseTransport | None
    """Instead of the network (the tests', the in-process demo's); it also allows a plain-http base URL."""
    rate_limit: float | None
    """Requests a second from this client; None: no limit. Default: the client's ``RATE_LIMIT``."""
    max_retries: int
    """Retries of a 429 or 5xx answer and of a malformed one (see `RetryPolicy`)."""
    backoff_base: float
    backoff_max: float
    sleep: Callable[[float], Awaitable[None]]
    clock: Callable[[], float]
    """Monotonic seconds, for the rate limit and the token's expiry."""


class HttpClient:
    RATE_LIMIT: ClassVar[float | None]
    """Requests a second when the options give none."""

    def __init__(
        self,
        *,
        api_url: str,
        auth: Callable[[Callable[[], float]], httpx.Auth],
        timeout: httpx.Timeout,
        errors: ErrorReader,
        reconnects: int | None = None,
        headers: Mapping[str, str] | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        """``auth``: the backend's auth flow, given the client's clock; ``errors`` reads the backend's error
        answers; ``reconnects``: see `RetryPolicy`; ``headers`` go with every request, after the house's own."""
        transport = options.get("transport")
        clock = options.get("clock", time.monotonic)
        sleep = options.get("sleep", asyncio.sleep)
        self.api_url = check_base_url(api_url, what="api_url", allow_plain_http=transport is not None)
        self._errors = errors
        house = RetryPolicy()
        self._retry = RetryPolicy(max_retries=options.get("max_retries", house.max_retries),
                                  backoff_base=options.get("backoff_base", house.backoff_base),
                                  backoff_max=options.get("backoff_max", house.backoff_max), reconnects=reconnects)
        self._sleep = sleep
        self._limiter = RateLimiter(options.get("rate_limit", self.RATE_LIMIT), clock=clock, sleep=sleep)
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            auth=auth(clock),
            headers={"User-Agent": f"jpm-tui/{__version__}", "Accept": "application/json", **(headers or {})},
        )

    async def ping(self, timeout: float = PING_TIMEOUT) -> None:
        """Whether the API host answers at all: one ``HEAD {api_url}/``, without sign-in, rate limit or retries
        (not an API call). Returns when any answer comes (whatever its status); raises ``TransportError`` when
        the host cannot be reached or says nothing within ``timeout`` seconds."""
        try:
            await self._http.request("HEAD", f"{self.api_url}/", auth=None, timeout=timeout)
        except httpx.TransportError as exc:
            raise TransportError.from_httpx(exc) from exc

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, method: str, url: str, *, what: str, params: Mapping[str, Any] | None, json: Any,
                   parse: Callable[[httpx.Response], T], timeout: httpx.Timeout | None = None) -> T:
        """One request with the rate limit and retries; its answer read by ``parse`` (see `send_with_retries`)."""
        return await send_with_retries(self._http, method, url, what=what, params=params, json=json, parse=parse,
                                       errors=self._errors, limiter=self._limiter, policy=self._retry,
                                       sleep=self._sleep, timeout=timeout)
