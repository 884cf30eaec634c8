"""OAuth2 client credentials as an `httpx.Auth` flow.

The token lives in memory only, is shared by concurrent requests (one fetch under a lock), is renewed a
little before it expires, and a 401 gets exactly one retry with a fresh token (ServiceTitan revokes tokens
early on credential rotation). `ST-App-Key` rides on every API request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Generator

import httpx

from jpm_tui.api.errors import AuthError, error_from_response


class ClientCredentialsAuth(httpx.Auth):
    requires_response_body = True
    service = "ServiceTitan"
    """Who issues the token, as messages name it (a subclass per backend)."""

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        app_key: str,
        timeout: httpx.Timeout,
        clock: Callable[[], float] = time.monotonic,
        refresh_margin: float = 60.0,
    ) -> None:
        """``timeout``: the token request's (httpx gives a request an auth flow makes none of its own: without
        one it waits for ever on a server that accepts and never answers)."""
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._app_key = app_key
        self._clock = clock
        self._refresh_margin = refresh_margin
        self._timeout = timeout
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:  # never show the secret, the app key or the token
        return f"ClientCredentialsAuth(token_url={self._token_url!r}, client_id={self._client_id!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("jpm-tui's ServiceTitan client is async only")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._app_key:  # ServiceTitan's application key; other backends have none ("")
            request.headers["ST-App-Key"] = self._app_key
        token = self._token if self._clock() < self._renew_at else None
        if token is None:
            async with self._lock:
                if self._clock() >= self._renew_at:  # another request may have renewed it meanwhile
                    await self._store((yield self._token_request()))
                token = self._token
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        async with self._lock:
            if self._token == token:  # nobody renewed it since: this token is dead
                await self._store((yield self._token_request()))
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def _token_request(self) -> httpx.Request:
        return httpx.Request(
            "POST",
            self._token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            },
            headers={"Accept": "application/json"},
            extensions={"timeout": self._timeout.as_dict()},
        )

    async def _store(self, response: httpx.Response) -> None:
        await response.aread()
        if response.status_code != 200:
            raise self._refusal(response)
        body = response.json()
        lifetime = float(body.get("expires_in") or 900)
        self._token = str(body["access_token"])
        # Renew a little early; for very short lifetimes (tests) renew at 90% of the lifetime.
        self._renew_at = self._clock() + lifetime - min(self._refresh_margin, lifetime * 0.1)

    def _refusal(self, response: httpx.Response) -> AuthError:
        try:
            code = response.json().get("error", "")
        except ValueError:
            code = ""
        host = response.request.url.host
        if code in ("invalid_client", "unauthorized_client", "invalid_grant") or response.status_code in (400, 401):
            reason = f" ({code})" if code else ""
            return AuthError(
                response.status_code,
                f"{self.service} rejected the client credentials{reason} at {host}: "
                f"check client_id {self._client_id!r} and the client secret",
            )
        error = error_from_response(response)
        return AuthError(error.status, f"Could not get an access token from {host}: {error.title}")
