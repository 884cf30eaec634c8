"""Each queued write keeps its author (the dispatcher's name, else the OS user): ``pending_ids`` and ``pending_for``
say by whom, and a dispatcher's own failures and conflicts are listed first. On both stores: one dispatcher's
SQLite file, and a team's PostgreSQL database."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.stores import STORES, open_store

from jpm_tui.cache.outbox import Outbox
from jpm_tui.provider import domain as d
from jpm_tui.provider.base import CommandResult


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    with open_store(request, tmp_path) as opened:
        yield opened


class GoneRecords:
    """A backend on which no record exists any more: every write on a record fails (not found), unsent."""

    async def fetch_record(self, kind: str, record_id: int) -> dict[str, Any] | None:
        return None

    async def execute(self, command: d.Command) -> CommandResult:
        raise AssertionError("nothing is sent for a record that is gone")

    async def find_applied(self, command: d.Command, since: Any) -> CommandResult | None:
        return None


def test_each_write_keeps_its_author_and_the_marks_say_by_whom(store) -> None:
    ann, bob = Outbox(store, author="Ann"), Outbox(store, author="Bob")
    first = ann.enqueue(d.AddJobNote(job_id=7, text="gate code 4417"))
    bob.enqueue(d.CancelJob(job_id=7, reason_id=3))
    ann.enqueue(d.AddJobNote(job_id=7, text="call first"))
    bob.enqueue(d.AddJobNote(job_id=8, text="dog on site"))

    marks = bob.pending_ids("job")
    assert marks == {7: "pending", 8: "pending"}  # what the board's marker reads, as before
    assert marks[7].authors == ("Ann", "Bob") and marks[8].authors == ("Bob",)  # first queued first, once each
    assert [e.author for e in ann.pending_for("job", 7)] == ["Ann", "Bob", "Ann"]
    assert ann.get(first.id).to_dict()["author"] == "Ann"
    assert Outbox(store).author == getpass.getuser()  # no dispatcher_name: the OS user


async def test_a_dispatchers_own_failures_are_listed_first(store) -> None:
    ann = Outbox(store, GoneRecords(), author="Ann")
    bob = Outbox(store, GoneRecords(), author="Bob")
    anns = ann.enqueue(d.AddJobNote(job_id=7, text="for Ann"))
    bobs = bob.enqueue(d.AddJobNote(job_id=8, text="for Bob"))
    report = await bob.replay()
    assert sorted(report.failed) == [anns.id, bobs.id]
    waiting = ann.enqueue(d.AddJobNote(job_id=9, text="queued after"))

    assert [e.id for e in bob.listing()] == [bobs.id, anns.id, waiting.id]
    assert [e.id for e in ann.listing()] == [anns.id, bobs.id, waiting.id]
    assert [e.id for e in ann.entries()] == [anns.id, bobs.id, waiting.id]  # entries keep id order
