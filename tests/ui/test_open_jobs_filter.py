"""The status filter's "Open jobs": every job still to be done, as each backend's workflow says by its categories
(never by a status's name), read from each store. 's' steps to it first, the filter form lists it first."""

from __future__ import annotations

import pytest
from support.fake_board import make_app, settle, wait_until, widget_text
from support.stores import both_stores
from textual.widgets import Select

from jpm_tui.cache.store.interface import Store
from jpm_tui.provider import domain as d
from jpm_tui.provider.backends import WORKFLOWS, workflow_for
from jpm_tui.ui.screens.filter_form import FilterForm
from jpm_tui.ui.widgets.job_table import JobTable

OPEN = {
    "servicetitan": ("Scheduled", "Dispatched", "InProgress", "Hold"),
    "fsm-navigator": ("Pending", "Assigned", "In Progress", "On Hold"),
    "bigchange": ("new", "unscheduled", "refused", "scheduled", "sent", "read", "accepted", "onTheWay", "started",
                  "suspended"),
}
"""Each backend's statuses of jobs still to be done: all but its completed, closed and canceled ones."""


@pytest.mark.parametrize("backend", sorted(WORKFLOWS))
def test_open_jobs_are_every_status_but_the_finished_ones(backend: str) -> None:
    assert workflow_for(backend).open_job_statuses() == OPEN[backend]


def _two_jobs_per_status(store: Store, backend: str) -> None:
    statuses = [s.value for s in workflow_for(backend).job_statuses] * 2  # as the providers keep them: verbatim
    store.upsert("jobs", [d.Job(n, str(1000 + n), d.JobStatus.verbatim(status), d.Priority.NORMAL, None, None, None, None)
                          for n, status in enumerate(statuses, 1)])


def _shown_statuses(table: JobTable) -> list[str]:
    rows = [table.row_at(n) for n in range(table.row_count or 0)]
    return sorted(row.status for row in rows if row is not None)


@both_stores
@pytest.mark.parametrize("backend", sorted(WORKFLOWS))
async def test_s_lists_the_open_jobs_first_then_each_status(store: Store, backend: str) -> None:
    _two_jobs_per_status(store, backend)
    workflow = workflow_for(backend)
    app = make_app(store, workflow=workflow)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(JobTable)
        assert table.row_count == 2 * len(workflow.job_statuses)
        await pilot.press("s")
        await wait_until(pilot, lambda: table.row_count == 2 * len(OPEN[backend]))
        assert sorted(table.list_query.statuses) == sorted(OPEN[backend])
        assert _shown_statuses(table) == sorted(OPEN[backend] * 2)
        bar = widget_text(app.screen.query_one("#filter-bar"))
        assert "open jobs" in bar and f"{2 * len(OPEN[backend])} matching" in bar
        await pilot.press("s")  # then the statuses one by one, in workflow order
        await wait_until(pilot, lambda: table.row_count == 2)
        assert table.list_query.statuses == (workflow.job_statuses[0].value,)


@both_stores
@pytest.mark.parametrize("backend", sorted(WORKFLOWS))
async def test_the_filter_form_offers_the_open_jobs_first(store: Store, backend: str) -> None:
    _two_jobs_per_status(store, backend)
    app = make_app(store, workflow=workflow_for(backend))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await wait_until(pilot, lambda: isinstance(app.screen, FilterForm))
        select = app.screen.query_one("#f-status", Select)
        label, value = select._options[1]  # after "any"
        assert str(label) == "Open jobs"
        select.value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        table = app.screen.query_one(JobTable)
        await wait_until(pilot, lambda: table.row_count == 2 * len(OPEN[backend]))
        assert _shown_statuses(table) == sorted(OPEN[backend] * 2)
        await pilot.press("f")  # the form opens on the choice in force
        await wait_until(pilot, lambda: isinstance(app.screen, FilterForm))
        assert app.screen.query_one("#f-status", Select).value == value
