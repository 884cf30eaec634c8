"""The world at scale (data_at_scale: families made on demand from their index), small enough for a test, served
over real HTTP: the export feeds page through every record, a change is read back and moves to the feed's end, the
records point at each other, and the same arguments make the same world."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from support.pinned_times import PINNED_NOW
from support.served_sandbox import served

from jpm_tui.sandbox import build_state
from jpm_tui.sandbox.data import ID_BASE
from jpm_tui.sandbox.data_at_scale import generate
from jpm_tui.sandbox.state import Generated, GeneratedCollection, SandboxState, parse_iso

JOBS = 300


@pytest.fixture(scope="module")
def world() -> SandboxState:
    return build_state(jobs=JOBS, seed=3, now=PINNED_NOW, frozen=True, at_scale=True, rate_limit=None,
                       export_page_size=70)


@pytest.fixture(scope="module")
def api(world: SandboxState) -> Iterator[httpx.Client]:
    with served(world) as client:
        yield client


@pytest.fixture(autouse=True)
def _fresh(world: SandboxState) -> None:
    world.reset()


def feed(api: httpx.Client, path: str, start: str | None = None) -> tuple[list[dict], str]:
    """Every row of an export feed from ``start`` (a token or a date), and the last token."""
    rows: list[dict] = []
    params = {"from": start} if start else {}
    while True:
        body = api.get(f"/{path}", params=params).raise_for_status().json()
        rows += body["data"]
        params = {"from": body["continueFrom"]}
        if not body["hasMore"]:
            return rows, body["continueFrom"]


def jpm(path: str) -> str:
    return f"jpm/v2/tenant/1234567/{path}"


def test_the_big_collections_are_made_on_demand(world: SandboxState) -> None:
    for name in ("jobs", "appointments", "appointment_assignments", "job_notes", "job_history", "customers",
                 "locations", "customer_contacts"):
        assert isinstance(world[name], GeneratedCollection), name
    assert len(world["jobs"]) == JOBS
    assert len(world["customers"]) == JOBS * 2 // 5


def test_export_feeds_page_through_every_record_once(api: httpx.Client, world: SandboxState) -> None:
    jobs, _ = feed(api, jpm("export/jobs"))
    assert len(jobs) == JOBS == len({job["id"] for job in jobs})
    appointments, _ = feed(api, jpm("export/appointments"))
    assert len(appointments) == len(world["appointments"]) == JOBS  # one visit a job
    assert {a["jobId"] for a in appointments} == {job["id"] for job in jobs}
    notes, _ = feed(api, jpm("export/job-notes"))
    assert len(notes) == len(world["job_notes"]) > 0


def test_records_point_at_records_that_exist(api: httpx.Client) -> None:
    jobs, _ = feed(api, jpm("export/jobs"))
    for job in jobs[:40]:
        assert api.get(f"/crm/v2/tenant/1234567/customers/{job['customerId']}").status_code == 200
        assert api.get(f"/crm/v2/tenant/1234567/locations/{job['locationId']}").status_code == 200
        assert api.get(f"/{jpm('appointments')}/{job['firstAppointmentId']}").json()["jobId"] == job["id"]


def test_a_technician_is_never_booked_twice_at_once(api: httpx.Client) -> None:
    appointments = {a["id"]: a for a in feed(api, jpm("export/appointments"))[0]}
    assignments, _ = feed(api, "dispatch/v2/tenant/1234567/export/appointment-assignments")
    visits: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for assignment in assignments:
        visit = appointments[assignment["appointmentId"]]
        start, end = parse_iso(visit["start"]), parse_iso(visit["end"])
        assert start is not None and end is not None
        visits[assignment["technicianId"]].append((start, end))
    assert visits
    for booked in visits.values():
        booked.sort()
        assert all(end <= following for (_, end), (following, _) in zip(booked, booked[1:]))


def test_a_change_is_read_back_and_moves_to_the_end_of_the_feed(api: httpx.Client) -> None:
    jobs, token = feed(api, jpm("export/jobs"))
    job = jobs[5]
    assert api.patch(f"/{jpm('jobs')}/{job['id']}", json={"summary": "Changed at scale"}).status_code == 200
    assert api.get(f"/{jpm('jobs')}/{job['id']}").json()["summary"] == "Changed at scale"
    changed, _ = feed(api, jpm("export/jobs"), token)
    assert [(row["id"], row["summary"]) for row in changed] == [(job["id"], "Changed at scale")]
    again, _ = feed(api, jpm("export/jobs"))
    assert len(again) == JOBS and again[-1]["id"] == job["id"]


def test_modified_since_gives_only_later_rows(api: httpx.Client) -> None:
    jobs, _ = feed(api, jpm("export/jobs"))
    dates = sorted(row["modifiedOn"] for row in jobs)
    since = dates[len(dates) // 2]
    later, _ = feed(api, jpm("export/jobs"), since)
    assert sorted(row["modifiedOn"] for row in later) == [d for d in dates if d >= since]


def test_same_arguments_same_world(world: SandboxState) -> None:
    again = build_state(jobs=JOBS, seed=3, now=PINNED_NOW, frozen=True, at_scale=True)
    for name in ("jobs", "appointments", "job_history", "customers", "customer_contacts", "technicians"):
        assert list(again[name].values()) == list(world[name].values()), name
    other = build_state(jobs=JOBS, seed=4, now=PINNED_NOW, frozen=True, at_scale=True)
    assert list(other["jobs"].values()) != list(world["jobs"].values())


def test_canceling_a_job_at_scale_cancels_its_visit_and_logs_why(api: httpx.Client, world: SandboxState) -> None:
    jobs, token = feed(api, jpm("export/jobs"))
    job = next(j for j in jobs if j["jobStatus"] == "Scheduled")
    reason = next(iter(world["job_cancel_reasons"].values()))["id"]
    answer = api.put(f"/{jpm('jobs')}/{job['id']}/cancel", json={"reasonId": reason, "memo": "At scale"})
    assert answer.status_code == 200, answer.text
    appointment = api.get(f"/{jpm('appointments')}/{job['firstAppointmentId']}").json()
    assert appointment["status"] == "Canceled"
    logs = feed(api, jpm("export/job-canceled-logs"))[0]
    assert [(log["jobId"], log["memo"]) for log in logs if log["memo"] == "At scale"] == [(job["id"], "At scale")]
    assert [row["id"] for row in feed(api, jpm("export/jobs"), token)[0]] == [job["id"]]


def test_a_lookup_by_parent_makes_only_that_family() -> None:
    made: list[int] = []

    def make(id: int) -> dict | None:
        made.append(id)
        return {"id": id, "jobId": 1000 + id // 2, "modifiedOn": "2026-11-01T00:00:00Z"}

    parents = {"jobId": lambda job: [2 * (job - 1000), 2 * (job - 1000) + 1]}
    world = {"appointments": Generated(range(0, 10_000), make, parents)}
    state = SandboxState(now=PINNED_NOW)
    state.load(world, again=lambda: world)
    appointments = state["appointments"]
    assert [a["id"] for a in appointments.where("jobId", 1007)] == [14, 15]
    assert made == [14, 15]
    moved = appointments.get(3)
    assert moved is not None
    moved["jobId"] = 1007
    appointments.touch(moved)
    assert [a["id"] for a in appointments.where("jobId", 1007)] == [3, 14, 15]


def test_a_list_filtered_by_ids_answers_with_those_records(api: httpx.Client, world: SandboxState) -> None:
    jobs, _ = feed(api, jpm("export/jobs"))
    wanted = [jobs[7]["firstAppointmentId"], jobs[3]["firstAppointmentId"]]
    rows = api.get("/dispatch/v2/tenant/1234567/appointment-assignments",
                   params={"appointmentIds": ",".join(map(str, wanted))}).json()["data"]
    assert rows and {row["appointmentId"] for row in rows} <= set(wanted)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    picked = api.get(f"/{jpm('jobs')}", params={"ids": f"{jobs[9]['id']},{jobs[2]['id']},999"}).json()["data"]
    assert [job["id"] for job in picked] == [jobs[2]["id"], jobs[9]["id"]]


def test_a_jobs_appointments_and_notes_are_listed_from_its_family(api: httpx.Client) -> None:
    jobs, _ = feed(api, jpm("export/jobs"))
    notes, _ = feed(api, jpm("export/job-notes"))
    job = next(j for j in jobs if any(n["jobId"] == j["id"] for n in notes))
    listed = api.get(f"/{jpm('appointments')}", params={"jobId": job["id"]}).json()["data"]
    assert [a["id"] for a in listed] == [job["firstAppointmentId"]]
    texts = [n["text"] for n in api.get(f"/{jpm('jobs')}/{job['id']}/notes").json()["data"]]
    assert sorted(texts) == sorted(n["text"] for n in notes if n["jobId"] == job["id"])


def _public(record: dict | None) -> dict | None:
    return None if record is None else {key: value for key, value in record.items() if not key.startswith("_")}


def test_an_export_feed_makes_only_a_familys_head_and_sends_what_the_whole_family_has() -> None:
    heads, wholes = (generate(3, JOBS, PINNED_NOW) for _ in range(2))  # apart: a family made whole serves its head
    held: list[str] = []
    for name in ("jobs", "appointments", "appointment_assignments", "appointment_summaries", "customers"):
        head, whole = heads[name], wholes[name]
        assert isinstance(head, Generated) and isinstance(whole, Generated) and head.make_sent is not None
        for id in head.ids:
            made, sent = whole.make(id), head.make_sent(id)
            assert _public(sent) == _public(made), (name, id)
            if made is not None and sent is not None and "_hold" in made:
                held.append(name)
                assert "_hold" not in sent  # put on hold after the job is made, with its logs: not in the head
    assert {"jobs", "appointments"} <= set(held)
    assert heads["job_notes"].make_sent is None  # type: ignore[union-attr]  # made with the whole family only


def test_a_list_page_makes_the_rows_up_to_it_and_health_counts_without_making_any() -> None:
    made: list[int] = []

    def job(id: int) -> dict | None:
        made.append(id)
        return {"id": id, "active": True, "modifiedOn": "2026-11-01T00:00:00Z", "externalData": []}

    base = ID_BASE["jobs"]
    world = {"jobs": Generated(range(base + 1, base + 100_001), job, {}, 100_000),
             "job_notes": Generated(range(1, 1001), lambda id: None)}
    state = SandboxState(now=PINNED_NOW, rate_limit=None)
    state.load(world, again=lambda: world)
    with served(state) as client:
        health = client.get("/_sandbox/health").json()
        assert health["counts"]["jobs"] == 100_000 and health["uncounted"] == ["job_notes"] and made == []
        page = client.get(f"/{jpm('jobs')}", params={"page": 2, "pageSize": 5}).json()
        assert [row["id"] for row in page["data"]] == list(range(base + 6, base + 11))
        assert page["hasMore"] is True and page["totalCount"] is None
        assert made == list(range(base + 1, base + 12))  # the page, the rows before it and one more (hasMore)
        total = client.get(f"/{jpm('jobs')}", params={"page": 20_000, "pageSize": 5, "includeTotal": "true"}).json()
        assert total["totalCount"] == 100_000 and total["hasMore"] is False and len(total["data"]) == 5
        last = client.get(f"/{jpm('jobs')}", params={"page": 20_001, "pageSize": 5}).json()
        assert last["data"] == [] and last["hasMore"] is False
