"""Dispatch module routes (`/dispatch/v2/tenant/{tenant}/...`), shaped after dispatch-v2.json.

Appointment assignments, technician shifts, zones, teams, arrival windows, business hours, non-job
appointments and capacity. Assigning and unassigning technicians changes real state: assignment rows are
created or deactivated (and touched, so the export feed hands them out again) and the appointment is
touched; a technician who is Working or Done on the appointment cannot be unassigned.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import bool_param, export_feed, json_response, paged, unknown_id_is_400

from ._common import (
    CREATED,
    CREATED_MODIFIED,
    F,
    FilteredFeed,
    Record,
    Shape,
    active_mode,
    apply_filters,
    apply_sort,
    bad_request,
    body,
    body_dt,
    body_duration,
    coll,
    current_user_id,
    extras,
    f_active,
    f_bool,
    f_contains,
    f_dt,
    f_enum,
    f_ids,
    f_int,
    format_duration,
    get_route,
    iso,
    list_route,
    no_content,
    not_found,
    now_iso,
    parse_dt,
    parse_duration,
    path_id,
    require,
    require_ids,
)

# --------------------------------------------------------------------------------------------- shapes

ASSIGNMENT = Shape(
    "id", "technicianId", "technicianName", "assignedById", "assignedOn", "status", "isPaused",
    "jobId", "appointmentId", "modifiedOn", "active",
)
APPOINTMENT = Shape(
    "id", "jobId", "appointmentNumber", "start", "end", "arrivalWindowStart", "arrivalWindowEnd",
    "status", "specialInstructions", "createdOn", "modifiedOn",
)
SHIFT = Shape(
    "id", "shiftType", "title", "note", "active", "technicianId", "start", "end", "timesheetCodeId",
    "createdOn", "modifiedOn",
)
ZONE = Shape(
    "id", "active", "name", "zips", "cities", "territoryNumbers", "locnNumbers", "createdBy", "createdOn",
    "modifiedOn", "serviceDaysEnabled", "serviceDays", "businessUnits", "technicians",
)
TEAM = Shape("id", "active", "name", "createdBy", "createdOn", "modifiedOn")
ARRIVAL_WINDOW = Shape("id", "start", "duration", "businessUnitIds", "active")
TIME_RANGE = Shape("fromHour", "toHour")
BUSINESS_HOURS = Shape(weekdays=TIME_RANGE, saturday=TIME_RANGE, sunday=TIME_RANGE)
NJA_GET = Shape(
    "id", "technicianId", "start", "name", "duration", "timesheetCodeId", "summary", "clearDispatchBoard",
    "clearTechnicianView", "removeTechnicianFromCapacityPlanning", "allDay", "showOnTechnicianSchedule",
    "active", "createdOn", "createdById",
)
NJA_LIST = Shape(*NJA_GET.fields[:-1], "modifiedOn", "createdById")
NJA_CREATED = NJA_GET.plus("repeat", "countOccurrences", "interval", "frequency", "endType", "endOn", "daysOfWeek")

ASSIGNMENT_STATUSES = ("Scheduled", "Dispatched", "Working", "Done")
SHIFT_TYPES = ("Normal", "OnCall", "TimeOff")
REPEAT_TYPES = ("Never", "Daily", "Weekly")
REPEAT_FREQUENCIES = ("Daily", "Weekly", "Monthly", "Yearly")
REPEAT_END_TYPES = ("Never", "After", "On")
ARRIVAL_WINDOW_CONFIGURATIONS = ("StartTimeOfArrivalWindow", "EndTimeOfArrivalWindow")
MAX_SHIFT_OCCURRENCES = 366
MAX_CAPACITY_DAYS = 31
IDEAL_BOOKING_PERCENTAGE = 0.8

# ---------------------------------------------------------------------------------------------- bodies

TECHNICIAN_IDS_BODY = {
    "jobAppointmentId": F("int", req=True, null=False),
    "technicianIds": F("array", req=True, null=False, items=F("int", null=False)),
}
SHIFT_CREATE_BODY = {
    "technicianIds": F("array", req=True, null=False, items=F("int", null=False)),
    "shiftType": F("str", req=True, null=False, enum=SHIFT_TYPES),
    "title": F("str", req=True, null=False),
    "start": F("datetime", req=True, null=False),
    "end": F("datetime", req=True, null=False),
    "note": F("str"),
    "timesheetCodeId": F("int"),
    "repeatType": F("str", req=True, null=False, enum=REPEAT_TYPES),
    "repeatEndDate": F("datetime"),
    "repeatInterval": F("int"),
    "shiftDays": F("str"),
}
SHIFT_UPDATE_BODY = {
    "shiftType": F("str", null=False, enum=SHIFT_TYPES),
    "title": F("str", null=False),
    "start": F("datetime", null=False),
    "end": F("datetime", null=False),
    "note": F("str", null=False),
    "timesheetCodeId": F("int"),
}
BULK_DELETE_BODY = {"start": F("datetime", req=True, null=False), "end": F("datetime", req=True, null=False)}
TEAM_CREATE_BODY = {"active": F("bool", req=True, null=False), "name": F("str")}
ARRIVAL_WINDOW_BODY = {
    "start": F("duration", req=True, null=False),
    "duration": F("duration", req=True, null=False),
    "businessUnitIds": F("array", req=True, null=False, items=F("int", null=False)),
}
ARRIVAL_WINDOW_STATUS_BODY = {"isActive": F("bool", req=True, null=False)}
ARRIVAL_WINDOW_CONFIGURATION_BODY = {
    "configuration": F("str", req=True, null=False, enum=ARRIVAL_WINDOW_CONFIGURATIONS),
}
_TIME_RANGE_BODY = {"fromHour": F("int", req=True, null=False), "toHour": F("int", req=True, null=False)}
BUSINESS_HOURS_BODY = {
    day: F("array", req=True, null=False, items=F("object", null=False, schema=_TIME_RANGE_BODY))
    for day in ("weekdays", "saturday", "sunday")
}
_NJA_COMMON = {
    "technicianId": F("int", req=True, null=False),
    "start": F("datetime", req=True, null=False),
    "duration": F("duration", req=True, null=False),
    "name": F("str", req=True, null=False),
    "timesheetCodeId": F("int"),
    "summary": F("str"),
    "clearDispatchBoard": F("bool"),
    "clearTechnicianView": F("bool"),
    "showOnTechnicianSchedule": F("bool"),
    "removeTechnicianFromCapacityPlanning": F("bool"),
    "allDay": F("bool"),
    "repeat": F("bool"),
    "countOccurrences": F("int"),
    "interval": F("int"),
    "frequency": F("str", enum=REPEAT_FREQUENCIES),
    "endType": F("str", enum=REPEAT_END_TYPES),
    "endOn": F("datetime"),
    "daysOfWeek": F("str"),
}
NJA_CREATE_BODY = dict(_NJA_COMMON)
NJA_UPDATE_BODY = dict(_NJA_COMMON)
CAPACITY_BODY = {
    "startsOnOrAfter": F("datetime", req=True, null=False),
    "endsOnOrBefore": F("datetime", req=True, null=False),
    "businessUnitIds": F("array", items=F("int", null=False)),
    "jobTypeId": F("int"),
    "skillBasedAvailability": F("bool", req=True, null=False),
}


# ------------------------------------------------------------------------------ appointment assignments

ASSIGNMENT_FILTERS = [
    f_ids("ids"),
    f_ids("appointmentIds", "appointmentId", maximum=None),
    f_int("jobId"),
    *CREATED_MODIFIED,
    f_active(),
]


def _assignment_rows(request: Request, appointment_id: int) -> list[Record]:
    return coll(request, "appointment_assignments").where("appointmentId", appointment_id)


def _load_assignment_request(request: Request, data: Record) -> tuple[Record, list[int]]:
    appointment = require(request, "appointments", data["jobAppointmentId"], "Appointment")
    tech_ids = list(dict.fromkeys(data["technicianIds"]))  # de-duplicated, order kept
    if not tech_ids:
        raise bad_request(
            "At least one technician is required.", {"technicianIds": ["At least one technician id is required."]}
        )
    return appointment, tech_ids


def _sync_appointment_status(request: Request, appointment: Record) -> None:
    """Scheduled/Dispatched follow the remaining assignments; Working, Hold, Done and Canceled stay."""
    if appointment.get("status") not in ("Scheduled", "Dispatched"):
        return
    active = [r for r in _assignment_rows(request, appointment["id"]) if r.get("active")]
    appointment["status"] = "Dispatched" if any(r.get("status") == "Dispatched" for r in active) else "Scheduled"


@unknown_id_is_400
async def assign_technicians(request: Request) -> Response:
    data = await body(request, TECHNICIAN_IDS_BODY)
    appointment, tech_ids = _load_assignment_request(request, data)
    if appointment.get("status") in ("Canceled", "Done"):
        raise bad_request(
            f"Cannot assign technicians to a {appointment['status']} appointment.",
            {"jobAppointmentId": [f"Appointment {appointment['id']} is {appointment['status']}."]},
        )
    technicians = require_ids(request, "technicians", tech_ids, "technicianIds", "Technician")
    assignments = coll(request, "appointment_assignments")
    existing = {r.get("technicianId"): r for r in _assignment_rows(request, appointment["id"])}
    now = now_iso(request)
    for tech in technicians:
        row = existing.get(tech["id"])
        if row is not None and row.get("active"):
            continue  # already assigned: assigning again is a no-op
        if row is not None:  # re-activate the technician's earlier row
            row.update(active=True, status="Scheduled", isPaused=False, assignedOn=now,
                       assignedById=current_user_id(request), technicianName=tech.get("name"))
            assignments.touch(row)
            continue
        assignments.insert({
            "technicianId": tech["id"],
            "technicianName": tech.get("name"),
            "assignedById": current_user_id(request),
            "assignedOn": now,
            "status": "Scheduled",
            "isPaused": False,
            "jobId": appointment.get("jobId"),
            "appointmentId": appointment["id"],
            "active": True,
        })
    _sync_appointment_status(request, appointment)
    coll(request, "appointments").touch(appointment)
    return json_response(APPOINTMENT(appointment))


@unknown_id_is_400
async def unassign_technicians(request: Request) -> Response:
    data = await body(request, TECHNICIAN_IDS_BODY)
    appointment, tech_ids = _load_assignment_request(request, data)
    require_ids(request, "technicians", tech_ids, "technicianIds", "Technician", active_only=False)
    active = {r.get("technicianId"): r for r in _assignment_rows(request, appointment["id"]) if r.get("active")}
    not_assigned = [t for t in tech_ids if t not in active]
    if not_assigned:
        raise bad_request(
            "Technician is not assigned to the appointment.",
            {"technicianIds": [f"Technician {t} is not assigned to appointment {appointment['id']}." for t in not_assigned]},
        )
    st = request.app.state.sandbox
    busy = [active[t] for t in tech_ids if not st.can_unassign(active[t])]
    if busy:
        raise bad_request(
            "Cannot unassign a technician who is working on or has completed the appointment.",
            {"technicianIds": [
                f"Technician {r['technicianId']} is {r['status']} on appointment {appointment['id']}." for r in busy
            ]},
        )
    assignments = coll(request, "appointment_assignments")
    for t in tech_ids:
        row = active[t]
        row["active"] = False
        assignments.touch(row)
    _sync_appointment_status(request, appointment)
    coll(request, "appointments").touch(appointment)
    return json_response(APPOINTMENT(appointment))


async def export_assignments(request: Request) -> Response:
    # The document gives this feed an `active` filter, True by default like the list: an unassigned
    # technician's (deactivated) row only shows up with active=False or active=Any.
    mode = active_mode(request)
    feed = coll(request, "appointment_assignments")
    if mode != "Any":
        want = mode == "True"
        feed = FilteredFeed(feed, lambda r: bool(r.get("active")) == want)
    return await export_feed(request, feed, ASSIGNMENT)


# ------------------------------------------------------------------------------------ technician shifts

SHIFT_FILTERS = [
    f_dt("startsOnOrAfter", "start", ">="),
    f_dt("endsOnOrBefore", "end", "<="),
    f_enum("shiftType", SHIFT_TYPES),
    f_int("technicianId"),
    f_contains("titleContains", "title"),
    f_contains("noteContains", "note"),
    f_active(),
    *CREATED_MODIFIED,
]

_DAYS = {name: i for i, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_DAYS.update({name[:3]: i for name, i in list(_DAYS.items())})


def _shift_days(text: str | None, default: int) -> set[int]:
    if not text or not text.strip():
        return {default}
    days: set[int] = set()
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip().lower()
        if not part:
            continue
        if part.isdigit() and int(part) < 7:  # 0 = Sunday, as .NET's DayOfWeek
            days.add((int(part) - 1) % 7)
        elif part in _DAYS:
            days.add(_DAYS[part])
        else:
            raise bad_request(
                "One or more validation errors occurred.",
                {"shiftDays": [f"'{part}' is not a day of the week."]},
            )
    return days


def _occurrences(data: Record, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    repeat = data["repeatType"]
    if repeat == "Never":
        return [(start, end)]
    until = body_dt(data, "repeatEndDate")
    if until is None:
        raise bad_request(
            "A repeating shift needs an end date.",
            {"repeatEndDate": [f"repeatEndDate is required when repeatType is {repeat}."]},
        )
    interval = data.get("repeatInterval") or 1
    if interval < 1:
        raise bad_request("One or more validation errors occurred.",
                          {"repeatInterval": ["repeatInterval must be at least 1."]})
    length = end - start
    days = _shift_days(data.get("shiftDays"), start.weekday()) if repeat == "Weekly" else None
    out: list[tuple[datetime, datetime]] = []
    day = 0
    week_origin = start - timedelta(days=start.weekday())
    while True:
        s = start + timedelta(days=day)
        if s.date() > until.date():
            break
        if repeat == "Daily":
            if day % interval == 0:
                out.append((s, s + length))
        else:
            week = (s - week_origin).days // 7
            if week % interval == 0 and s.weekday() in days:
                out.append((s, s + length))
        if len(out) > MAX_SHIFT_OCCURRENCES:
            raise bad_request(
                "Too many shifts.",
                {"repeatEndDate": [f"A request may create at most {MAX_SHIFT_OCCURRENCES} shifts per technician."]},
            )
        day += 1
    return out


def _check_shift_times(start: datetime, end: datetime) -> None:
    if end <= start:
        raise bad_request("The shift must end after it starts.", {"end": ["end must be later than start."]})


async def create_shifts(request: Request) -> Response:
    data = await body(request, SHIFT_CREATE_BODY)
    if not data["technicianIds"]:
        raise bad_request("At least one technician is required.",
                          {"technicianIds": ["At least one technician id is required."]})
    technicians = require_ids(request, "technicians", list(dict.fromkeys(data["technicianIds"])),
                              "technicianIds", "Technician")
    start, end = body_dt(data, "start", required=True), body_dt(data, "end", required=True)
    _check_shift_times(start, end)
    occurrences = _occurrences(data, start, end)
    shifts = coll(request, "technician_shifts")
    created = []
    for tech in technicians:
        for s, e in occurrences:
            created.append(shifts.insert({
                "shiftType": data["shiftType"],
                "title": data["title"],
                "note": data.get("note"),
                "active": True,
                "technicianId": tech["id"],
                "start": iso(s),
                "end": iso(e),
                "timesheetCodeId": data.get("timesheetCodeId"),
            }))
    return json_response({"created": True, "technicianShifts": [SHIFT(r) for r in created]})


def _active_shift(request: Request) -> Record:
    shift = require(request, "technician_shifts", path_id(request), "Technician shift")
    if shift.get("active") is False:
        raise not_found("Technician shift not found", {"id": [f"Technician shift {shift['id']} was deleted."]})
    return shift


async def update_shift(request: Request) -> Response:
    shift = _active_shift(request)
    data = await body(request, SHIFT_UPDATE_BODY)
    start = body_dt(data, "start") or parse_dt(shift.get("start"))
    end = body_dt(data, "end") or parse_dt(shift.get("end"))
    _check_shift_times(start, end)
    for key in ("shiftType", "title", "note", "timesheetCodeId"):
        if key in data:
            shift[key] = data[key]
    if "start" in data:
        shift["start"] = iso(start)
    if "end" in data:
        shift["end"] = iso(end)
    coll(request, "technician_shifts").touch(shift)
    return json_response({"technicianShifts": [SHIFT(shift)]})


async def delete_shift(request: Request) -> Response:
    shift = _active_shift(request)
    shift["active"] = False
    coll(request, "technician_shifts").touch(shift)
    return json_response({"message": "Technician shift deleted.", "id": shift["id"]})


async def bulk_delete_shifts(request: Request) -> Response:
    data = await body(request, BULK_DELETE_BODY)
    start, end = body_dt(data, "start", required=True), body_dt(data, "end", required=True)
    if end <= start:
        raise bad_request("The range must end after it starts.", {"end": ["end must be later than start."]})
    shifts = coll(request, "technician_shifts")
    deleted = []
    for shift in list(shifts.values()):
        s, e = parse_dt(shift.get("start")), parse_dt(shift.get("end"))
        if shift.get("active") and s is not None and e is not None and s >= start and e <= end:
            shift["active"] = False
            shifts.touch(shift)
            deleted.append(shift["id"])
    return json_response({"message": f"{len(deleted)} technician shift(s) deleted.", "deletedIds": deleted})


# ------------------------------------------------------------------------------------------- teams


async def list_teams(request: Request) -> Response:
    include_inactive = bool_param(request, "includeInactive") or False
    rows = apply_filters(request, coll(request, "teams").values(), CREATED_MODIFIED)
    if not include_inactive:
        rows = [r for r in rows if r.get("active")]
    return paged(request, apply_sort(request, rows), TEAM)


async def create_team(request: Request) -> Response:
    data = await body(request, TEAM_CREATE_BODY)
    name = (data.get("name") or "").strip()
    if name and any((t.get("name") or "").strip().casefold() == name.casefold() for t in coll(request, "teams").values()):
        raise bad_request("A team with this name already exists.", {"name": [f"Team '{name}' already exists."]})
    team = coll(request, "teams").insert({"active": data["active"], "name": data.get("name"),
                                          "createdBy": current_user_id(request)})
    return json_response({**TEAM(team), "created": True})


async def delete_team(request: Request) -> Response:
    team = require(request, "teams", path_id(request), "Team")
    coll(request, "teams").delete(team["id"])
    return no_content()


# ---------------------------------------------------------------------------------- arrival windows


def _arrival_window_values(request: Request, data: Record) -> Record:
    start = body_duration(data, "start")
    duration = body_duration(data, "duration")
    errors: dict[str, list[str]] = {}
    if start >= timedelta(days=1):
        errors["start"] = ["start is a time of day and must be less than 24:00:00."]
    if duration <= timedelta(0) or duration > timedelta(days=1):
        errors["duration"] = ["duration must be greater than 00:00:00 and at most 1.00:00:00."]
    if errors:
        raise bad_request("One or more validation errors occurred.", errors)
    bu_ids = list(dict.fromkeys(data["businessUnitIds"]))
    require_ids(request, "business_units", bu_ids, "businessUnitIds", "Business unit")
    return {"start": format_duration(start), "duration": format_duration(duration), "businessUnitIds": bu_ids}


async def create_arrival_window(request: Request) -> Response:
    data = await body(request, ARRIVAL_WINDOW_BODY)
    window = coll(request, "arrival_windows").insert({**_arrival_window_values(request, data), "active": True})
    return json_response(ARRIVAL_WINDOW(window))


async def update_arrival_window(request: Request) -> Response:
    window = require(request, "arrival_windows", path_id(request), "Arrival window")
    data = await body(request, ARRIVAL_WINDOW_BODY)
    window.update(_arrival_window_values(request, data))
    coll(request, "arrival_windows").touch(window)
    return json_response(ARRIVAL_WINDOW(window))


async def activate_arrival_window(request: Request) -> Response:
    window = require(request, "arrival_windows", path_id(request), "Arrival window")
    data = await body(request, ARRIVAL_WINDOW_STATUS_BODY)
    if bool(window.get("active")) != data["isActive"]:
        window["active"] = data["isActive"]
        coll(request, "arrival_windows").touch(window)
    return no_content()


def _arrival_configuration(request: Request) -> dict[str, str]:
    return extras(request, "arrival_window_configuration", lambda: {"configuration": "StartTimeOfArrivalWindow"})


async def get_arrival_configuration(request: Request) -> Response:
    return json_response(dict(_arrival_configuration(request)))


async def set_arrival_configuration(request: Request) -> Response:
    data = await body(request, ARRIVAL_WINDOW_CONFIGURATION_BODY)
    config = _arrival_configuration(request)
    config["configuration"] = data["configuration"]
    return json_response(dict(config))


# ----------------------------------------------------------------------------------- business hours


def _current_business_hours(request: Request) -> Record | None:
    records = list(coll(request, "business_hours").values())
    return records[-1] if records else None


async def get_business_hours(request: Request) -> Response:
    record = _current_business_hours(request) or {"weekdays": [], "saturday": [], "sunday": []}
    return json_response(BUSINESS_HOURS(record))


async def create_business_hours(request: Request) -> Response:
    data = await body(request, BUSINESS_HOURS_BODY)
    errors: dict[str, list[str]] = {}
    for day in ("weekdays", "saturday", "sunday"):
        ranges = sorted(data[day], key=lambda r: r["fromHour"])
        for i, r in enumerate(ranges):
            if not (0 <= r["fromHour"] < r["toHour"] <= 24):
                errors.setdefault(day, []).append(
                    f"{r['fromHour']}-{r['toHour']}: hours must satisfy 0 <= fromHour < toHour <= 24.")
            elif i and ranges[i - 1]["toHour"] > r["fromHour"]:
                errors.setdefault(day, []).append(f"{r['fromHour']}-{r['toHour']} overlaps the previous range.")
    if errors:
        raise bad_request("One or more validation errors occurred.", errors)
    values = {day: [{"fromHour": r["fromHour"], "toHour": r["toHour"]} for r in data[day]]
              for day in ("weekdays", "saturday", "sunday")}
    hours = coll(request, "business_hours")
    record = _current_business_hours(request)
    if record is None:
        record = hours.insert(values)
    else:
        record.update(values)
        hours.touch(record)
    return json_response(BUSINESS_HOURS(record))


# ---------------------------------------------------------------------------------- non-job appointments

NJA_FILTERS = [
    f_int("technicianId"),
    f_dt("startsOnOrAfter", "start", ">="),
    f_dt("startsOnOrBefore", "start", "<="),
    f_int("timesheetCodeId"),
    f_bool("showOnTechnicianSchedule"),
    *CREATED_MODIFIED,
    f_ids("ids"),
]


async def list_njas(request: Request) -> Response:
    rows = apply_filters(request, coll(request, "non_job_appointments").values(), NJA_FILTERS)
    if bool_param(request, "activeOnly"):
        rows = [r for r in rows if r.get("active")]
    return paged(request, apply_sort(request, rows), NJA_LIST)


def _nja_values(request: Request, data: Record, current: Record | None = None) -> Record:
    require_ids(request, "technicians", [data["technicianId"]], "technicianId", "Technician")
    start = body_dt(data, "start", required=True)
    duration = body_duration(data, "duration")
    if duration <= timedelta(0):
        raise bad_request("One or more validation errors occurred.", {"duration": ["duration must be positive."]})
    if data.get("repeat") and not data.get("frequency"):
        raise bad_request("A repeating appointment needs a frequency.",
                          {"frequency": ["frequency is required when repeat is true."]})
    base = current or {}

    def pick(key: str, default: Any) -> Any:
        if data.get(key) is not None:
            return data[key]
        return base.get(key, default) if current is not None else default

    return {
        "technicianId": data["technicianId"],
        "start": iso(start),
        "name": data["name"],
        "duration": format_duration(duration),
        "timesheetCodeId": pick("timesheetCodeId", 0),
        "summary": pick("summary", ""),
        "clearDispatchBoard": pick("clearDispatchBoard", False),
        "clearTechnicianView": pick("clearTechnicianView", False),
        "removeTechnicianFromCapacityPlanning": pick("removeTechnicianFromCapacityPlanning", False),
        "allDay": pick("allDay", False),
        "showOnTechnicianSchedule": pick("showOnTechnicianSchedule", False),
        "repeat": pick("repeat", False),
        "countOccurrences": pick("countOccurrences", None),
        "interval": pick("interval", None),
        "frequency": pick("frequency", None),
        "endType": pick("endType", None),
        "endOn": iso(body_dt(data, "endOn")) if data.get("endOn") else base.get("endOn"),
        "daysOfWeek": pick("daysOfWeek", ""),
    }


async def create_nja(request: Request) -> Response:
    data = await body(request, NJA_CREATE_BODY)
    values = _nja_values(request, data)
    record = coll(request, "non_job_appointments").insert(
        {**values, "active": True, "createdById": current_user_id(request)})
    return json_response(NJA_CREATED(record))


async def update_nja(request: Request) -> Response:
    record = require(request, "non_job_appointments", path_id(request), "Non-job appointment")
    data = await body(request, NJA_UPDATE_BODY)
    record.update(_nja_values(request, data, record))
    coll(request, "non_job_appointments").touch(record)
    return json_response(NJA_GET(record))


async def delete_nja(request: Request) -> Response:
    record = require(request, "non_job_appointments", path_id(request), "Non-job appointment")
    coll(request, "non_job_appointments").delete(record["id"])
    return json_response({"message": "Non-job appointment deleted.", "id": record["id"]})


# ---------------------------------------------------------------------------------------- capacity


def _overlap_hours(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> float:
    seconds = (min(a1, b1) - max(a0, b0)).total_seconds()
    return max(seconds, 0.0) / 3600.0


def _capacity_slots(request: Request, start: datetime, end: datetime, bu_ids: list[int]):
    """(slot start, slot end, business unit ids): arrival windows per day, else business hours, else 8-12/12-16."""
    windows = [w for w in coll(request, "arrival_windows").values() if w.get("active")]
    if bu_ids:
        windows = [w for w in windows if not w.get("businessUnitIds") or set(w["businessUnitIds"]) & set(bu_ids)]
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    hours = _current_business_hours(request)
    slots = []
    while day < end:
        if windows:
            specs = []
            for w in windows:
                s, d = parse_duration(w.get("start")), parse_duration(w.get("duration"))
                if s is None or d is None:
                    continue
                bus = sorted(set(w.get("businessUnitIds") or []) & set(bu_ids)) if bu_ids else list(w.get("businessUnitIds") or [])
                specs.append((s, s + d, bus))
        else:
            ranges = None
            if hours is not None:
                key = "weekdays" if day.weekday() < 5 else ("saturday" if day.weekday() == 5 else "sunday")
                ranges = hours.get(key) or []
            if ranges is None:
                ranges = [{"fromHour": 8, "toHour": 12}, {"fromHour": 12, "toHour": 16}]
            specs = [(timedelta(hours=r["fromHour"]), timedelta(hours=r["toHour"]), list(bu_ids)) for r in ranges]
        for s, e, bus in sorted(specs, key=lambda x: (x[0], x[1])):
            s0, e0 = day + s, day + e
            if s0 >= start and e0 <= end:
                slots.append((s0, e0, bus))
        day += timedelta(days=1)
    return slots


async def capacity(request: Request) -> Response:
    data = await body(request, CAPACITY_BODY)
    start = body_dt(data, "startsOnOrAfter", required=True)
    end = body_dt(data, "endsOnOrBefore", required=True)
    if end <= start:
        raise bad_request("One or more validation errors occurred.",
                          {"endsOnOrBefore": ["endsOnOrBefore must be later than startsOnOrAfter."]})
    if end - start > timedelta(days=MAX_CAPACITY_DAYS):
        raise bad_request("One or more validation errors occurred.",
                          {"endsOnOrBefore": [f"The range may span at most {MAX_CAPACITY_DAYS} days."]})
    bu_ids = list(dict.fromkeys(data.get("businessUnitIds") or []))
    require_ids(request, "business_units", bu_ids, "businessUnitIds", "Business unit")
    if data.get("jobTypeId") is not None:
        require_ids(request, "job_types", [data["jobTypeId"]], "jobTypeId", "Job type")

    technicians = [t for t in coll(request, "technicians").values() if t.get("active")]
    if bu_ids:
        technicians = [t for t in technicians if t.get("businessUnitId") in bu_ids]
    tech_ids = {t["id"] for t in technicians}

    on_shift: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    off: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for shift in coll(request, "technician_shifts").values():
        if not shift.get("active") or shift.get("technicianId") not in tech_ids:
            continue
        s, e = parse_dt(shift.get("start")), parse_dt(shift.get("end"))
        if s is None or e is None or e <= start or s >= end:
            continue
        (off if shift.get("shiftType") == "TimeOff" else on_shift)[shift["technicianId"]].append((s, e))
    for nja in coll(request, "non_job_appointments").values():
        if nja.get("active") and nja.get("removeTechnicianFromCapacityPlanning") and nja.get("technicianId") in tech_ids:
            s, d = parse_dt(nja.get("start")), parse_duration(nja.get("duration"))
            if s is not None and d is not None:
                off[nja["technicianId"]].append((s, s + d))

    appointments = coll(request, "appointments")
    booked: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for row in coll(request, "appointment_assignments").values():
        if not row.get("active") or row.get("technicianId") not in tech_ids:
            continue
        appt = appointments.get(row.get("appointmentId"))
        if appt is None or appt.get("status") == "Canceled":
            continue
        s, e = parse_dt(appt.get("start")), parse_dt(appt.get("end"))
        if s is not None and e is not None and e > start and s < end:
            booked[row["technicianId"]].append((s, e))

    skills = bool(data["skillBasedAvailability"])
    availabilities = []
    for s0, e0, bus in _capacity_slots(request, start, end, bu_ids):
        slot_hours = (e0 - s0).total_seconds() / 3600.0
        total = used = 0.0
        entries = []
        for tech in technicians:
            tid = tech["id"]
            working = any(_overlap_hours(s0, e0, a, b) > 0 for a, b in on_shift[tid])
            away = any(_overlap_hours(s0, e0, a, b) > 0 for a, b in off[tid])
            available = working and not away
            if available:
                total += slot_hours
                used += min(slot_hours, sum(_overlap_hours(s0, e0, a, b) for a, b in booked[tid]))
            entries.append({
                "id": tid,
                "name": tech.get("name"),
                "status": "Available" if available else "Unavailable",
                "hasRequiredSkills": True if skills else None,
            })
        open_hours = max(total - used, 0.0)
        availabilities.append({
            "start": s0.strftime("%Y-%m-%dT%H:%M:%S"),
            "end": e0.strftime("%Y-%m-%dT%H:%M:%S"),
            "startUtc": iso(s0),
            "endUtc": iso(e0),
            "businessUnitIds": bus,
            "totalAvailability": round(total, 2),
            "openAvailability": round(open_hours, 2),
            "technicians": entries,
            "isAvailable": open_hours > 0,
            "isExceedingIdealBookingPercentage": total > 0 and used / total > IDEAL_BOOKING_PERCENTAGE,
        })
    return json_response({"timeStamp": now_iso(request), "availabilities": availabilities})


# ------------------------------------------------------------------------------------------ routes


def routes() -> list[Route]:
    return [
        # appointment assignments
        list_route("/appointment-assignments", "appointment_assignments", ASSIGNMENT, ASSIGNMENT_FILTERS),
        Route("/appointment-assignments/assign-technicians", assign_technicians, methods=["POST"]),
        Route("/appointment-assignments/unassign-technicians", unassign_technicians, methods=["POST"]),
        Route("/export/appointment-assignments", export_assignments, methods=["GET"]),
        # technician shifts
        list_route("/technician-shifts", "technician_shifts", SHIFT, SHIFT_FILTERS),
        Route("/technician-shifts", create_shifts, methods=["POST"]),
        Route("/technician-shifts/bulk-delete", bulk_delete_shifts, methods=["POST"]),
        get_route("/technician-shifts/{id:int}", "technician_shifts", SHIFT, "Technician shift"),
        Route("/technician-shifts/{id:int}", update_shift, methods=["PATCH"]),
        Route("/technician-shifts/{id:int}", delete_shift, methods=["DELETE"]),
        # zones
        list_route("/zones", "zones", ZONE, [*CREATED_MODIFIED, f_active()]),
        get_route("/zones/{id:int}", "zones", ZONE, "Zone"),
        # teams
        Route("/teams", list_teams, methods=["GET"]),
        Route("/teams", create_team, methods=["POST"]),
        get_route("/teams/{id:int}", "teams", TEAM, "Team"),
        Route("/teams/{id:int}", delete_team, methods=["DELETE"]),
        # arrival windows
        list_route("/arrival-windows", "arrival_windows", ARRIVAL_WINDOW, [*CREATED, f_active()], sort=None),
        Route("/arrival-windows", create_arrival_window, methods=["POST"]),
        Route("/arrival-windows/configuration", get_arrival_configuration, methods=["GET"]),
        Route("/arrival-windows/configuration", set_arrival_configuration, methods=["POST"]),
        get_route("/arrival-windows/{id:int}", "arrival_windows", ARRIVAL_WINDOW, "Arrival window"),
        Route("/arrival-windows/{id:int}", update_arrival_window, methods=["PUT"]),
        Route("/arrival-windows/{id:int}/activated", activate_arrival_window, methods=["PUT"]),
        # business hours
        Route("/business-hours", get_business_hours, methods=["GET"]),
        Route("/business-hours", create_business_hours, methods=["POST"]),
        # non-job appointments
        Route("/non-job-appointments", list_njas, methods=["GET"]),
        Route("/non-job-appointments", create_nja, methods=["POST"]),
        get_route("/non-job-appointments/{id:int}", "non_job_appointments", NJA_GET, "Non-job appointment"),
        Route("/non-job-appointments/{id:int}", update_nja, methods=["PUT"]),
        Route("/non-job-appointments/{id:int}", delete_nja, methods=["DELETE"]),
        # capacity
        Route("/capacity", capacity, methods=["POST"]),
    ]
