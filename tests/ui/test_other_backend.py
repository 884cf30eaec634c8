"""The board renders any backend's workflow: a tiny one declared here (statuses Pending .. Cancelled with an enforced
transition table, one scheduled window per job, no holds, projects or cancel reasons) on the fake source."""

from __future__ import annotations

from datetime import timedelta

from support.fake_board import make_app, settle
from support.fake_sources import NOW, FakeSource
from textual.widgets import Select

from jpm_tui.provider.workflow import (
    Action,
    Capabilities,
    ListColumn,
    Priority,
    PriorityLevel,
    Status,
    TraySection,
    Workflow,
)
from jpm_tui.provider.workflow import (
    StatusCategory as C,
)
from jpm_tui.ui.calendar_model import Item, item_signals, tray_sections
from jpm_tui.ui.commands import binding_help
from jpm_tui.ui.screens.filter_form import FilterForm
from jpm_tui.ui.screens.job_detail import JobDetailScreen
from jpm_tui.ui.widgets.board_footer import BoardFooter
from jpm_tui.ui.widgets.job_table import COLUMNS, JobTable

STATUSES = (
    Status("Pending", "Pending", C.OPEN),
    Status("Assigned", "Assigned", C.SCHEDULED),
    Status("In Progress", "In progress", C.WORKING),
    Status("On Hold", "On hold", C.HELD),
    Status("Completed", "Completed", C.DONE),
    Status("Cancelled", "Cancelled", C.CANCELED),
)

TINY = Workflow(
    backend="tiny",
    job_statuses=STATUSES,
    appointment_statuses=(),
    transitions={
        "Pending": frozenset({"Assigned", "Cancelled"}),
        "Assigned": frozenset({"In Progress", "On Hold", "Cancelled"}),
        "In Progress": frozenset({"Completed", "On Hold"}),
        "On Hold": frozenset({"Assigned", "Cancelled"}),
        "Completed": frozenset(),
        "Cancelled": frozenset(),
    },
    priorities=(Priority("low", "Low", 3, PriorityLevel.LOW), Priority("medium", "Medium", 2, PriorityLevel.NORMAL),
                Priority("high", "High", 1, PriorityLevel.HIGH), Priority("urgent", "Urgent", 0, PriorityLevel.URGENT)),
    actions=(Action("add_note", "Note", "n", "text", "job"), Action("edit_summary", "Edit title", "e", "text", "job"),
             Action("edit_priority", "Priority", "exclamation_mark", "choice", "job")),
    capabilities=Capabilities(appointments=False, several_technicians=False, holds=False, projects=False,
                              arrival_windows=False, confirmation=False, notes=True, cancel_reasons=False,
                              booked_log=False, shifts=False),
    status_after={},
    follow_up={},
    tray=(TraySection("unassigned", "Unassigned"), TraySection("held", "On hold"),
          TraySection("canceled", "Cancelled")),
    job_columns=(ListColumn("number", "Job #"), ListColumn("status", "Status"), ListColumn("priority", "Pri"),
                 ListColumn("customer", "Customer / location"), ListColumn("summary", "Title")),
    account_word="account",
)


def _tiny_source() -> FakeSource:
    return FakeSource(60, statuses=[s.value for s in STATUSES])


async def test_the_job_list_colours_statuses_by_their_category():
    app = make_app(_tiny_source(), workflow=TINY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(JobTable)
        status_column = next(c for c in COLUMNS if c.key == "status")
        rows = [table.row_at(n) for n in range(table.row_count or 0)]
        seen = {row.status: table.cell_class(status_column, row) for row in rows if row is not None}
        assert seen == {"Pending": "job-table--status-open", "Assigned": "job-table--status-scheduled",
                        "In Progress": "job-table--status-working", "On Hold": "job-table--status-held",
                        "Completed": "job-table--status-done", "Cancelled": "job-table--status-canceled"}
        colours = {table.get_component_rich_style(name).color for name in seen.values()}
        assert len(colours) == 6  # a colour of the theme per category


async def test_the_filter_form_and_the_status_key_offer_its_statuses():
    app = make_app(_tiny_source(), workflow=TINY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.query_one(JobTable).list_query.statuses == ("Pending", "Assigned", "In Progress", "On Hold")
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.query_one(JobTable).list_query.statuses == ("Pending",)
        await pilot.press("p")
        await settle(pilot)
        assert app.screen.query_one(JobTable).list_query.priorities == ("urgent",)  # most urgent first
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FilterForm)
        options = app.screen.query_one("#f-status", Select)._options  # (label, value) pairs, "any" first
        assert [(str(label), value) for label, value in options[1:]] == [
            ("Open jobs", ("Pending", "Assigned", "In Progress", "On Hold")),
            *((s.label, (s.value,)) for s in STATUSES)]


async def test_keys_of_actions_it_lacks_are_not_shown():
    app = make_app(_tiny_source(), workflow=TINY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        footer = {key.action for key in app.screen.query_one(BoardFooter).items}
        assert "mode('calendar')" in footer and "mode('projects')" not in footer  # no projects
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, JobDetailScreen)
        actions = {entry.action for entry in binding_help(app.screen)}  # what help and the palette list
        assert {"add_note", "edit_summary", "edit_priority"} <= actions
        assert not actions & {"cancel_job", "remove_cancellation", "hold", "remove_hold", "edit_job_type",
                              "edit_business_unit", "attach_project", "detach_project", "new_appointment"}
        footer = {key.action for key in app.screen.query_one(BoardFooter).items}
        assert {"add_note", "edit_summary"} <= footer and not footer & {"cancel_job", "hold"}
        await pilot.press("c")  # the key of an action it lacks does nothing
        await settle(pilot)
        assert isinstance(app.screen, JobDetailScreen)


def test_transitions_refuse_with_the_reason():
    assert [s.value for s in TINY.next_statuses("Pending")] == ["Assigned", "Cancelled"]
    assert TINY.transition_refusal("Pending", "Assigned") is None
    assert TINY.transition_refusal("Pending", "Completed") == (
        "Pending cannot move to Completed (only to Assigned, Cancelled)")
    assert TINY.transition_refusal("Completed", "Pending") == "Completed is final: it moves to no other status"
    assert TINY.transition_refusal("On Hold", "Completed") == (  # in the workflow's words
        "On hold cannot move to Completed (only to Assigned, Cancelled)")


def test_one_window_per_job_takes_the_job_status_and_has_no_confirmation():
    window = Item(id=1, job_id=1, number="1", job_number="1", customer="Harbor Foods", start=NOW + timedelta(hours=2),
                  end=NOW + timedelta(hours=3), status="Assigned", confirmed=False, priority="urgent")
    held = Item(id=2, job_id=2, number="2", job_number="2", customer="Oak Street HOA",
                start=NOW - timedelta(hours=1), end=NOW + timedelta(hours=1), status="On Hold")
    assert item_signals(window, NOW, TINY) == {"priority"}  # not "unconfirmed": it confirms nothing
    assert item_signals(held, NOW, TINY) == {"hold"}
    sections = tray_sections([window, held], TINY)
    assert list(sections) == ["Unassigned", "On hold", "Cancelled"]
    assert [i.id for i in sections["Unassigned"]] == [2, 1] and [i.id for i in sections["On hold"]] == [2]
