"""FSM Navigator's refusals name a status as the API does, after the right article: "an In Progress appointment",
"a Completed job" (not "a in progress appointment")."""

from __future__ import annotations

from types import SimpleNamespace

from jpm_tui.provider.fsm_navigator.workflow import WORKFLOW


def test_a_refusal_names_the_status_as_the_api_says_it_after_a_or_an() -> None:
    window = SimpleNamespace(status="In Progress", technician_ids=(11,), confirmed=True)
    refused = WORKFLOW.appointment_refusals(window)
    assert refused["reschedule"] == "an In Progress appointment cannot be rescheduled"
    assert refused["unassign"] == "the technician cannot be taken off an In Progress appointment"
    done = WORKFLOW.appointment_refusals(SimpleNamespace(status="Completed", technician_ids=(11,), confirmed=True))
    assert done["delete_appointment"] == "a Completed appointment cannot be deleted"
