"""BigChange's sign-in: OAuth 2.0 client credentials at its token endpoint (the reference's "Get an access
token": a form body `grant_type=client_credentials`, `client_id`, `client_secret`; the answer's `access_token`
and `expires_in`). The flow is the house's (`ClientCredentialsAuth`: the token in memory, renewed a little
before it expires, one retry with a new token on a 401); BigChange has no application key."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from jpm_tui.api.auth import ClientCredentialsAuth


class BigChangeAuth(ClientCredentialsAuth):
    service = "BigChange"

    def __init__(self, *, token_url: str, client_id: str, client_secret: str, timeout: httpx.Timeout,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(token_url=token_url, client_id=client_id, client_secret=client_secret, app_key="",
                         timeout=timeout, clock=clock)
