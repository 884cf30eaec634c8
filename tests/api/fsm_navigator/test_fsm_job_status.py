"""PATCH /api/v1/jobs?id=: every pair of statuses, allowed or refused exactly as the seed's table says.

The table is written out here from the Jobs API reference (seed 003), not imported from the sandbox, so a
mistake on one side cannot hide behind the same mistake on the other.
"""

from __future__ import annotations

import pytest

from jpm_tui.api.errors import ValidationError
from jpm_tui.api.fsm_navigator import InvalidStatusTransitionError

STATUSES = ["Pending", "Assigned", "In Progress", "On Hold", "Completed", "Invoiced", "Paid", "Closed", "Cancelled"]
ALLOWED = {  # "Status transitions", From -> Allowed transitions
    "Pending": {"Assigned", "Cancelled"},
    "Assigned": {"In Progress", "Pending", "Cancelled", "On Hold"},
    "In Progress": {"Completed", "Assigned", "On Hold", "Cancelled"},
    "On Hold": {"In Progress", "Assigned", "Cancelled"},
    "Completed": {"Invoiced"},
    "Invoiced": {"Paid"},
    "Paid": {"Closed"},
    "Cancelled": set(),  # terminal
    "Closed": set(),  # terminal
}
PAIRS = [(a, b) for a in STATUSES for b in STATUSES]
JOB = 10001


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if p[1] in ALLOWED[p[0]]])
async def test_an_allowed_transition_changes_the_status(fsm, fsm_state, current, target):
    fsm_state.jobs[JOB]["job_status"] = current
    fsm_state.advance(60)
    answer = await fsm.jobs.set_status(JOB, target)
    assert (answer.data.job_id, answer.data.job_status, answer.data.previous_status) == (JOB, target, current)
    assert answer.message == f"Job status updated to {target}"
    assert answer.request_id
    job = await fsm.jobs.get(JOB)
    assert job.job_status == target
    assert job.updated_at == fsm_state.now()


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if p[1] not in ALLOWED[p[0]]])
async def test_a_refused_transition_is_a_400_in_the_apis_words(fsm, fsm_state, current, target):
    fsm_state.jobs[JOB]["job_status"] = current
    before = dict(fsm_state.jobs[JOB])
    with pytest.raises(InvalidStatusTransitionError) as refused:
        await fsm.jobs.set_status(JOB, target)
    error = refused.value
    assert (error.status, error.type) == (400, "invalid_status_transition")
    assert current in error.title and target in error.title
    assert set(error.allowed) == ALLOWED[current]
    assert error.trace_id  # the request_id
    assert fsm_state.jobs[JOB] == before


async def test_a_job_walks_the_whole_way_to_closed_and_stays_there(fsm, fsm_state):
    fsm_state.jobs[JOB].update(job_status="Pending", actual_start=None, actual_end=None)
    for target in ("Assigned", "In Progress", "On Hold", "In Progress", "Completed", "Invoiced", "Paid", "Closed"):
        fsm_state.advance(600)
        assert (await fsm.jobs.set_status(JOB, target)).data.job_status == target
    job = await fsm.jobs.get(JOB)
    assert job.actual_start is not None and job.actual_end is not None and job.actual_start < job.actual_end
    for target in STATUSES:
        with pytest.raises(InvalidStatusTransitionError, match="terminal"):
            await fsm.jobs.set_status(JOB, target)


async def test_cancelled_is_terminal_too(fsm, fsm_state):
    fsm_state.jobs[JOB]["job_status"] = "Pending"
    await fsm.jobs.set_status(JOB, "Cancelled")
    with pytest.raises(InvalidStatusTransitionError):
        await fsm.jobs.set_status(JOB, "Pending")


async def test_an_unknown_status_is_validation_failed_naming_the_field(fsm, fsm_state):
    with pytest.raises(ValidationError) as refused:
        await fsm.jobs.set_status(JOB, "Done")
    assert not isinstance(refused.value, InvalidStatusTransitionError)
    assert refused.value.type == "validation_failed"
    assert refused.value.field_errors("job_status")


async def test_patch_changes_the_status_only(fsm_server, fsm_state):
    async with fsm_server.http() as http:
        answer = await http.patch("/jobs", params={"id": JOB}, json={"job_status": "Assigned", "job_title": "x"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "validation_failed" and "job_title" in answer.json()["errors"]
    assert fsm_state.jobs[JOB]["job_status"] == "Pending"
