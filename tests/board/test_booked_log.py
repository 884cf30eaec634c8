"""The job detail's booked log on the demo board: read from the sandbox when a job is opened online, kept in the
cache, shown offline afterwards; a job never opened online says its booked log is not cached yet."""

from __future__ import annotations

from typing import Any

from support.demo_board import Board

from jpm_tui.provider import domain as d
from jpm_tui.ui.format import when


def _booked(board: Board, job: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in board.sandbox["job_booked_logs"].values() if b["jobId"] == job["id"])


def _who(board: Board, employee_id: int) -> str:
    person = board.sandbox["employees"].get(employee_id) or board.sandbox["technicians"].get(employee_id)
    return person["name"]


async def test_opening_a_job_online_reads_its_booked_log_and_shows_it_offline_later(board: Board) -> None:
    job, other = board.job_where(lambda j: True), board.job_where(lambda j: j["id"] > 0 and j["id"] % 7 == 3)
    booked = _booked(board, job)
    assert board.store.booked_log_for_job(job["id"]) is None  # no feed carries it
    await board.open(job)
    await board.wait(lambda: board.store.booked_log_for_job(job["id"]) is not None, "the booked log in the cache")
    entry = board.store.booked_log_for_job(job["id"])
    assert entry.created_by_id == booked["createdById"] and entry.appointment_id == booked["jobAppointmentId"]
    name = _who(board, booked["createdById"])
    booked_on = when(d.parse_datetime(booked["createdOn"]), board.app.tz)
    start = when(d.parse_datetime(booked["start"]), board.app.tz)
    await board.wait(lambda: name in board.shown() and booked_on in board.shown(), "who booked it, and when")
    assert "Booked by" in board.shown() and start in board.shown()

    await board.pilot.press("escape")
    board.network.up = False
    await board.open(job)  # kept in the cache: shown offline
    await board.wait(lambda: name in board.shown() and booked_on in board.shown(), "the cached booked log offline")

    await board.pilot.press("escape")
    assert other["id"] != job["id"] and board.store.booked_log_read_on(other["id"]) is None
    await board.open(other)
    await board.wait(lambda: "booked log is not cached yet" in board.shown(), "the not-cached words")
    assert board.store.booked_log_read_on(other["id"]) is None
    assert "Summary" in board.shown()  # the rest of the detail is intact


async def test_a_job_the_server_has_no_booked_log_for_says_so(board: Board) -> None:
    job = board.job_where(lambda j: j["id"] % 5 == 1)
    for b in [b for b in board.sandbox["job_booked_logs"].values() if b["jobId"] == job["id"]]:
        board.sandbox["job_booked_logs"].delete(b["id"])
    await board.open(job)
    await board.wait(lambda: "The server has no booked log for this job." in board.shown(), "the none words")
    assert board.store.booked_log_read_on(job["id"]) is not None
