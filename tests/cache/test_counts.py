"""The job counters (``job_counts``) the store keeps per page: after every kind of write, each count the store
answers from them equals ``SELECT count(*)`` over the jobs table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.stores import both_stores
from support.sync_world import make_client

from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.schema import LATEST
from jpm_tui.cache.store import CacheStore, JobQuery, writer
from jpm_tui.cache.store.interface import Store
from jpm_tui.cache.sync import SyncEngine
from jpm_tui.provider import domain as d
from jpm_tui.provider.servicetitan import ServiceTitanProvider

T0 = datetime(2025, 5, 1, 12, tzinfo=UTC)


class Statements:
    """A store's own connection, taking SQL with ``?`` marks in either store (PostgreSQL's are ``%s``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def execute(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if isinstance(self.store, PgStore):
            sql = sql.replace("?", "%s")
        return [tuple(r) for r in self.store.conn.execute(sql, args)]


def job(i: int, **kw: Any) -> d.Job:
    base = dict(id=i, number=str(1000 + i), status=d.JobStatus.SCHEDULED, priority=d.Priority.NORMAL,
                job_type_id=1, business_unit_id=1, customer_id=1, location_id=1, summary=f"job {i}",
                created_on=T0, modified_on=T0, raw={"id": i})
    base.update(kw)
    return d.Job(**base)


def assert_counts_exact(store: Store) -> None:
    """Every counter-answered count of the store against the jobs table itself."""
    conn = Statements(store)

    def one(sql: str, *args: Any) -> int:
        return int(conn.execute(sql, args)[0][0])

    groups = conn.execute(
        "SELECT active, status, priority, coalesce(job_type_id, -1), coalesce(business_unit_id, -1), count(*) "
        "FROM jobs GROUP BY 1, 2, 3, 4, 5")
    counters = conn.execute(
        "SELECT active, status, priority, job_type_id, business_unit_id, n FROM job_counts WHERE n <> 0")
    assert sorted(counters) == sorted(groups)
    assert one("SELECT count(*) FROM job_counts WHERE n <= 0") == 0  # emptied groups are removed

    assert store.count_jobs(JobQuery()) == one("SELECT count(*) FROM jobs WHERE active = 1")
    assert store.count_jobs(JobQuery(include_inactive=True)) == one("SELECT count(*) FROM jobs")
    assert store.info()["active_jobs"] == one("SELECT count(*) FROM jobs WHERE active = 1")
    statuses = [r[0] for r in conn.execute("SELECT DISTINCT status FROM jobs")]
    priorities = [r[0] for r in conn.execute("SELECT DISTINCT priority FROM jobs")]
    types = [r[0] for r in conn.execute("SELECT DISTINCT job_type_id FROM jobs WHERE job_type_id IS NOT NULL")]
    units = [r[0] for r in conn.execute(
        "SELECT DISTINCT business_unit_id FROM jobs WHERE business_unit_id IS NOT NULL")]
    for inactive in (False, True):
        where = "" if inactive else " AND active = 1"
        for s in statuses:
            assert store.count_jobs(JobQuery(statuses=(s,), include_inactive=inactive)) == one(
                f"SELECT count(*) FROM jobs WHERE status = ?{where}", s), s
        for p in priorities:
            assert store.count_jobs(JobQuery(priorities=(p,), include_inactive=inactive)) == one(
                f"SELECT count(*) FROM jobs WHERE priority = ?{where}", p), p
        for t in types:
            assert store.count_jobs(JobQuery(job_type_ids=(t,), include_inactive=inactive)) == one(
                f"SELECT count(*) FROM jobs WHERE job_type_id = ?{where}", t), t
        for b in units:
            assert store.count_jobs(JobQuery(business_unit_ids=(b,), include_inactive=inactive)) == one(
                f"SELECT count(*) FROM jobs WHERE business_unit_id = ?{where}", b), b
        if statuses and priorities and types and units:
            q = JobQuery(statuses=tuple(statuses[:2]), priorities=tuple(priorities[:2]),
                         job_type_ids=tuple(types[:3]), business_unit_ids=tuple(units[:2]),
                         include_inactive=inactive)
            assert store.count_jobs(q) == one(
                "SELECT count(*) FROM jobs WHERE status IN (?, ?) AND priority IN (?, ?) AND job_type_id IN "
                f"(?, ?, ?) AND business_unit_id IN (?, ?){where}",
                *(statuses * 2)[:2], *(priorities * 2)[:2], *(types * 3)[:3], *(units * 2)[:2])
    assert store.job_statuses() == sorted(
        ((r[0], r[1]) for r in conn.execute("SELECT status, count(*) FROM jobs WHERE active = 1 GROUP BY status")),
        key=lambda r: (d.JobStatus(r[0]).rank, r[0]))


@both_stores
def test_counts_follow_inserts_updates_duplicates_and_deactivation(store: Store,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    store.upsert("jobs", [job(i, job_type_id=None if i % 7 == 0 else i % 3, business_unit_id=None if i % 5 == 0
                              else i % 2, priority=d.Priority.HIGH if i % 4 == 0 else d.Priority.NORMAL)
                          for i in range(1, 61)])
    assert_counts_exact(store)
    # one page that changes every counted column of some jobs, names one job twice (the last row wins),
    # leaves others as they are and adds new ones (also with a status the client does not know)
    store.upsert("jobs", [
        job(1, status=d.JobStatus.HOLD), job(2, priority=d.Priority.URGENT), job(3, job_type_id=9),
        job(4, business_unit_id=None), job(5, active=False), job(6, job_type_id=None, business_unit_id=4),
        job(7, status=d.JobStatus.COMPLETED), job(7, status=d.JobStatus.CANCELED, active=False),
        job(8), job(61, status=d.JobStatus("Invoiced")), job(61, status=d.JobStatus("Invoiced")),
    ])
    assert_counts_exact(store)
    assert store.count_jobs(JobQuery(statuses=("Canceled",), include_inactive=True)) == 1
    assert store.count_jobs(JobQuery(statuses=("Invoiced",))) == 1
    # many chunks in one call (CHUNK rows each), the same ids again in a later chunk
    monkeypatch.setattr(writer, "CHUNK", 16)
    store.upsert("jobs", [job(i, status=d.JobStatus.DISPATCHED) for i in range(30, 90)]
                 + [job(i, active=False) for i in range(40, 50)])
    assert_counts_exact(store)
    # a whole group emptied and the page rolled back: nothing of it stays in the counters
    store.upsert("jobs", [job(61, status=d.JobStatus.HOLD)])
    assert_counts_exact(store)
    with pytest.raises(RuntimeError), store.transaction():
        store.upsert("jobs", [job(i, status=d.JobStatus.COMPLETED) for i in range(1, 20)])
        raise RuntimeError("page failed")
    assert_counts_exact(store)
    # jobs not seen in a complete read are flagged inactive (the store never deletes jobs)
    still_active = [i for i in range(50, 90) if store.job(i).active]
    assert store.deactivate_missing("jobs", range(1, 50)) == len(still_active) > 0
    assert_counts_exact(store)
    assert store.count_jobs(JobQuery(text="job")) == store.count_jobs(JobQuery())  # search facets follow too


def test_v2_file_with_counter_triggers_upgrades_with_exact_counts(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    old = CacheStore(path, target_version=2)
    try:
        old.upsert("jobs", [job(i, status=d.JobStatus.HOLD if i % 2 else d.JobStatus.SCHEDULED) for i in range(1, 11)])
        old.upsert("jobs", [job(3, active=False)])  # kept by the v2 triggers, leaving a zero group behind
        names = {r[0] for r in old.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"jobs_count_ai", "jobs_count_ad", "jobs_count_au"} <= names
    finally:
        old.close()
    new = CacheStore(path)
    try:
        assert new.schema_version == LATEST
        names = {r[0] for r in new.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert not names & {"jobs_count_ai", "jobs_count_ad", "jobs_count_au"}
        assert_counts_exact(new)
        new.upsert("jobs", [job(3), job(4, status=d.JobStatus.HOLD), job(11)])
        assert_counts_exact(new)
    finally:
        new.close()


async def _sync(store: CacheStore, url: str) -> Any:
    async with make_client(url) as client:
        async with SyncEngine(store, ServiceTitanProvider(client)) as engine:
            summary = await engine.run()
    assert summary.ok, summary.error_line()
    return summary


@both_stores
async def test_counts_stay_exact_over_full_and_incremental_syncs(store, sandbox_server):
    state = sandbox_server.state
    await _sync(store, sandbox_server.base_url)
    assert store.count_jobs(JobQuery(include_inactive=True)) == len(state["jobs"])
    assert_counts_exact(store)

    # another dispatcher changes every counted column of some jobs between the runs
    state.advance(60)
    jobs = sorted(state["jobs"].values(), key=lambda j: j["id"])
    type_ids = sorted({j["jobTypeId"] for j in jobs if j.get("jobTypeId") is not None})
    unit_ids = sorted({j["businessUnitId"] for j in jobs if j.get("businessUnitId") is not None})
    changes = [
        ("jobStatus", "Hold"), ("jobStatus", "Canceled"), ("priority", "Urgent"), ("priority", "Low"),
        ("jobTypeId", type_ids[-1]), ("jobTypeId", type_ids[0]), ("businessUnitId", unit_ids[-1]),
        ("businessUnitId", unit_ids[0]), ("active", False), ("active", False),
    ]
    changed = []
    for record, (key, value) in zip(jobs[::3], changes, strict=False):
        if record.get(key) == value:
            continue
        record[key] = value
        state["jobs"].touch(record)
        changed.append(record["id"])
    assert len(changed) >= 8
    second = await _sync(store, sandbox_server.base_url)
    assert 0 < {r.feed: r.records for r in second.results}["jobs"] < len(jobs)  # incremental
    for jid in changed:
        cached, wire = store.job(jid), state["jobs"].get(jid)
        assert (cached.status.value, cached.priority.value, cached.job_type_id, cached.business_unit_id,
                cached.active) == (wire["jobStatus"], wire["priority"], wire.get("jobTypeId"),
                                   wire.get("businessUnitId"), wire.get("active", True))
    assert_counts_exact(store)
