"""CacheStore: file, schema, migrations, upserts, transactions, sync state, derived columns."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.stores import both_stores, open_store

from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.pg.derived import REFRESH_DERIVED as PG_REFRESH_DERIVED
from jpm_tui.cache.pg.schema import LATEST as PG_LATEST
from jpm_tui.cache.schema import LATEST
from jpm_tui.cache.store import TABLES, CacheError, CacheStore, JobQuery
from jpm_tui.provider import domain as d

T0 = datetime(2025, 5, 1, 12, tzinfo=UTC)


def job(i: int, **kw) -> d.Job:
    base = dict(id=i, number=str(1000 + i), status=d.JobStatus.SCHEDULED, priority=d.Priority.NORMAL,
                job_type_id=1, business_unit_id=1, customer_id=1, location_id=1, summary=f"job {i}",
                created_on=T0, modified_on=T0, raw={"id": i, "jobNumber": str(1000 + i), "extra": [1, 2]})
    base.update(kw)
    return d.Job(**base)


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path):
    """An empty store: the SQLite file, or each store for a test marked ``@both_stores``."""
    with open_store(request, tmp_path / "cache") as s:
        yield s


def test_path_for_is_per_environment_and_tenant(tmp_path: Path) -> None:
    a = CacheStore.path_for("production", 1234, base=tmp_path)
    b = CacheStore.path_for("integration", 1234, base=tmp_path)
    c = CacheStore.path_for("production", 99, base=tmp_path)
    assert len({a, b, c}) == 3 and a.parent == tmp_path / "cache"
    assert "/" not in CacheStore.path_for("../../etc", 1, base=tmp_path).name.replace(".sqlite3", "")
    default = CacheStore.path_for("production", 1)
    assert "jpm-tui" in str(default)


def test_file_is_private_wal_and_versioned(store: CacheStore) -> None:
    mode = stat.S_IMODE(os.stat(store.path).st_mode)
    assert mode == 0o600
    store.upsert("jobs", [job(1)])
    for suffix in ("-wal", "-shm"):
        p = Path(str(store.path) + suffix)
        if p.exists():
            assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, suffix
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal" == store.info()["journal_mode"]
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert store.schema_version == LATEST


def test_a_new_file_has_16_kib_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    """Both checkpoint every 64 MiB of WAL, whatever their page size."""
    old_path = tmp_path / "old.sqlite3"
    made = sqlite3.connect(old_path)
    made.execute("CREATE TABLE before_16k (x)")  # the file's first page is written at SQLite's default size
    made.close()
    for path, page_size in ((tmp_path / "new.sqlite3", 16384), (old_path, 4096)):
        store = CacheStore(path)
        try:
            store.upsert("jobs", [job(1)])
            with ThreadPoolExecutor(1) as pool:  # a second connection (the board's reader) sets the same
                reader = pool.submit(lambda s=store: s.conn).result()
            for conn in (store.conn, reader):
                assert conn.execute("PRAGMA page_size").fetchone()[0] == page_size
                assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] * page_size == 64 * 2**20
            assert store.job(1) is not None
        finally:
            store.close()


@contextmanager
def upgraded(path: Path, version: int, jobs: list[d.Job], *, before: Any = None) -> Iterator[CacheStore]:
    """A cache made at schema ``version`` holding ``jobs`` (``before(store)`` looks at it then), opened again by
    this version: the migrations run."""
    old = CacheStore(path, target_version=version)
    try:
        if before is not None:
            before(old)
        old.upsert("jobs", jobs)
    finally:
        old.close()
    new = CacheStore(path)
    try:
        yield new
    finally:
        new.close()


def _hashsize(store: CacheStore) -> int | None:
    row = store.conn.execute("SELECT v FROM jobs_fts_config WHERE k = 'hashsize'").fetchone()
    return None if row is None else row[0]


def test_a_v8_file_upgrades_to_a_search_index_flushing_every_64_mib(tmp_path: Path) -> None:
    def unset(old: CacheStore) -> None:
        assert _hashsize(old) is None

    with upgraded(tmp_path / "v8.sqlite3", 8, [job(1, summary="harbor leak")], before=unset) as new:
        assert _hashsize(new) == 64 * 2**20
        new.upsert("jobs", [job(2, summary="harbor gate")])
        assert [r.id for r in new.jobs_window(JobQuery(text="harbor"), 0, 10)] == [1, 2]


def test_a_v9_file_upgrades_to_a_next_appointment_index_holding_the_counter_columns(tmp_path: Path) -> None:
    with upgraded(tmp_path / "v9.sqlite3", 9, [job(1), job(2, status=d.JobStatus.HOLD)]) as new:
        columns = [r[2] for r in new.conn.execute("PRAGMA index_info(jobs_next_appt)")]
        assert columns == ["next_appointment_id", "active", "status", "priority", "job_type_id", "business_unit_id"]
        partial = {r["name"]: r["partial"] for r in new.conn.execute("PRAGMA index_list(jobs)")}
        assert partial["jobs_next_appt"] == 1  # jobs with no next appointment are not in it
        assert [r.id for r in new.jobs_window(JobQuery(), 0, 10)] == [1, 2]


def test_a_v10_file_rebuilds_its_search_index_with_five_letter_prefixes(tmp_path: Path) -> None:
    jobs = [job(1, summary="Riverside boiler"), job(2, summary="river pump"), job(3, summary="rivet")]
    with upgraded(tmp_path / "v10.sqlite3", 10, jobs) as new:
        sql = new.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'jobs_fts'").fetchone()[0]
        assert "prefix='1 2 3 4 5'" in sql and "columnsize=0" in sql
        assert new.conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'jobs_fts_docsize'").fetchone()[0] == 0
        assert _hashsize(new) == 64 * 2**20
        assert [r.id for r in new.jobs_window(JobQuery(text="river"), 0, 10)] == [1, 2]
        new.upsert("jobs", [job(3, summary="river gate")])  # the triggers still feed the new index
        assert new.count_jobs(JobQuery(text="river")) == 3
        new.conn.execute("INSERT INTO jobs_fts(jobs_fts, rank) VALUES ('integrity-check', 1)")


def test_a_v14_file_drops_the_next_appointment_start_of_jobs_whose_appointments_are_all_finished(
        tmp_path: Path) -> None:
    old = CacheStore(tmp_path / "v14.sqlite3", target_version=14)
    try:
        old.upsert("jobs", [job(1, status=d.JobStatus.CANCELED), job(2)])
        old.upsert("appointments", [d.Appointment(10, 1, start=T0, status=d.AppointmentStatus.verbatim("Canceled")),
                                    d.Appointment(20, 2, start=T0, status=d.AppointmentStatus.SCHEDULED)])
        key = old.conn.execute("SELECT next_appt_key FROM jobs WHERE id = 2").fetchone()[0]
        old.conn.execute("UPDATE jobs SET next_appt_key = ? WHERE id = 1", (key,))  # as v14 wrote it: the last start
    finally:
        old.close()
    with CacheStore(tmp_path / "v14.sqlite3") as new:
        assert new.job_list_row(1).next_appointment is None and new.job_list_row(2).next_appointment == T0


def test_existing_file_keeps_its_mode_tightened(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    CacheStore(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_v1_file_migrates_to_latest_keeping_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = CacheStore(path, target_version=1)
    assert old.schema_version == 1
    # v1 had no search index / counters: write rows the way a v1 build would have
    old.conn.execute("BEGIN")
    old.conn.execute(
        "INSERT INTO jobs (id, number, number_key, status, status_rank, priority, priority_rank, customer_id, "
        "summary, active, customer_name) VALUES (1, '77', '77', 'Hold', 3, 'High', 2, 5, 'Leaky faucet', 1, "
        "'Zed Corp')")
    old.conn.execute("INSERT INTO job_raw VALUES (1, '{\"id\": 1, \"keep\": true}')")
    old.conn.execute("INSERT INTO sync_state (feed, token, rows_total) VALUES ('jobs', 'tok-v1', 1)")
    old.conn.execute("COMMIT")
    old.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1

    new = CacheStore(path)
    try:
        assert new.schema_version == LATEST
        assert new.token("jobs") == "tok-v1"
        assert new.job(1).raw == {"id": 1, "keep": True}
        assert new.count_jobs(JobQuery(statuses=("Hold",))) == 1  # counters backfilled
        assert [r.id for r in new.jobs_window(JobQuery(text="leaky"), 0, 10)] == [1]  # search backfilled
        assert [r.id for r in new.jobs_window(JobQuery(text="zed"), 0, 10)] == [1]
    finally:
        new.close()


def test_a_v4_file_upgrades_to_the_booked_log_schema_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "v4.sqlite3"
    old = CacheStore(path, target_version=4)
    try:
        assert old.schema_version == 4
        tables = {r[0] for r in old.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "job_booked_logs" not in tables and "job_booked_log_reads" not in tables
        # a v4 build's rows, written as it would have (its TABLES had no job_booked_logs)
        for table in ("jobs", "job_canceled_logs", "job_history"):
            sample = {"jobs": job(1), "job_canceled_logs": d.CanceledLogEntry(5, 1, 2, "no show", T0, raw={"k": 1}),
                      "job_history": d.HistoryEntry(6, 1, "Job Booked", T0, 3, raw={"k": 2})}[table]
            old.upsert(table, [sample])
        old.save_token("jobs", "tok-v4", rows=1)
        with old.transaction() as conn:
            conn.execute("INSERT INTO outbox (created_at, updated_at, kind, payload, state, target_kind, target_id, "
                         "attempts) VALUES ('2025-05-01T00:00:00.000000+00:00', '2025-05-01T00:00:00.000000+00:00', "
                         "'add_job_note', '{\"kind\":\"add_job_note\",\"job_id\":1,\"text\":\"hi\"}', "
                         "'pending', 'job', 1, 0)")
    finally:
        old.close()

    new = CacheStore(path)
    try:
        assert new.schema_version == LATEST
        assert new.job(1) == job(1) and new.token("jobs") == "tok-v4"
        assert [e.memo for e in new.canceled_log_for_job(1)] == ["no show"]
        assert [e.event for e in new.history_for_job(1)] == ["Job Booked"]
        assert new.conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0] == 1
        assert new.booked_log_for_job(1) is None and new.booked_log_read_on(1) is None  # not cached yet
        entry = d.BookedLogEntry(9, 1, 11, T0, T0, T0 + timedelta(hours=4), T0, 3, raw={"id": 9})
        new.save_booked_log(1, entry, at=T0)
        assert new.booked_log_for_job(1) == entry and new.booked_log_read_on(1) == T0
    finally:
        new.close()


def test_a_v5_file_upgrades_to_the_arrival_window_schema_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "v5.sqlite3"
    old = CacheStore(path, target_version=5)
    try:
        assert old.schema_version == 5
        tables = {r[0] for r in old.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "arrival_windows" not in tables and "business_hours" not in tables
        old.upsert("jobs", [job(1)])
        old.upsert("zones", [d.Zone(4, "North", raw={"z": 1})])
        old.save_booked_log(1, d.BookedLogEntry(9, 1, 11, T0, T0, T0 + timedelta(hours=4), T0, 3, raw={"id": 9}),
                            at=T0)
        old.save_token("jobs", "tok-v5", rows=1)
    finally:
        old.close()

    new = CacheStore(path)
    try:
        assert new.schema_version == LATEST
        assert new.job(1) == job(1) and new.token("jobs") == "tok-v5"
        assert new.zones() == [d.Zone(4, "North")] and new.booked_log_for_job(1).id == 9
        assert new.arrival_windows() == [] and new.business_hours() is None
        window = d.ArrivalWindow(2, 480, 240, raw={"start": "08:00:00"})
        new.upsert("arrival_windows", [window])
        new.upsert("business_hours", [d.BusinessHours(weekdays=((7, 18),))])
        assert new.arrival_windows() == [window] and new.business_hours().span(0) == (7, 18)
    finally:
        new.close()


@both_stores
def test_arrival_windows_read_in_time_order_and_missing_ones_go_inactive(store: CacheStore) -> None:
    rows = [d.ArrivalWindow(1, 720, 240), d.ArrivalWindow(2, 480, 240), d.ArrivalWindow(3, 480, 120)]
    store.upsert("arrival_windows", rows)
    assert [w.id for w in store.arrival_windows()] == [3, 2, 1]
    store.deactivate_missing("arrival_windows", {1, 3})
    assert [w.id for w in store.arrival_windows()] == [3, 1]
    assert [w.id for w in store.arrival_windows(include_inactive=True)] == [3, 2, 1]


@both_stores
def test_save_booked_log_replaces_and_remembers_a_job_without_one(store: CacheStore) -> None:
    first = d.BookedLogEntry(1, 7, 11, T0, created_on=T0, created_by_id=3, raw={"id": 1})
    later = d.BookedLogEntry(2, 7, 12, T0 + timedelta(days=1), created_on=T0 + timedelta(hours=1), created_by_id=4,
                             raw={"id": 2})
    store.save_booked_log(7, first, at=T0)
    assert store.booked_log_for_job(7) == first and store.booked_log_for_job(7).raw == {"id": 1}
    store.save_booked_log(7, later, at=T0 + timedelta(minutes=5))
    assert store.booked_log_for_job(7) == later
    rows = store.conn.execute("SELECT id, active FROM job_booked_logs ORDER BY id")
    assert [tuple(r) for r in rows] == [(1, 0), (2, 1)]
    store.save_booked_log(7, None, at=T0 + timedelta(minutes=9))  # the server has none now (404)
    assert store.booked_log_for_job(7) is None
    assert store.booked_log_read_on(7) == T0 + timedelta(minutes=9)  # read: "none", not "not cached"
    assert store.booked_log_read_on(8) is None
    with pytest.raises(CacheError):
        store.save_booked_log(8, first)


@both_stores
def test_appointments_and_assignments_a_page_says_are_gone_go_inactive_and_leave_the_job_list(store: CacheStore) -> None:
    store.upsert("jobs", [job(1), job(2)])
    store.upsert("appointments", [
        d.Appointment(10, 1, start=T0 + timedelta(days=1), status=d.AppointmentStatus.SCHEDULED),
        d.Appointment(11, 1, start=T0 + timedelta(days=2), status=d.AppointmentStatus.SCHEDULED),
        d.Appointment(20, 2, start=T0, status=d.AppointmentStatus.SCHEDULED),
    ])
    store.upsert("appointment_assignments", [d.Assignment(1, 10, 1, 3, technician_name="Ann"),
                                             d.Assignment(2, 10, 1, 4, technician_name="Bob"),
                                             d.Assignment(3, 20, 2, 3, technician_name="Ann")])
    assert store.job_list_row(1).technicians == "Ann, Bob"
    assert store.deactivate("appointment_assignments", [2, 2, 99]) == 1  # twice, and one never stored
    assert store.job_list_row(1).technicians == "Ann"
    assert [a.id for a in store.assignments_for_appointment(10)] == [1]
    assert store.deactivate("appointments", [10]) == 1
    row = store.job_list_row(1)
    assert row.next_appointment == T0 + timedelta(days=2) and row.technicians == ""  # the next one moved on
    assert [a.id for a in store.appointments_for_job(1)] == [11]
    assert [a.id for a in store.appointments_for_job(1, include_inactive=True)] == [10, 11]  # kept, not deleted
    assert store.deactivate("appointments", [10]) == 0  # already gone
    assert store.job_list_row(2).next_appointment == T0 and store.job_list_row(2).technicians == "Ann"  # untouched
    with pytest.raises(ValueError, match="jobs"):
        store.deactivate("jobs", [1])


@both_stores
def test_a_customers_people_read_again_replace_the_ones_no_longer_listed(store: CacheStore) -> None:
    ann = d.Person("b-ann", 5, "ann", email="ann@example.com", raw={"id": "b-ann"})
    bob = d.Person("a-bob", 5, "Bob", phone="555", primary=True, raw={"id": "a-bob"})
    cid = d.Person("c-cid", 5, "Cid", raw={"id": "c-cid"})
    store.save_people(5, [ann, bob, cid])
    store.save_people(6, [d.Person("d-dee", 6, "Dee", raw={})])
    assert store.people_of(5) == [bob, ann, cid]  # the primary one first, then by name whatever its case
    store.save_people(5, [ann, replace(cid, name="Cid Renamed")])
    assert [(p.id, p.name) for p in store.people_of(5)] == [("b-ann", "ann"), ("c-cid", "Cid Renamed")]
    store.save_people(5, [])  # the server lists none now
    assert store.people_of(5) == [] and [p.id for p in store.people_of(6)] == ["d-dee"]
    rows = store.conn.execute("SELECT id, active FROM people ORDER BY id")
    assert [tuple(r) for r in rows] == [("a-bob", 0), ("b-ann", 0), ("c-cid", 0), ("d-dee", 1)]
    with pytest.raises(CacheError):
        store.save_people(6, [ann])
    assert [p.id for p in store.people_of(6)] == ["d-dee"]


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(CacheError, match="newer"):
        CacheStore(path)


def test_a_v6_file_rebuilds_its_search_index_with_one_letter_prefixes(tmp_path: Path) -> None:
    path = tmp_path / "v6.sqlite3"
    old = CacheStore(path, target_version=6)
    try:
        old.upsert("jobs", [job(1, summary="Harbor road leak"), job(2, summary="harbor gate"),
                            job(3, summary="Roof", active=False)])
    finally:
        old.close()

    new = CacheStore(path)
    try:
        assert new.schema_version == LATEST
        sql = new.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'jobs_fts'").fetchone()[0]
        assert "prefix='1 2 3 4" in sql  # one-letter prefixes since v7 (and five-letter ones since v11)
        assert new.count_jobs(JobQuery(text="harbor r")) == 1
        assert [r.id for r in new.jobs_window(JobQuery(text="r", include_inactive=True), 0, 10)] == [1, 3]
        new.upsert("jobs", [job(2, summary="harbor roof")])  # the triggers still feed the new index
        assert new.count_jobs(JobQuery(text="harbor r")) == 2
    finally:
        new.close()

@both_stores
def test_upsert_is_idempotent(store: CacheStore) -> None:
    page = [job(i) for i in range(1, 6)]
    store.upsert("jobs", page)
    store.upsert("jobs", page)
    assert store.counts()["jobs"] == 5
    assert store.count_jobs(JobQuery()) == 5
    assert store.count_jobs(JobQuery(text="job")) == 5  # each once in the search index
    assert store.conn.execute("SELECT sum(n) FROM job_counts").fetchone()[0] == 5
    store.upsert("jobs", [job(1, summary="changed", status=d.JobStatus.HOLD)])
    assert store.job(1).summary == "changed" and store.job(1).status is d.JobStatus.HOLD
    assert store.count_jobs(JobQuery(statuses=("Hold",))) == 1
    assert store.count_jobs(JobQuery(statuses=("Scheduled",))) == 4


@both_stores
def test_a_page_naming_a_job_twice_keeps_its_last_row_and_odd_payloads_round_trip(store: CacheStore) -> None:
    odd = {"id": 2, "nan": float("nan"), "inf": float("-inf"), "text": "é \u2028 \"q\" \\", "big": 2**70, "f": 1e-05}
    store.upsert("jobs", [job(1, summary="first", raw={"id": 1, "v": 1}), job(2, raw=odd),
                          job(1, summary="second", status=d.JobStatus.HOLD, raw={"id": 1, "v": 2, "u": "日本"})])
    assert store.job(1).summary == "second" and store.job(1).status is d.JobStatus.HOLD
    assert store.job(1).raw == {"id": 1, "v": 2, "u": "日本"}
    back = store.job(2).raw
    assert back["nan"] != back["nan"] and back["inf"] == float("-inf")  # NaN/Infinity kept as Python writes them
    assert {k: v for k, v in back.items() if k not in ("nan", "inf")} == {k: v for k, v in odd.items()
                                                                          if k not in ("nan", "inf")}
    assert store.counts()["jobs"] == 2 and store.count_jobs(JobQuery(statuses=("Hold",))) == 1
    assert [r.id for r in store.jobs_window(JobQuery(text="second"), 0, 10)] == [1]
    prepared = store.prepare("jobs", [job(3)])
    with pytest.raises(CacheError, match="prepared for 'jobs'"):
        store.upsert("customers", prepared)
    assert store.upsert("jobs", prepared) == 1 and store.job(3) is not None


@both_stores
def test_a_job_with_its_wire_text_stores_that_text(store: CacheStore) -> None:
    text = '{ "id": 1,\n  "jobNumber": "1001", "u": "\\u65e5 日本", "n": 1.50 }'  # not as json.dumps would write it
    pages = [store.prepare("jobs", [job(1, raw=json.loads(text), received_json=text), job(2)]), store.prepare("jobs", [job(3)])]
    store.upsert("jobs", store.combine(pages))
    stored = dict(store.conn.execute("SELECT id, raw FROM job_raw").fetchall())
    assert stored[1] == text and json.loads(stored[2]) == job(2).raw  # a job without one: its raw encoded
    assert store.job(1).raw == json.loads(text) and store.job(1).raw_json is None


@both_stores
def test_a_job_copied_with_another_raw_does_not_keep_the_received_text(store: CacheStore) -> None:
    text = '{"id": 1, "jobNumber": "1001", "summary": "as received"}'
    received = job(1, raw=json.loads(text), received_json=text)
    edited = replace(received, raw={**received.raw, "summary": "edited"}, summary="edited")
    assert received.raw_json == text and edited.raw_json is None
    store.upsert("jobs", [edited])
    assert json.loads(store.conn.execute("SELECT raw FROM job_raw WHERE id = 1").fetchone()[0])["summary"] == "edited"


@both_stores
def test_combined_pages_store_as_one_and_a_job_in_two_pages_keeps_the_later_row(store: CacheStore) -> None:
    wide = {"id": 2, "text": "é 日本 \u2028 \U0001F600", "nan": float("nan")}  # payload bytes != characters
    pages = [store.prepare("jobs", [job(1, summary="one"), job(2, raw=wide)]), store.prepare("jobs", [job(3)]),
             store.prepare("jobs", [job(1, summary="one again", status=d.JobStatus.HOLD), job(4)]),
             store.prepare("jobs", [])]
    combined = store.combine(pages)
    assert combined.count == 5 and len(combined.chunks) == 2  # pages 1+2 joined; page 3 names job 1 again
    with store.transaction():
        assert store.upsert("jobs", combined) == 5
    assert store.job(1).summary == "one again" and store.counts()["jobs"] == 4
    assert store.job(2).raw["text"] == wide["text"] and store.job(3).raw == job(3).raw
    assert store.job(4).raw == job(4).raw and store.job(1).raw == job(1).raw
    assert store.count_jobs(JobQuery(statuses=("Hold",))) == 1 and store.count_jobs(JobQuery()) == 4
    assert [r.id for r in store.jobs_window(JobQuery(text="again"), 0, 10)] == [1]
    with pytest.raises(CacheError):
        store.combine([store.prepare("jobs", [job(5)]), store.prepare("customers", [d.Customer(1, "A")])])


@both_stores
def test_every_table_round_trips_rows(store: CacheStore) -> None:
    samples = {
        "appointments": d.Appointment(1, 1, "1-1", T0, T0 + timedelta(hours=1), status=d.AppointmentStatus("Odd"),
                                      raw={"x": 1}),
        "appointment_assignments": d.Assignment(1, 1, 1, 2, raw={"x": 1}),
        "projects": d.Project(1, "P1", job_ids=(1, 2), raw={"x": 1}),
        "job_types": d.JobType(1, "Repair", business_unit_ids=(3,), raw={"x": 1}),
        "cancel_reasons": d.Reason(1, "cancel", "No show", raw={"x": 1}),
        "hold_reasons": d.Reason(1, "hold", "Parts", raw={"x": 1}),
        "job_notes": d.Note(1, "job", 1, "n", raw={"x": 1}),
        "project_notes": d.Note(1, "project", 1, "n", raw={"x": 1}),
        "job_history": d.HistoryEntry(1, 1, "Booked", T0, raw={"x": 1}),
        "job_canceled_logs": d.CanceledLogEntry(1, 1, 2, "m", T0, raw={"x": 1}),
        "job_booked_logs": d.BookedLogEntry(1, 1, 2, T0, T0, T0 + timedelta(hours=4), T0, 3, raw={"x": 1}),
        "technicians": d.Technician(1, "Bo", zone_ids=(1, 2), raw={"x": 1}),
        "customers": d.Customer(1, "Acme", raw={"x": 1}),
        "locations": d.Location(1, 1, street="1 Main", lat=1.5, raw={"x": 1}),
        "contacts": d.Contact(1, "customer", 1, d.ContactType.PHONE, "555", raw={"x": 1}),
        "business_units": d.BusinessUnit(1, "HVAC", raw={"x": 1}),
        "employees": d.Employee(1, "Al", raw={"x": 1}),
        "tag_types": d.TagType(1, "VIP", raw={"x": 1}),
        "zones": d.Zone(1, "North", zips=("75001",), raw={"x": 1}),
        "teams": d.Team(1, "A", raw={"x": 1}),
        "arrival_windows": d.ArrivalWindow(1, 420, 120, business_unit_ids=(3,), raw={"x": 1}),
        "business_hours": d.BusinessHours(1, weekdays=((7, 18),), saturday=((8, 14),), raw={"x": 1}),
        "shifts": d.Shift(1, 1, "Normal", start=T0, end=T0 + timedelta(hours=8), raw={"x": 1}),
        "project_statuses": d.ProjectStatus(1, "Open", 2, raw={"x": 1}),
        "project_types": d.ProjectType(1, "Install", raw={"x": 1}),
        "custom_field_definitions": d.CustomFieldDefinition(1, "Colour", "list", ("Red", "Blue"), raw={"x": 1}),
        "people": d.Person("6f1c2a52-1d0e-4c52-9b7a-2f1e5d3c4b10", 1, "Ann", primary=True, raw={"x": 1}),
        "jobs": job(1),
    }
    assert set(samples) == set(TABLES)
    for table, row in samples.items():
        store.upsert(table, [row])
        store.upsert(table, [row])
    assert all(n == 1 for name, n in store.counts().items() if name != "outbox")
    assert store.appointments_for_job(1) == [samples["appointments"]]
    assert store.appointments_for_job(1)[0].raw == {"x": 1}
    assert store.appointments_for_job(1)[0].status.value == "Odd"
    assert store.project(1) == samples["projects"]
    assert store.technician(1) == samples["technicians"]
    assert store.location(1) == samples["locations"]
    assert store.contacts_for("customer", 1) == [samples["contacts"]]
    assert store.cancel_reasons() == [samples["cancel_reasons"]] and store.hold_reasons() == [samples["hold_reasons"]]
    assert store.job_types() == [samples["job_types"]] and store.zones() == [samples["zones"]]
    assert store.notes_for_job(1) == [samples["job_notes"]] and store.notes_for_project(1) == [samples["project_notes"]]
    assert store.history_for_job(1) == [samples["job_history"]]
    assert store.canceled_log_for_job(1) == [samples["job_canceled_logs"]]
    assert store.booked_log_for_job(1) == samples["job_booked_logs"]
    assert store.shifts_between(T0, T0 + timedelta(hours=1)) == [samples["shifts"]]
    assert store.project_statuses() == [samples["project_statuses"]]
    assert store.custom_field_definitions() == [samples["custom_field_definitions"]]
    assert store.people_of(1) == [samples["people"]]
    assert store.arrival_windows() == [samples["arrival_windows"]]
    assert store.business_hours() == samples["business_hours"] and store.business_hours().raw == {"x": 1}
    assert store.job(1) == samples["jobs"] and store.job(1).raw == samples["jobs"].raw


@both_stores
def test_wrong_row_type_and_unknown_table(store: CacheStore) -> None:
    with pytest.raises(CacheError):
        store.upsert("jobs", [d.Team(1, "x")])
    with pytest.raises(CacheError):
        store.upsert("nope", [job(1)])


@both_stores
def test_contacts_of_customers_and_locations_do_not_collide(store: CacheStore) -> None:
    store.upsert("contacts", [d.Contact(1, "customer", 1, d.ContactType.PHONE, "111"),
                              d.Contact(1, "location", 1, d.ContactType.EMAIL, "a@b.c")])
    assert store.counts()["contacts"] == 2


@both_stores
def test_inactive_rows_are_kept_and_flagged(store: CacheStore) -> None:
    store.upsert("jobs", [job(1), job(2)])
    store.upsert("jobs", [job(2, active=False)])
    assert store.counts()["jobs"] == 2
    assert store.job(2).active is False
    assert store.count_jobs(JobQuery()) == 1
    assert store.count_jobs(JobQuery(include_inactive=True)) == 2
    assert [r.id for r in store.jobs_window(JobQuery(include_inactive=True), 0, 10)] == [1, 2]
    store.upsert("cancel_reasons", [d.Reason(1, "cancel", "a"), d.Reason(2, "cancel", "b")])
    assert store.deactivate_missing("cancel_reasons", [1]) == 1
    assert [r.id for r in store.cancel_reasons()] == [1]
    assert [r.id for r in store.cancel_reasons(include_inactive=True)] == [1, 2]


@both_stores
def test_page_and_token_commit_together(store: CacheStore) -> None:
    with store.transaction():
        store.upsert("jobs", [job(1), job(2)])
        store.save_token("jobs", "tok-1", rows=2)
    assert store.token("jobs") == "tok-1"

    with pytest.raises(RuntimeError):
        with store.transaction():
            store.upsert("jobs", [job(3), job(1, summary="should not stick")])
            store.save_token("jobs", "tok-2", rows=2)
            raise RuntimeError("network died mid-page")
    assert store.token("jobs") == "tok-1"
    assert store.counts()["jobs"] == 2
    assert store.job(1).summary == "job 1"
    assert store.count_jobs(JobQuery()) == 2
    assert store.jobs_window(JobQuery(text="stick"), 0, 10) == []
    state = store.sync_states()[0]
    assert (state.feed, state.rows_total, state.pages_total) == ("jobs", 2, 1)
    assert state.last_success is not None


@both_stores
def test_sync_errors_and_reset(store: CacheStore) -> None:
    store.save_token("jobs", "t")
    store.record_error("jobs", "boom")
    assert store.sync_states()[0].last_error == "boom" and store.token("jobs") == "t"
    store.clear_error("jobs")
    store.reset_feed("jobs")
    assert store.token("jobs") is None and store.sync_states()[0].last_error is None


@both_stores
def test_denormalised_columns_follow_related_upserts(store: CacheStore) -> None:
    store.upsert("jobs", [job(1, job_type_id=7, business_unit_id=8, customer_id=5, location_id=6)])
    row = store.job_list_row(1)
    assert (row.customer, row.location, row.job_type, row.next_appointment, row.technicians) == ("", "", "", None, "")
    store.upsert("customers", [d.Customer(5, "Acme")])
    store.upsert("locations", [d.Location(6, 5, street="1 Main St", city="Dallas")])
    store.upsert("job_types", [d.JobType(7, "Repair")])
    store.upsert("business_units", [d.BusinessUnit(8, "HVAC")])
    store.upsert("appointments", [
        d.Appointment(10, 1, start=T0 + timedelta(days=2), status=d.AppointmentStatus.SCHEDULED),
        d.Appointment(11, 1, start=T0 + timedelta(days=1), status=d.AppointmentStatus.SCHEDULED),
        d.Appointment(12, 1, start=T0, status=d.AppointmentStatus.DONE),
    ])
    store.upsert("appointment_assignments", [d.Assignment(1, 11, 1, 3, technician_name="Old Name"),
                                             d.Assignment(2, 11, 1, 4, technician_name="Ann")])
    row = store.job_list_row(1)
    assert (row.customer, row.location, row.job_type, row.business_unit) == ("Acme", "1 Main St, Dallas", "Repair", "HVAC")
    assert row.next_appointment == T0 + timedelta(days=1)
    assert row.technicians == "Ann, Old Name"
    store.upsert("technicians", [d.Technician(3, "Bob")])
    assert store.job_list_row(1).technicians == "Ann, Bob"
    store.upsert("customers", [d.Customer(5, "Acme Renamed")])
    store.upsert("job_types", [d.JobType(7, "Repair 2")])
    row = store.job_list_row(1)
    assert (row.customer, row.job_type) == ("Acme Renamed", "Repair 2")
    # unassign Ann, cancel the next appointment: the one after becomes next
    store.upsert("appointment_assignments", [d.Assignment(2, 11, 1, 4, active=False)])
    assert store.job_list_row(1).technicians == "Bob"
    store.upsert("appointments", [d.Appointment(11, 1, start=T0 + timedelta(days=1),
                                                status=d.AppointmentStatus.CANCELED)])
    row = store.job_list_row(1)
    assert row.next_appointment == T0 + timedelta(days=2) and row.technicians == ""
    # no open appointment left: none is next (the latest, done or canceled, still names its technicians)
    store.upsert("appointments", [d.Appointment(10, 1, start=T0 + timedelta(days=2), active=False)])
    row = store.job_list_row(1)
    assert row.next_appointment is None and row.technicians == "Bob"
    # an appointment moved to another job refreshes both jobs
    store.upsert("jobs", [job(2)])
    store.upsert("appointments", [d.Appointment(11, 2, start=T0, status=d.AppointmentStatus.SCHEDULED),
                                  d.Appointment(12, 2, start=T0, status=d.AppointmentStatus.SCHEDULED)])
    assert store.job_list_row(1).next_appointment is None
    assert store.job_list_row(2).next_appointment == T0


@both_stores
def test_denormalised_columns_are_filled_when_related_rows_came_first(store: CacheStore) -> None:
    """Jobs written after their customers, locations, types, units, appointments and technicians get the same
    denormalised values as the refresh statements compute (the other order is tested above)."""
    from jpm_tui.cache.store import _REFRESH_APPT_DERIVED, _REFRESH_JOB_NAMES, _REFRESH_NEXT_APPT

    store.upsert("customers", [d.Customer(5, "Acme"), d.Customer(6, "Zed")])
    store.upsert("locations", [d.Location(6, 5, street="1 Main St", city="Dallas"), d.Location(7, 6, city="Austin")])
    store.upsert("job_types", [d.JobType(7, "Repair")])
    store.upsert("business_units", [d.BusinessUnit(8, "HVAC")])
    store.upsert("technicians", [d.Technician(3, "Bob"), d.Technician(4, "")])
    store.upsert("appointments", [
        d.Appointment(10, 1, start=T0 + timedelta(days=2), status=d.AppointmentStatus.SCHEDULED),
        d.Appointment(11, 1, start=T0 + timedelta(days=1), status=d.AppointmentStatus.SCHEDULED),
        d.Appointment(12, 1, start=T0, status=d.AppointmentStatus.DONE),
        d.Appointment(13, 2, start=T0, status=d.AppointmentStatus.CANCELED),
        d.Appointment(14, 3, start=None, status=d.AppointmentStatus.SCHEDULED),
    ])
    store.upsert("appointment_assignments", [d.Assignment(1, 11, 1, 3, technician_name="Old Name"),
                                             d.Assignment(2, 11, 1, 4, technician_name="Ann"),
                                             d.Assignment(3, 13, 2, 3, active=False)])
    store.upsert("jobs", [job(1, job_type_id=7, business_unit_id=8, customer_id=5, location_id=6),
                          job(2, job_type_id=99, business_unit_id=None, customer_id=6, location_id=7),
                          job(3, customer_id=None, location_id=None), job(4)])
    row = store.job_list_row(1)
    assert (row.customer, row.location, row.job_type, row.business_unit) == (
        "Acme", "1 Main St, Dallas", "Repair", "HVAC")
    assert row.next_appointment == T0 + timedelta(days=1) and row.technicians == "Ann, Bob"
    row = store.job_list_row(2)
    assert (row.customer, row.location, row.job_type, row.next_appointment, row.technicians) == (
        "Zed", "Austin", "", None, "")  # its only appointment is canceled: none is next
    # an update that moves the job to another customer and location takes their names
    store.upsert("jobs", [job(1, job_type_id=7, business_unit_id=8, customer_id=6, location_id=7)])
    assert (store.job_list_row(1).customer, store.job_list_row(1).location) == ("Zed", "Austin")
    store.upsert("jobs", [job(1, job_type_id=7, business_unit_id=8, customer_id=5, location_id=6)])

    columns = "id, customer_name, location_text, job_type_name, business_unit_name, next_appointment_id, " \
              "next_appt_key, technician_names"
    written = store.conn.execute(f"SELECT {columns} FROM jobs ORDER BY id").fetchall()
    refreshes = ([(PG_REFRESH_DERIVED, [1, 2, 3, 4])] if isinstance(store, PgStore) else
                 [(sql, "[1, 2, 3, 4]") for sql in (_REFRESH_JOB_NAMES, _REFRESH_NEXT_APPT, _REFRESH_APPT_DERIVED)])
    with store.transaction() as conn:
        for sql, ids in refreshes:
            conn.execute(sql, (ids,))
    assert [tuple(r) for r in store.conn.execute(f"SELECT {columns} FROM jobs ORDER BY id")] == [
        tuple(r) for r in written]


@both_stores
def test_reads_for_the_detail_screen(store: CacheStore) -> None:
    store.upsert("jobs", [job(1)])
    store.upsert("job_notes", [
        d.Note(1, "job", 1, "old", created_on=T0),
        d.Note(2, "job", 1, "new", created_on=T0 + timedelta(hours=1)),
        d.Note(3, "job", 1, "pinned", pinned=True, created_on=T0 - timedelta(days=1)),
        d.Note(4, "job", 1, "gone", active=False, created_on=T0 + timedelta(hours=2)),
    ])
    assert [n.text for n in store.notes_for_job(1)] == ["pinned", "new", "old"]
    store.upsert("job_history", [d.HistoryEntry(2, 1, "Dispatched", T0 + timedelta(hours=1)),
                                 d.HistoryEntry(1, 1, "Booked", T0)])
    assert [h.event for h in store.history_for_job(1)] == ["Booked", "Dispatched"]
    assert store.job(999) is None


@both_stores
def test_appointments_between_for_the_calendar(store: CacheStore) -> None:
    store.upsert("appointments", [
        d.Appointment(1, 1, start=T0, end=T0 + timedelta(hours=1)),
        d.Appointment(2, 1, start=T0 + timedelta(hours=3)),
        d.Appointment(3, 2, start=T0 + timedelta(days=1)),
        d.Appointment(4, 2, start=T0 + timedelta(hours=2), active=False),
    ])
    store.upsert("appointment_assignments", [d.Assignment(1, 2, 1, 9)])
    day = store.appointments_between(T0, T0 + timedelta(days=1))
    assert [a.id for a in day] == [1, 2]
    assert [a.id for a in store.appointments_between(T0, T0 + timedelta(days=2), technician_ids=[9])] == [2]


@both_stores
def test_info_and_counts(store: CacheStore) -> None:
    store.upsert("jobs", [job(1)])
    info = store.info()
    latest = PG_LATEST if isinstance(store, PgStore) else LATEST
    assert info["schema_version"] == latest and info["counts"]["jobs"] == 1 and info["active_jobs"] == 1
    assert info["bytes"] > 0


@both_stores
def test_threads_get_their_own_connection(store: CacheStore) -> None:
    import threading

    store.upsert("jobs", [job(1)])
    seen = []

    def read() -> None:
        seen.append((store.conn is not None, store.count_jobs(JobQuery())))

    t = threading.Thread(target=read)
    t.start()
    t.join()
    assert seen == [(True, 1)]


@both_stores
def test_a_job_whose_appointments_are_all_finished_has_no_next_appointment_but_keeps_its_technicians(
        store: CacheStore) -> None:
    store.upsert("jobs", [job(1, status=d.JobStatus.CANCELED), job(2)])
    store.upsert("appointments", [d.Appointment(10, 1, start=T0, status=d.AppointmentStatus.SCHEDULED),
                                  d.Appointment(20, 2, start=T0, status=d.AppointmentStatus.SCHEDULED)])
    store.upsert("appointment_assignments", [d.Assignment(1, 10, 1, 3, technician_name="Ann")])
    assert store.job_list_row(1).next_appointment == T0
    # the cancel reaches the cache: its appointment is canceled too (as the API does)
    store.upsert("appointments", [d.Appointment(10, 1, start=T0, status=d.AppointmentStatus.verbatim("Canceled"))])
    row = store.job_list_row(1)
    assert row.next_appointment is None and row.technicians == "Ann"  # the last visit's people, but no "next"
    assert [r.id for r in store.jobs_window(JobQuery(sort="next_appointment"), 0, 10)] == [2, 1]  # sorted last
    store.upsert("appointments", [d.Appointment(10, 1, start=T0, status=d.AppointmentStatus.verbatim("Done"))])
    assert store.job_list_row(1).next_appointment is None


@both_stores
def test_search_finds_a_job_by_the_names_of_its_technicians(store: CacheStore) -> None:
    def found(text: str) -> list[int]:
        return [r.id for r in store.jobs_window(JobQuery(text=text), 0, 10)]

    store.upsert("jobs", [job(1), job(2)])
    store.upsert("appointments", [d.Appointment(10, 1, start=T0, status=d.AppointmentStatus.SCHEDULED),
                                  d.Appointment(20, 2, start=T0, status=d.AppointmentStatus.DONE)])
    store.upsert("technicians", [d.Technician(3, "James Patel"), d.Technician(4, "Ann Lee")])
    store.upsert("appointment_assignments", [d.Assignment(1, 10, 1, 3), d.Assignment(2, 20, 2, 3),
                                             d.Assignment(3, 20, 2, 4)])
    assert found("patel") == [1, 2]  # a finished visit's technician too
    assert found("ann") == [2]
    store.upsert("technicians", [d.Technician(3, "James Patel-Okoro")])
    assert found("okoro") == [1, 2]
    store.deactivate("appointment_assignments", [2])
    assert found("patel") == [1]
    store.upsert("appointment_assignments", [d.Assignment(1, 10, 1, 3, active=False)])
    assert found("patel") == []


def test_a_v15_file_searches_by_technician_once_upgraded(tmp_path: Path) -> None:
    old = CacheStore(tmp_path / "v15.sqlite3", target_version=15)
    try:
        old.upsert("technicians", [d.Technician(3, "James Patel")])
        old.upsert("appointment_assignments", [d.Assignment(1, 10, 1, 3)])
        old.upsert("jobs", [job(1, summary="harbor leak"), job(2)])
    finally:
        old.close()
    with CacheStore(tmp_path / "v15.sqlite3") as new:
        assert [r.id for r in new.jobs_window(JobQuery(text="patel"), 0, 10)] == [1]
        assert [r.id for r in new.jobs_window(JobQuery(text="harbor"), 0, 10)] == [1]
        new.conn.execute("INSERT INTO jobs_fts(jobs_fts, rank) VALUES ('integrity-check', 1)")
