"""Shared fixtures: a pinned clock for every test, a seeded sandbox state and a real sandbox HTTP server on
loopback.

One state and one uvicorn server live for the whole session (generating data and starting uvicorn cost
more than a test); `reset()` before every test that asks for them gives each test the same fresh world.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from support.pinned_times import PINNED_NOW, PINNED_ZONE
from support.stores import open_store

from jpm_tui.cache.store.interface import Store
from jpm_tui.sandbox import build_state, create_app, running_server
from jpm_tui.sandbox.state import SandboxState

# the demo board fixture (`board`) for the board tests and the CLI fault tests; a real PostgreSQL (`postgres_url`)
pytest_plugins = ["support.demo_board", "support.postgres"]

FROZEN_NOW = PINNED_NOW  # the sandbox's frozen clock and the tests' pinned one are the same instant
SANDBOX_JOBS = 40
SANDBOX_SEED = 7


@dataclass
class SandboxServer:
    """A sandbox served over real HTTP. `base_url` (== `url`) has no trailing slash; API paths are
    `{base_url}/{module}/v2/tenant/{tenant}/...` and the token endpoint is `{base_url}/connect/token`."""

    base_url: str
    state: SandboxState
    tenant: int
    client_id: str
    client_secret: str
    app_key: str

    @property
    def url(self) -> str:
        return self.base_url

    def api_url(self, module: str, path: str = "") -> str:
        """`{base_url}/{module}/v2/tenant/{tenant}/{path}`."""
        return f"{self.base_url}/{module}/v2/tenant/{self.tenant}/{path.lstrip('/')}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "clock(instant, zone='UTC'): the instant (an aware datetime) and the local "
                                       "zone the test runs at, instead of PINNED_NOW in PINNED_ZONE")


@pytest.fixture(autouse=True)
def pinned_clock(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller]:
    """Every test runs at a pinned instant in a pinned local zone, whatever the machine's clock and zone say:
    PINNED_NOW in PINNED_ZONE (tests/support/pinned_times.py), or what the test's `@pytest.mark.clock(instant, zone=...)`
    names. The clock ticks on from there (timeouts still work), so what a test reads as "now", "today" or the
    board's day is the same at any hour of any day. Subprocesses inherit the zone (TZ) but not the instant."""
    marker = request.node.get_closest_marker("clock")
    instant: datetime = marker.args[0] if marker else PINNED_NOW
    zone = marker.kwargs.get("zone", PINNED_ZONE) if marker else PINNED_ZONE
    with time_machine.travel(instant.astimezone(ZoneInfo(zone))) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def _sandbox_session_state() -> SandboxState:
    return build_state(jobs=SANDBOX_JOBS, seed=SANDBOX_SEED, now=FROZEN_NOW, frozen=True, hostile=True,
                       rate_limit=None)


@pytest.fixture
def sandbox_state(_sandbox_session_state: SandboxState) -> SandboxState:
    """A fresh SandboxState: 40 jobs from seed 7 with the hostile texts (markup, escapes in summaries, a note and a
    customer), the clock frozen at 2026-11-23T15:00:00Z (move it with `state.advance(seconds)`), rate limit off
    (`state.rate_limit = 60` turns it on), no faults.

    It is the very state `sandbox_server` serves, so a test may use both: change records here, then see
    the change over HTTP (and the other way round). Everything is reset before each test.
    """
    _sandbox_session_state.reset()
    return _sandbox_session_state


@pytest.fixture(scope="session")
def _sandbox_session_server(_sandbox_session_state: SandboxState) -> Iterator[tuple[str, object]]:
    app = create_app(_sandbox_session_state)
    with running_server(app) as base_url:
        yield base_url, app


@pytest.fixture
def sandbox_server(_sandbox_session_server, sandbox_state: SandboxState) -> SandboxServer:
    """A real uvicorn server on 127.0.0.1 (random port) serving `sandbox_state`, fresh for each test.

    Yields a SandboxServer with `base_url`/`url`, `state`, `tenant`, `client_id`, `client_secret`,
    `app_key` and `api_url(module, path)`. Admin endpoints: GET /_sandbox/health, POST /_sandbox/faults,
    POST /_sandbox/reset. Tokens issued in one test stay valid in the next.
    """
    base_url, app = _sandbox_session_server
    app.state.limiter.clear()
    return SandboxServer(
        base_url=base_url,
        state=sandbox_state,
        tenant=sandbox_state.tenant,
        client_id=sandbox_state.client_id,
        client_secret=sandbox_state.client_secret,
        app_key=sandbox_state.app_key,
    )


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Store]:
    """An empty cache of this test's own: a SQLite file, or each store for a test marked ``@both_stores``
    (tests/support/stores.py)."""
    with open_store(request, tmp_path) as s:
        yield s
