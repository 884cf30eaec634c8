"""The detail's planned-vs-real line (``ui/planned_vs_real.py``): the plan, the real times and the difference in
words, for each state a job's times can be in; only a backend that declares its times gets the line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jpm_tui.provider.backends import workflow_for
from jpm_tui.provider.workflow import JobTimes
from jpm_tui.ui.planned_vs_real import planned_vs_real, span

START = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
END = START + timedelta(hours=2)
UTC = UTC


def _at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


@pytest.mark.parametrize(("times", "line"), [
    (JobTimes(START, END, _at(19), _at(119)),
     "planned 2026-11-22 10:30 (Sun)–12:30, real 10:49–12:29 (started 19 min late, ended 1 min early)"),
    (JobTimes(START, END, START, END),
     "planned 2026-11-22 10:30 (Sun)–12:30, real 10:30–12:30 (started on time, ended on time)"),
    (JobTimes(START, END, _at(-20), None),
     "planned 2026-11-22 10:30 (Sun)–12:30, real 10:10– (started 20 min early, not ended yet)"),
    (JobTimes(START, END, None, None), "planned 2026-11-22 10:30 (Sun)–12:30, not started"),
    (JobTimes(START, END, _at(24 * 60 + 5), _at(26 * 60 + 5)),
     "planned 2026-11-22 10:30 (Sun)–12:30, real 2026-11-23 10:35 (Mon)–12:35 (started 1 d late, ended 1 d late)"),
    (JobTimes(None, None, START, END), "not planned, real 2026-11-22 10:30 (Sun)–12:30"),
], ids=["late-and-early", "on-time", "still-going", "not-started", "next-day", "unplanned"])
def test_the_line_says_plan_real_and_difference(times: JobTimes, line: str) -> None:
    assert planned_vs_real(times, UTC) == line


def test_spans_read_in_minutes_hours_and_days() -> None:
    assert [span(timedelta(minutes=m)) for m in (0, 19, -19, 60, 125, 24 * 60, 27 * 60 + 10)] == [
        "0 min", "19 min", "19 min", "1 h", "2 h 5 min", "1 d", "1 d 3 h"]


def test_only_a_backend_that_declares_its_times_gets_the_line() -> None:
    assert workflow_for("bigchange").job_times is not None
    assert workflow_for("servicetitan").job_times is None and workflow_for("fsm-navigator").job_times is None
