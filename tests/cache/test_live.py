"""LiveCache as the sync screen drives it: a full resync of one feed, pause/resume, and the outbox decisions
(retry, drop, confirm) that keep the header's count current. Against the in-process sandbox (ASGI)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import pytest

from jpm_tui.cache.live import LiveCache, LiveState
from jpm_tui.cache.outbox import OutboxError, OutboxState
from jpm_tui.cache.store import CacheStore
from jpm_tui.cache.sync import SyncError
from jpm_tui.provider import domain as d
from jpm_tui.provider.servicetitan import ServiceTitanProvider
from jpm_tui.sandbox import state as sandbox_state
from jpm_tui.sandbox.app import create_app


class World:
    def __init__(self, tmp_path: Any) -> None:
        from jpm_tui.api.client import ServiceTitanClient

        self.app = create_app(jobs=60, seed=3, rate_limit=None)
        self.sandbox = self.app.state.sandbox
        self.store = CacheStore(tmp_path / "cache.sqlite3")
        self.states: list[LiveState] = []

        def provider() -> ServiceTitanProvider:
            return ServiceTitanProvider(ServiceTitanClient(
                api_url="http://sandbox", auth_url="http://sandbox", tenant=sandbox_state.TENANT,
                client_id=sandbox_state.CLIENT_ID, client_secret=sandbox_state.CLIENT_SECRET,
                app_key=sandbox_state.APP_KEY, transport=httpx.ASGITransport(app=self.app), rate_limit=1000.0,
                max_retries=0))

        self.live = LiveCache(self.store, provider, interval=3600, retry_interval=3600)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        rounds = len(self.states)
        self.task = asyncio.create_task(self.live.run(lambda s: self.states.append(LiveState(**vars_of(s)))))
        await self.until(lambda: len(self.states) >= rounds + 2 and not self.live.state.syncing, "the first round")

    async def until(self, condition: Any, what: str, timeout: float = 20.0) -> None:
        for _ in range(int(timeout / 0.02)):
            if condition():
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.live.aclose()
        self.store.close()


def vars_of(state: LiveState) -> dict[str, Any]:
    return {name: getattr(state, name) for name in LiveState.__dataclass_fields__}


@pytest.fixture
async def world(tmp_path):
    w = World(tmp_path)
    await w.start()
    yield w
    await w.stop()


def _rows(store: CacheStore, feed: str) -> int:
    return next(s.rows_total for s in store.sync_states() if s.feed == feed)


async def test_progress_is_kept_per_feed_and_feed_names_come_from_the_engine(world: World) -> None:
    names = world.live.feed_names()
    assert "jobs" in names and "projects" in names
    jobs = world.live.progress["jobs"]
    assert jobs.done and jobs.records == len(world.sandbox["jobs"])


async def test_full_resync_of_one_feed_refetches_only_that_feed(world: World) -> None:
    jobs_before, projects_before = _rows(world.store, "jobs"), _rows(world.store, "projects")
    assert world.live.resync("jobs") == "jobs"
    assert world.live.resync_requested == ["jobs"]
    await world.until(lambda: not world.live.resync_requested and not world.live.state.syncing
                      and world.live.progress["jobs"].done and world.live.progress["jobs"].records > 0
                      and _rows(world.store, "jobs") > jobs_before, "the resync")
    assert _rows(world.store, "jobs") == jobs_before + len(world.sandbox["jobs"])
    assert _rows(world.store, "projects") == projects_before  # incremental: nothing new
    with pytest.raises(SyncError):
        world.live.resync("no_such_feed")


async def test_pause_holds_the_next_sync_until_resumed(world: World) -> None:
    world.live.pause()
    assert world.live.paused and world.live.engine.paused
    job = next(iter(world.sandbox["jobs"].values()))
    job["summary"] = "changed while paused"
    world.sandbox["jobs"].touch(job)
    world.live.sync_now()
    await world.until(lambda: world.live.running, "the paused round to start")
    await asyncio.sleep(0.3)
    assert world.store.job(job["id"]).summary != "changed while paused"
    world.live.resume()
    await world.until(lambda: world.store.job(job["id"]).summary == "changed while paused", "the resumed sync")
    assert not world.live.paused


async def test_retry_drop_and_confirm_outbox_rows(world: World) -> None:
    live, sandbox = world.live, world.sandbox
    jobs = sorted((j for j in sandbox["jobs"].values() if j["jobStatus"] in ("Scheduled", "Dispatched")),
                  key=lambda j: j["id"])
    reason = next(r for r in sorted(sandbox["job_cancel_reasons"].values(), key=lambda r: r["id"])
                  if r.get("active", True))
    # refused: the reason is gone on the server
    sandbox["job_cancel_reasons"].delete(reason["id"])
    failed = await live.submit(d.CancelJob(jobs[0]["id"], reason["id"], "gone reason"))
    assert failed.state == OutboxState.FAILED and live.state.outbox == 1
    with pytest.raises(OutboxError):
        await live.confirm(failed.id)
    # fixed on the server, then retried: done
    sandbox["job_cancel_reasons"].insert(dict(reason))
    done = await live.retry(failed.id)
    assert done.state == OutboxState.DONE and sandbox["jobs"].get(jobs[0]["id"])["jobStatus"] == "Canceled"
    assert live.state.outbox == 0 and world.states[-1].outbox == 0

    # dropped: never sent
    sandbox["job_cancel_reasons"].delete(reason["id"])
    refused = await live.submit(d.CancelJob(jobs[1]["id"], reason["id"], ""))
    assert live.state.outbox == 1
    assert (await live.drop(refused.id)).id == refused.id
    assert live.state.outbox == 0 and all(e.id != refused.id for e in live.outbox.entries())
    assert sandbox["jobs"].get(jobs[1]["id"])["jobStatus"] != "Canceled"

    # conflict: changed on the server after it was queued; confirmed, it is sent
    target = jobs[2]
    live.state.online = False  # queue without sending
    entry = await live.submit(d.EditJob(target["id"], {"summary": "ours"}))
    target = sandbox["jobs"].get(target["id"])
    target["summary"] = "theirs"
    sandbox["jobs"].touch(target)
    live.state.online = True
    await live._send_now()
    assert live.outbox.get(entry.id).state == OutboxState.CONFLICT and live.state.outbox == 1
    confirmed = await live.confirm(entry.id)
    assert confirmed.state == OutboxState.DONE and sandbox["jobs"].get(target["id"])["summary"] == "ours"
    assert live.state.outbox == 0


async def test_refresh_booked_log_stores_the_answer_remembers_none_and_survives_errors(world: World, caplog) -> None:
    jobs = sorted(world.sandbox["jobs"].values(), key=lambda j: j["id"])
    job, bare = jobs[0], jobs[1]
    booked = next(b for b in world.sandbox["job_booked_logs"].values() if b["jobId"] == job["id"])
    assert await world.live.refresh_booked_log(job["id"]) is True
    entry = world.store.booked_log_for_job(job["id"])
    assert entry is not None and entry.id == booked["id"] and entry.created_by_id == booked["createdById"]
    assert entry.raw["jobAppointmentId"] == booked["jobAppointmentId"]

    for b in [b for b in world.sandbox["job_booked_logs"].values() if b["jobId"] == bare["id"]]:
        world.sandbox["job_booked_logs"].delete(b["id"])
    assert await world.live.refresh_booked_log(bare["id"]) is True  # 404: "none", remembered as read
    assert world.store.booked_log_for_job(bare["id"]) is None and world.store.booked_log_read_on(bare["id"])

    world.sandbox.faults.fail_next = [500]
    assert await world.live.refresh_booked_log(job["id"]) is False  # logged, the cache keeps what it had
    assert world.store.booked_log_for_job(job["id"]) == entry
    assert "could not read the booked log" in caplog.text

    world.live.state.online = False
    world.sandbox["job_booked_logs"].delete(booked["id"])
    assert await world.live.refresh_booked_log(job["id"]) is False  # offline: not even asked
    assert world.store.booked_log_for_job(job["id"]) == entry


async def test_refresh_booked_log_before_the_loop_opened_does_nothing(tmp_path) -> None:
    store = CacheStore(tmp_path / "cache.sqlite3")
    try:
        live = LiveCache(store, lambda: pytest.fail("no provider before open()"))
        assert live.provider is None and await live.refresh_booked_log(1) is False
        assert store.booked_log_read_on(1) is None
    finally:
        store.close()
