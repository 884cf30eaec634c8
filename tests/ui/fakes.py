"""A tiny in-memory JobSource for UI tests: fixed, deterministic data; filters and sorts like the store."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from types import SimpleNamespace
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
    meta: dict[str, int] = field(default_factory=dict)
    """Reference ids (job_type, business_unit, technician) the filters match on."""


JOB_TYPES = [Named(1, "No Cool"), Named(2, "Drain Cleaning"), Named(3, "Panel Upgrade"), Named(4, "Tune-Up")]
BUSINESS_UNITS = [Named(10, "HVAC Service"), Named(11, "Plumbing"), Named(12, "Electrical")]
CANCEL_REASONS = [Named(31, "Customer canceled"), Named(32, "Duplicate job"), Named(33, "Price too high")]
HOLD_REASONS = [Named(41, "Parts on order"), Named(42, "Waiting on customer")]
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
            self.jobs[job_id].meta = dict(self._meta)

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
        status = "Hold" if row.status == "Hold" else "Scheduled"
        return [SimpleNamespace(id=job_id * 10, number=f"{row.number}-1", start=start, end=start + timedelta(hours=2),
                                arrival_window_start=start, arrival_window_end=start + timedelta(hours=1),
                                status=status, technician_names=[row.technicians], special_instructions=None)]

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

    def cancel_reasons(self) -> list[Named]:
        return CANCEL_REASONS

    def hold_reasons(self) -> list[Named]:
        return HOLD_REASONS


class FakeLive:
    """Stands in for ``LiveCache`` on a board that is offline: a real outbox on a scratch cache file, so
    writes queue (and the screens show them) but nothing is sent."""

    def __init__(self, path: Path) -> None:
        from jpm_tui.cache.live import LiveState
        from jpm_tui.cache.outbox import Outbox
        from jpm_tui.cache.store import CacheStore

        self.store = CacheStore(path)
        self.outbox = Outbox(self.store)
        self.state = LiveState(online=False)

    async def run(self, on_change: Any, on_progress: Any = None) -> None:
        await asyncio.Event().wait()  # never syncs

    async def aclose(self) -> None:
        self.store.close()

    async def submit(self, command: Any) -> Any:
        return self.outbox.enqueue(command)

    def sync_now(self) -> None:
        pass
