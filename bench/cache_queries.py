"""Benchmark of the cache's job-list queries at scale.

Builds a cache file with N synthetic jobs (default 1,000,000) and their customers, locations, phones,
appointments, technician assignments and notes, *through ``CacheStore.upsert``* (one transaction per
5,000-row page, as the sync engine does), then times the queries the board makes and prints median / p95
milliseconds.

    python bench/cache_queries.py                 # 1,000,000 jobs in a temp dir (deleted afterwards)
    python bench/cache_queries.py --jobs 100000
    python bench/cache_queries.py --path /tmp/bench.sqlite3 --keep   # reuse the file next time

Every timed query is "cold" for the store's own caches (window anchors and bookmarks, count memo and kept text
matches are cleared before each run) unless the label says "warm"; SQLite's page cache is warm, as it is in a
running board. A deep jump is timed twice: before any bookmark (the user drags the scrollbar while the board's
background walk has not finished) and after the walk the board makes once a query is counted (what it is
otherwise); the walk's own time and its longest chunk (what a key's read may wait behind) are printed too.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jpm_tui.cache.store import CacheStore, JobQuery  # noqa: E402
from jpm_tui.provider import domain as d  # noqa: E402
from jpm_tui.ui.table_window import BOOKMARK_SECONDS  # noqa: E402

FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
         "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Ana",
         "Wei", "Mei", "Omar", "Fatima", "Ivan", "Olga", "Kenji", "Yuki", "Raj", "Priya"]
SYLLABLES = ["and", "er", "son", "berg", "ton", "ley", "mar", "wick", "ford", "well", "ridge", "shaw", "field",
             "ham", "stein", "ski", "ez", "ov", "sen", "da", "ri", "lo", "ka", "mi", "no"]
STREETS = ["Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Sunset", "Park",
           "River", "Church", "Spring", "Highland", "Meadow", "Forest", "Ridge", "Willow", "Jefferson"]
SUFFIX = ["St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct", "Way"]
CITIES = ["Springfield", "Riverside", "Franklin", "Greenville", "Bristol", "Clinton", "Fairview", "Salem",
          "Madison", "Georgetown", "Arlington", "Ashland", "Dover", "Oxford", "Jackson", "Burlington", "Manchester",
          "Milton", "Newport", "Auburn"]
WORK = ["AC not cooling", "Furnace no heat", "Water heater leaking", "Annual maintenance", "Install thermostat",
        "Duct cleaning", "Replace compressor", "Drain clog kitchen", "Toilet running", "Sump pump failure",
        "Breaker tripping", "Panel upgrade", "Gas smell near meter", "Boiler inspection", "Mini split install",
        "Refrigerant recharge", "Noisy blower motor", "Frozen coil", "Humidifier service", "Estimate for new system"]
STATUS_WEIGHTS = [("Completed", 62), ("Canceled", 9), ("Scheduled", 18), ("Dispatched", 4), ("InProgress", 3),
                  ("Hold", 4)]
PRIORITIES = [("Normal", 70), ("High", 18), ("Low", 8), ("Urgent", 4)]
APPT_STATUS = {"Completed": "Done", "Canceled": "Canceled", "Scheduled": "Scheduled", "Dispatched": "Dispatched",
               "InProgress": "Working", "Hold": "Hold"}
EPOCH = datetime(2022, 6, 1, tzinfo=UTC)
PAGE = 5000


def surname(rng: random.Random) -> str:
    return (rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(SYLLABLES)).capitalize()


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def build(store: CacheStore, jobs: int, seed: int = 7, jobs_last: bool = False) -> dict[str, float]:
    """``jobs`` synthetic jobs and their rows into ``store``, through its upsert. ``jobs_last``: the jobs are written
    after their appointments, assignments and notes (drawn in the same order: the same rows), so that each job's
    derived columns are computed once, when it is written, rather than again as each related table arrives (what
    makes a PostgreSQL build slow)."""
    rng = random.Random(seed)
    timings: dict[str, float] = {}

    def load(table: str, rows_iter: Callable[[], list]) -> None:
        t0 = time.perf_counter()
        n = 0
        batch = []
        for row in rows_iter():
            batch.append(row)
            if len(batch) == PAGE:
                with store.transaction():
                    store.upsert(table, batch)
                    store.save_token(table, f"t{n}", rows=len(batch))
                n += len(batch)
                batch = []
        if batch:
            with store.transaction():
                store.upsert(table, batch)
                store.save_token(table, f"t{n}", rows=len(batch))
            n += len(batch)
        timings[table] = time.perf_counter() - t0
        print(f"  {table:<24} {n:>9,} rows  {timings[table]:6.1f} s  ({n / max(timings[table], 1e-9):,.0f}/s)",
              flush=True)

    n_customers = max(10, jobs // 4)
    n_techs = 300
    load("business_units", lambda: [d.BusinessUnit(i, f"BU {i:02d} {rng.choice(CITIES)}", raw={"id": i})
                                    for i in range(1, 21)])
    load("job_types", lambda: [d.JobType(i, f"{rng.choice(WORK)} #{i}", raw={"id": i}) for i in range(1, 61)])
    load("technicians", lambda: [d.Technician(i, f"{rng.choice(FIRST)} {surname(rng)}", raw={"id": i})
                                 for i in range(1, n_techs + 1)])

    def customers():
        for i in range(1, n_customers + 1):
            name = f"{rng.choice(FIRST)} {surname(rng)}"
            yield d.Customer(i, name, kind="Residential", raw={"id": i, "name": name, "type": "Residential"})

    def locations():
        for i in range(1, n_customers + 1):
            street = f"{rng.randrange(1, 9999)} {rng.choice(STREETS)} {rng.choice(SUFFIX)}"
            city = rng.choice(CITIES)
            yield d.Location(i, i, name="Home", street=street, city=city, state="TX", zip=f"{rng.randrange(75000, 79999)}",
                             raw={"id": i, "customerId": i, "address": {"street": street, "city": city}})

    def contacts():
        for i in range(1, n_customers + 1):
            phone = f"{rng.randrange(200, 999)}-{rng.randrange(200, 999)}-{rng.randrange(0, 9999):04d}"
            yield d.Contact(i, "customer", i, d.ContactType.MOBILE, phone, raw={"id": i, "value": phone})

    load("customers", customers)
    load("locations", locations)
    load("contacts", contacts)

    statuses: dict[int, str] = {}

    def job_rows():
        span = 3 * 365 * 24 * 3600
        for i in range(1, jobs + 1):
            status = pick(rng, STATUS_WEIGHTS)
            statuses[i] = status
            cust = rng.randrange(1, n_customers + 1)
            created = EPOCH + timedelta(seconds=span * i / jobs + rng.randrange(3600))
            modified = created + timedelta(hours=rng.randrange(1, 400))
            summary = f"{rng.choice(WORK)}. {rng.choice(WORK).lower()} reported by customer"
            raw = {"id": i, "jobNumber": str(100000 + i), "jobStatus": status, "customerId": cust,
                   "locationId": cust, "businessUnitId": 1 + i % 20, "jobTypeId": 1 + (i * 7) % 60,
                   "priority": "Normal", "campaignId": 5, "summary": summary, "customFields": [],
                   "appointmentCount": 1, "firstAppointmentId": i, "lastAppointmentId": i, "noCharge": False,
                   "notificationsEnabled": True, "createdOn": created.isoformat(), "createdById": 1,
                   "modifiedOn": modified.isoformat(), "tagTypeIds": [], "externalData": [], "customerPo": None,
                   "invoiceId": i, "active": True}
            yield d.Job(i, str(100000 + i), d.JobStatus(status), d.Priority(pick(rng, PRIORITIES)),
                        1 + (i * 7) % 60, 1 + i % 20, cust, cust, None, summary, created, modified,
                        modified if status == "Completed" else None, rng.random() > 0.01, raw)

    def appointment_rows():
        span = 3 * 365 * 24 * 3600
        for i in range(1, jobs + 1):
            start = EPOCH + timedelta(seconds=span * i / jobs + rng.randrange(7 * 86400))
            start = start.replace(minute=0, second=0, microsecond=0)
            yield d.Appointment(i, i, f"{100000 + i}-1", start, start + timedelta(hours=2),
                                status=d.AppointmentStatus(APPT_STATUS[statuses[i]]), raw={"id": i, "jobId": i})

    def assignment_rows():
        for i in range(1, jobs + 1):
            tech = rng.randrange(1, n_techs + 1)
            yield d.Assignment(i, i, i, tech, raw={"id": i, "appointmentId": i, "technicianId": tech})

    def note_rows():
        for i in range(1, jobs // 5 + 1):
            job = rng.randrange(1, jobs + 1)
            yield d.Note(i, "job", job, f"Gate code {rng.randrange(1000, 9999)}, dog in yard, call ahead",
                         created_on=EPOCH + timedelta(days=rng.randrange(1000)), raw={"id": i, "jobId": job})

    if jobs_last:
        job_list = list(job_rows())  # drawn first, as below
        load("appointments", appointment_rows)
        load("appointment_assignments", assignment_rows)
        load("job_notes", note_rows)
        load("jobs", lambda: job_list)
    else:
        load("jobs", job_rows)
        load("appointments", appointment_rows)
        load("appointment_assignments", assignment_rows)
        load("job_notes", note_rows)
    t0 = time.perf_counter()
    store.conn.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - t0
    return timings


def measure(store: CacheStore, label: str, fn: Callable[[], object], runs: int, cold: bool = True,
            before: Callable[[], object] | None = None) -> tuple[float, float]:
    """``before`` runs (untimed) before each run, after the caches are cleared."""
    times = []
    result = None
    for _ in range(runs):
        if cold:
            store.bookmarks.anchors.clear()
            store.job_counts.memo.clear()
            store.matches.memo().clear()
        if before is not None:
            before()
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    shown = len(result) if isinstance(result, list) else result
    print(f"  {label:<68} median {median:7.2f} ms   p95 {p95:7.2f} ms   ({shown})")
    return median, p95


class BoardWalk:
    """The board's background walk for ``query``, as the job table makes it once the query is counted: chunks of
    ``BOOKMARK_SECONDS`` until the store says done. Keeps each walk's total and longest chunk (ms)."""

    def __init__(self, store: CacheStore, query: JobQuery) -> None:
        self.store, self.query = store, query
        self.totals: list[float] = []
        self.longest: list[float] = []
        self.chunks = 0

    def __call__(self) -> None:
        self.store.count_jobs(self.query)  # the table counts first (memoised for the walk)
        chunks = []
        done = False
        while not done:
            t0 = time.perf_counter()
            done = self.store.bookmark_job_list(self.query, BOOKMARK_SECONDS)
            chunks.append((time.perf_counter() - t0) * 1000)
        self.totals.append(sum(chunks))
        self.longest.append(max(chunks))
        self.chunks = len(chunks)

    def report(self, label: str) -> None:
        self.totals.sort()
        p95 = self.totals[min(len(self.totals) - 1, int(round(0.95 * (len(self.totals) - 1))))]
        print(f"  {label:<68} median {statistics.median(self.totals):7.2f} ms   p95 {p95:7.2f} ms   "
              f"({self.chunks} chunks, longest {max(self.longest):.2f} ms)")


def run_queries(store: CacheStore, runs: int) -> dict[str, tuple[float, float]]:
    total = store.count_jobs(JobQuery())
    print(f"\nqueries over {total:,} active jobs ({runs} runs each)")
    r: dict[str, tuple[float, float]] = {}
    Q = JobQuery
    open_statuses = ("Scheduled", "Dispatched", "InProgress", "Hold")
    r["window first page"] = measure(store, "window, first page, sort number", lambda: store.jobs_window(Q(), 0, 50), runs)
    r["window first page filtered"] = measure(
        store, "window, first page, open statuses, sort next appointment",
        lambda: store.jobs_window(Q(statuses=open_statuses, sort="next_appointment"), 0, 50), runs)
    r["window filtered type+bu"] = measure(
        store, "window, first page, job type + business unit + Hold, sort customer",
        lambda: store.jobs_window(Q(statuses=("Hold",), job_type_ids=(8,), business_unit_ids=(2, 3),
                                    sort="customer"), 0, 50), runs)
    r["window tech"] = measure(
        store, "window, first page, one technician, sort modified desc",
        lambda: store.jobs_window(Q(technician_ids=(42,), sort="modified", descending=True), 0, 50), runs)
    day = datetime(2024, 3, 12, tzinfo=UTC)
    r["window date"] = measure(
        store, "window, first page, next appointment on one day",
        lambda: store.jobs_window(Q(appointment_from=day, appointment_to=day + timedelta(days=1),
                                    sort="next_appointment"), 0, 50), runs)
    r["window deep cold"] = measure(
        store, "window, deep page (offset 500,000), cold jump, no bookmarks",
        lambda: store.jobs_window(Q(), 500_000, 50), runs)
    open_by_customer = Q(statuses=open_statuses, sort="customer")
    r["window deep cold filtered"] = measure(
        store, "window, deep page (100,000 of open by customer), cold, no bookmarks",
        lambda: store.jobs_window(open_by_customer, 100_000, 50), runs)
    # after the board's walk: a jump anywhere (not on a bookmark), each run after a walk of its own
    rng = random.Random(11)
    for key, label, q in (("", "all active", Q()), (" filtered", "open by customer", open_by_customer)):
        walk = BoardWalk(store, q)
        count = store.count_jobs(q)
        r["window deep bookmarked" + key] = measure(
            store, f"window, deep jump anywhere after the board's walk ({label})",
            lambda: store.jobs_window(q, rng.randrange(count - 50), 50), runs, before=walk)  # noqa: B023
        walk.report(f"  that walk itself ({label}), total")
    r["window near end"] = measure(
        store, "window, last page (End key), cold",
        lambda: store.jobs_window(Q(sort="customer"), total - 50, 50), runs)
    offsets = iter(range(500_050, 10_000_000, 50))
    store.jobs_window(Q(), 500_000, 50)
    r["window deep scroll"] = measure(
        store, "window, deep page scrolling on from 500,000 (warm anchors)",
        lambda: store.jobs_window(Q(), next(offsets), 50), runs, cold=False)
    r["count all"] = measure(store, "count, all active", lambda: store.count_jobs(Q()), runs)
    r["count status"] = measure(store, "count, by status (open statuses)",
                                lambda: store.count_jobs(Q(statuses=open_statuses)), runs)
    r["count status+type"] = measure(store, "count, by status + job type + priority",
                                     lambda: store.count_jobs(Q(statuses=("Scheduled",), job_type_ids=(3, 4),
                                                                priorities=("High",))), runs)
    words = ["springfield", "oak", "gate code", "furnace", "maple river", "Kaer", "andson", "555", "100123"]
    it = iter(words * (runs // len(words) + 2))
    r["count text"] = measure(store, "count, by text (mixed words), exact (the board asks capped)", lambda: store.count_jobs(Q(text=next(it))), runs)
    it = iter(words * (runs // len(words) + 2))
    r["count text+status"] = measure(store, "count, by text + open statuses, exact (board: capped)",
                                     lambda: store.count_jobs(Q(text=next(it), statuses=open_statuses)), runs)
    it = iter(words * (runs // len(words) + 2))
    r["count text capped"] = measure(store, "count, by text, capped at 10,000 (the board's \"10,000+\")",
                                     lambda: store.count_jobs(Q(text=next(it)), cap=10_000), runs)
    it = iter(words * (runs // len(words) + 2))
    r["search window"] = measure(store, "text search, first page (mixed words)",
                                 lambda: store.jobs_window(Q(text=next(it)), 0, 50), runs)
    # a specific customer surname and a phone number: the typical dispatcher search
    # (number 777, or the first of a small cache)
    cust = store.conn.execute("SELECT name FROM customers ORDER BY id = 777 DESC, id LIMIT 1").fetchone()[0]
    phone = store.conn.execute("SELECT value FROM contacts ORDER BY id = 777 DESC, id LIMIT 1").fetchone()[0]
    r["search name"] = measure(store, f"text search, customer name {cust!r}",
                               lambda: store.jobs_window(Q(text=cust), 0, 50), runs)
    r["search phone"] = measure(store, f"text search, phone {phone!r}",
                                lambda: store.jobs_window(Q(text=phone), 0, 50), runs)
    r["search prefix+sort"] = measure(store, "text search 'spring' + open statuses, sort next appointment",
                                      lambda: store.jobs_window(Q(text="spring", statuses=open_statuses,
                                                                  sort="next_appointment"), 0, 50), runs)
    return r


TARGET_MS = 20.0
#: what the board never asks, or asks only in a short moment: timed above for the record, left out of the verdict
OUTSIDE_TARGETS = {
    "window deep cold": "a scrollbar drag before the background walk ends (~0.1-0.15 s after a new order appears)",
    "window deep cold filtered": "the same, in a filtered list",
    "count text": "exact text counts: the board asks them capped",
    "count text+status": "exact text counts: the board asks them capped",
}


def report_targets(results: dict[str, tuple[float, float]]) -> None:
    """The issue's targets: the board's windows, counts and text searches each under ``TARGET_MS`` p95."""
    print(f"\ntargets: p95 under {TARGET_MS:.0f} ms")
    for group, prefixes in (("windows", ("window",)), ("counts", ("count",)), ("text search", ("search",))):
        judged = {k: v for k, v in results.items() if k.startswith(prefixes) and k not in OUTSIDE_TARGETS}
        worst = max(judged, key=lambda k: judged[k][1])
        verdict = "met" if judged[worst][1] < TARGET_MS else "NOT met"
        print(f"  {group:<12} {verdict:<8} slowest p95 {judged[worst][1]:6.2f} ms ({worst}; {len(judged)} queries)")
    for key, why in OUTSIDE_TARGETS.items():
        print(f"  outside the targets: {key:<26} p95 {results[key][1]:6.2f} ms  ({why})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--path", type=Path, help="cache file to build (or reuse with --keep)")
    parser.add_argument("--keep", action="store_true", help="keep the file; reuse it when it already exists")
    args = parser.parse_args(argv)
    tmp = None
    if args.path is None:
        tmp = Path(tempfile.mkdtemp(prefix="jpm-bench-"))
        path = tmp / "bench.sqlite3"
    else:
        path = args.path
    try:
        fresh = not (args.keep and path.exists())
        if fresh and path.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        store = CacheStore(path)
        if fresh:
            print(f"building {args.jobs:,} jobs in {path}")
            t0 = time.perf_counter()
            build(store, args.jobs)
            print(f"  built in {time.perf_counter() - t0:.0f} s; file {path.stat().st_size / 1e6:,.0f} MB")
        report_targets(run_queries(store, args.runs))
        store.close()
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
