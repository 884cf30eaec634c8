"""What only the PostgreSQL store's search does (what it finds is tested against both stores, test_queries.py): its
words table (``job_words``) holds every cached job's words, whichever write changed them and after the migration that
made it, and a capped count reads no further than its cap."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.stores import both_stores

from jpm_tui.cache.pg import PgStore
from jpm_tui.cache.pg.schema import JOB_SORT_EXPRESSIONS
from jpm_tui.cache.pg.search import Part, TextSearch, text_search
from jpm_tui.cache.store import JobQuery
from jpm_tui.cache.store.interface import Store
from jpm_tui.provider import domain as d

T0 = datetime(2025, 5, 1, 8, tzinfo=UTC)


def job(i: int, summary: str = "", *, customer: int | None = None, active: bool = True) -> d.Job:
    return d.Job(i, f"J{i}", d.JobStatus.HOLD, d.Priority.LOW, None, None, customer, customer, summary=summary,
                 active=active)


@pytest.fixture
def pg(postgres_url: str) -> Iterator[PgStore]:
    with PgStore(postgres_url) as store:
        yield store


def words(pg: PgStore) -> set[tuple[int, str, int]]:
    """(job, word, active) of the words table."""
    return {(r[0], r[1], r[2]) for r in pg.conn.execute("SELECT job_id, word, active FROM job_words")}


def documents(pg: PgStore) -> set[tuple[int, str, int]]:
    """(job, word, active) of the jobs' search documents (the inactive marker aside), what the table must hold."""
    return {(r[0], r[1], r[2]) for r in pg.conn.execute(
        "SELECT id, word, active FROM jobs, unnest(tsvector_to_array(search)) word WHERE word <> '~inactive'")}


def test_the_words_table_follows_every_write_a_job_s_words_come_from(pg: PgStore) -> None:
    pg.upsert("technicians", [d.Technician(7, "Quentin Blake")])
    pg.upsert("customers", [d.Customer(3, "Acme Heating")])
    pg.upsert("jobs", [job(1, "furnace noise", customer=3), job(2, "leaky tap")])
    steps: list[tuple[str, Any]] = [
        ("job_notes", [d.Note(1, "job", 1, "gate code 4411")]),
        ("contacts", [d.Contact(1, "customer", 3, d.ContactType.PHONE, "555-010-7788")]),
        ("appointments", [d.Appointment(10, 2)]),
        ("appointment_assignments", [d.Assignment(20, 10, 2, 7)]),
        ("technicians", [d.Technician(7, "Rosalind Blake")]),  # renamed: job 2's words follow
        ("customers", [d.Customer(3, "Zenith Heating")]),
        ("jobs", [job(1, "furnace quiet now", customer=3)]),
    ]
    assert words(pg) == documents(pg) and {w for _, w, _ in words(pg)} >= {"furnace", "acme", "j1", "leaky"}
    for table, rows in steps:
        pg.upsert(table, rows)
        assert words(pg) == documents(pg), table
    found = {w for j, w, _ in words(pg) if j == 1}
    assert {"gate", "4411", "555", "7788", "zenith", "quiet"} <= found and not {"acme", "noise"} & found
    assert {"rosalind", "blake"} <= {w for j, w, _ in words(pg) if j == 2} and "quentin" not in {w for _, w, _ in words(pg)}
    pg.deactivate_missing("jobs", [1])  # job 2 gone from the feed: its words stay, inactive
    assert words(pg) == documents(pg) and {a for j, _, a in words(pg) if j == 2} == {0}
    assert pg.count_jobs(JobQuery(text="leaky")) == 0 and pg.count_jobs(JobQuery(text="leaky", include_inactive=True)) == 1
    pg.upsert("jobs", [job(2, "leaky tap")])  # back
    assert words(pg) == documents(pg) and pg.count_jobs(JobQuery(text="leaky")) == 1


def test_a_database_of_schema_6_fills_its_words_table_from_the_jobs_cached(postgres_url: str) -> None:
    with PgStore(postgres_url, target_version=6) as old:  # a team's database searched by its GIN index
        old.upsert("customers", [d.Customer(3, "Acme Heating")])
        old.upsert("jobs", [job(i, "furnace" if i % 2 else "boiler", customer=3, active=i != 5) for i in range(1, 9)])
        old.upsert("job_notes", [d.Note(1, "job", 2, "beware dog")])
    with PgStore(postgres_url) as store:
        assert words(store) and words(store) == documents(store)
        assert store.count_jobs(JobQuery(text="furn acme")) == 3  # 1, 3, 7 (5 is inactive)
        assert [r.id for r in store.jobs_window(JobQuery(text="dogs"), 0, 10)] == []
        assert [r.id for r in store.jobs_window(JobQuery(text="bewa d"), 0, 10)] == [2]
        store.upsert("jobs", [job(9, "furnace", customer=3)])  # the triggers keep it from now on
        assert store.count_jobs(JobQuery(text="furn acme")) == 4 and words(store) == documents(store)


def _plan_rows(pg: PgStore, sql: str, args: list[Any]) -> int:
    """How many rows the plan of ``sql`` read of the words it counts from (``job_words f``)."""
    plan = pg.conn.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", args).fetchone()[0]  # type: ignore[index]
    nodes = [plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"]]
    while nodes:
        node = nodes.pop(0)
        if node.get("Alias") == "f":
            return int(node["Actual Rows"])
        nodes += node.get("Plans", [])
    raise AssertionError(f"no scan of the words counted in {plan}")


def test_a_capped_count_reads_the_words_index_no_further_than_its_cap(pg: PgStore) -> None:
    # each job holds two words of the prefix "alp": counted once, at the first of them
    pg.upsert("jobs", [job(i, "alpha alpine") for i in range(1, 201)])
    pg.optimize()
    q = JobQuery(text="alp")
    assert pg.count_jobs(q) == 200 and pg.count_jobs(q, cap=30) == 30
    found = text_search(q.text)
    assert found is not None
    assert _plan_rows(pg, *found.count_sql(True, ([], []), 30)) <= 60  # not the 400 rows of the prefix
    assert _plan_rows(pg, *found.count_sql(True, ([], []), None)) == 400
    # a prefix of one cached word is asked as that word; one of none matches nothing, unread
    assert found.narrowed(pg.conn) == found
    assert text_search("alph alp").narrowed(pg.conn) == TextSearch((Part("alpha", prefix=False), Part("alp", prefix=True)),
                                                                   None)
    assert text_search("alp beta").narrowed(pg.conn) is None


@both_stores
def test_a_word_of_several_parts_finds_them_in_their_order(store: Store) -> None:
    store.upsert("customers", [d.Customer(1, "Smith-Jones LLC"), d.Customer(2, "Jones Smith Ltd")])
    store.upsert("jobs", [job(1, customer=1), job(2, customer=2)])
    found = {text: [r.id for r in store.jobs_window(JobQuery(text=text), 0, 10)]
             for text in ("smith-jones", "jones-sm", "smith jones", "smith-jon llc", "jones-smith-l")}
    assert found == {"smith-jones": [1], "jones-sm": [2], "smith jones": [1, 2], "smith-jon llc": [1],
                     "jones-smith-l": [2]}
    assert [store.count_jobs(JobQuery(text=t)) for t in found] == [1, 1, 2, 1, 1]


def test_the_next_appointment_index_holds_every_sort_s_columns(pg: PgStore) -> None:
    """A few technicians' window (jobs found by their next appointment) is read from that index alone, whatever the
    sort: each job was read from the table for its sort key (41 ms p95 for one technician at 1,000,000 jobs)."""
    definition = pg.conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'jobs_next_appt'").fetchone()
    assert definition is not None
    held = set(re.findall(r"\w+", definition[0].split(" INCLUDE ")[1].split(" WHERE ")[0]))
    read = {c for expr in JOB_SORT_EXPRESSIONS.values() for c in re.findall(r"\w+", expr) if c != "lower"}
    assert read | {"id"} <= held, read - held
    pg.upsert("appointments", [d.Appointment(i, i, start=T0 + timedelta(hours=i)) for i in range(1, 31)])
    pg.upsert("appointment_assignments", [d.Assignment(i, i, i, i % 2 + 1) for i in range(1, 31)])
    pg.upsert("jobs", [job(i, "boiler") for i in range(1, 31)])
    for sort in JOB_SORT_EXPRESSIONS:
        assert sorted(r.id for r in pg.jobs_window(JobQuery(technician_ids=(2,), sort=sort), 0, 50)) == list(
            range(1, 31, 2)), sort
