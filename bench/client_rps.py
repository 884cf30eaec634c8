"""Requests per second the API client sustains against the in-process sandbox.

The sandbox is plugged in through `httpx.ASGITransport`, so the figure is the client's own overhead plus
the sandbox's handler time, with no sockets. Both rate limits are off; ServiceTitan itself allows 60/s.

    python bench/client_rps.py                  # 2,000 GETs of one job, 16 at a time
    python bench/client_rps.py --requests 5000 --concurrency 32 --operation list
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jpm_tui.api.client import ServiceTitanClient  # noqa: E402
from jpm_tui.sandbox.app import build_state, create_app  # noqa: E402


async def run(requests: int, concurrency: int, operation: str) -> None:
    state = build_state(jobs=500, seed=1, rate_limit=None)
    client = ServiceTitanClient(
        api_url="http://sandbox.invalid",
        auth_url="http://sandbox.invalid",
        tenant=state.tenant,
        client_id=state.client_id,
        client_secret=state.client_secret,
        app_key=state.app_key,
        transport=httpx.ASGITransport(app=create_app(state)),
        rate_limit=None,
    )
    job_id = next(iter(state["jobs"].values()))["id"]
    calls = {
        "get": lambda: client.jpm.get_job(job_id),
        "list": lambda: client.jpm.list_jobs(page_size=50),
    }[operation]
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(requests):
        queue.put_nowait(n)

    async def worker() -> None:
        while not queue.empty():
            queue.get_nowait()
            started = time.perf_counter()
            await calls()
            latencies.append(time.perf_counter() - started)

    async with client:
        await calls()  # token fetch and warm-up outside the timing
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    print(f"operation        {operation} ({requests} requests, {concurrency} concurrent)")
    print(f"requests/second  {requests / elapsed:,.0f}")
    print(f"latency median   {statistics.median(latencies) * 1000:.1f} ms")
    print(f"latency p95      {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--operation", choices=("get", "list"), default="get")
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.concurrency, args.operation))


if __name__ == "__main__":
    main()
