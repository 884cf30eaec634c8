"""Dispatch routes of the sandbox over real HTTP: shapes per dispatch-v2.json, paging, filters, export
feed, writes that change state, and the business rules that refuse a write."""

from __future__ import annotations

import pytest
from support.st_docs import (
    assert_problem,
    check_documented,
    check_request,
    ensure_basics,
    export_all,
    module_client,
    server_state,
)

M = "dispatch"


@pytest.fixture
def api(sandbox_server, state):
    with module_client(sandbox_server, M) as client:
        yield client


@pytest.fixture
def state(sandbox_server, sandbox_state):
    st = server_state(sandbox_server, sandbox_state)
    ensure_basics(st)
    return st


def _techs(state, n=2):
    techs = [t for t in state["technicians"].values() if t.get("active")][:n]
    assert len(techs) == n, "the seed needs active technicians"
    return techs


def _appointment(state, status="Scheduled", start="2031-03-04T09:00:00Z", end="2031-03-04T11:00:00Z"):
    job = next(iter(state["jobs"].values()), None)
    return state["appointments"].insert({
        "jobId": job["id"] if job else 1, "appointmentNumber": "T-1", "start": start, "end": end,
        "arrivalWindowStart": None, "arrivalWindowEnd": None, "status": status, "specialInstructions": None,
        "customerId": job.get("customerId") if job else 1, "unused": False, "createdById": 1, "isConfirmed": False,
    })


def _assign(api, appointment_id, tech_ids):
    body = {"jobAppointmentId": appointment_id, "technicianIds": tech_ids}
    check_request(M, "post", "appointment-assignments/assign-technicians", body)
    return api.post("appointment-assignments/assign-technicians", json=body)


def _unassign(api, appointment_id, tech_ids):
    body = {"jobAppointmentId": appointment_id, "technicianIds": tech_ids}
    return api.post("appointment-assignments/unassign-technicians", json=body)


# ------------------------------------------------------------------------------ appointment assignments


def test_assignment_list_shape_paging_and_total(api):
    r = api.get("appointment-assignments", params={"pageSize": 2, "includeTotal": "true"})
    assert r.status_code == 200
    page = r.json()
    check_documented(M, "get", "appointment-assignments", page)
    assert page["page"] == 1 and page["pageSize"] == 2 and len(page["data"]) <= 2
    assert page["totalCount"] is not None
    assert page["hasMore"] == (page["totalCount"] > 2)
    assert all(row["active"] for row in page["data"])  # active=True by default


def test_assign_creates_rows_and_filters_find_them(api, state):
    appt = _appointment(state)
    t1, t2 = _techs(state)
    r = _assign(api, appt["id"], [t1["id"], t2["id"]])
    assert r.status_code == 200, r.text
    check_documented(M, "post", "appointment-assignments/assign-technicians", r.json())
    assert r.json()["id"] == appt["id"] and r.json()["status"] == "Scheduled"

    rows = api.get("appointment-assignments", params={"appointmentIds": str(appt["id"])}).json()["data"]
    assert sorted(row["technicianId"] for row in rows) == sorted([t1["id"], t2["id"]])
    assert {row["status"] for row in rows} == {"Scheduled"}
    assert rows[0]["technicianName"] in (t1["name"], t2["name"])
    by_id = api.get("appointment-assignments", params={"ids": ",".join(str(x["id"]) for x in rows)}).json()
    assert len(by_id["data"]) == 2
    by_job = api.get("appointment-assignments", params={"jobId": appt["jobId"], "pageSize": 5000}).json()["data"]
    assert {x["id"] for x in rows} <= {x["id"] for x in by_job}

    # assigning the same technician again is a no-op
    assert _assign(api, appt["id"], [t1["id"]]).status_code == 200
    assert len(api.get("appointment-assignments", params={"appointmentIds": str(appt["id"])}).json()["data"]) == 2


def test_unassign_deactivates_and_active_filter(api, state):
    appt = _appointment(state)
    t1, t2 = _techs(state)
    _assign(api, appt["id"], [t1["id"], t2["id"]])
    r = _unassign(api, appt["id"], [t1["id"]])
    assert r.status_code == 200, r.text
    check_documented(M, "post", "appointment-assignments/unassign-technicians", r.json())
    q = {"appointmentIds": str(appt["id"])}
    assert [x["technicianId"] for x in api.get("appointment-assignments", params=q).json()["data"]] == [t2["id"]]
    inactive = api.get("appointment-assignments", params={**q, "active": "False"}).json()["data"]
    assert [x["technicianId"] for x in inactive] == [t1["id"]] and inactive[0]["active"] is False
    assert len(api.get("appointment-assignments", params={**q, "active": "any"}).json()["data"]) == 2
    # re-assigning re-activates the same row
    _assign(api, appt["id"], [t1["id"]])
    assert len(api.get("appointment-assignments", params=q).json()["data"]) == 2


def test_unassign_refuses_working_or_done_technician(api, state):
    appt = _appointment(state, status="Working")
    t1, t2 = _techs(state)
    _assign(api, appt["id"], [t1["id"], t2["id"]])
    for row in state["appointment_assignments"].values():
        if row["appointmentId"] == appt["id"] and row["technicianId"] == t1["id"]:
            row["status"] = "Working"
    body = assert_problem(_unassign(api, appt["id"], [t1["id"], t2["id"]]), 400, "technicianIds")
    assert "working" in body["title"].lower()
    # nothing changed: both still assigned (the refusal is all-or-nothing)
    rows = api.get("appointment-assignments", params={"appointmentIds": str(appt["id"])}).json()["data"]
    assert len(rows) == 2


def test_assign_refusals(api, state):
    t1, _ = _techs(state)
    assert_problem(_assign(api, 999_999_999, [t1["id"]]), 400, "id")  # the document lists no 404 here
    appt = _appointment(state)
    body = assert_problem(_assign(api, appt["id"], [t1["id"], 888_888_888]), 400, "technicianIds")
    assert any("888888888" in m for m in body["errors"]["technicianIds"])
    assert_problem(_assign(api, appt["id"], []), 400, "technicianIds")
    canceled = _appointment(state, status="Canceled")
    assert_problem(_assign(api, canceled["id"], [t1["id"]]), 400)
    assert_problem(_unassign(api, appt["id"], [t1["id"]]), 400, "technicianIds")  # not assigned
    inactive = next((t for t in state["technicians"].values() if t.get("active") is False), None)
    if inactive is not None:
        assert_problem(_assign(api, appt["id"], [inactive["id"]]), 400, "technicianIds")


def test_assign_body_validation(api, state):
    appt = _appointment(state)
    t1, _ = _techs(state)
    path = "appointment-assignments/assign-technicians"
    assert_problem(api.post(path, json={"jobAppointmentId": appt["id"], "technicianIds": [t1["id"]], "x": 1}),
                   400, "x")
    assert_problem(api.post(path, json={"technicianIds": [t1["id"]]}), 400, "jobAppointmentId")
    assert_problem(api.post(path, json={"jobAppointmentId": "one", "technicianIds": [t1["id"]]}), 400,
                   "jobAppointmentId")
    assert_problem(api.post(path, content=b"not json", headers={"content-type": "application/json"}), 400)


def test_assignment_export_feed_sees_changes_after_token(api, state):
    rows, token = export_all(api, "export/appointment-assignments", {"active": "Any"})
    assert len(rows) == len(list(state["appointment_assignments"].values()))
    for row in rows[:20]:
        check_documented(M, "get", "export/appointment-assignments", {"hasMore": False, "continueFrom": "x",
                                                                     "data": [row]})
    again = api.get("export/appointment-assignments", params={"from": token, "active": "Any"}).json()
    assert again["data"] == [] and again["hasMore"] is False

    appt = _appointment(state)
    t1, t2 = _techs(state)
    _assign(api, appt["id"], [t1["id"], t2["id"]])
    _unassign(api, appt["id"], [t2["id"]])
    new, token2 = export_all(api, "export/appointment-assignments", {"from": token, "active": "Any"})
    assert {(r["technicianId"], r["active"]) for r in new} == {(t1["id"], True), (t2["id"], False)}
    assert token2 != token
    # the default (active=True, as documented) leaves the deactivated row out
    only_active, _ = export_all(api, "export/appointment-assignments", {"from": token})
    assert {r["technicianId"] for r in only_active} == {t1["id"]}


def test_assignment_sort_and_bad_params(api):
    ids = [r["id"] for r in api.get("appointment-assignments", params={"sort": "-Id", "pageSize": 20}).json()["data"]]
    assert ids == sorted(ids, reverse=True)
    assert_problem(api.get("appointment-assignments", params={"sort": "+Name"}), 400, "sort")
    assert_problem(api.get("appointment-assignments", params={"active": "maybe"}), 400, "active")
    assert_problem(api.get("appointment-assignments", params={"pageSize": 0}), 400)
    assert_problem(api.get("appointment-assignments", params={"modifiedOnOrAfter": "yesterday"}), 400)


def test_assignment_modified_filter(api, state):
    appt = _appointment(state)
    t1, _ = _techs(state)
    _assign(api, appt["id"], [t1["id"]])
    row = next(r for r in state["appointment_assignments"].values()
               if r["appointmentId"] == appt["id"])
    after = api.get("appointment-assignments", params={"modifiedOnOrAfter": row["modifiedOn"], "pageSize": 5000})
    assert row["id"] in {r["id"] for r in after.json()["data"]}
    before = api.get("appointment-assignments", params={"modifiedBefore": row["modifiedOn"], "pageSize": 5000})
    assert row["id"] not in {r["id"] for r in before.json()["data"]}


# ------------------------------------------------------------------------------------ technician shifts


def test_shift_create_get_list_filters(api, state):
    t1, t2 = _techs(state)
    body = {"technicianIds": [t1["id"], t2["id"]], "shiftType": "OnCall", "title": "Weekend on-call",
            "start": "2031-06-07T08:00:00Z", "end": "2031-06-07T20:00:00Z", "note": "pager", "repeatType": "Never"}
    check_request(M, "post", "technician-shifts", body)
    r = api.post("technician-shifts", json=body)
    assert r.status_code == 200, r.text
    check_documented(M, "post", "technician-shifts", r.json())
    created = r.json()["technicianShifts"]
    assert r.json()["created"] is True and {s["technicianId"] for s in created} == {t1["id"], t2["id"]}

    one = api.get(f"technician-shifts/{created[0]['id']}")
    assert one.status_code == 200 and one.json() == created[0]
    check_documented(M, "get", "technician-shifts/{id}", one.json())

    q = {"startsOnOrAfter": "2031-06-07T00:00:00Z", "endsOnOrBefore": "2031-06-08T00:00:00Z"}
    listed = api.get("technician-shifts", params={**q, "shiftType": "OnCall"}).json()
    check_documented(M, "get", "technician-shifts", listed)
    assert {s["id"] for s in listed["data"]} == {s["id"] for s in created}
    assert len(api.get("technician-shifts", params={**q, "technicianId": t1["id"]}).json()["data"]) == 1
    assert len(api.get("technician-shifts", params={**q, "titleContains": "WEEKEND"}).json()["data"]) == 2
    assert api.get("technician-shifts", params={**q, "noteContains": "nothing"}).json()["data"] == []
    assert_problem(api.get("technician-shifts", params={"shiftType": "Nap"}), 400, "shiftType")


def test_shift_repeat_weekly(api, state):
    t1, _ = _techs(state)
    r = api.post("technician-shifts", json={
        "technicianIds": [t1["id"]], "shiftType": "Normal", "title": "MWF", "start": "2031-09-01T08:00:00Z",
        "end": "2031-09-01T16:00:00Z", "repeatType": "Weekly", "repeatEndDate": "2031-09-14T00:00:00Z",
        "shiftDays": "Monday,Wednesday,Friday"})
    assert r.status_code == 200, r.text
    starts = sorted(s["start"][:10] for s in r.json()["technicianShifts"])
    assert starts == ["2031-09-01", "2031-09-03", "2031-09-05", "2031-09-08", "2031-09-10", "2031-09-12"]
    assert_problem(api.post("technician-shifts", json={
        "technicianIds": [t1["id"]], "shiftType": "Normal", "title": "x", "start": "2031-09-01T08:00:00Z",
        "end": "2031-09-01T16:00:00Z", "repeatType": "Daily"}), 400, "repeatEndDate")


def test_shift_update_delete_and_bulk_delete(api, state):
    t1, _ = _techs(state)
    created = api.post("technician-shifts", json={
        "technicianIds": [t1["id"]], "shiftType": "Normal", "title": "Day", "start": "2032-01-05T08:00:00Z",
        "end": "2032-01-05T16:00:00Z", "repeatType": "Daily", "repeatEndDate": "2032-01-07T00:00:00Z",
    }).json()["technicianShifts"]
    assert len(created) == 3
    first = created[0]
    r = api.patch(f"technician-shifts/{first['id']}", json={"title": "Long day", "end": "2032-01-05T18:00:00Z"})
    assert r.status_code == 200, r.text
    check_documented(M, "patch", "technician-shifts/{id}", r.json())
    updated = r.json()["technicianShifts"][0]
    assert updated["title"] == "Long day" and updated["end"].startswith("2032-01-05T18:00")
    assert updated["modifiedOn"] >= first["modifiedOn"]
    assert_problem(api.patch(f"technician-shifts/{first['id']}", json={"end": "2032-01-05T07:00:00Z"}), 400, "end")
    assert_problem(api.patch(f"technician-shifts/{first['id']}", json={"colour": "red"}), 400, "colour")

    d = api.delete(f"technician-shifts/{first['id']}")
    assert d.status_code == 200 and d.json()["id"] == first["id"]
    check_documented(M, "delete", "technician-shifts/{id}", d.json())
    assert_problem(api.delete(f"technician-shifts/{first['id']}"), 404)
    assert api.get(f"technician-shifts/{first['id']}").json()["active"] is False

    b = api.post("technician-shifts/bulk-delete", json={"start": "2032-01-01T00:00:00Z", "end": "2032-01-31T00:00:00Z"})
    assert b.status_code == 200
    check_documented(M, "post", "technician-shifts/bulk-delete", b.json())
    assert sorted(b.json()["deletedIds"]) == sorted(s["id"] for s in created[1:])
    q = {"startsOnOrAfter": "2032-01-01T00:00:00Z", "technicianId": t1["id"]}
    assert api.get("technician-shifts", params=q).json()["data"] == []
    assert len(api.get("technician-shifts", params={**q, "active": "False"}).json()["data"]) == 3


def test_shift_refusals(api, state):
    t1, _ = _techs(state)
    assert_problem(api.get("technician-shifts/987654321"), 404)
    assert_problem(api.patch("technician-shifts/987654321", json={"title": "x"}), 404)
    base = {"technicianIds": [t1["id"]], "shiftType": "Normal", "title": "x", "start": "2031-01-01T10:00:00Z",
            "end": "2031-01-01T09:00:00Z", "repeatType": "Never"}
    assert_problem(api.post("technician-shifts", json=base), 400, "end")
    assert_problem(api.post("technician-shifts", json={**base, "end": "2031-01-01T12:00:00Z",
                                                       "technicianIds": [123456789]}), 400, "technicianIds")
    assert_problem(api.post("technician-shifts", json={**base, "shiftType": "Siesta"}), 400, "shiftType")
    assert_problem(api.post("technician-shifts", json={**base, "repeat": True}), 400, "repeat")


# ---------------------------------------------------------------------------------------- zones, teams


def test_zones_list_and_get(api):
    page = api.get("zones", params={"includeTotal": "true"}).json()
    check_documented(M, "get", "zones", page)
    if page["data"]:
        zone = page["data"][0]
        one = api.get(f"zones/{zone['id']}")
        assert one.status_code == 200 and one.json() == zone
        check_documented(M, "get", "zones/{id}", one.json())
    assert_problem(api.get("zones/987654321"), 404)


def test_teams_create_list_get_delete(api):
    r = api.post("teams", json={"active": True, "name": "Night Crew"})
    assert r.status_code == 200, r.text
    check_documented(M, "post", "teams", r.json())
    team = r.json()
    assert team["created"] is True and team["name"] == "Night Crew"
    got = api.get(f"teams/{team['id']}").json()
    check_documented(M, "get", "teams/{id}", got)
    assert got["name"] == "Night Crew"
    listed = api.get("teams", params={"pageSize": 5000}).json()
    check_documented(M, "get", "teams", listed)
    assert team["id"] in {t["id"] for t in listed["data"]}
    assert_problem(api.post("teams", json={"active": True, "name": "night crew"}), 400, "name")
    assert_problem(api.post("teams", json={"name": "No active"}), 400, "active")

    inactive = api.post("teams", json={"active": False, "name": "Benched"}).json()
    ids = {t["id"] for t in api.get("teams", params={"pageSize": 5000}).json()["data"]}
    assert inactive["id"] not in ids
    ids = {t["id"] for t in api.get("teams", params={"pageSize": 5000, "includeInactive": "true"}).json()["data"]}
    assert inactive["id"] in ids

    assert api.delete(f"teams/{team['id']}").status_code == 200
    assert_problem(api.get(f"teams/{team['id']}"), 404)
    assert_problem(api.delete(f"teams/{team['id']}"), 404)


# ------------------------------------------------------------------------------------ arrival windows


def test_arrival_windows_crud(api, state):
    bu = next(iter(state["business_units"].values()))
    r = api.post("arrival-windows", json={"start": "07:00:00", "duration": "03:00:00", "businessUnitIds": [bu["id"]]})
    assert r.status_code == 200, r.text
    check_documented(M, "post", "arrival-windows", r.json())
    window = r.json()
    assert window["active"] is True and window["start"] == "07:00:00"
    assert api.get(f"arrival-windows/{window['id']}").json() == window

    u = api.put(f"arrival-windows/{window['id']}", json={"start": "07:30:00", "duration": "02:00:00",
                                                          "businessUnitIds": [bu["id"]]})
    assert u.status_code == 200 and u.json()["start"] == "07:30:00"
    check_documented(M, "put", "arrival-windows/{id}", u.json())

    a = api.put(f"arrival-windows/{window['id']}/activated", json={"isActive": False})
    assert a.status_code == 200
    listed = api.get("arrival-windows", params={"pageSize": 5000}).json()
    check_documented(M, "get", "arrival-windows", listed)
    assert window["id"] not in {w["id"] for w in listed["data"]}
    off = api.get("arrival-windows", params={"pageSize": 5000, "active": "False"}).json()["data"]
    assert window["id"] in {w["id"] for w in off}

    assert_problem(api.post("arrival-windows", json={"start": "25:00", "duration": "01:00:00",
                                                     "businessUnitIds": [bu["id"]]}), 400, "start")
    # TimeSpan text, as the document describes it ("09:00"), answered in the constant form; ISO 8601 is not
    # a TimeSpan and is refused.
    short = api.post("arrival-windows", json={"start": "09:00", "duration": "2:00", "businessUnitIds": [bu["id"]]})
    assert short.status_code == 200 and (short.json()["start"], short.json()["duration"]) == ("09:00:00", "02:00:00")
    assert_problem(api.post("arrival-windows", json={"start": "PT9H", "duration": "02:00:00",
                                                     "businessUnitIds": [bu["id"]]}), 400, "start")
    assert_problem(api.post("arrival-windows", json={"start": "08:00:00", "duration": "01:00:00",
                                                     "businessUnitIds": [987654321]}), 400, "businessUnitIds")
    assert_problem(api.put("arrival-windows/987654321/activated", json={"isActive": True}), 404)
    assert_problem(api.put(f"arrival-windows/{window['id']}/activated", json={"active": True}), 400, "active")

    c = api.post("arrival-windows/configuration", json={"configuration": "EndTimeOfArrivalWindow"})
    assert c.status_code == 200 and c.json() == {"configuration": "EndTimeOfArrivalWindow"}
    assert api.get("arrival-windows/configuration").json() == {"configuration": "EndTimeOfArrivalWindow"}


# ------------------------------------------------------------------------------------- business hours


def test_business_hours_get_and_replace(api):
    got = api.get("business-hours")
    assert got.status_code == 200
    check_documented(M, "get", "business-hours", got.json())
    new = {"weekdays": [{"fromHour": 7, "toHour": 12}, {"fromHour": 13, "toHour": 18}],
           "saturday": [{"fromHour": 9, "toHour": 13}], "sunday": []}
    r = api.post("business-hours", json=new)
    assert r.status_code == 200 and r.json() == new
    check_documented(M, "post", "business-hours", r.json())
    assert api.get("business-hours").json() == new
    assert_problem(api.post("business-hours", json={**new, "sunday": [{"fromHour": 20, "toHour": 8}]}), 400, "sunday")
    assert_problem(api.post("business-hours", json={"weekdays": [], "saturday": []}), 400, "sunday")


# -------------------------------------------------------------------------------- non-job appointments


def test_non_job_appointments_crud(api, state):
    t1, t2 = _techs(state)
    body = {"technicianId": t1["id"], "start": "2031-04-01T12:00:00Z", "duration": "01:30:00", "name": "Training",
            "showOnTechnicianSchedule": True}
    check_request(M, "post", "non-job-appointments", body)
    r = api.post("non-job-appointments", json=body)
    assert r.status_code == 200, r.text
    check_documented(M, "post", "non-job-appointments", r.json())
    nja = r.json()
    assert nja["duration"] == "01:30:00" and nja["active"] is True

    got = api.get(f"non-job-appointments/{nja['id']}")
    check_documented(M, "get", "non-job-appointments/{id}", got.json())
    listed = api.get("non-job-appointments", params={"technicianId": t1["id"],
                                                     "startsOnOrAfter": "2031-04-01T00:00:00Z"}).json()
    check_documented(M, "get", "non-job-appointments", listed)
    assert [x["id"] for x in listed["data"]] == [nja["id"]]

    u = api.put(f"non-job-appointments/{nja['id']}", json={**body, "technicianId": t2["id"], "name": "Safety"})
    assert u.status_code == 200 and u.json()["technicianId"] == t2["id"] and u.json()["name"] == "Safety"
    check_documented(M, "put", "non-job-appointments/{id}", u.json())

    assert_problem(api.post("non-job-appointments", json={**body, "technicianId": 987654321}), 400, "technicianId")
    assert_problem(api.post("non-job-appointments", json={**body, "duration": "soon"}), 400, "duration")
    assert_problem(api.post("non-job-appointments", json={**body, "location": "HQ"}), 400, "location")

    d = api.delete(f"non-job-appointments/{nja['id']}")
    assert d.status_code == 200 and d.json()["id"] == nja["id"]
    assert_problem(api.get(f"non-job-appointments/{nja['id']}"), 404)
    assert_problem(api.delete(f"non-job-appointments/{nja['id']}"), 404)


# --------------------------------------------------------------------------------------------- capacity


def test_capacity_counts_shifts_and_bookings(api, state):
    t1, t2 = _techs(state)
    bu_id = t1.get("businessUnitId")
    day = "2033-02-07"  # a Monday far from seeded data
    for t in (t1, t2):
        state["technician_shifts"].insert({"shiftType": "Normal", "title": "Day", "note": None, "active": True,
                                           "technicianId": t["id"], "start": f"{day}T08:00:00Z",
                                           "end": f"{day}T17:00:00Z", "timesheetCodeId": None})
    body = {"startsOnOrAfter": f"{day}T00:00:00Z", "endsOnOrBefore": f"{day}T23:59:59Z",
            "skillBasedAvailability": False}
    before = api.post("capacity", json=body)
    assert before.status_code == 200, before.text
    check_documented(M, "post", "capacity", before.json())
    slots = before.json()["availabilities"]
    assert slots, "at least one slot in a working day"
    tech_ids = {t1["id"], t2["id"]}
    first = slots[0]
    available = {t["id"] for t in first["technicians"] if t["status"] == "Available"}
    assert tech_ids <= available or bu_id is None

    appt = _appointment(state, start=f"{first['startUtc'][:19]}Z", end=f"{first['endUtc'][:19]}Z")
    _assign(api, appt["id"], [t1["id"]])
    after = api.post("capacity", json=body).json()["availabilities"][0]
    assert after["openAvailability"] < first["openAvailability"]
    assert after["totalAvailability"] == first["totalAvailability"]

    assert_problem(api.post("capacity", json={**body, "endsOnOrBefore": f"{day}T00:00:00Z"}), 400, "endsOnOrBefore")
    assert_problem(api.post("capacity", json={k: v for k, v in body.items() if k != "skillBasedAvailability"}),
                   400, "skillBasedAvailability")
    assert_problem(api.post("capacity", json={**body, "businessUnitIds": [987654321]}), 400, "businessUnitIds")
