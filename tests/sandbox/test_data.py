"""The seeded data generator: deterministic, referentially whole, shaped like the documents, realistic."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest
from support.st_docs import _FORMATS, REFERENCE, _to_json_schema, load_doc

from jpm_tui.sandbox.data import EXPORT_OMITS, LIST_OMITS, NEWER_FIELDS, PINNED_NOTE, generate
from jpm_tui.sandbox.state import COLLECTIONS, parse_iso

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # a Monday, 08:00 in Phoenix
JOBS = 300
SAMPLE = 25


@pytest.fixture(scope="module")
def world() -> dict[str, list[dict]]:
    """The tests' world: with the hostile texts."""
    return generate(seed=7, jobs=JOBS, now=NOW, hostile=True)


def by_id(world, name: str) -> dict[int, dict]:
    return {r["id"]: r for r in world[name]}


def when(text: str) -> datetime:
    value = parse_iso(text)
    assert value is not None, text
    return value


# ------------------------------------------------------------------------------------ determinism


def test_keys_are_the_state_collections(world):
    assert list(world) == list(COLLECTIONS)
    assert all(world[name] for name in COLLECTIONS if name != "business_hours") and world["business_hours"]


def test_same_arguments_same_output(world):
    assert generate(seed=7, jobs=JOBS, now=NOW, hostile=True) == world


def test_other_seed_or_clock_changes_the_output(world):
    assert generate(seed=8, jobs=JOBS, now=NOW)["jobs"] != world["jobs"]
    assert generate(seed=7, jobs=JOBS, now=NOW + timedelta(days=1))["appointments"] != world["appointments"]


def test_ids_are_unique_servicetitan_like_integers(world):
    for name, records in world.items():
        ids = [r["id"] for r in records]
        assert len(ids) == len(set(ids)), name
        assert all(isinstance(i, int) and not isinstance(i, bool) for i in ids), name
    assert all(10_000_000 <= j["id"] < 1_000_000_000 for j in world["jobs"])


@pytest.mark.parametrize("jobs, techs", [(100, 6), (1000, 40), (10_000, 400)])
def test_technicians_scale_with_jobs(jobs, techs):
    world = generate(seed=1, jobs=jobs, now=NOW)
    assert len(world["jobs"]) == jobs
    assert len(world["technicians"]) == techs


# ---------------------------------------------------------------------------- referential integrity


def test_jobs_point_at_existing_records(world):
    customers, locations = by_id(world, "customers"), by_id(world, "locations")
    job_types, units = by_id(world, "job_types"), by_id(world, "business_units")
    projects, appointments = by_id(world, "projects"), by_id(world, "appointments")
    people = by_id(world, "employees") | by_id(world, "technicians")
    for job in world["jobs"]:
        assert job["customerId"] in customers
        assert locations[job["locationId"]]["customerId"] == job["customerId"]
        assert job["businessUnitId"] in units
        assert job["businessUnitId"] in job_types[job["jobTypeId"]]["businessUnitIds"]
        assert job["createdById"] in people
        assert job["soldById"] is None or job["soldById"] in people
        assert set(job["tagTypeIds"]) <= set(by_id(world, "tag_types"))
        for key in ("firstAppointmentId", "lastAppointmentId"):
            assert appointments[job[key]]["jobId"] == job["id"]
        if job["projectId"] is not None:
            project = projects[job["projectId"]]
            assert job["id"] in project["jobIds"] and job["locationId"] == project["locationId"]


def test_appointments_and_assignments_hold_together(world):
    jobs, appointments, technicians = by_id(world, "jobs"), by_id(world, "appointments"), by_id(world, "technicians")
    per_job = Counter(a["jobId"] for a in world["appointments"])
    for job in world["jobs"]:
        assert per_job[job["id"]] == job["appointmentCount"]
    for appointment in world["appointments"]:
        assert jobs[appointment["jobId"]]["customerId"] == appointment["customerId"]
    for assignment in world["appointment_assignments"]:
        appointment = appointments[assignment["appointmentId"]]
        assert assignment["jobId"] == appointment["jobId"]
        tech = technicians[assignment["technicianId"]]
        assert tech["active"] and assignment["technicianName"] == tech["name"]
    for summary in world["appointment_summaries"]:
        assert summary["technicianId"] in technicians
        assert appointments[summary["appointmentId"]]["status"] == "Done"


def test_logs_and_notes_point_at_jobs_projects_and_parents(world):
    jobs = by_id(world, "jobs")
    for name in ("job_notes", "job_history", "job_canceled_logs", "job_booked_logs"):
        assert all(r["jobId"] in jobs for r in world[name]), name
    assert {h["jobId"] for h in world["job_history"]} == set(jobs)
    assert {b["jobId"] for b in world["job_booked_logs"]} == set(jobs)
    assert all(n["projectId"] in by_id(world, "projects") for n in world["project_notes"])
    for child, key, parent in (("customer_contacts", "customerId", "customers"),
                               ("customer_notes", "customerId", "customers"),
                               ("location_contacts", "locationId", "locations"),
                               ("location_notes", "locationId", "locations"),
                               ("locations", "customerId", "customers")):
        parents = by_id(world, parent)
        assert all(r[key] in parents for r in world[child]), child
    for booking in world["bookings"]:
        if booking["jobId"] is not None:
            assert jobs[booking["jobId"]]["bookingId"] == booking["id"]


def test_settings_and_dispatch_references(world):
    units, zones, roles = by_id(world, "business_units"), by_id(world, "zones"), by_id(world, "user_roles")
    teams = {t["name"] for t in world["teams"]}
    for tech in world["technicians"]:
        assert tech["businessUnitId"] in units and tech["mainZoneId"] in tech["zoneIds"]
        assert set(tech["zoneIds"]) <= set(zones) and set(tech["roleIds"]) <= set(roles)
        assert tech["team"] in teams
    techs = by_id(world, "technicians")
    for name in ("technician_shifts", "non_job_appointments"):
        assert all(r["technicianId"] in techs for r in world[name]), name
    for zone in world["zones"]:
        assert all(zones[zone["id"]]["id"] in techs[t]["zoneIds"] for t in zone["technicians"])
    staff = world["technicians"] + world["employees"]
    assert len({p["loginName"] for p in staff}) == len(staff)
    statuses = by_id(world, "project_statuses")
    assert all(s["statusId"] in statuses for s in world["project_substatuses"])


def test_budget_codes_bind_existing_segment_items(world):
    segments, items = by_id(world, "wbs_segments"), by_id(world, "wbs_segment_items")
    assert all(i["segmentId"] in segments and (i["parentId"] is None or i["parentId"] in items) for i in items.values())
    for code in world["budget_codes"]:
        assert {"id", "code", "description", "segments", "projectId"} <= set(code)
        for part in code["segments"]:
            assert items[part["segmentItemId"]]["segmentId"] == part["segmentId"]


def test_timestamps_are_ordered_and_not_in_the_future(world):
    for name, records in world.items():
        for record in records:
            if "createdOn" in record and "modifiedOn" in record:
                assert when(record["createdOn"]) <= when(record["modifiedOn"]) <= NOW, (name, record["id"])
    for job in world["jobs"]:
        dates = [when(e["date"]) for e in next(h for h in world["job_history"] if h["jobId"] == job["id"])["history"]]
        assert dates == sorted(dates) and dates[-1] <= NOW
        assert job["createdOn"].endswith("Z") and len(job["createdOn"]) == 20


# -------------------------------------------------------------------------------------- realism


def today_appointments(world) -> list[dict]:
    start = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # local midnight in Phoenix (UTC-7)
    return [a for a in world["appointments"] if start <= when(a["start"]) < start + timedelta(days=1)]


def test_calendar_is_busy_today_and_spread_over_weeks(world):
    # Before, a third of all appointments were stacked on today; now today is one working day of several.
    techs_today = {x["technicianId"] for x in world["appointment_assignments"]
                   if x["appointmentId"] in {a["id"] for a in today_appointments(world)}}
    on_shift = {s["technicianId"] for s in world["technician_shifts"] if s["shiftType"] == "Normal"
                and when(s["start"]).date() == NOW.date()}
    assert len(techs_today) >= 0.8 * len(on_shift)
    starts = [when(a["start"]) for a in world["appointments"]]
    assert min(starts) < NOW - timedelta(days=5) and max(starts) > NOW + timedelta(days=10)


LOCAL = timedelta(hours=-7)  # Phoenix


def schedule(world) -> dict[tuple[int, object], list[tuple[datetime, datetime]]]:
    """(technician id, local day) -> sorted (start, end) of the appointments assigned to them."""
    appointments = by_id(world, "appointments")
    days: dict[tuple[int, object], list] = {}
    for assignment in world["appointment_assignments"]:
        a = appointments[assignment["appointmentId"]]
        start, end = when(a["start"]), when(a["end"])
        days.setdefault((assignment["technicianId"], (start + LOCAL).date()), []).append((start, end))
    return {key: sorted(v) for key, v in days.items()}


def shifts(world) -> dict[tuple[int, object], timedelta]:
    """(technician id, local day) -> the hours their shifts starting that day add up to (a call-out is an
    on-call shift of its own, beside the regular one)."""
    out: dict[tuple[int, object], timedelta] = {}
    for s in world["technician_shifts"]:
        if s["shiftType"] != "TimeOff":
            key = (s["technicianId"], (when(s["start"]) + LOCAL).date())
            out[key] = out.get(key, timedelta()) + when(s["end"]) - when(s["start"])
    return out


class Seen(dict):
    """A generated world and the `now` it was generated at."""

    def __init__(self, records: dict[str, list[dict]], now: datetime) -> None:
        super().__init__(records)
        self.now = now


# The hours a dispatcher may open the board at (Phoenix time in the names; Phoenix is UTC-7): the invariants
# below hold at every one of them. Small worlds keep them quick; the tiny one has a technician per trade.
WORLDS = {
    "sun-21:41-big": (3, 4000, datetime(2026, 11, 30, 4, 41, tzinfo=UTC)),
    "mon-00:20": (1, 200, datetime(2026, 11, 30, 7, 20, tzinfo=UTC)),
    "mon-00:20-tiny": (12, 100, datetime(2026, 11, 30, 7, 20, tzinfo=UTC)),
    "mon-03:00": (2, 200, datetime(2026, 11, 30, 10, 0, tzinfo=UTC)),
    "sun-17:05-utc-midnight": (4, 200, datetime(2026, 11, 30, 0, 5, tzinfo=UTC)),
    "sun-23:50": (5, 200, datetime(2026, 11, 30, 6, 50, tzinfo=UTC)),
    "sat-23:50": (8, 200, datetime(2026, 11, 29, 6, 50, tzinfo=UTC)),
    "sun-11:00": (6, 200, datetime(2026, 11, 29, 18, 0, tzinfo=UTC)),
    "tue-19:30": (9, 200, datetime(2026, 11, 25, 2, 30, tzinfo=UTC)),
    "wed-09:10-tiny": (10, 100, datetime(2026, 11, 25, 16, 10, tzinfo=UTC)),
}


@pytest.fixture(scope="module", params=["mon-08:00", *WORLDS])
def any_world(request, world) -> Seen:
    if request.param == "mon-08:00":
        return Seen(world, NOW)
    seed, jobs, now = WORLDS[request.param]
    return Seen(generate(seed=seed, jobs=jobs, now=now), now)


def test_no_technician_is_in_two_places_at_once(any_world):
    for key, visits in schedule(any_world).items():
        for (_, end), (start, _) in zip(visits, visits[1:]):
            assert start >= end, key


def test_daily_booked_hours_fit_the_shift(any_world):
    worked = shifts(any_world)
    for key, visits in schedule(any_world).items():
        booked = sum((end - start for start, end in visits), timedelta())
        if key in worked:
            assert booked <= worked[key] + timedelta(hours=1), key
        assert len(visits) <= 6, key


def test_appointments_on_days_without_a_shift_are_rare(any_world):
    worked = shifts(any_world)
    days = schedule(any_world)
    off = [key for key in days if key not in worked]
    assert len(off) <= max(5, len(days) // 100)


def test_assigned_visits_lie_within_their_technicians_shifts(any_world):
    # What the calendar draws: a visit starts in one of its technician's shifts and ends at most an hour past
    # it (a call-out before the regular shift may run into it: their shifts are joined).
    spans: dict[int, list[list[datetime]]] = {}
    for s in sorted(any_world["technician_shifts"], key=lambda s: s["start"]):
        if s["shiftType"] != "TimeOff":
            runs = spans.setdefault(s["technicianId"], [])
            if runs and runs[-1][1] == when(s["start"]):
                runs[-1][1] = when(s["end"])
            else:
                runs.append([when(s["start"]), when(s["end"])])
    appointments = by_id(any_world, "appointments")
    for assignment in any_world["appointment_assignments"]:
        a = appointments[assignment["appointmentId"]]
        start, end = when(a["start"]), when(a["end"])
        assert any(s <= start <= e and end <= e + timedelta(hours=1)
                   for s, e in spans.get(assignment["technicianId"], ())), (a["id"], a["start"], a["end"])


def test_visits_have_realistic_lengths_windows_and_hours(any_world):
    for a in any_world["appointments"]:
        start, end = when(a["start"]), when(a["end"])
        assert timedelta(minutes=30) <= end - start <= timedelta(hours=8)
        if a["arrivalWindowStart"]:
            window = when(a["arrivalWindowStart"]), when(a["arrivalWindowEnd"])
            assert window[0] <= start <= window[1] and window[1] - window[0] <= timedelta(hours=4), a["id"]
    assigned = {x["appointmentId"] for x in any_world["appointment_assignments"]}
    hours = Counter((when(a["start"]) + LOCAL).hour for a in any_world["appointments"] if a["id"] in assigned)
    assert sum(n for h, n in hours.items() if 7 <= h < 17) >= 0.9 * sum(hours.values())


def test_status_follows_time(any_world):
    now = any_world.now
    assigned = {x["appointmentId"] for x in any_world["appointment_assignments"]}
    for a in any_world["appointments"]:
        start, end = when(a["start"]), when(a["end"])
        if a["status"] == "Done":
            assert end <= now
        if a["status"] in ("Scheduled", "Hold"):
            assert end > now
        if a["status"] in ("Working", "Dispatched", "Done"):
            assert a["id"] in assigned
        if a["status"] == "Working":
            assert start <= now
        if a["status"] == "Dispatched":  # on the way: to a visit due by now or within a couple of hours
            assert start <= now + timedelta(hours=2), a["id"]


def test_no_technician_works_two_visits_at_once(any_world):
    appointments = by_id(any_world, "appointments")
    working = Counter(x["technicianId"] for x in any_world["appointment_assignments"]
                      if appointments[x["appointmentId"]]["status"] == "Working")
    assert all(n == 1 for n in working.values()), working


def test_the_boards_alerts_are_there_and_true_at_any_hour(any_world):
    now, appointments = any_world.now, any_world["appointments"]
    jobs = by_id(any_world, "jobs")
    # late: dispatched or scheduled, the arrival window closed, not working (the visit was due before now)
    late = [a for a in appointments if a["status"] in ("Scheduled", "Dispatched")
            and a["arrivalWindowEnd"] and when(a["arrivalWindowEnd"]) < now]
    assert late and all(when(a["start"]) < now for a in late)
    # running over: working, started, its planned end gone by
    over = [a for a in appointments if a["status"] == "Working" and when(a["end"]) < now]
    assert over and all(when(a["start"]) < now for a in over)
    # just booked: in the last hour, for the next opening within a day, not confirmed with the customer yet
    booked = [a for a in appointments if a["status"] == "Scheduled" and not a["isConfirmed"]
              and now < when(a["start"]) <= now + timedelta(hours=24)
              and now - timedelta(hours=1) <= when(jobs[a["jobId"]]["createdOn"]) <= now]
    assert booked


def test_held_visits_say_why_and_wait_ahead(any_world):
    jobs = by_id(any_world, "jobs")
    held = [a for a in any_world["appointments"] if a["status"] == "Hold"]
    assert held
    for a in held:
        job = jobs[a["jobId"]]
        assert job["jobStatus"] == "Hold" and a["id"] == job["lastAppointmentId"]
        assert a["_hold"]["reasonId"] == job["_hold"]["reasonId"] and when(a["start"]) > any_world.now


def test_a_few_unassigned_appointments_not_stacked(any_world):
    assigned = {x["appointmentId"] for x in any_world["appointment_assignments"]}
    waiting = [a for a in any_world["appointments"] if a["status"] in ("Scheduled", "Hold")]
    unassigned = [a for a in waiting if a["id"] not in assigned]
    assert unassigned and len(unassigned) <= 0.12 * len(waiting)
    assert max(Counter(a["start"] for a in unassigned).values()) <= max(3, len(unassigned) // 20)


def test_same_seed_same_schedule_at_scale():
    now = datetime(2026, 11, 30, 4, 41, tzinfo=UTC)
    first, second = generate(seed=11, jobs=2000, now=now), generate(seed=11, jobs=2000, now=now)
    for name in ("appointments", "appointment_assignments", "technician_shifts", "jobs"):
        assert first[name] == second[name], name


def test_statuses_are_spread(world):
    jobs = Counter(j["jobStatus"] for j in world["jobs"])
    assert set(jobs) == {"Scheduled", "Dispatched", "InProgress", "Hold", "Completed", "Canceled"}
    assert jobs["Scheduled"] + jobs["Dispatched"] + jobs["Completed"] > 0.7 * JOBS
    assert set(Counter(a["status"] for a in world["appointments"])) == {
        "Scheduled", "Dispatched", "Working", "Hold", "Done", "Canceled"}
    assert any(not a["isConfirmed"] for a in world["appointments"])


def test_assignments_follow_appointment_status(world):
    assigned = {a["appointmentId"] for a in world["appointment_assignments"]}
    by_status = {}
    for appointment in world["appointments"]:
        by_status.setdefault(appointment["status"], []).append(appointment["id"] in assigned)
    assert all(by_status["Dispatched"]) and all(by_status["Working"]) and all(by_status["Done"])
    assert not any(by_status["Canceled"])
    assert any(by_status["Scheduled"]) and not all(by_status["Scheduled"])


def test_canceled_and_held_jobs_carry_their_reasons(world):
    logs = {log["jobId"]: log for log in world["job_canceled_logs"]}
    cancel_reasons, hold_reasons = by_id(world, "job_cancel_reasons"), by_id(world, "job_hold_reasons")
    for job in world["jobs"]:
        if job["jobStatus"] == "Canceled":
            assert logs[job["id"]]["reasonId"] in cancel_reasons
        if job["jobStatus"] == "Hold":
            assert job["_hold"]["reasonId"] in hold_reasons
    assert set(logs) == {j["id"] for j in world["jobs"] if j["jobStatus"] == "Canceled"}


def test_hostile_text_is_present(world):
    summaries = [j["summary"] or "" for j in world["jobs"]]
    assert any("[bold red]URGENT[/]" in s for s in summaries)
    assert any("\x1b[31m" in s and "\U0001F525" in s for s in summaries)
    assert any("\n" in s for s in summaries)
    assert any("\x1b" in n["text"] and n["isPinned"] for n in world["job_notes"])
    assert any("[reverse]" in c["name"] and "\x1b" in c["name"] for c in world["customers"])
    hostile_jobs = {j["id"] for j in world["jobs"] if "\x1b" in (j["summary"] or "") or "[/]" in (j["summary"] or "")}
    assert hostile_jobs & {a["jobId"] for a in today_appointments(world)}


# What a text shows a terminal or a markup parser: escapes and control characters (a summary's second line aside),
# bidi and zero-width characters, Rich/Textual markup tags. (HTML is not: a business unit's invoice header is HTML.)
UNTRUSTED_LOOKING = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]|\[/|\[[a-z ]+\]")


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def test_a_plain_world_holds_the_same_records_without_the_hostile_texts(world):
    """What --demo opens on: the hostile world's records, where only the hostile texts read as the company's day."""
    plain = generate(seed=7, jobs=JOBS, now=NOW)
    differing = Counter((name, key) for name in world for a, b in zip(world[name], plain[name], strict=True)
                        for key in a if a[key] != b[key])
    assert differing == {("jobs", "summary"): 4, ("job_notes", "text"): 1, ("customers", "name"): 1,
                         # what takes the customer's name: its site, its e-mail address, a project at its site
                         ("locations", "name"): 1, ("customer_contacts", "value"): 1, ("projects", "name"): 1}
    assert [t for t in _texts(world) if UNTRUSTED_LOOKING.search(t)]  # the pattern finds the hostile texts
    assert [t for t in _texts(plain) if UNTRUSTED_LOOKING.search(t)] == []
    first = sorted(plain["jobs"], key=lambda j: j["jobNumber"])[:4]
    kinds = {k["id"]: k for k in plain["job_types"]}
    assert all(j["summary"] and kinds[j["jobTypeId"]] for j in first)
    assert {n["text"] for n in plain["job_notes"] if n["isPinned"]} >= {PINNED_NOTE}


def test_customers_look_like_a_phoenix_trades_book(world):
    kinds = Counter(c["type"] for c in world["customers"])
    assert kinds["Residential"] > kinds["Commercial"] > 0
    assert any(c["name"].endswith(" Residence") for c in world["customers"])
    for location in world["locations"]:
        address = location["address"]
        assert address["state"] == "AZ" and address["zip"].startswith("85")
        assert 33.0 < address["latitude"] < 34.0 and -112.5 < address["longitude"] < -111.5
    assert {c["type"] for c in world["customer_contacts"]} == {"Phone", "MobilePhone", "Email"}


# ------------------------------------------------------------------------------ document shapes

# collection -> [(module, schema, shape)]; shape says which omit map applies.
DOCUMENTED = {
    "jobs": [("jpm", "Jpm.V2.JobResponse", "list"), ("jpm", "Jpm.V2.ExportJobsResponse", "export")],
    "appointments": [("jpm", "Jpm.V2.AppointmentResponse", "list"),
                     ("jpm", "Jpm.V2.ExportAppointmentsResponse", "export")],
    "projects": [("jpm", "Jpm.V2.ProjectResponse", "list"), ("jpm", "Jpm.V2.ExportProjectsResponse", "export")],
    "job_types": [("jpm", "Jpm.V2.JobTypeResponse", "list")],
    "job_cancel_reasons": [("jpm", "Jpm.V2.JobCancelReasonResponse", "list")],
    "job_hold_reasons": [("jpm", "Jpm.V2.JobHoldReasonResponse", "list")],
    "job_notes": [("jpm", "Jpm.V2.NoteResponse", "list"), ("jpm", "Jpm.V2.ExportJobNotesResponse", "export")],
    "project_notes": [("jpm", "Jpm.V2.NoteResponse", "list"),
                      ("jpm", "Jpm.V2.ExportProjectNotesResponse", "export")],
    "job_history": [("jpm", "Jpm.V2.JobHistoryResponse", "list"),
                    ("jpm", "Jpm.V2.ExportJobHistoryResponse", "export")],
    "job_canceled_logs": [("jpm", "Jpm.V2.JobCanceledLogResponse", "list"),
                          ("jpm", "Jpm.V2.ExportJobCanceledLogResponse", "export")],
    "job_booked_logs": [("jpm", "Jpm.V2.JobBookedLogResponse", "list")],
    "project_statuses": [("jpm", "Jpm.V2.ProjectStatusResponse", "list")],
    "project_substatuses": [("jpm", "Jpm.V2.ProjectSubStatusResponse", "list")],
    "project_types": [("jpm", "Jpm.V2.ProjectTypeResponse", "list")],
    "job_custom_field_types": [("jpm", "Jpm.V2.CustomFieldTypeResponse", "list")],
    "project_custom_field_types": [("jpm", "Jpm.V2.CustomFieldTypeResponse", "list")],
    "technicians": [("settings", "TenantSettings.V2.TechnicianResponse", "list"),
                    ("settings", "TenantSettings.V2.ExportTechnicianResponse", "export")],
    "employees": [("settings", "TenantSettings.V2.EmployeeResponse", "list"),
                  ("settings", "TenantSettings.V2.ExportEmployeeResponse", "export")],
    "business_units": [("settings", "TenantSettings.V2.BusinessUnitResponse", "list"),
                       ("settings", "TenantSettings.V2.ExportBusinessUnitResponse", "export")],
    "tag_types": [("settings", "TenantSettings.V2.TagTypeResponse", "list"),
                  ("settings", "TenantSettings.V2.ExportTagTypeResponse", "export")],
    "user_roles": [("settings", "TenantSettings.V2.UserRoleResponse", "list")],
    "appointment_assignments": [("dispatch", "Dispatch.V2.AppointmentAssignmentResponse", "list"),
                                ("dispatch", "Dispatch.V2.ExportAppointmentAssignmentsResponse", "export")],
    "technician_shifts": [("dispatch", "Dispatch.V2.TechnicianShiftResponse", "list")],
    "zones": [("dispatch", "Dispatch.V2.ZoneResponse", "list")],
    "teams": [("dispatch", "Dispatch.V2.TeamResponse", "list")],
    "arrival_windows": [("dispatch", "Dispatch.V2.ArrivalWindowResponse", "list")],
    "business_hours": [("dispatch", "Dispatch.V2.BusinessHourModel", "list")],
    "non_job_appointments": [("dispatch", "Dispatch.V2.NonJobAppointmentResponse", "list")],
    "customers": [("crm", "Crm.V2.Customers.CustomerResponse", "list"),
                  ("crm", "Crm.V2.ExportCustomerResponse", "export")],
    "locations": [("crm", "Crm.V2.Locations.LocationResponse", "list"),
                  ("crm", "Crm.V2.ExportLocationsResponse", "export")],
    "customer_contacts": [("crm", "Crm.V2.Customers.CustomerContactWithModifiedOnResponse", "list"),
                          ("crm", "Crm.V2.ExportCustomerContactResponse", "export")],
    "location_contacts": [("crm", "Crm.V2.LocationContactResponse", "list"),
                          ("crm", "Crm.V2.ExportLocationContactResponse", "export")],
    "customer_notes": [("crm", "Crm.V2.NoteResponse", "list")],
    "location_notes": [("crm", "Crm.V2.NoteResponse", "list")],
    "bookings": [("crm", "Crm.V2.BookingResponse", "list"), ("crm", "Crm.V2.ExportBookingResponse", "export")],
    "leads": [("crm", "Crm.V2.LeadResponse", "list"), ("crm", "Crm.V2.ExportLeadsResponse", "export")],
}
# Newer than the May 2025 documents; the generator's docstring describes their loose shapes.
UNDOCUMENTED = {"budget_codes", "wbs_segments", "wbs_segment_items", "appointment_summaries"}


def test_every_collection_is_checked_against_a_document_or_named_loose():
    assert set(DOCUMENTED) | UNDOCUMENTED == set(COLLECTIONS)


def trim(record: dict, drop: set[str]) -> dict:
    """The record as the wire shape sends it: `drop` names (dotted ones reach into list items) and
    private `_` keys removed."""
    out = {k: v for k, v in record.items() if k not in drop and not k.startswith("_")}
    for name in drop:
        outer, _, inner = name.partition(".")
        if inner and isinstance(out.get(outer), list):
            out[outer] = [{k: v for k, v in item.items() if k != inner} for item in out[outer]]
    return out


@pytest.mark.parametrize("collection, module, schema_name, shape", [
    (collection, *entry) for collection, entries in DOCUMENTED.items() for entry in entries
])
def test_records_match_the_documented_response_schema(world, collection, module, schema_name, shape):
    doc = load_doc(module)
    if doc is None:
        pytest.skip(f"ServiceTitan documents not found at {REFERENCE}")
    swagger2 = "swagger" in doc
    prefix = "#/definitions/" if swagger2 else "#/components/schemas/"
    schema = _to_json_schema(doc, {"$ref": prefix + schema_name}, swagger2=swagger2)
    omits = (LIST_OMITS if shape == "list" else EXPORT_OMITS).get(collection, ())
    # 2026 fields are dropped only where the document does not know them yet (export rows have `active`)
    newer = [f for f in NEWER_FIELDS.get(collection, ()) if f not in schema["properties"]]
    validator = jsonschema.Draft7Validator(schema, format_checker=_FORMATS)  # built once, not per record
    records = world[collection]
    for record in random.Random(collection).sample(records, min(SAMPLE, len(records))):
        validator.validate(trim(record, {*omits, *newer}))


def test_nullable_fields_are_sometimes_null_and_sometimes_set(world):
    for collection, field in (("jobs", "completedOn"), ("jobs", "projectId"), ("jobs", "total"),
                              ("appointments", "specialInstructions"), ("appointments", "arrivalWindowStart"),
                              ("projects", "actualCompletionDate")):
        values = [r[field] for r in world[collection]]
        assert None in values and any(v is not None for v in values), (collection, field)


@pytest.mark.parametrize("hour", [1, 12, 20])
def test_arrival_windows_hold_their_visits_whatever_the_hour(hour):
    # The day's scenario visits (late, running over, just booked) land where a technician is free, which may
    # be hours from where they were planned: their windows must go with them. (07:20 is WORLDS' "mon-00:20",
    # whose windows test_visits_have_realistic_lengths_windows_and_hours checks.)
    world = generate(seed=1, jobs=200, now=datetime(2026, 11, 30, hour, 20, tzinfo=UTC))
    for a in world["appointments"]:
        if a["arrivalWindowStart"]:
            assert when(a["arrivalWindowStart"]) <= when(a["start"]) <= when(a["arrivalWindowEnd"]), a["id"]
