"""The calendar's rules and layout on fixed data with a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from support.fake_sources import NOW, FakeSource

from jpm_tui.provider import domain as d
from jpm_tui.provider.backends import workflow_for
from jpm_tui.provider.servicetitan_workflow import WORKFLOW
from jpm_tui.ui.calendar_model import (
    CalendarData,
    Item,
    Lane,
    booked_hours,
    build_lanes,
    business_span,
    day_bounds,
    hours_span,
    item_signals,
    items_from,
    span_columns,
    tray_sections,
    with_overlay,
    working_hours,
)
from jpm_tui.ui.widgets.calendar_grid import legend

UTC = UTC


def item(**changes) -> Item:
    base = dict(id=1, job_id=2, number="100-1", job_number="100", customer="Nguyen Residence",
                start=NOW + timedelta(hours=1), end=NOW + timedelta(hours=3), status="Scheduled", confirmed=True,
                technician_ids=(100,))
    base.update(changes)
    return Item(**base)


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, set()),
    ({"window_start": NOW - timedelta(hours=2), "window_end": NOW - timedelta(minutes=1), "status": "Dispatched"},
     {"late"}),
    ({"window_start": NOW - timedelta(hours=2), "window_end": NOW + timedelta(minutes=1)}, set()),  # still in it
    ({"start": NOW - timedelta(minutes=5), "status": "Scheduled"}, {"late"}),  # no window: past the start
    ({"start": NOW - timedelta(hours=2), "status": "Working"}, set()),  # working is never late
    ({"start": NOW - timedelta(hours=3), "end": NOW - timedelta(minutes=1), "status": "Working"}, {"over"}),
    ({"start": NOW - timedelta(hours=3), "end": NOW - timedelta(minutes=1), "status": "Done"}, set()),
    ({"confirmed": False, "start": NOW + timedelta(hours=23)}, {"unconfirmed"}),
    ({"confirmed": False, "start": NOW + timedelta(hours=25)}, set()),  # not within 24 h yet
    ({"status": "Hold"}, {"hold"}),
    ({"priority": "Urgent"}, {"priority"}),
    ({"priority": "Low"}, set()),
    ({"pending": True}, {"pending"}),
])
def test_signals(changes, expected):
    assert item_signals(item(**changes), NOW, WORKFLOW) == expected


def test_overlay_lays_queued_writes_over_the_cached_appointment():
    moved = NOW + timedelta(days=1)
    out = with_overlay(item(), {"start": moved, "confirmed": False, "technician_ids_added": [101],
                                "technician_ids_removed": [100]})
    assert (out.start, out.confirmed, out.technician_ids, out.pending) == (moved, False, (101,), True)
    assert with_overlay(item(), {"active": False}).deleted


def test_items_from_store_rows_join_assignments():
    a = d.Appointment(id=7, job_id=70, number="70-1", start=NOW, end=NOW + timedelta(hours=1))
    (out,) = items_from([(a, "J-70", "Harbor Foods", "High", "Scheduled")], [(7, 100, "Scheduled"), (7, 101, "x")])
    assert (out.label, out.technician_ids, out.priority) == ("J-70 Harbor Foods", (100, 101), "High")


def _data() -> CalendarData:
    source = FakeSource(200)
    start, end = day_bounds(NOW.date(), UTC)
    rows, assignments = source.calendar_appointments(start, end), source.calendar_assignments(start, end)
    return CalendarData(start, end, items_from(rows, assignments), source.technicians(),
                        source.shifts_between(start, end), source.teams(), source.zones())


def test_lanes_one_per_technician_by_name_then_unassigned():
    data = _data()
    lanes = build_lanes(data, WORKFLOW)
    assert [lane.title for lane in lanes] == ["D. Novak", "K. Okafor", "M. Chen", "R. Alvarez", "Unassigned"]
    by_title = {lane.title: lane for lane in lanes}
    # an appointment with two technicians is in both lanes; canceled ones are in no lane
    shared = [i.id for i in by_title["K. Okafor"].items if i.id in {j.id for j in by_title["M. Chen"].items}]
    assert len(shared) == 1
    assert all(i.status != "Canceled" for lane in lanes for i in lane.items)
    assert [i.customer for i in by_title["Unassigned"].items] == ["Desert Ridge Dental"]
    # working hours from the shifts; D. Novak is off on Wednesday
    start, end = data.start, data.end
    assert working_hours(by_title["R. Alvarez"], start, end) == 10.0
    assert working_hours(by_title["D. Novak"], start, end) == 0.0
    assert booked_hours(by_title["R. Alvarez"], start, end) == 6.5


def test_grouping_and_filtering_lanes():
    data = _data()
    by_team = build_lanes(data, WORKFLOW, grouping="team")
    assert [(lane.title, lane.heading) for lane in by_team][:4] == [
        ("Blue Team (2)", True), ("D. Novak", False), ("K. Okafor", False), ("Red Team (2)", True)]
    only_mesa = build_lanes(data, WORKFLOW, only=("zone", "Mesa"))
    assert [lane.title for lane in only_mesa] == ["K. Okafor", "M. Chen"]  # no Unassigned lane when filtered


def test_span_columns_scale_the_working_day_to_the_width():
    origin = datetime(2025, 5, 14, 6, tzinfo=UTC)
    assert span_columns(origin + timedelta(hours=1), origin + timedelta(hours=3), origin, 14, 140) == (10, 30)
    assert span_columns(origin - timedelta(hours=3), origin - timedelta(hours=1), origin, 14, 140) is None
    assert span_columns(origin, origin, origin, 14, 140) == (0, 5)  # no length: half an hour, at least 1 column
    assert span_columns(origin + timedelta(hours=13), origin + timedelta(hours=20), origin, 14, 140) == (130, 140)
    lanes = build_lanes(_data(), WORKFLOW)
    assert hours_span(lanes, day_bounds(NOW.date(), UTC)[0], UTC) == (6, 20)


def test_business_hours_set_the_day_axis_and_shifts_and_appointments_still_widen_it():
    hours = d.BusinessHours(weekdays=((8, 12), (13, 17)), saturday=((9, 13),), sunday=())
    wednesday, saturday, sunday = (datetime(2025, 5, 14).date(), datetime(2025, 5, 17).date(),
                                   datetime(2025, 5, 18).date())
    assert (business_span(hours, wednesday), business_span(hours, saturday)) == ((8, 17), (9, 13))
    assert business_span(hours, sunday) is None and business_span(None, wednesday) is None
    start, end = day_bounds(wednesday, UTC)
    assert hours_span([], start, UTC, end, business_span(hours, wednesday)) == (8, 17)  # narrower than 06-20
    assert hours_span([], start, UTC, end, business_span(hours, sunday)) == (6, 20)  # closed: the default
    early = Lane("t1", "Early", 1, shifts=[(start + timedelta(hours=7), start + timedelta(hours=15))])
    late = Lane("t2", "Late", 2,
                items=[item(start=start + timedelta(hours=16), end=start + timedelta(hours=19, minutes=30))])
    assert hours_span([early, late], start, UTC, end, (8, 17)) == (7, 20)
    assert hours_span([early], start, UTC, end, (0, 30)) == (0, 24)  # never past the day


def test_tray_sections():
    sections = tray_sections(_data().items, WORKFLOW)
    assert {k: len(v) for k, v in sections.items()} == {"Unassigned": 1, "Unconfirmed": 2, "Hold": 1, "Canceled": 1}


@pytest.mark.parametrize(("backend", "held"), [("servicetitan", "Hold"), ("fsm-navigator", "On Hold"),
                                             ("bigchange", "Suspended")])
def test_the_legend_says_a_hold_in_the_backend_s_words(backend: str, held: str) -> None:
    line = legend(workflow_for(backend)).plain
    assert f"‖ {held}  " in line and "on hold" not in line


@pytest.mark.parametrize(("changes", "refused"), [
    ({"status": "Working"}, {"reschedule", "shift_time", "next_day", "unassign", "reassign", "delete_appointment",
                             "remove_appointment_hold", "confirm"}),
    ({"status": "Done"}, {"reschedule", "shift_time", "next_day", "unassign", "reassign", "delete_appointment",
                          "assign", "hold_appointment", "remove_appointment_hold", "confirm"}),
    ({"status": "Hold"}, {"hold_appointment", "confirm"}),
    ({"confirmed": False, "technician_ids": ()}, {"unassign", "reassign", "unconfirm", "remove_appointment_hold"}),
    ({"job_status": "Canceled"}, {"create_appointment", "remove_appointment_hold", "confirm"}),
])
def test_appointment_refusals(changes, refused):
    assert set(WORKFLOW.appointment_refusals(item(**changes))) == refused


def test_refusals_without_a_selection_or_an_outbox():
    assert set(WORKFLOW.appointment_refusals(None)) == set(WORKFLOW.action_ids("appointment"))
    assert WORKFLOW.appointment_refusals(item(), writable="read-only")["confirm"] == "read-only"
    assert WORKFLOW.appointment_refusals(item(), has_hold_reasons=False)["hold_appointment"].startswith("no hold reasons")


def test_a_bare_end_time_before_the_start_is_the_next_days():
    from zoneinfo import ZoneInfo

    from jpm_tui.ui.screens.appointment_form import parse_local

    phoenix = ZoneInfo("America/Phoenix")
    start = parse_local("2026-11-29 22:06", phoenix)
    assert start == datetime(2026, 11, 30, 5, 6, tzinfo=UTC)
    assert parse_local("00:06", phoenix, after=start) == start + timedelta(hours=2)  # overnight: next day
    assert parse_local("23:06", phoenix, after=start) == start + timedelta(hours=1)
    assert parse_local("21:00", phoenix, day=start) == start - timedelta(minutes=66)  # a window may open earlier
    assert parse_local("2026-11-29 21:00", phoenix, after=start) < start  # a full date is taken as written
