"""A tiny in-memory JobSource for UI tests: fixed, deterministic data; filters and sorts like the store."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from jpm_tui.ui.source import JobListRow, JobQuery

NOW = datetime(2025, 5, 14, 8, 30, tzinfo=timezone.utc)


def frozen_clock() -> datetime:
    return NOW


@dataclass
class Named:
    id: int
    name: str


@dataclass
class FakeJob:
    id: int
    number: str
    status: str
    priority: str
    summary: str
    job_type_name: str
    business_unit_name: str
    customer_name: str
    location_name: str
    location_address: str
    project_name: str | None
    created_on: datetime
    modified_on: datetime
    custom_fields: list[dict[str, Any]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)


JOB_TYPES = [Named(1, "No Cool"), Named(2, "Drain Cleaning"), Named(3, "Panel Upgrade"), Named(4, "Tune-Up")]
BUSINESS_UNITS = [Named(10, "HVAC Service"), Named(11, "Plumbing"), Named(12, "Electrical")]
TECHNICIANS = [Named(100, "R. Alvarez"), Named(101, "K. Okafor"), Named(102, "M. Chen"), Named(103, "D. Novak")]
CUSTOMERS = ["Nguyen Residence", "Desert Ridge Dental", "Patel Residence", "Harbor Foods", "Oak Street HOA",
             "Lopez Family", "Sunrise Bakery", "Mesa Public Library"]
CITIES = ["Tempe", "Mesa", "Chandler", "Phoenix", "Gilbert"]
STATUSES = ["Scheduled", "Dispatched", "InProgress", "Hold", "Completed", "Canceled"]
PRIORITIES = ["Urgent", "High", "Normal", "Normal", "Low"]
SUMMARIES = ["AC blowing warm air", "Kitchen sink backs up", "Upgrade to 200A panel", "Annual maintenance",
             "Water heater leaking", "Breaker trips at night", "Thermostat unresponsive"]


class FakeSource:
    """``rows`` deterministic jobs (seeded); satisfies ``jpm_tui.ui.source.JobSource``."""

    def __init__(self, rows: int = 200, *, seed: int = 7) -> None:
        rnd = random.Random(seed)
        self.rows: list[JobListRow] = []
        self.jobs: dict[int, FakeJob] = {}
        self.windows_read = 0
        for i in range(rows):
            job_id = 5000 + i
            job_type = rnd.choice(JOB_TYPES)
            bu = rnd.choice(BUSINESS_UNITS)
            tech = rnd.choice(TECHNICIANS)
            customer = rnd.choice(CUSTOMERS)
            city = rnd.choice(CITIES)
            status = rnd.choice(STATUSES)
            appt = NOW + timedelta(hours=rnd.randint(-30, 24 * 20))
            modified = NOW - timedelta(minutes=rnd.randint(1, 60 * 24 * 10))
            row = JobListRow(
                id=job_id, number=str(10000 + i), status=status, priority=rnd.choice(PRIORITIES),
                job_type=job_type.name, business_unit=bu.name, customer=customer, location=city,
                next_appointment=None if status in ("Completed", "Canceled") else appt,
                technicians=tech.name, summary=rnd.choice(SUMMARIES), modified=modified,
            )
            self.rows.append(row)
            self.jobs[job_id] = FakeJob(
                id=job_id, number=row.number, status=status, priority=row.priority, summary=row.summary,
                job_type_name=job_type.name, business_unit_name=bu.name, customer_name=customer,
                location_name=f"{customer} ({city})", location_address=f"{100 + i} Main St, {city}, AZ 85281",
                project_name=None, created_on=modified - timedelta(days=3), modified_on=modified,
                custom_fields=[{"name": "Gate code", "value": str(1000 + i)}],
                raw={"id": job_id, "jobNumber": row.number, "jobStatus": status, "summary": row.summary},
            )
            self._meta = {"job_type": job_type.id, "business_unit": bu.id, "technician": tech.id}
            self.jobs[job_id].meta = dict(self._meta)  # type: ignore[attr-defined]

    # JobSource -----------------------------------------------------------------

    def _matches(self, row: JobListRow, q: JobQuery) -> bool:
        meta = self.jobs[row.id].meta  # type: ignore[attr-defined]
        if q.text:
            needle = q.text.lower()
            if not any(needle in str(v).lower() for v in (row.number, row.customer, row.location, row.summary)):
                return False
        if q.statuses and row.status not in q.statuses:
            return False
        if q.priorities and row.priority not in q.priorities:
            return False
        if q.job_type_ids and meta["job_type"] not in q.job_type_ids:
            return False
        if q.business_unit_ids and meta["business_unit"] not in q.business_unit_ids:
            return False
        if q.technician_ids and meta["technician"] not in q.technician_ids:
            return False
        if q.appointment_from and (row.next_appointment is None or row.next_appointment < q.appointment_from):
            return False
        if q.appointment_to and (row.next_appointment is None or row.next_appointment >= q.appointment_to):
            return False
        return True

    def _select(self, q: JobQuery) -> list[JobListRow]:
        rows = [r for r in self.rows if self._matches(r, q)]

        def key(row: JobListRow) -> tuple:
            value = int(row.number) if q.sort == "number" else getattr(row, q.sort, None)
            return (value is None, value if value is not None else "", row.id)

        rows.sort(key=key, reverse=q.descending)
        return rows

    def count_jobs(self, query: JobQuery) -> int:
        return len(self._select(query))

    def jobs_window(self, query: JobQuery, offset: int, limit: int) -> list[JobListRow]:
        self.windows_read += 1
        return self._select(query)[offset:offset + limit]

    def job(self, job_id: int) -> FakeJob | None:
        return self.jobs.get(job_id)

    def appointments_for_job(self, job_id: int) -> list[dict[str, Any]]:
        row = next((r for r in self.rows if r.id == job_id), None)
        if row is None or row.next_appointment is None:
            return []
        start = row.next_appointment
        return [{"id": job_id * 10, "number": f"{row.number}-1", "start": start, "end": start + timedelta(hours=2),
                 "arrival_window_start": start, "arrival_window_end": start + timedelta(hours=1),
                 "status": "Scheduled", "technician_names": [row.technicians], "special_instructions": None}]

    def notes_for_job(self, job_id: int) -> list[dict[str, Any]]:
        return [
            {"text": "Customer called to confirm.", "created_on": NOW - timedelta(days=2), "created_by_name": "Dispatch"},
            {"text": "Dog in yard; use side gate.", "created_on": NOW - timedelta(hours=3), "created_by_name": "CSR"},
        ]

    def history_for_job(self, job_id: int) -> list[dict[str, Any]]:
        return [{"date": NOW - timedelta(days=3), "event_type": "Job Booked", "employee_name": "CSR"}]

    def canceled_log_for_job(self, job_id: int) -> list[dict[str, Any]]:
        return []

    def job_types(self) -> list[Named]:
        return JOB_TYPES

    def business_units(self) -> list[Named]:
        return BUSINESS_UNITS

    def technicians(self) -> list[Named]:
        return TECHNICIANS


# ------------------------------------------------------------------ a fixed cache for the sync/project screens

FEEDS = [("job_types", "list"), ("project_statuses", "list"), ("technicians", "export"), ("customers", "export"),
         ("locations", "export"), ("projects", "export"), ("jobs", "export"), ("appointments", "export"),
         ("job_notes", "export"), ("project_notes", "export")]


def fixed_store(path: Any) -> Any:
    """A CacheStore with fixed projects, customers, jobs, notes, sync states and an outbox holding one
    pending, one refused and one conflict write (times relative to ``NOW``)."""
    from jpm_tui.cache.outbox import Outbox
    from jpm_tui.cache.store import CacheStore
    from jpm_tui.provider import domain as d

    store = CacheStore(path)
    store.upsert("customers", [d.Customer(1, "Desert Ridge Dental"), d.Customer(2, "Patel Residence"),
                               d.Customer(3, "Harbor Foods [bold]x[/]")])
    store.upsert("locations", [d.Location(11, 1, "Desert Ridge Dental", street="2200 E Ray Rd", city="Chandler")])
    store.upsert("project_types", [d.ProjectType(1, "Remodel"), d.ProjectType(2, "New construction")])
    store.upsert("project_statuses", [d.ProjectStatus(1, "Open", 1), d.ProjectStatus(2, "In Progress", 2),
                                      d.ProjectStatus(3, "Completed", 3)])
    store.upsert("job_types", [d.JobType(1, "No Cool"), d.JobType(2, "Install")])
    store.upsert("cancel_reasons", [d.Reason(4, "cancel", "Customer changed mind")])
    statuses = ["Open", "In Progress", "Completed"]
    projects = []
    for i in range(30):
        projects.append(d.Project(
            60000 + i, f"P{3000 + i}", name=["Dental suite remodel", "Kitchen addition", "Cold room build-out"][i % 3]
            + f" {i}", status=statuses[i % 3], sub_status=["Permit pending", "", "Punch list"][i % 3],
            project_type_id=1 + i % 2, customer_id=1 + i % 3, location_id=11 if i % 3 == 0 else None,
            job_ids=tuple(range(7000 + i * 3, 7000 + i * 3 + i % 4)), summary="Two operatories and a sterilisation room.",
            start_date=NOW - timedelta(days=40 - i), target_completion_date=NOW + timedelta(days=20 + i),
            created_on=NOW - timedelta(days=60), modified_on=NOW - timedelta(hours=i * 5 + 1)))
    store.upsert("projects", projects)
    store.upsert("jobs", [
        d.Job(7000 + n, str(41000 + n), d.JobStatus(["Scheduled", "Dispatched", "Completed"][n % 3]),
              d.Priority.NORMAL, 1 + n % 2, None, 1, 11, 60000 if n < 3 else None,
              summary=["Rough-in plumbing", "Chair wiring", "Final inspection", "Quote follow-up"][n % 4],
              modified_on=NOW - timedelta(hours=n + 2))
        for n in range(5)])
    store.upsert("project_notes", [
        d.Note(900 + n, "project", 60000, text, created_on=NOW - timedelta(days=5 - n), pinned=n == 0)
        for n, text in enumerate(["Permit submitted to the city.", "Inspector visit moved to Friday.",
                                  "Customer asked for a second sink [red]now[/]."])])
    with store.transaction() as conn:
        for n, (feed, _kind) in enumerate(FEEDS):
            conn.execute(
                "INSERT INTO sync_state (feed, token, last_success, last_error, last_error_at, rows_total, pages_total, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (feed, "t", (NOW - timedelta(minutes=3 + n)).isoformat(),
                 "HTTP 503 from the server; will retry" if feed == "job_notes" else None,
                 NOW.isoformat() if feed == "job_notes" else None, 100 * (n + 1), n + 1, NOW.isoformat()))
    outbox = Outbox(store)
    outbox.enqueue(d.AddProjectNote(60000, "Crane booked for Tuesday"))
    refused = outbox.enqueue(d.CancelJob(7000, 4, "customer called"))
    outbox._set(refused.id, "failed", answer={
        "outcome": "rejected", "message": "One or more validation errors occurred.",
        "field_errors": {"reasonId": ["Cancel reason 4 was not found"]}}, attempt=True)
    held = outbox.enqueue(d.EditJob(7001, {"summary": "Chair wiring and data"}))
    outbox._set(held.id, "conflict", answer={
        "outcome": "conflict", "message": "job 7001 changed on the server since this was queued; confirm to "
        "send it anyway, or drop it", "base_modified_on": "2025-05-14T06:00:00Z",
        "server_modified_on": "2025-05-14T07:00:00Z"}, attempt=True)
    return store


class FakeLive:
    """What the sync screen reads from ``app.live``, frozen: no loop, no network."""

    def __init__(self, store: Any) -> None:
        from jpm_tui.cache.live import LiveState
        from jpm_tui.cache.outbox import Outbox
        from jpm_tui.cache.sync import SyncProgress

        self.store = store
        self.outbox = Outbox(store)
        self.engine = None
        self.state = LiveState(last_sync=NOW - timedelta(minutes=3), outbox=3)
        self.running = True
        self.paused = False
        self.resync_requested: list[str] = []
        self.progress = {
            "job_types": SyncProgress("job_types", pages=1, records=12, done=True, has_more=False, kind="list",
                                      total_records=100, records_per_second=240.0),
            "projects": SyncProgress("projects", pages=2, records=30, done=True, has_more=False, total_records=630,
                                     records_per_second=310.0),
            "jobs": SyncProgress("jobs", pages=3, records=350, has_more=True, total_records=1050,
                                 records_per_second=812.4),
            "job_notes": SyncProgress("job_notes", error="HTTP 503 from the server; will retry", total_records=900),
        }

    def feed_names(self) -> list[str]:
        return [name for name, _kind in FEEDS]

    async def run(self, on_change: Any, on_progress: Any = None) -> None:
        """Nothing to run: the state above stays as it is (returns at once, so tests can wait for workers)."""

    async def aclose(self) -> None:
        pass
