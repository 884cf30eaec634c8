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


class _Statements:
    """The statements a store's connection runs (``pg.conn.execute`` watched), with, for the merge of common words
    (its ``JOIN job_words c1``), the join nodes of its plan there and then (in its transaction, its settings on)."""

    def __init__(self, pg: PgStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.run: list[str] = []
        self.merge_joins: list[set[str]] = []
        conn = pg.conn
        execute = conn.execute

        def watched(query: Any, params: Any = None, **kwargs: Any) -> Any:
            sql = str(query)
            self.run.append(sql)
            if "JOIN job_words c1" in sql and not sql.startswith("EXPLAIN"):
                plan = execute(f"EXPLAIN (FORMAT JSON) {sql}", params).fetchone()  # type: ignore[arg-type]
                assert plan is not None
                nodes, joins = [plan[0][0]["Plan"]], set[str]()
                while nodes:
                    node = nodes.pop()
                    joins |= {node["Node Type"]} & {"Merge Join", "Hash Join", "Nested Loop"}
                    nodes += node.get("Plans", [])
                self.merge_joins.append(joins)
            return execute(query, params, **kwargs)

        monkeypatch.setattr(conn, "execute", watched)

    def merged(self) -> int:
        """How many merges of common words ran (each checked to be a merge join, no other join)."""
        assert all(joins == {"Merge Join"} for joins in self.merge_joins), self.merge_joins
        return len(self.merge_joins)


def _words_job(i: int, summary: str, status: d.JobStatus = d.JobStatus.HOLD, *, active: bool = True) -> d.Job:
    return d.Job(i, f"J{i:03d}", status, d.Priority.LOW, None, None, None, None, summary=summary, active=active)


def _lists(pg: PgStore, queries: list[JobQuery]) -> list[tuple[int, int, list[int], list[int]]]:
    """Each query's count, count capped at 3, first window of 4 and second window of 4 (ids)."""
    return [(pg.count_jobs(q), pg.count_jobs(q, cap=3), [r.id for r in pg.jobs_window(q, 0, 4)],
             [r.id for r in pg.jobs_window(q, 4, 4)]) for q in queries]


def test_common_words_that_seldom_share_a_job_are_counted_and_windowed_from_their_merge(
        pg: PgStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two words each of many jobs ("maple", "river": more than ``FEW`` rows), which share few jobs or none: their
    common jobs are found once, by a merge of their rows, and the count and windows read those, with every filter,
    the other words and the phrase checked on them as before."""
    import jpm_tui.cache.pg.search as search
    from jpm_tui.cache.pg.job_list import searched

    # maple alone 1-20, river alone 21-40, both 41-47 ("river maple" in 45-47), oak 48-70; 43 inactive, 41 done
    summary = {**{i: "maple street" for i in range(1, 21)}, **{i: "river street" for i in range(21, 41)},
               **{i: "maple river" for i in range(41, 45)}, **{i: "river maple" for i in range(45, 48)},
               **{i: "oak street" for i in range(48, 71)}}
    pg.upsert("jobs", [_words_job(i, text, d.JobStatus.COMPLETED if i == 41 else d.JobStatus.HOLD, active=i != 43)
                       for i, text in summary.items()])
    pg.optimize()  # the planner's statistics, whose estimate of the jobs the words share decides the merge
    queries = [JobQuery(text="maple river"), JobQuery(text="river maple", include_inactive=True),
               JobQuery(text="maple river", statuses=("Hold",), sort="summary", descending=True),
               JobQuery(text="maple-river"), JobQuery(text="maple river str"), JobQuery(text="maple oak"),
               JobQuery(text="j0 river maple")]  # "j0": many rows, of many words (j001-j070), probed
    before = _lists(pg, queries)  # every word few: read as before
    assert before[:2] == [(6, 3, [41, 42, 44, 45], [46, 47]), (7, 3, [41, 42, 43, 44], [45, 46, 47])]
    assert before[2:] == [(5, 3, [47, 46, 45, 44], [42]), (3, 3, [41, 42, 44], []), (0, 0, [], []),
                          (0, 0, [], []), before[0]]

    monkeypatch.setattr(search, "FEW", 10)  # each word of many rows: 27 maple, 27 river, 23 oak
    monkeypatch.setattr(search, "TOGETHER", 20)
    statements = _Statements(pg, monkeypatch)
    assert _lists(pg, queries) == before
    assert statements.merged() == 4 * len(queries)  # once a read ("str": "street", a third word of many rows)
    found = searched(pg.conn, JobQuery(text="maple river"))[1]
    assert found is not None and sorted(found.found or ()) == list(range(41, 48)) and found.found_inactive == {43}
    assert searched(pg.conn, JobQuery(text="maple oak")) == (True, None)  # they share no job: nothing read further
    # neither word is probed for a job: the count of the text alone is the found jobs', the window probes no word
    statements.run.clear()
    assert pg.count_jobs(JobQuery(text="maple river")) == 6 and [r.id for r in pg.jobs_window(
        JobQuery(text="maple river"), 0, 50)] == [41, 42, 44, 45, 46, 47]
    assert [s for s in statements.run if "job_words w" in s] == []
    assert not any(s.startswith("SELECT count(*)") for s in statements.run)


def test_common_words_that_share_many_jobs_are_walked_as_before(pg: PgStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Words the planner expects to share few jobs but which share more than ``TOGETHER`` ("gate code", always
    together): their merge stops at the cap, and the count and windows read as before (the sort order walked)."""
    import jpm_tui.cache.pg.search as search
    from jpm_tui.cache.pg.job_list import searched

    pg.upsert("jobs", [_words_job(i, "gate code" if i <= 30 else "furnace", d.JobStatus.COMPLETED if i % 4 == 0
                                  else d.JobStatus.SCHEDULED, active=i != 7) for i in range(1, 121)])
    pg.optimize()
    queries = [JobQuery(text="gate code"), JobQuery(text="code gate", include_inactive=True),
               JobQuery(text="gate code", statuses=("Scheduled",), sort="summary", descending=True),
               JobQuery(text="gate-code")]
    before = _lists(pg, queries)
    assert before == [(29, 3, [1, 2, 3, 4], [5, 6, 8, 9]), (30, 3, [1, 2, 3, 4], [5, 6, 7, 8]),
                      (22, 3, [30, 29, 27, 26], [25, 23, 22, 21]), (29, 3, [1, 2, 3, 4], [5, 6, 8, 9])]

    monkeypatch.setattr(search, "FEW", 10)
    monkeypatch.setattr(search, "TOGETHER", 20)
    statements = _Statements(pg, monkeypatch)
    assert _lists(pg, queries) == before
    assert statements.merged() == 4 * len(queries)  # each read merged to the cap (30 jobs together, 7.5 expected)
    found = searched(pg.conn, JobQuery(text="gate code"))[1]
    assert found is not None and found.found is None  # as many as the cap: the search as it was
    assert any("job_words w" in s for s in statements.run)  # the words probed along the sort order


def test_the_merge_s_planner_settings_end_with_it(pg: PgStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The merge's settings (no hash join, no nested loop) are for its statement alone: the connection has its own
    after it, and a caller's transaction goes on with its own settings and its writes."""
    import jpm_tui.cache.pg.search as search

    pg.upsert("jobs", [_words_job(i, "maple" if i % 2 else "river") for i in range(1, 41)]
                      + [_words_job(41, "maple river")])
    pg.optimize()
    monkeypatch.setattr(search, "FEW", 10)
    statements = _Statements(pg, monkeypatch)

    def settings() -> list[str]:
        return [pg.conn.execute(f"SHOW {name}").fetchone()[0] for name in ("enable_hashjoin", "enable_nestloop")]  # type: ignore[index]

    assert [r.id for r in pg.jobs_window(JobQuery(text="maple river"), 0, 10)] == [41] and statements.merged() == 1
    assert settings() == ["on", "on"] and pg.conn.info.transaction_status.name == "IDLE"
    with pg.db.transaction() as tx:
        tx.execute("SET LOCAL enable_nestloop = off")  # the caller's own, kept
        assert pg.count_jobs(JobQuery(text="maple river")) == 1 and statements.merged() == 2
        assert settings() == ["on", "off"]
        pg.upsert("jobs", [_words_job(42, "maple river")])  # written in the same transaction, which goes on
    assert settings() == ["on", "on"] and pg.count_jobs(JobQuery(text="maple river")) == 2


def test_a_prefix_of_two_common_words_is_merged_once_for_each(pg: PgStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A prefix that starts two cached words ("riv": river, riverside), of many rows, is merged with the other common
    words once for each of its two (a job holding both found once); a prefix of three words is probed as before."""
    import jpm_tui.cache.pg.search as search
    from jpm_tui.cache.pg.job_list import searched

    summary = {**{i: "maple street" for i in range(1, 21)}, **{i: "riverside lane" for i in range(21, 36)},
               **{i: "river lane" for i in range(36, 51)}, **{i: "maple river" for i in range(51, 54)},
               **{i: "maple riverside" for i in range(54, 57)}, 57: "maple river riverside",
               **{i: "road maple" for i in range(58, 61)}}
    pg.upsert("jobs", [_words_job(i, text, d.JobStatus.COMPLETED if i == 51 else d.JobStatus.HOLD, active=i != 55)
                       for i, text in summary.items()])
    pg.optimize()
    queries = [JobQuery(text="maple riv"), JobQuery(text="river maple", include_inactive=True),
               JobQuery(text="maple-riv", statuses=("Hold",), sort="summary"), JobQuery(text="maple r")]
    before = _lists(pg, queries)
    assert before == [(6, 3, [51, 52, 53, 54], [56, 57]), (7, 3, [51, 52, 53, 54], [55, 56, 57]),
                      (5, 3, [52, 53, 57, 54], [56]), (9, 3, [51, 52, 53, 54], [56, 57, 58, 59])]

    monkeypatch.setattr(search, "FEW", 10)  # 27 maple, 19 river, 19 riverside, 41 "r" (river, riverside, road)
    monkeypatch.setattr(search, "TOGETHER", 30)
    statements = _Statements(pg, monkeypatch)
    assert _lists(pg, queries) == before
    assert statements.merged() == 4 * 3  # "maple r": one common word, probed for the prefix of three
    found = searched(pg.conn, JobQuery(text="maple riv"))[1]
    assert found is not None and found.found is not None
    assert sorted(found.found) == list(range(51, 58)) and found.found_inactive == {55}
    assert [p.words for p in found.parts] == [(), ("river", "riverside")]


def test_a_search_s_count_and_window_are_planned_for_its_words_each_time(pg: PgStore) -> None:
    """psycopg prepares a statement at its fifth run, and the server may then plan it once for any parameters: the
    job list's counts and windows, whose plans hang on the words searched, are never prepared."""
    pg.upsert("jobs", [_words_job(i, "gate code" if i % 3 else "furnace") for i in range(1, 61)])
    for _ in range(12):
        assert pg.count_jobs(JobQuery(text="gate code"), cap=100) == 40
        assert len(pg.jobs_window(JobQuery(text="gate code"), 0, 10)) == 10
    prepared = [r[0] for r in pg.conn.execute("SELECT statement FROM pg_prepared_statements")]
    assert prepared  # the search's narrowing, whose plan does not hang on them
    assert [s for s in prepared if s.startswith("SELECT count(*)") or "ORDER BY" in s] == []
