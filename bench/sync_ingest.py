"""Ingest rate of a full sync of the jobs feed, next to the floor measured in the same run.

    python bench/sync_ingest.py                    # 200,000 jobs
    python bench/sync_ingest.py --jobs 50000 --page-size 1000
    python bench/sync_ingest.py --rounds 3         # sync and bare floor three times each, taking turns: medians

* **sync**: ``SyncEngine(store, ServiceTitanProvider(client)).run(["jobs"])`` into a fresh cache file, the
  client talking to the in-process sandbox through ``httpx.ASGITransport`` (rate limits off on both sides).
  Everything a real sync does is in the time: HTTP round trips through the sandbox app (in this same process:
  it walks its change log and joins each row's stored JSON into the page), JSON parsing, mapping to domain
  rows, the store's upsert (jobs + raw payload, counters, denormalised columns, search index, the indexes a
  first fill keeps live) and one commit per page with its token (pages that queued up behind the writer: one
  commit for the group, with the last one's token), and at the end of the feed the first fill's build of the job
  indexes it deferred (``CacheStore.finish_fill``). The sandbox keeps each row's JSON once it
  has served it (``Collection.encoded``); the untimed fetch of the floors' page bodies runs first and fills it,
  so the sync's time holds the sandbox's per-request work but not a first serialisation of every row.
* **sync, replayed pages**: the same sync, but the client's transport answers with the page bodies recorded
  from the sandbox beforehand (untimed), so the time holds no server work: what the floors are given. The
  in-process sandbox serialises every page while the sync runs, with the GIL, on the same two cores as the
  client; a real server does that elsewhere.
* **floor**: the same page bodies (fetched beforehand, untimed), ``json.loads`` + one ``executemany`` per
  page into an equivalent table, one commit per page. Two variants: the store's own ``jobs``/``job_raw``
  tables (same indexes; no counters, no search index, no denormalisation), and a bare table with the same
  columns and only a primary key.

The sandbox generator is slow for 200,000 jobs (~1 ms per job with everything around them), so the bench
generates a few thousand and clones them (new ids and numbers) up to ``--jobs``: the rows are realistic
wire payloads either way.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from jpm_tui.api.client import ServiceTitanClient  # noqa: E402
from jpm_tui.cache.store import _JOB_COLUMNS, CacheStore, _job_values  # noqa: E402
from jpm_tui.cache.store.db import Database  # noqa: E402
from jpm_tui.cache.sync import SyncEngine  # noqa: E402
from jpm_tui.provider.servicetitan import ServiceTitanProvider, job_from_wire  # noqa: E402
from jpm_tui.sandbox import build_state, create_app  # noqa: E402
from jpm_tui.sandbox import state as sandbox_state  # noqa: E402

TARGET_RATIO = 2.0


def make_state(jobs: int, page_size: int, base_jobs: int) -> sandbox_state.SandboxState:
    state = build_state(jobs=min(jobs, base_jobs), seed=1, rate_limit=None, export_page_size=page_size)
    collection = state["jobs"]
    originals = list(collection.values())
    next_id = max(j["id"] for j in originals) + 1
    number = max(int(j["jobNumber"]) for j in originals if str(j.get("jobNumber", "")).isdigit()) + 1
    i = 0
    while len(collection) < jobs:
        clone = copy.deepcopy(originals[i % len(originals)])
        clone["id"] = next_id
        clone["jobNumber"] = str(number)
        collection.insert(clone)
        next_id += 1
        number += 1
        i += 1
    return state


def make_client(app: object, transport: httpx.AsyncBaseTransport | None = None) -> ServiceTitanClient:
    base = "http://sandbox.local"
    return ServiceTitanClient(
        api_url=base, auth_url=base, tenant=sandbox_state.TENANT, client_id=sandbox_state.CLIENT_ID,
        client_secret=sandbox_state.CLIENT_SECRET, app_key=sandbox_state.APP_KEY,
        transport=transport or httpx.ASGITransport(app=app), rate_limit=None,  # type: ignore[arg-type]
    )


async def run_sync(app: object, path: Path, concurrency: int) -> tuple[int, float]:
    store = CacheStore(path)
    try:
        async with make_client(app) as client:
            async with SyncEngine(store, ServiceTitanProvider(client), concurrency=concurrency) as engine:
                started = time.perf_counter()
                summary = await engine.run(["jobs"])
                seconds = time.perf_counter() - started
        if not summary.ok:
            raise SystemExit(f"sync failed: {summary.error_line()}")
        return summary.records, seconds
    finally:
        store.close()


class Replay(httpx.AsyncBaseTransport):
    """Answers the export feed with recorded page bodies (by continuation token) and any token request."""

    def __init__(self, bodies: list[bytes]) -> None:
        self.by_token: dict[str | None, bytes] = {None: bodies[0]}
        for body, after in zip(bodies, bodies[1:], strict=False):
            self.by_token[json.loads(body)["continueFrom"]] = after

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/connect/token"):
            return httpx.Response(200, json={"access_token": "replay", "token_type": "Bearer", "expires_in": 900})
        body = self.by_token[request.url.params.get("from")]
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})


async def run_sync_replayed(bodies: list[bytes], path: Path, concurrency: int) -> tuple[int, float]:
    store = CacheStore(path)
    try:
        async with make_client(None, transport=Replay(bodies)) as client:
            async with SyncEngine(store, ServiceTitanProvider(client), concurrency=concurrency) as engine:
                started = time.perf_counter()
                summary = await engine.run(["jobs"])
                seconds = time.perf_counter() - started
        if not summary.ok:
            raise SystemExit(f"replayed sync failed: {summary.error_line()}")
        return summary.records, seconds
    finally:
        store.close()


async def fetch_bodies(app: object) -> list[bytes]:
    """The raw page bodies of the jobs feed (what the floor parses)."""
    bodies: list[bytes] = []
    async with make_client(app) as client:
        token: str | None = None
        while True:
            params = {"includeRecentChanges": "true", **({"from": token} if token else {})}
            response = await client._http.get(client.url("jpm", "export/jobs"), params=params)
            response.raise_for_status()
            bodies.append(response.content)
            page = json.loads(response.content)
            if not page["hasMore"]:
                return bodies
            token = page["continueFrom"]


def _connect(path: Path) -> sqlite3.Connection:
    """The pragmas CacheStore uses, so the floor and the sync write under the same conditions."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in CacheStore.pragmas(Database.PAGE_SIZE):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def floor_store_schema(bodies: list[bytes], path: Path) -> tuple[int, float]:
    """json.loads + executemany into the store's jobs/job_raw tables (same indexes)."""
    CacheStore(path).close()  # create the schema
    conn = _connect(path)
    cols = ", ".join(f'"{c}"' for c in _JOB_COLUMNS)
    marks = ", ".join("?" for _ in _JOB_COLUMNS)
    insert_jobs = f"INSERT INTO jobs ({cols}) VALUES ({marks})"
    rows = 0
    started = time.perf_counter()
    for body in bodies:
        page = json.loads(body)
        data = page["data"]
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(insert_jobs, [_job_values(job_from_wire(p)) for p in data])
        conn.executemany("INSERT INTO job_raw (id, raw) VALUES (?, ?)",
                         [(p["id"], json.dumps(p, separators=(",", ":"))) for p in data])
        conn.execute("INSERT OR REPLACE INTO sync_state (feed, token) VALUES ('jobs', ?)", (page["continueFrom"],))
        conn.execute("COMMIT")
        rows += len(data)
    seconds = time.perf_counter() - started
    conn.close()
    return rows, seconds


BARE_COLUMNS = ("id", "number", "status", "priority", "job_type_id", "business_unit_id", "customer_id",
                "location_id", "project_id", "summary", "created_on", "modified_on", "completed_on", "active", "raw")


def floor_bare(bodies: list[bytes], path: Path) -> tuple[int, float]:
    """json.loads + executemany of the same fields (straight from the dicts) into a bare table."""
    conn = _connect(path)
    conn.execute(f"CREATE TABLE jobs ({', '.join(BARE_COLUMNS)}, PRIMARY KEY (id))")
    conn.execute("CREATE TABLE sync_state (feed TEXT PRIMARY KEY, token TEXT)")
    sql = f"INSERT INTO jobs VALUES ({', '.join('?' for _ in BARE_COLUMNS)})"
    rows = 0
    started = time.perf_counter()
    for body in bodies:
        page = json.loads(body)
        data = page["data"]
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, [
            (p["id"], p.get("jobNumber"), p.get("jobStatus"), p.get("priority"), p.get("jobTypeId"),
             p.get("businessUnitId"), p.get("customerId"), p.get("locationId"), p.get("projectId"), p.get("summary"),
             p.get("createdOn"), p.get("modifiedOn"), p.get("completedOn"), int(bool(p.get("active", True))),
             json.dumps(p, separators=(",", ":")))
            for p in data
        ])
        conn.execute("INSERT OR REPLACE INTO sync_state VALUES ('jobs', ?)", (page["continueFrom"],))
        conn.execute("COMMIT")
        rows += len(data)
    seconds = time.perf_counter() - started
    conn.close()
    return rows, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=200_000)
    parser.add_argument("--page-size", type=int, default=1000, help="export page size (sandbox; default 1000)")
    parser.add_argument("--base-jobs", type=int, default=2000, help="jobs generated before cloning (default 2000)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1,
                        help="time the sync and the bare floor this many times, taking turns, and judge the target by "
                             "the median ratio (either alone moves by ~0.4 s from run to run)")
    args = parser.parse_args()

    t = time.perf_counter()
    state = make_state(args.jobs, args.page_size, args.base_jobs)
    app = create_app(state)
    print(f"sandbox: {len(state['jobs']):,} jobs, export pages of {args.page_size} "
          f"(built in {time.perf_counter() - t:.1f} s)", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="jpm-bench-sync-"))
    syncs: list[float] = []
    floors: list[float] = []
    try:
        bodies = asyncio.run(fetch_bodies(app))
        for turn in range(max(1, args.rounds)):
            records, sync_s = asyncio.run(run_sync(app, tmp / "sync.sqlite3", args.concurrency))
            rows_b, floor_b = floor_bare(bodies, tmp / "floor-bare.sqlite3")
            for made in tmp.iterdir():  # each round on the same disk: last round's ~1 GB written is gone
                made.unlink()
            syncs.append(sync_s)
            floors.append(floor_b)
            if args.rounds > 1:
                print(f"  round {turn + 1}: sync {sync_s:.2f} s, bare floor {floor_b:.2f} s -> {sync_s / floor_b:.2f}x",
                      flush=True)
        replayed, replay_s = asyncio.run(run_sync_replayed(bodies, tmp / "replay.sqlite3", args.concurrency))
        rows_a, floor_a = floor_store_schema(bodies, tmp / "floor-store.sqlite3")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert records == replayed == rows_a == rows_b == len(state["jobs"]), (records, replayed, rows_a, rows_b)
    sync_s, floor_b = statistics.median(syncs), statistics.median(floors)
    sync_rate, rate_a, rate_b = records / sync_s, rows_a / floor_a, rows_b / floor_b
    replay_rate = replayed / replay_s
    print(f"sync (HTTP in process + map + upsert + search/counters + index build):      "
          f"{sync_rate:>9,.0f} records/s  ({sync_s:.2f} s)")
    print(f"sync, replayed pages (the same without the sandbox's work):                 "
          f"{replay_rate:>9,.0f} records/s  ({replay_s:.2f} s)  -> {rate_b / replay_rate:.2f}x the bare floor's time")
    print(f"floor, store schema (json.loads + map + executemany jobs/job_raw):           "
          f"{rate_a:>9,.0f} records/s  ({floor_a:.2f} s)  -> the sync takes {rate_a / sync_rate:.2f}x its time")
    print(f"floor, bare table   (json.loads + executemany, primary key only):            "
          f"{rate_b:>9,.0f} records/s  ({floor_b:.2f} s)  -> the sync takes {rate_b / sync_rate:.2f}x its time")
    ratio = sync_s / floor_b
    basis = f"medians of {len(syncs)} rounds" if len(syncs) > 1 else "one round; --rounds 3 judges by medians"
    print(f"target: the sync within {TARGET_RATIO:.0f}x the bare floor's time: "
          f"{'met' if ratio < TARGET_RATIO else 'NOT met'} ({ratio:.2f}x, {basis})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
