"""SyncEngine against the sandbox over real HTTP (loopback): full sync, incremental sync, pause/cancel/resume,
resets, and faults. The cache is compared with fresh reads of the server's export feeds."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import sys
from typing import Any

import pytest
from support.stores import both_stores
from support.sync_world import (
    EXPORTS,
    RawApi,
    assert_same,
    cache_snapshot,
    connect,
    integrity,
    list_ids,
    make_client,
    server_rows_before,
    server_snapshot,
    singles_same,
    state_list_ids,
)

from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.store import CacheStore
from jpm_tui.cache.store.interface import Store
from jpm_tui.cache.sync import SyncEngine, SyncError, SyncProgress, SyncSummary
from jpm_tui.provider.servicetitan import ServiceTitanProvider


async def _sync(store: CacheStore, url: str, feeds: Any = None, *, full: bool = False, **client_kw: Any) -> SyncSummary:
    async with make_client(url, **client_kw) as client:
        async with SyncEngine(store, ServiceTitanProvider(client)) as engine:
            return await engine.run(feeds, full=full)


def _assert_cache_is_server(store: Store, server: Any) -> None:
    cache = store if isinstance(store, PgStore) else store.path
    assert_same(cache_snapshot(cache), server_snapshot(server.base_url))
    assert list_ids(cache) == state_list_ids(server.state)
    singles_same(cache, server.base_url)
    integrity(cache)


def _pick_reassignable(state: Any) -> tuple[dict, dict, dict]:
    """An active Scheduled/Dispatched assignment on an open appointment, and an active technician not on it."""
    appointments = state["appointments"]
    by_appt: dict[int, list[dict]] = {}
    for a in state["appointment_assignments"].values():
        if a.get("active"):
            by_appt.setdefault(a["appointmentId"], []).append(a)
    techs = [t for t in state["technicians"].values() if t.get("active")]
    for appt_id, rows in sorted(by_appt.items()):
        appt = appointments.get(appt_id)
        if appt is None or appt.get("status") not in ("Scheduled", "Dispatched"):
            continue
        movable = [r for r in rows if r.get("status") in ("Scheduled", "Dispatched")]
        on = {r["technicianId"] for r in rows}
        free = [t for t in techs if t["id"] not in on]
        if movable and free:
            return appt, movable[0], free[0]
    raise AssertionError("no reassignable appointment in the sandbox data")


@both_stores
async def test_full_then_incremental_sync_matches_the_sandbox(store, sandbox_server):
    state = sandbox_server.state
    events: list[SyncProgress] = []
    async with make_client(sandbox_server.base_url) as client:
        engine = SyncEngine(store, ServiceTitanProvider(client), on_progress=events.append)
        queue = engine.subscribe()
        first = await engine.run()
        engine.close()
    assert first.ok, first.error_line()
    assert {r.feed for r in first.results} >= {
        "jobs", "appointments", "projects", "job_notes", "project_notes", "job_history", "job_canceled_logs",
        "customers", "locations", "customer_contacts", "location_contacts", "technicians", "employees",
        "business_units", "tag_types", "appointment_assignments", "job_types", "cancel_reasons", "hold_reasons",
        "project_statuses", "project_types", "zones", "teams", "shifts", "arrival_windows", "business_hours"}
    assert all(r.complete for r in first.results)
    _assert_cache_is_server(store, sandbox_server)
    # every feed the board needs filled something (equal-and-empty would also pass the comparison above)
    conn = connect(store if isinstance(store, PgStore) else store.path)
    filled = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in (
        "customers", "locations", "technicians", "employees", "business_units", "tag_types",
        "appointment_assignments", "shifts", "zones", "teams", "jobs", "appointments", "arrival_windows",
        "business_hours")}
    filled.update(conn.execute("SELECT owner_kind || '_contacts', count(*) FROM contacts GROUP BY owner_kind"))
    conn.close()
    empty = sorted(t for t in ("customers", "locations", "customer_contacts", "location_contacts", "technicians",
                               "employees", "business_units", "tag_types", "appointment_assignments", "shifts",
                               "zones", "teams", "jobs", "appointments", "arrival_windows", "business_hours")
                   if not filled.get(t))
    assert not empty, f"feeds that filled nothing: {empty}"
    assert filled["customer_contacts"] == sum(1 for _ in state["customer_contacts"].values())
    assert filled["location_contacts"] == sum(1 for _ in state["location_contacts"].values())
    # progress: every feed ends with a done event; the queue got the events and the summary last
    done = {e.feed for e in events if e.done}
    assert done == {r.feed for r in first.results}
    queued = []
    while not queue.empty():
        queued.append(queue.get_nowait())
    assert isinstance(queued[-1], SyncSummary) and all(isinstance(e, SyncProgress) for e in queued[:-1])
    jobs_done = [e for e in events if e.feed == "jobs" and e.done][0]
    assert jobs_done.records == len(state["jobs"]) and not jobs_done.has_more and jobs_done.records_per_second > 0
    tokens = {s.feed: s.token for s in store.sync_states()}
    assert tokens["jobs"] and tokens["appointment_assignments"]

    # -- changes made on the server between runs (as another dispatcher would, over HTTP)
    state.advance(60)
    appt, old_assignment, new_tech = _pick_reassignable(state)
    job = next(j for j in state["jobs"].values()
               if j["jobStatus"] in ("Scheduled", "Dispatched") and j["id"] != appt["jobId"])
    reason = next(r for r in state["job_cancel_reasons"].values() if r.get("active"))
    customer = state["customers"].get(job["customerId"])
    with RawApi(sandbox_server.base_url) as api:
        api.call("PUT", "jpm", f"jobs/{job['id']}/cancel", json={"reasonId": reason["id"], "memo": "customer called"})
        api.call("PATCH", "crm", f"customers/{customer['id']}", json={"name": "Renamed Between Syncs"})
        api.call("POST", "dispatch", "appointment-assignments/unassign-technicians",
                 json={"jobAppointmentId": appt["id"], "technicianIds": [old_assignment["technicianId"]]})
        api.call("POST", "dispatch", "appointment-assignments/assign-technicians",
                 json={"jobAppointmentId": appt["id"], "technicianIds": [new_tech["id"]]})
        # the technician moved to another business unit (reassigned in Settings, not only on a visit)
        other_bu = next(b["id"] for b in state["business_units"].values()
                        if b.get("active", True) and b["id"] != new_tech.get("businessUnitId"))
        api.call("PATCH", "settings", f"technicians/{new_tech['id']}", json={"businessUnitId": other_bu})

    second = await _sync(store, sandbox_server.base_url)
    assert second.ok, second.error_line()
    exported = {r.feed: r.records for r in second.results if r.kind == "export"}
    assert 0 < sum(exported.values()) < first.records // 4, exported  # incremental: only what changed
    assert exported["jobs"] >= 1 and exported["customers"] == 1 and exported["appointment_assignments"] >= 2
    assert exported["technicians"] == 1
    _assert_cache_is_server(store, sandbox_server)

    cached_job = store.job(job["id"])
    assert cached_job is not None and cached_job.status.value == "Canceled"
    row = store.job_list_row(job["id"])
    assert row is not None and row.customer == "Renamed Between Syncs"  # denormalised column refreshed
    assert store.customer(customer["id"]).name == "Renamed Between Syncs"
    assert store.technician(new_tech["id"]).business_unit_id == other_bu
    assignments = [tuple(r) for r in store.conn.execute(  # the store's own connection: SQL both dialects take
        "SELECT id, appointment_id, technician_id, active FROM appointment_assignments")]
    # unassigned: kept, flagged inactive (needs active=Any on the feed)
    assert (old_assignment["id"], appt["id"], old_assignment["technicianId"], 0) in assignments
    assert [a[3] for a in assignments if a[1:3] == (appt["id"], new_tech["id"])] == [1]
    assert new_tech["id"] in {a.technician_id for a in store.assignments_for_appointment(appt["id"])}
    assert old_assignment["technicianId"] not in {a.technician_id for a in store.assignments_for_appointment(appt["id"])}


async def test_feed_selection_full_resync_and_reset(store, sandbox_server):
    summary = await _sync(store, sandbox_server.base_url, ["jobs", "job-notes"])
    assert [r.feed for r in summary.results] == ["jobs", "job_notes"] and summary.ok
    assert {s.feed for s in store.sync_states()} == {"jobs", "job_notes"}
    jobs_before = {s.feed: s.rows_total for s in store.sync_states()}["jobs"]

    again = await _sync(store, sandbox_server.base_url, ["jobs"])
    assert again.records == 0  # nothing changed: the saved token is at the end

    full = await _sync(store, sandbox_server.base_url, ["jobs"], full=True)
    assert full.records == len(sandbox_server.state["jobs"])
    assert {s.feed: s.rows_total for s in store.sync_states()}["jobs"] == jobs_before + full.records
    assert_same(cache_snapshot(store.path, ["jobs"]), server_snapshot(sandbox_server.base_url, ["jobs"]))

    async with make_client(sandbox_server.base_url) as client:
        async with SyncEngine(store, ServiceTitanProvider(client)) as engine:
            assert await engine.reset(["jobs"]) == ["jobs"]
            assert store.token("jobs") is None and store.token("job_notes")
            with pytest.raises(SyncError, match="unknown feed nope"):
                await engine.run(["nope"])
    after_reset = await _sync(store, sandbox_server.base_url, ["jobs"])
    assert after_reset.records == len(sandbox_server.state["jobs"])
    integrity(store.path)


async def test_a_sync_tunes_the_interpreter_while_it_runs_and_puts_it_back(store, sandbox_server):
    """The writer thread takes the GIL back after every SQLite call, and pages in flight are thousands of live
    objects: a sync runs with a 0.5 ms switch interval and young collections every 50,000 allocations (two runs at
    once too), and leaves the process's own settings as it found them."""
    before = sys.getswitchinterval(), gc.get_threshold()
    seen: list[tuple[float, int]] = []
    async with make_client(sandbox_server.base_url) as client:
        async with SyncEngine(store, ServiceTitanProvider(client), on_progress=lambda e: seen.append(
                (sys.getswitchinterval(), gc.get_threshold()[0]))) as one, \
                SyncEngine(store, ServiceTitanProvider(client)) as two:
            first, second = await asyncio.gather(one.run(["jobs"]), two.run(["job_types"]))
    assert first.ok and second.ok and seen and set(seen) == {(0.0005, 50_000)}
    assert (sys.getswitchinterval(), gc.get_threshold()) == before


async def test_a_store_failing_as_a_feed_starts_fails_that_feed_only(store, sandbox_server, monkeypatch):
    """The start of a first fill is the feed's work: a store error there (a locked or full disk) is that feed's
    recorded error, the other feeds go on, and the run does not raise (nor leave the switch interval short)."""
    before = sys.getswitchinterval()

    def begin_fill(table: str) -> bool:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "begin_fill", begin_fill)
    summary = await _sync(store, sandbox_server.base_url, ["jobs", "job_types"])
    results = {r.feed: r for r in summary.results}
    assert "disk is full" in results["jobs"].error and not results["jobs"].complete
    assert results["job_types"].complete and results["job_types"].records == len(sandbox_server.state["job_types"])
    assert {s.feed: s.last_error for s in store.sync_states()}["jobs"]
    assert sys.getswitchinterval() == before


async def test_pause_resume_and_cancel_then_resume_loses_nothing(store, sandbox_server):
    state = sandbox_server.state
    state.export_page_size = 3  # many pages
    async with make_client(sandbox_server.base_url) as client:
        engine = SyncEngine(store, ServiceTitanProvider(client), concurrency=2)
        seen: list[SyncProgress] = []
        paused_at: list[int] = []

        def on_event(e: SyncProgress) -> None:
            seen.append(e)
            if e.feed == "jobs" and e.pages >= 2 and not paused_at:
                engine.pause()
                paused_at.append(e.pages)

        engine.add_listener(on_event)
        run = asyncio.create_task(engine.run(["jobs", "appointments"]))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if paused_at:
                break
        assert engine.paused
        await asyncio.sleep(0.3)
        jobs_pages_while_paused = max(e.pages for e in seen if e.feed == "jobs")
        await asyncio.sleep(0.2)
        assert max(e.pages for e in seen if e.feed == "jobs") == jobs_pages_while_paused  # really paused
        # what was in flight or fetched ahead when pause() was called is still stored; nothing more is asked
        assert jobs_pages_while_paused <= paused_at[0] + engine.prefetch + 1
        assert jobs_pages_while_paused * 3 < len(state["jobs"])
        engine.resume()
        summary = await run
        assert summary.ok and summary.results[0].records == len(state["jobs"])

        # cancel part-way, then a fresh run resumes from the committed page
        store2 = CacheStore(store.path.with_name("second.sqlite3"))
        engine2 = SyncEngine(store2, ServiceTitanProvider(client), concurrency=1)

        def cancel_early(e: SyncProgress) -> None:
            if e.feed == "jobs" and e.pages >= 3:
                engine2.cancel()

        engine2.add_listener(cancel_early)
        cancelled = await engine2.run(["jobs", "appointments"])
        assert cancelled.cancelled and not cancelled.ok and "cancelled" in cancelled.error_line()
        jobs_result = cancelled.results[0]
        assert not jobs_result.complete and 3 * 3 <= jobs_result.records < len(state["jobs"])
        # token never ahead of data: every row the server sent before the saved token is cached, as sent
        before = server_rows_before(sandbox_server.base_url, "jobs", store2.token("jobs"))
        cached = cache_snapshot(store2.path, ["jobs"])["jobs"]
        assert len(before) == jobs_result.records and all(cached.get(k) == v for k, v in before.items())
        engine2.remove_listener(cancel_early)
        resumed = await engine2.run(["jobs", "appointments"])
        assert resumed.ok and resumed.results[0].records == len(state["jobs"]) - jobs_result.records
        assert {s.feed: s.rows_total for s in store2.sync_states()}["jobs"] == len(state["jobs"])  # no duplicates
        await engine2.aclose()
        engine.close()
        store2.close()
    assert_same(cache_snapshot(store.path.with_name("second.sqlite3"), ["jobs", "appointments"]),
                server_snapshot(sandbox_server.base_url, ["jobs", "appointments"]))


async def test_retryable_faults_end_in_a_complete_cache(store, sandbox_server):
    state = sandbox_server.state
    state.export_page_size = 25
    state.faults.fail_next = [429, 503, 503, 502, 429]
    state.faults.drop_rate = 0.05
    state.faults.malformed_rate = 0.05
    # dropped answers are the quick reconnects' to retry: eight of them, or two drops of one request in a row (one
    # run in a few dozen at 5%) stop the sync as a server gone
    summary = await _sync(store, sandbox_server.base_url, max_retries=8, transport_retries=8)
    assert summary.ok, summary.error_line()
    state.faults.drop_rate = state.faults.malformed_rate = 0
    _assert_cache_is_server(store, sandbox_server)
    assert all(s.last_error is None for s in store.sync_states())


async def test_failing_feeds_are_recorded_tokens_never_ahead_and_a_rerun_completes(store, sandbox_server):
    state = sandbox_server.state
    state.export_page_size = 10
    state.faults.error_rate = 0.25  # 500/502/503, and the client gives up at once
    summary = await _sync(store, sandbox_server.base_url, max_retries=0)
    assert not summary.ok and summary.failed
    line = summary.error_line()
    assert line.startswith("sync failed: ") and "\n" not in line
    failed = {r.feed for r in summary.failed}
    states = {s.feed: s for s in store.sync_states()}
    for feed in failed:
        assert states[feed].last_error, feed
    state.faults.error_rate = 0
    # every export feed: the rows up to its saved token are in the cache exactly as the server sent them
    cached = cache_snapshot(store.path)
    for feed, (_, _, table) in EXPORTS.items():
        token = store.token(feed)
        if token is None:
            continue
        before = server_rows_before(sandbox_server.base_url, feed, token)
        bad = [k for k, v in before.items() if cached[table].get(k) != v]
        assert not bad, f"{feed}: token ahead of the data for {bad[:5]}"
    integrity(store.path)

    rerun = await _sync(store, sandbox_server.base_url)
    assert rerun.ok, rerun.error_line()
    _assert_cache_is_server(store, sandbox_server)
    assert all(s.last_error is None for s in store.sync_states())


async def test_unreachable_server_is_a_clear_error_and_cache_untouched(store, sandbox_server):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    summary = await _sync(store, f"http://127.0.0.1:{port}", ["jobs", "customers"], max_retries=0)
    # the first feed to fail stops the run for both (the other would only fail the same way), said once
    assert not summary.ok and len(summary.failed) == 1 and summary.cancelled
    assert summary.stopped == "Could not reach 127.0.0.1: connection refused"
    assert summary.error_line() == "sync stopped: Could not reach 127.0.0.1: connection refused"
    assert store.token("jobs") is None and store.counts()["jobs"] == 0
    assert [s.last_error for s in store.sync_states()] == [summary.failed[0].error]


async def test_arrival_windows_and_business_hours_fill_their_tables_and_follow_the_server(store, sandbox_server):
    state = sandbox_server.state
    summary = await _sync(store, sandbox_server.base_url, ["arrival_windows", "business_hours"])
    assert summary.ok and [r.feed for r in summary.results] == ["arrival_windows", "business_hours"]
    assert all(r.complete and r.kind == "list" for r in summary.results)
    served = sorted(state["arrival_windows"].values(), key=lambda w: w["id"])
    assert served and {w.id for w in store.arrival_windows()} == {w["id"] for w in served if w["active"]}
    first = store.arrival_windows(include_inactive=True)[0]
    assert first.raw["start"] == f"{first.start_minutes // 60:02d}:{first.start_minutes % 60:02d}:00"
    hours = store.business_hours()
    assert hours is not None and hours.id == 1
    (record,) = state["business_hours"].values()
    assert hours.weekdays == tuple((r["fromHour"], r["toHour"]) for r in record["weekdays"])
    assert hours.span(5) == (8, 14) and hours.span(6) is None
    assert {s.feed: s.rows_total for s in store.sync_states()} == {"arrival_windows": len(served), "business_hours": 1}

    # a window that disappears from the list goes inactive (kept); changed hours replace the row
    gone = served[0]["id"]
    state["arrival_windows"].delete(gone)
    record["saturday"] = []
    state["business_hours"].touch(record)
    summary = await _sync(store, sandbox_server.base_url, ["arrival_windows", "business_hours"])
    assert summary.ok
    assert gone not in {w.id for w in store.arrival_windows()}
    assert gone in {w.id for w in store.arrival_windows(include_inactive=True)}
    assert store.business_hours().saturday == () and store.business_hours().span(5) is None


async def test_pages_are_parsed_and_mapped_off_the_event_loop(store, sandbox_server, monkeypatch):
    """The board's sync runs on its event loop: a big export page (~10 ms to parse, ~12 ms to map per 1,000 jobs)
    is read on worker threads, so keys pressed during a sync are not held behind it; small answers stay inline."""
    import threading

    from jpm_tui.api import client as client_module
    from jpm_tui.api import retries
    from jpm_tui.provider.servicetitan import mapping as servicetitan

    on_loop: dict[str, list[bool]] = {"parse": [], "map": []}
    parse, map_rows = client_module._export_page, servicetitan.map_rows

    def parsing(response, **kw):
        on_loop["parse"].append((threading.current_thread() is threading.main_thread(), len(response.content)))
        return parse(response, **kw)

    def mapping(*args):
        on_loop["map"].append(threading.current_thread() is threading.main_thread())
        return map_rows(*args)

    monkeypatch.setattr(client_module, "_export_page", parsing)
    monkeypatch.setattr(servicetitan, "map_rows", mapping)
    monkeypatch.setattr(retries, "PARSE_ON_A_THREAD", 16384)  # a page of 50 jobs, not the business units
    sandbox_server.state.export_page_size = 50
    assert (await _sync(store, sandbox_server.base_url, ["jobs", "business_units", "job_types"])).ok
    assert on_loop["map"] and not any(on_loop["map"])  # export and list feeds
    big = [main for main, size in on_loop["parse"] if size >= 16384]
    small = [main for main, size in on_loop["parse"] if size < 16384]
    assert big and not any(big) and small and all(small), on_loop["parse"]
