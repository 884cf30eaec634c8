"""The UI's query layer: filters, sorts, windows, counts, text search and their query plans."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.stores import STORES, both_stores, open_store

from jpm_tui.cache.schema import JOB_SORT_COLUMNS
from jpm_tui.cache.store import CacheError, CacheStore, JobQuery, ProjectQuery, _fts_match, _kept_match, fts_query
from jpm_tui.cache.store.interface import Store
from jpm_tui.provider import domain as d

T0 = datetime(2025, 5, 1, 8, tzinfo=UTC)
STATUSES = ["Scheduled", "Dispatched", "InProgress", "Hold", "Completed", "Canceled", "Invoiced"]
PRIORITIES = ["Low", "Normal", "High", "Urgent"]
N = 300


@pytest.fixture(scope="module", params=STORES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """300 jobs with customers, locations, phones, appointments, technicians and notes, in each store. Returns the
    store and a plain-Python model of every job's list row, for checking the SQL against."""
    with open_store(request, tmp_path_factory.mktemp("q")) as store:
        yield store, fill_world(store)


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory):
    """The same world in SQLite alone, for the tests of its planner, bookmarks and search index."""
    with CacheStore(tmp_path_factory.mktemp("q") / "q.sqlite3") as store:
        yield store, fill_world(store)


def fill_world(store: Store) -> dict:
    rng = random.Random(3)
    store.upsert("job_types", [d.JobType(i, f"Type {chr(64 + i)}") for i in range(1, 6)])
    store.upsert("business_units", [d.BusinessUnit(i, f"BU {i}") for i in range(1, 4)])
    store.upsert("technicians", [d.Technician(i, f"Tech {i:02d}") for i in range(1, 8)])
    names = ["O'Brien & Sons", "Smith-Jones LLC", "AND Industries", "Zeta Corp", "Ünïcode Café", "acme"]
    store.upsert("customers", [d.Customer(i, names[i % len(names)] + f" {i}") for i in range(1, 41)])
    streets = ["12 Main St", "9 Oak Ave", "77 Pine Rd", "5 Elm Ct"]
    cities = ["Springfield", "Dallas", "Austin"]
    store.upsert("locations", [d.Location(i, i, street=streets[i % 4], city=cities[i % 3]) for i in range(1, 41)])
    store.upsert("contacts", [d.Contact(i, "customer", i, d.ContactType.PHONE, f"(555) 010-{i:04d}")
                              for i in range(1, 41)])
    jobs, model = [], {}
    for i in range(1, N + 1):
        cust = rng.randrange(1, 41)
        j = d.Job(i, str(i * 3 if i % 10 else 10_000 + i), d.JobStatus(rng.choice(STATUSES)),
                  d.Priority(rng.choice(PRIORITIES)), rng.randrange(1, 6), rng.randrange(1, 4), cust, cust,
                  summary=rng.choice(["AC not cooling", "Furnace repair", "Leak under sink", "Install *fan*"]),
                  modified_on=T0 + timedelta(minutes=rng.randrange(10_000)), created_on=T0,
                  active=rng.random() > 0.1)
        jobs.append(j)
    store.upsert("jobs", jobs)
    appts, assigns = [], []
    for j in jobs:
        if j.id % 4 == 0:
            continue
        start = T0 + timedelta(hours=rng.randrange(24 * 20))
        appts.append(d.Appointment(j.id, j.id, start=start, end=start + timedelta(hours=2)))
        tech = rng.randrange(1, 8)
        assigns.append(d.Assignment(j.id, j.id, j.id, tech))
    store.upsert("appointments", appts)
    store.upsert("appointment_assignments", assigns)
    store.upsert("job_notes", [d.Note(1, "job", 5, "gate code 4321, beware of dog")])
    appt_by_job = {a.job_id: a for a in appts}
    tech_by_appt = {a.appointment_id: a.technician_id for a in assigns}
    for j in jobs:
        a = appt_by_job.get(j.id)
        model[j.id] = {
            "job": j,
            "next": a.start if a else None,
            "tech": tech_by_appt.get(a.id) if a else None,
            "customer": names[j.customer_id % len(names)] + f" {j.customer_id}",
        }
    return model


def ids(store: CacheStore, q: JobQuery, offset: int = 0, limit: int = 1000) -> list[int]:
    return [r.id for r in store.jobs_window(q, offset, limit)]


def expected(model: dict, q: JobQuery, key=None) -> list[int]:
    out = []
    for jid, m in model.items():
        j = m["job"]
        if not q.include_inactive and not j.active:
            continue
        if q.statuses and j.status.value not in q.statuses:
            continue
        if q.priorities and j.priority.value not in q.priorities:
            continue
        if q.job_type_ids and j.job_type_id not in q.job_type_ids:
            continue
        if q.business_unit_ids and j.business_unit_id not in q.business_unit_ids:
            continue
        if q.technician_ids and m["tech"] not in q.technician_ids:
            continue
        if q.appointment_from and (m["next"] is None or m["next"] < q.appointment_from):
            continue
        if q.appointment_to and (m["next"] is None or m["next"] >= q.appointment_to):
            continue
        out.append(jid)
    return out


FILTERS = [
    JobQuery(),
    JobQuery(statuses=("Hold",)),
    JobQuery(statuses=("Scheduled", "Dispatched", "Invoiced")),
    JobQuery(priorities=("Urgent", "High")),
    JobQuery(job_type_ids=(2, 3)),
    JobQuery(business_unit_ids=(1,)),
    JobQuery(technician_ids=(3, 4)),
    JobQuery(appointment_from=T0 + timedelta(days=5), appointment_to=T0 + timedelta(days=9)),
    JobQuery(appointment_to=T0 + timedelta(days=2)),
    JobQuery(include_inactive=True),
    JobQuery(statuses=("Completed",), priorities=("Normal",), job_type_ids=(1, 2, 3), business_unit_ids=(2, 3),
             technician_ids=(1, 2, 3, 4, 5)),
]


@pytest.mark.parametrize("q", FILTERS, ids=lambda q: repr({k: v for k, v in q.__dict__.items() if v not in ((), None, False, "", "number")}))
def test_every_filter_matches_a_plain_model(world, q: JobQuery) -> None:
    store, model = world
    want = expected(model, q)
    assert sorted(ids(store, q)) == sorted(want)
    assert store.count_jobs(q) == len(want)


def _sort_value(model: dict, store: CacheStore, jid: int, sort: str):
    row = store.job_list_row(jid)
    j = model[jid]["job"]
    return {
        "number": (0, int(j.number)),
        "status": (j.status.rank,),
        "priority": (j.priority.rank,),
        "job_type": (row.job_type.casefold(),),
        "business_unit": (row.business_unit.casefold(),),
        "customer": (row.customer.casefold(),),
        "next_appointment": (row.next_appointment is None, row.next_appointment or T0),
        "technicians": (row.technicians.casefold(),),
        "summary": (row.summary.casefold(),),
        "modified": (row.modified,),
        "created": (j.created_on,),
    }[sort]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", sorted(JOB_SORT_COLUMNS))
def test_every_sort(world, sort: str, descending: bool) -> None:
    store, model = world
    q = JobQuery(sort=sort, descending=descending)
    got = ids(store, q)
    want = sorted(expected(model, q), key=lambda i: (_sort_value(model, store, i, sort), i), reverse=descending)
    assert got == want


def test_numbers_sort_numerically_and_statuses_by_workflow(world) -> None:
    store, _ = world
    numbers = [int(r.number) for r in store.jobs_window(JobQuery(), 0, 1000)]
    assert numbers == sorted(numbers)
    statuses = [r.status for r in store.jobs_window(JobQuery(sort="status"), 0, 1000)]
    order = ["Scheduled", "Dispatched", "InProgress", "Hold", "Completed", "Canceled", "Invoiced"]
    assert statuses == sorted(statuses, key=order.index)
    pri = [r.priority for r in store.jobs_window(JobQuery(sort="priority", descending=True), 0, 1000)]
    assert pri == sorted(pri, key=["Low", "Normal", "High", "Urgent"].index, reverse=True)


def test_next_appointment_sort_puts_jobs_without_one_last(world) -> None:
    store, _ = world
    rows = store.jobs_window(JobQuery(sort="next_appointment"), 0, 1000)
    flags = [r.next_appointment is None for r in rows]
    assert flags == sorted(flags) and any(flags) and not all(flags)


@pytest.mark.parametrize("q", [JobQuery(), JobQuery(statuses=("Hold", "Completed")), JobQuery(sort="customer", descending=True),
                               JobQuery(technician_ids=(1, 2, 3)), JobQuery(text="a")])
def test_windows_tile_the_whole_list(world, q: JobQuery) -> None:
    store, _ = world
    whole = ids(store, q)
    total = store.count_jobs(q)
    assert len(whole) == total
    for size in (1, 7, 50):
        if isinstance(store, CacheStore):
            store.bookmarks.anchors.clear()
        tiled = []
        for offset in range(0, total + size, size):
            tiled += ids(store, q, offset, size)
        assert tiled == whole, size
    # random jumps (anchors from earlier windows, and from the end) agree with the whole list
    rng = random.Random(5)
    for _ in range(40):
        offset = rng.randrange(0, total + 3)
        assert ids(store, q, offset, 9) == whole[offset:offset + 9]
    assert ids(store, q, total, 10) == [] and ids(store, q, total + 50, 10) == []
    assert ids(store, q, 0, 0) == [] and ids(store, q, -1, 5) == []


def test_anchors_are_dropped_when_data_changes(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "a.sqlite3")
    store.upsert("jobs", [d.Job(i, str(i), d.JobStatus.HOLD, d.Priority.LOW, 1, 1, 1, 1) for i in range(1, 101)])
    assert ids(store, JobQuery(), 50, 5) == [51, 52, 53, 54, 55]
    store.upsert("jobs", [d.Job(i, str(i), d.JobStatus.HOLD, d.Priority.LOW, 1, 1, 1, 1, active=False)
                          for i in range(1, 11)])
    assert ids(store, JobQuery(), 50, 5) == [61, 62, 63, 64, 65]
    # a write through another connection (another thread) is noticed too
    import threading

    t = threading.Thread(target=lambda: store.upsert("jobs", [
        d.Job(i, str(i), d.JobStatus.HOLD, d.Priority.LOW, 1, 1, 1, 1, active=False) for i in range(11, 21)]))
    t.start()
    t.join()
    assert ids(store, JobQuery(), 50, 5) == [71, 72, 73, 74, 75]
    assert store.count_jobs(JobQuery()) == 80
    store.close()



def _walk(store: CacheStore, q: JobQuery, monkeypatch: pytest.MonkeyPatch, seconds: float = 1.0) -> int:
    """Walk ``q``'s bookmarks to the end (planned as if the list were long: 300 jobs would not need them);
    returns the number of calls."""
    calls = 1
    with monkeypatch.context() as m:
        m.setattr(store.planner, "plan", lambda q, offset, limit: "sort")
        while not store.bookmark_job_list(q, seconds):
            calls += 1
    return calls


def _marks(store: CacheStore, q: JobQuery):  # noqa: ANN202 - the store's private record
    return store.bookmarks.anchors_for(q, store.db.version())


BOOKMARKED = [JobQuery(sort=s, descending=desc) for s in sorted(JOB_SORT_COLUMNS) for desc in (False, True)] + [
    JobQuery(statuses=("Hold", "Completed"), sort="customer"),
    JobQuery(priorities=("Urgent", "High"), sort="next_appointment", descending=True),
    JobQuery(technician_ids=(1, 2, 3), sort="modified"),
    JobQuery(appointment_from=T0 + timedelta(days=2), appointment_to=T0 + timedelta(days=15), sort="technicians"),
    JobQuery(include_inactive=True, job_type_ids=(1, 2, 4), sort="summary", descending=True),
]


@pytest.mark.parametrize("q", BOOKMARKED, ids=lambda q: f"{q.sort}{'-desc' if q.descending else ''}-"
                         f"{q.statuses}{q.priorities}{q.technician_ids}{q.job_type_ids}{bool(q.appointment_from)}")
def test_bookmarked_windows_equal_windows_read_from_the_top(sqlite_world, monkeypatch: pytest.MonkeyPatch,
                                                             q: JobQuery) -> None:
    store, _ = sqlite_world
    monkeypatch.setattr(store.bookmarks, "BOOKMARK_ENTRIES", 7)
    store.bookmarks.anchors.clear()
    whole = ids(store, q)
    store.bookmarks.anchors.clear()
    assert _walk(store, q, monkeypatch, seconds=0) > 1  # one step a call
    entry = _marks(store, q)
    step = -(-7 * len(whole) // 300)  # 7 of the 300 jobs' entries in the sort index
    assert entry.walked and entry.step == step and len(whole) > 3 * step
    assert [mark[1] for mark in entry.marks] == whole[step - 1::step]  # every step-th job, by its id
    for plan in (None, "sort", "filter"):  # None: as planned
        with monkeypatch.context() as m:
            if plan:
                _forced(m, store, iter(lambda: plan, None))  # noqa: B023 - used at once
                _walk(store, q, m)
            for offset in range(0, len(whole) + 2):
                _marks(store, q).seen.clear()  # from a bookmark, not from the last window
                assert ids(store, q, offset, 5) == whole[offset:offset + 5], (plan, offset)


def test_bookmarks_are_few_and_only_where_they_help(sqlite_world, monkeypatch: pytest.MonkeyPatch) -> None:
    store, _ = sqlite_world
    q = JobQuery(sort="customer")
    store.bookmarks.anchors.clear()
    assert store.bookmark_job_list(q, 1.0) and not _marks(store, q).marks  # 270 jobs: shorter than a step
    monkeypatch.setattr(store.bookmarks, "BOOKMARK_ENTRIES", 1)
    monkeypatch.setattr(store.bookmarks, "MAX_BOOKMARKS", 10)
    store.bookmarks.anchors.clear()  # that answer holds for the data version
    total = store.count_jobs(q)
    _walk(store, q, monkeypatch)
    entry = _marks(store, q)
    assert entry.step == -(-total // 10) and len(entry.marks) <= 10
    assert [mark[1] for mark in entry.marks] == ids(store, q)[entry.step - 1::entry.step]
    # a text search, and a list whose last page the planner reads by finding its jobs and sorting them
    for q, plan in ((JobQuery(text="a"), "sort"), (JobQuery(statuses=("Hold",)), "filter")):
        monkeypatch.setattr(store.planner, "plan", lambda q, offset, limit: plan)  # noqa: B023 - used at once
        assert store.bookmark_job_list(q, 1.0) and _marks(store, q).walked and not _marks(store, q).marks


def test_a_walk_starts_over_when_the_data_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = CacheStore(tmp_path / "w.sqlite3")
    monkeypatch.setattr(store.bookmarks, "BOOKMARK_ENTRIES", 10)
    store.upsert("customers", [d.Customer(i, f"Customer {i:03d}") for i in range(1, 101)])
    store.upsert("jobs", [d.Job(i, str(i), d.JobStatus.HOLD, d.Priority.LOW, 1, 1, i % 100 + 1, 1)
                          for i in range(1, 301)])
    q = JobQuery(sort="customer")
    with monkeypatch.context() as m:
        m.setattr(store.planner, "plan", lambda q, offset, limit: "sort")
        for _ in range(5):
            assert not store.bookmark_job_list(q, 0)
        assert len(_marks(store, q).marks) == 5 and _marks(store, q).step == 10
        # mid-walk: jobs leave the list and customers change names (the order changes)
        store.upsert("jobs", [d.Job(i, str(i), d.JobStatus.HOLD, d.Priority.LOW, 1, 1, i % 100 + 1, 1, active=False)
                              for i in range(1, 301, 3)])
        store.upsert("customers", [d.Customer(i, f"Customer {300 - i:03d}") for i in range(1, 101, 2)])
        assert _marks(store, q).marks == []
        whole = ids(store, q)
        assert len(whole) == 200
        calls = 1
        while not store.bookmark_job_list(q, 0):
            calls += 1
    entry = _marks(store, q)
    assert entry.step == 7  # 200 of 300 jobs: 10 entries of the sort index hold 7 of them, about
    assert calls == 200 // 7 + 1 and [mark[1] for mark in entry.marks] == whole[6::7]  # 28 steps, then the end
    for offset in range(0, 201):
        _marks(store, q).seen.clear()
        assert ids(store, q, offset, 3) == whole[offset:offset + 3], offset
    store.close()


def test_a_walk_the_data_changed_under_ends_and_the_next_walk_starts_over(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # a sync writing page after page: the walk under way ends rather than start over after each page (it would keep
    # a core walking the whole list); the board's reload for the change begins a new walk, over the list as it is
    store = CacheStore(tmp_path / "w.sqlite3")
    monkeypatch.setattr(store.bookmarks, "BOOKMARK_ENTRIES", 10)
    monkeypatch.setattr(store.planner, "plan", lambda q, offset, limit: "sort")
    jobs = [d.Job(i, str(i), d.JobStatus.HOLD, d.Priority.LOW, 1, 1, 1, 1) for i in range(1, 301)]
    store.upsert("jobs", jobs)
    q = JobQuery()
    assert not store.bookmark_job_list(q, 0)
    assert not store.bookmark_job_list(q, 0, going_on=True)
    assert len(_marks(store, q).marks) == 2
    store.upsert("jobs", [replace(job, active=False) for job in jobs[:100]])  # a page written meanwhile
    assert store.bookmark_job_list(q, 0, going_on=True)  # ended, nothing walked
    assert _marks(store, q).marks == []
    calls = 1
    while not store.bookmark_job_list(q, 0, going_on=calls > 1):
        calls += 1
    entry = _marks(store, q)
    assert entry.walked and [mark[1] for mark in entry.marks] == ids(store, q)[entry.step - 1::entry.step]
    assert len(ids(store, q)) == 200
    store.close()


# ------------------------------------------------------------------------------------------- search


@pytest.mark.parametrize(("text", "expected"), [
    ("smith", '"smith"*'),
    ('say "hi"', '"say"* """hi"""*'),
    ("AND", '"AND"*'),
    ("a OR b NOT c", '"a"* "OR"* "b"* "NOT"* "c"*'),
    ("-- * ( ) :", None),
    ("", None),
    ("555-0100", '"555-0100"*'),
])
def test_fts_query_quotes_everything(text: str, expected: str | None) -> None:
    assert fts_query(text) == expected


@pytest.mark.parametrize("text", ['"', '""', "'", "AND", "OR", "NOT", "NEAR", "NEAR(a b)", "*", "a*b", "-x", "x-",
                                  "^a", "col:val", "summary:ac", "(", ")", "{a b}", "a AND", "AND OR NOT",
                                  "o'brien", 'O"Brien', "smith-jones", "\\", "%", "_", "🚀", "Ü"])
def test_no_user_text_breaks_search(world, text: str) -> None:
    store, _ = world
    store.jobs_window(JobQuery(text=text), 0, 50)
    store.count_jobs(JobQuery(text=text))


# Text the scratch index must tokenize as the search index does: punctuation, diacritics (either way round),
# case, digits and phone numbers split or whole, several words, one letter, and words that only a column other
# than the text columns (facets) could hold.
TRICKY_TEXTS = ["a", "C", "o'brien", "O'BRIEN", "smith-jones", "sons", "&", "Ünïcode", "unicode cafe", "CAFÉ",
                "café 5", "(555) 010-0005", "555 010", "0100", "010-00", "5550100", "gate code", "code 4321",
                "dog gate", "*fan*", "install fan", "ac not", "not", "and industries", "spring oak",
                "springfield", "12 main", "main 12", "zzinactive", "zzs", "Type", "x y", "🚀", "ü", "_"]
TEXT_QUERIES = [JobQuery(), JobQuery(statuses=("Hold", "Completed")), JobQuery(priorities=("Urgent",), sort="customer"),
                JobQuery(include_inactive=True, sort="modified", descending=True), JobQuery(technician_ids=(1, 2, 3)),
                JobQuery(job_type_ids=(2,), business_unit_ids=(1, 3), sort="next_appointment")]


def _forced(monkeypatch: pytest.MonkeyPatch, store: CacheStore, plans) -> None:  # noqa: ANN001 - an iterator
    """The planner answers from ``plans`` ("check" only where there is a text to check, as the planner does)."""
    def plan(q: JobQuery, offset: int, limit: int) -> str:
        chosen = next(plans)
        return "sort" if chosen == "check" and fts_query(q.text) is None else chosen

    monkeypatch.setattr(store.planner, "plan", plan)
    store.bookmarks.anchors.clear()


@pytest.mark.parametrize("base", TEXT_QUERIES, ids=lambda q: f"{q.sort}-{q.statuses}{q.priorities}{q.technician_ids}")
def test_the_check_plan_gives_the_search_index_answer(sqlite_world, monkeypatch: pytest.MonkeyPatch, base: JobQuery) -> None:
    store, _ = sqlite_world
    assert store.count_jobs(JobQuery(text="a", include_inactive=True)) > 100
    for text in TRICKY_TEXTS:
        q = JobQuery(**{**base.__dict__, "text": text})
        _forced(monkeypatch, store, iter(lambda: "filter", None))
        want = ids(store, q)
        _forced(monkeypatch, store, iter(lambda: "check", None))
        assert ids(store, q) == want, text
        assert ids(store, q, 3, 5) == want[3:8], text
        assert len(want) == store.count_jobs(q), text


@pytest.mark.parametrize("kept", [True, False], ids=["kept-text", "broad-text"])
def test_a_technician_and_a_text_match_the_model_under_every_plan(sqlite_world, monkeypatch: pytest.MonkeyPatch,
                                                                   kept: bool) -> None:
    """The technician filter has two forms (job ids for a sort-index walk, the next-appointment index otherwise), and
    a text that is not kept is checked beside it rather than leading: each plan gives the model's jobs."""
    store, model = sqlite_world
    if not kept:
        monkeypatch.setattr(store.matches, "MATCH_CAP", 3)  # every text here matches more: none is kept
    store.matches.memo().clear()
    for text in ("a", "repair", "cool"):
        q = JobQuery(technician_ids=(1, 2, 3), text=text)
        in_text = set(_fts_ids(store, text))
        want = sorted((jid for jid in expected(model, JobQuery(technician_ids=(1, 2, 3))) if jid in in_text),
                      key=lambda jid: (int(model[jid]["job"].number), jid))  # the default order: by number
        assert want and store.count_jobs(q) == len(want), text
        for plan in ("filter", "sort", "check"):
            _forced(monkeypatch, store, iter(lambda: plan, None))  # noqa: B023 - used at once
            assert ids(store, q) == want, (text, plan)
        assert (store.matches.match_table(_kept_match(q)) is not None) == kept


def test_the_check_plan_walks_from_either_end_and_tiles(sqlite_world, monkeypatch: pytest.MonkeyPatch) -> None:
    store, _ = sqlite_world
    q = JobQuery(text="a", statuses=("Hold", "Completed", "Scheduled"), sort="customer")
    whole = ids(store, q)
    assert len(whole) > 20
    assert [r[0] for r in store.windows.checked_window(q, None, 0, len(whole) + 5, False)] == whole
    assert [r[0] for r in store.windows.checked_window(q, None, 2, 6, True)] == whole[::-1][2:8]
    _forced(monkeypatch, store, iter(lambda: "check", None))
    assert sum((ids(store, q, offset, 4) for offset in range(0, len(whole), 4)), []) == whole


def test_windows_agree_when_the_plan_changes_while_scrolling(sqlite_world, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anchors left by one plan's window are sought from by another's (the planner's choice depends on the offset)."""
    store, _ = sqlite_world
    for q in (JobQuery(text="a"), JobQuery(text="5 o", sort="next_appointment", descending=True),
              JobQuery(text="repair", include_inactive=True, sort="customer")):
        _forced(monkeypatch, store, iter(lambda: "filter", None))
        whole = ids(store, q)
        for size in (3, 7):
            _forced(monkeypatch, store, iter(["check", "sort", "filter", "check", "check", "filter", "sort"] * 200))
            tiled = []
            for offset in range(0, len(whole) + size, size):
                tiled += ids(store, q, offset, size)
            assert tiled == whole, (q.text, size)


def test_windows_and_counts_give_the_same_answer_from_kept_matches(sqlite_world, monkeypatch: pytest.MonkeyPatch) -> None:
    """A text's matches kept in a temp table (``KeptMatches.text_found``) or read from the search index: the same answers."""
    store, _ = sqlite_world
    for base in TEXT_QUERIES:
        for text in TRICKY_TEXTS:
            q = JobQuery(**{**base.__dict__, "text": text})
            match = _kept_match(q)
            if match is None:
                continue
            store.matches.memo().clear()
            store.job_counts.memo.clear()
            _forced(monkeypatch, store, iter(lambda: "filter", None))
            want = ids(store, q)  # from the search index
            assert store.count_jobs(q) == len(want), text
            _forced(monkeypatch, store, iter(lambda: "sort", None))
            assert ids(store, q) == want, text
            store.matches.text_found(match)
            assert store.matches.match_table(match) is not None
            store.job_counts.memo.clear()
            assert store.count_jobs(q) == len(want), text
            for plan in ("sort", "filter"):
                _forced(monkeypatch, store, iter(lambda: plan, None))  # noqa: B023 - used at once
                assert ids(store, q) == want, (text, plan)
                assert ids(store, q, 3, 5) == want[3:8], (text, plan)


def _fts_ids(store: CacheStore, text: str) -> list[int]:
    return [r[0] for r in store.conn.execute("SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ? ORDER BY rowid",
                                             (_fts_match(JobQuery(text=text, include_inactive=True)),))]


def test_kept_matches_follow_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = CacheStore(tmp_path / "m.sqlite3")

    def job(i: int, summary: str) -> d.Job:
        return d.Job(i, str(i), d.JobStatus.HOLD, d.Priority.LOW, 1, 1, 1, 1, summary=summary)

    store.upsert("jobs", [job(i, "alpha" if i % 2 else "beta") for i in range(1, 21)])
    q = JobQuery(text="alph")
    match = _kept_match(q)
    assert ids(store, q) == list(range(1, 21, 2))
    assert store.matches.match_table(match) is not None
    with monkeypatch.context() as m:  # the count after the window is the kept table's size
        m.setattr(store.job_counts, "_fts_count", None)
        assert store.count_jobs(q) == 10 and store.count_jobs(q, cap=4) == 4
    store.upsert("jobs", [job(2, "alphabet")])
    assert store.matches.match_table(match) is None  # a new data version
    assert ids(store, q) == [1, 2, *range(3, 21, 2)]
    assert store.count_jobs(q) == 11
    import threading

    t = threading.Thread(target=lambda: store.upsert("jobs", [job(3, "beta"), job(4, "alpha")]))
    t.start()
    t.join()
    assert ids(store, q) == [1, 2, 4, *range(5, 21, 2)]
    # a text matching more than the cap is estimated and not kept
    store.matches.MATCH_CAP = 3
    store.matches.memo().clear()
    assert store.matches.text_found(match) >= 4 and store.matches.match_table(match) is None
    assert ids(store, q) == [1, 2, 4, *range(5, 21, 2)]
    with monkeypatch.context() as m:  # more than the cap seen: a count capped there needs no count of its own
        m.setattr(store.job_counts, "_fts_count", None)
        assert store.count_jobs(q, cap=3) == 3
    assert store.count_jobs(q, cap=5) == 5 and store.count_jobs(q) == 11
    del store.matches.MATCH_CAP
    # more texts than temp tables: each window still has its own text's answer, and no more tables are made
    texts = ["alp", "bet", "1", "2", "al", "be", "alphabet", "b"]
    for text in texts * 2:
        assert ids(store, JobQuery(text=text)) == _fts_ids(store, text), text
    assert store.conn.execute("SELECT count(*) FROM sqlite_temp_master WHERE name LIKE 'job_match%'").fetchone()[0] == 4
    # nothing is kept from inside a transaction (a rollback would empty the table)
    store.matches.memo().clear()
    with pytest.raises(RuntimeError), store.transaction():
        store.upsert("jobs", [job(6, "alpha")])
        ids(store, q)
        raise RuntimeError
    assert store.matches.match_table(match) is None
    assert ids(store, q) == [1, 2, 4, *range(5, 21, 2)]
    store.close()


def test_the_scratch_index_tokenizes_as_the_search_index(sqlite_world) -> None:
    store, _ = sqlite_world
    store.matches.text_matches('"a"*', [1])
    for name in ("jobs_fts", "job_scratch"):
        sql = store.conn.execute("SELECT sql FROM sqlite_master WHERE name = ? UNION ALL "
                                 "SELECT sql FROM sqlite_temp_master WHERE name = ?", (name, name)).fetchone()[0]
        assert "tokenize='unicode61 remove_diacritics 2'" in sql, sql
        assert "number, summary, customer, address, phones, notes" in sql, sql

def _search(store: CacheStore, text: str) -> set[int]:
    return set(ids(store, JobQuery(text=text, include_inactive=True)))


def test_search_hits_customer_street_phone_summary_number_notes(world) -> None:
    store, model = world
    by_customer = {jid for jid, m in model.items() if m["job"].customer_id == 7}
    assert by_customer and by_customer <= _search(store, model[min(by_customer)]["customer"])
    assert _search(store, "o'brien") == {jid for jid, m in model.items() if m["customer"].startswith("O'Brien")}
    assert _search(store, "smith-jones") == {jid for jid, m in model.items() if m["customer"].startswith("Smith-Jones")}
    assert _search(store, "AND industr") == {jid for jid, m in model.items() if m["customer"].startswith("AND ")}
    assert _search(store, "unicode cafe") == {jid for jid, m in model.items() if m["customer"].startswith("Ünïcode")}
    oak = {jid for jid, m in model.items() if m["job"].location_id % 4 == 1}
    assert _search(store, "9 oak") == oak
    assert _search(store, "spring") == {jid for jid, m in model.items() if m["job"].location_id % 3 == 0}
    cust_7 = {jid for jid, m in model.items() if m["job"].customer_id == 7}
    assert _search(store, "(555) 010-0007") == cust_7
    assert _search(store, "5550100007") == cust_7
    assert _search(store, "010-0007") == cust_7
    assert _search(store, "furnace") == {jid for jid, m in model.items() if m["job"].summary == "Furnace repair"}
    assert _search(store, "*fan*") == {jid for jid, m in model.items() if "fan" in m["job"].summary}
    assert _search(store, model[33]["job"].number) >= {33}
    assert _search(store, "beware dog") == {5}
    assert _search(store, "nothing-like-this") == set()


def test_search_combines_with_filters_and_sorts(world) -> None:
    store, model = world
    q = JobQuery(text="leak", statuses=("Hold", "Completed"), sort="modified", descending=True)
    rows = store.jobs_window(q, 0, 1000)
    want = [jid for jid in expected(model, q) if model[jid]["job"].summary == "Leak under sink"]
    assert sorted(r.id for r in rows) == sorted(want)
    assert [r.modified for r in rows] == sorted((r.modified for r in rows), reverse=True)
    assert store.count_jobs(q) == len(want)


@both_stores
def test_notes_and_contacts_update_search(store: Store) -> None:
    store.upsert("jobs", [d.Job(1, "1", d.JobStatus.HOLD, d.Priority.LOW, 1, 1, 3, 4)])
    assert store.count_jobs(JobQuery(text="zebra")) == 0
    store.upsert("job_notes", [d.Note(1, "job", 1, "zebra crossing")])
    assert store.count_jobs(JobQuery(text="zebra")) == 1
    store.upsert("contacts", [d.Contact(1, "location", 4, d.ContactType.EMAIL, "ops@zulu.example")])
    assert store.count_jobs(JobQuery(text="zulu")) == 1
    store.upsert("contacts", [d.Contact(1, "location", 4, d.ContactType.EMAIL, "ops@zulu.example", active=False)])
    assert store.count_jobs(JobQuery(text="zulu")) == 0
    store.upsert("locations", [d.Location(4, 3, street="1 Quokka Way", city="Perth")])
    assert store.count_jobs(JobQuery(text="quokka perth")) == 1


# -------------------------------------------------------------------------------------- query plans


def _plan_ok(lines: list[str]) -> bool:
    """Every table access goes through an index / primary key / FTS: no plain SCAN of a table."""
    for line in lines:
        if line.startswith("SCAN ") and "USING" not in line and "json_each" not in line and "VIRTUAL TABLE" not in line:
            if not line.startswith(("SCAN (subquery", "SCAN CONSTANT", "SCAN job_counts")):  # counters: a few hundred rows
                return False
    return True


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory):
    """Enough jobs (20,000) that the planner's choices are the ones it makes at scale."""
    rng = random.Random(9)
    store = CacheStore(tmp_path_factory.mktemp("big") / "big.sqlite3")
    store.upsert("customers", [d.Customer(i, f"Customer {i}") for i in range(1, 2001)])
    jobs = [d.Job(i, str(i), d.JobStatus(rng.choice(STATUSES[:6])), d.Priority(rng.choice(PRIORITIES)),
                  rng.randrange(1, 40), rng.randrange(1, 10), rng.randrange(1, 2001), None,
                  summary=rng.choice(["alpha", "beta gamma", "delta"]), modified_on=T0 + timedelta(seconds=i))
            for i in range(1, 20_001)]
    store.upsert("jobs", jobs)
    store.upsert("appointments", [d.Appointment(i, i, start=T0 + timedelta(minutes=i)) for i in range(1, 20_001, 2)])
    store.upsert("appointment_assignments", [d.Assignment(i, i, i, i % 30) for i in range(1, 20_001, 2)])
    store.conn.execute("ANALYZE")
    yield store
    store.close()


PLAN_QUERIES = [
    JobQuery(), JobQuery(sort="customer", descending=True), JobQuery(statuses=("Hold",)),
    JobQuery(statuses=("Completed", "Scheduled"), sort="modified"), JobQuery(job_type_ids=(3,), business_unit_ids=(2,)),
    JobQuery(technician_ids=(4,)), JobQuery(text="gamma"), JobQuery(text="customer 17", sort="next_appointment"),
    JobQuery(appointment_from=T0, appointment_to=T0 + timedelta(days=1)), JobQuery(include_inactive=True, sort="priority"),
    *[JobQuery(sort=s) for s in JOB_SORT_COLUMNS],
]


@pytest.mark.parametrize("q", PLAN_QUERIES, ids=lambda q: f"{q.sort}-{q.statuses}-{q.text}-{q.technician_ids}-{bool(q.appointment_from)}")
def test_window_and_count_queries_use_indexes(big: CacheStore, q: JobQuery) -> None:
    for offset in (0, 10_000):
        lines = big.explain_jobs_window(q, offset, 50)
        assert _plan_ok(lines), lines
        assert any("INDEX" in line or "PRIMARY KEY" in line or "VIRTUAL TABLE" in line for line in lines), lines
    lines = big.explain_count_jobs(q)
    assert _plan_ok(lines), lines


def test_unfiltered_windows_walk_the_sort_index_without_sorting(big: CacheStore) -> None:
    for sort in JOB_SORT_COLUMNS:
        lines = big.explain_jobs_window(JobQuery(sort=sort), 0, 50)
        assert any(f"jobs_sort_{sort}" in line for line in lines), (sort, lines)
        assert not any("TEMP B-TREE" in line for line in lines), (sort, lines)


def test_counts_of_plain_filters_come_from_counters(big: CacheStore) -> None:
    lines = big.explain_count_jobs(JobQuery(statuses=("Hold",), priorities=("High",)))
    assert any("job_counts" in line for line in lines), lines
    assert not any(" jobs" in line or "jobs " in line.split("job_counts")[0] for line in lines if "job_counts" not in line)


def test_unknown_sort_is_an_error(big: CacheStore) -> None:
    with pytest.raises(CacheError):
        big.jobs_window(JobQuery(sort="colour"), 0, 10)


# ------------------------------------------------------------------------------------------ projects


@both_stores
def test_project_window_and_count(store: Store) -> None:
    store.upsert("customers", [d.Customer(1, "Acme")])
    store.upsert("projects", [
        d.Project(1, "10", name="Roof", status="Open", customer_id=1, job_ids=(1, 2)),
        d.Project(2, "9", name="Boiler_50%", status="Closed"),
        d.Project(3, "11", name="Pool", status="Open", active=False),
    ])
    rows = store.projects_window(ProjectQuery(), 0, 10)
    assert [r.number for r in rows] == ["9", "10"] and rows[1].customer == "Acme" and rows[1].job_count == 2
    assert store.count_projects(ProjectQuery(statuses=("Open",))) == 1
    assert store.count_projects(ProjectQuery(include_inactive=True)) == 3
    assert [r.id for r in store.projects_window(ProjectQuery(text="50%"), 0, 10)] == [2]
    assert [r.id for r in store.projects_window(ProjectQuery(text="_"), 0, 10)] == [2]
    assert [r.id for r in store.projects_window(ProjectQuery(sort="name", descending=True), 0, 10)] == [1, 2]


def test_capped_counts_and_facet_markers_are_not_searchable(world) -> None:
    store, model = world
    q = JobQuery(text="a")
    exact = store.count_jobs(q)
    assert exact > 5
    assert store.count_jobs(q, cap=5) == 5
    assert store.count_jobs(q, cap=10_000) == exact
    assert store.count_jobs(JobQuery(), cap=3) == 3
    assert store.count_jobs(JobQuery(technician_ids=(1, 2, 3, 4, 5, 6, 7)), cap=2) == 2
    # the facet column holds marker tokens; user text never reaches it
    assert store.count_jobs(JobQuery(text="zzinactive", include_inactive=True)) == 0
    assert store.count_jobs(JobQuery(text="zzs", include_inactive=True)) == 0


def test_texts_without_z_match_as_with_the_column_filter(sqlite_world) -> None:
    """A text of ASCII without a 'z' goes without the column filter: no token of it can match a marker."""
    store, _ = sqlite_world

    def found(expr: str) -> list[int]:
        return [r[0] for r in store.conn.execute("SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?", (expr,))]

    for text in [*TRICKY_TEXTS, "hold", "Completed", "1", "inactive", "zzinactive", "Zeta"]:
        words = fts_query(text)
        if words is None:
            continue
        expr = _fts_match(JobQuery(text=text, include_inactive=True))
        assert ("{" not in expr) == (text.isascii() and "z" not in text.lower()), text
        assert found(expr) == found("{number summary customer address phones notes} : (" + words + ")"), text


def test_text_with_every_counter_filter_counts_inside_the_index(sqlite_world) -> None:
    store, model = sqlite_world
    for q in (JobQuery(text="repair", statuses=("Invoiced", "Hold")), JobQuery(text="cool", priorities=("Low",)),
              JobQuery(text="sink", job_type_ids=(1, 4), business_unit_ids=(2,)),
              JobQuery(text="fan", include_inactive=True)):
        words = q.text
        want = [i for i in expected(model, q) if words in model[i]["job"].summary.lower()]
        assert store.count_jobs(q) == len(want), q
        assert sorted(ids(store, q)) == sorted(want), q
        store.matches.memo().clear()  # no matches kept by a window
        assert any("jobs_fts" in line or "VIRTUAL" in line for line in store.explain_count_jobs(q))


@both_stores
def test_project_board_rows_carry_sub_status_type_and_dates(store: Store) -> None:
    store.upsert("customers", [d.Customer(1, "Acme")])
    store.upsert("project_types", [d.ProjectType(7, "Remodel")])
    start = datetime(2025, 5, 1, tzinfo=UTC)
    store.upsert("projects", [
        d.Project(1, "10", name="Roof", status="Open", sub_status="Waiting on permit", project_type_id=7,
                  customer_id=1, job_ids=(1, 2), start_date=start),
        d.Project(2, "9", name="Boiler", status="Closed"),
        d.Project(3, "11", name="Pool", status="Open", active=False),
    ])
    rows = store.projects_window(ProjectQuery(), 0, 10)
    assert [r.id for r in rows] == [2, 1]
    roof = rows[1]
    assert (roof.sub_status, roof.project_type, roof.customer, roof.customer_id, roof.job_count) == (
        "Waiting on permit", "Remodel", "Acme", 1, 2)
    assert roof.start_date == start and roof.target_completion_date is None
    assert rows[0].project_type == "" and rows[0].customer == ""
    assert [r.id for r in store.projects_window(ProjectQuery(text="roo", statuses=("Open",)), 0, 10)] == [1]
    assert store.project_type(7).name == "Remodel"
    with pytest.raises(CacheError):
        store.projects_window(ProjectQuery(sort="colour"), 0, 10)


@both_stores
def test_the_calendar_reads_the_appointments_overlapping_its_days(store: Store) -> None:
    day = datetime(2026, 11, 29, 7, tzinfo=UTC)  # a local midnight (Arizona)
    visits = {1: (day + timedelta(hours=9), 2), 2: (day + timedelta(hours=22), 4),  # the 2nd runs past midnight
              3: (day - timedelta(days=3), 24 * 5), 4: (day - timedelta(days=8), 24 * 10)}  # 4: too long
    store.upsert("jobs", [d.Job(10, "10", d.JobStatus.SCHEDULED, d.Priority.NORMAL, None, None, None, None)])
    store.upsert("appointments", [d.Appointment(id=i, job_id=10, number=f"10-{i}", start=s, end=s + timedelta(hours=h))
                                  for i, (s, h) in visits.items()])
    store.upsert("appointment_assignments", [d.Assignment(id=100 + i, appointment_id=i, technician_id=7, job_id=10)
                                             for i in visits])
    next_day = day + timedelta(days=1)
    assert [a.id for a, *_ in store.calendar_appointments(day, next_day)] == [3, 1, 2]
    assert [a.id for a, *_ in store.calendar_appointments(next_day, next_day + timedelta(days=1))] == [3, 2]
    assert [a for a, _t, _s in store.calendar_assignments(next_day, next_day + timedelta(days=1))] == [2, 3]
    if isinstance(store, CacheStore):  # SQLite's plans
        assert all("SCAN" not in line for line in store.explain_calendar(day, next_day))
