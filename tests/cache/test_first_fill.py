"""A first fill of the jobs table (``CacheStore.begin_fill`` / ``finish_fill``): the jobs feed starting into an
empty table defers most job indexes and builds them at its end. Each commit stays whole (rows, token,
counters); a fill stopped at any point resumes the same way and always ends with every index and the search
index there; later syncs keep the indexes as they go."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from support.sync_world import (
    assert_same,
    cache_snapshot,
    integrity,
    job_indexes,
    make_client,
    schema_job_indexes,
    server_snapshot,
)

from jpm_tui.cache.store import _FILL_KEEP, CacheStore, JobQuery, first_fill
from jpm_tui.cache.sync import SyncEngine, SyncProgress, SyncSummary
from jpm_tui.provider.servicetitan import ServiceTitanProvider


@pytest.fixture
def server(sandbox_server):
    sandbox_server.state.export_page_size = 3  # many pages of jobs
    return sandbox_server


async def _sync(store: CacheStore, url: str, feeds: Any = None, *, on_progress: Any = None,
                **client_kw: Any) -> SyncSummary:
    async with make_client(url, **client_kw) as client:
        async with SyncEngine(store, ServiceTitanProvider(client), on_progress=on_progress) as engine:
            return await engine.run(feeds)


def _filling(path) -> bool:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM job_fill_deferred").fetchone()[0] > 0
    finally:
        conn.close()


def _automerge(path) -> int:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT v FROM jobs_fts_config WHERE k = 'automerge'").fetchone()
        return 4 if row is None else row[0]  # FTS5's default when never set
    finally:
        conn.close()


def _counts_exact(path) -> None:
    conn = sqlite3.connect(path)
    try:
        stored = {tuple(r[:5]): r[5] for r in conn.execute("SELECT * FROM job_counts WHERE n <> 0")}
        actual = {tuple(r[:5]): r[5] for r in conn.execute(
            "SELECT active, status, priority, coalesce(job_type_id, -1), coalesce(business_unit_id, -1), count(*) "
            "FROM jobs GROUP BY 1, 2, 3, 4, 5")}
        assert stored == actual
    finally:
        conn.close()


def _a_word_of_a_summary(path) -> tuple[str, int]:
    conn = sqlite3.connect(path)
    try:
        summary = conn.execute("SELECT summary FROM jobs WHERE summary <> '' AND active = 1 ORDER BY id").fetchone()[0]
        word = max(summary.split(), key=len).strip(".,;:!?").lower()
        n = conn.execute("SELECT count(*) FROM jobs WHERE active = 1 AND ' ' || lower(summary) || ' ' LIKE ?",
                         (f"% {word}%",)).fetchone()[0]
        return word, n
    finally:
        conn.close()


async def test_a_first_fill_defers_the_job_indexes_and_builds_them_at_the_end(store, server):
    seen: list[tuple[int, bool, set[str]]] = []
    merges: list[int] = []

    def during(event: SyncProgress) -> None:
        if event.feed != "jobs" or not event.pages or event.done:
            return
        conn = sqlite3.connect(store.path)
        try:
            seen.append((event.pages, _filling(store.path), job_indexes(conn)))
        finally:
            conn.close()
        merges.append(_automerge(store.path))
        _counts_exact(store.path)  # the counters are right at every commit
        # the board reads while the fill runs: an order whose index is not built yet plans around it
        for sort in ("number", "status", "next_appointment"):
            window = store.jobs_window(JobQuery(sort=sort), 0, 5)
            assert len(window) == min(5, store.count_jobs(JobQuery()))

    summary = await _sync(store, server.base_url, on_progress=during)
    assert summary.ok, summary.error_line()
    assert len(seen) > 2 and all(filling for _, filling, _ in seen)
    assert all(indexes == set(_FILL_KEEP) for _, _, indexes in seen)
    assert not _filling(store.path) and job_indexes(store.conn) == schema_job_indexes()
    # the search index merged its segments 16 at a time during the fill, and is back at FTS5's 4 after it
    assert set(merges) == {16} and _automerge(store.path) == 4
    assert_same(cache_snapshot(store.path), server_snapshot(server.base_url))
    integrity(store.path)
    word, n = _a_word_of_a_summary(store.path)
    assert n and store.count_jobs(JobQuery(text=word)) >= n
    assert store.jobs_window(JobQuery(text=word), 0, 1)


async def test_later_syncs_keep_the_indexes_as_they_go(store, server):
    assert (await _sync(store, server.base_url)).ok
    state = server.state
    job = next(j for j in state["jobs"].values() if j.get("active", True))
    job["summary"] = "Zyxwvut fence repair"
    state["jobs"].touch(job)
    assert (await _sync(store, server.base_url)).ok
    assert not _filling(store.path)
    assert store.count_jobs(JobQuery(text="zyxwvut")) == 1
    assert [r.id for r in store.jobs_window(JobQuery(text="zyxwv", sort="summary"), 0, 5)] == [job["id"]]
    integrity(store.path)


async def test_a_stopped_fill_resumes_as_a_fill_and_ends_complete(store, server):
    engine_box: list[SyncEngine] = []

    def stop_after_a_few_pages(event: SyncProgress) -> None:
        if event.feed == "jobs" and event.pages >= 2:
            engine_box[0].cancel()

    async with make_client(server.base_url) as client:
        async with SyncEngine(store, ServiceTitanProvider(client), on_progress=stop_after_a_few_pages) as engine:
            engine_box.append(engine)
            first = await engine.run()
    assert first.cancelled
    assert _filling(store.path) and store.token("jobs")  # pages committed, the fill kept for the next run
    _counts_exact(store.path)

    resumed: list[bool] = []
    summary = await _sync(store, server.base_url, on_progress=lambda e: e.feed == "jobs" and e.pages and not e.done
                          and resumed.append(_filling(store.path)))
    assert summary.ok, summary.error_line()
    assert resumed and all(resumed)  # the resumed run went on without the deferred indexes
    assert_same(cache_snapshot(store.path), server_snapshot(server.base_url))
    integrity(store.path)


class Killed(BaseException):
    """Like a kill: no error the engine records, the transaction rolled back."""


async def test_an_interrupted_index_build_is_redone_by_the_next_sync(store, server, monkeypatch):
    """The build runs in one transaction: dying inside it (here an error after the first index) leaves the fill
    in progress, with nothing built, and the next run's end of the jobs feed builds it all."""
    real = CacheStore.finish_fill

    def dies_midway(self: CacheStore, table: str) -> None:
        if table != "jobs":  # other feeds end in any order (they run side by side) and have nothing to build
            return
        with self.transaction() as conn:  # as finish_fill builds them
            name, sql = conn.execute("SELECT name, sql FROM job_fill_deferred ORDER BY name").fetchone()
            conn.execute(sql)
            raise Killed

    monkeypatch.setattr(CacheStore, "finish_fill", dies_midway)
    with pytest.raises(Killed):
        await _sync(store, server.base_url)
    assert _filling(store.path) and job_indexes(store.conn) == set(_FILL_KEEP)

    monkeypatch.setattr(CacheStore, "finish_fill", real)
    assert (await _sync(store, server.base_url)).ok
    assert_same(cache_snapshot(store.path), server_snapshot(server.base_url))
    integrity(store.path)


@pytest.mark.parametrize("readable", [1, 10**9], ids=["large", "small"])
async def test_a_failing_jobs_feed_ends_a_large_fill_and_keeps_a_small_one(store, server, monkeypatch, readable):
    """A large fill left behind is finished by the next sync that runs the jobs feed, even one that cannot reach
    the server (an offline board would otherwise sort that many jobs on every read until it could). A small one
    stays a fill, which the next run that reaches the server resumes and ends."""
    monkeypatch.setattr(first_fill, "FILL_READABLE_JOBS", readable)
    engine_box: list[SyncEngine] = []
    async with make_client(server.base_url) as client:
        async with SyncEngine(store, ServiceTitanProvider(client),
                              on_progress=lambda e: e.feed == "jobs" and e.pages >= 2 and engine_box[0].cancel()) as engine:
            engine_box.append(engine)
            await engine.run()
    assert _filling(store.path)

    offline = await _sync(store, "http://127.0.0.1:9", ["jobs"], max_retries=0)
    assert not offline.ok
    if readable == 1:
        assert not _filling(store.path) and job_indexes(store.conn) == schema_job_indexes()
    else:
        assert _filling(store.path) and job_indexes(store.conn) == set(_FILL_KEEP)
        assert len(store.jobs_window(JobQuery(sort="customer"), 0, 5)) == 5  # read without the deferred indexes
        assert (await _sync(store, server.base_url)).ok
        assert not _filling(store.path) and job_indexes(store.conn) == schema_job_indexes()
        assert_same(cache_snapshot(store.path), server_snapshot(server.base_url))
    _counts_exact(store.path)


def test_a_v6_file_upgrades_keeping_its_jobs_and_fills_only_an_empty_table(tmp_path) -> None:
    from jpm_tui.provider import domain as d

    path = tmp_path / "v6.sqlite3"
    old = CacheStore(path, target_version=6)
    try:
        old.upsert("jobs", [d.Job(1, "101", d.JobStatus.SCHEDULED, d.Priority.NORMAL, None, None, None, None,
                                 summary="Leak", raw={"id": 1})])
        old.save_token("jobs", "tok-v6", rows=1)
    finally:
        old.close()
    new = CacheStore(path)
    try:
        assert new.job(1).summary == "Leak" and new.token("jobs") == "tok-v6"
        assert new.begin_fill("jobs") is False  # jobs already there: written with every index kept
        assert not _filling(path) and job_indexes(new.conn) == schema_job_indexes()
    finally:
        new.close()


@pytest.mark.parametrize("plan", ["check", None], ids=["scratch index (check plan)", "kept matches"])
def test_the_index_build_sorts_with_temp_store_file_and_gives_the_connection_back_as_it_was(
        store, monkeypatch, plan) -> None:
    """Outside a transaction the build runs with temp_store=FILE (SQLite's faster sorter); the setting drops the
    connection's temporary tables (the check plan's scratch index, the kept text matches), which a text search
    made on the same connection afterwards makes again."""
    from jpm_tui.provider import domain as d

    if plan is not None:
        monkeypatch.setattr(store.planner, "plan", lambda q, offset, limit: plan)
    store.begin_fill("jobs")
    store.upsert("jobs", [d.Job(i, str(100 + i), d.JobStatus.SCHEDULED, d.Priority.NORMAL, None, None, None, None,
                                summary=f"harbor leak {i}" if i % 2 else "roof") for i in range(1, 41)])
    query = JobQuery(text="harbor", statuses=("Scheduled", "Hold"))
    assert store.count_jobs(query) == 20 and len(store.jobs_window(query, 0, 50)) == 20
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    store.finish_fill("jobs")
    store.conn.set_trace_callback(None)
    built = [i for i, sql in enumerate(statements) if sql.startswith("CREATE INDEX")]
    assert built and statements.index("PRAGMA temp_store=FILE") < built[0]
    # sorted in runs by helper threads: a small page cache while it builds, the store's own after
    for during in ("PRAGMA threads=4", f"PRAGMA cache_size=-{first_fill.BUILD_CACHE_KIB}"):
        assert statements.index(during) < built[0]
    for after in ("PRAGMA temp_store=MEMORY", "PRAGMA threads=0", f"PRAGMA cache_size=-{store.db.CACHE_KIB}"):
        assert statements.index(after) > built[-1]
    assert not _filling(store.path) and job_indexes(store.conn) == schema_job_indexes()
    assert store.conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY, as the store opens connections
    assert store.conn.execute("PRAGMA threads").fetchone()[0] == 0
    assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == -store.db.CACHE_KIB
    store.upsert("jobs", [d.Job(99, "199", d.JobStatus.HOLD, d.Priority.NORMAL, None, None, None, None,
                                summary="harbor gate")])
    assert store.count_jobs(query) == 21 and len(store.jobs_window(query, 0, 50)) == 21
    integrity(store.path)


@pytest.mark.parametrize("plan", ["sort", "check"])
def test_a_window_walking_an_order_whose_index_a_fill_deferred_reads_without_it(store, monkeypatch, plan) -> None:
    """A window that walks the sort order during a first fill names no index the fill dropped, whoever chose the
    plan (``Planner.plan`` itself avoids walking a missing index; here the walk is forced)."""
    from jpm_tui.provider import domain as d

    store.begin_fill("jobs")
    store.upsert("jobs", [d.Job(i, str(100 + i), d.JobStatus.SCHEDULED, d.Priority.NORMAL, None, None, None, None,
                                summary=f"harbor leak {i:02}") for i in range(1, 41)])
    assert "jobs_sort_summary" not in job_indexes(store.conn)
    monkeypatch.setattr(store.planner, "plan", lambda q, offset, limit: plan)
    query = JobQuery(text="harbor" if plan == "check" else "", sort="summary", descending=True)
    assert [r.id for r in store.jobs_window(query, 0, 5)] == [40, 39, 38, 37, 36]
