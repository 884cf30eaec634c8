"""The demo board for end-to-end Pilot tests: keys on the board -> outbox -> the in-process sandbox over HTTP
(ASGI) -> the cache and the screen, with a network switch. Import ``Board``; the ``board``
fixture reaches every test as tests/conftest.py registers this module as a pytest plugin."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from jpm_tui.cache.store import CacheStore
from jpm_tui.session import board_app, demo_session
from jpm_tui.ui.screens.job_detail import JobDetailScreen

__all__ = ["Board", "Network", "board", "running"]


class Network(httpx.AsyncBaseTransport):
    """The sandbox's ASGI transport behind a switch: ``up = False`` is a network that refuses to connect."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.up = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("network is unreachable", request=request)
        return await self.inner.handle_async_request(request)


class Board:
    """The demo board, its cache, the sandbox behind it and the network switch, for one test."""

    def __init__(self, tmp_path: Path, *, local_zone: bool = False) -> None:
        """``local_zone``: times in the machine's zone (as a profile without ``timezone`` has them), not the
        demo company's."""
        from jpm_tui.api.client import ServiceTitanClient
        from jpm_tui.sandbox import state as sandbox_state

        self.session = demo_session(tmp_path, jobs=120)
        if local_zone:
            self.session.tz = None
        self.sandbox = self.session.sandbox_app.state.sandbox
        self.network = Network(httpx.ASGITransport(app=self.session.sandbox_app))
        base = self.session.api_url

        def client() -> ServiceTitanClient:
            return ServiceTitanClient(
                api_url=base, auth_url=base, tenant=sandbox_state.TENANT, client_id=sandbox_state.CLIENT_ID,
                client_secret=sandbox_state.CLIENT_SECRET, app_key=sandbox_state.APP_KEY, transport=self.network,
                rate_limit=1000.0, max_retries=0)

        self.session.client_factory = client
        self.store = CacheStore(CacheStore.path_for(self.session.environment, self.session.tenant,
                                                    base=self.session.cache_dir))
        self.app = board_app(self.session, self.store)
        self.pilot: Any = None

    def job_where(self, test: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        return next(j for j in sorted(self.sandbox["jobs"].values(), key=lambda j: j["id"]) if test(j))

    def open_appointments(self, job: dict[str, Any]) -> list[dict[str, Any]]:
        return [a for a in self.sandbox["appointments"].values()
                if a["jobId"] == job["id"] and a["status"] not in ("Done", "Canceled", "Hold")]

    async def wait(self, condition: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
        for _ in range(int(timeout / 0.05)):
            if condition():
                return
            await self.pilot.pause(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    async def open(self, job: dict[str, Any]) -> JobDetailScreen:
        self.app.open_job(job["id"])
        await self.wait(lambda: isinstance(self.app.screen, JobDetailScreen) and self.app.screen.detail is not None,
                        "the job detail")
        await self.pilot.pause(0.1)
        return self.app.screen  # type: ignore[return-value]

    async def settled(self) -> None:
        """Until no write is in flight and the detail shows the outcome."""
        await self.wait(lambda: not [w for w in self.app.workers if w.group == "writes" and w.is_running],
                        "the write to settle")
        await self.pilot.pause(0.3)

    def shown(self) -> str:
        screen = self.app.screen
        return "\n".join(strip.text for w in screen.query("*") if w.size.area
                         for strip in w.render_lines(w.size.region))

    def sandbox_job(self, job: dict[str, Any]) -> dict[str, Any]:
        return self.sandbox["jobs"].get(job["id"])


@asynccontextmanager
async def running(board: Board) -> AsyncIterator[Board]:
    """``board`` open at 120x40 and through its first sync."""
    async with board.app.run_test(size=(120, 40)) as pilot:
        board.pilot = pilot
        await board.wait(lambda: board.app.status.last_sync is not None and not board.app.status.syncing,
                         "the first sync", timeout=30)
        yield board
    board.app.live.close()  # its worker was cancelled, not awaited: no commit may run on as the store closes
    board.store.close()


@pytest.fixture
async def board(tmp_path: Path) -> AsyncIterator[Board]:
    async with running(Board(tmp_path)) as opened:
        yield opened
