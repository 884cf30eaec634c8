"""FSM Navigator authenticates every request with one API key in the `X-API-Key` header (reference:
"API authentication"). The key is handed over by whoever resolved it (config); it is never shown."""

from __future__ import annotations

from collections.abc import Generator

import httpx


class ApiKeyAuth(httpx.Auth):
    def __init__(self, api_key: str) -> None:
        if not api_key or not api_key.strip():
            raise ValueError("the FSM Navigator API key is empty")
        self._api_key = api_key.strip()

    def __repr__(self) -> str:  # never the key
        return "ApiKeyAuth(X-API-Key=<hidden>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-API-Key"] = self._api_key
        yield request
