"""The seam between the board and the cache (``jpm_tui.ui.source``): the cache's stores, live loop and the UI
tests' fakes all satisfy its protocols, checked by mypy (``_fits`` below is type-checked by the test) and at run
time, so a fake cannot drift from what the screens read (job detail once passed against a fake whose technicians
and custom fields the cache never returned)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.fake_sources import FakeLive, FakeSource, OverlapSource, fixed_store
from support.mypy_run import run_mypy

from jpm_tui.cache.live import LiveCache
from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.store import CacheStore
from jpm_tui.provider import domain as d
from jpm_tui.ui.source import BoardSource, LiveSession

ROOT = Path(__file__).resolve().parents[2]


def _fits(store: CacheStore, pg: PgStore, live: LiveCache, fake: FakeSource, overlap: OverlapSource,
          fake_live: FakeLive) -> None:
    """Never called: mypy checks that each argument is assignable to the protocol it is given to."""
    sources: list[BoardSource] = [store, pg, fake, overlap]  # the board on a team's database too
    sessions: list[LiveSession] = [live, fake_live]
    del sources, sessions


def test_the_cache_and_the_fakes_type_check_against_the_protocols(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MYPYPATH", str(ROOT / "tests"))  # ``support`` as the tests import it
    out, err, status = run_mypy("--follow-imports", "silent", str(Path(__file__)))
    assert status == 0, f"mypy found errors:\n{out}{err}"


def test_the_cache_and_the_fakes_are_protocol_instances(tmp_path: Path) -> None:
    store = fixed_store(tmp_path / "cache.sqlite3")
    try:
        for source in (store, FakeSource(5), OverlapSource(20)):
            assert isinstance(source, BoardSource), type(source)
        assert isinstance(FakeLive(store), LiveSession)
    finally:
        store.close()


def test_the_fake_answers_with_domain_rows() -> None:
    """What job detail and the calendar read from the fake are the records the store reads back."""
    fake = FakeSource(20)
    job = fake.job(fake.rows[0].id)
    assert isinstance(job, d.Job)
    assert job.customer_id is not None and isinstance(fake.customer(job.customer_id), d.Customer)
    assert job.location_id is not None and isinstance(fake.location(job.location_id), d.Location)
    assert all(isinstance(a, d.Appointment) for a in fake.appointments_for_job(job.id))
    assert all(isinstance(n, d.Note) for n in fake.notes_for_job(job.id))
    assert all(isinstance(h, d.HistoryEntry) for h in fake.history_for_job(job.id))
    assert all(isinstance(t, d.Technician) for t in fake.technicians())
    assert d.custom_fields(job) == (("Gate code", "1000"),)
