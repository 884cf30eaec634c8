"""Benchmark of the PostgreSQL store beside the SQLite store, on the same data.

Builds N synthetic jobs (default 1,000,000) with their customers, locations, phones, appointments, assignments and
notes (``cache_queries.build``: the same seed, so the same rows) into a SQLite file and into a PostgreSQL database,
each through its store's ``upsert`` (one transaction per 5,000-row page, as the sync engine writes), then times the
board's job-list reads on each and prints median / p95 milliseconds side by side, with the issue's verdicts for
PostgreSQL: windows and counts under 20 ms p95, text search under 50 ms p95.

    python bench/pg_store.py                       # 1,000,000 jobs; a temporary PostgreSQL server (initdb)
    python bench/pg_store.py --jobs 200000
    python bench/pg_store.py --url postgresql://me@dbhost/scratch   # an existing database instead
    python bench/pg_store.py --url ... --sqlite /tmp/bench.sqlite3  # kept: built once, read again after a change

Each store is built unless it already holds jobs: through its upsert, the jobs written after their related rows
(``build(jobs_last=True)``: each job derived once), PostgreSQL's indexes of jobs and their words made after them
(``jobs_indexed_after``). Every read's result must be the same from both stores: a difference is printed and fails.

The temporary server is the tests' (tests/support/postgres.py: durability off, which speeds up the build, not
the reads). Each timed read is cold for the stores' own memos (SQLite's anchors, bookmarks, count memo and kept
matches; PostgreSQL's last-window seek), warm for the databases' page caches, as in a running board.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench.cache_queries import build  # noqa: E402
from jpm_tui.cache.pg import PgStore  # noqa: E402
from jpm_tui.cache.store import CacheStore, JobQuery  # noqa: E402
from jpm_tui.cache.store.interface import Store  # noqa: E402

WINDOW_MS = 20.0
SEARCH_MS = 50.0
OPEN = ("Scheduled", "Dispatched", "InProgress", "Hold")
WORDS = ["springfield", "oak", "gate code", "furnace", "maple river", "Kaer", "andson", "555", "100123"]


def cold(store: Store) -> None:
    """Forget what the store remembers between reads (the board's anchors and memos)."""
    if isinstance(store, CacheStore):
        store.bookmarks.anchors.clear()
        store.job_counts.memo.clear()
        store.matches.memo().clear()
    elif isinstance(store, PgStore):
        store.job_list = type(store.job_list)(store.db)


Read = Callable[[Store, int], object]


def timed(store: Store, read: Read, before: Read | None, runs: int) -> tuple[float, float, list[object]]:
    """(median, p95) ms of ``read(store, run)`` over ``runs`` cold runs, each after ``before(store, run)`` (untimed),
    and the results."""
    times = []
    results = []
    for run in range(runs):
        cold(store)
        if before is not None:
            before(store, run)
        t0 = time.perf_counter()
        results.append(read(store, run))
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], results


def reads(jobs: int) -> list[tuple[str, str, Read, Read | None]]:
    """(group, label, read, what is read before it, untimed) of what the board asks: windows, counts, text
    searches."""
    q = JobQuery
    day = datetime(2024, 3, 12, tzinfo=UTC)
    deep = jobs // 2

    def word(run: int) -> str:
        return WORDS[run % len(WORDS)]

    def page(s: Store, run: int) -> object:
        return s.jobs_window(q(), deep + 50 * run, 50)

    def next_page(s: Store, run: int) -> object:
        return page(s, run + 1)

    found = [  # reads with nothing before them
        ("windows", "first page, sort number", lambda s, _: s.jobs_window(q(), 0, 50)),
        ("windows", "first page, open statuses, sort next appointment",
         lambda s, _: s.jobs_window(q(statuses=OPEN, sort="next_appointment"), 0, 50)),
        ("windows", "first page, job type + business unit + Hold, sort customer",
         lambda s, _: s.jobs_window(q(statuses=("Hold",), job_type_ids=(8,), business_unit_ids=(2, 3),
                                      sort="customer"), 0, 50)),
        ("windows", "first page, one technician, sort modified desc",
         lambda s, _: s.jobs_window(q(technician_ids=(42,), sort="modified", descending=True), 0, 50)),
        ("windows", "first page, next appointment on one day",
         lambda s, _: s.jobs_window(q(appointment_from=day, appointment_to=day + timedelta(days=1),
                                      sort="next_appointment"), 0, 50)),
        ("windows", "last page (End key), sort customer",
         lambda s, _: s.jobs_window(q(sort="customer"), s.count_jobs(q()) - 50, 50)),
        ("counts", "all active", lambda s, _: s.count_jobs(q())),
        ("counts", "open statuses", lambda s, _: s.count_jobs(q(statuses=OPEN))),
        ("counts", "status + job type + priority",
         lambda s, _: s.count_jobs(q(statuses=("Scheduled",), job_type_ids=(3, 4), priorities=("High",)))),
        ("counts", "one technician", lambda s, _: s.count_jobs(q(technician_ids=(42,)))),
        ("text search", "count, capped at 10,000 (the board's)", lambda s, r: s.count_jobs(q(text=word(r)),
                                                                                           cap=10_000)),
        ("text search", "first page, mixed words", lambda s, r: s.jobs_window(q(text=word(r)), 0, 50)),
        ("text search", "first page, word + open statuses, sort next appointment",
         lambda s, r: s.jobs_window(q(text=word(r), statuses=OPEN, sort="next_appointment"), 0, 50)),
        ("text search", "a customer's name, first page",
         lambda s, _: s.jobs_window(q(text=s.customer(777 if jobs >= 4000 else 1).name), 0, 50)),  # type: ignore[union-attr]
        ("text search", "a phone number, first page",
         lambda s, _: s.jobs_window(q(text=s.contacts_for("customer", 777 if jobs >= 4000 else 1)[0].value), 0, 50)),
    ]
    return [(group, label, read, None) for group, label, read in found] + [
        ("windows", f"paging down at {deep:,} (the page before it read first)", next_page, page)]


@contextmanager
def jobs_indexed_after(store: Store) -> Iterator[None]:
    """For PostgreSQL: the indexes of the jobs table and of its words (but their keys) dropped during the block and
    made again after it, as the migrations made them: one sorted build each instead of a million updates (the jobs
    are written last, into an empty table: no read of the build needs them). Nothing for SQLite."""
    if not isinstance(store, PgStore):
        yield
        return
    conn = store.db.conn
    made = [(name, sql) for name, sql in conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('jobs', 'job_words') "
        "AND indexname NOT IN ('jobs_pkey', 'job_words_pkey')")]
    with store.db.transaction() as tx:
        for name, _ in made:
            tx.execute(f"DROP INDEX {name}")  # type: ignore[arg-type]  # names the catalog gave
    yield
    with store.db.transaction() as tx:
        for _, sql in made:
            tx.execute(sql)  # type: ignore[arg-type]  # the catalog's own definitions


@contextmanager
def postgres(url: str | None) -> Iterator[str]:
    """``url``, or a database of a temporary server started for the bench."""
    if url is not None:
        yield url
        return
    from support.postgres import fresh_database, temporary_server

    with temporary_server() as server, fresh_database(server) as fresh:
        yield fresh


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--url", help="an existing PostgreSQL database (default: a temporary server)")
    parser.add_argument("--sqlite", type=Path, help="the SQLite file, kept (default: a temporary one)")
    args = parser.parse_args(argv)
    # stopped (kill): leave by an exception, so the temporary server is stopped and the files removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="jpm-bench-") as tmp, postgres(args.url) as url, \
            CacheStore(args.sqlite or Path(tmp) / "bench.sqlite3") as sqlite, PgStore(url) as pg:
        stores: dict[str, Store] = {"SQLite": sqlite, "PostgreSQL": pg}
        for name, store in stores.items():
            held = store.count_jobs(JobQuery(include_inactive=True))
            if held:
                print(f"{name} holds {held:,} jobs already: not built", flush=True)
                continue
            print(f"building {args.jobs:,} jobs in {name}", flush=True)
            t0 = time.perf_counter()
            with jobs_indexed_after(store):
                build(store, args.jobs, jobs_last=True)  # type: ignore[arg-type]  # through upsert, as both take
            store.optimize()
            print(f"  built in {time.perf_counter() - t0:.1f} s", flush=True)
        print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        print(f"\nreads over {args.jobs:,} jobs, {args.runs} cold runs each: median / p95 ms")
        print(f"  {'':<13}{'':<62}{'SQLite':>17}   {'PostgreSQL':>17}")
        worst: dict[str, float] = {}
        differ = []
        for group, label, read, before in reads(args.jobs):
            (sm, sp, sr), (pm, pp, pr) = (timed(s, read, before, args.runs) for s in stores.values())
            print(f"  {group:<13}{label:<62}{sm:7.2f} / {sp:7.2f}   {pm:7.2f} / {pp:7.2f}", flush=True)
            worst[group] = max(worst.get(group, 0.0), pp)
            if sr != pr:
                differ.append(label)
        print("\nverdicts (PostgreSQL p95, slowest of each group):")
        for group, target in (("windows", WINDOW_MS), ("counts", WINDOW_MS), ("text search", SEARCH_MS)):
            verdict = "met" if worst[group] < target else "NOT met"
            print(f"  {group:<12} under {target:.0f} ms: {verdict:<8} slowest p95 {worst[group]:.2f} ms")
        for label in differ:
            print(f"DIFFERENT RESULTS from the two stores: {label}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
