"""What only the PostgreSQL store does (its behaviour shared with SQLite is tested against both stores): windows
far down read from the end, the next window seeking from the last one, its schema's versions, a URL's password
kept out of what it shows."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.pg.schema import LATEST
from jpm_tui.cache.store import CacheTooNew, JobQuery
from jpm_tui.provider import domain as d

QUERIES = [JobQuery(), JobQuery(sort="customer", descending=True), JobQuery(statuses=("Hold", "Completed")),
           JobQuery(include_inactive=True, sort="priority")]


@pytest.fixture
def pg(postgres_url: str) -> Iterator[PgStore]:
    with PgStore(postgres_url) as store:
        store.upsert("customers", [d.Customer(i, f"Customer {i % 7}") for i in range(1, 30)])
        statuses = [d.JobStatus.HOLD, d.JobStatus.COMPLETED, d.JobStatus.SCHEDULED]
        store.upsert("jobs", [d.Job(i, str(i), statuses[i % 3], d.Priority.HIGH if i % 4 else d.Priority.LOW, None,
                                    None, i % 29 + 1, None, active=i % 11 != 0) for i in range(1, 121)])
        yield store


def ids(store: PgStore, q: JobQuery, offset: int, limit: int) -> list[int]:
    return [r.id for r in store.jobs_window(q, offset, limit)]


@pytest.mark.parametrize("q", QUERIES)
def test_windows_far_down_are_read_from_the_end_and_agree(pg: PgStore, q: JobQuery,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    whole = ids(pg, q, 0, 1000)
    assert len(whole) == pg.count_jobs(q) > 50
    monkeypatch.setattr(pg.job_list, "FAR", 3)  # every window past the 3rd row, nearer the end, from the end
    for offset in (4, 30, len(whole) - 20, len(whole) - 7, len(whole) - 1, len(whole), len(whole) + 5):
        assert ids(pg, q, offset, 9) == whole[offset:offset + 9], offset


def test_the_next_window_seeks_from_the_last_and_follows_its_rows(pg: PgStore) -> None:
    q = JobQuery(sort="number")
    whole = ids(pg, q, 0, 1000)
    ids(pg, q, 0, 10)
    assert ids(pg, q, 10, 10) == whole[10:20]  # the same rows as counted from the top
    ids(pg, q, 0, 10)
    pg.upsert("jobs", [d.Job(1000, "0", d.JobStatus.HOLD, d.Priority.LOW, None, None, None, None)])  # sorts first
    # paging down goes on after the row last shown, not one row back as an offset would
    assert ids(pg, q, 10, 3) == whole[10:13]
    assert ids(pg, q, 0, 1000) == [1000, *whole]


def test_the_schema_is_versioned_and_a_newer_one_refused(postgres_url: str) -> None:
    upgrades: list[tuple[str, int, int]] = []
    with ThreadPoolExecutor(4) as pool:  # boards opening at once: one migrates, the others find it done
        stores = list(pool.map(lambda _: PgStore(postgres_url, on_upgrade=lambda *a: upgrades.append(a)), range(4)))
    assert [s.schema_version for s in stores] == [LATEST] * 4 and upgrades == []  # a new database: no upgrade
    for s in stores:
        s.close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("UPDATE jpm_schema SET version = %s", (LATEST + 1,))
    with pytest.raises(CacheTooNew, match="upgrade jpm-tui"):
        PgStore(postgres_url)


def test_what_it_shows_of_its_url_has_no_password(postgres_url: str) -> None:
    with PgStore(postgres_url.replace("postgres@", "postgres:s3cret@")) as store:  # trust auth: not checked
        shown = repr(store.info())
    assert "s3cret" not in shown and "127.0.0.1" in shown


def test_a_database_of_schema_2_upgrades_to_the_people_and_custom_fields_keeping_its_rows(postgres_url: str) -> None:
    with PgStore(postgres_url, target_version=2) as old:  # a team's database made before BigChange's tables
        old.upsert("jobs", [d.Job(1, "1", d.JobStatus.HOLD, d.Priority.LOW, None, None, None, None)])
    upgrades: list[tuple[str, int, int]] = []
    with PgStore(postgres_url, on_upgrade=lambda *a: upgrades.append(a)) as store:
        assert [(frm, to) for _, frm, to in upgrades] == [(2, LATEST)] and store.schema_version == LATEST
        assert store.job(1) is not None
        store.save_people(5, [d.Person("p-1", 5, "Ann", raw={})])
        store.upsert("custom_field_definitions", [d.CustomFieldDefinition(3, "Colour", "text", raw={})])
        assert [p.name for p in store.people_of(5)] == ["Ann"]
        assert [f.name for f in store.custom_field_definitions()] == ["Colour"]
