"""The job list's next appointment skips the finished ones by the backend's workflow (its done, canceled and closed
categories), not by ServiceTitan's words: a cache opened with a workflow reads it, the default keeps
ServiceTitan's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jpm_tui.cache.store import CacheStore, JobQuery
from jpm_tui.provider import domain as d
from jpm_tui.provider.backends import workflow_for

T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _next_appointment(store: CacheStore, first: str, second: str) -> datetime | None:
    """A job with an appointment on day 1 in status ``first`` and one on day 2 in ``second``: its list row's next."""
    store.upsert("jobs", [d.Job(1, "1", d.JobStatus.verbatim(second), d.Priority.NORMAL, None, None, None, None)])
    store.upsert("appointments", [
        d.Appointment(1, 1, "1-1", T0, T0 + timedelta(hours=2), status=d.AppointmentStatus.verbatim(first)),
        d.Appointment(2, 1, "1-2", T0 + timedelta(days=1), T0 + timedelta(days=1, hours=2),
                      status=d.AppointmentStatus.verbatim(second)),
    ])
    (row,) = store.jobs_window(JobQuery(), 0, 10)
    return row.next_appointment


@pytest.mark.parametrize(("backend", "first", "second"), [
    ("servicetitan", "Done", "Scheduled"),
    ("servicetitan", "Canceled", "Scheduled"),
    ("fsm-navigator", "Completed", "Assigned"),
    ("fsm-navigator", "Invoiced", "Assigned"),  # closed counts as finished too
    ("bigchange", "completedWithIssues", "scheduled"),
])
def test_a_finished_appointment_is_not_the_next_one(tmp_path: Path, backend: str, first: str, second: str) -> None:
    store = CacheStore(tmp_path / "c.sqlite3", workflow=workflow_for(backend))
    try:
        assert _next_appointment(store, first, second) == T0 + timedelta(days=1)
    finally:
        store.close()


def test_an_open_appointment_first_is_the_next_one(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c.sqlite3", workflow=workflow_for("fsm-navigator"))
    try:
        assert _next_appointment(store, "Assigned", "Pending") == T0
    finally:
        store.close()


def test_the_default_store_keeps_servicetitan_s_words(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c.sqlite3")
    try:
        assert _next_appointment(store, "Done", "Scheduled") == T0 + timedelta(days=1)
        assert _next_appointment(store, "Completed", "Scheduled") == T0  # a job's word, not an appointment's
    finally:
        store.close()
