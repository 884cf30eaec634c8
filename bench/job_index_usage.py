"""Which indexes of the ``jobs`` table the store's statements use, by ``EXPLAIN QUERY PLAN``.

    python bench/cache_queries.py --jobs 100000 --path /tmp/q.sqlite3 --keep   # a cache file with stats
    python bench/job_index_usage.py /tmp/q.sqlite3 [--show jobs_f_priority,jobs_project]

Builds the SQL the store's job list can send for a grid of queries (every filter alone and together, every
sort, both plans of ``Planner.plan`` -- "sort" walks a sort index named with INDEXED BY, "filter" lets
SQLite pick --, with and without a keyset seek, forward and reversed, and the filtered count), plus the
statements of the write path that look jobs up, and EXPLAINs each against the file (read-only). Prints, per
index of ``jobs``, how many statements' plans use it. An index no plan uses is a candidate to drop; a plan's
choice depends on the file's statistics (sqlite_stat1), so look at a file with realistic data.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import re
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jpm_tui.cache import store as S  # noqa: E402
from jpm_tui.cache.schema import JOB_SORT_COLUMNS  # noqa: E402
from jpm_tui.cache.store.job_list.sql import where, window_sql  # noqa: E402

T0 = datetime(2024, 3, 12, tzinfo=UTC)
GRID = {
    "statuses": [(), ("Hold",), ("Scheduled", "Dispatched", "InProgress", "Hold")],
    "priorities": [(), ("Urgent",)],
    "job_type_ids": [(), (8,)],
    "business_unit_ids": [(), (2, 3)],
    "technician_ids": [(), (42,)],
    "appointments": [None, "from", "to", "both"],
    "text": ["", "spring"],
    "include_inactive": [False, True],
    "record": [None, "customer_id", "location_id", "project_id"],
}
IDS = "[1, 2, 3]"
WRITE_PATH = [  # (what, sql, args): the store's statements that look jobs up on the write path
    ("job names refresh", S._REFRESH_JOB_NAMES, (IDS,)),
    ("next appointment refresh", S._REFRESH_NEXT_APPT, (IDS,)),
    ("appointment columns refresh", S._REFRESH_APPT_DERIVED, (IDS,)),
    ("search rows", S._REFRESH_SEARCH_INSERT, (IDS,)),
    ("counter groups", S._COUNT_JOBS, (IDS, -1)),
    ("jobs of customers", f"SELECT id FROM jobs WHERE customer_id IN ({S._IDS})", (IDS,)),
    ("jobs of locations", f"SELECT id FROM jobs WHERE location_id IN ({S._IDS})", (IDS,)),
    ("jobs of appointments", f"SELECT id FROM jobs WHERE next_appointment_id IN ({S._IDS})", (IDS,)),
    ("jobs of technicians", "SELECT DISTINCT j.id FROM appointment_assignments aa JOIN jobs j ON "
     f"j.next_appointment_id = aa.appointment_id WHERE aa.technician_id IN ({S._IDS})", (IDS,)),
    ("job type renamed", "UPDATE jobs SET job_type_name = coalesce((SELECT name FROM job_types t WHERE t.id = "
     f"jobs.job_type_id), '') WHERE job_type_id IN ({S._IDS})", (IDS,)),
    ("business unit renamed", "UPDATE jobs SET business_unit_name = coalesce((SELECT name FROM business_units t "
     f"WHERE t.id = jobs.business_unit_id), '') WHERE business_unit_id IN ({S._IDS})", (IDS,)),
    ("jobs not seen", f"SELECT id FROM jobs WHERE active = 1 AND id NOT IN ({S._IDS})", (IDS,)),
    ("plan: appointments in range", "SELECT count(*) FROM (SELECT 1 FROM jobs INDEXED BY jobs_sort_next_appointment "
     "WHERE next_appt_key >= ? AND next_appt_key < ? LIMIT ?)", ("", "~", 50001)),
]


def statements(scratch: S.CacheStore):
    for combo in itertools.product(*GRID.values()):
        kw = dict(zip(GRID, combo, strict=True))
        appointments, record = kw.pop("appointments"), kw.pop("record")
        if appointments in ("from", "both"):
            kw["appointment_from"] = T0
        if appointments in ("to", "both"):
            kw["appointment_to"] = T0 + timedelta(days=1)
        if record:
            kw[record] = 777
        for sort in JOB_SORT_COLUMNS:
            q = S.JobQuery(sort=sort, **kw)
            for plan, seek, reverse in itertools.product(("filter", "sort"), (None, ("x", 5)), (False, True)):
                sql, args = window_sql(scratch.conn, scratch.matches, q, plan, seek, reverse)
                yield f"window ({plan} plan)", sql, [*args, 50, 0]
            clauses, args = where(q, scratch.matches)
            yield "count", "SELECT count(*) FROM (SELECT 1 FROM jobs j WHERE " + " AND ".join(clauses or ["1"]) + \
                " LIMIT 10000)", args
    yield from WRITE_PATH


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, help="a cache file (opened read-only)")
    parser.add_argument("--show", default="", help="comma-separated index names: print some plans that use them")
    args = parser.parse_args()
    conn = sqlite3.connect(f"file:{args.path}?mode=ro", uri=True)
    indexes = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL ORDER BY name")]
    stats = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()[0]
    uses: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    examples: dict[str, list[tuple[str, list[str]]]] = collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = S.CacheStore(Path(tmp) / "scratch.sqlite3")
        total = 0
        for what, sql, sql_args in statements(scratch):
            total += 1
            plan = [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, sql_args)]
            for name in {m.group(1) for line in plan for m in re.finditer(r"INDEX (\w+)", line)}:
                uses[name][what] += 1
                if len(examples[name]) < 2:
                    examples[name].append((sql, plan))
        scratch.close()
    print(f"{total:,} statements EXPLAINed against {args.path} ({'with' if stats else 'WITHOUT'} sqlite_stat1)")
    for name in indexes:
        kinds = ", ".join(f"{k} {n:,}" for k, n in uses[name].most_common())
        print(f"  {name:28} {sum(uses[name].values()):>7,}  {kinds or 'NOT USED'}")
    for name in filter(None, args.show.split(",")):
        for sql, plan in examples.get(name, []):
            print(f"\n{name}: {' '.join(sql.split())[:300]}\n    " + "\n    ".join(plan))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
