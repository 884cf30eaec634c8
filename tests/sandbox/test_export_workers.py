"""A world at scale's export workers (export_workers.py): the feeds they make ahead (jobs and appointments, and every
other feed of a generated collection) are the bytes the server makes alone, page for page, also once records are
read, changed, inserted and deleted; and the workers end with the server, however it ends."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.pinned_times import PINNED_NOW
from support.served_sandbox import served

from jpm_tui.sandbox import build_state
from jpm_tui.sandbox.export_workers import CHUNK, ExportWorkers
from jpm_tui.sandbox.routes._common import Shape
from jpm_tui.sandbox.state import GeneratedCollection, SandboxState, json_bytes

ROOT = Path(__file__).resolve().parents[2]
JOBS = 2 * CHUNK + 500  # three chunks of each feed, the last one short
JPM = "jpm/v2/tenant/1234567"
FEEDS = tuple(f"{module}/v2/tenant/1234567/export/{feed}" for module, feed in (
    ("jpm", "jobs"), ("jpm", "appointments"), ("jpm", "job-notes"), ("jpm", "job-history"),
    ("jpm", "job-canceled-logs"), ("dispatch", "appointment-assignments?active=Any"), ("crm", "customers"),
    ("crm", "locations"), ("crm", "customers/contacts"), ("crm", "locations/contacts")))


def at_scale(workers: int) -> SandboxState:
    return build_state(jobs=JOBS, seed=3, now=PINNED_NOW, frozen=True, at_scale=True, rate_limit=None,
                       export_page_size=370, export_workers=workers)  # pages that straddle the chunks


@pytest.fixture(scope="module")
def alone() -> SandboxState:
    return at_scale(0)


@pytest.fixture(scope="module")
def helped() -> Iterator[SandboxState]:
    state = at_scale(2)
    assert state.export_workers is not None and state.export_workers.wait_up(timeout=120)
    yield state
    state.export_workers.stop()


@pytest.fixture(autouse=True)
def _fresh(alone: SandboxState, helped: SandboxState) -> None:
    alone.reset()
    helped.reset()


@pytest.fixture(scope="module")
def clients(alone: SandboxState, helped: SandboxState) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    with served(alone, 60) as one, served(helped, 60) as other:
        yield one, other


def pages(client: httpx.Client, feed: str, start: str | None = None) -> list[bytes]:
    """Every page of a feed from `start` (a token) as the server sent it."""
    path, _, query = feed.partition("?")
    bodies: list[bytes] = []
    params = dict(httpx.QueryParams(query)) | ({"from": start} if start else {})
    while True:
        answer = client.get(f"/{path}", params=params).raise_for_status()
        bodies.append(answer.content)
        body = answer.json()
        params["from"] = body["continueFrom"]
        if not body["hasMore"]:
            return bodies


def both(clients: tuple[httpx.Client, httpx.Client], call: str, path: str, **kwargs: object) -> None:
    """The same request to both servers, with the same answer."""
    one, other = (client.request(call, f"/{JPM}/{path}", **kwargs) for client in clients)  # type: ignore[arg-type]
    assert (one.status_code, one.json() if one.content else None) == (
        other.status_code, other.json() if other.content else None)
    assert one.status_code < 300, one.text


def test_the_workers_serve_the_bytes_the_server_makes_alone(clients: tuple[httpx.Client, httpx.Client],
                                                            helped: SandboxState,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    workers = helped.export_workers
    assert isinstance(helped["jobs"], GeneratedCollection) and workers is not None
    chunks: list[int] = []

    def rows(*args: Any, ask: bool) -> tuple[int, list[bytes | None]] | None:
        made = ExportWorkers.rows(workers, *args, ask=ask)
        if ask:  # rows a page sends (the one after it, which says whether there are more, may be made here)
            chunks.append(-1 if made is None else made[0] // CHUNK)
        return made

    monkeypatch.setattr(workers, "rows", rows)
    for feed in FEEDS:
        chunks.clear()
        alone, helped_pages = (pages(client, feed) for client in clients)
        assert helped_pages == alone, feed
        assert chunks and -1 not in chunks, feed  # every base row made by the workers
    assert sum(page.count(b'"jobNumber":') for page in pages(clients[0], FEEDS[0])) == JOBS


def test_rows_read_changed_inserted_and_deleted_come_from_the_server(clients: tuple[httpx.Client, httpx.Client],
                                                                     alone: SandboxState,
                                                                     helped: SandboxState) -> None:
    first = {feed: pages(clients[0], feed) for feed in FEEDS}
    tokens = {feed: httpx.Response(200, content=bodies[-1]).json()["continueFrom"] for feed, bodies in first.items()}
    jobs = [row for body in first[FEEDS[0]] for row in httpx.Response(200, content=body).json()["data"]]
    read, changed, gone, moved = jobs[10], jobs[CHUNK + 5], jobs[2 * CHUNK + 7], jobs[CHUNK - 1]
    both(clients, "GET", f"jobs/{read['id']}")  # read by id only: held by the server, unchanged
    both(clients, "PATCH", f"jobs/{changed['id']}", json={"summary": "Changed beside the workers"})
    appointment = {"jobId": moved["id"], "start": "2026-12-01T16:00:00Z", "end": "2026-12-01T18:00:00Z"}
    both(clients, "POST", "appointments", json=appointment)  # inserted, and its job changed
    both(clients, "DELETE", f"appointments/{moved['firstAppointmentId']}")  # deleted (inactive): changed
    for state in (alone, helped):
        state["jobs"].delete(gone["id"])  # gone from the base rows
        state["appointments"].delete(gone["firstAppointmentId"])
    for feed in FEEDS:
        alone_pages, helped_pages = (pages(client, feed) for client in clients)
        assert helped_pages == alone_pages, feed
        assert pages(clients[1], feed, tokens[feed]) == pages(clients[0], feed, tokens[feed]), feed
    after = b"".join(pages(clients[1], FEEDS[0]))
    assert b"Changed beside the workers" in after and f'"id":{gone["id"]},'.encode() not in after


def test_a_page_waits_for_the_workers_without_holding_up_the_event_loop(helped: SandboxState) -> None:
    workers = helped.export_workers
    assert workers is not None
    paused = [pid for pid in workers.pids if pid is not None]
    for pid in paused:
        os.kill(pid, signal.SIGSTOP)  # no chunk can come until they go on
    again = threading.Timer(60, lambda: [os.kill(pid, signal.SIGCONT) for pid in paused])  # should the test fail
    again.start()

    async def read() -> tuple[bool, list[tuple[int, bytes]]]:
        page = asyncio.ensure_future(helped["jobs"].export_rows(0, Shape("id", "jobNumber"), 5))  # a shape not made
        for _ in range(20):
            await asyncio.sleep(0)  # the loop goes on
        waiting = not page.done()
        for pid in paused:
            os.kill(pid, signal.SIGCONT)
        return waiting, await page

    try:
        waiting, rows = asyncio.run(read())
    finally:
        again.cancel()
    assert waiting
    assert [row for _, row in rows] == [json_bytes({"id": job["id"], "jobNumber": job["jobNumber"]})
                                        for job in islice(helped["jobs"].values(), 6)]


SERVE = """
import sys
from jpm_tui.sandbox import serve
serve(jobs={jobs}, on_ready=lambda url: print(url, flush=True))
"""
BUILD_AND_LEAVE = """
from jpm_tui.sandbox import create_app
workers = create_app(jobs={jobs}).state.sandbox.export_workers
assert workers.wait_up(timeout=120)
print(*workers.pids, flush=True)
"""


def children(pid: int) -> list[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def ignores_sigint(pid: int) -> bool:
    """The process ignores SIGINT (a worker does from its start: no traceback of a Ctrl-C while it starts up)."""
    mask = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("SigIgn:"))
    return bool(int(mask.split()[1], 16) & (1 << (signal.SIGINT - 1)))


def running(pid: int) -> bool:
    """Alive and not a zombie (a zombie has ended, and waits for whoever adopted it to read its exit)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def gone(pids: list[int], within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while any(running(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def python(code: str, *, session: bool = False) -> subprocess.Popen[str]:
    from jpm_tui.sandbox.data_at_scale import AT_SCALE_FROM

    return subprocess.Popen([sys.executable, "-c", code.format(jobs=AT_SCALE_FROM)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=session,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C", "SIGKILL"])
def test_the_workers_end_with_the_server(how: str) -> None:
    server = python(SERVE, session=True)
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith("http://127.0.0.1:")
        workers = children(server.pid)  # started before the ready line, the last one still starting up
        assert len(workers) >= 2 and all(ignores_sigint(pid) for pid in workers)
        if how == "Ctrl-C":
            os.killpg(server.pid, signal.SIGINT)  # the terminal signals the whole foreground group
        else:
            server.send_signal(signal.SIGTERM if how == "SIGTERM" else signal.SIGKILL)
        _, err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert gone(workers)
    if how != "SIGKILL":
        assert server.returncode == 0 and err == ""


def test_the_workers_end_with_a_process_that_leaves_without_stopping_them() -> None:
    demo = python(BUILD_AND_LEAVE)  # as the demo does: its board ends, then the process
    out, err = demo.communicate(timeout=120)
    assert demo.returncode == 0, err
    assert gone([int(pid) for pid in out.split()])
