"""A sandbox state served over real HTTP for the sandbox's tests, with a client signed in to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from jpm_tui.sandbox import create_app, running_server
from jpm_tui.sandbox.state import SandboxState


@contextmanager
def served(state: SandboxState, timeout: float = 30) -> Iterator[httpx.Client]:
    """A client of ``state`` served over HTTP, with a token and the app key."""
    with running_server(create_app(state)) as base, httpx.Client(base_url=base, timeout=timeout) as client:
        form = {"grant_type": "client_credentials", "client_id": state.client_id, "client_secret": state.client_secret}
        token = client.post("/connect/token", data=form).json()["access_token"]
        client.headers.update({"Authorization": f"Bearer {token}", "ST-App-Key": state.app_key})
        yield client
