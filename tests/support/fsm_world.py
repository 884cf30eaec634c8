"""The FSM Navigator contract tests' world: the frozen instant, the seeded size, and the helpers the
fixtures hand out (imported by name: test modules cannot import each other's conftest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from starlette.applications import Starlette

from jpm_tui.sandbox.fsm_navigator import API_KEY, FsmState

FROZEN_NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
JOBS = 30
SEED = 7


@dataclass
class FsmServer:
    base_url: str
    state: FsmState
    app: Starlette

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v1"

    def http(self, api_key: str | None = API_KEY) -> httpx.AsyncClient:
        """Plain httpx on the API, for what the client hides on purpose (status codes, raw bodies, headers,
        per_page above 100); `api_key` None sends none."""
        return httpx.AsyncClient(base_url=self.api_url, headers={"X-API-Key": api_key} if api_key else {})


@dataclass
class Sleeps:
    """The client's sleep in tests: records each wait instead of waiting."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
