"""Fixtures of the FSM Navigator contract tests: one seeded sandbox state (30 jobs, seed 7, the clock frozen
at 2026-11-23T15:00:00Z) served by one real uvicorn server on loopback for the session, reset before every
test, and the real client talking to it over HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from starlette.applications import Starlette
from support.fsm_world import FROZEN_NOW, JOBS, SEED, FsmServer, Sleeps

from jpm_tui.api.fsm_navigator import FsmNavigatorClient
from jpm_tui.sandbox.fsm_navigator import API_KEY, FsmState, build_state, create_app
from jpm_tui.sandbox.server import running_server


@pytest.fixture(scope="session")
def _fsm_session() -> Iterator[tuple[str, Starlette]]:
    app = create_app(build_state(jobs=JOBS, seed=SEED, now=FROZEN_NOW, frozen=True))
    with running_server(app) as base_url:
        yield base_url, app


@pytest.fixture
def fsm_server(_fsm_session: tuple[str, Starlette]) -> FsmServer:
    """The session's server with its state reset: the same 30 jobs, the frozen clock, no rate limit, no
    injected failures. `state` is the very state it serves: change it here, see it over HTTP."""
    base_url, app = _fsm_session
    app.state.fsm.reset()
    app.state.limiter.clear()
    return FsmServer(base_url=base_url, state=app.state.fsm, app=app)


@pytest.fixture
def fsm_state(fsm_server: FsmServer) -> FsmState:
    return fsm_server.state


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def fsm(fsm_server: FsmServer, sleeps: Sleeps) -> AsyncIterator[FsmNavigatorClient]:
    """The client over loopback HTTP, its own rate limit off and its sleeps recorded (no real waiting)."""
    async with FsmNavigatorClient(api_url=fsm_server.api_url, api_key=API_KEY, rate_limit=None,
                                  sleep=sleeps) as client:
        yield client
