"""The UI tests' fixed data: ``FakeSource``, an in-memory ``BoardSource`` answering with the domain's own rows
(``jpm_tui.provider.domain`` records, as ``CacheStore`` reads them back) that filters and sorts like the store;
``fixed_store``, a real cache file with fixed projects, sync states and outbox rows; ``FakeLive``, a frozen,
offline ``LiveSession``. tests/ui/test_source_seam.py checks all three against the protocols (mypy and
``isinstance``), so a screen cannot pass against a fake and fail against the cache."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jpm_tui.cache.store import ProjectListRow, ProjectQuery
from jpm_tui.provider import domain as d
from jpm_tui.ui.source import JobListRow, JobQuery

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from jpm_tui.cache.live import LiveState
    from jpm_tui.cache.outbox import OutboxEntry
    from jpm_tui.cache.store import CacheStore
    from jpm_tui.cache.store.feed_state import SyncState
    from jpm_tui.cache.sync import SyncEngine, SyncProgress

NOW = datetime(2025, 5, 14, 8, 30, tzinfo=UTC)


def frozen_clock() -> datetime:
    return NOW


JOB_TYPES = [d.JobType(1, "No Cool"), d.JobType(2, "Drain Cleaning"), d.JobType(3, "Panel Upgrade"),
             d.JobType(4, "Tune-Up")]
BUSINESS_UNITS = [d.BusinessUnit(10, "HVAC Service"), d.BusinessUnit(11, "Plumbing"), d.BusinessUnit(12, "Electrical")]
TAG_TYPES = [d.TagType(40, "VIP"), d.TagType(41, "Warranty"), d.TagType(42, "Second Opinion")]
CANCEL_REASONS = [d.Reason(31, "cancel", "Customer canceled"), d.Reason(32, "cancel", "Duplicate job"),
                  d.Reason(33, "cancel", "Price too high")]
TECHNICIANS = [d.Technician(100, "R. Alvarez", team="Red Team", zone_ids=(1,)),
               d.Technician(101, "K. Okafor", team="Blue Team", zone_ids=(2,)),
               d.Technician(102, "M. Chen", team="Red Team", zone_ids=(2,)),
               d.Technician(103, "D. Novak", team="Blue Team", zone_ids=(1,))]
EMPLOYEES = [d.Employee(61, "Dispatch"), d.Employee(62, "CSR")]
ZONES = [d.Zone(1, "Tempe"), d.Zone(2, "Mesa")]
TEAMS = [d.Team(1, "Red Team"), d.Team(2, "Blue Team")]
HOLD_REASONS = [d.Reason(30, "hold", "Parts on order"), d.Reason(31, "hold", "Customer away")]
CUSTOMERS = ["Nguyen Residence", "Desert Ridge Dental", "Patel Residence", "Harbor Foods", "Oak Street HOA",
             "Lopez Family", "Sunrise Bakery", "Mesa Public Library"]
CITIES = ["Tempe", "Mesa", "Chandler", "Phoenix", "Gilbert"]
STATUSES = ["Scheduled", "Dispatched", "InProgress", "Hold", "Completed", "Canceled"]
PRIORITIES = ["Urgent", "High", "Normal", "Normal", "Low"]
SUMMARIES = ["AC blowing warm air", "Kitchen sink backs up", "Upgrade to 200A panel", "Annual maintenance",
             "Water heater leaking", "Breaker trips at night", "Thermostat unresponsive"]


class FakeSource:
    """``rows`` deterministic jobs (seeded), each with its customer and location; a ``BoardSource``. It keeps
    no projects, contacts, people, custom field definitions or sync states (as a cache that has not synced them
    yet)."""

    def __init__(self, rows: int = 200, *, seed: int = 7, statuses: Sequence[str] = STATUSES) -> None:
        """``statuses``: the job statuses rows get (another backend's, for its board)."""
        rnd = random.Random(seed)
        self.rows: list[JobListRow] = []
        self.jobs: dict[int, d.Job] = {}
        self.customers = {300 + n: d.Customer(300 + n, name) for n, name in enumerate(CUSTOMERS)}
        self.locations_by_id: dict[int, d.Location] = {}
        self.technician_of: dict[int, int] = {}
        """Job id -> the technician the technician filter matches (the row's ``technicians``)."""
        self.windows_read = 0
        customer_ids = {name: customer_id for customer_id, name in ((c.id, c.name) for c in self.customers.values())}
        for i in range(rows):
            job_id = 5000 + i
            job_type = rnd.choice(JOB_TYPES)
            bu = rnd.choice(BUSINESS_UNITS)
            tech = rnd.choice(TECHNICIANS)
            customer = rnd.choice(CUSTOMERS)
            city = rnd.choice(CITIES)
            status = rnd.choice(statuses)
            appt = NOW + timedelta(hours=rnd.randint(-30, 24 * 20))
            modified = NOW - timedelta(minutes=rnd.randint(1, 60 * 24 * 10))
            row = JobListRow(
                id=job_id, number=str(10000 + i), status=status, priority=rnd.choice(PRIORITIES),
                job_type=job_type.name, business_unit=bu.name, customer=customer, location=city,
                next_appointment=None if status in ("Completed", "Canceled") else appt,
                technicians=tech.name, summary=rnd.choice(SUMMARIES), modified=modified,
            )
            self.rows.append(row)
            location = d.Location(8000 + i, customer_ids[customer], f"{customer} ({city})", street=f"{100 + i} Main St",
                                  city=city, state="AZ", zip="85281")
            self.locations_by_id[location.id] = location
            self.technician_of[job_id] = tech.id
            self.jobs[job_id] = d.Job(
                job_id, row.number, d.JobStatus(status), d.Priority(row.priority), job_type.id, bu.id,
                location.customer_id, location.id, summary=row.summary, created_on=modified - timedelta(days=3),
                modified_on=modified,
                raw={"id": job_id, "jobNumber": row.number, "jobStatus": status, "summary": row.summary,
                     "tagTypeIds": [t.id for t in TAG_TYPES[:i % 3]],
                     "customFields": [{"typeId": 7, "name": "Gate code", "value": str(1000 + i)}]},
            )

    @property
    def path(self) -> Path | None:
        return None  # no file: a failure names none

    # the job list -------------------------------------------------------------------------------

    def _matches(self, row: JobListRow, q: JobQuery) -> bool:
        job = self.jobs[row.id]
        if q.text:
            needle = q.text.lower()
            if not any(needle in str(v).lower() for v in (row.number, row.customer, row.location, row.summary)):
                return False
        if q.statuses and row.status not in q.statuses:
            return False
        if q.priorities and row.priority not in q.priorities:
            return False
        if q.job_type_ids and job.job_type_id not in q.job_type_ids:
            return False
        if q.business_unit_ids and job.business_unit_id not in q.business_unit_ids:
            return False
        if q.technician_ids and self.technician_of.get(row.id) not in q.technician_ids:
            return False
        if q.appointment_from and (row.next_appointment is None or row.next_appointment < q.appointment_from):
            return False
        if q.appointment_to and (row.next_appointment is None or row.next_appointment >= q.appointment_to):
            return False
        if q.customer_id is not None and job.customer_id != q.customer_id:
            return False
        if q.project_id is not None and job.project_id != q.project_id:
            return False
        return True

    def _select(self, q: JobQuery) -> list[JobListRow]:
        rows = [r for r in self.rows if self._matches(r, q)]

        def key(row: JobListRow) -> tuple[bool, Any, int]:
            value = int(row.number) if q.sort == "number" else getattr(row, q.sort, None)
            return (value is None, value if value is not None else "", row.id)

        rows.sort(key=key, reverse=q.descending)
        return rows

    def count_jobs(self, query: JobQuery, *, cap: int | None = None) -> int:
        n = len(self._select(query))
        return n if cap is None else min(n, cap)

    def jobs_window(self, query: JobQuery, offset: int, limit: int) -> list[JobListRow]:
        self.windows_read += 1
        return self._select(query)[offset:offset + limit]

    def bookmark_job_list(self, query: JobQuery, seconds: float, *, going_on: bool = False) -> bool:
        return True  # every window is a slice of the whole list: nothing to walk

    # a job and what hangs off it ------------------------------------------------------------------

    def job(self, job_id: int) -> d.Job | None:
        return self.jobs.get(job_id)

    def appointments_for_job(self, job_id: int) -> list[d.Appointment]:
        row = next((r for r in self.rows if r.id == job_id), None)
        if row is None or row.next_appointment is None:
            return []
        start = row.next_appointment
        status = "Hold" if row.status == "Hold" else "Scheduled"
        return [d.Appointment(job_id * 10, job_id, f"{row.number}-1", start=start, end=start + timedelta(hours=2),
                              arrival_window_start=start, arrival_window_end=start + timedelta(hours=1),
                              status=d.AppointmentStatus.parse(status))]

    def appointment_technicians(self, job_id: int) -> dict[int, str]:
        row = next((r for r in self.rows if r.id == job_id), None)
        return {job_id * 10: row.technicians} if row is not None and row.technicians else {}

    def notes_for_job(self, job_id: int) -> list[d.Note]:
        return [
            d.Note(job_id * 10 + 1, "job", job_id, "Customer called to confirm.", created_on=NOW - timedelta(days=2),
                   created_by_id=EMPLOYEES[0].id),
            d.Note(job_id * 10 + 2, "job", job_id, "Dog in yard; use side gate.", created_on=NOW - timedelta(hours=3),
                   created_by_id=EMPLOYEES[1].id),
        ]

    def history_for_job(self, job_id: int) -> list[d.HistoryEntry]:
        return [d.HistoryEntry(job_id * 10, job_id, "Job Booked", at=NOW - timedelta(days=3),
                               employee_id=EMPLOYEES[1].id)]

    def canceled_log_for_job(self, job_id: int) -> list[d.CanceledLogEntry]:
        return []

    def booked_log_for_job(self, job_id: int) -> d.BookedLogEntry | None:
        """Booked by a technician three days ago, for the job's first appointment (as the store answers)."""
        appointments = self.appointments_for_job(job_id)
        if not appointments:
            return None
        first = appointments[0]
        return d.BookedLogEntry(job_id, job_id, appointment_id=first.id, start=first.start,
                                arrival_window_start=first.arrival_window_start,
                                arrival_window_end=first.arrival_window_end, created_on=NOW - timedelta(days=3),
                                created_by_id=TECHNICIANS[1].id)

    def booked_log_read_on(self, job_id: int) -> datetime | None:
        return NOW - timedelta(minutes=5)

    def customer(self, customer_id: int) -> d.Customer | None:
        return self.customers.get(customer_id)

    def location(self, location_id: int) -> d.Location | None:
        return self.locations_by_id.get(location_id)

    def locations(self) -> list[d.Location]:
        return list(self.locations_by_id.values())

    def contacts_for(self, owner_kind: str, owner_id: int) -> list[d.Contact]:
        return []

    def people_of(self, customer_id: int) -> list[d.Person]:
        return []

    # projects: none kept ---------------------------------------------------------------------------

    def project(self, project_id: int) -> d.Project | None:
        return None

    def count_projects(self, query: ProjectQuery) -> int:
        return 0

    def projects_window(self, query: ProjectQuery, offset: int, limit: int) -> list[ProjectListRow]:
        return []

    def project_type(self, project_type_id: int) -> d.ProjectType | None:
        return None

    def notes_for_project(self, project_id: int) -> list[d.Note]:
        return []

    def project_statuses(self) -> list[d.ProjectStatus]:
        return []

    def sync_states(self) -> list[SyncState]:
        return []

    # reference lists -------------------------------------------------------------------------------

    def job_types(self) -> list[d.JobType]:
        return JOB_TYPES

    def business_units(self) -> list[d.BusinessUnit]:
        return BUSINESS_UNITS

    def technicians(self) -> list[d.Technician]:
        return TECHNICIANS

    def employees(self) -> list[d.Employee]:
        return EMPLOYEES

    def cancel_reasons(self) -> list[d.Reason]:
        return CANCEL_REASONS

    def hold_reasons(self) -> list[d.Reason]:
        return HOLD_REASONS

    def tag_types(self, *, include_inactive: bool = False) -> list[d.TagType]:
        return TAG_TYPES

    def custom_field_definitions(self, *, include_inactive: bool = False) -> list[d.CustomFieldDefinition]:
        return []  # the jobs' custom fields carry their names (``raw["customFields"]``)

    # the calendar (the CacheStore calendar reads, on fixed data) ------------------------------------

    def zones(self) -> list[d.Zone]:
        return ZONES

    def teams(self) -> list[d.Team]:
        return TEAMS

    def business_hours(self) -> d.BusinessHours | None:
        return None  # the day view's default axis

    def arrival_windows(self) -> list[d.ArrivalWindow]:
        return []

    @property
    def calendar(self) -> tuple[list[CalendarRow], list[tuple[int, int, str]]]:
        if not hasattr(self, "_calendar"):
            self._calendar = _calendar(self)
        return self._calendar

    def calendar_appointments(self, start: datetime, end: datetime) -> list[CalendarRow]:
        return [row for row in self.calendar[0] if row[0].start is not None and start <= row[0].start < end]

    def calendar_assignments(self, start: datetime, end: datetime) -> list[tuple[int, int, str]]:
        ids = {row[0].id for row in self.calendar_appointments(start, end)}
        return [a for a in self.calendar[1] if a[0] in ids]

    def shifts_between(self, start: datetime, end: datetime) -> list[d.Shift]:
        out: list[d.Shift] = []
        day = datetime(2025, 5, 12, tzinfo=UTC)  # Monday of NOW's week
        for n in range(14):
            if (day + timedelta(days=n)).weekday() >= 5:
                continue
            for tech in TECHNICIANS:
                if tech.id == 103 and n == 2:
                    continue  # D. Novak is off on Wednesday
                begin = day + timedelta(days=n, hours=8 if tech.id == 102 else 7)
                shift = d.Shift(id=tech.id * 100 + n, technician_id=tech.id, kind="Normal", start=begin,
                                end=begin + timedelta(hours=10))
                if begin < end and begin + timedelta(hours=10) > start:
                    out.append(shift)
        return out


CalendarRow = tuple[d.Appointment, str, str, str, str]


def _calendar(source: FakeSource) -> tuple[list[CalendarRow], list[tuple[int, int, str]]]:
    """Appointments for the week of NOW (Mon 12 - Sun 18 May 2025, UTC), each kind of signal on Wednesday."""
    rnd = random.Random(11)
    rows: list[CalendarRow] = []
    assignments: list[tuple[int, int, str]] = []
    day0 = datetime(2025, 5, 12, tzinfo=UTC)
    # (day offset, start hour, hours, window hours or 0, status, confirmed, technicians)
    plan = [
        (2, 6.0, 2.0, 0, "Working", True, (100,)),        # running over (Working past its 08:00 end)
        (2, 9.0, 2.5, 2, "Scheduled", True, (100,)),
        (2, 13.0, 2.0, 3, "Scheduled", False, (100,)),    # unconfirmed within 24 h
        (2, 7.0, 1.5, 1, "Dispatched", True, (101,)),     # late: window ended 08:00, not working
        (2, 10.0, 3.0, 2, "Hold", True, (101,)),
        (2, 15.0, 1.0, 1, "Scheduled", True, (101, 102)),
        (2, 8.0, 1.0, 0, "Done", True, (102,)),
        (2, 11.0, 4.0, 4, "Dispatched", True, (102,)),
        (2, 9.5, 2.0, 2, "Scheduled", False, ()),         # unassigned
        (2, 14.0, 1.5, 2, "Canceled", False, ()),
        (3, 7.5, 2.0, 2, "Scheduled", False, (103,)),     # tomorrow, unconfirmed, 23 h ahead
        (3, 12.0, 2.0, 2, "Scheduled", True, ()),
    ]
    for offset in (0, 1, 3, 4):
        for tech in TECHNICIANS:
            for _ in range(rnd.randint(1, 3)):
                plan.append((offset, rnd.choice((7, 8, 9, 10, 12, 13, 15)), rnd.choice((1, 1.5, 2, 3)), 2,
                             "Done" if offset < 2 else "Scheduled", True, (tech.id,)))
    for n, (offset, hour, hours, window, status, confirmed, techs) in enumerate(plan):
        row = source.rows[n]
        start = day0 + timedelta(days=offset, hours=hour)
        appointment = d.Appointment(
            id=9000 + n, job_id=row.id, number=f"{row.number}-1", start=start, end=start + timedelta(hours=hours),
            arrival_window_start=start if window else None,
            arrival_window_end=start + timedelta(hours=window) if window else None,
            status=d.AppointmentStatus.parse(status), confirmed=confirmed)
        rows.append((appointment, row.number, row.customer, row.priority, row.status))
        assignments.extend((appointment.id, tech, "Scheduled") for tech in techs)
    rows.sort(key=lambda r: (r[0].start, r[0].id))
    return rows, assignments


_OVERLAP_DAY = datetime(2025, 5, 14, tzinfo=UTC)


class OverlapSource(FakeSource):
    """K. Okafor has three appointments at once (09:00, 09:30, 10:00, four hours each) and one at 14:00; M. Chen
    one at 09:00; R. Alvarez one from 22:00 past midnight (clipped at the axis' end); four unassigned ones at
    08:00 (one more sub-row than a lane shows, STACK_SHOWN = 3, when the cursor is elsewhere)."""

    @property
    def calendar(self) -> tuple[list[CalendarRow], list[tuple[int, int, str]]]:
        plan = [(9, 4, (101,)), (9.5, 4, (101,)), (10, 4, (101,)), (14, 2, (101,)), (9, 2, (102,)),
                *((8, 3, ()) for _ in range(3 + 1)), (22, 4, (100,))]
        rows: list[CalendarRow] = []
        assignments: list[tuple[int, int, str]] = []
        for n, (hour, hours, techs) in enumerate(plan):
            job = self.rows[n]
            start = _OVERLAP_DAY + timedelta(hours=hour)
            a = d.Appointment(id=9000 + n, job_id=job.id, number=f"{job.number}-1", start=start,
                              end=start + timedelta(hours=hours), status=d.AppointmentStatus.parse("Scheduled"),
                              confirmed=True)
            rows.append((a, job.number, f"Overlap {n}", "Normal", "Scheduled"))
            assignments.extend((a.id, tech, "Scheduled") for tech in techs)
        rows.sort(key=lambda r: (r[0].start, r[0].id))
        return rows, assignments


# ------------------------------------------------------------------ a fixed cache for the sync/project screens

FEEDS = [("job_types", "list"), ("project_statuses", "list"), ("technicians", "export"), ("customers", "export"),
         ("locations", "export"), ("projects", "export"), ("jobs", "export"), ("appointments", "export"),
         ("job_notes", "export"), ("project_notes", "export")]


def fixed_store(path: Path) -> CacheStore:
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
        "field_errors": {"reasonId": ["Cancel reason 4 was not found"]}}, expect="pending")
    held = outbox.enqueue(d.EditJob(7001, {"summary": "Chair wiring and data"}))
    outbox._set(held.id, "conflict", answer={
        "outcome": "conflict", "message": "job 7001 changed on the server since this was queued; confirm to "
        "send it anyway, or drop it", "base_modified_on": "2025-05-14T06:00:00Z",
        "server_modified_on": "2025-05-14T07:00:00Z"}, expect="pending")
    queued = d.format_datetime(NOW - timedelta(minutes=10))
    with store.transaction() as conn:  # the outbox stamps the wall clock; snapshots need fixed times
        conn.execute("UPDATE outbox SET created_at = ?, updated_at = ?", (queued, queued))
        conn.execute("UPDATE outbox SET attempts = 1 WHERE id IN (?, ?)", (refused.id, held.id))  # each tried once
    return store


class FakeLive:
    """What the board asks of ``app.live``, frozen and offline: no loop, no network; writes are queued in the
    real outbox of ``store`` and never sent (a ``LiveSession``)."""

    synced_by_service = False

    def __init__(self, store: CacheStore) -> None:
        from jpm_tui.cache.live import LiveState
        from jpm_tui.cache.outbox import Outbox
        from jpm_tui.cache.sync import SyncProgress

        self.store = store
        self.outbox: Outbox = Outbox(store)
        self.engine: SyncEngine | None = None
        self.state: LiveState = LiveState(last_sync=NOW - timedelta(minutes=3), outbox=3)
        self.running = True
        self.paused = False
        self.resync_requested: list[str] = []
        self.progress: dict[str, SyncProgress] = {
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

    @property
    def refusal(self) -> str | None:
        return None  # a board's own file takes writes offline too

    @property
    def queued_words(self) -> tuple[str, str]:
        from jpm_tui.cache.live import QUEUED_OFFLINE

        return QUEUED_OFFLINE

    def lost_cache(self, error: BaseException) -> bool:
        return False

    def write_marks(self, target_kind: str) -> dict[int, str]:
        return self.outbox.pending_ids(target_kind)

    async def run(self, on_change: Callable[[LiveState], None],
                  on_progress: Callable[[SyncProgress], None] | None = None) -> None:
        """Nothing to run: the state above stays as it is (returns at once, so tests can wait for workers)."""

    async def aclose(self) -> None:
        pass

    @property
    def reads_from_server(self) -> bool:
        return False  # offline: nothing is read

    async def read_opened_job(self, job_id: int) -> bool:
        return False  # offline: nothing is read

    async def enqueue(self, command: d.Command, replaces: int | None = None) -> OutboxEntry:
        return self.outbox.enqueue(command) if replaces is None else self.outbox.replace(replaces, command)

    async def retry(self, entry_id: int) -> OutboxEntry:
        """Offline: back to pending, not sent."""
        self.outbox.retry(entry_id)
        return self.outbox.get(entry_id)

    async def confirm(self, entry_id: int) -> OutboxEntry:
        return await self.outbox.confirm(entry_id)

    async def drop(self, entry_id: int) -> OutboxEntry:
        return self.outbox.drop(entry_id)

    def sync_now(self) -> None:
        pass

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def resync(self, feed: str) -> str:
        """As ``LiveCache`` before its sync started (no engine: nothing to resync)."""
        from jpm_tui.cache.sync import SyncError

        raise SyncError("the sync has not started yet")
