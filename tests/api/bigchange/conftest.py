"""Fixtures of the BigChange contract tests: the real client over loopback HTTP to the BigChange sandbox.

One seeded world and one uvicorn server live for the session; every test that asks for `bc_state` gets it reset
(data, clock frozen at FROZEN_NOW, settings, no faults). Clients record every exchange (`Wire`), so a test
asserts the exact bytes the client sent, and sleep on a fake clock (`Clock`) unless a test wants real waits.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from jpm_tui.api.bigchange import BigChangeClient
from jpm_tui.sandbox import running_server
from jpm_tui.sandbox.bigchange import BigChangeState, build_state, create_app

FROZEN_NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
JOBS = 60
SEED = 7


@dataclass
class Exchange:
    method: str
    url: httpx.URL
    headers: httpx.Headers
    body: bytes
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


class Wire(httpx.AsyncBaseTransport):
    """Real HTTP, with every request and its answer's status kept in order."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.exchanges: list[Exchange] = []
        self.cut: Callable[[httpx.Request], bool] = lambda _request: False
        """Requests it fails as a network gone would (not sent, not kept)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.cut(request):
            raise httpx.ConnectError("network unreachable (the test cut it)", request=request)
        response = await self._inner.handle_async_request(request)
        self.exchanges.append(Exchange(request.method, request.url, request.headers, request.content,
                                       response.status_code))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()

    def api(self, method: str | None = None) -> list[Exchange]:
        """The API exchanges (not the token requests), of one method if given."""
        return [e for e in self.exchanges if e.url.path.startswith("/v1/") and method in (None, e.method)]

    def tokens(self) -> list[Exchange]:
        return [e for e in self.exchanges if not e.url.path.startswith("/v1/")]


@dataclass
class Clock:
    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class Session:
    client: BigChangeClient
    wire: Wire
    clock: Clock
    state: BigChangeState


@pytest.fixture(scope="session")
def _bc_world() -> Iterator[tuple[BigChangeState, Any, str]]:
    state = build_state(jobs=JOBS, seed=SEED, now=FROZEN_NOW, frozen=True, rate_limit=None)
    app = create_app(state)
    with running_server(app) as url:
        yield state, app, url


@pytest.fixture
def bc_state(_bc_world) -> BigChangeState:
    """The served state, fresh: 60 jobs of seed 7 as of FROZEN_NOW, the clock stopped there, no rate limit."""
    state, app, _ = _bc_world
    state.reset()
    app.state.limiter.clear()
    return state


@pytest.fixture
async def connect(_bc_world, bc_state) -> AsyncIterator[Callable[..., Session]]:
    """`connect(**client_options)`: a recording client of the served sandbox with its credentials."""
    _, _, url = _bc_world
    opened: list[BigChangeClient] = []

    def make(**options: Any) -> Session:
        wire, clock = Wire(), Clock()
        settings: dict[str, Any] = dict(
            api_url=f"{url}/v1", auth_url=f"{url}/auth/token", customer_id=bc_state.customer_id,
            client_id=bc_state.client_id, client_secret=bc_state.client_secret, transport=wire, rate_limit=None,
            backoff_base=0.01, sleep=clock.sleep, clock=clock)
        client = BigChangeClient(**{**settings, **options})
        opened.append(client)
        return Session(client, wire, clock, bc_state)

    yield make
    for client in opened:
        await client.aclose()


@pytest.fixture
def bc(connect) -> Session:
    return connect()
