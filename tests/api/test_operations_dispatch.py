"""Every DispatchApi operation against the sandbox over real HTTP, checking the sandbox's state after writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.api_live import active_ids, collect, drain

from jpm_tui.api.models import (
    AppointmentAssignment,
    AssignmentStatus,
    AssignTechniciansRequest,
    ExportAppointmentAssignment,
    UnassignTechniciansRequest,
    parse_rows,
)


def _unassigned_appointment(state):
    assigned = {a["appointmentId"] for a in state["appointment_assignments"].values() if a.get("active", True)}
    for appt in state["appointments"].values():
        if appt["status"] == "Scheduled" and appt["id"] not in assigned:
            return appt
    pytest.fail("the sandbox seed has no scheduled appointment without technicians")


def _technicians(state, n=2):
    techs = [t for t in state["technicians"].values() if t.get("active")][:n]
    assert len(techs) == n
    return techs


async def test_list_and_iter_appointment_assignments(st, state):
    page = await st.dispatch.list_appointment_assignments(page_size=5, include_total=True)
    assert page.total_count == len(active_ids(state["appointment_assignments"].values()))
    assert len(page.data) <= 5 and all(isinstance(a, AppointmentAssignment) for a in page.data)
    every = await collect(st.dispatch.iter_appointment_assignments(active="Any", page_size=50))
    assert {a.id for a in every} == {a["id"] for a in state["appointment_assignments"].values()}
    one = every[0]
    by_appt = await st.dispatch.list_appointment_assignments(appointment_ids=[one.appointment_id], active="Any")
    assert one.id in {a.id for a in by_appt.data}
    assert all(a.appointment_id == one.appointment_id for a in by_appt.data)


async def test_assign_and_unassign_technicians(st, state):
    appt = _unassigned_appointment(state)
    t1, t2 = _technicians(state)
    answer = await st.dispatch.assign_technicians(
        AssignTechniciansRequest(job_appointment_id=appt["id"], technician_ids=[t1["id"], t2["id"]])
    )
    assert answer.id == appt["id"]
    rows = [
        a for a in state["appointment_assignments"].values()
        if a["appointmentId"] == appt["id"] and a.get("active", True)
    ]
    assert sorted(a["technicianId"] for a in rows) == sorted([t1["id"], t2["id"]])

    await st.dispatch.unassign_technicians(
        UnassignTechniciansRequest(job_appointment_id=appt["id"], technician_ids=[t1["id"]])
    )
    rows = [
        a for a in state["appointment_assignments"].values()
        if a["appointmentId"] == appt["id"] and a.get("active", True)
    ]
    assert [a["technicianId"] for a in rows] == [t2["id"]]
    listed = await st.dispatch.list_appointment_assignments(appointment_ids=[appt["id"]])
    assert [a.technician_id for a in listed.data] == [t2["id"]]
    assert listed.data[0].status in (AssignmentStatus.SCHEDULED, "Scheduled")


async def test_export_appointment_assignments(st, state):
    rows = await drain(st.dispatch.export_appointment_assignments())
    models = parse_rows(ExportAppointmentAssignment, rows)
    assert {m.id for m in models} <= {a["id"] for a in state["appointment_assignments"].values()}
    assert active_ids(state["appointment_assignments"].values()) <= {m.id for m in models}


async def test_technician_shifts(st, state):
    shifts = await collect(st.dispatch.iter_technician_shifts(active="Any"))
    assert {s.id for s in shifts} == {s["id"] for s in state["technician_shifts"].values()}
    one = shifts[0]
    got = await st.dispatch.get_technician_shift(one.id)
    assert got.id == one.id and got.technician_id == one.technician_id
    page = await st.dispatch.list_technician_shifts(technician_id=one.technician_id, active="Any")
    assert page.data and all(s.technician_id == one.technician_id for s in page.data)


async def test_zones(st, state):
    zones = await collect(st.dispatch.iter_zones(active="Any"))
    assert {z.id for z in zones} == {z["id"] for z in state["zones"].values()}
    page = await st.dispatch.list_zones(page_size=1, include_total=True)
    assert len(page.data) == 1 and page.total_count == len(active_ids(state["zones"].values()))
    assert (await st.dispatch.get_zone(zones[0].id)).name == zones[0].name


async def test_teams(st, state):
    teams = await collect(st.dispatch.iter_teams(include_inactive=True))
    assert {t.id for t in teams} == {t["id"] for t in state["teams"].values()}
    page = await st.dispatch.list_teams()
    assert {t.id for t in page.data} == active_ids(state["teams"].values())
    assert (await st.dispatch.get_team(teams[0].id)).id == teams[0].id


async def test_arrival_windows(st, state):
    page = await st.dispatch.list_arrival_windows(active="Any")
    assert {w.id for w in page.data} == {w["id"] for w in state["arrival_windows"].values()}
    assert len(await collect(st.dispatch.iter_arrival_windows(active="Any"))) == len(page.data)
    stored = {w["id"]: w for w in state["arrival_windows"].values()}
    for w in page.data:  # TimeSpan text on the wire, timedeltas in the model, the same text written back
        assert timedelta(0) <= w.start < timedelta(days=1) and timedelta(0) < w.duration <= timedelta(days=1)
        assert w.model_dump(mode="json")["start"] == stored[w.id]["start"]
        assert w.model_dump(mode="json")["duration"] == stored[w.id]["duration"]


async def test_business_hours(st, state):
    hours = await st.dispatch.get_business_hours()
    stored = next(iter(state["business_hours"].values()), None)
    if stored is not None and "weekdays" in stored:
        assert [r.from_hour for r in hours.weekdays] == [r["fromHour"] for r in stored["weekdays"]]
    assert all(0 <= r.from_hour < r.to_hour <= 24 for r in hours.weekdays)
